#include "cli.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <iostream>

#include "t2sql/demo.h"

namespace t2sql::cli {

namespace {
int g_exit_code = kExitUsage;  // stays so when no command ran
bool g_allow_privileged_role = false;  // set by --allow-privileged-role of the command that runs
}

// The command's boundary: whatever a library or a file makes it throw becomes
// one error line and exit 1, never an abort.
void set_action(CLI::App* command, Action action) {
  command->callback([action = std::move(action)] {
    try {
      g_exit_code = action();
    } catch (const std::exception& e) {
      g_exit_code = fail(std::string("internal error: ") + e.what());
    } catch (...) {
      g_exit_code = fail("internal error (an unknown exception)");
    }
  });
}

int exit_code() {
  return g_exit_code;
}

int fail(const Status& status) {
  return fail(status.message());
}

int fail(const std::string& message) {
  std::cerr << "error: " << message << "\n";
  return kExitFailure;
}

Result<std::unique_ptr<Database>> open_database(const std::string& uri) {
  if (!uri.empty()) return Database::open(uri, {.allow_privileged_role = g_allow_privileged_role});
  auto path = ensure_demo_warehouse();
  if (!path.ok()) return path.status();
  return Database::open(*path);
}

// Every form Database::open() reads, one per line.
constexpr const char* kDbHelp =
    "Database (default: the demo warehouse), one of:\n"
    "  path/to/file.db            an SQLite file (a .duckdb or .ddb file, or a DuckDB file by its header: DuckDB)\n"
    "  sqlite:///abs/path.db      SQLite (also sqlite://rel/path.db, sqlite3://, file://)\n"
    "  duckdb:///abs/path.duckdb  DuckDB (also duckdb://rel/path.duckdb, duckdb://:memory:)\n"
    "  postgresql://user:password@host:port/dbname  PostgreSQL (also postgres://; libpq's ?sslmode=... and "
    "other parameters)";

void add_db_option(CLI::App* command, std::string& uri) {
  command->add_option("--db", uri, kDbHelp);
  add_privileged_role_flag(command);
}

void add_privileged_role_flag(CLI::App* command) {
  command->add_flag("--allow-privileged-role", g_allow_privileged_role,
                    "PostgreSQL: use a role that could write or read files (a superuser, an owner, a role with "
                    "INSERT/UPDATE/DELETE, dblink, lo_import/lo_export or pg_read*), which t2sql refuses otherwise");
}

bool allow_privileged_role() {
  return g_allow_privileged_role;
}

CLI::Validator at_least(int64_t minimum) {
  return CLI::Validator(
      [minimum](std::string& text) -> std::string {
        errno = 0;
        char* end = nullptr;
        long long v = std::strtoll(text.c_str(), &end, 10);
        if (text.empty() || *end != '\0' || errno == ERANGE) return "'" + text + "' is not a whole number";
        if (v < minimum) return "must be " + std::to_string(minimum) + " or more, not " + text;
        return "";
      },
      ">=" + std::to_string(minimum), "at_least");
}

CLI::Validator non_negative() {
  return at_least(0);
}

CLI::Validator status_check(std::function<Status(const std::string&)> check, const std::string& name) {
  return CLI::Validator(
      [check = std::move(check)](std::string& text) -> std::string {
        Status s = check(text);
        return s.ok() ? "" : s.message();
      },
      "", name);
}

void add_example(CLI::App* command, const std::string& example) {
  command->footer("\nExample:\n" + example);
}

std::string command_names(const CLI::App& app) {
  std::string out;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    out += (out.empty() ? "" : ", ") + sub->get_name();
  return out;
}

bool stdout_is_terminal() {
  return isatty(STDOUT_FILENO) == 1;
}

}  // namespace t2sql::cli
