// For the tests of a server that a CTest fixture starts (PostgreSQL,
// ClickHouse): the KEY=value lines of the env file its script writes, as
// pg_test_env.h and ch_test_env.h read them.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>

namespace t2sql::testing {

// The file's KEY=value lines; none when it is missing.
inline std::map<std::string, std::string> read_fixture_env(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

// The value of `key`, or "" with a test failure that says to run the tests
// through ctest; `starter` names the fixture test that writes `path` and what
// it starts ("postgres_fixture_start starts the server").
inline std::string fixture_env_value(const std::map<std::string, std::string>& env, const std::string& key,
                                     const std::string& path, const std::string& starter) {
  auto it = env.find(key);
  if (it == env.end()) {
    ADD_FAILURE() << key << " missing from " << path << ": run these tests through ctest, whose " << starter;
    return "";
  }
  return it->second;
}

}  // namespace t2sql::testing
