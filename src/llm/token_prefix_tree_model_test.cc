#include "llm/token_prefix_tree.h"

#include <gtest/gtest.h>
#include <llama.h>

#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "llm/llama_model.h"
#include "llm/sql_grammar.h"
#include "testing/test_models.h"

namespace t2sql {
namespace {

std::string text_of(const llama_vocab* v, llama_token t) {
  char buf[256];
  int32_t n = llama_token_to_piece(v, t, buf, sizeof(buf), 0, false);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

// The tokens the grammar allows, checked one by one over the whole vocabulary.
std::set<llama_token> allowed_by_full_scan(llama_sampler* grammar, const std::vector<float>& logits) {
  std::vector<llama_token_data> all(logits.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = {static_cast<llama_token>(i), logits[i], 0.0f};
  llama_token_data_array arr{all.data(), all.size(), -1, false};
  llama_sampler_apply(grammar, &arr);
  std::set<llama_token> out;
  for (const auto& d : all) {
    if (std::isfinite(d.logit)) out.insert(d.id);
  }
  return out;
}

// The tree finds exactly the tokens a full scan finds, at grammar states
// with few continuations (inside a keyword, after a table name) and with
// many (inside a string literal), and each parent's text starts its child's.
TEST(TokenPrefixTree, FindsExactlyWhatAFullScanAllows) {
  const std::string path = testing::tiny_model();
  ASSERT_FALSE(path.empty());
  auto model = LlamaModel::load(path, {.vocab_only = true});
  ASSERT_TRUE(model.ok()) << model.status().message();
  const llama_vocab* vocab = model->vocab();
  const int32_t n = llama_vocab_n_tokens(vocab);
  const TokenPrefixTree tree = TokenPrefixTree::build(vocab);
  EXPECT_GT(tree.roots(), 0u);
  EXPECT_LT(tree.roots(), static_cast<size_t>(n) / 10);
  for (llama_token t = 0; t < n; t += 97) {
    if (tree.parent(t) < 0) continue;
    const std::string child = text_of(vocab, t), parent = text_of(vocab, tree.parent(t));
    EXPECT_LT(parent.size(), child.size());
    EXPECT_EQ(child.rfind(parent, 0), 0u) << "'" << parent << "' does not start '" << child << "'";
  }

  const std::string gbnf = build_sql_grammar(
      grammar_tables_from_ddl("CREATE TABLE singer (singer_id INTEGER PRIMARY KEY, name TEXT, country TEXT);"));
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> logits(static_cast<size_t>(n));
  for (const std::string prefix :
       {"", "SEL", "SELECT ", "SELECT name FROM singer", "SELECT name FROM singer WHERE country = 'Fr"}) {
    llama_sampler* grammar = llama_sampler_init_grammar(vocab, gbnf.c_str(), "root");
    ASSERT_NE(grammar, nullptr);
    std::vector<llama_token> tokens(prefix.size() + 8);
    int32_t k = llama_tokenize(vocab, prefix.data(), static_cast<int32_t>(prefix.size()), tokens.data(),
                               static_cast<int32_t>(tokens.size()), false, false);
    ASSERT_GE(k, 0);
    for (int32_t i = 0; i < k; ++i) llama_sampler_accept(grammar, tokens[static_cast<size_t>(i)]);
    for (float& x : logits) x = normal(rng);
    std::vector<llama_token_data> found;
    tree.allowed_tokens(grammar, logits.data(), &found);
    std::set<llama_token> by_tree;
    for (const auto& d : found) {
      by_tree.insert(d.id);
      EXPECT_EQ(d.logit, logits[static_cast<size_t>(d.id)]);
    }
    const std::set<llama_token> expected = allowed_by_full_scan(grammar, logits);
    EXPECT_FALSE(expected.empty()) << "after '" << prefix << "'";
    EXPECT_EQ(by_tree, expected) << "after '" << prefix << "'";

    // Greedy's choice: the best of the full scan's allowed tokens, over many
    // logit vectors: plain, favouring long tokens (deep subtrees), and
    // rounded (ties, where the lowest id wins).
    std::vector<float> scratch;
    for (int trial = 0; trial < 24; ++trial) {
      for (float& x : logits) x = normal(rng);
      if (trial % 3 == 1) {
        for (llama_token t = 0; t < n; ++t) logits[static_cast<size_t>(t)] += 0.5f * text_of(vocab, t).size();
      }
      if (trial % 3 == 2) {
        for (float& x : logits) x = std::round(x);
      }
      llama_token want = -1;
      for (llama_token t : allowed_by_full_scan(grammar, logits)) {  // ascending ids: the first maximum wins
        if (want < 0 || logits[static_cast<size_t>(t)] > logits[static_cast<size_t>(want)]) want = t;
      }
      EXPECT_EQ(tree.best_allowed(grammar, logits.data(), &scratch), want)
          << "after '" << prefix << "', trial " << trial;
    }
    llama_sampler_free(grammar);
  }
}

}  // namespace
}  // namespace t2sql
