// t2sql: questions in plain language -> SQL -> rows, on the command line.
#include <iostream>

#include "cli.h"
#include "t2sql/version.h"

int main(int argc, char** argv) {
  CLI::App app{
      "t2sql: ask a database questions in plain language; it writes the SQL, runs it read-only "
      "and shows the rows.\nWith no --db, commands use the demo sales warehouse (created on first use "
      "in the user's data folder)."};
  app.name("t2sql");
  app.require_subcommand(1);
  app.set_version_flag("-V,--version", t2sql::t2sql_version());
  t2sql::cli::add_ask_command(app);
  t2sql::cli::add_prompt_command(app);
  t2sql::cli::add_serve_command(app);
  t2sql::cli::add_eval_command(app);
  t2sql::cli::add_sql_command(app);
  t2sql::cli::add_schema_command(app);
  t2sql::cli::add_demo_command(app);
  t2sql::cli::add_version_command(app);
  t2sql::cli::add_model_command(app);
  t2sql::cli::add_train_commands(app);
  t2sql::cli::add_describe_command(app);
  t2sql::cli::add_index_command(app);
  t2sql::cli::add_retrieve_command(app);
  t2sql::cli::add_mcp_command(app);
  t2sql::cli::add_feedback_command(app);
  // "t2sql frobnicate": say which word is wrong and what the commands are.
  const std::string first = argc >= 2 ? argv[1] : "";
  if (!first.empty() && first[0] != '-' &&
      app.get_subcommands([&](const CLI::App* c) { return c->check_name(first); }).empty()) {
    std::cerr << "error: unknown command '" << argv[1] << "' (commands: " << t2sql::cli::command_names(app)
              << ")\nRun with --help for more information.\n";
    return t2sql::cli::kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // "error: " as every other failure of the command line starts.
    app.failure_message([](const CLI::App* command, const CLI::Error& error) {
      return "error: " + CLI::FailureMessage::simple(command, error);
    });
    app.exit(e);
    return t2sql::cli::kExitUsage;
  } catch (const std::exception& e) {
    return t2sql::cli::fail(std::string("internal error: ") + e.what());
  }
  return t2sql::cli::exit_code();
}
