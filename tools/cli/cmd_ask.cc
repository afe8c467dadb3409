#include <iostream>

#include "cli.h"

namespace t2sql::cli {

void add_ask_command(CLI::App& app) {
  struct Options {
    std::string question, db;
  };
  auto opt = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("ask", "Answer a question in plain language (writes SQL, runs it, prints rows)");
  cmd->add_option("QUESTION", opt->question, "The question")->required();
  add_db_option(cmd, opt->db);
  set_action(cmd, [opt] {
    return fail("no generation engine is built into this version yet; use `t2sql sql` with SQL of your own");
  });
}

}  // namespace t2sql::cli
