#include "generate/question_reading.h"

#include <cctype>
#include <cmath>
#include <set>

#include "generate/template_rules/lexicon.h"

namespace t2sql {

bool is_year(double v) {
  return v >= 1900 && v <= 2100 && std::floor(v) == v;
}

int month_number(const std::string& w) {
  static const char* kNames[] = {"january", "february", "march",     "april",   "may",      "june",
                                 "july",    "august",   "september", "october", "november", "december"};
  static const char* kShort[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  for (int i = 0; i < 12; ++i) {
    if (w == kNames[i] || (w == kShort[i] && w != "mar" && w != "may")) return i + 1;
  }
  if (w == "sept") return 9;
  return 0;
}

bool is_iso_date(const std::string& w) {
  if (w.size() != 10 || w[4] != '-' || w[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(w[i]))) return false;
  return true;
}

QuestionReading read_question(std::string_view question, const ValueIndex* values) {
  return read_question(question, tokenize_question(question), values);
}

QuestionReading read_question(std::string_view question, const std::vector<QuestionToken>& toks,
                              const ValueIndex* values) {
  QuestionReading r;
  auto word = [&](size_t i) -> const std::string& {
    static const std::string kEmpty;
    return i < toks.size() && toks[i].kind == QuestionTokenKind::kWord ? toks[i].lower : kEmpty;
  };
  auto number = [&](size_t i) { return i < toks.size() && toks[i].kind == QuestionTokenKind::kNumber; };
  auto span = [&](size_t i) {
    const QuestionToken& t = toks[i];
    return QuestionSpan{t.begin, t.end, std::string(question.substr(t.begin, t.end - t.begin)), t.number};
  };

  for (size_t i = 0; i < toks.size(); ++i) {
    if (number(i)) {
      r.number_spans.push_back(span(i));
      const std::string& text = toks[i].text;
      if (is_iso_date(text))
        r.dates.push_back(text);
      else if (text.size() == 4 && is_year(toks[i].number))
        r.years.push_back(static_cast<int>(toks[i].number));
      else
        r.numbers.push_back(toks[i].number);
      continue;
    }
    // "may" is a verb too: a month when capitalized inside the question or
    // after "in" / "of".
    if (int m = month_number(word(i))) {
      if (word(i) == "may" && !(toks[i].capitalized || word(i - 1) == "in" || word(i - 1) == "of")) continue;
      QuestionSpan s = span(i);
      s.value = m;
      r.month_spans.push_back(s);
      r.months.push_back(m);
    }
  }

  // Top-k: "top 5", "first 3", "bottom 2", "best 3", "worst 3" (the cue,
  // then the k) or "5 highest", "3 most expensive" (the k, then a
  // superlative); a year is never a k; the last one written counts. "top"
  // alone is 1. Which of these rank rows is the template engine's decision.
  static const std::set<std::string> kHeads = {"top", "first", "bottom", "best", "worst"};
  size_t claimed = toks.size();
  for (size_t i = 0; i < toks.size(); ++i) {
    if (kHeads.count(word(i)) && number(i + 1) && !is_year(toks[i + 1].number)) {
      r.top_k = static_cast<int>(toks[i + 1].number);
      r.top_k_cue = span(i);
      r.top_k_number = span(i + 1);
      claimed = i + 1;
    }
    if (number(i) && i != claimed && !is_year(toks[i].number) &&
        template_rules::lexicon::kSuperlatives.count(word(i + 1))) {
      r.top_k = static_cast<int>(toks[i].number);
      r.top_k_cue = span(i + 1);
      r.top_k_number = span(i);
    }
  }
  if (!r.top_k) {
    for (size_t i = 0; i < toks.size() && !r.top_k; ++i) {
      if (word(i) != "top") continue;
      r.top_k = 1;
      r.top_k_cue = span(i);
    }
  }

  // The words alone (no punctuation), for the phrases below.
  std::vector<size_t> at;
  for (size_t i = 0; i < toks.size(); ++i)
    if (toks[i].kind == QuestionTokenKind::kWord || number(i)) at.push_back(i);
  auto w = [&](size_t k) -> const std::string& { return toks[at[k]].lower; };
  auto joined = [&](size_t from, size_t n) {
    std::string out;
    for (size_t k = 0; k < n; ++k) out += (k ? " " : "") + w(from + k);
    return out;
  };
  auto time_like = [&](size_t k) { return number(at[k]) || month_number(w(k)) > 0; };
  std::string lowered = " " + joined(0, at.size()) + " ";
  for (const char* range : {"last year", "this year", "previous year", "last month", "this month", "last quarter",
                            "this quarter", "year to date", "ytd", "last week", "this week", "yesterday", "today"}) {
    if (lowered.find(std::string(" ") + range + " ") != std::string::npos) r.ranges.push_back(range);
  }
  for (size_t k = 0; k < at.size(); ++k) {
    if ((w(k) == "between" || w(k) == "from") && k + 3 < at.size() && (w(k + 2) == "and" || w(k + 2) == "to") &&
        time_like(k + 1))
      r.ranges.push_back(joined(k, 4));
    if (w(k) == "last" && k + 2 < at.size() && number(at[k + 1]) &&
        (w(k + 2).rfind("day", 0) == 0 || w(k + 2).rfind("month", 0) == 0 || w(k + 2).rfind("year", 0) == 0 ||
         w(k + 2).rfind("week", 0) == 0))
      r.ranges.push_back(joined(k, 3));
    if (w(k) == "since" && k + 1 < at.size()) r.ranges.push_back(joined(k, 2));
  }
  static const std::vector<std::vector<std::string>> kComparisons = {
      {"more", "than"}, {"greater", "than"}, {"less", "than"}, {"fewer", "than"}, {"at", "least"}, {"at", "most"},
      {"over"},         {"under"},           {"above"},        {"below"},         {"exceeding"},   {"before"},
      {"after"},        {"higher", "than"},  {"lower", "than"}};
  for (size_t k = 0; k < at.size(); ++k) {
    for (const auto& c : kComparisons) {
      if (k + c.size() >= at.size()) continue;
      bool match = true;
      for (size_t n = 0; n < c.size(); ++n) match = match && w(k + n) == c[n];
      if (match && time_like(k + c.size())) r.comparisons.push_back(joined(k, c.size() + 1));
    }
  }
  if (values) r.values = values->link(question);
  return r;
}

}  // namespace t2sql
