// read_question(): the one reading of a question's literals — numbers (with
// magnitudes: "5k", "1M", "a million", "five"), years, months, ISO dates,
// relative ranges, top-k, comparisons — and of the stored values it names.
// The pipeline's entity stage calls it (pipeline/entity_extractor.h) and
// passes the result to the generators in GenerationRequest::reading; the
// template engine reads its numbers, months and top-k from there, and calls
// it itself only when it is used without a pipeline, so that both see the
// same reading. Built on tokenize_question() (question_parser.h), the one
// word and number splitter. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "db/value_index.h"
#include "generate/question_parser.h"
#include "t2sql/generator.h"

namespace t2sql {

// `values` (may be null) is the database's value index (db/shared_value_index.h).
QuestionReading read_question(std::string_view question, const ValueIndex* values);
// The same over tokenize_question(question)'s tokens, for a caller that has them.
QuestionReading read_question(std::string_view question, const std::vector<QuestionToken>& tokens,
                              const ValueIndex* values);

// A number that reads as a year (1900..2100, whole).
bool is_year(double v);
// 1..12 for a month's name or its short form ("sept" too; not "mar", which
// is a verb more often); 0 otherwise. Lowercase input.
int month_number(const std::string& word);
// "2024-03-15".
bool is_iso_date(const std::string& text);

}  // namespace t2sql
