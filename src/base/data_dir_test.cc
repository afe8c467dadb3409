// data_dirs() and find_data_file(): $T2SQL_DATA_DIR alone when set, else the
// folders beside the running program; a missing file names itself and every
// folder looked in. (tests/install/ runs the program itself from a copy.)
#include "base/data_dir.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace t2sql {
namespace {

namespace fs = std::filesystem;

class DataDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* v = std::getenv("T2SQL_DATA_DIR")) saved_ = v, had_ = true;
    dir_ = fs::temp_directory_path() / ("t2sql_data_dir_" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "vocab");
    std::ofstream(dir_ / "vocab" / "ggml-vocab-x.gguf") << "x";
  }
  void TearDown() override {
    if (had_) {
      setenv("T2SQL_DATA_DIR", saved_.c_str(), 1);
    } else {
      unsetenv("T2SQL_DATA_DIR");
    }
    fs::remove_all(dir_);
  }
  fs::path dir_;
  std::string saved_;
  bool had_ = false;
};

TEST_F(DataDirTest, EnvironmentFolderIsTheOnlyOneLookedIn) {
  setenv("T2SQL_DATA_DIR", dir_.c_str(), 1);
  ASSERT_EQ(data_dirs(), std::vector<std::string>{dir_.string()});
  auto found = find_data_file("vocab/ggml-vocab-x.gguf");
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(*found, (dir_ / "vocab" / "ggml-vocab-x.gguf").string());
  auto folder = find_data_file("vocab");
  ASSERT_TRUE(folder.ok());
  EXPECT_EQ(*folder, (dir_ / "vocab").string());
}

TEST_F(DataDirTest, MissingFileNamesItselfAndWhereItLooked) {
  setenv("T2SQL_DATA_DIR", dir_.c_str(), 1);
  auto missing = find_data_file("vocab/ggml-vocab-nosuch.gguf");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  const std::string& m = missing.status().message();
  EXPECT_NE(m.find("vocab/ggml-vocab-nosuch.gguf"), std::string::npos) << m;
  EXPECT_NE(m.find(dir_.string()), std::string::npos) << m;
  EXPECT_NE(m.find("T2SQL_DATA_DIR"), std::string::npos) << m;
}

TEST_F(DataDirTest, WithoutTheEnvironmentTheFoldersBesideTheProgram) {
  unsetenv("T2SQL_DATA_DIR");
  const fs::path exe_dir = fs::read_symlink("/proc/self/exe").parent_path();
  const std::vector<std::string> dirs = data_dirs();
  ASSERT_EQ(dirs.size(), 2u);
  EXPECT_EQ(dirs[0], (exe_dir / "share" / "t2sql").string());
  EXPECT_EQ(dirs[1], (exe_dir.parent_path() / "share" / "t2sql").string());
  auto missing = find_data_file("no-such-file-of-t2sql");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(dirs[0]), std::string::npos);
  EXPECT_NE(missing.status().message().find(dirs[1]), std::string::npos);
}

}  // namespace
}  // namespace t2sql
