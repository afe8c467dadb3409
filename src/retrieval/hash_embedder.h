// HashEmbedder: the built-in embedder that needs no model. A text becomes its
// normalized words and the character trigrams of those words, weighted by
// sublinear term frequency times inverse document frequency (learned by
// fit() on the schema's descriptions), hashed with a sign into `dim` buckets
// and scaled to unit length, counting in the length the words the corpus
// never saw (so a text mostly about other things comes out shorter). Words
// give exact matches; trigrams give partial
// ones ("revenue" ~ "revenues", "addr" ~ "address").
// Not thread-safe during fit(); embed() only reads. No errors.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "retrieval/embedder.h"

namespace t2sql {

class HashEmbedder : public Embedder {
 public:
  static constexpr int kDefaultDim = 512;

  explicit HashEmbedder(int dim = kDefaultDim) : dim_(dim) {}

  std::string id() const override { return "hash-v1:" + std::to_string(dim_); }
  int dim() const override { return dim_; }
  void fit(const std::vector<std::string>& corpus) override;
  Status embed(const std::vector<std::string>& texts, float* out, const ProgressFn& progress = nullptr) override;

  // One text into `out` (dim() floats).
  void embed_one(const std::string& text, float* out) const;

 private:
  struct Feature {
    uint64_t hash;
    float weight;
  };
  static std::vector<Feature> features(const std::string& text);
  float idf(uint64_t feature) const;

  int dim_;
  int64_t documents_ = 0;
  std::unordered_map<uint64_t, float> idf_;  // feature hash -> idf, for features seen in fit()
};

}  // namespace t2sql
