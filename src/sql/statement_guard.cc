#include "sql/statement_guard.h"

#include <array>
#include <cctype>
#include <string_view>
#include <vector>

#include "sql/function_allow_list.h"
#include "sql/sql_lexer.h"

namespace t2sql {

namespace {

// Words that only a writing or session-changing statement contains.
constexpr std::array<std::string_view, 20> kWriteWords = {
    "INSERT",  "UPDATE",   "DELETE", "DROP",   "CREATE", "ALTER", "ATTACH", "DETACH", "VACUUM", "PRAGMA",
    "REINDEX", "TRUNCATE", "GRANT",  "REVOKE", "COPY",   "MERGE", "CALL",   "INTO",   "UPSERT", "ANALYZE"};

// ClickHouse's own statements and clauses that change what a query does
// beyond reading: OPTIMIZE, RENAME, KILL and SET statements, a SETTINGS
// clause (readonly=1 refuses it too), FORMAT (t2sql reads the rows in the
// format it asked for) and INTO OUTFILE (INTO is refused everywhere). SYSTEM
// is not among them: it names the system database too.
constexpr std::array<std::string_view, 8> kClickhouseWriteWords = {
    "OPTIMIZE", "RENAME", "KILL", "SET", "SETTINGS", "FORMAT", "EXCHANGE", "OUTFILE"};

// Keywords that a parenthesis may follow without a function being called
// (IN (...), OVER (...), AS (...), ROW (...), ...). Each is reserved or
// parsed as syntax before a parenthesis on the engines.
constexpr std::string_view kSyntaxBeforeParen[] = {
    "AND",     "OR",      "NOT",     "IN",        "EXISTS",       "ANY",       "ALL",      "SOME",  "SELECT",
    "FROM",    "WHERE",   "HAVING",  "ON",        "USING",        "JOIN",      "LATERAL",  "AS",    "GROUP",
    "BY",      "WINDOW",  "VALUES",  "ROW",       "ARRAY",        "THEN",      "ELSE",     "WHEN",  "CASE",
    "BETWEEN", "TO",      "IS",      "DISTINCT",  "UNION",        "INTERSECT", "EXCEPT",   "LIMIT", "OFFSET",
    "ROLLUP",  "CUBE",    "SETS",    "RECURSIVE", "MATERIALIZED", "ESCAPE",    "INTERVAL", "ONLY",  "REPEATABLE",
    "FOR",     "QUALIFY", "EXCLUDE", "ZONE",      "VARYING"};
// Pattern operators that are also (harmless) functions on the engine they belong to.
constexpr std::string_view kSqlitePatternWords[] = {"LIKE", "GLOB", "REGEXP", "MATCH"};
constexpr std::string_view kPostgresPatternWords[] = {"LIKE", "ILIKE", "SIMILAR"};
// ClickHouse's clauses a parenthesis may follow (PREWHERE (...), GLOBAL IN (...), SAMPLE (...)).
constexpr std::string_view kClickhouseSyntaxWords[] = {"LIKE", "PREWHERE", "GLOBAL", "SAMPLE", "FINAL"};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool is_name(const SqlToken& t) {
  return t.kind == SqlTokenKind::kWord || t.kind == SqlTokenKind::kQuotedName;
}

// The name a word or quoted name stands for, as the engine resolves function
// names: unquoted words fold to lowercase; quoted names are exact on
// PostgreSQL and case-insensitive on SQLite and DuckDB. ClickHouse resolves
// most names exactly and a few (count, sum, lower...) in any case; its list
// holds lowercase forms, so both kinds of name are compared lowercased (no two
// ClickHouse functions differ by case alone).
std::string resolved_name(const SqlToken& t, Dialect::Engine engine) {
  if (t.kind == SqlTokenKind::kWord) return lower(t.text);
  return engine == Dialect::Engine::kPostgres ? t.value : lower(t.value);
}

bool syntax_word(const std::vector<SqlToken>& tokens, size_t i, Dialect::Engine engine) {
  const SqlToken& t = tokens[i];
  if (t.kind != SqlTokenKind::kWord) return false;
  for (std::string_view w : kSyntaxBeforeParen) {
    if (t.is_word(w)) return true;
  }
  // f(x) OVER (...), f(x) FILTER (...): only after a call's closing parenthesis.
  if ((t.is_word("OVER") || t.is_word("FILTER")) && i > 0 && tokens[i - 1].is_punct(')')) return true;
  if (engine == Dialect::Engine::kSqlite) {
    for (std::string_view w : kSqlitePatternWords) {
      if (t.is_word(w)) return true;
    }
  } else if (engine == Dialect::Engine::kClickHouse) {
    for (std::string_view w : kClickhouseSyntaxWords) {
      if (t.is_word(w)) return true;
    }
  } else {
    for (std::string_view w : kPostgresPatternWords) {
      if (t.is_word(w)) return true;
    }
  }
  return false;
}

size_t matching_paren(const std::vector<SqlToken>& tokens, size_t open, size_t end) {
  int depth = 0;
  for (size_t k = open; k < end; ++k) {
    if (tokens[k].is_punct('(')) ++depth;
    if (tokens[k].is_punct(')') && --depth == 0) return k;
  }
  return std::string_view::npos;
}

// "name (a, b) AS [NOT] [MATERIALIZED] (SELECT ..." after WITH, RECURSIVE or a
// comma: a common table expression's column list, not a call. A FROM item's
// column definition list ("f(x) AS (a int)") cannot hold a query.
bool cte_definition(const std::vector<SqlToken>& tokens, size_t name, size_t end) {
  if (name == 0) return false;
  const SqlToken& before = tokens[name - 1];
  if (!before.is_word("WITH") && !before.is_word("RECURSIVE") && !before.is_punct(',')) return false;
  size_t close = matching_paren(tokens, name + 1, end);
  if (close == std::string_view::npos) return false;
  for (size_t k = name + 2; k < close; ++k) {
    if (!is_name(tokens[k]) && !tokens[k].is_punct(',')) return false;
  }
  size_t k = close + 1;
  if (k >= end || !tokens[k].is_word("AS")) return false;
  ++k;
  if (k < end && tokens[k].is_word("NOT")) ++k;
  if (k < end && tokens[k].is_word("MATERIALIZED")) ++k;
  if (k + 1 >= end || !tokens[k].is_punct('(')) return false;
  const SqlToken& first = tokens[k + 1];
  return first.is_word("SELECT") || first.is_word("WITH") || first.is_word("VALUES") || first.is_punct('(');
}

std::string engine_title(Dialect::Engine engine) {
  switch (engine) {
    case Dialect::Engine::kDuckDb: return "DuckDB";
    case Dialect::Engine::kPostgres: return "PostgreSQL";
    case Dialect::Engine::kClickHouse: return "ClickHouse";
    default: return "SQLite";
  }
}

// The refusal for the call at tokens[i] (a name followed by "("), or OK.
Status check_call(const std::vector<SqlToken>& tokens, size_t i, size_t end, Dialect::Engine engine) {
  const SqlToken& t = tokens[i];
  if (syntax_word(tokens, i, engine)) return Status();
  if (i > 0 && (tokens[i - 1].is_word("AS") || tokens[i - 1].text == "::")) {
    return Status();  // a type with a modifier (numeric(10, 2)) or an alias's column list
  }
  if (cte_definition(tokens, i, end)) return Status();
  if (t.kind == SqlTokenKind::kQuotedName && !t.value_ok) {
    return permission_denied("refusing to call " + t.text + "(): its name has a malformed escape");
  }
  std::string name = resolved_name(t, engine);
  if (i > 0 && tokens[i - 1].is_punct('.')) {
    // schema.function( or value.method(: only PostgreSQL's own catalog.
    bool pg_catalog = engine == Dialect::Engine::kPostgres && i >= 2 && is_name(tokens[i - 2]) &&
                      resolved_name(tokens[i - 2], engine) == "pg_catalog" && (i < 3 || !tokens[i - 3].is_punct('.'));
    if (!pg_catalog) {
      std::string qualifier = i >= 2 ? tokens[i - 2].text : "";
      return permission_denied("refusing to call " + qualifier + "." + t.text +
                               "(): t2sql calls only the engine's built-in functions, unqualified" +
                               (engine == Dialect::Engine::kPostgres ? " or in pg_catalog" : ""));
    }
  }
  if (is_allowed_function(name, engine)) return Status();
  return permission_denied("refusing to call " + name + "(): not one of the built-in functions t2sql allows on " +
                           engine_title(engine) +
                           " (no file, large-object, setting, lock, sleep, session or user-defined functions)");
}

// Every word that begins a statement on SQLite, DuckDB or PostgreSQL. A
// statement that begins with any other word is a typo ("selec"), which no
// engine parses: a syntax error, not a refusal.
constexpr std::string_view kStatementWords[] = {
    "ABORT",   "ALTER",    "ANALYSE",  "ANALYZE",    "ATTACH",  "BEGIN",    "CALL",     "CHECKPOINT", "CLOSE",
    "CLUSTER", "COMMENT",  "COMMIT",   "COPY",       "CREATE",  "DEALLOCATE", "DECLARE", "DELETE",    "DESC",
    "DESCRIBE", "DETACH",  "DISCARD",  "DO",         "DROP",    "END",      "EXECUTE",  "EXPLAIN",    "EXPORT",
    "FETCH",   "FORCE",    "FROM",     "GRANT",      "IMPORT",  "INSERT",   "INSTALL",  "LISTEN",     "LOAD",
    "LOCK",    "MERGE",    "MOVE",     "NOTIFY",     "PIVOT",   "PRAGMA",   "PREPARE",  "REASSIGN",   "REFRESH",
    "REINDEX", "RELEASE",  "REPLACE",  "RESET",      "REVOKE",  "ROLLBACK", "SAVEPOINT", "SECURITY",  "SELECT",
    "SET",     "SHOW",     "START",    "SUMMARIZE",  "TABLE",   "TRUNCATE", "UNLISTEN", "UNPIVOT",    "UPDATE",
    "UPSERT",  "USE",      "VACUUM",   "VALUES",     "WITH",    "UNINSTALL",
    // ClickHouse's own statements
    "CHECK",   "EXCHANGE", "EXISTS",   "KILL",       "OPTIMIZE", "RENAME",  "SYSTEM",   "UNDROP",    "WATCH"};

}  // namespace

bool starts_with_unknown_word(const std::string& sql, Dialect::Engine engine) {
  SqlLexResult lexed = lex_sql(sql, engine);
  if (!lexed.error.empty() || lexed.tokens.empty()) return false;
  const SqlToken& first = lexed.tokens[0];
  if (first.kind != SqlTokenKind::kWord) return first.kind == SqlTokenKind::kQuotedName ||
                                                first.kind == SqlTokenKind::kString ||
                                                first.kind == SqlTokenKind::kNumber;
  for (std::string_view w : kStatementWords)
    if (first.is_word(w)) return false;
  return true;
}

Status check_read_only_statement(const std::string& sql, Dialect::Engine engine) {
  if (sql.find('\0') != std::string::npos) return invalid_argument("the SQL holds a NUL byte");
  SqlLexResult lexed = lex_sql(sql, engine);
  if (!lexed.error.empty()) return invalid_argument("cannot read the SQL: " + lexed.error);
  const auto& tokens = lexed.tokens;
  size_t end = tokens.size();
  while (end > 0 && tokens[end - 1].is_punct(';')) --end;
  if (end == 0) return invalid_argument("the SQL is empty");
  for (size_t i = 0; i < end; ++i) {
    if (tokens[i].is_punct(';')) return invalid_argument("several statements in one string; give exactly one");
  }
  for (size_t i = 0; i < end; ++i) {
    for (std::string_view w : kWriteWords) {
      if (tokens[i].is_word(w)) {
        return permission_denied("refusing to run " + upper(tokens[i].text) +
                                 ": t2sql only runs read-only queries (SELECT)");
      }
    }
    if (engine == Dialect::Engine::kClickHouse) {
      // After a dot the word is a name (system.settings, system.formats).
      bool name = i > 0 && tokens[i - 1].is_punct('.');
      for (std::string_view w : kClickhouseWriteWords) {
        if (!name && tokens[i].is_word(w)) {
          return permission_denied("refusing to run " + upper(tokens[i].text) +
                                   ": t2sql only runs read-only queries (SELECT) with its own settings and format");
        }
      }
    }
    if (tokens[i].is_word("FOR") && i + 1 < end &&
        (tokens[i + 1].is_word("SHARE") || tokens[i + 1].is_word("KEY") || tokens[i + 1].is_word("NO"))) {
      return permission_denied("refusing to run FOR " + upper(tokens[i + 1].text) +
                               ": t2sql takes no row locks (read-only queries only)");
    }
  }
  for (size_t i = 0; i + 1 < end; ++i) {
    if (is_name(tokens[i]) && tokens[i + 1].is_punct('(')) {
      if (Status s = check_call(tokens, i, end, engine); !s.ok()) return s;
    }
  }
  const SqlToken& first = tokens[0];
  if (first.is_punct('(')) {
    // "(SELECT ...) UNION (SELECT ...)" starts with a parenthesis.
    for (size_t i = 1; i < end && !tokens[i].is_punct('('); ++i) {
      if (tokens[i].is_word("SELECT") || tokens[i].is_word("WITH")) return Status();
    }
  }
  if (first.is_word("SELECT") || first.is_word("WITH") || first.is_word("VALUES")) return Status();
  if (starts_with_unknown_word(sql, engine))
    return invalid_argument("syntax error at or near \"" + first.text + "\" (a query starts with SELECT or WITH)");
  return permission_denied("refusing to run a statement that starts with " + upper(first.text) +
                           ": t2sql only runs read-only queries (SELECT)");
}

}  // namespace t2sql
