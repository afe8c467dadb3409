#include <nlohmann/json.hpp>

#include <iostream>

#include "cli.h"
#include "format/json_text.h"
#include "t2sql/feedback.h"

namespace t2sql::cli {

void add_feedback_options(CLI::App* command, std::string& path, bool* off) {
  command->add_option("--feedback-file", path,
                      "Feedback JSONL (ratings and accepted answers; default: feedback.jsonl in the database's "
                      "cache folder under $XDG_CACHE_HOME/t2sql/db)");
  if (off)
    command->add_flag("--no-feedback", *off,
                      "No feedback: accepted answers are not used (the engine answers every question itself) and "
                      "serve stores no ratings");
}

std::string feedback_path_for(const std::string& given, const std::string& db_uri) {
  return given.empty() ? default_feedback_path(db_uri) : given;
}

void add_feedback_command(CLI::App& app) {
  struct Options {
    std::string question, db, sql, original_sql, rating, comment, feedback_file, format = "table";
    bool accept = false, list = false;
    int64_t timeout_ms = 10000, max_rows = 1000;
  };
  auto opt = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "feedback",
      "Rate an answer, or keep a corrected SQL as the answer to a question: t2sql ask and serve answer the same "
      "question with it next time, show it to a model as an example, and gen-data --include-feedback trains on it.");
  add_example(cmd,
              "  t2sql feedback \"total sales in 2023\" --rating up\n"
              "  t2sql feedback \"revenue in 2023\" --sql \"SELECT SUM(amount) FROM sales WHERE sale_date LIKE '2023%'\" "
              "--accept\n"
              "  t2sql feedback --list");
  cmd->add_option("QUESTION", opt->question, "The question the feedback is about");
  add_db_option(cmd, opt->db);
  cmd->add_option("--sql", opt->sql, "The SQL rated, or the corrected SQL (with --accept)");
  cmd->add_option("--original-sql", opt->original_sql, "What t2sql answered, when --sql corrects it");
  cmd->add_option("--rating", opt->rating, "up or down")->check(CLI::IsMember({"up", "down"}));
  cmd->add_flag("--accept", opt->accept,
                "Keep QUESTION + --sql as the answer (the SQL runs read-only first and must succeed)");
  cmd->add_option("--comment", opt->comment, "Your words, kept with the entry");
  add_feedback_options(cmd, opt->feedback_file);
  cmd->add_flag("--list", opt->list, "Print the accepted answers in force and the number of ratings");
  cmd->add_option("--format,-f", opt->format, "With --list: table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  cmd->add_option("--timeout-ms", opt->timeout_ms, "Interrupt the SQL's check run after this long")
      ->check(CLI::Range(int64_t{0}, int64_t{86400000}))
      ->capture_default_str();
  cmd->add_option("--max-rows", opt->max_rows, "Rows read at most by the check run")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40))
      ->capture_default_str();
  set_action(cmd, [opt] {
    if (!opt->list && opt->question.empty()) {
      std::cerr << "error: give a QUESTION (with --rating or --sql ... --accept), or --list\n";
      return kExitUsage;
    }
    auto db = open_database(opt->db);
    if (!db.ok()) return fail(db.status());
    const std::string path = feedback_path_for(opt->feedback_file, (*db)->uri());

    if (opt->list) {
      auto log = FeedbackLog::load(path);
      if (!log.ok()) return fail(log.status());
      auto accepted = log->accepted_examples();
      int up = 0, down = 0;
      for (const auto& e : log->entries()) {
        if (e.rating == "up") ++up;
        if (e.rating == "down") ++down;
      }
      if (opt->format == "json") {
        nlohmann::json items = nlohmann::json::array();
        for (const auto& e : accepted) items.push_back({{"question", e.question}, {"sql", e.sql}});
        std::cout << json_text({{"file", path},
                                {"accepted", items},
                                {"ratings_up", up},
                                {"ratings_down", down},
                                {"skipped_lines", log->skipped_lines()}})
                  << "\n";
      } else {
        std::cout << path << ": " << accepted.size() << " accepted answer" << (accepted.size() == 1 ? "" : "s") << ", "
                  << up << " up, " << down << " down"
                  << (log->skipped_lines() ? ", " + std::to_string(log->skipped_lines()) + " unreadable lines" : "")
                  << "\n";
        for (const auto& e : accepted) std::cout << "\n  " << e.question << "\n    " << e.sql << "\n";
      }
      return 0;
    }

    FeedbackEntry entry{.question = opt->question,
                        .sql = opt->sql,
                        .original_sql = opt->original_sql,
                        .rating = opt->rating,
                        .accepted = opt->accept,
                        .engine = opt->accept ? "user" : "",
                        .comment = opt->comment};
    if (Status s = check_feedback_entry(entry); !s.ok()) {
      std::cerr << "error: " << s.message() << "\n";
      return kExitUsage;
    }
    if (entry.accepted) {
      // The guard, the timeout and the row cap of every answer.
      auto rows = (*db)->execute(entry.sql, {.timeout_ms = opt->timeout_ms, .max_rows = opt->max_rows});
      if (!rows.ok()) return fail("the SQL was not stored: it does not run (" + rows.status().message() + ")");
      std::cout << "the SQL runs: " << rows->rows.size() << " row" << (rows->rows.size() == 1 ? "" : "s")
                << (rows->truncated ? " (truncated)" : "") << "\n";
    }
    if (Status s = FeedbackLog::append(path, entry); !s.ok()) return fail(s);
    std::cout << (entry.accepted ? "kept as the answer to \"" + entry.question + "\""
                                 : "rated " + entry.rating + ": \"" + entry.question + "\"")
              << " in " << path << "\n";
    return 0;
  });
}

}  // namespace t2sql::cli
