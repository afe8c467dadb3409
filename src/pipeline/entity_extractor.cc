#include "pipeline/entity_extractor.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>

#include "format/json_text.h"
#include "pipeline/intent_classifier.h"

namespace t2sql {

namespace {

const std::map<std::string, int> kMonths = {
    {"january", 1},  {"jan", 1},    {"february", 2},  {"feb", 2},       {"march", 3},     {"mar", 3},
    {"april", 4},    {"apr", 4},    {"may", 5},       {"june", 6},      {"jun", 6},       {"july", 7},
    {"jul", 7},      {"august", 8}, {"aug", 8},       {"september", 9}, {"sep", 9},       {"sept", 9},
    {"october", 10}, {"oct", 10},   {"november", 11}, {"nov", 11},      {"december", 12}, {"dec", 12}};
const std::map<std::string, int> kNumberWords = {{"one", 1},      {"two", 2},     {"three", 3},   {"four", 4},
                                                 {"five", 5},     {"six", 6},     {"seven", 7},   {"eight", 8},
                                                 {"nine", 9},     {"ten", 10},    {"eleven", 11}, {"twelve", 12},
                                                 {"fifteen", 15}, {"twenty", 20}, {"dozen", 12},  {"hundred", 100}};
// Words that must never be taken for a stored value on their own.
const std::set<std::string> kStopWords = {
    "the",   "a",    "an",    "of",   "in",   "on",    "at",   "by",    "for",   "to",    "and",  "or",   "is",
    "are",   "was",  "were",  "be",   "what", "which", "who",  "how",   "many",  "much",  "all",  "any",  "each",
    "per",   "with", "from",  "as",   "than", "total", "sum",  "top",   "show",  "list",  "me",   "give", "do",
    "does",  "did",  "has",   "have", "no",   "not",   "yes",  "other", "none",  "null",  "new",  "old",  "last",
    "first", "year", "month", "day",  "it",   "its",   "this", "that",  "there", "their", "more", "most", "less"};

std::optional<double> parse_number(const std::string& w) {
  if (w.empty() || !(std::isdigit(static_cast<unsigned char>(w[0])) || (w[0] == '-' && w.size() > 1))) return {};
  std::string clean;
  for (char c : w)
    if (c != ',') clean += c;
  char* end = nullptr;
  double v = std::strtod(clean.c_str(), &end);
  if (end == clean.c_str()) return {};
  std::string rest(end);
  if (rest == "k")
    v *= 1e3;
  else if (rest == "m")
    v *= 1e6;
  else if (rest == "%" || rest.empty()) {
  } else
    return {};
  return v;
}

bool is_iso_date(const std::string& w) {
  if (w.size() != 10 || w[4] != '-' || w[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(w[i]))) return false;
  return true;
}

size_t edit_distance_at_most_one(const std::string& a, const std::string& b) {
  // 0, 1, or 2 meaning "more than one".
  if (a == b) return 0;
  size_t la = a.size(), lb = b.size();
  if (la > lb + 1 || lb > la + 1) return 2;
  size_t i = 0, j = 0, edits = 0;
  while (i < la && j < lb) {
    if (a[i] == b[j]) {
      ++i, ++j;
      continue;
    }
    if (++edits > 1) return 2;
    if (la > lb)
      ++i;
    else if (lb > la)
      ++j;
    else
      ++i, ++j;
  }
  edits += (la - i) + (lb - j);
  return edits > 1 ? 2 : edits;
}

std::string join(const std::vector<std::string>& words, size_t from, size_t n) {
  std::string out;
  for (size_t k = 0; k < n; ++k) out += (k ? " " : "") + words[from + k];
  return out;
}

std::string quote_ident(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

ValueLinker ValueLinker::build(Database& db, const Catalog& catalog, int max_per_column) {
  ValueLinker linker;
  for (const auto& table : catalog.tables) {
    for (const auto& column : table.columns) {
      if (column.type != ValueType::kText || column.primary_key) continue;
      std::string sql = "SELECT DISTINCT " + quote_ident(column.name) + " FROM " + quote_ident(table.name) + " WHERE " +
                        quote_ident(column.name) + " IS NOT NULL LIMIT " + std::to_string(max_per_column + 1);
      auto rows = db.execute(sql, {.timeout_ms = 2000, .max_rows = max_per_column + 1});
      if (!rows.ok() || rows->rows.size() > static_cast<size_t>(max_per_column)) continue;
      for (const auto& row : rows->rows) {
        if (row.empty() || row[0].is_null()) continue;
        std::string value = row[0].to_string();
        if (value.size() > 80 || value.size() < 2) continue;
        auto words = question_words(value);
        if (words.empty() || words.size() > 6) continue;
        if (words.size() == 1 && kStopWords.count(words[0])) continue;
        linker.max_words_ = std::max(linker.max_words_, words.size());
        linker.values_.insert({join(words, 0, words.size()), {table.name, column.name, value}});
      }
    }
  }
  return linker;
}

std::vector<LinkedValue> ValueLinker::link(const std::string& question) const {
  auto words = question_words(question);
  std::vector<LinkedValue> out;
  std::vector<bool> used(words.size(), false);
  // Longest phrases first, so "New York" wins over "York".
  for (size_t n = std::min(max_words_, words.size()); n >= 1; --n) {
    for (size_t i = 0; i + n <= words.size(); ++i) {
      bool free = true;
      for (size_t k = i; k < i + n; ++k) free = free && !used[k];
      if (!free) continue;
      std::string phrase = join(words, i, n);
      if (n == 1 && kStopWords.count(phrase)) continue;
      auto [lo, hi] = values_.equal_range(phrase);
      double score = 1.0;
      if (lo == hi && n == 1 && phrase.size() >= 5 && !std::isdigit(static_cast<unsigned char>(phrase[0]))) {
        // One typo in a longer single word ("samsnug"); plural "s" too.
        for (const auto& [key, entry] : values_) {
          if (key.find(' ') != std::string::npos) continue;
          if (edit_distance_at_most_one(key, phrase) == 1) {
            score = 0.8;
            lo = values_.find(key);
            hi = values_.upper_bound(key);
            break;
          }
        }
      }
      if (lo == hi) continue;
      for (auto it = lo; it != hi; ++it)
        out.push_back({it->second.table, it->second.column, it->second.value, phrase, score});
      for (size_t k = i; k < i + n; ++k) used[k] = true;
    }
    if (n == 1) break;
  }
  return out;
}

Entities extract_entities(const std::string& question, const ValueLinker* linker) {
  Entities e;
  auto words = question_words(question);
  std::string lowered = join(words, 0, words.size());
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    std::string prev = i > 0 ? words[i - 1] : "";
    if (is_iso_date(w)) {
      e.dates.push_back(w);
      continue;
    }
    if (auto m = kMonths.find(w); m != kMonths.end()) {
      // "may" and "mar" are verbs and nouns too: only after a time word.
      bool ambiguous = w == "may" || w == "mar" || w == "dec" || w == "jan";
      std::set<std::string> cues = {"in", "of",   "since",  "until",  "between", "and",
                                    "to", "from", "during", "before", "after",   "through"};
      if (!ambiguous || cues.count(prev) ||
          (i + 1 < words.size() && parse_number(words[i + 1]) && words[i + 1].size() == 4))
        e.months.push_back(m->second);
      continue;
    }
    auto number = parse_number(w);
    if (!number) {
      if (auto nw = kNumberWords.find(w); nw != kNumberWords.end()) number = nw->second;
    }
    if (!number) continue;
    bool year = w.size() == 4 && *number >= 1900 && *number <= 2100 && *number == static_cast<int>(*number);
    if (year)
      e.years.push_back(static_cast<int>(*number));
    else
      e.numbers.push_back(*number);
    if ((prev == "top" || prev == "first" || prev == "bottom" || prev == "last") && !year)
      e.top_k = static_cast<int>(*number);
    if (i + 1 < words.size() && !year && !e.top_k) {
      static const std::set<std::string> kRankers = {"best", "largest", "highest", "biggest",  "most",
                                                     "top",  "lowest",  "worst",   "smallest", "least"};
      if (kRankers.count(words[i + 1])) e.top_k = static_cast<int>(*number);
    }
  }
  if (!e.top_k) {
    for (const char* w :
         {"highest", "lowest", "most", "least", "best", "worst", "largest", "smallest", "biggest", "top"}) {
      for (const auto& qw : words)
        if (qw == w) e.top_k = 1;
    }
  }
  for (const char* r : {"last year", "this year", "previous year", "last month", "this month", "last quarter",
                        "this quarter", "year to date", "ytd", "last week", "this week", "yesterday", "today"}) {
    if ((" " + lowered + " ").find(std::string(" ") + r + " ") != std::string::npos) e.ranges.push_back(r);
  }
  for (size_t i = 0; i < words.size(); ++i) {
    if ((words[i] == "between" || words[i] == "from") && i + 3 < words.size() &&
        (words[i + 2] == "and" || words[i + 2] == "to")) {
      bool time_like = kMonths.count(words[i + 1]) || parse_number(words[i + 1]) || is_iso_date(words[i + 1]);
      if (time_like) e.ranges.push_back(join(words, i, 4));
    }
    if (words[i] == "last" && i + 2 < words.size() && parse_number(words[i + 1]) &&
        (words[i + 2].rfind("day", 0) == 0 || words[i + 2].rfind("month", 0) == 0 ||
         words[i + 2].rfind("year", 0) == 0 || words[i + 2].rfind("week", 0) == 0))
      e.ranges.push_back(join(words, i, 3));
    if (words[i] == "since" && i + 1 < words.size()) e.ranges.push_back(join(words, i, 2));
  }
  static const std::vector<std::vector<std::string>> kComparisons = {
      {"more", "than"}, {"greater", "than"}, {"less", "than"}, {"fewer", "than"}, {"at", "least"}, {"at", "most"},
      {"over"},         {"under"},           {"above"},        {"below"},         {"exceeding"},   {"before"},
      {"after"},        {"higher", "than"},  {"lower", "than"}};
  for (size_t i = 0; i < words.size(); ++i) {
    for (const auto& c : kComparisons) {
      if (i + c.size() >= words.size()) continue;
      bool match = true;
      for (size_t k = 0; k < c.size(); ++k) match = match && words[i + k] == c[k];
      if (!match) continue;
      const std::string& operand = words[i + c.size()];
      if (parse_number(operand) || kNumberWords.count(operand) || kMonths.count(operand) || is_iso_date(operand))
        e.comparisons.push_back(join(words, i, c.size() + 1));
    }
  }
  if (linker) e.values = linker->link(question);
  return e;
}

std::string Entities::to_json() const {
  nlohmann::json j = {{"numbers", numbers}, {"years", years},   {"months", months},
                      {"dates", dates},     {"ranges", ranges}, {"comparisons", comparisons}};
  j["top_k"] = top_k ? nlohmann::json(*top_k) : nlohmann::json(nullptr);
  nlohmann::json vals = nlohmann::json::array();
  for (const auto& v : values)
    vals.push_back({{"table", v.table},
                    {"column", v.column},
                    {"value", v.value},
                    {"matched", v.matched_text},
                    {"score", v.score}});
  j["values"] = vals;
  return json_text(j);
}

}  // namespace t2sql
