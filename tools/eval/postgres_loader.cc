#include "tools/eval/postgres_loader.h"
#include "sql/sql_quote.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "db/postgres_database.h"

extern char** environ;

namespace t2sql {

namespace {

namespace fs = std::filesystem;
using ConnPtr = std::unique_ptr<PGconn, void (*)(PGconn*)>;

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

Result<ConnPtr> connect_admin(const std::string& uri) {
  ConnPtr conn(PQconnectdb(uri.c_str()), PQfinish);
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    return unavailable("cannot connect to PostgreSQL at '" + redact_password(uri) +
                       "': " + redact_uri_in(trim(conn ? PQerrorMessage(conn.get()) : "out of memory"), uri));
  }
  // "database ... does not exist, skipping" and the like are not for the user.
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  return conn;
}

Status exec(PGconn* conn, const std::string& sql) {
  std::unique_ptr<PGresult, void (*)(PGresult*)> res(PQexec(conn, sql.c_str()), PQclear);
  if (PQresultStatus(res.get()) == PGRES_COMMAND_OK || PQresultStatus(res.get()) == PGRES_TUPLES_OK) return Status();
  std::string message = trim(PQresultErrorMessage(res.get()));
  // 42703 undefined_column, 42P01 undefined_table.
  const char* state = PQresultErrorField(res.get(), PG_DIAG_SQLSTATE);
  if (state && (std::string(state) == "42703" || std::string(state) == "42P01")) return not_found(message);
  return invalid_argument(message);
}

std::string find_psql(const std::string& given) {
  if (!given.empty()) return given;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      if (!dir.empty() && access((dir + "/psql").c_str(), X_OK) == 0) return dir + "/psql";
    }
  }
  return std::string(T2SQL_PG_BIN_DIR) + "/psql";
}

// Runs psql on the dump; returns its first error line when it fails.
Status run_psql(const std::string& psql, const std::string& uri, const std::string& dump) {
  std::string err_path = (fs::temp_directory_path() / ("t2sql-psql-" + std::to_string(getpid()) + ".err")).string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> args = {psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", uri, "-f", dump};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, psql.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return not_found("cannot run psql at '" + psql + "': " + std::strerror(rc));
  int status = 0;
  waitpid(pid, &status, 0);
  std::ifstream in(err_path);
  std::string first_error, line;
  while (std::getline(in, line)) {
    if (first_error.empty() && line.find("ERROR") != std::string::npos) first_error = line;
  }
  std::error_code ec;
  fs::remove(err_path, ec);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status();
  return invalid_argument("loading '" + dump +
                          "' failed: " + (first_error.empty() ? "psql exited with an error" : first_error));
}

Status apply_descriptions(PGconn* conn, const std::string& json_path) {
  std::ifstream in(json_path);
  if (!in) return not_found("cannot read descriptions '" + json_path + "'");
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.contains("table_metadata")) {
    return invalid_argument("'" + json_path + "' has no table_metadata");
  }
  for (const auto& [table, columns] : doc["table_metadata"].items()) {
    for (const auto& column : columns) {
      std::string name = column.value("column_name", "");
      std::string text = column.value("column_description", "");
      if (name.empty() || text.empty()) continue;
      // Descriptions may name columns (or tables) the dump lacks; those are
      // skipped. Any other failure (a lost connection) ends the load.
      Status s = exec(conn, "COMMENT ON COLUMN " + table + "." + name + " IS " + sql_quoted_literal(text));
      if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
    }
  }
  return Status();
}

}  // namespace

Result<std::string> load_postgres_dump(const std::string& admin_uri, const std::string& name,
                                       const std::string& dump_path, const PgLoadOptions& options) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      })) {
    return invalid_argument("database name '" + name + "' must be lower-case letters, digits and underscores");
  }
  std::error_code ec;
  if (!fs::is_regular_file(dump_path, ec)) return not_found("dump file '" + dump_path + "' does not exist");
  auto admin = connect_admin(admin_uri);
  if (!admin.ok()) return admin.status();
  if (Status s = exec(admin->get(), "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); !s.ok()) return s;
  if (Status s = exec(admin->get(), "CREATE DATABASE " + name); !s.ok()) return s;
  std::string uri = with_database(admin_uri, name);
  if (Status s = run_psql(find_psql(options.psql), uri, dump_path); !s.ok()) return s;
  if (!options.descriptions_json.empty()) {
    auto conn = connect_admin(uri);
    if (!conn.ok()) return conn.status();
    if (Status s = apply_descriptions(conn->get(), options.descriptions_json); !s.ok()) return s;
  }
  return uri;
}

Result<std::vector<std::pair<std::string, std::string>>> load_defog_postgres(const std::string& admin_uri,
                                                                             const std::string& defog_dir,
                                                                             const std::string& prefix) {
  fs::path root = fs::path(defog_dir) / "postgres";
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return not_found("'" + root.string() + "' is not a folder of defog dumps");
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (entry.is_directory() && fs::exists(entry.path() / (entry.path().filename().string() + ".sql"))) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  std::vector<std::pair<std::string, std::string>> loaded;
  for (const auto& db : names) {
    PgLoadOptions options;
    fs::path json = root / db / (db + ".json");
    if (fs::exists(json, ec)) options.descriptions_json = json.string();
    auto uri = load_postgres_dump(admin_uri, prefix + db, (root / db / (db + ".sql")).string(), options);
    if (!uri.ok()) return uri.status();
    loaded.emplace_back(db, *uri);
  }
  return loaded;
}

}  // namespace t2sql
