// For tests only: a scratch SQLite database made from a SQL script, for a
// test that needs a small file of its own (the template engine's schema tests
// make theirs through scratch_schema_test.h).
//
//   ASSERT_EQ(testing::write_sqlite(dir / "club.db", kClubSql), "");
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <string>

namespace t2sql::testing {

// Creates (or adds to) the SQLite file at `path` and runs `script` on it:
// "" when every statement ran, else SQLite's message.
inline std::string write_sqlite(const std::filesystem::path& path, const char* script) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return "cannot open " + path.string() + ": " + message;
  }
  char* err = nullptr;
  int rc = sqlite3_exec(db, script, nullptr, nullptr, &err);
  std::string message = rc == SQLITE_OK ? "" : (err ? err : "error " + std::to_string(rc));
  sqlite3_free(err);
  sqlite3_close(db);
  return message;
}

}  // namespace t2sql::testing
