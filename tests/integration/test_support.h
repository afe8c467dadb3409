// Helpers for tests that run the t2sql program as a user would.
#pragma once

#include <string>
#include <vector>

namespace t2sql::testing {

struct RunResult {
  int exit_code = -1;
  std::string out, err;
  double elapsed_ms = 0;
};

// Runs build/t2sql with `args`, XDG_DATA_HOME pointed at a per-process
// temporary folder so that tests never touch the user's data.
RunResult run_t2sql(const std::vector<std::string>& args, const std::string& stdin_text = "");

// A fresh temporary folder for one test.
std::string temp_dir(const std::string& name);

// The whole file, for byte-for-byte comparisons.
std::string read_file(const std::string& path);

// A path to the shared demo warehouse, built once per test program.
std::string demo_db();

}  // namespace t2sql::testing
