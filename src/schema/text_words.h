// Words of names and of questions, as the retrieval stage compares them:
// identifiers split ("custAddr" -> "customer", "address"), lowercase,
// singular, function words dropped, so that "How many singers?" and the
// column `singer.Singer_ID` share the word "singer".
// Pure functions: thread-safe, no errors.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace t2sql {

// The normalized words of one identifier (a table or column name).
std::vector<std::string> name_words(std::string_view identifier);

// The normalized content words of free text (a question, a description):
// split on anything that is not a letter or digit, each piece read as an
// identifier, function words dropped.
std::vector<std::string> text_words(std::string_view text);

// `name_words` joined by spaces: "sbCustName" -> "sb customer name".
std::string name_phrase(std::string_view identifier);

}  // namespace t2sql
