#include "cli.h"

#include <unistd.h>

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

void add_db_option(CLI::App* command, std::string& uri) {
  command->add_option("--db", uri, "Database: sqlite:///path/to.db or a file path (default: the demo warehouse)"
                                   "; clickhouse://user:password@host:port/database (ClickHouse's HTTP port)");
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

bool stdout_is_terminal() {
  return isatty(STDOUT_FILENO) == 1;
}

}  // namespace t2sql::cli
