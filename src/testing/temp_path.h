// For tests only: a path in a temp directory that no other test process
// shares. CTest runs every test of a suite as its own process, in parallel,
// so a fixture that writes "<tmp>/demo.db" in each process would rewrite the
// file under another test that is reading it (the answer cache test saw its
// data change mid-request and cached nothing). The directory is removed when
// the process exits.
//
//   path_ = testing::own_temp_path("server_test_demo.db");
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace t2sql::testing {

// "<TempDir>/t2sql_test_<pid>/<name>"; the directory exists.
inline std::string own_temp_path(const std::string& name) {
  struct Dir {
    std::filesystem::path path =
        std::filesystem::path(::testing::TempDir()) / ("t2sql_test_" + std::to_string(::getpid()));
    Dir() { std::filesystem::create_directories(path); }
    ~Dir() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  };
  static Dir dir;
  return (dir.path / name).string();
}

}  // namespace t2sql::testing
