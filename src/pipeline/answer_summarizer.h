// The answer stage: one line that says what the rows say ("Total sales in
// 2023 were 12.4M"), written from the question's own words and the result's
// shape. Pure functions; thread-safe.
#pragma once

#include <string>

#include "t2sql/catalog.h"
#include "t2sql/value.h"

namespace t2sql {

std::string summarize_answer(const std::string& question, const ResultSet& rows);

// The schema stage's answer to a schema question: the rows (table, columns,
// rows) and a one-line summary.
struct SchemaAnswer {
  ResultSet rows;
  std::string answer;
};
SchemaAnswer answer_schema_question(const std::string& question, const Catalog& catalog);

}  // namespace t2sql
