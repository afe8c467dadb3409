#include "sql/sql_skeleton.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>
#include <vector>

#include "sql/sql_lexer.h"

namespace t2sql {

namespace {

// The words that stay in a skeleton; any other word is a name.
const std::set<std::string>& keywords() {
  static const std::set<std::string> kKeywords = [] {
    std::istringstream words(
        "select distinct from where group by having order limit offset join inner left right full outer cross "
        "natural on using and or not in is null like ilike glob between case when then else end as asc desc union "
        "intersect except all exists with recursive true false interval over partition filter nulls first last "
        "escape collate current_date current_time current_timestamp any some");
    std::set<std::string> set;
    for (std::string w; words >> w;) set.insert(w);
    return set;
  }();
  return kKeywords;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

std::string sql_skeleton(const std::string& sql) {
  const std::vector<SqlToken> tokens = lex_sql(sql).tokens;
  std::vector<std::string> out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const SqlToken& t = tokens[i];
    const bool next_is_dot = i + 1 < tokens.size() && tokens[i + 1].is_punct('.');
    const bool next_is_paren = i + 1 < tokens.size() && tokens[i + 1].is_punct('(');
    std::string piece;
    switch (t.kind) {
      case SqlTokenKind::kString:
      case SqlTokenKind::kNumber:
      case SqlTokenKind::kParam: piece = "?"; break;
      case SqlTokenKind::kQuotedName:
      case SqlTokenKind::kWord: {
        if (next_is_dot) {  // a qualifier: "t1.amount" reads as "amount"
          ++i;
          continue;
        }
        std::string w = lower(t.text);
        if (t.kind == SqlTokenKind::kWord && (keywords().count(w) || next_is_paren))
          piece = w;
        else
          piece = "id";
        break;
      }
      case SqlTokenKind::kPunct:
        if (t.is_punct(';')) continue;
        piece = t.text;
        break;
    }
    // "AS name" says nothing about the structure; an implicit alias neither.
    if (piece == "id" && !out.empty() && out.back() == "as") {
      out.pop_back();
      continue;
    }
    if (piece == "id" && !out.empty() && out.back() == "id") continue;
    // Value lists: "? , ? , ?" is one "?".
    if (piece == "?" && out.size() >= 2 && out.back() == "," && out[out.size() - 2] == "?") {
      out.pop_back();
      continue;
    }
    out.push_back(std::move(piece));
  }
  std::string text;
  for (const auto& p : out) text += (text.empty() ? "" : " ") + p;
  return text;
}

}  // namespace t2sql
