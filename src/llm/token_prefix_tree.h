// TokenPrefixTree: a vocabulary's tokens arranged by text prefix, for
// grammar-constrained sampling without checking the whole vocabulary.
//
// A grammar accepts a token only if it accepts every prefix of the token's
// text (acceptance is of a partial statement, so it is prefix-closed). Each
// token's parent is the longest proper prefix of its text that is itself a
// token; when the grammar refuses a parent, it refuses all of the parent's
// descendants, which therefore need no check. Tokens with no such parent,
// and special tokens (end of generation, controls), are roots and are always
// checked. With a grammar that allows few continuations (the usual case for
// SQL outside string literals) a few hundred checks replace one per token of
// a 150k vocabulary.
//
// Immutable after build(); safe to share between threads. The grammar
// sampler it is used with is not thread-safe (the caller serializes).
#pragma once

#include <llama.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace t2sql {

class TokenPrefixTree {
 public:
  static TokenPrefixTree build(const llama_vocab* vocab);

  // Every token the grammar allows next, with its logit, in `allowed`
  // (cleared first); the others are refused. `logits` covers the vocabulary.
  void allowed_tokens(llama_sampler* grammar, const float* logits, std::vector<llama_token_data>* allowed) const;

  // Greedy decoding's choice: the allowed token with the highest logit (the
  // lowest id among equals), or -1 when the grammar allows nothing. Branch
  // and bound: after the roots, a subtree is checked only when some token in
  // it has a higher logit than the best allowed token found so far, so where
  // the grammar allows hundreds of tokens the levels below the roots stay
  // narrow instead of holding thousands of candidates. `scratch` is reused
  // between calls (one per thread).
  llama_token best_allowed(llama_sampler* grammar, const float* logits, std::vector<float>* scratch) const;

  // The best tokens, at most `k`, that the grammar allows, `accepts` accepts
  // and `eligible` admits, in ranks_before's order (greedy's choice first), in
  // `out` (replaced). `accepts` must be prefix-closed as the grammar is (a
  // text it refuses has no accepted extension): a token it refuses prunes its
  // subtree. `eligible` only filters (a token it refuses may still have
  // eligible descendants). Best first: the subtree with the highest logit
  // still unexplored is opened next, and none that cannot beat the k-th best
  // found is opened, so a constraint that refuses all but a few deep tokens
  // costs checks along their paths, not one per allowed token. At most
  // `max_checks` calls of `accepts`; returns false when that bound stopped the
  // search (`out` then holds what was found before).
  bool best_accepted(llama_sampler* grammar, const float* logits, const std::function<bool(llama_token)>& accepts,
                     const std::function<bool(llama_token)>& eligible, size_t k, size_t max_checks,
                     std::vector<float>* scratch, std::vector<llama_token_data>* out) const;

  size_t roots() const { return roots_.size(); }
  llama_token parent(llama_token t) const { return parent_[static_cast<size_t>(t)]; }

 private:
  std::vector<llama_token> roots_;
  std::vector<llama_token> parent_;    // -1 for a root
  std::vector<uint32_t> child_begin_;  // children of t: children_[child_begin_[t] .. child_begin_[t + 1])
  std::vector<llama_token> children_;
  std::vector<llama_token> preorder_;    // the roots' subtrees one after another, parents first
  std::vector<uint32_t> subtree_begin_;  // roots_[r]'s subtree: preorder_[subtree_begin_[r] .. subtree_begin_[r + 1])
};

}  // namespace t2sql
