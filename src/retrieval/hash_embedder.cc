#include "retrieval/hash_embedder.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "base/hashing.h"
#include "schema/text_words.h"

namespace t2sql {

namespace {

// Trigrams together weigh this much of their word, so that an exact word
// match still beats a word that only shares letters.
constexpr float kTrigramMass = 0.6f;
constexpr size_t kMinTrigramWord = 4;

}  // namespace

std::vector<HashEmbedder::Feature> HashEmbedder::features(const std::string& text) {
  std::vector<Feature> out;
  for (const auto& word : text_words(text)) {
    out.push_back({fnv1a64(word, fnv1a64("w")), 1.0f});
    bool alpha = std::all_of(word.begin(), word.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    if (!alpha || word.size() < kMinTrigramWord) continue;
    std::string padded = "^" + word + "$";
    size_t grams = padded.size() - 2;
    float w = kTrigramMass / static_cast<float>(grams);
    for (size_t i = 0; i < grams; ++i) out.push_back({fnv1a64(std::string_view(padded).substr(i, 3), fnv1a64("c")), w});
  }
  return out;
}

void HashEmbedder::fit(const std::vector<std::string>& corpus) {
  std::unordered_map<uint64_t, int64_t> df;
  for (const auto& text : corpus) {
    std::unordered_set<uint64_t> seen;
    for (const auto& f : features(text)) seen.insert(f.hash);
    for (uint64_t h : seen) ++df[h];
  }
  documents_ = static_cast<int64_t>(corpus.size());
  idf_.clear();
  idf_.reserve(df.size());
  for (const auto& [h, n] : df) {
    idf_[h] = static_cast<float>(std::log((1.0 + documents_) / (1.0 + n)) + 1.0);
  }
}

float HashEmbedder::idf(uint64_t feature) const {
  if (documents_ == 0) return 1.0f;
  auto it = idf_.find(feature);
  return it == idf_.end() ? 0.0f : it->second;
}

void HashEmbedder::embed_one(const std::string& text, float* out) const {
  std::fill(out, out + dim_, 0.0f);
  std::unordered_map<uint64_t, float> tf;
  for (const auto& f : features(text)) tf[f.hash] += f.weight;
  // Words no document has cannot make any document more alike, so they get
  // no bucket (they would only add collision noise), but they still count in
  // the length: a question mostly about other things matches less.
  const float unseen_idf = static_cast<float>(std::log(1.0 + documents_) + 1.0);
  double unseen = 0;
  for (const auto& [h, count] : tf) {
    float sublinear = count >= 1.0f ? 1.0f + std::log(count) : count;
    float weight = sublinear * idf(h);
    if (weight == 0.0f) {
      unseen += static_cast<double>(sublinear * unseen_idf) * (sublinear * unseen_idf);
      continue;
    }
    uint64_t m = mix64(h);
    size_t bucket = static_cast<size_t>(m % static_cast<uint64_t>(dim_));
    out[bucket] += (m >> 63) ? -weight : weight;
  }
  double norm = 0;
  for (int i = 0; i < dim_; ++i) norm += static_cast<double>(out[i]) * out[i];
  if (norm <= 0) return;
  norm += unseen;
  float scale = static_cast<float>(1.0 / std::sqrt(norm));
  for (int i = 0; i < dim_; ++i) out[i] *= scale;
}

Status HashEmbedder::embed(const std::vector<std::string>& texts, float* out, const ProgressFn& progress) {
  const int64_t total = static_cast<int64_t>(texts.size());
  const int64_t step = std::max<int64_t>(1, total / 100);
  for (int64_t i = 0; i < total; ++i) {
    embed_one(texts[i], out + i * dim_);
    if (progress && ((i + 1) % step == 0 || i + 1 == total)) progress("embed", i + 1, total);
  }
  return Status();
}

}  // namespace t2sql
