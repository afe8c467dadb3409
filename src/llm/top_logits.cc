#include "llm/top_logits.h"

#include <algorithm>

namespace t2sql {

void top_logits(const float* logits, size_t n, size_t k, std::vector<llama_token_data>* out) {
  out->clear();
  k = std::min(k, n);
  if (k == 0) return;
  for (size_t i = 0; i < k; ++i) out->push_back({static_cast<llama_token>(i), logits[i], 0.0f});
  // Heap order: the one that ranks last on top.
  std::make_heap(out->begin(), out->end(), ranks_before);
  float worst = out->front().logit;
  for (size_t i = k; i < n; ++i) {
    // Strictly greater: a later id never displaces an equal earlier one.
    if (!(logits[i] > worst)) continue;
    std::pop_heap(out->begin(), out->end(), ranks_before);
    out->back() = {static_cast<llama_token>(i), logits[i], 0.0f};
    std::push_heap(out->begin(), out->end(), ranks_before);
    worst = out->front().logit;
  }
}

}  // namespace t2sql
