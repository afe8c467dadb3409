#include "pipeline/answer_summarizer.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "chart/column_profile.h"
#include "pipeline/intent_classifier.h"

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

std::string cell_text(const Value& v) {
  if (v.is_null()) return "nothing (NULL)";
  if (v.is_number() && v.type != ValueType::kBoolean) {
    double d = v.as_double();
    // Counts and small numbers exactly; large ones short.
    if (v.type == ValueType::kInteger && std::abs(d) < 1e6) return v.to_string();
    return short_number(d);
  }
  return v.to_string();
}

std::string single_value(const std::string& question, const ResultSet& rows) {
  std::string q = trim_question(question);
  std::string value = cell_text(rows.rows[0][0]);
  // "What were total sales in 2023" -> "Total sales in 2023 were 12.4M".
  static const std::vector<std::pair<std::string, std::string>> kWhat = {
      {"what were the ", "were"}, {"what was the ", "was"}, {"what are the ", "are"}, {"what is the ", "is"},
      {"what were ", "were"},     {"what was ", "was"},     {"what are ", "are"},     {"what is ", "is"},
      {"what's the ", "is"},      {"what's ", "is"},        {"how much was ", "was"}, {"how much is ", "is"},
      {"how much were ", "were"}, {"how much are ", "are"}};
  for (const auto& [prefix, verb] : kWhat) {
    if (starts_with_ci(q, prefix)) return capitalize(q.substr(prefix.size())) + " " + verb + " " + value;
  }
  // "How many stores are in the North region" -> "12 stores are in the North region".
  if (starts_with_ci(q, "how many ")) {
    std::string rest = q.substr(9);
    for (const char* aux : {" are ", " were ", " is ", " was ", " have ", " had "}) {
      if (rest.find(aux) != std::string::npos) return value + " " + rest;
    }
    return "Count: " + value + " (" + q + ")";
  }
  for (const char* lead : {"show me the ", "show me ", "show the ", "show ", "give me the ", "give me ", "tell me the ",
                           "tell me ", "find the ", "find ", "get the ", "get ", "list the ", "list "}) {
    if (starts_with_ci(q, lead)) {
      q = q.substr(std::string(lead).size());
      break;
    }
  }
  return capitalize(q) + ": " + value;
}

}  // namespace

std::string summarize_answer(const std::string& question, const ResultSet& rows) {
  if (rows.columns.empty()) return "The query returned no columns.";
  if (rows.rows.empty()) return "No rows match the question.";
  if (rows.rows.size() == 1 && rows.columns.size() == 1) return single_value(question, rows);
  auto profiles = profile_columns(rows);
  if (rows.rows.size() == 1) {
    std::string out;
    for (size_t c = 0; c < rows.columns.size() && c < 5; ++c)
      out += (c ? ", " : "") + rows.columns[c] + ": " + cell_text(rows.rows[0][c]);
    if (rows.columns.size() > 5) out += ", ...";
    return out;
  }
  int label = -1, measure = -1, time = -1;
  for (size_t c = 0; c < profiles.size(); ++c) {
    if (profiles[c].role == ColumnRole::kCategory && label < 0) label = static_cast<int>(c);
    if (profiles[c].role == ColumnRole::kTime && time < 0) time = static_cast<int>(c);
    if (profiles[c].role == ColumnRole::kMeasure && measure < 0) measure = static_cast<int>(c);
  }
  std::string count = std::to_string(rows.rows.size()) + (rows.truncated ? "+" : "") + " rows";
  if (time >= 0 && label < 0 && measure >= 0 && rows.rows.size() >= 3) {
    size_t peak = 0;
    for (size_t r = 1; r < rows.rows.size(); ++r)
      if (rows.rows[r][measure].as_double() > rows.rows[peak][measure].as_double()) peak = r;
    const auto& first = rows.rows.front();
    const auto& last = rows.rows.back();
    return capitalize(rows.columns[measure]) + " went from " + cell_text(first[measure]) + " (" +
           cell_text(first[time]) + ") to " + cell_text(last[measure]) + " (" + cell_text(last[time]) +
           "); the peak was " + cell_text(rows.rows[peak][measure]) + " in " + cell_text(rows.rows[peak][time]) + " (" +
           count + ").";
  }
  int key = label >= 0 ? label : time;
  if (key >= 0 && measure >= 0) {
    size_t hi = 0, lo = 0;
    for (size_t r = 1; r < rows.rows.size(); ++r) {
      double v = rows.rows[r][measure].as_double();
      if (v > rows.rows[hi][measure].as_double()) hi = r;
      if (v < rows.rows[lo][measure].as_double()) lo = r;
    }
    return "Highest " + rows.columns[measure] + ": " + cell_text(rows.rows[hi][key]) + " (" +
           cell_text(rows.rows[hi][measure]) + "); lowest: " + cell_text(rows.rows[lo][key]) + " (" +
           cell_text(rows.rows[lo][measure]) + "); " + count + ".";
  }
  std::string firsts;
  int shown = 0;
  int col = label >= 0 ? label : 0;
  for (size_t r = 0; r < rows.rows.size() && shown < 3; ++r, ++shown)
    firsts += (shown ? ", " : "") + cell_text(rows.rows[r][col]);
  return count + ": " + firsts + (rows.rows.size() > 3 ? ", ..." : "") + ".";
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
