// Every architecture `model init` writes and the trainer trains, checked the
// same way on a tiny model of each (real tokenizer, real tensor set): the
// file's tensors and keys are the architecture's, llama.cpp runs it, the
// training graph's log-probabilities equal llama.cpp's, its gradients equal
// finite differences, an adapter applied by llama.cpp equals the merged model,
// QLoRA trains on a 4-bit base with the Gemma-2B recipe (rank 64, alpha 32),
// and generation under the SQL grammar writes statements the demo database
// prepares.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <set>

#include <ggml.h>
#include <gguf.h>

#include "generate/llm_generator.h"
#include "t2sql/database.h"
#include "t2sql/demo.h"
#include "t2sql/train.h"
#include "train/llama_runner.h"
#include "train/lora_model.h"

namespace t2sql::train {
namespace {

namespace fs = std::filesystem;

fs::path test_dir() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("t2sql_arch_model_test_" + std::to_string(getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

// Each architecture's tiny shape shows what sets it apart: grouped-query
// attention (mistral's default a quarter of the heads, qwen2 half), Gemma's
// head size apart from n_embd/n_head and one KV head (Gemma-2B), and a
// sliding window (4) shorter than the test texts so that gemma2's local
// layers really mask.
// The models are tens of MB each and every test runs in its own process
// under CTest: the folder goes when the process ends.
class RemoveTestDir : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(test_dir(), ec);
  }
};
::testing::Environment* const kRemoveTestDir = ::testing::AddGlobalTestEnvironment(new RemoveTestDir);

// The tokenizer: the first test runs each architecture's model with its own
// (llama-bpe 128k, llama-spm 32k, qwen2 152k, gemma-4 262k); the others use
// the 32k SentencePiece one, which loads in a fraction of the time (the
// graphs do not depend on it; Gemma 1/2's tokenizers are SentencePiece too).
struct ArchCase {
  std::string arch;
  int n_head_kv = 0, head_dim = 0, sliding_window = 0;
};

std::ostream& operator<<(std::ostream& os, const ArchCase& c) {
  return os << c.arch;
}

const std::vector<ArchCase>& arch_cases() {
  static const std::vector<ArchCase> cases = {
      {"llama"}, {"mistral"}, {"qwen2", 2}, {"gemma", 1, 32}, {"gemma2", 2, 32, 4}};
  return cases;
}

ModelInitOptions init_options(const ArchCase& c, const std::string& out) {
  ModelInitOptions o;
  o.out_path = out;
  o.arch = c.arch;
  o.n_embd = 64;
  o.n_layer = 2;
  o.n_head = 4;
  o.n_head_kv = c.n_head_kv;
  o.head_dim = c.head_dim;
  o.sliding_window = c.sliding_window;
  o.n_ff = 128;
  o.init_std = 0.1f;
  o.seed = 7;
  o.vocab = "llama-spm";
  return o;
}

// The identity tensors of a new model (norms 1, biases 0) hide mistakes in
// how they are applied: this copy of the model has them random.
void perturb_identity_tensors(const std::string& in, const std::string& out) {
  ggml_context* data = nullptr;
  gguf_init_params ip{/*no_alloc=*/false, &data};
  gguf_context* g = gguf_init_from_file(in.c_str(), ip);
  ASSERT_TRUE(g);
  std::mt19937 rng(5);
  std::normal_distribution<float> n(0.0f, 0.3f);
  gguf_context* copy = gguf_init_empty();
  gguf_set_kv(copy, g);
  for (int64_t i = 0; i < gguf_get_n_tensors(g); ++i) {  // (the context also holds the file's data blob)
    const std::string name = gguf_get_tensor_name(g, i);
    ggml_tensor* t = ggml_get_tensor(data, name.c_str());
    const bool bias = name.size() > 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
    if (bias || name.find("norm") != std::string::npos) {
      EXPECT_EQ(t->type, GGML_TYPE_F32);
      auto* v = static_cast<float*>(t->data);
      for (int64_t j = 0; j < ggml_nelements(t); ++j) v[j] += n(rng);
    }
    gguf_add_tensor(copy, t);
  }
  EXPECT_TRUE(gguf_write_to_file(copy, out.c_str(), false));
  gguf_free(copy);
  gguf_free(g);
  ggml_free(data);
}

// The models of one architecture, made once per process.
struct ArchModels {
  std::string base, perturbed;
};

const ArchModels& models_of(const ArchCase& c) {
  static std::map<std::string, ArchModels> made;
  auto it = made.find(c.arch);
  if (it != made.end()) return it->second;
  ArchModels m;
  m.base = (test_dir() / (c.arch + ".gguf")).string();
  m.perturbed = (test_dir() / (c.arch + ".perturbed.gguf")).string();
  Status s = init_model(init_options(c, m.base));
  EXPECT_TRUE(s.ok()) << s.message();
  if (s.ok()) perturb_identity_tensors(m.base, m.perturbed);
  return made.emplace(c.arch, m).first->second;
}

void randomize(LoraModel& m, uint32_t seed, float scale) {
  std::vector<float> p = m.get_parameters();
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0.0f, scale);
  for (float& x : p) x = n(rng);
  m.set_parameters(p);
}

const char* kText = "SELECT brand_name, SUM(amount) AS revenue FROM sales JOIN products ON sales.product_id";

class ArchTest : public ::testing::TestWithParam<ArchCase> {};

TEST_P(ArchTest, ModelInitWritesTheArchitecturesTensorsAndKeys) {
  const ArchCase& c = GetParam();
  ModelInitOptions o = init_options(c, (test_dir() / (c.arch + ".own_vocab.gguf")).string());
  o.vocab.clear();  // the architecture's own tokenizer
  Status s = init_model(o);
  ASSERT_TRUE(s.ok()) << s.message();
  const std::string path = o.out_path;
  gguf_init_params ip{/*no_alloc=*/true, nullptr};
  gguf_context* g = gguf_init_from_file(path.c_str(), ip);
  ASSERT_TRUE(g);
  std::set<std::string> names;
  for (int64_t i = 0; i < gguf_get_n_tensors(g); ++i) names.insert(gguf_get_tensor_name(g, i));
  auto key = [&](const std::string& k) { return gguf_find_key(g, k.c_str()) >= 0; };
  const std::string a = c.arch == "mistral" ? "llama" : c.arch;  // llama.cpp reads Mistral as llama
  const int64_t arch_key = gguf_find_key(g, "general.architecture");
  ASSERT_GE(arch_key, 0);
  EXPECT_EQ(std::string(gguf_get_val_str(g, arch_key)), a);
  const bool qwen = c.arch == "qwen2", gemma = c.arch.starts_with("gemma"), gemma2 = c.arch == "gemma2";
  EXPECT_EQ(names.count("output.weight"), qwen || gemma ? 0u : 1u) << "tied output layer";
  EXPECT_EQ(names.count("blk.1.attn_q.bias") + names.count("blk.1.attn_k.bias") + names.count("blk.1.attn_v.bias"),
            qwen ? 3u : 0u);
  EXPECT_EQ(names.count("blk.1.post_attention_norm.weight") + names.count("blk.1.post_ffw_norm.weight"),
            gemma2 ? 2u : 0u);
  EXPECT_EQ(names.count("blk.1.attn_output.bias") + names.count("rope_freqs.weight"),
            0u);  // nothing the real models lack
  EXPECT_EQ(key(a + ".attention.key_length"), gemma);
  EXPECT_EQ(
      key(a + ".final_logit_softcapping") && key(a + ".attn_logit_softcapping") && key(a + ".attention.sliding_window"),
      gemma2);
  const int64_t kv = gguf_find_key(g, (a + ".attention.head_count_kv").c_str());
  ASSERT_GE(kv, 0);
  EXPECT_EQ(gguf_get_val_u32(g, kv), c.arch == "mistral" ? 1u : static_cast<uint32_t>(c.n_head_kv ? c.n_head_kv : 4));
  gguf_free(g);

  auto r = LlamaRunner::open(path, "", 1.0f, 256, 1);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const std::map<std::string, int> vocab = {
      {"llama", 128256}, {"mistral", 32000}, {"qwen2", 151936}, {"gemma", 262144}, {"gemma2", 262144}};
  EXPECT_EQ((*r)->n_vocab(), vocab.at(c.arch));
  auto logits = (*r)->last_logits(kText);
  ASSERT_TRUE(logits.ok());
  for (float l : *logits) ASSERT_TRUE(std::isfinite(l));
}

TEST_P(ArchTest, TrainingGraphLogProbabilitiesEqualLlamaCpps) {
  // Every adapted matrix and every norm and bias random: the same adapter
  // through llama.cpp and through the training graph, every position.
  const std::string base = models_of(GetParam()).perturbed;
  auto m = LoraModel::load(base, 1, false);
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_TRUE((*m)->init_adapter({.rank = 4, .alpha = 8, .dropout = 0, .seed = 1}).ok());
  randomize(**m, 3, 0.05f);
  const std::string adapter = (test_dir() / (GetParam().arch + ".graph.lora.gguf")).string();
  ASSERT_TRUE((*m)->save_adapter(adapter).ok());
  auto runner = LlamaRunner::open(base, adapter, 1.0f, 256, 1);
  ASSERT_TRUE(runner.ok()) << runner.status().message();
  const std::vector<int32_t> toks = (*runner)->tokenize(kText);
  ASSERT_GE(toks.size(), 12u);
  auto want = (*runner)->next_token_logprobs(toks);
  ASSERT_TRUE(want.ok()) << want.status().message();
  double worst = 0, spread = 0;
  for (size_t i = 0; i + 1 < toks.size(); ++i) {
    TokenBatch b;
    b.n_seq = 1;
    b.n_tokens = static_cast<int>(toks.size());
    b.tokens = toks;
    b.scored = {static_cast<int32_t>(i)};
    b.targets = {toks[i + 1]};
    auto loss = (*m)->compute(b, nullptr, 0);
    ASSERT_TRUE(loss.ok()) << loss.status().message();
    worst = std::max(worst, std::fabs(*loss + (*want)[i]));
    spread = std::max(spread, std::fabs((*want)[i] - (*want)[0]));
  }
  EXPECT_LT(worst, 2e-3) << "largest difference of -log p over " << toks.size() - 1 << " positions";
  EXPECT_GT(spread, 0.1);  // the positions differ: the check is not of one constant
}

TEST_P(ArchTest, GradientsMatchFiniteDifferences) {
  auto m = LoraModel::load(models_of(GetParam()).perturbed, 1, false);
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_TRUE((*m)->init_adapter({.rank = 2, .alpha = 4, .dropout = 0, .seed = 1}).ok());
  randomize(**m, 5, 0.05f);
  // Two sequences (the second padded): grouped-query attention over a batch.
  TokenBatch b;
  b.n_seq = 2;
  b.n_tokens = 10;
  b.tokens = {1, 400, 2060, 7, 9, 8, 16034, 4200, 11, 318, 1, 318, 1366, 257, 11, 4103, 2, 2, 2, 2};
  for (int i : {3, 4, 5, 6, 7, 8, 10 + 2, 10 + 3, 10 + 4}) {
    b.scored.push_back(i);
    b.targets.push_back(b.tokens[static_cast<size_t>(i) + 1]);
  }
  std::vector<float> grads;
  auto loss = (*m)->compute(b, &grads, 0);
  ASSERT_TRUE(loss.ok()) << loss.status().message();
  const std::vector<float> p0 = (*m)->get_parameters();
  std::vector<size_t> idx(p0.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::partial_sort(idx.begin(), idx.begin() + 8, idx.end(),
                    [&](size_t x, size_t y) { return std::fabs(grads[x]) > std::fabs(grads[y]); });
  idx.resize(8);
  ASSERT_GT(std::fabs(grads[idx[0]]), 1e-3);
  const float eps = 1e-2f;
  for (size_t i : idx) {
    std::vector<float> p = p0;
    p[i] = p0[i] + eps;
    (*m)->set_parameters(p);
    const double up = *(*m)->compute(b, nullptr, 0);
    p[i] = p0[i] - eps;
    (*m)->set_parameters(p);
    const double down = *(*m)->compute(b, nullptr, 0);
    const double fd = (up - down) / (2 * eps);
    EXPECT_NEAR(grads[i], fd, 2e-3 + 0.05 * std::fabs(fd)) << "parameter " << i;
  }
}

TEST_P(ArchTest, AdapterInLlamaCppEqualsTheMergedModel) {
  const std::string base = models_of(GetParam()).perturbed;
  auto m = LoraModel::load(base, 1, false);
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_TRUE((*m)->init_adapter({.rank = 8, .alpha = 16, .dropout = 0, .seed = 2}).ok());
  randomize(**m, 9, 0.05f);
  const std::string adapter = (test_dir() / (GetParam().arch + ".merge.lora.gguf")).string();
  const std::string merged = (test_dir() / (GetParam().arch + ".merged.gguf")).string();
  ASSERT_TRUE((*m)->save_adapter(adapter).ok());
  Status s = merge_lora(base, adapter, merged);
  ASSERT_TRUE(s.ok()) << s.message();
  auto with_adapter = LlamaRunner::open(base, adapter, 1.0f, 256, 1);
  auto merged_model = LlamaRunner::open(merged, "", 1.0f, 256, 1);
  auto plain = LlamaRunner::open(base, "", 1.0f, 256, 1);
  ASSERT_TRUE(with_adapter.ok()) << with_adapter.status().message();
  ASSERT_TRUE(merged_model.ok()) << merged_model.status().message();
  ASSERT_TRUE(plain.ok());
  const auto la = *(*with_adapter)->last_logits(kText);
  const auto lm = *(*merged_model)->last_logits(kText);
  const auto lb = *(*plain)->last_logits(kText);
  double diff_merged = 0, diff_base = 0;
  for (size_t i = 0; i < la.size(); ++i) {
    diff_merged = std::max(diff_merged, static_cast<double>(std::fabs(la[i] - lm[i])));
    diff_base = std::max(diff_base, static_cast<double>(std::fabs(la[i] - lb[i])));
  }
  EXPECT_LT(diff_merged, 1e-3);
  EXPECT_GT(diff_base, 1e-2);  // the adapter does change the model
}

// Twenty question/SQL pairs over one small table.
std::string write_twenty(const fs::path& path) {
  const std::string schema = "CREATE TABLE sales (region TEXT, year INTEGER, amount REAL);";
  const char* regions[] = {"North", "South", "East", "West"};
  std::ofstream out(path);
  for (int y = 2021; y <= 2025; ++y)
    for (const char* r : regions) {
      nlohmann::json j = {{"question", "Total sales in the " + std::string(r) + " in " + std::to_string(y) + "?"},
                          {"context", schema},
                          {"answer", "SELECT SUM(amount) FROM sales WHERE region = '" + std::string(r) +
                                         "' AND year = " + std::to_string(y) + ";"}};
      out << j.dump() << "\n";
    }
  return path.string();
}

// The design documents' Gemma-2B recipe (rank 64, alpha 32, a 4-bit base), on
// every architecture: the loss falls, and llama.cpp applies the adapter to
// the quantized base.
TEST_P(ArchTest, QLoRAWithTheGemmaRecipeTrainsOnA4BitBase) {
  const ArchCase& c = GetParam();
  const std::string q4 = (test_dir() / (c.arch + ".q4_0.gguf")).string();
  Status s = quantize_model(models_of(c).base, q4, "q4_0", 2);
  ASSERT_TRUE(s.ok()) << s.message();
  {
    auto m = LoraModel::load(q4, 1, false);
    ASSERT_TRUE(m.ok()) << m.status().message();
    EXPECT_EQ((*m)->shape().weight_type, "q4_0");
  }
  TrainOptions o;
  o.base_path = q4;
  o.data_path = write_twenty(test_dir() / (c.arch + ".twenty.jsonl"));
  o.out_path = (test_dir() / (c.arch + ".q4_0.lora.gguf")).string();
  o.prompt_format = "sql-create-context";
  o.rank = 64;
  o.alpha = 32;
  o.learning_rate = 1e-2f;
  o.batch_size = 4;
  o.grad_accum = 1;
  o.max_steps = 6;
  o.checkpoint_every = 0;
  o.threads = 1;
  std::vector<double> losses;
  o.on_progress = [&](const TrainProgress& p) { losses.push_back(p.loss); };
  auto r = train_lora(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(losses.size(), 6u);
  EXPECT_LT(losses.back(), losses.front() * 0.85) << "loss " << losses.front() << " -> " << losses.back();
  auto runner = LlamaRunner::open(q4, o.out_path, 1.0f, 256, 1);
  ASSERT_TRUE(runner.ok()) << runner.status().message();
  auto logits = (*runner)->last_logits(kText);
  ASSERT_TRUE(logits.ok());
  for (float l : *logits) ASSERT_TRUE(std::isfinite(l));
}

// Generation under the SQL grammar of the demo warehouse. Flat random models
// (init std 0.02) of the architecture, two models (seeds), both prompt
// layouts, two questions, 48 tokens, until one statement has ended. The
// decoding loop keeps every statement within its token budget (steps_to_end),
// so no try may reach the token limit; each statement that ends must
// prepare on the demo database. Dead ends of the constraints are rare (the
// checker refuses a qualifier no table can serve where it is written, and
// the budget counts what a last word must still become), so some try must
// end: each architecture ends a statement on its first or second try.
TEST_P(ArchTest, GenerationUnderTheGrammarPreparesOnTheDemoDatabase) {
  const ArchCase& c = GetParam();
  const std::string db_path = (test_dir() / "demo.db").string();
  if (!fs::exists(db_path)) {
    ASSERT_TRUE(create_demo_warehouse(db_path, true).ok());
  }
  auto db = Database::open(db_path);
  ASSERT_TRUE(db.ok()) << db.status().message();
  auto catalog = (*db)->catalog();
  ASSERT_TRUE(catalog.ok());
  int ended = 0, dead_ends = 0;
  for (uint32_t seed : {13u, 17u}) {
    ModelInitOptions mo = init_options(c, (test_dir() / (c.arch + ".flat" + std::to_string(seed) + ".gguf")).string());
    mo.init_std = 0.02f;
    mo.seed = seed;
    Status s = init_model(mo);
    ASSERT_TRUE(s.ok()) << s.message();
    for (const char* format : {"sql-create-context", "chat"}) {
      GeneratorOptions go;
      go.mode = "llm";
      go.model_path = mo.out_path;
      go.grammar = true;
      go.max_repairs = 0;
      go.threads = 1;
      go.n_ctx = 2048;
      go.max_tokens = 48;
      go.prompt_format = format;
      auto gen = make_llm_generator(go, *catalog, db->get());
      ASSERT_TRUE(gen.ok()) << gen.status().message();
      for (const char* q : {"Total sales in 2023?", "How many stores are there in each region?"}) {
        auto g = (*gen)->generate({.question = q});
        ASSERT_TRUE(g.ok()) << g.status().message();
        ASSERT_EQ(g->attempts.size(), 1u);
        const auto& a = g->attempts[0];
        EXPECT_EQ(a.error.find("token limit"), std::string::npos) << format << " | " << q << "\n" << a.sql;
        if (a.error.find("dead end") != std::string::npos) {
          ++dead_ends;
          continue;  // nothing ended: a dead end of the constraints is no statement to check
        }
        ++ended;
        EXPECT_TRUE(a.error.empty()) << format << " | " << q << "\n" << a.sql << "\n" << a.error;
        EXPECT_TRUE((*db)->validate(a.sql).ok()) << a.sql;
        break;
      }
      if (ended) break;
    }
    if (ended) break;
  }
  EXPECT_GT(ended, 0) << "no statement ended in 8 tries (" << dead_ends << " dead ends)";
}

INSTANTIATE_TEST_SUITE_P(Architectures, ArchTest, ::testing::ValuesIn(arch_cases()),
                         [](const ::testing::TestParamInfo<ArchCase>& i) { return i.param.arch; });

TEST(ModelInitArch, RefusesAnUnknownArchitectureAndOptionsItDoesNotHave) {
  ModelInitOptions o;
  o.out_path = (test_dir() / "refused.gguf").string();
  o.arch = "falcon";
  Status s = init_model(o);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("gemma2"), std::string::npos) << s.message();  // lists the supported ones
  o.arch = "llama";
  o.head_dim = 32;
  EXPECT_EQ(init_model(o).code(), StatusCode::kInvalidArgument);
  o.head_dim = 0;
  o.sliding_window = 16;
  EXPECT_EQ(init_model(o).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(o.out_path));
}

}  // namespace
}  // namespace t2sql::train
