#include "llm/token_prefix_tree.h"

#include <cmath>
#include <string>
#include <string_view>
#include <unordered_map>

namespace t2sql {

TokenPrefixTree TokenPrefixTree::build(const llama_vocab* vocab) {
  const int32_t n = llama_vocab_n_tokens(vocab);
  TokenPrefixTree tree;
  tree.parent_.assign(static_cast<size_t>(n), -1);
  // Texts as the grammar sees them (no special rendering); only normal and
  // byte tokens take part, the rest stay roots.
  std::vector<std::string> text(static_cast<size_t>(n));
  std::unordered_map<std::string_view, llama_token> by_text;
  by_text.reserve(static_cast<size_t>(n));
  for (llama_token t = 0; t < n; ++t) {
    const auto attr = llama_vocab_get_attr(vocab, t);
    if (attr != LLAMA_TOKEN_ATTR_NORMAL && attr != LLAMA_TOKEN_ATTR_BYTE) continue;
    char buf[256];
    int32_t len = llama_token_to_piece(vocab, t, buf, sizeof(buf), 0, false);
    if (len <= 0) continue;  // empty or too long: a root
    text[static_cast<size_t>(t)].assign(buf, static_cast<size_t>(len));
  }
  for (llama_token t = 0; t < n; ++t) {
    const std::string& s = text[static_cast<size_t>(t)];
    if (!s.empty()) by_text.emplace(std::string_view(s), t);
  }
  for (llama_token t = 0; t < n; ++t) {
    std::string_view s = text[static_cast<size_t>(t)];
    for (size_t len = s.size(); len-- > 1;) {
      auto it = by_text.find(s.substr(0, len));
      if (it != by_text.end()) {
        tree.parent_[static_cast<size_t>(t)] = it->second;
        break;
      }
    }
  }
  // Children in compressed rows.
  tree.child_begin_.assign(static_cast<size_t>(n) + 1, 0);
  for (llama_token t = 0; t < n; ++t) {
    llama_token p = tree.parent_[static_cast<size_t>(t)];
    if (p < 0)
      tree.roots_.push_back(t);
    else
      ++tree.child_begin_[static_cast<size_t>(p) + 1];
  }
  for (size_t i = 1; i < tree.child_begin_.size(); ++i) tree.child_begin_[i] += tree.child_begin_[i - 1];
  tree.children_.resize(static_cast<size_t>(n) - tree.roots_.size());
  std::vector<uint32_t> fill(tree.child_begin_.begin(), tree.child_begin_.end() - 1);
  for (llama_token t = 0; t < n; ++t) {
    llama_token p = tree.parent_[static_cast<size_t>(t)];
    if (p >= 0) tree.children_[fill[static_cast<size_t>(p)]++] = t;
  }
  return tree;
}

void TokenPrefixTree::allowed_tokens(llama_sampler* grammar, const float* logits,
                                     std::vector<llama_token_data>* allowed) const {
  allowed->clear();
  std::vector<llama_token_data> level, next;
  level.reserve(roots_.size());
  for (llama_token t : roots_) level.push_back({t, logits[t], 0.0f});
  // One grammar call a level: the roots, then the children of what it allowed.
  while (!level.empty()) {
    llama_token_data_array arr{level.data(), level.size(), -1, false};
    llama_sampler_apply(grammar, &arr);
    next.clear();
    for (const auto& d : level) {
      if (!std::isfinite(d.logit)) continue;
      allowed->push_back(d);
      const auto t = static_cast<size_t>(d.id);
      for (uint32_t i = child_begin_[t]; i < child_begin_[t + 1]; ++i) {
        next.push_back({children_[i], logits[children_[i]], 0.0f});
      }
    }
    level.swap(next);
  }
}

}  // namespace t2sql
