// `t2sql eval` with models: the llm mode with and without schema retrieval,
// an LLM judge, embedding similarity and novelty against a training set, all
// with tiny models the test makes itself (random weights, real tokenizers).
// What is checked is the plumbing and the definitions, not the models' skill.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "eval/benchmark_suite.h"
#include "eval/embedding_similarity.h"
#include "testing/test_models.h"
#include "retrieval/llama_embedder.h"
#include "sql/sql_skeleton.h"
#include "t2sql/demo.h"

namespace t2sql {
namespace {

namespace fs = std::filesystem;

struct Ran {
  int exit_code = -1;
  std::string output;
};

Ran run(const std::string& args) {
  std::string cmd = std::string(T2SQL_BINARY) + " " + args + " 2>&1";
  Ran r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) r.output += buf;
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class EvalModelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::model_dir() + "/eval");
    fs::create_directories(*dir_);
    ASSERT_TRUE(create_demo_warehouse(*dir_ + "/demo.db", true).ok());
    embed_model_ = new std::string(*dir_ + "/tiny-bert.gguf");
    Status s = write_tiny_embedding_model(*embed_model_, "bert", testing::llama_vocab_file("bert-bge"));
    ASSERT_TRUE(s.ok()) << s.message();
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete embed_model_;
  }
  static std::string* dir_;
  static std::string* embed_model_;
};
std::string* EvalModelTest::dir_ = nullptr;
std::string* EvalModelTest::embed_model_ = nullptr;

TEST_F(EvalModelTest, LlmWithAndWithoutRagJudgedAndSplitByNovelty) {
  std::string model = testing::tiny_model();
  ASSERT_FALSE(model.empty());
  const int n = 4;
  // A training set holding the shapes of the first two questions' gold SQL:
  // those two are "seen", the others novel unless they share a shape.
  auto suite = load_jsonl_suite(default_demo_suite_path(), {.demo_db_path = *dir_ + "/demo.db"});
  ASSERT_TRUE(suite.ok()) << suite.status().message();
  ASSERT_GE(suite->cases.size(), static_cast<size_t>(n));
  std::string train = *dir_ + "/train.jsonl";
  {
    std::ofstream out(train);
    for (int i = 0; i < 2; ++i)
      out << nlohmann::json{{"question", "q"}, {"answer", suite->cases[i].gold_sql}}.dump() << "\n";
  }
  int expected_novel = 0;
  for (int i = 2; i < n; ++i) {
    std::string shape = sql_skeleton(suite->cases[i].gold_sql);
    expected_novel +=
        shape != sql_skeleton(suite->cases[0].gold_sql) && shape != sql_skeleton(suite->cases[1].gold_sql);
  }

  std::string json_path = *dir_ + "/out.json", md_path = *dir_ + "/out.md";
  Ran r = run("eval --suite demo --db '" + *dir_ + "/demo.db' --limit " + std::to_string(n) +
              " --mode llm,llm+rag --model '" + model + "' --max-tokens 16 --max-repairs 0 --top-columns 4" +
              // Grammar-constrained decoding is slow for a random model and tested elsewhere.
              " --no-grammar" + " --judge-model '" + model + "' --embed-model '" + *embed_model_ + "' --train-data '" +
              train + "' --json '" + json_path + "' --markdown '" + md_path + "' -q");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("novel-question handling"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("prompt tokens/try"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("judge"), std::string::npos) << r.output;

  auto j = nlohmann::json::parse(std::ifstream(json_path));
  ASSERT_EQ(j["modes"].size(), 2u);
  const auto& plain = j["modes"][0];
  const auto& rag = j["modes"][1];
  EXPECT_EQ(plain["mode"], "llm");
  EXPECT_EQ(plain["rag"], false);
  EXPECT_EQ(rag["mode"], "llm+rag");
  EXPECT_EQ(rag["rag"], true);
  for (const auto& m : {plain, rag}) {
    EXPECT_EQ(m["n"], n);
    EXPECT_EQ(m["similarity_measure"].get<std::string>().rfind("embedding cosine", 0), 0u) << m["similarity_measure"];
    ASSERT_TRUE(m["judge_model"].is_string());
    // Every question judged: answered ones by the model, the others as 0.
    EXPECT_EQ(m["judged"], n);
    ASSERT_TRUE(m["judge_accuracy"].is_number());
    EXPECT_GE(m["judge_accuracy"].get<double>(), 0.0);
    EXPECT_LE(m["judge_accuracy"].get<double>(), 1.0);
    ASSERT_TRUE(m["novel"].is_object()) << m.dump();
    EXPECT_EQ(m["novel"]["n"], expected_novel);
    EXPECT_EQ(m["seen"]["n"].get<int>(), n - expected_novel);
    ASSERT_TRUE(m["prompt_tokens_mean"].is_number()) << m.dump();
    EXPECT_GT(m["prompt_tokens_mean"].get<double>(), 0);
    // No repairs: one try a question, so both means agree.
    EXPECT_DOUBLE_EQ(m["prompt_tokens_per_try"].get<double>(), m["prompt_tokens_mean"].get<double>());
    ASSERT_EQ(m["cases"].size(), static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      const auto& c = m["cases"][i];
      EXPECT_TRUE(c["judged"] == 0 || c["judged"] == 1) << c.dump();
      EXPECT_EQ(c["novel"], i >= 2 && sql_skeleton(c["gold_sql"]) != sql_skeleton(suite->cases[0].gold_sql) &&
                                sql_skeleton(c["gold_sql"]) != sql_skeleton(suite->cases[1].gold_sql));
      if (c["answered"] == true) {
        EXPECT_GE(c["similarity"].get<double>(), 0.0);
        EXPECT_LE(c["similarity"].get<double>(), 1.0);
      }
    }
  }
  // Four retrieved columns make a smaller prompt than the whole warehouse.
  EXPECT_LT(rag["prompt_tokens_per_try"].get<double>(), plain["prompt_tokens_per_try"].get<double>());
  std::ifstream md(md_path);
  std::string text((std::istreambuf_iterator<char>(md)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("| novel-question handling |"), std::string::npos) << text;
  EXPECT_NE(text.find("| judge |"), std::string::npos);
}

// eval runs each question through the pipeline that `ask` uses: for the same
// question and options both give the model the same prompt (the entities'
// value hints and the retrieved schema in it) and get the same SQL back.
TEST_F(EvalModelTest, EvalAndAskGiveTheSameSqlAndPrompt) {
  std::string model = testing::tiny_model();
  ASSERT_FALSE(model.empty());
  const std::string db = *dir_ + "/demo.db";
  const std::string common =
      " --model '" + model + "' --no-grammar --max-repairs 1 --max-tokens 24 --prompt-style omnisql";
  std::string json_path = *dir_ + "/same.json", suite = *dir_ + "/same.jsonl";
  {
    // Questions that name stored values, so that the entity stage's hints are in the prompt.
    std::ofstream out(suite);
    for (const char* q : {"sum of sales amount for samsung", "What is the average sale amount for Samsung products?"})
      out << nlohmann::json{{"db", "demo"},
                            {"question", q},
                            {"sql",
                             "SELECT SUM(s.amount) FROM sales s JOIN products p ON p.product_id = s.product_id "
                             "JOIN brands b ON b.brand_id = p.brand_id WHERE b.brand_name = 'Samsung'"}}
                 .dump()
          << "\n";
  }
  Ran e = run("eval --suite jsonl --data '" + suite + "' --db '" + db + "' --mode llm+rag -q --json '" + json_path +
              "'" + common);
  ASSERT_EQ(e.exit_code, 0) << e.output;
  auto j = nlohmann::json::parse(std::ifstream(json_path));
  const auto& cases = j["cases"];  // one mode: the report is that mode's object
  ASSERT_EQ(cases.size(), 2u);
  for (const auto& c : cases) {
    const std::string q = c["question"];
    Ran a = run("ask '" + q + "' --db '" + db + "' --mode llm --rag -f json" + common);
    auto out = nlohmann::json::parse(a.output.substr(0, a.output.find('\n')), nullptr, false);
    ASSERT_TRUE(out.is_object()) << a.output;
    EXPECT_EQ(out["sql"], c["predicted_sql"]) << q;
    const std::string prompt = out["prompt"];
    ASSERT_FALSE(prompt.empty()) << q;
    EXPECT_NE(prompt.find("Database Engine:"), std::string::npos) << "the omnisql style";
    EXPECT_NE(prompt.find("brands.brand_name = 'Samsung'"), std::string::npos) << "the entity stage's value hint";
    int ask_tokens = 0;
    for (const auto& st : out["stages"])
      if (st["name"] == "generation") ask_tokens = st["output"]["prompt_tokens"];
    EXPECT_EQ(ask_tokens, c["prompt_tokens"].get<int>()) << q << ": the same prompt, every try";
  }
}

TEST_F(EvalModelTest, BadModelOptionsFailBeforeAnyWork) {
  std::string json_path = *dir_ + "/never.json";
  const std::vector<std::string> bad = {"--mode llm+rag",  // no model
                                        "--mode llm --model /nonexistent.gguf --judge-model /nonexistent-judge.gguf",
                                        "--embed-model /nonexistent-embed.gguf",
                                        "--train-data /nonexistent-train.jsonl",
                                        "--mode template+rag",
                                        "--rag --no-rag"};
  for (const std::string& args : bad) {
    Ran r = run("eval --suite demo --db '" + *dir_ + "/demo.db' --limit 2 -q --json '" + json_path + "' " + args);
    EXPECT_NE(r.exit_code, 0) << args << ": " << r.output;
    EXPECT_NE(r.output.find("error:"), std::string::npos) << args << ": " << r.output;
    EXPECT_FALSE(fs::exists(json_path)) << args;
  }
  // A sweep of N is for --retrieval-only; a +rag mode takes one N.
  Ran r = run("eval --suite demo --db '" + *dir_ + "/demo.db' --limit 2 -q --mode llm+rag --model '" +
              testing::tiny_model() + "' --top-columns 10,20");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--top-columns"), std::string::npos) << r.output;
}

TEST_F(EvalModelTest, EmbeddingSimilarityIsACosineInZeroToOne) {
  auto sim = make_embedding_similarity(*embed_model_, 2);
  ASSERT_TRUE(sim.ok()) << sim.status().message();
  const std::string a = "SELECT SUM(amount) FROM sales WHERE year = 2023";
  EXPECT_NEAR((*sim)(a, a), 1.0, 1e-4);
  double other = (*sim)(a, "SELECT brand_name FROM brands ORDER BY brand_name");
  EXPECT_GE(other, 0.0);
  EXPECT_LT(other, 0.9999);
  EXPECT_EQ((*sim)(a, ""), 0.0);
  EXPECT_FALSE(make_embedding_similarity(*dir_ + "/missing.gguf", 1).ok());
}

}  // namespace
}  // namespace t2sql
