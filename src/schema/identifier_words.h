// Identifier words: how t2sql reads a table or column name as English.
// "OrderDate_2" -> {"order", "date", "2"}; "qty_sold" -> {"quantity", "sold"};
// "Categories" -> "category". Schema linking, column descriptions and the
// training-data wordings all use these, so that a name is read the same way
// everywhere.
//
//   identifier_words("custAddr")        -> {"customer", "address"}
//   normalize_word("Cities")            -> "city"
//   same_meaning("revenue", "sales")    -> true
//
// Pure functions over constant tables: thread-safe, no errors.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace t2sql {

// Splits a name on underscores, spaces, hyphens, dots, lower->upper case
// changes ("orderDate"), acronym ends ("HTTPCode" -> "http", "code") and
// letter/digit boundaries ("address2"). Lowercase, nothing else changed.
std::vector<std::string> split_identifier(std::string_view name);

// Lowercase and fold English plurals to the singular ("stores" -> "store",
// "categories" -> "category", "people" -> "person", "addresses" ->
// "address"). Words that only look plural ("status", "analysis", "class")
// are kept.
std::string singular_word(std::string_view word);

// The long form of a common abbreviation ("qty" -> "quantity", "dept" ->
// "department", "num" / "no" -> "number"); the word itself when none.
// Some expand to several words ("dob" -> "date of birth").
std::vector<std::string> expand_abbreviation(std::string_view word);

// The canonical form used for matching: lowercase, abbreviation expanded
// (first word only when it expands to several), singular.
std::string normalize_word(std::string_view word);

// split_identifier + expand_abbreviation + singular_word.
std::vector<std::string> identifier_words(std::string_view name);

// identifier_words joined by single spaces: "custAddr" -> "customer address".
std::string identifier_phrase(std::string_view name);

// Normalized words of the same group in the synonym list (the word itself
// excluded); empty when it has none. Input is normalized first.
const std::vector<std::string>& synonyms_of(std::string_view word);

// True when two words normalize to the same word or are listed synonyms.
bool same_meaning(std::string_view a, std::string_view b);

// Small English function words ("the", "of", "what", ...) that never link.
bool is_stop_word(std::string_view normalized_word);

}  // namespace t2sql
