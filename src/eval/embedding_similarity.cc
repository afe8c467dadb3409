#include "eval/embedding_similarity.h"

#include <algorithm>
#include <mutex>
#include <vector>

#include "retrieval/llama_embedder.h"

namespace t2sql {

namespace {

struct SharedEmbedder {
  std::mutex mu;
  std::unique_ptr<Embedder> embedder;  // guarded by mu
};

}  // namespace

Result<SqlSimilarityFn> make_embedding_similarity(const std::string& model_path, int threads) {
  auto embedder = make_llama_embedder(model_path, threads);
  if (!embedder.ok()) return embedder.status();
  auto shared = std::make_shared<SharedEmbedder>();
  shared->embedder = std::move(*embedder);
  return SqlSimilarityFn([shared](const std::string& gold, const std::string& predicted) -> double {
    if (gold.empty() || predicted.empty()) return 0;
    std::lock_guard<std::mutex> lock(shared->mu);
    const int dim = shared->embedder->dim();
    std::vector<float> v(2 * static_cast<size_t>(dim));
    if (!shared->embedder->embed({gold, predicted}, v.data()).ok()) return 0;
    double dot = 0;
    for (int i = 0; i < dim; ++i) dot += static_cast<double>(v[i]) * v[dim + i];
    return std::clamp(dot, 0.0, 1.0);
  });
}

}  // namespace t2sql
