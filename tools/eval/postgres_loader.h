// Loading SQL dumps into a PostgreSQL server, for evaluation suites whose
// databases ship as dumps (defog sql-eval). This is an administrative path:
// it connects with the given (writable) role, drops and creates a database,
// and feeds the dump to psql. Nothing else in t2sql writes to PostgreSQL.
#pragma once

#include <string>
#include <vector>

#include "t2sql/status.h"

namespace t2sql {

struct PgLoadOptions {
  // defog's <db>.json ({"table_metadata": {table: [{column_name,
  // column_description}]}}): applied as COMMENT ON COLUMN, so that catalog()
  // reports the descriptions. Empty: none.
  std::string descriptions_json;
  std::string psql = "";  // psql binary; empty: from PATH, else PostgreSQL 15's
};

// (Re)creates database `name` ([a-z0-9_]+) on the server of `admin_uri`
// (any database there, usually /postgres) and loads `dump_path` into it with
// psql -v ON_ERROR_STOP=1. Returns the URI of the new database (admin_uri
// with its database replaced). kInvalidArgument for a bad name or a dump that
// fails (psql's first error), kNotFound for a missing file, kUnavailable
// when the server cannot be reached.
Result<std::string> load_postgres_dump(const std::string& admin_uri, const std::string& name,
                                       const std::string& dump_path, const PgLoadOptions& options = {});

// Every defog database under `defog_dir`/postgres/<db>/<db>.sql (with its
// <db>.json descriptions), as database `prefix` + <db>. Returns "<db>=<uri>"
// for each loaded one, in name order.
Result<std::vector<std::pair<std::string, std::string>>> load_defog_postgres(const std::string& admin_uri,
                                                                             const std::string& defog_dir,
                                                                             const std::string& prefix = "defog_");

}  // namespace t2sql
