// Shared pieces of the t2sql command line: each command lives in its own
// cmd_*.cc and registers itself on the CLI11 app through add_*_command().
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>

#include "t2sql/database.h"
#include "t2sql/status.h"

namespace t2sql::cli {

// Exit codes: 0 success, 1 the work failed (bad database, refused SQL,
// timeout, abstention), 2 the command line itself is wrong.
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Runs once the command line has parsed; the int becomes the exit code.
using Action = std::function<int()>;
void set_action(CLI::App* command, Action action);
int exit_code();

// Prints "error: <message>" on stderr and returns kExitFailure.
int fail(const Status& status);
int fail(const std::string& message);

// Opens --db, or the demo warehouse (created on first use) when it is empty.
Result<std::unique_ptr<Database>> open_database(const std::string& uri);

// Adds the standard --db option (and --allow-privileged-role) to a command.
void add_db_option(CLI::App* command, std::string& uri);
// --allow-privileged-role alone, and what the command line said.
void add_privileged_role_flag(CLI::App* command);
bool allow_privileged_role();

bool stdout_is_terminal();

// Checks of option values: a wrong value is a wrong command line, so CLI11
// reports it as "--name: ..." and the program exits 2 (kExitUsage).
CLI::Validator non_negative();            // an integer, 0 or more
CLI::Validator at_least(int64_t minimum);  // an integer, `minimum` or more
// From a parse function: the Status's message becomes the error.
CLI::Validator status_check(std::function<Status(const std::string&)> check, const std::string& name);

// "Example:" lines under a command's help ("t2sql ask --help").
void add_example(CLI::App* command, const std::string& example);

// The command names of `app`, for "unknown command 'x' (commands: ...)".
std::string command_names(const CLI::App& app);

void add_demo_command(CLI::App& app);
void add_schema_command(CLI::App& app);
void add_sql_command(CLI::App& app);
void add_ask_command(CLI::App& app);
void add_prompt_command(CLI::App& app);
// --prompt-style and --sample-values of the LLM options (ask, eval, serve),
// into `style` and `sample_values` (GeneratorOptions' fields).
void add_prompt_style_options(CLI::App* command, std::string& style, int& sample_values);
void add_serve_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_version_command(CLI::App& app);
void add_model_command(CLI::App& app);
void add_train_commands(CLI::App& app);
// `t2sql eval --retrieval-only`: retrieval measured alone (cmd_retrieval.cc).
struct RetrievalEvalCliOptions {
  std::string spider_dir, catalog = "db", top_columns = "10,20,40,80,160,320", embedder = "hash", json_path;
  int limit = 0, token_budget = 0;
  bool quiet = false;
};
int run_retrieval_eval(const RetrievalEvalCliOptions& options);

void add_describe_command(CLI::App& app);
void add_index_command(CLI::App& app);
void add_retrieve_command(CLI::App& app);

}  // namespace t2sql::cli
