#include "schema/text_words.h"

#include "schema/identifier_words.h"

namespace t2sql {

// The schema linker's reading of names (identifier_words.h), so that
// retrieval and the template engine split, expand and fold words alike.

std::vector<std::string> name_words(std::string_view identifier) {
  return identifier_words(identifier);
}

std::vector<std::string> text_words(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& piece : split_identifier(text)) {
    // Checked before normalizing too: "no" would otherwise become "number".
    if (is_stop_word(piece)) continue;
    std::string w = normalize_word(piece);
    if (!w.empty() && !is_stop_word(w)) out.push_back(std::move(w));
  }
  return out;
}

std::string name_phrase(std::string_view identifier) {
  return identifier_phrase(identifier);
}

}  // namespace t2sql
