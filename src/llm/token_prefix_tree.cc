#include "llm/token_prefix_tree.h"

#include <algorithm>
#include <cmath>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>

#include "llm/top_logits.h"

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
  // Each root's subtree, parents before children, contiguous.
  tree.preorder_.reserve(static_cast<size_t>(n));
  tree.subtree_begin_.reserve(tree.roots_.size() + 1);
  std::vector<llama_token> stack;
  for (llama_token r : tree.roots_) {
    tree.subtree_begin_.push_back(static_cast<uint32_t>(tree.preorder_.size()));
    stack.push_back(r);
    while (!stack.empty()) {
      const llama_token t = stack.back();
      stack.pop_back();
      tree.preorder_.push_back(t);
      const auto u = static_cast<size_t>(t);
      for (uint32_t i = tree.child_begin_[u]; i < tree.child_begin_[u + 1]; ++i) stack.push_back(tree.children_[i]);
    }
  }
  tree.subtree_begin_.push_back(static_cast<uint32_t>(tree.preorder_.size()));
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

llama_token TokenPrefixTree::best_allowed(llama_sampler* grammar, const float* logits,
                                          std::vector<float>* scratch) const {
  std::vector<llama_token_data> level, next;
  level.reserve(roots_.size());
  for (llama_token t : roots_) level.push_back({t, logits[t], 0.0f});
  llama_token_data_array arr{level.data(), level.size(), -1, false};
  llama_sampler_apply(grammar, &arr);
  llama_token best = -1;
  float best_logit = -INFINITY;
  for (const auto& d : level) {
    if (std::isfinite(d.logit) && ranks_before(d, {best, best_logit, 0.0f})) {
      best = d.id;
      best_logit = d.logit;
    }
  }
  if (best < 0) return -1;  // every token descends from a root

  // The highest logit in each subtree under an allowed root: the roots'
  // subtrees are contiguous in preorder, where every child comes after its
  // parent, so one backward sweep carries each maximum up to the parent.
  std::vector<float>& top = *scratch;
  top.resize(parent_.size());
  for (size_t r = 0; r < roots_.size(); ++r) {
    if (!std::isfinite(level[r].logit)) continue;
    const uint32_t begin = subtree_begin_[r], end = subtree_begin_[r + 1];
    for (uint32_t i = begin; i < end; ++i) top[static_cast<size_t>(preorder_[i])] = logits[preorder_[i]];
    for (uint32_t i = end; i-- > begin + 1;) {
      const auto t = static_cast<size_t>(preorder_[i]);
      float& up = top[static_cast<size_t>(parent_[t])];
      up = std::max(up, top[t]);
    }
  }
  auto push_children = [&](llama_token p, std::vector<llama_token_data>* out) {
    const auto u = static_cast<size_t>(p);
    for (uint32_t i = child_begin_[u]; i < child_begin_[u + 1]; ++i) {
      const llama_token c = children_[i];
      if (top[static_cast<size_t>(c)] >= best_logit) out->push_back({c, logits[c], 0.0f});
    }
  };
  next.clear();
  for (const auto& d : level) {
    if (std::isfinite(d.logit)) push_children(d.id, &next);
  }
  level.swap(next);
  // One grammar call a level, on the children of allowed nodes whose subtrees
  // can still beat the best.
  while (!level.empty()) {
    std::erase_if(level, [&](const llama_token_data& d) { return top[static_cast<size_t>(d.id)] < best_logit; });
    if (level.empty()) break;
    arr = {level.data(), level.size(), -1, false};
    llama_sampler_apply(grammar, &arr);
    next.clear();
    for (const auto& d : level) {
      if (!std::isfinite(d.logit)) continue;
      if (ranks_before(d, {best, best_logit, 0.0f})) {
        best = d.id;
        best_logit = d.logit;
      }
      push_children(d.id, &next);
    }
    level.swap(next);
  }
  return best;
}

bool TokenPrefixTree::best_accepted(llama_sampler* grammar, const float* logits,
                                    const std::function<bool(llama_token)>& accepts,
                                    const std::function<bool(llama_token)>& eligible, size_t k, size_t max_checks,
                                    std::vector<float>* scratch, std::vector<llama_token_data>* out) const {
  out->clear();
  if (k == 0) return true;
  // The highest logit in each subtree: one backward sweep over preorder,
  // where every child comes after its parent.
  std::vector<float>& top = *scratch;
  top.resize(parent_.size());
  for (llama_token t : preorder_) top[static_cast<size_t>(t)] = logits[t];
  for (size_t i = preorder_.size(); i-- > 0;) {
    const auto t = static_cast<size_t>(preorder_[i]);
    if (parent_[t] >= 0) {
      float& up = top[static_cast<size_t>(parent_[t])];
      up = std::max(up, top[t]);
    }
  }
  // Open subtrees, the one with the highest logit first.
  struct Open {
    float bound;
    llama_token id;
    bool operator<(const Open& o) const { return bound < o.bound || (bound == o.bound && id > o.id); }
  };
  std::priority_queue<Open> open;
  std::vector<llama_token_data> batch;
  // The grammar in one call per batch of siblings; the allowed ones open.
  auto push_allowed = [&](std::vector<llama_token_data>& b) {
    if (b.empty()) return;
    llama_token_data_array arr{b.data(), b.size(), -1, false};
    llama_sampler_apply(grammar, &arr);
    for (const auto& d : b) {
      if (std::isfinite(d.logit)) open.push({top[static_cast<size_t>(d.id)], d.id});
    }
  };
  batch.reserve(roots_.size());
  for (llama_token t : roots_) batch.push_back({t, logits[t], 0.0f});
  push_allowed(batch);
  // `out` is kept as a heap whose front is the worst of the best k.
  auto worse = [](const llama_token_data& a, const llama_token_data& b) { return ranks_before(a, b); };
  size_t checks = 0;
  bool complete = true;
  while (!open.empty()) {
    const Open o = open.top();
    if (out->size() >= k && o.bound < out->front().logit) break;  // nothing left can beat the k-th best
    open.pop();
    if (checks++ >= max_checks) {
      complete = false;
      break;
    }
    if (!accepts(o.id)) continue;  // nor can anything below it
    const llama_token_data self{o.id, logits[o.id], 0.0f};
    if (std::isfinite(self.logit) && eligible(o.id) && (out->size() < k || ranks_before(self, out->front()))) {
      out->push_back(self);
      std::push_heap(out->begin(), out->end(), worse);
      if (out->size() > k) {
        std::pop_heap(out->begin(), out->end(), worse);
        out->pop_back();
      }
    }
    const auto u = static_cast<size_t>(o.id);
    batch.clear();
    for (uint32_t i = child_begin_[u]; i < child_begin_[u + 1]; ++i) {
      const llama_token c = children_[i];
      if (out->size() < k || top[static_cast<size_t>(c)] >= out->front().logit) batch.push_back({c, logits[c], 0.0f});
    }
    push_allowed(batch);
  }
  std::sort(out->begin(), out->end(), ranks_before);
  return complete;
}

}  // namespace t2sql
