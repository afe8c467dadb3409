// The parts of PostgresDatabase that need no server (the rest is in
// postgres_database_pg_test.cc, against the fixture's server).
#include "db/postgres_database.h"

#include <gtest/gtest.h>

#include "t2sql/database.h"

namespace t2sql {
namespace {

TEST(PostgresUri, RedactsPasswords) {
  EXPECT_EQ(redact_password("postgresql://ann:secret@db:5432/shop"), "postgresql://ann:***@db:5432/shop");
  EXPECT_EQ(redact_password("postgres://ann@db/shop"), "postgres://ann@db/shop");
  EXPECT_EQ(redact_password("postgresql://db/shop?x=a@b"), "postgresql://db/shop?x=a@b");
}

TEST(PostgresUri, ReplacesTheDatabase) {
  EXPECT_EQ(with_database("postgresql://a:b@h:5432/postgres", "x"), "postgresql://a:b@h:5432/x");
  EXPECT_EQ(with_database("postgresql://h:5432/postgres?sslmode=disable", "x"),
            "postgresql://h:5432/x?sslmode=disable");
  EXPECT_EQ(with_database("postgresql://h", "x"), "postgresql://h/x");
  EXPECT_EQ(with_database("postgresql://h?connect_timeout=2", "x"), "postgresql://h/x?connect_timeout=2");
}

TEST(PostgresUri, BadUrisFailClearlyWithoutAServer) {
  auto bad = Database::open("postgresql://u:p@[::1");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument) << bad.status().to_string();
  EXPECT_EQ(bad.status().message().find('\n'), std::string::npos);
  EXPECT_EQ(bad.status().message().find(":p@"), std::string::npos) << "no password in: " << bad.status().message();
  auto closed = Database::open("postgresql://u:secret@127.0.0.1:1/db");
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(closed.status().message().find("secret"), std::string::npos);
}

}  // namespace
}  // namespace t2sql
