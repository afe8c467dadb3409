#include <iostream>

#include "cli.h"
#include "t2sql/version.h"

namespace t2sql::cli {

void add_version_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("version", "Print t2sql's version and the llama.cpp build it links");
  add_example(cmd, "  t2sql version");
  set_action(cmd, [] {
    std::cout << "t2sql " << t2sql_version() << "\n" << llama_build_info() << "\n";
    return 0;
  });
}

}  // namespace t2sql::cli
