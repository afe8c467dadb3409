#include "server/answer_body.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <vector>

#include "format/json_text.h"
#include "t2sql/chart.h"
#include "t2sql/number_format.h"

namespace t2sql {

namespace {

using nlohmann::json;

// True when `s` can be written between quotes as it is: printable ASCII
// without '"' or '\\' (what nearly every name, SQL text and value is).
bool plain_ascii(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') return false;
  return true;
}

void append_double(std::string& out, double d) {
  // nlohmann's number format (shortest round trip, "1.0" for whole numbers),
  // as the tree this writer replaces produced; non-finite numbers are null.
  out += json(d).dump();
}

void append_int(std::string& out, long long v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

void append_value(std::string& out, const Value& v) {
  switch (v.type) {
    case ValueType::kNull: out += "null"; return;
    case ValueType::kInteger: append_int(out, std::get<int64_t>(v.data)); return;
    case ValueType::kBoolean: out += std::get<int64_t>(v.data) != 0 ? "true" : "false"; return;
    case ValueType::kReal: {
      double d = std::get<double>(v.data);
      if (std::isfinite(d))
        append_double(out, d);
      else
        out += "null";
      return;
    }
    default: append_json_string(out, v.to_string());
  }
}

// JSON text another part of t2sql wrote with json_text (a stage's output, the
// chart spec): spliced as it is when it parses, else `fallback`.
void append_raw(std::string& out, const std::string& text, const char* fallback) {
  if (!text.empty() && json::accept(text))
    out += text;
  else
    out += fallback;
}

void key(std::string& out, const char* name) {
  out += '"';
  out += name;
  out += "\":";
}

}  // namespace

void append_json_string(std::string& out, const std::string& s) {
  if (plain_ascii(s)) {
    out += '"';
    out += s;
    out += '"';
    return;
  }
  out += json_text(json(s));
}

std::string AnswerBody::with_session(const std::string& session_id) const {
  std::string out;
  out.reserve(before_session.size() + after_session.size() + session_id.size() + 2);
  out += before_session;
  append_json_string(out, session_id);
  out += after_session;
  return out;
}

AnswerBody write_answer_body(const AskResult& r, const AnswerBodyOptions& o) {
  // Keys in byte order, as std::map-backed JSON objects write them.
  std::string out;
  out.reserve(2048 + r.rows.rows.size() * r.rows.columns.size() * 24);
  out += '{';
  if (!r.alternatives.empty()) {
    key(out, "alternatives");
    out += '[';
    for (size_t i = 0; i < r.alternatives.size(); ++i) {
      if (i) out += ',';
      out += '{';
      key(out, "description");
      append_json_string(out, r.alternatives[i].description);
      out += ',';
      key(out, "sql");
      append_json_string(out, r.alternatives[i].sql);
      out += '}';
    }
    out += "],";
  }
  key(out, "answer");
  append_json_string(out, r.answer);
  out += ',';
  key(out, "answered");
  out += r.answered ? "true" : "false";
  out += ',';
  key(out, "chart");
  append_raw(out, r.chart_vega_lite, "null");
  out += ',';
  key(out, "chart_kind");
  append_json_string(out, chart_kind_name(r.chart.kind));
  if (o.svg && r.executed && r.chart.kind != ChartKind::kTable) {
    out += ',';
    key(out, "chart_svg");
    append_json_string(out, render_chart_svg(r.chart, r.rows));
  }
  out += ',';
  key(out, "column_formats");
  append_raw(out, column_formats_to_json(column_formats(r.rows)), "[]");
  out += ',';
  key(out, "column_types");
  out += '[';
  for (size_t i = 0; i < r.rows.column_types.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, value_type_name(r.rows.column_types[i]));
  }
  out += "],";
  key(out, "columns");
  out += '[';
  for (size_t i = 0; i < r.rows.columns.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, r.rows.columns[i]);
  }
  out += "],";
  key(out, "effective_question");
  append_json_string(out, r.effective_question);
  if (!r.error.ok()) {
    out += ',';
    key(out, "error");
    append_json_string(out, r.error.message());
  }
  out += ',';
  key(out, "explanation");
  append_json_string(out, r.explanation);
  out += ',';
  key(out, "follow_up");
  out += r.follow_up ? "true" : "false";
  out += ',';
  key(out, "intent");
  append_json_string(out, intent_name(r.intent));
  out += ',';

  key(out, "meta");
  out += '{';
  key(out, "cached");
  out += o.cached ? "true" : "false";
  out += ',';
  key(out, "mode");
  append_json_string(out, o.mode);
  out += ',';
  key(out, "model");
  append_json_string(out, r.engine.empty() ? o.model : r.engine);
  out += ',';
  key(out, "rag_used");
  out += r.rag_used ? "true" : "false";
  out += ',';
  key(out, "stages");
  out += '[';
  std::map<std::string, double> timings;
  for (size_t i = 0; i < r.stages.size(); ++i) {
    const StageRecord& s = r.stages[i];
    if (i) out += ',';
    out += '{';
    key(out, "elapsed_ms");
    append_double(out, s.elapsed_ms);
    out += ',';
    key(out, "name");
    append_json_string(out, s.name);
    out += ',';
    key(out, "output");
    if (s.output_json.empty())
      out += "{}";
    else if (json::accept(s.output_json))
      out += s.output_json;
    else
      append_json_string(out, s.output_json);
    out += ',';
    key(out, "status");
    append_json_string(out, s.status);
    out += '}';
    timings[s.name] = s.elapsed_ms;
  }
  timings["total_ms"] = r.total_ms;
  out += "],";
  key(out, "timings");
  out += '{';
  bool first = true;
  for (const auto& [name, ms] : timings) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, name);
    out += ':';
    append_double(out, ms);
  }
  out += "}},";

  key(out, "question");
  append_json_string(out, r.question);
  out += ',';
  key(out, "reason");
  append_json_string(out, r.reason);
  out += ',';

  // One object per row, its keys in byte order; of two columns with the same
  // name the later one's value stands (as assigning into an object did), of
  // those the row has.
  key(out, "results");
  out += '[';
  std::map<std::string, std::vector<size_t>> by_name;
  for (size_t c = 0; c < r.rows.columns.size(); ++c) by_name[r.rows.columns[c]].push_back(c);
  std::vector<std::pair<std::string, const std::vector<size_t>*>> order;
  for (const auto& [name, columns] : by_name) {
    std::string k;
    append_json_string(k, name);
    order.emplace_back(std::move(k), &columns);
  }
  for (size_t i = 0; i < r.rows.rows.size(); ++i) {
    const auto& row = r.rows.rows[i];
    if (i) out += ',';
    out += '{';
    bool first_cell = true;
    for (const auto& [k, columns] : order) {
      size_t c = columns->back();
      if (c >= row.size()) {
        auto it = std::lower_bound(columns->begin(), columns->end(), row.size());
        if (it == columns->begin()) continue;
        c = *std::prev(it);
      }
      if (!first_cell) out += ',';
      first_cell = false;
      out += k;
      out += ':';
      append_value(out, row[c]);
    }
    out += '}';
  }
  out += "],";
  key(out, "row_count");
  append_int(out, static_cast<long long>(r.rows.rows.size()));
  out += ',';
  key(out, "rows");
  out += '[';
  for (size_t i = 0; i < r.rows.rows.size(); ++i) {
    if (i) out += ',';
    out += '[';
    const auto& row = r.rows.rows[i];
    for (size_t c = 0; c < row.size(); ++c) {
      if (c) out += ',';
      append_value(out, row[c]);
    }
    out += ']';
  }
  out += "],";
  key(out, "session");

  AnswerBody body;
  body.before_session = std::move(out);
  std::string& tail = body.after_session;
  tail += ',';
  key(tail, "sql");
  append_json_string(tail, r.sql);
  tail += ',';
  key(tail, "truncated");
  tail += r.rows.truncated ? "true" : "false";
  tail += '}';
  return body;
}

}  // namespace t2sql
