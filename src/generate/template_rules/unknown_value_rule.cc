// "Show stores in Berlin" where no column stores "Berlin": a name the
// question filters by, linked to nothing. Answering without it returns every
// store; guessing a column for it is a guess. The engine abstains and names
// the word, so the user can correct it. Only when the name is absent for
// sure: no stored text holds it (spaces and case aside: "North Carolina" in
// "NorthCarolina", "Kentucky" in "Louisville, Kentucky"), no column's values
// were cut short in the index, it is no abbreviation ("LA", "USD" may be
// stored spelled out), and no value follows it ("Texas cities Austin and
// Houston": a description of the values named).
#include <algorithm>
#include <cctype>
#include <string_view>

#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

namespace t2sql::template_rules {

bool TemplateQueryBuilder::rule_unknown_value(std::string& nested_sql) {
  (void)nested_sql;
  auto unlinked_name = [&](size_t k) {
    if (k >= toks_.size() || toks_[k].kind != QuestionTokenKind::kWord || !toks_[k].capitalized) return false;
    if (consumed_[k] || item_covering(k) || month_number(lw(k)) > 0 || lexicon::kDayNames.count(lw(k))) return false;
    for (char ch : toks_[k].text) {
      if (!std::isalpha(static_cast<unsigned char>(ch)) && ch != '-' && ch != '\'') return false;
    }
    return true;
  };
  auto squash = [](std::string_view text) {
    std::string out;
    for (char ch : text) {
      if (std::isalnum(static_cast<unsigned char>(ch)))
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    return out;
  };
  auto stored_inside = [&](const std::string& name) {
    std::string key = squash(name);
    for (const auto& e : values_.entries()) {
      if (squash(e.value).find(key) != std::string::npos) return true;
    }
    return false;
  };
  if (values_.columns_truncated() > 0) return false;
  std::string names;
  for (size_t i = 1; i < toks_.size(); ++i) {
    if (!lexicon::kValuePrepositions.count(lw(i - 1)) || !unlinked_name(i)) continue;
    std::string name;
    size_t k = i;
    bool abbreviation = true;
    for (; unlinked_name(k); ++k) {
      name += (name.empty() ? "" : " ") + toks_[k].text;
      for (char ch : toks_[k].text) abbreviation = abbreviation && !std::islower(static_cast<unsigned char>(ch));
    }
    bool value_follows = false;
    for (size_t j = k; j < std::min(toks_.size(), k + 3); ++j) {
      Item* it = item_covering(j);
      value_follows = value_follows || (it && it->kind == ItemKind::kValue);
    }
    i = k;
    if (abbreviation || value_follows || stored_inside(name)) continue;
    names += (names.empty() ? "'" : ", '") + name + "'";
  }
  if (names.empty()) return false;
  penalize(0.6, names + " matches no value in the database");
  return true;
}

}  // namespace t2sql::template_rules
