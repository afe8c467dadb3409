// For *_pg_test.cc only: what tests/postgres/pg_fixture.sh started (server
// URIs, demo files of every engine), read from the env file it writes.
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <map>
#include <string>

#include "testing/fixture_env.h"

namespace t2sql::testing {

inline const std::map<std::string, std::string>& pg_env() {
  static const std::map<std::string, std::string> env = read_fixture_env(T2SQL_PG_ENV);
  return env;
}

// The value, or "" with a test failure that says to run the fixture.
inline std::string pg_env(const std::string& key) {
  return fixture_env_value(pg_env(), key, T2SQL_PG_ENV, "postgres_fixture_start starts the server");
}

// An administrator's view of everything the reader could have changed: the
// rows of every table, the sequence, large objects, the set of relations and
// functions, advisory locks held.
inline std::string pg_data_checksum() {
  PGconn* conn = PQconnectdb(pg_env("T2SQL_TEST_PG_ADMIN_URI").c_str());
  EXPECT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
  std::string sql =
      "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace";
  std::string out;
  auto query = [&](const std::string& q) {
    PGresult* res = PQexec(conn, q.c_str());
    EXPECT_EQ(PQresultStatus(res), PGRES_TUPLES_OK) << PQresultErrorMessage(res);
    for (int r = 0; r < PQntuples(res); ++r) {
      for (int c = 0; c < PQnfields(res); ++c) out += std::string(PQgetvalue(res, r, c)) + "|";
    }
    PQclear(res);
  };
  query(sql);
  for (const char* table : {"stores", "brands", "products", "sales", "active_store"}) {
    query(std::string("SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM ") + table + " t");
  }
  query("SELECT last_value, is_called FROM order_numbers");
  query("SELECT count(*) FROM pg_largeobject_metadata");
  query("SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace");
  query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'");
  PQfinish(conn);
  return out;
}

}  // namespace t2sql::testing
