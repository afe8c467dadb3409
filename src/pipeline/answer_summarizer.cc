#include "pipeline/answer_summarizer.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "chart/column_profile.h"
#include "pipeline/intent_classifier.h"
#include "schema/identifier_words.h"
#include "t2sql/number_format.h"

namespace t2sql {

namespace {

std::string trim_question(std::string q) {
  while (!q.empty() &&
         (std::isspace(static_cast<unsigned char>(q.back())) || q.back() == '?' || q.back() == '.' || q.back() == '!'))
    q.pop_back();
  size_t start = 0;
  while (start < q.size() && std::isspace(static_cast<unsigned char>(q[start]))) ++start;
  return q.substr(start);
}

std::string capitalize(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

bool starts_with_ci(const std::string& s, const std::string& prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ' ') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::string join_words(const std::vector<std::string>& words, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to && i < words.size(); ++i) out += (out.empty() ? "" : " ") + words[i];
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A verb after "does": "sell" -> "sells", "carry" -> "carries", "watch" -> "watches".
std::string third_person(const std::string& verb) {
  if (verb == "have") return "has";
  if (verb == "do") return "does";
  if (verb == "go") return "goes";
  if (verb.size() > 1 && verb.back() == 'y' && !std::strchr("aeiou", verb[verb.size() - 2]))
    return verb.substr(0, verb.size() - 1) + "ies";
  for (const char* tail : {"s", "sh", "ch", "x", "z", "o"})
    if (ends_with(verb, tail)) return verb + "es";
  return verb + "s";
}

// A verb after "did"; "" when the regular rule may be wrong (doubled consonants).
std::string past_tense(const std::string& verb) {
  static const std::map<std::string, std::string> kIrregular = {
      {"sell", "sold"},   {"buy", "bought"}, {"make", "made"},  {"have", "had"},   {"get", "got"},
      {"take", "took"},   {"win", "won"},    {"give", "gave"},  {"do", "did"},     {"see", "saw"},
      {"pay", "paid"},    {"spend", "spent"}, {"send", "sent"}, {"write", "wrote"}, {"teach", "taught"},
      {"lose", "lost"},   {"hold", "held"},  {"run", "ran"},    {"come", "came"},  {"go", "went"},
      {"build", "built"}, {"meet", "met"},   {"read", "read"},  {"leave", "left"}, {"bring", "brought"},
      {"sing", "sang"},   {"drive", "drove"}, {"fly", "flew"},  {"grow", "grew"},  {"ship", "shipped"},
      {"get", "got"},     {"put", "put"},    {"cost", "cost"},  {"set", "set"},    {"let", "let"}};
  if (auto it = kIrregular.find(verb); it != kIrregular.end()) return it->second;
  if (verb.size() < 2) return "";
  if (verb.back() == 'e') return verb + "d";
  char before = verb[verb.size() - 2];
  if (verb.back() == 'y' && !std::strchr("aeiou", before)) return verb.substr(0, verb.size() - 1) + "ied";
  // "stop" -> "stopped" but "visit" -> "visited": not decidable from spelling.
  if (!std::strchr("aeiouwxy", verb.back()) && std::strchr("aeiou", before) &&
      (verb.size() < 3 || !std::strchr("aeiou", verb[verb.size() - 3])))
    return "";
  return verb + "ed";
}

std::string singular_phrase(const std::vector<std::string>& noun) {
  if (noun.empty()) return "";
  std::vector<std::string> out = noun;
  std::string& last = out.back();
  std::string s = singular_word(last);
  if (!s.empty() && std::islower(static_cast<unsigned char>(last[0]))) last = s;
  return join_words(out, 0, out.size());
}

// "how many <rest>" with its count as a sentence.
std::string how_many_sentence(const std::string& rest, const std::string& value, bool one) {
  auto w = split_words(rest);
  // "singers are there (in France)" -> "There are 6 singers (in France)".
  for (size_t i = 1; i + 1 < w.size(); ++i) {
    std::string aux = lower(w[i]);
    if ((aux == "are" || aux == "is" || aux == "were" || aux == "was") && lower(w[i + 1]) == "there") {
      std::vector<std::string> noun(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(i));
      bool past = aux == "were" || aux == "was";
      std::string verb = one ? (past ? "was" : "is") : (past ? "were" : "are");
      std::string after = join_words(w, i + 2, w.size());
      return "There " + verb + " " + value + " " + (one ? singular_phrase(noun) : join_words(noun, 0, noun.size())) +
             (after.empty() ? "" : " " + after);
    }
  }
  // "products do we sell (in 2024)" -> "We sell 102,277 products (in 2024)".
  for (size_t i = 1; i + 2 < w.size(); ++i) {
    std::string aux = lower(w[i]);
    if (aux != "do" && aux != "does" && aux != "did") continue;
    std::string subject = w[i + 1];
    size_t v = i + 2;
    static const std::set<std::string> kDeterminers = {"the", "a",     "an",  "this", "that", "our", "their",
                                                       "my",  "your", "his", "her",  "its",  "each"};
    if (kDeterminers.count(lower(subject)) && v + 1 < w.size()) subject += " " + w[v++];
    std::string verb = lower(w[v]);
    std::string said = aux == "do" ? verb : aux == "does" ? third_person(verb) : past_tense(verb);
    if (said.empty()) said = "did " + verb;
    std::vector<std::string> noun(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(i));
    std::string after = join_words(w, v + 1, w.size());
    return capitalize(subject) + " " + said + " " + value + " " +
           (one ? singular_phrase(noun) : join_words(noun, 0, noun.size())) + (after.empty() ? "" : " " + after);
  }
  // "stores are in the North region" -> "12 stores are in the North region".
  for (size_t i = 1; i < w.size(); ++i) {
    std::string aux = lower(w[i]);
    if (aux == "are" || aux == "were" || aux == "is" || aux == "was" || aux == "have" || aux == "had") {
      std::vector<std::string> noun(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(i));
      std::string verb = w[i];
      if (one && aux == "are") verb = "is";
      if (one && aux == "were") verb = "was";
      if (one && aux == "have") verb = "has";
      if (!one && aux == "is") verb = "are";
      if (!one && aux == "was") verb = "were";
      if (!one && aux == "has") verb = "have";
      return value + " " + (one ? singular_phrase(noun) : join_words(noun, 0, noun.size())) + " " + verb +
             (i + 1 < w.size() ? " " + join_words(w, i + 1, w.size()) : "");
    }
  }
  // "stores in the North region" -> "Stores in the North region: 12".
  return capitalize(rest) + ": " + value;
}

// Shows cells the way the table does (number_format.h).
class CellWriter {
 public:
  CellWriter(const ResultSet& rows, const std::string& question)
      : rows_(rows), formats_(column_formats(rows)), question_words_(split_words(lower(question))) {
    for (auto& w : question_words_)
      while (!w.empty() && !std::isalnum(static_cast<unsigned char>(w.back()))) w.pop_back();
  }

  std::string cell(size_t r, size_t c) const {
    const Value& v = rows_.rows[r][c];
    if (v.is_null()) return "no value";
    return format_number_cell(v, formats_[c]);
  }
  std::string number(double v, size_t c) const {
    ColumnFormat f = formats_[c];
    if (f.kind == NumberKind::kPlain || f.kind == NumberKind::kText) f = {NumberKind::kDecimal, 2, true, "", true};
    if (f.decimals == 0 && v != std::floor(v)) f.decimals = 2;
    return format_number(v, f.decimals, f.thousands) + f.suffix;
  }
  const ColumnFormat& format(size_t c) const { return formats_[c]; }

  // The column in words, with the question's own word where it names the
  // same thing: "total_amount" asked as "total revenue" -> "total revenue".
  std::string name(size_t c) const {
    auto words = split_words(readable_column_name(rows_.columns[c]));
    for (auto& w : words) {
      if (!std::isalpha(static_cast<unsigned char>(w[0]))) continue;
      std::string lw = lower(w);
      if (std::find(question_words_.begin(), question_words_.end(), lw) != question_words_.end()) continue;
      for (const auto& q : question_words_) {
        if (q.size() < 3 || is_stop_word(normalize_word(q))) continue;
        if (normalize_word(q) == normalize_word(lw)) break;  // "stores" for "store": no better word
        if (same_meaning(lw, q)) {
          w = q;
          break;
        }
      }
    }
    return join_words(words, 0, words.size());
  }

 private:
  const ResultSet& rows_;
  std::vector<ColumnFormat> formats_;
  std::vector<std::string> question_words_;
};

bool hints_comparison(const std::string& question) {
  std::string q = " " + lower(question) + " ";
  for (const char* w : {" vs", " versus ", "compar", " differ", " change", " growth", " grew ", " against "})
    if (q.find(w) != std::string::npos) return true;
  return false;
}

// "up 469.00 (+6.1%)", "down 3 (-20.0%)", "the same".
std::string change_text(double from, double to, const CellWriter& w, size_t c) {
  double diff = to - from;
  if (diff == 0) return "the same";
  std::string out = std::string(diff > 0 ? "up " : "down ") + w.number(std::fabs(diff), c);
  if (from != 0 && std::isfinite(from)) {
    char pct[32];
    std::snprintf(pct, sizeof pct, "%+.1f%%", 100.0 * diff / std::fabs(from));
    out += " (" + std::string(pct) + ")";
  }
  return out;
}

std::string single_value(const std::string& question, const ResultSet& rows) {
  std::string q = trim_question(question);
  CellWriter w(rows, question);
  std::string value = w.cell(0, 0);
  // "What were total sales in 2023" -> "Total sales in 2023 were 12,400,000.00".
  static const std::vector<std::pair<std::string, std::string>> kWhat = {
      {"what were the ", "were"}, {"what was the ", "was"}, {"what are the ", "are"}, {"what is the ", "is"},
      {"what were ", "were"},     {"what was ", "was"},     {"what are ", "are"},     {"what is ", "is"},
      {"what's the ", "is"},      {"what's ", "is"},        {"how much was ", "was"}, {"how much is ", "is"},
      {"how much were ", "were"}, {"how much are ", "are"}};
  for (const auto& [prefix, verb] : kWhat) {
    if (starts_with_ci(q, prefix)) return capitalize(q.substr(prefix.size())) + " " + verb + " " + value + ".";
  }
  if (starts_with_ci(q, "how many ")) {
    const Value& v = rows.rows[0][0];
    bool one = v.is_number() && v.as_double() == 1;
    return how_many_sentence(q.substr(9), value, one) + ".";
  }
  for (const char* lead : {"show me the ", "show me ", "show the ", "show ", "give me the ", "give me ", "tell me the ",
                           "tell me ", "find the ", "find ", "get the ", "get ", "list the ", "list "}) {
    if (starts_with_ci(q, lead)) {
      q = q.substr(std::string(lead).size());
      break;
    }
  }
  return capitalize(q) + ": " + value + ".";
}

// "N rows" with the row cap's "+" when the result was cut.
std::string row_count(const ResultSet& rows) {
  return std::to_string(rows.rows.size()) + (rows.truncated ? "+" : "") + (rows.rows.size() == 1 ? " row" : " rows");
}

}  // namespace

std::string summarize_answer(const std::string& question, const ResultSet& rows) {
  if (rows.columns.empty()) return "The query returned no columns.";
  if (rows.rows.empty()) return "No rows match the question.";
  if (rows.rows.size() == 1 && rows.columns.size() == 1) return single_value(question, rows);
  CellWriter w(rows, question);
  auto profiles = profile_columns(rows);
  std::vector<size_t> measures;
  for (size_t c = 0; c < profiles.size(); ++c)
    if (profiles[c].role == ColumnRole::kMeasure) measures.push_back(c);
  if (rows.rows.size() == 1) {
    std::string out;
    for (size_t c = 0; c < rows.columns.size() && c < 5; ++c)
      out += (c ? "; " + w.name(c) : capitalize(w.name(c))) + ": " + w.cell(0, c);
    if (rows.columns.size() > 5) out += "; and " + std::to_string(rows.columns.size() - 5) + " more columns";
    // "sales_2023, sales_2024" asked as a comparison: the difference too.
    if (measures.size() == 2 && rows.columns.size() == 2 && hints_comparison(question)) {
      double a = rows.rows[0][measures[0]].as_double(), b = rows.rows[0][measures[1]].as_double();
      out += "; " + w.name(measures[1]) + " is " + change_text(a, b, w, measures[1]) + " compared with " +
             w.name(measures[0]);
    }
    return out + ".";
  }
  // Labels: categories that are names rather than ids when there are both
  // (store_name, not store_id), at most two of them ("North, 2024").
  std::vector<size_t> labels, ids;
  int time = -1;
  for (size_t c = 0; c < profiles.size(); ++c) {
    if (profiles[c].role == ColumnRole::kTime && time < 0) time = static_cast<int>(c);
    if (profiles[c].role != ColumnRole::kCategory) continue;
    (w.format(c).kind == NumberKind::kPlain ? ids : labels).push_back(c);
  }
  if (labels.empty()) labels = ids;
  if (labels.size() > 2) labels.resize(2);
  int measure = measures.empty() ? -1 : static_cast<int>(measures[0]);
  auto label_of = [&](size_t r) {
    std::string out;
    for (size_t c : labels) out += (out.empty() ? "" : ", ") + w.cell(r, c);
    if (time >= 0 && !labels.empty()) out += " in " + w.cell(r, static_cast<size_t>(time));
    return out;
  };
  std::string count = row_count(rows);
  if (time >= 0 && labels.empty() && measure >= 0 && rows.rows.size() >= 2) {
    size_t t = static_cast<size_t>(time), m = static_cast<size_t>(measure);
    const auto& first = rows.rows.front();
    const auto& last = rows.rows.back();
    std::string out = capitalize(w.name(m)) + " went from " + w.cell(0, m) + " in " + w.cell(0, t) + " to " +
                      w.cell(rows.rows.size() - 1, m) + " in " + w.cell(rows.rows.size() - 1, t) + ", " +
                      change_text(first[m].as_double(), last[m].as_double(), w, m);
    if (rows.rows.size() >= 3) {
      size_t peak = 0;
      for (size_t r = 1; r < rows.rows.size(); ++r)
        if (rows.rows[r][m].as_double() > rows.rows[peak][m].as_double()) peak = r;
      out += "; the peak was " + w.cell(peak, m) + " in " + w.cell(peak, t);
    }
    return out + " (" + count + ").";
  }
  if (!labels.empty() && measure >= 0) {
    size_t m = static_cast<size_t>(measure);
    if (rows.rows.size() == 2) {
      // A comparison of two: both values, the difference and the percentage.
      double a = rows.rows[0][m].as_double(), b = rows.rows[1][m].as_double();
      return capitalize(w.name(m)) + ": " + label_of(0) + " " + w.cell(0, m) + ", " + label_of(1) + " " +
             w.cell(1, m) + "; " + label_of(1) + " is " + change_text(a, b, w, m) + " compared with " + label_of(0) +
             ".";
    }
    size_t hi = 0, lo = 0;
    for (size_t r = 1; r < rows.rows.size(); ++r) {
      double v = rows.rows[r][m].as_double();
      if (v > rows.rows[hi][m].as_double()) hi = r;
      if (v < rows.rows[lo][m].as_double()) lo = r;
    }
    return "Highest " + w.name(m) + ": " + label_of(hi) + " (" + w.cell(hi, m) + "); lowest: " + label_of(lo) + " (" +
           w.cell(lo, m) + "); " + count + ".";
  }
  size_t col = labels.empty() ? 0 : labels[0];
  std::string firsts;
  size_t shown = std::min<size_t>(3, rows.rows.size());
  for (size_t r = 0; r < shown; ++r) firsts += (r ? ", " : "") + w.cell(r, col);
  std::string more;
  if (rows.rows.size() > shown || rows.truncated)
    more = rows.truncated ? " and more" : " and " + std::to_string(rows.rows.size() - shown) + " more";
  return count + ": " + firsts + more + ".";
}

SchemaAnswer answer_schema_question(const std::string& question, const Catalog& catalog) {
  SchemaAnswer out;
  auto words = question_words(question);
  // A named table gets its columns; otherwise every table with its size.
  const TableInfo* named = nullptr;
  for (const auto& w : words) {
    if (const TableInfo* t = catalog.find_table(w))
      named = t;
    else if (w.size() > 1 && w.back() == 's') {
      if (const TableInfo* t2 = catalog.find_table(w.substr(0, w.size() - 1))) named = t2;
    }
    if (!named) {
      if (const TableInfo* t3 = catalog.find_table(w + "s")) named = t3;
    }
  }
  if (named) {
    out.rows.columns = {"column", "type", "key", "references"};
    out.rows.column_types = {ValueType::kText, ValueType::kText, ValueType::kText, ValueType::kText};
    for (const auto& c : named->columns) {
      std::string refs;
      for (const auto& fk : named->foreign_keys)
        for (size_t i = 0; i < fk.columns.size() && i < fk.ref_columns.size(); ++i)
          if (fk.columns[i] == c.name) refs = fk.ref_table + "." + fk.ref_columns[i];
      out.rows.rows.push_back({Value::text(c.name), Value::text(c.declared_type),
                               Value::text(c.primary_key ? "primary key" : ""), Value::text(refs)});
    }
    out.answer = "Table " + named->name + " has " + std::to_string(named->columns.size()) + " columns and " +
                 std::to_string(named->row_count) + " rows.";
    return out;
  }
  out.rows.columns = {"table", "columns", "rows"};
  out.rows.column_types = {ValueType::kText, ValueType::kText, ValueType::kInteger};
  std::string names;
  for (const auto& t : catalog.tables) {
    std::string cols;
    for (const auto& c : t.columns) cols += (cols.empty() ? "" : ", ") + c.name;
    out.rows.rows.push_back({Value::text(t.name), Value::text(cols), Value::integer(t.row_count)});
    names += (names.empty() ? "" : ", ") + t.name;
  }
  out.answer = "The database has " + std::to_string(catalog.tables.size()) + " tables: " + names + ".";
  return out;
}

}  // namespace t2sql
