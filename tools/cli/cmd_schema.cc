#include <iostream>

#include "cli.h"

namespace t2sql::cli {

void add_schema_command(CLI::App& app) {
  struct Options {
    std::string db, format = "sql";
    int samples = 3;
  };
  auto opt = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("schema", "Print the database's schema as CREATE TABLE statements or JSON");
  add_example(cmd, "  t2sql schema --db sales.db --format json");
  add_db_option(cmd, opt->db);
  cmd->add_option("--format,-f", opt->format, "sql (CREATE TABLE statements) or json (with row counts and samples)")
      ->check(CLI::IsMember({"sql", "json"}))
      ->capture_default_str();
  cmd->add_option("--samples", opt->samples, "Sample values per column in JSON")->capture_default_str();
  set_action(cmd, [opt] {
    auto db = open_database(opt->db);
    if (!db.ok()) return fail(db.status());
    CatalogOptions options{.sample_values = opt->format == "json" ? opt->samples : 0,
                           .row_counts = opt->format == "json"};
    auto catalog = (*db)->catalog(options);
    if (!catalog.ok()) return fail(catalog.status());
    std::cout << (opt->format == "json" ? catalog->to_json() + "\n" : catalog->to_ddl());
    return 0;
  });
}

}  // namespace t2sql::cli
