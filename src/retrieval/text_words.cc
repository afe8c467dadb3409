#include "retrieval/text_words.h"

#include <cctype>
#include <unordered_map>
#include <unordered_set>

namespace t2sql {

namespace {

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Splits on case changes and letter/digit boundaries: "sbCustID2" -> sb, Cust, ID, 2.
std::vector<std::string> split_camel(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (!is_alnum(c)) {
      if (!cur.empty()) out.push_back(std::move(cur)), cur.clear();
      continue;
    }
    if (!cur.empty()) {
      char p = s[i - 1];
      bool boundary = (is_lower(p) && is_upper(c)) || (is_digit(p) != is_digit(c)) ||
                      (is_upper(p) && is_upper(c) && i + 1 < s.size() && is_lower(s[i + 1]));
      if (boundary) out.push_back(std::move(cur)), cur.clear();
    }
    cur += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

const std::unordered_map<std::string, std::string>& abbreviations() {
  static const std::unordered_map<std::string, std::string> kMap = {
      {"qty", "quantity"}, {"amt", "amount"},     {"num", "number"},      {"nbr", "number"},
      {"cnt", "count"},    {"dept", "department"}, {"emp", "employee"},   {"mgr", "manager"},
      {"addr", "address"}, {"desc", "description"}, {"cust", "customer"}, {"prod", "product"},
      {"avg", "average"},  {"yr", "year"},         {"dt", "date"},        {"txn", "transaction"},
      {"acct", "account"}, {"pct", "percent"},     {"dob", "birth"},      {"tel", "phone"},
      {"cty", "city"},     {"st", "state"},        {"loc", "location"},   {"info", "information"},
  };
  return kMap;
}

const std::unordered_set<std::string>& stop_words() {
  static const std::unordered_set<std::string> kSet = {
      "a",    "an",   "the",  "of",    "in",   "on",    "at",   "to",   "for",  "by",    "with", "from",
      "and",  "or",   "is",   "are",   "was",  "were",  "be",   "been", "do",   "doe",   "did",  "have",
      "ha",   "had",  "what", "which", "who",  "whom",  "whose", "when", "where", "how",  "why",  "that",
      "this", "these", "those", "it",  "its",  "their", "there", "them", "they", "we",   "our",  "you",
      "your", "me",   "my",   "i",     "all",  "each",  "every", "any",  "some", "show", "list", "give",
      "find", "return", "tell", "please", "many", "much", "also", "as",  "than", "then", "into", "per",
  };
  return kSet;
}

std::string singular(std::string w) {
  if (w.size() <= 3 || w.back() != 's') return w;
  static const std::unordered_set<std::string> kKeep = {"status", "address", "class", "business", "series",
                                                        "species", "news", "analysis", "basis", "gas"};
  if (kKeep.count(w)) return w;
  if (w.size() > 4 && w.compare(w.size() - 3, 3, "ies") == 0) return w.substr(0, w.size() - 3) + "y";
  if (w.compare(w.size() - 2, 2, "ss") == 0 || w.compare(w.size() - 2, 2, "us") == 0) return w;
  if (w.size() > 4 && (w.compare(w.size() - 4, 4, "ches") == 0 || w.compare(w.size() - 4, 4, "shes") == 0 ||
                       w.compare(w.size() - 4, 4, "sses") == 0 || w.compare(w.size() - 3, 3, "xes") == 0)) {
    return w.substr(0, w.size() - 2);
  }
  return w.substr(0, w.size() - 1);
}

std::string normalize(const std::string& piece) {
  auto it = abbreviations().find(piece);
  if (it != abbreviations().end()) return it->second;
  if (piece == "people") return "person";
  return singular(piece);
}

}  // namespace

std::vector<std::string> name_words(std::string_view identifier) {
  std::vector<std::string> out;
  for (auto& piece : split_camel(identifier)) out.push_back(normalize(piece));
  return out;
}

std::vector<std::string> text_words(std::string_view text) {
  std::vector<std::string> out;
  for (auto& piece : split_camel(text)) {
    std::string w = normalize(piece);
    if (!stop_words().count(w)) out.push_back(std::move(w));
  }
  return out;
}

std::string name_phrase(std::string_view identifier) {
  std::string out;
  for (auto& w : name_words(identifier)) out += (out.empty() ? "" : " ") + w;
  return out;
}

}  // namespace t2sql
