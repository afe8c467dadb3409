#include "base/data_dir.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace t2sql {

namespace fs = std::filesystem;

namespace {

bool data_dir_from_env() {
  const char* env = std::getenv("T2SQL_DATA_DIR");
  return env && *env;
}

}  // namespace

std::vector<std::string> data_dirs() {
  if (data_dir_from_env()) return {std::getenv("T2SQL_DATA_DIR")};
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec || exe.empty()) return {};
  const fs::path dir = exe.parent_path();
  return {(dir / "share" / "t2sql").string(), (dir.parent_path() / "share" / "t2sql").lexically_normal().string()};
}

Result<std::string> find_data_file(const std::string& relative) {
  const std::vector<std::string> dirs = data_dirs();
  std::string looked;
  for (const std::string& dir : dirs) {
    std::error_code ec;
    const fs::path path = fs::path(dir) / relative;
    if (fs::exists(path, ec)) return path.string();
    looked += (looked.empty() ? "" : ", ") + dir;
  }
  if (dirs.empty())
    return not_found(relative + " not found: the program's own path (/proc/self/exe) cannot be read; " +
                     "set T2SQL_DATA_DIR to the folder of t2sql's data files (share/t2sql)");
  if (data_dir_from_env()) return not_found(relative + " not found in " + looked + " (T2SQL_DATA_DIR)");
  return not_found(relative + " not found in " + looked +
                   " (t2sql's data files, installed beside the program; set T2SQL_DATA_DIR to their folder)");
}

}  // namespace t2sql
