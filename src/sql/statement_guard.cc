#include "sql/statement_guard.h"

#include <array>
#include <cctype>
#include <string_view>
#include <vector>

#include "sql/sql_lexer.h"

namespace t2sql {

namespace {

// Words that only a writing or session-changing statement contains.
constexpr std::array<std::string_view, 20> kWriteWords = {
    "INSERT",  "UPDATE",   "DELETE", "DROP",   "CREATE", "ALTER", "ATTACH", "DETACH", "VACUUM", "PRAGMA",
    "REINDEX", "TRUNCATE", "GRANT",  "REVOKE", "COPY",   "MERGE", "CALL",   "INTO",   "UPSERT", "ANALYZE"};

// Functions that read or write files, touch large objects, change settings
// or sequences, signal other sessions, take locks or run SQL given as text:
// all read-only in syntax, none read-only in effect. Engines enforce most of
// this too (read-only transactions, no external access); the names here give
// one clear refusal on every engine.
constexpr std::string_view kDeniedFunctions[] = {
    "pg_read_file", "pg_read_binary_file", "pg_stat_file", "pg_terminate_backend", "pg_cancel_backend",
    "pg_reload_conf", "pg_rotate_logfile", "pg_promote", "pg_switch_wal", "pg_create_restore_point", "pg_notify",
    "pg_export_snapshot", "pg_import_system_collations", "set_config", "nextval", "setval", "loread", "lowrite",
    "query_to_xml", "query_to_xmlschema", "query_to_xml_and_xmlschema", "cursor_to_xml", "pg_backup_start",
    "pg_backup_stop", "pg_start_backup", "pg_stop_backup",
    // DuckDB and SQLite: files and extensions.
    "read_csv", "read_csv_auto", "read_parquet", "parquet_scan", "read_json", "read_json_auto", "read_text",
    "read_blob", "glob", "load_extension", "readfile", "writefile", "sqlite_scan", "postgres_scan"};
constexpr std::string_view kDeniedFunctionPrefixes[] = {
    "lo_",        "pg_ls_",   "pg_file_",        "dblink",    "pg_advisory", "pg_try_advisory",
    "pg_create_", "pg_drop_", "pg_replication_", "pg_logdir_"};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The function name a token calls, or "" when it is not a call: a word or a
// quoted name followed by "(".
std::string called_function(const std::vector<SqlToken>& tokens, size_t i, size_t end) {
  if (i + 1 >= end || !tokens[i + 1].is_punct('(')) return "";
  const SqlToken& t = tokens[i];
  if (t.kind == SqlTokenKind::kWord) return lower(t.text);
  if (t.kind == SqlTokenKind::kQuotedName && t.text.size() >= 2) return t.text.substr(1, t.text.size() - 2);
  return "";
}

bool denied_function(const std::string& name) {
  for (std::string_view f : kDeniedFunctions) {
    if (name == f) return true;
  }
  for (std::string_view p : kDeniedFunctionPrefixes) {
    if (name.compare(0, p.size(), p) == 0) return true;
  }
  return false;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Status check_read_only_statement(const std::string& sql) {
  SqlLexResult lexed = lex_sql(sql);
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
  }
  for (size_t i = 0; i < end; ++i) {
    std::string fn = called_function(tokens, i, end);
    if (!fn.empty() && denied_function(fn)) {
      return permission_denied("refusing to call " + fn +
                               "(): t2sql does not run file, large-object, setting or side-effect functions");
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
  return permission_denied("refusing to run a statement that starts with " + upper(first.text) +
                           ": t2sql only runs read-only queries (SELECT)");
}

}  // namespace t2sql
