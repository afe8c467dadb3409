// For the question-case tests only (src/pipeline/question_cases_pg_test.cc,
// question_cases_ch_test.cc): the question records of tests/cases/*.test
// asked through a Pipeline in template mode on one engine's demo warehouse.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "testing/sql_case_files.h"
#include "t2sql/database.h"
#include "t2sql/pipeline.h"

namespace t2sql::testing {

// The same catalog content on every engine: SQLite files hold no comments,
// so descriptions (which steer the template engine) go.
inline Result<std::unique_ptr<Generator>> template_without_descriptions(const GeneratorOptions& options,
                                                                        const Catalog& catalog, Database* db) {
  Catalog plain = catalog;
  for (auto& table : plain.tables) {
    table.description.clear();
    for (auto& column : table.columns) column.description.clear();
  }
  return make_generator(options, plain, db);
}

// What the pipeline made of a question, in the records' terms: an answer is
// SQL that ran; a refusal is the intent stage's or the generator's.
inline QuestionOutcome outcome_of(const AskResult& r) {
  QuestionOutcome got;
  got.answered = r.answered && r.executed;
  got.refused = r.intent == Intent::kRefused || r.reason.rfind("refused:", 0) == 0;
  got.reason = r.reason;
  got.sql = r.sql;
  if (got.answered) got.rows = r.rows;
  return got;
}

// Asks every question record of the demo database on `uri` (an `engine` database).
inline void run_question_cases_through_pipeline(const std::string& engine, const std::string& uri) {
  auto db = Database::open(uri);
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  ASSERT_EQ((*db)->engine(), engine);
  PipelineOptions options;
  options.generator.mode = "template";
  options.exec = {.timeout_ms = 20000, .max_rows = 0};
  auto pipeline = Pipeline::create(std::move(*db), options, template_without_descriptions);
  ASSERT_TRUE(pipeline.ok()) << pipeline.status().to_string();
  run_question_cases_on(engine, "demo",
                        [&](const std::string& question) { return outcome_of((*pipeline)->ask(question)); });
}

}  // namespace t2sql::testing
