// top_logits: the k highest logits of a vocabulary, for grammar-constrained
// sampling, which checks the best few candidates before anything else.
//
// One pass over the logits with a k-entry min-heap: a logit enters only when
// it beats the heap's smallest, which after the first few thousand logits is
// rare, so the pass costs about one comparison per token (a tenth of a
// millisecond for a 150k vocabulary) instead of filling and partially sorting
// 150k candidate records.
#pragma once

#include <llama.h>

#include <cstddef>
#include <vector>

namespace t2sql {

// Greedy decoding's order: `a` comes before `b` when its logit is higher, or
// equal with a lower id (the greedy sampler picks the first maximum).
inline bool ranks_before(const llama_token_data& a, const llama_token_data& b) {
  return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
}

// The min(k, n) highest of logits[0..n) with their token ids, in `out`
// (replaced), in no particular order. Among equal logits the lower id wins,
// as greedy sampling picks the first maximum.
void top_logits(const float* logits, size_t n, size_t k, std::vector<llama_token_data>* out);

}  // namespace t2sql
