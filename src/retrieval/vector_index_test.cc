#include "retrieval/vector_index.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "retrieval/index_cache.h"
#include "testing/temp_path.h"

namespace t2sql {
namespace {

std::vector<float> unit_vectors(int n, int dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist;
  std::vector<float> v(static_cast<size_t>(n) * dim);
  for (int i = 0; i < n; ++i) {
    float norm = 0;
    for (int d = 0; d < dim; ++d) norm += (v[i * dim + d] = dist(rng)) * v[i * dim + d];
    for (int d = 0; d < dim; ++d) v[i * dim + d] /= std::sqrt(norm);
  }
  return v;
}

class VectorIndexTest : public ::testing::TestWithParam<int> {};

TEST_P(VectorIndexTest, FindsEachVectorAndSurvivesSerialization) {
  const int n = 600, dim = 32;
  auto v = unit_vectors(n, dim, 3);
  auto index = VectorIndex::create(dim, n, GetParam());
  EXPECT_EQ(index->kind(), GetParam() < n ? "hnsw" : "flat-ip");
  int progress_calls = 0;
  ASSERT_TRUE(index
                  ->add(v.data(), n,
                        [&](const std::string&, int64_t done, int64_t total) {
                          ++progress_calls;
                          EXPECT_LE(done, total);
                        })
                  .ok());
  EXPECT_GT(progress_calls, 0);
  EXPECT_EQ(index->size(), n);
  for (int i : {0, 17, 599}) {
    auto hits = index->search(v.data() + i * dim, 5);
    ASSERT_EQ(hits.size(), 5u);
    EXPECT_EQ(hits[0].id, i);
    EXPECT_NEAR(hits[0].score, 1.0f, 1e-4);
    EXPECT_GE(hits[0].score, hits[4].score);
  }
  auto bytes = index->serialize();
  ASSERT_TRUE(bytes.ok());
  auto back = VectorIndex::deserialize(*bytes);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ((*back)->kind(), index->kind());
  EXPECT_EQ((*back)->search(v.data() + 17 * dim, 1)[0].id, 17);
}

INSTANTIATE_TEST_SUITE_P(FlatAndHnsw, VectorIndexTest, ::testing::Values(100000, 100));

TEST(VectorIndex, GarbageDoesNotDeserialize) {
  std::vector<uint8_t> junk(64, 0x5a);
  EXPECT_EQ(VectorIndex::deserialize(junk).status().code(), StatusCode::kInvalidArgument);
}

TEST(IndexCache, RoundTripStaleCorruptTruncated) {
  std::string path = t2sql::testing::own_temp_path("cache_test/x.bin");
  std::vector<uint8_t> payload(1000);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i * 7);
  ASSERT_TRUE(write_cache_file(path, CacheKind::kSchemaIndex, 42, payload).ok());
  auto back = read_cache_file(path, CacheKind::kSchemaIndex, 42);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, payload);

  auto stale = read_cache_file(path, CacheKind::kSchemaIndex, 43);
  EXPECT_EQ(stale.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(stale.status().message().rfind("stale", 0), 0u) << stale.status().message();
  EXPECT_FALSE(read_cache_file(path, CacheKind::kValueIndex, 42).ok());

  {  // flip one payload byte
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(36 + 500);
    f.put(0x01);
  }
  auto corrupt = read_cache_file(path, CacheKind::kSchemaIndex, 42);
  EXPECT_EQ(corrupt.status().message(), "corrupt: checksum mismatch");

  std::filesystem::resize_file(path, 100);
  EXPECT_EQ(read_cache_file(path, CacheKind::kSchemaIndex, 42).status().message(), "corrupt: truncated");
  EXPECT_EQ(read_cache_file(path + ".none", CacheKind::kSchemaIndex, 42).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace t2sql
