// A lexical similarity of two SQL statements in [0, 1], for the evaluation's
// "semantic similarity" metric when no embedding model is given: the cosine
// of the token unigram and bigram counts of their normalized forms
// (sql_normalizer.h), so formatting, keyword case, aliases and the order of
// set-like clauses do not count. 1 for identical normal forms, 0 when no
// token is shared (or one side is empty). Thread-safe.
#pragma once

#include <string>

namespace t2sql {

double lexical_sql_similarity(const std::string& a, const std::string& b);

}  // namespace t2sql
