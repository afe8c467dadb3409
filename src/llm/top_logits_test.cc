#include "llm/top_logits.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <utility>
#include <vector>

namespace t2sql {
namespace {

// The ids of the k best by a full sort: higher logit first, lower id among equals.
std::set<llama_token> best_by_sort(const std::vector<float>& logits, size_t k) {
  std::vector<std::pair<float, llama_token>> all;
  for (size_t i = 0; i < logits.size(); ++i) all.push_back({logits[i], static_cast<llama_token>(i)});
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  std::set<llama_token> out;
  for (size_t i = 0; i < std::min(k, all.size()); ++i) out.insert(all[i].second);
  return out;
}

TEST(TopLogits, MatchesAFullSortIncludingTies) {
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 2.0f);
  std::vector<llama_token_data> out;
  for (size_t n : {1u, 7u, 64u, 1000u, 50000u}) {
    for (size_t k : {1u, 16u, 64u, 512u}) {
      for (bool ties : {false, true}) {
        std::vector<float> logits(n);
        for (float& x : logits) x = ties ? std::round(normal(rng)) : normal(rng);
        top_logits(logits.data(), n, k, &out);
        ASSERT_EQ(out.size(), std::min(k, n));
        std::set<llama_token> got;
        for (const auto& d : out) {
          EXPECT_EQ(d.logit, logits[static_cast<size_t>(d.id)]);
          got.insert(d.id);
        }
        EXPECT_EQ(got, best_by_sort(logits, k)) << "n " << n << ", k " << k << (ties ? ", ties" : "");
      }
    }
  }
}

TEST(TopLogits, AscendingLogitsAndNothingToChoose) {
  // Every logit beats the ones before it: each one enters the heap.
  std::vector<float> logits(5000);
  for (size_t i = 0; i < logits.size(); ++i) logits[i] = static_cast<float>(i);
  std::vector<llama_token_data> out;
  top_logits(logits.data(), logits.size(), 3, &out);
  std::set<llama_token> got;
  for (const auto& d : out) got.insert(d.id);
  EXPECT_EQ(got, (std::set<llama_token>{4997, 4998, 4999}));

  top_logits(logits.data(), logits.size(), 0, &out);
  EXPECT_TRUE(out.empty());
  top_logits(logits.data(), 0, 8, &out);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace t2sql
