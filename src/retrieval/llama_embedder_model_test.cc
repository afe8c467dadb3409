// Embedding through llama.cpp with tiny models the test makes itself: a
// BERT-family encoder and a llama-architecture decoder, random weights.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include <unistd.h>

#include "retrieval/embedder.h"
#include "retrieval/llama_embedder.h"
#include "t2sql/retrieval.h"
#include "testing/test_models.h"

namespace t2sql {
namespace {

std::string dir() {
  static const std::string d = [] {
    std::string p = ::testing::TempDir() + "/llama_embedder_model_test_" + std::to_string(::getpid());
    std::filesystem::create_directories(p);
    return p;
  }();
  return d;
}

std::string tiny_model(const std::string& arch) {
  static std::set<std::string> made;  // once per run: a file left by an older build must not count
  std::string path = dir() + "/tiny-" + arch + ".gguf";
  if (made.insert(arch).second) {
    std::string vocab = testing::llama_vocab_file(arch == "bert" ? "bert-bge" : "llama-spm");
    Status s = write_tiny_embedding_model(path, arch, vocab);
    EXPECT_TRUE(s.ok()) << s.message();
  }
  return path;
}

float dot(const float* a, const float* b, int n) {
  float s = 0;
  for (int i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

class LlamaEmbedderTest : public ::testing::TestWithParam<std::string> {};

TEST_P(LlamaEmbedderTest, UnitVectorsDeterministicAndTextDependent) {
  auto e = make_embedder(tiny_model(GetParam()), 2);
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ((*e)->dim(), 64);
  EXPECT_NE((*e)->id().find(":mean:"), std::string::npos) << (*e)->id();
  std::vector<std::string> texts = {"singer name", "stadium capacity", "singer name", std::string(5000, 'x')};
  std::vector<float> v(texts.size() * 64);
  int calls = 0;
  ASSERT_TRUE((*e)->embed(texts, v.data(), [&](const std::string&, int64_t, int64_t) { ++calls; }).ok());
  EXPECT_EQ(calls, 4);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(dot(&v[i * 64], &v[i * 64], 64), 1.0f, 1e-4);
  EXPECT_NEAR(dot(&v[0], &v[128], 64), 1.0f, 1e-5);  // same text, same vector
  EXPECT_LT(dot(&v[0], &v[64], 64), 0.9999f);        // different text, different vector
}

INSTANTIATE_TEST_SUITE_P(EncoderAndDecoder, LlamaEmbedderTest, ::testing::Values("bert", "llama"));

TEST(LlamaEmbedder, RetrieverRunsOnAModelAndCachesByModel) {
  Catalog c;
  TableInfo t{.name = "singer"};
  t.columns = {{.name = "singer_id", .declared_type = "INTEGER", .primary_key = true},
               {.name = "name", .declared_type = "TEXT"},
               {.name = "age", .declared_type = "INTEGER"}};
  t.primary_key = {"singer_id"};
  c.tables = {t};
  RetrievalOptions options;
  options.embedder = tiny_model("bert");
  options.top_columns = 2;
  options.cache_dir = dir() + "/cache";
  std::filesystem::remove_all(options.cache_dir);
  auto r = VectorSchemaRetriever::create(c, options);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)->index_origin(), "built");
  auto out = (*r)->retrieve("how old is each singer");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->columns.size(), 2u);
  EXPECT_NE(out->ddl.find("singer_id"), std::string::npos);
  options.embedder = tiny_model("llama");
  auto other = VectorSchemaRetriever::create(c, options);
  ASSERT_TRUE(other.ok());
  EXPECT_NE((*other)->index_origin().find("stale"), std::string::npos) << (*other)->index_origin();
}

TEST(LlamaEmbedder, WrongKindsOfFileAreClearErrors) {
  std::string text = dir() + "/notes.gguf";
  std::ofstream(text) << "this is not a model";
  auto e = make_embedder(text);
  EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(e.status().message().find("not a GGUF file"), std::string::npos) << e.status().message();

  auto vocab = make_embedder(testing::llama_vocab_file("bert-bge"));
  EXPECT_EQ(vocab.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(vocab.status().message().find("tokenizer only"), std::string::npos) << vocab.status().message();

  // A LoRA adapter file: GGUF (version 3, no tensors) whose general.type is "adapter".
  std::string adapter = dir() + "/adapter.gguf";
  {
    std::ofstream out(adapter, std::ios::binary);
    auto u32 = [&](uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); };
    auto u64 = [&](uint64_t v) { out.write(reinterpret_cast<const char*>(&v), 8); };
    auto str = [&](const std::string& v) {
      u64(v.size());
      out.write(v.data(), static_cast<std::streamsize>(v.size()));
    };
    out.write("GGUF", 4);
    u32(3);
    u64(0);
    u64(2);
    str("general.type");
    u32(8);  // string
    str("adapter");
    str("general.architecture");
    u32(8);
    str("llama");
  }
  auto lora = make_embedder(adapter);
  EXPECT_EQ(lora.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(lora.status().message().find("LoRA adapter"), std::string::npos) << lora.status().message();

  // A reranker: rank pooling.
  std::string rerank = dir() + "/rerank.gguf";
  ASSERT_TRUE(write_tiny_embedding_model(rerank, "bert", testing::llama_vocab_file("bert-bge"), 32, 1, 1, 4).ok());
  auto ranker = make_embedder(rerank);
  EXPECT_NE(ranker.status().message().find("reranker"), std::string::npos) << ranker.status().message();
}

}  // namespace
}  // namespace t2sql
