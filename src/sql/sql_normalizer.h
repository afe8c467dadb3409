// SqlNormalizer: a light structural reading of one SELECT statement, enough to
// compare two queries clause by clause (the "exact-set match" of the
// evaluation harness) and to count their components (Spider hardness).
// It is not a full SQL parser: it splits the token stream at clause keywords,
// commas and AND/OR at parenthesis depth 0, and reads nested SELECTs the same
// way. Text it cannot read falls back to its canonical token string, so two
// statements still compare (less leniently). Plain functions; thread-safe.
//
// Canonical form: words lower-cased, string literals in single quotes, table
// qualifiers and table aliases dropped (T1.name -> name), select-list aliases
// replaced by their expression where ORDER BY / HAVING use them, `<>` as
// `!=`, default ASC dropped; SELECT items, FROM tables, WHERE/ON conditions
// (when joined only by AND), GROUP BY and HAVING are compared as sets; ORDER
// BY and LIMIT as written. Literal values are kept: a query for 2023 does not
// match a query for 2024.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace t2sql {

struct SqlShape {
  bool parsed = false;       // false: `text` only (a statement this reader does not split)
  std::string text;          // canonical token string of the whole statement
  bool distinct = false;
  std::vector<std::string> select;      // canonical items, alias removed
  std::vector<std::string> from;        // table names, or "(<canonical subquery>)"
  std::vector<std::string> join_conditions;  // ON conditions split on AND
  std::vector<std::string> where;       // conditions split on AND/OR
  std::vector<std::string> where_connectors;  // "and" / "or" between them
  std::vector<std::string> group_by;
  std::vector<std::string> having;
  std::vector<std::string> having_connectors;
  std::vector<std::string> order_by;    // "expr" or "expr desc"
  std::string limit;
  std::string set_operator;             // "union", "union all", "intersect", "except"
  std::shared_ptr<SqlShape> set_rhs;
  bool has_with = false;                // a WITH clause (kept as text only)
  // Component counts used by the Spider hardness rules.
  int aggregate_count = 0;              // COUNT/SUM/AVG/MIN/MAX at this level
  int like_count = 0;                   // LIKE conditions in ON/WHERE/HAVING
  int nested_in_conditions = 0;         // ON/WHERE/HAVING conditions holding a subquery
};

SqlShape parse_sql_shape(const std::string& sql);

// One line that is equal for two statements exactly when their shapes match
// under the rules above.
std::string normalize_sql(const std::string& sql);

// normalize_sql(a) == normalize_sql(b).
bool sql_exact_set_match(const std::string& a, const std::string& b);

}  // namespace t2sql
