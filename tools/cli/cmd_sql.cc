#include <iostream>

#include "cli.h"
#include "t2sql/format.h"

namespace t2sql::cli {

void add_sql_command(CLI::App& app) {
  struct Options {
    std::string sql, db, format = "table";
    int64_t timeout_ms = 10000, max_rows = 1000;
  };
  auto opt = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("sql", "Run one read-only SQL statement and print its rows");
  add_example(cmd, "  t2sql sql \"SELECT region, COUNT(*) AS stores FROM stores GROUP BY region\" --format markdown");
  cmd->add_option("SQL", opt->sql, "The statement (SELECT / WITH / VALUES only)")->required();
  add_db_option(cmd, opt->db);
  cmd->add_option("--format,-f", opt->format, "Output: table, csv, json or markdown")->capture_default_str();
  cmd->add_option("--timeout-ms", opt->timeout_ms, "Interrupt the query after this many milliseconds (0: none)")
      ->check(non_negative())
      ->capture_default_str();
  cmd->add_option("--max-rows", opt->max_rows, "Read at most this many rows (0: all)")
      ->check(non_negative())
      ->capture_default_str();
  set_action(cmd, [opt] {
    auto format = parse_output_format(opt->format);
    if (!format.ok()) return fail(format.status());
    auto db = open_database(opt->db);
    if (!db.ok()) return fail(db.status());
    auto rows = (*db)->execute(opt->sql, {.timeout_ms = opt->timeout_ms, .max_rows = opt->max_rows});
    if (!rows.ok()) return fail(rows.status());
    std::cout << format_result(*rows, *format);
    return 0;
  });
}

}  // namespace t2sql::cli
