// For *_pg_test.cc only: what tests/postgres/pg_fixture.sh started (server
// URIs, demo files of every engine), read from the env file it writes.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>

namespace t2sql::testing {

inline const std::map<std::string, std::string>& pg_env() {
  static const std::map<std::string, std::string> env = [] {
    std::map<std::string, std::string> out;
    std::ifstream in(T2SQL_PG_ENV);
    std::string line;
    while (std::getline(in, line)) {
      auto eq = line.find('=');
      if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return out;
  }();
  return env;
}

// The value, or "" with a test failure that says to run the fixture.
inline std::string pg_env(const std::string& key) {
  auto it = pg_env().find(key);
  if (it == pg_env().end()) {
    ADD_FAILURE() << key << " missing from " << T2SQL_PG_ENV
                  << ": run these tests through ctest, whose postgres_fixture_start starts the server";
    return "";
  }
  return it->second;
}

}  // namespace t2sql::testing
