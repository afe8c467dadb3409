#include "db/clickhouse_database.h"

#include <gtest/gtest.h>

#include "t2sql/database.h"

namespace t2sql {
namespace {

TEST(ClickhouseUri, Parts) {
  auto full = parse_clickhouse_uri("clickhouse://reader:p%40ss%2Fw@db.example:8124/sales_dw");
  ASSERT_TRUE(full.ok()) << full.status().to_string();
  EXPECT_EQ(full->user, "reader");
  EXPECT_EQ(full->password, "p@ss/w");
  EXPECT_EQ(full->host, "db.example");
  EXPECT_EQ(full->port, 8124);
  EXPECT_EQ(full->database, "sales_dw");
  // A password holding an unencoded '@' or '/': the userinfo ends at the last '@'.
  auto raw = parse_clickhouse_uri("clickhouse://u:a/b@c@h:1/db");
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->password, "a/b@c");
  EXPECT_EQ(raw->host, "h");
  auto bare = parse_clickhouse_uri("clickhouse://");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->user, "default");
  EXPECT_EQ(bare->host, "127.0.0.1");
  EXPECT_EQ(bare->port, 8123);
  EXPECT_EQ(bare->database, "default");
}

TEST(ClickhouseUri, BadPartsAreClearErrors) {
  EXPECT_EQ(parse_clickhouse_uri("clickhouse://h:99999/db").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse_clickhouse_uri("clickhouse://h:x/db").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse_clickhouse_uri("clickhouse://u:%zz@h/db").status().code(), StatusCode::kInvalidArgument);
  auto opened = Database::open("clickhouse://u:secret@h:70000/db");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(opened.status().message().find("secret"), std::string::npos) << opened.status().message();
}

TEST(ClickhouseUri, UnreachableServerIsUnavailable) {
  auto opened = Database::open("clickhouse://u:secret@127.0.0.1:1/db");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kUnavailable) << opened.status().to_string();
  EXPECT_EQ(opened.status().message().find("secret"), std::string::npos) << opened.status().message();
}

}  // namespace
}  // namespace t2sql
