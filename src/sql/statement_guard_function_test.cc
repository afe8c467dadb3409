// The statement guard's refusal of file, large-object, setting and
// side-effect functions (the writing keywords are tested with the engines).
#include <gtest/gtest.h>

#include "sql/statement_guard.h"

namespace t2sql {
namespace {

TEST(StatementGuardFunctions, RefusesDangerousCallsInAnySpelling) {
  for (const char* sql : {
           "SELECT pg_read_file('/etc/passwd')",
           "select PG_READ_FILE('/etc/passwd')",
           "SELECT pg_catalog.pg_read_file('x')",
           "SELECT \"pg_read_file\"('x')",
           "SELECT pg_ls_dir('.')",
           "SELECT pg_ls_waldir()",
           "SELECT lo_import('/etc/passwd')",
           "SELECT lo_unlink(1)",
           "SELECT pg_terminate_backend(1)",
           "SELECT pg_cancel_backend (1)",
           "SELECT set_config('a', 'b', false)",
           "SELECT nextval('s')",
           "SELECT setval('s', 1)",
           "SELECT * FROM dblink('x', 'y') AS t(a int)",
           "SELECT dblink_exec('x', 'DROP TABLE t')",
           "SELECT * FROM read_csv('/etc/passwd')",
           "SELECT load_extension('x')",
           "WITH a AS (SELECT query_to_xml('SELECT 1', true, true, '')) SELECT * FROM a",
       }) {
    Status s = check_read_only_statement(sql);
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << sql;
    EXPECT_NE(s.message().find("refusing to call"), std::string::npos) << s.message();
  }
}

TEST(StatementGuardFunctions, AllowsOrdinaryFunctionsAndLookalikeNames) {
  for (const char* sql : {
           "SELECT pg_sleep(0.1)",
           "SELECT count(*), lower(name), coalesce(x, 0) FROM t",
           "SELECT nextval FROM t",            // a column, not a call
           "SELECT 'pg_read_file(1)' AS s",    // a string
           "SELECT lo FROM t WHERE lo_x > 1",  // names, not calls
           "SELECT currval_note FROM t",
       }) {
    Status s = check_read_only_statement(sql);
    EXPECT_TRUE(s.ok()) << sql << " -> " << s.to_string();
  }
}

}  // namespace
}  // namespace t2sql
