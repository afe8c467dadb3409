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

std::string join(const std::vector<std::string>& words, size_t from, size_t n) {
  std::string out;
  for (size_t k = 0; k < n; ++k) out += (k ? " " : "") + words[from + k];
  return out;
}

}  // namespace

Entities extract_entities(const std::string& question, const ValueIndex* values) {
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
  if (values) e.values = values->link(question);
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
