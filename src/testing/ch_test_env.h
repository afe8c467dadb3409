// For *_ch_test.cc only: what tests/clickhouse/ch_fixture.sh started (the
// two-shard cluster's URIs, demo files of SQLite and DuckDB), read from the
// env file it writes. Without clickhouse-server the file holds only
// T2SQL_TEST_CH_SKIP, and each test skips with that message.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>

#include "t2sql/database.h"
#include "testing/fixture_env.h"

namespace t2sql::testing {

inline const std::map<std::string, std::string>& ch_env() {
  static const std::map<std::string, std::string> env = read_fixture_env(T2SQL_CH_ENV);
  return env;
}

// Why the ClickHouse tests cannot run here, or "".
inline std::string ch_skip_reason() {
  auto it = ch_env().find("T2SQL_TEST_CH_SKIP");
  return it == ch_env().end() ? "" : it->second;
}

#define T2SQL_SKIP_WITHOUT_CLICKHOUSE()                                       \
  do {                                                                        \
    if (std::string why = ::t2sql::testing::ch_skip_reason(); !why.empty()) { \
      GTEST_SKIP() << why;                                                    \
    }                                                                         \
  } while (0)

// The value, or "" with a test failure that says to run the fixture.
inline std::string ch_env(const std::string& key) {
  return fixture_env_value(ch_env(), key, T2SQL_CH_ENV, "clickhouse_fixture_start starts the cluster");
}

// Everything a reader could have changed, on one shard: the databases and
// tables there, and the rows of every MergeTree table (sorted, hashed).
inline std::string ch_shard_checksum(const std::string& admin_uri) {
  auto db = Database::open(admin_uri);
  EXPECT_TRUE(db.ok()) << db.status().to_string();
  if (!db.ok()) return "";
  std::string out;
  auto tables = (*db)->execute(
      "SELECT database, name, engine FROM system.tables WHERE database != 'system' ORDER BY database, name",
      {.timeout_ms = 20000, .max_rows = 0});
  EXPECT_TRUE(tables.ok()) << tables.status().to_string();
  if (!tables.ok()) return "";
  for (const auto& t : tables->rows) {
    out += t[0].to_string() + "." + t[1].to_string() + ":" + t[2].to_string() + "|";
    if (t[2].to_string() != "MergeTree") continue;
    auto rows = (*db)->execute("SELECT * FROM `" + t[0].to_string() + "`.`" + t[1].to_string() + "`",
                               {.timeout_ms = 20000, .max_rows = 0});
    EXPECT_TRUE(rows.ok()) << rows.status().to_string();
    if (!rows.ok()) continue;
    std::vector<std::string> lines;
    for (const auto& row : rows->rows) {
      std::string line;
      for (const auto& v : row) line += (v.is_null() ? "NULL" : v.to_string()) + "\t";
      lines.push_back(std::move(line));
    }
    std::sort(lines.begin(), lines.end());
    std::string all;
    for (const auto& l : lines) all += l + "\n";
    out += std::to_string(lines.size()) + ":" + std::to_string(std::hash<std::string>{}(all)) + "|";
  }
  return out;
}

// Both shards' checksums.
inline std::string ch_cluster_checksum() {
  return ch_shard_checksum(ch_env("T2SQL_TEST_CH_ADMIN_URI")) + "#" +
         ch_shard_checksum(ch_env("T2SQL_TEST_CH_SHARD2_ADMIN_URI"));
}

}  // namespace t2sql::testing
