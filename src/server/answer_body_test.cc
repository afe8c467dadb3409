// write_answer_body against the document the server built before it (an
// nlohmann tree from ask_result_to_json's text), on answers of the real
// template engine over the demo warehouse and on made-up results that reach
// the corners (duplicate column names, non-finite reals, invalid UTF-8,
// errors, the SVG chart).
#include "server/answer_body.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

#include "t2sql/chart.h"
#include "t2sql/demo.h"
#include "testing/temp_path.h"

namespace t2sql {
namespace {

using nlohmann::json;

// The body as http_server.cc built it before write_answer_body (plus the
// meta.cached flag, which is new).
json reference_body(const AskResult& r, const std::string& mode, const std::string& model, const std::string& session,
                    bool svg, bool cached) {
  json body = json::parse(ask_result_to_json(r));
  json results = json::array();
  for (const auto& row : body["rows"]) {
    json obj = json::object();
    for (size_t c = 0; c < r.rows.columns.size() && c < row.size(); ++c) obj[r.rows.columns[c]] = row[c];
    results.push_back(std::move(obj));
  }
  json timings = json::object();
  for (const auto& s : r.stages) timings[s.name] = s.elapsed_ms;
  timings["total_ms"] = r.total_ms;
  json out = {{"sql", r.sql},
              {"results", std::move(results)},
              {"columns", body["columns"]},
              {"column_types", body["column_types"]},
              {"rows", body["rows"]},
              {"row_count", body["row_count"]},
              {"truncated", body["truncated"]},
              {"chart", body["chart"]},
              {"chart_kind", body["chart_kind"]},
              {"answer", r.answer},
              {"explanation", r.explanation},
              {"column_formats", body["column_formats"]},
              {"answered", r.answered},
              {"reason", r.reason},
              {"intent", intent_name(r.intent)},
              {"question", r.question},
              {"effective_question", r.effective_question},
              {"follow_up", r.follow_up},
              {"session", session},
              {"meta",
               {{"model", r.engine.empty() ? model : r.engine},
                {"mode", mode},
                {"cached", cached},
                {"rag_used", r.rag_used},
                {"stages", body["stages"]},
                {"timings", timings}}}};
  if (!r.error.ok()) out["error"] = r.error.message();
  if (body.contains("alternatives")) out["alternatives"] = body["alternatives"];
  if (svg && r.executed && r.chart.kind != ChartKind::kTable) out["chart_svg"] = render_chart_svg(r.chart, r.rows);
  return out;
}

void expect_same(const AskResult& r, bool svg, bool cached, const std::string& label) {
  AnswerBody b = write_answer_body(r, {.mode = "template", .model = "template", .svg = svg, .cached = cached});
  std::string text = b.with_session("0123abcd");
  json mine = json::parse(text, nullptr, false);
  ASSERT_FALSE(mine.is_discarded()) << label << ": not JSON: " << text.substr(0, 400);
  // The old body went out through json_text: invalid UTF-8 replaced.
  std::string ref = reference_body(r, "template", "template", "0123abcd", svg, cached)
                        .dump(-1, ' ', false, json::error_handler_t::replace);
  EXPECT_TRUE(mine == json::parse(ref)) << label << "\nmine: " << text.substr(0, 600)
                                        << "\nref:  " << ref.substr(0, 600);
  // Byte for byte, too: the same sorted keys and number format.
  EXPECT_EQ(text, ref) << label;
}

TEST(AnswerBody, SameDocumentAsBeforeForRealAnswers) {
  std::string path = t2sql::testing::own_temp_path("answer_body_demo.db");
  ASSERT_TRUE(create_demo_warehouse(path, true).ok());
  auto db = Database::open(path);
  ASSERT_TRUE(db.ok()) << db.status().message();
  auto pipeline = Pipeline::create(std::move(*db), PipelineOptions{});
  ASSERT_TRUE(pipeline.ok()) << pipeline.status().message();
  for (const std::string q :
       {"What were total sales in 2023?", "Sales comparison 2023 vs 2024", "Top 5 brands by revenue",
        "Active stores by region", "Monthly sales in 2024", "What tables are there?", "drop table sales", "hello",
        "zzqx blorf", "sales by region \xff\xfe", "   "}) {
    Session session;
    AskResult r = (*pipeline)->ask(q, &session, {});
    expect_same(r, false, false, q);
    expect_same(r, true, true, q + " (svg, cached)");
  }
}

TEST(AnswerBody, SameDocumentAsBeforeInTheCorners) {
  AskResult r;
  r.question = "bad \xc3\x28 bytes \"quoted\" \\ and \t tab";
  r.effective_question = r.question;
  r.sql = "SELECT 1 AS a, 2 AS a, 'x' AS \"b\"";
  r.executed = true;
  r.answered = true;
  r.rows.columns = {"a", "a", "b", "\xe2\x82\xac", "n", "d"};
  r.rows.column_types = {ValueType::kInteger, ValueType::kReal, ValueType::kText,
                         ValueType::kBlob,    ValueType::kReal, ValueType::kDate};
  r.rows.rows = {{Value::integer(-9223372036854775807LL), Value::real(0.1), Value::text("caf\xc3\xa9"),
                  Value::text("\x01\x02", ValueType::kBlob), Value::real(std::numeric_limits<double>::infinity()),
                  Value::text("2024-01-31", ValueType::kDate)},
                 {Value::null(), Value::real(1e300), Value::text("\xff"), Value::boolean(true),
                  Value::real(std::nan("")), Value::null()},
                 {Value::integer(3)}};
  r.chart = choose_chart(r.rows, r.question);
  r.chart_vega_lite = chart_to_vega_lite(r.chart, r.rows);
  r.stages = {{"intent", "ok", R"({"intent":"data"})", 0.25},
              {"repair", "failed", "", 1.0 / 3},
              {"repair", "ok", "not json {", 2.5}};
  r.total_ms = 12.0;
  r.error = deadline_exceeded("the query ran past 1000 ms");
  r.answer = "line with \n newline";
  expect_same(r, false, false, "corners");
  expect_same(r, true, true, "corners, svg");
}

}  // namespace
}  // namespace t2sql
