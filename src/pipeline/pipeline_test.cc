// Pipeline logic over the real demo warehouse (SQLite). Generation is a small
// scripted Generator here, so that each test controls what the "model" says;
// the end-to-end tests in tests/integration use the real engines.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>

#include "db/shared_value_index.h"
#include "generate/question_reading.h"
#include "pipeline/answer_summarizer.h"
#include "pipeline/entity_extractor.h"
#include "pipeline/follow_up_resolver.h"
#include "pipeline/intent_classifier.h"
#include "pipeline/lexical_retriever.h"
#include "pipeline/vector_context_retriever.h"
#include "t2sql/demo.h"
#include "t2sql/number_format.h"
#include "t2sql/pipeline.h"
#include "t2sql/prompt.h"
#include "testing/temp_path.h"

namespace t2sql {
namespace {

using nlohmann::json;

// Answers from a script: question -> list of SQL, one per call (the last one
// repeats). Records every request it saw.
class ScriptedGenerator : public Generator {
 public:
  explicit ScriptedGenerator(std::map<std::string, std::vector<std::string>> script, std::string name = "scripted")
      : script_(std::move(script)), name_(std::move(name)) {}
  std::string name() const override { return name_; }
  Result<GenerationResult> generate(const GenerationRequest& request) override {
    requests.push_back(request);
    std::string key = request.question.substr(0, request.question.find('\n'));
    GenerationResult r;
    r.engine = name_;
    auto it = script_.find(key);
    if (it == script_.end()) {
      r.reason = "no script for '" + key + "'";
      return r;
    }
    size_t& n = calls_[key];
    r.sql = it->second[std::min(n, it->second.size() - 1)];
    ++n;
    r.answered = true;
    r.confidence = 0.9;
    r.attempts = attempts;
    r.candidates = candidates;
    r.vote_differs_from_greedy = !candidates.empty() && !candidates[0].chosen;
    return r;
  }
  std::vector<GenerationRequest> requests;
  std::vector<GenerationAttempt> attempts;  // reported with every answer
  std::vector<VoteCandidate> candidates;    // likewise

 private:
  std::map<std::string, std::vector<std::string>> script_;
  std::map<std::string, size_t> calls_;
  std::string name_;
};

class PipelineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    path_ = t2sql::testing::own_temp_path("pipeline_test_demo.db");
    ASSERT_TRUE(create_demo_warehouse(path_, true).ok());
  }
  std::unique_ptr<Pipeline> make(std::map<std::string, std::vector<std::string>> script, PipelineOptions options = {},
                                 ScriptedGenerator** out = nullptr) {
    auto db = Database::open(path_);
    EXPECT_TRUE(db.ok());
    auto gen = std::make_unique<ScriptedGenerator>(std::move(script), options.generator.mode);
    if (out) *out = gen.get();
    auto p = Pipeline::create(std::move(*db), options, std::move(gen));
    EXPECT_TRUE(p.ok()) << p.status().message();
    return p.ok() ? std::move(*p) : nullptr;
  }
  Catalog catalog() {
    auto db = Database::open(path_);
    return *(*db)->catalog();
  }
  static const StageRecord* stage(const AskResult& r, const std::string& name) {
    for (const auto& s : r.stages)
      if (s.name == name) return &s;
    return nullptr;
  }
  static std::string path_;
};
std::string PipelineTest::path_;

const char* kTotal2023 =
    "SELECT ROUND(SUM(amount), 2) AS total_sales FROM sales WHERE strftime('%Y', sale_date) = '2023'";
const char* kTotal2024 =
    "SELECT ROUND(SUM(amount), 2) AS total_sales FROM sales WHERE strftime('%Y', sale_date) = '2024'";

TEST_F(PipelineTest, EveryStageIsTracedInOrderWithItsTime) {
  auto p = make({{"What were total sales in 2023?", {kTotal2023}}});
  AskResult r = p->ask("What were total sales in 2023?");
  ASSERT_TRUE(r.answered) << r.reason;
  ASSERT_EQ(r.stages.size(), Pipeline::stage_names().size());
  for (size_t i = 0; i < r.stages.size(); ++i) {
    EXPECT_EQ(r.stages[i].name, Pipeline::stage_names()[i]);
    EXPECT_GE(r.stages[i].elapsed_ms, 0);
    EXPECT_FALSE(json::parse(r.stages[i].output_json).is_discarded());
  }
  EXPECT_EQ(stage(r, "retrieval")->status, "skipped");  // RAG is off by default
  EXPECT_EQ(stage(r, "repair")->status, "skipped");     // nothing to repair
  EXPECT_EQ(stage(r, "execution")->status, "ok");
  ASSERT_EQ(r.rows.rows.size(), 1u);
  // The answer quotes the number the database returned, as the table shows it.
  double total = r.rows.rows[0][0].as_double();
  EXPECT_GT(total, 1e6);
  EXPECT_EQ(r.answer, "Total sales in 2023 were " + format_number(total, 2, true) + ".");
  EXPECT_FALSE(r.explanation.empty());
  EXPECT_GE(r.total_ms, 0);
}

TEST_F(PipelineTest, StageCallbackSeesEachStageAsItEnds) {
  auto p = make({{"Top 5 brands by revenue", {demo_example_queries()[2].sql}}});
  std::vector<std::string> seen;
  AskOptions ao;
  ao.on_stage = [&](const StageRecord& s) { seen.push_back(s.name); };
  AskResult r = p->ask("Top 5 brands by revenue", nullptr, ao);
  ASSERT_TRUE(r.answered);
  EXPECT_EQ(seen.size(), Pipeline::stage_names().size());
  EXPECT_EQ(seen.front(), "intent");
  EXPECT_EQ(r.chart.kind, ChartKind::kBar);
  EXPECT_EQ(r.rows.rows.size(), 5u);
  EXPECT_NE(r.answer.find("Highest revenue"), std::string::npos) << r.answer;
}

// The execution vote: the request carries AskOptions::candidates, and the
// candidates and the vote are in the generation stage's trace (and so in
// ask --format json) and in the result.
TEST_F(PipelineTest, TheVoteIsInTheTraceAndTheRequestCarriesTheCandidateCount) {
  ScriptedGenerator* gen = nullptr;
  auto p = make({{"Total sales", {"SELECT sum(amount) FROM sales"}}}, {}, &gen);
  VoteCandidate greedy{.sql = "SELECT 1", .mean_logprob = -0.5, .group = 0, .votes = 1};
  VoteCandidate sampled{.sql = "SELECT sum(amount) FROM sales",
                        .mean_logprob = -0.7,
                        .temperature = 0.7f,
                        .seed = 43,
                        .group = 1,
                        .votes = 2,
                        .chosen = true};
  VoteCandidate broken{.sql = "SELECT nope", .error = "no such column: nope", .temperature = 0.7f, .seed = 44};
  VoteCandidate same = sampled;
  same.chosen = false;
  same.seed = 45;
  gen->candidates = {greedy, sampled, same, broken};
  AskOptions o;
  o.candidates = 4;
  AskResult r = p->ask("Total sales", nullptr, o);
  ASSERT_EQ(gen->requests.size(), 1u);
  EXPECT_EQ(gen->requests[0].candidates, 4);
  ASSERT_EQ(r.candidates.size(), 4u);
  EXPECT_TRUE(r.vote_differs_from_greedy);
  json out = json::parse(stage(r, "generation")->output_json);
  ASSERT_EQ(out["candidates"].size(), 4u);
  EXPECT_EQ(out["candidates"][3]["error"], "no such column: nope");
  EXPECT_EQ(out["candidates"][1]["seed"], 43);
  EXPECT_EQ(out["vote"]["chosen"], 1);
  EXPECT_EQ(out["vote"]["votes"], 2);
  EXPECT_EQ(out["vote"]["of"], 4);
  EXPECT_EQ(out["vote"]["differs_from_greedy"], true);
  json whole = json::parse(ask_result_to_json(r));
  bool found = false;
  for (const auto& st : whole["stages"]) found = found || (st["name"] == "generation" && st["output"].contains("vote"));
  EXPECT_TRUE(found);
  // Without a vote there is none in the trace.
  gen->candidates.clear();
  r = p->ask("Total sales");
  EXPECT_FALSE(json::parse(stage(r, "generation")->output_json).contains("vote"));
  EXPECT_EQ(gen->requests.back().candidates, 0);
}

TEST_F(PipelineTest, RefusalNeverReachesTheGenerator) {
  ScriptedGenerator* gen = nullptr;
  auto p = make({{"delete all sales from 2023", {"SELECT 1"}}}, {}, &gen);
  for (const char* q : {"delete all sales from 2023", "Please drop the stores table", "DROP TABLE sales;",
                        "update products set unit_price = 0", "remove the rows of brands",
                        "email the sales report to bob@example.com", "download https://example.com/data.csv"}) {
    AskResult r = p->ask(q);
    EXPECT_EQ(r.intent, Intent::kRefused) << q;
    EXPECT_FALSE(r.answered) << q;
    EXPECT_FALSE(r.reason.empty()) << q;
    EXPECT_TRUE(r.sql.empty()) << q;
    EXPECT_EQ(stage(r, "intent")->status, "refused") << q;
    EXPECT_EQ(stage(r, "generation")->status, "skipped") << q;
  }
  EXPECT_TRUE(gen->requests.empty());
}

TEST_F(PipelineTest, DataQuestionsThatSoundLikeVerbsAreNotRefused) {
  Catalog c = catalog();
  for (const char* q : {"Change in sales from 2023 to 2024", "Which store has the highest sales?",
                        "Increase in revenue by region", "Sales of products with a price lower than 10",
                        "How many stores were opened after 2020?", "Total sales by store", "Add up sales by brand"}) {
    EXPECT_EQ(classify_intent(q, c).intent, Intent::kData) << q << ": " << classify_intent(q, c).reason;
  }
}

TEST_F(PipelineTest, SchemaQuestionsAreAnsweredFromTheCatalog) {
  ScriptedGenerator* gen = nullptr;
  auto p = make({}, {}, &gen);
  AskResult r = p->ask("What tables are there?");
  EXPECT_EQ(r.intent, Intent::kSchema);
  EXPECT_TRUE(r.answered);
  EXPECT_TRUE(r.sql.empty());
  EXPECT_EQ(r.rows.rows.size(), p->catalog().tables.size());
  EXPECT_NE(r.answer.find("5 tables"), std::string::npos) << r.answer;
  AskResult cols = p->ask("Which columns does the products table have?");
  EXPECT_EQ(cols.intent, Intent::kSchema);
  EXPECT_EQ(cols.rows.rows.size(), p->catalog().find_table("products")->columns.size());
  EXPECT_TRUE(gen->requests.empty());
}

TEST_F(PipelineTest, SmallTalkGetsAFriendlyAnswerAndNoSql) {
  auto p = make({});
  AskResult r = p->ask("hello there!");
  EXPECT_EQ(r.intent, Intent::kSmallTalk);
  EXPECT_TRUE(r.answered);
  EXPECT_TRUE(r.sql.empty());
  EXPECT_NE(r.answer.find("Try"), std::string::npos);
}

TEST_F(PipelineTest, AbstentionIsAResultWithAReason) {
  auto p = make({});
  AskResult r = p->ask("What is the meaning of the sales?");
  EXPECT_FALSE(r.answered);
  EXPECT_TRUE(r.error.ok());
  EXPECT_EQ(stage(r, "generation")->status, "abstained");
  EXPECT_NE(r.reason.find("no script"), std::string::npos);
  auto j = json::parse(ask_result_to_json(r));
  EXPECT_EQ(j["answered"], false);
  EXPECT_FALSE(j["reason"].get<std::string>().empty());
}

TEST_F(PipelineTest, BadQuestionsAreRejectedBeforeAnyStage) {
  auto p = make({});
  for (const std::string& q : {std::string(""), std::string("   "), std::string(5000, 'a'), std::string("caf\xC3")}) {
    AskResult r = p->ask(q);
    EXPECT_FALSE(r.answered);
    EXPECT_EQ(r.error.code(), StatusCode::kInvalidArgument) << q.size();
  }
}

// Instructions go to the generator with the question; bad ones (not UTF-8,
// too long) are refused before any stage, like a bad question.
TEST_F(PipelineTest, InstructionsReachTheGeneratorAndBadOnesAreRejected) {
  ScriptedGenerator* gen = nullptr;
  auto p = make({{"total sales in 2023", {kTotal2023}}}, {}, &gen);
  AskOptions o;
  o.instructions = "Sales are the amount column of sales.";
  AskResult r = p->ask("total sales in 2023", nullptr, o);
  ASSERT_TRUE(r.answered) << r.reason;
  ASSERT_EQ(gen->requests.size(), 1u);
  EXPECT_EQ(gen->requests[0].instructions, o.instructions);
  for (const std::string& bad : {std::string(5000, 'a'), std::string("caf\xC3")}) {
    o.instructions = bad;
    r = p->ask("total sales in 2023", nullptr, o);
    EXPECT_FALSE(r.answered);
    EXPECT_EQ(r.error.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.reason.find("instructions"), std::string::npos) << r.reason;
  }
  EXPECT_EQ(gen->requests.size(), 1u);
}

// The repair loop is the generator's (the LLM's, with the error in its
// prompt); the repair stage gives it its budget, and 0 when switched off, so
// that --disable-stage repair turns every repair off. The generator's tries
// appear in the repair stage's record.
TEST_F(PipelineTest, RepairStageSetsTheGeneratorsRepairBudgetAndRecordsItsTries) {
  PipelineOptions opt;
  opt.generator.mode = "llm";
  opt.max_repairs = 3;
  ScriptedGenerator* gen = nullptr;
  auto p = make({{"total sales in 2023", {kTotal2023}}}, opt, &gen);
  AskResult r = p->ask("total sales in 2023");
  ASSERT_TRUE(r.answered) << r.reason;
  ASSERT_EQ(gen->requests.size(), 1u);
  EXPECT_EQ(gen->requests[0].max_repairs, 3);
  EXPECT_EQ(stage(r, "repair")->status, "skipped");

  gen->attempts = {{"SELECT SUM(amount) FROM salez", "no such table: salez", 1.0}, {kTotal2023, "", 1.0}};
  r = p->ask("total sales in 2023");
  ASSERT_TRUE(r.answered) << r.reason;
  EXPECT_EQ(stage(r, "repair")->status, "ok");
  auto out = json::parse(stage(r, "repair")->output_json);
  ASSERT_EQ(out["tries"].size(), 1u);
  EXPECT_EQ(out["after"], "no such table: salez");
  ASSERT_EQ(r.attempts.size(), 2u);

  opt.disabled_stages = {"repair"};
  auto off = make({{"total sales in 2023", {kTotal2023}}}, opt, &gen);
  r = off->ask("total sales in 2023");
  ASSERT_EQ(gen->requests.size(), 1u);
  EXPECT_EQ(gen->requests[0].max_repairs, 0);
}

TEST_F(PipelineTest, FencedSqlIsRepairedWithoutAskingAgain) {
  ScriptedGenerator* gen = nullptr;
  auto p = make({{"total sales in 2023", {std::string("```sql\n") + kTotal2023 + ";\n```\nThis sums the sales."}}}, {},
                &gen);
  AskResult r = p->ask("total sales in 2023");
  ASSERT_TRUE(r.answered) << r.reason;
  EXPECT_EQ(r.sql, kTotal2023);
  EXPECT_EQ(gen->requests.size(), 1u);
}

// The repair stage reads SQL out of model text with the LLM engine's own
// extraction: prose before the statement goes, and a ";" inside a string
// literal is not the statement's end.
TEST_F(PipelineTest, ProseAroundSqlIsCutByTheSameExtractionAsTheLlmEngines) {
  const std::string sql = "SELECT COUNT(*) FROM stores WHERE store_name <> 'a;b'";
  auto p = make({{"how many stores", {"Here is the query:\n" + sql + ";\nIt counts the stores."}}});
  AskResult r = p->ask("how many stores");
  ASSERT_TRUE(r.answered) << r.reason;
  EXPECT_EQ(r.sql, sql);
  EXPECT_EQ(r.sql, extract_sql("Here is the query:\n" + sql + ";\nIt counts the stores."));
  EXPECT_EQ(stage(r, "repair")->status, "ok");
  ASSERT_EQ(r.rows.rows.size(), 1u);
  EXPECT_EQ(r.rows.rows[0][0].as_double(), 35);
}

TEST_F(PipelineTest, WritingSqlFromAGeneratorIsStopped) {
  auto p = make({{"total sales", {"DELETE FROM sales"}}});
  AskResult r = p->ask("total sales");
  EXPECT_FALSE(r.answered);
  EXPECT_FALSE(r.executed);
  EXPECT_NE(r.reason.find("did not validate"), std::string::npos) << r.reason;
  auto db = Database::open(path_);
  auto count = (*db)->execute("SELECT COUNT(*) FROM sales");
  EXPECT_GT(count->rows[0][0].as_double(), 0);
}

TEST_F(PipelineTest, StagesCanBeSwitchedOff) {
  PipelineOptions opt;
  opt.disabled_stages = {"execution", "entities"};
  auto p = make({{"total sales in 2023", {kTotal2023}}}, opt);
  AskResult r = p->ask("total sales in 2023");
  EXPECT_TRUE(r.answered);
  EXPECT_FALSE(r.executed);
  EXPECT_EQ(r.sql, kTotal2023);
  EXPECT_TRUE(r.rows.rows.empty());
  EXPECT_EQ(json::parse(stage(r, "execution")->output_json)["reason"], "switched off");
  EXPECT_EQ(stage(r, "entities")->status, "skipped");
  EXPECT_EQ(stage(r, "chart")->status, "skipped");
  EXPECT_FALSE(Pipeline::check_stage_names({"generation", "nonsense"}).ok());
}

TEST_F(PipelineTest, RetrievalNarrowsTheSchemaWhenRagIsOn) {
  ScriptedGenerator* gen = nullptr;
  auto p = make({{"Top 5 brands by revenue", {demo_example_queries()[2].sql}}}, {}, &gen);
  p->set_retriever(std::make_unique<LexicalRetriever>());
  AskOptions ao;
  ao.use_rag = true;
  AskResult r = p->ask("Top 5 brands by revenue", nullptr, ao);
  ASSERT_TRUE(r.answered);
  EXPECT_TRUE(r.rag_used);
  EXPECT_EQ(stage(r, "retrieval")->status, "ok");
  const std::string& ddl = gen->requests[0].schema_ddl;
  EXPECT_NE(ddl.find("CREATE TABLE brands"), std::string::npos) << ddl;
  EXPECT_EQ(ddl.find("active_store"), std::string::npos) << ddl;
  // The brand table joins to sales through products: kept so the join works.
  EXPECT_NE(ddl.find("products"), std::string::npos) << ddl;
}

TEST_F(PipelineTest, RetrievalUsesTheVectorIndexWhenBuiltIn) {
  ScriptedGenerator* gen = nullptr;
  auto p = make({{"Top 5 brands by revenue", {demo_example_queries()[2].sql}}}, {}, &gen);
  AskOptions ao;
  ao.use_rag = true;
  AskResult r = p->ask("Top 5 brands by revenue", nullptr, ao);
  ASSERT_TRUE(r.answered);
  std::string source = json::parse(stage(r, "retrieval")->output_json)["source"];
  EXPECT_EQ(source, "vector");
  // The index kept the brands table for a question about brands.
  auto tables = json::parse(stage(r, "retrieval")->output_json)["tables"];
  EXPECT_NE(std::find(tables.begin(), tables.end(), "brands"), tables.end()) << tables;
}

class FixedRetriever : public ContextRetriever {
 public:
  std::string name() const override { return "fixed"; }
  Result<RetrievedContext> retrieve(const std::string&, const Catalog& c, const std::vector<LinkedValue>&) override {
    RetrievedContext ctx;
    ctx.source = "fixed";
    ctx.tables = {"stores"};
    ctx.schema_ddl = table_ddl(*c.find_table("stores"));
    ctx.examples = {{"How many stores?", "SELECT COUNT(*) FROM stores"}};
    return ctx;
  }
};

TEST_F(PipelineTest, AnotherRetrieverPlugsIn) {
  ScriptedGenerator* gen = nullptr;
  PipelineOptions opt;
  opt.use_rag = true;
  auto p = make({{"stores per region", {"SELECT region, COUNT(*) AS stores FROM stores GROUP BY 1"}}}, opt, &gen);
  p->set_retriever(std::make_unique<FixedRetriever>());
  AskResult r = p->ask("stores per region");
  ASSERT_TRUE(r.answered);
  EXPECT_EQ(json::parse(stage(r, "retrieval")->output_json)["source"], "fixed");
  ASSERT_EQ(gen->requests[0].examples.size(), 1u);
  EXPECT_EQ(r.chart.kind, ChartKind::kBar);
}

TEST_F(PipelineTest, FollowUpsReferToThePreviousQuestion) {
  ScriptedGenerator* gen = nullptr;
  auto p = make({{"What were total sales in 2023?", {kTotal2023}}, {"what were total sales in 2024", {kTotal2024}}}, {},
                &gen);
  Session session;
  AskResult first = p->ask("What were total sales in 2023?", &session);
  ASSERT_TRUE(first.answered);
  AskResult second = p->ask("and in 2024?", &session);
  ASSERT_TRUE(second.answered) << second.reason;
  EXPECT_TRUE(second.follow_up);
  EXPECT_EQ(second.effective_question, "what were total sales in 2024");
  EXPECT_NE(first.rows.rows[0][0].as_double(), second.rows.rows[0][0].as_double());
  // The generator also saw the conversation so far.
  ASSERT_EQ(gen->requests.back().history.size(), 1u);
  EXPECT_EQ(gen->requests.back().history[0].second, kTotal2023);
  EXPECT_EQ(session.turns.size(), 2u);
  auto restored = Session::from_json(session.to_json());
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(restored->turns[1].effective_question, "what were total sales in 2024");
}

TEST_F(PipelineTest, FollowUpCannotLaunderARefusal) {
  auto p = make({{"What were total sales in 2023?", {kTotal2023}}});
  Session session;
  ASSERT_TRUE(p->ask("What were total sales in 2023?", &session).answered);
  AskResult r = p->ask("and drop the sales table", &session);
  EXPECT_EQ(r.intent, Intent::kRefused);
}

TEST(FollowUpResolver, Rewrites) {
  std::vector<Turn> h = {{"Top 5 brands by revenue in 2023", "top 5 brands by revenue in 2023", "SELECT 1"}};
  EXPECT_EQ(resolve_follow_up("and in 2024?", h, nullptr).question, "top 5 brands by revenue in 2024");
  EXPECT_EQ(resolve_follow_up("what about top 10?", h, nullptr).question, "top 10 brands by revenue in 2023");
  EXPECT_EQ(resolve_follow_up("how about by units?", h, nullptr).question, "top 5 brands by units in 2023");
  EXPECT_FALSE(resolve_follow_up("How many stores are in each region?", h, nullptr).is_follow_up);
  EXPECT_FALSE(resolve_follow_up("and in 2024?", {}, nullptr).is_follow_up);
}

TEST_F(PipelineTest, FollowUpReplacesAStoredValue) {
  auto db = Database::open(path_);
  Catalog c = *(*db)->catalog();
  auto values = shared_value_index(**db, c);
  ASSERT_TRUE(values.ok()) << values.status().message();
  std::vector<Turn> h = {{"sales of Apple in 2023", "sales of apple in 2023", "SELECT 1"}};
  FollowUp f = resolve_follow_up("and for Samsung?", h, values->get());
  EXPECT_TRUE(f.is_follow_up);
  EXPECT_EQ(f.question, "sales of samsung in 2023");
}

TEST_F(PipelineTest, EntitiesFindLiteralsAndStoredValues) {
  auto db = Database::open(path_);
  Catalog c = *(*db)->catalog();
  auto values = shared_value_index(**db, c);
  ASSERT_TRUE(values.ok()) << values.status().message();
  EXPECT_GT((*values)->size(), 20u);
  Entities e = extract_entities(
      "Top 3 Electronics products in the North region between March and May 2024 with more "
      "than 10 sales last year, from Samsng",
      values->get());
  EXPECT_EQ(e.top_k, 3);
  EXPECT_EQ(e.years, std::vector<int>({2024}));
  EXPECT_EQ(e.months, std::vector<int>({3, 5}));
  EXPECT_NE(std::find(e.ranges.begin(), e.ranges.end(), "between march and may"), e.ranges.end());
  EXPECT_NE(std::find(e.ranges.begin(), e.ranges.end(), "last year"), e.ranges.end());
  EXPECT_NE(std::find(e.comparisons.begin(), e.comparisons.end(), "more than 10"), e.comparisons.end());
  std::map<std::string, std::string> found;
  for (const auto& v : e.values) found[v.value] = v.table + "." + v.column;
  EXPECT_EQ(found["Electronics"], "products.category");
  EXPECT_EQ(found["North"], "stores.region");
  EXPECT_EQ(found["Samsung"], "brands.brand_name");  // one typo away
}

// The entity stage's reading is read_question()'s, the function the template
// engine reads a question with when it runs alone, and the generator gets
// that reading: numbers with their magnitudes, years, ranges and top-k are
// read once, and the trace shows the same.
TEST_F(PipelineTest, TheGeneratorGetsTheEntityStagesReading) {
  auto db = Database::open(path_);
  Catalog c = *(*db)->catalog();
  auto values = shared_value_index(**db, c);
  ASSERT_TRUE(values.ok()) << values.status().message();
  struct Case {
    std::string question;
    std::optional<int> top_k;
    std::vector<double> numbers;
    std::vector<int> years;
    std::string range;
  };
  const std::vector<Case> cases = {
      {"Top 5 brands by revenue in 2023", 5, {5}, {2023}, ""},
      {"Stores with more than 1.5M in sales last year", std::nullopt, {1.5e6}, {}, "last year"},
      {"Products that sold over a million units in the last 3 months", std::nullopt, {1e6, 3}, {}, "last 3 months"},
      {"Show the 3 lowest priced products", 3, {3}, {}, ""},
      {"Which brand is top in the North region?", 1, {}, {}, ""},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.question);
    ScriptedGenerator* gen = nullptr;
    auto p = make({{k.question, {"SELECT 1"}}}, {}, &gen);
    ASSERT_NE(p, nullptr);
    AskResult r = p->ask(k.question);
    ASSERT_EQ(gen->requests.size(), 1u);
    ASSERT_TRUE(gen->requests[0].reading.has_value());
    const QuestionReading& got = *gen->requests[0].reading;
    EXPECT_EQ(got, read_question(k.question, values->get()));
    EXPECT_EQ(got.top_k, k.top_k);
    EXPECT_EQ(got.numbers, k.numbers);
    EXPECT_EQ(got.years, k.years);
    if (!k.range.empty()) EXPECT_NE(std::find(got.ranges.begin(), got.ranges.end(), k.range), got.ranges.end());
    EXPECT_EQ(got.values, gen->requests[0].linked_values);
    const StageRecord* entities = stage(r, "entities");
    ASSERT_NE(entities, nullptr);
    Entities as_traced;
    static_cast<QuestionReading&>(as_traced) = got;
    EXPECT_EQ(json::parse(entities->output_json), json::parse(as_traced.to_json()));
  }
}

TEST(AnswerSummarizer, OneLine) {
  ResultSet one;
  one.columns = {"n"};
  one.rows = {{Value::integer(12)}};
  EXPECT_EQ(summarize_answer("How many stores are in the North region?", one), "12 stores are in the North region.");
  ResultSet none;
  none.columns = {"n"};
  EXPECT_EQ(summarize_answer("anything", none), "No rows match the question.");
  ResultSet ranked;
  ranked.columns = {"region", "total"};
  ranked.column_types = {ValueType::kText, ValueType::kReal};
  ranked.rows = {{Value::text("North"), Value::real(3.14e6)}, {Value::text("South"), Value::real(2.5e6)}};
  EXPECT_EQ(summarize_answer("sales by region", ranked),
            "Total: North 3,140,000, South 2,500,000; South is down 640,000 (-20.4%) compared with North.");
}

TEST_F(PipelineTest, ExampleQuestionsSuitTheDatabase) {
  auto ex = example_questions(catalog(), 4);
  ASSERT_EQ(ex.size(), 4u);
  EXPECT_EQ(ex[0], demo_example_queries()[0].question);
  Catalog other;
  TableInfo t;
  t.name = "orders";
  t.columns = {{"order_id", "INTEGER", ValueType::kInteger, false, true, {}, ""},
               {"customer", "TEXT", ValueType::kText, true, false, {}, ""},
               {"total", "REAL", ValueType::kReal, true, false, {}, ""}};
  other.tables = {t};
  auto generic = example_questions(other, 5);
  EXPECT_NE(std::find(generic.begin(), generic.end(), "Total total by customer in orders"), generic.end());
}

}  // namespace
}  // namespace t2sql
