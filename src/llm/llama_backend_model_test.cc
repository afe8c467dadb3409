#include <gtest/gtest.h>
#include <llama.h>

#include <cmath>
#include <functional>

#include "eval/llm_judge.h"
#include "llm/llama_model.h"
#include "llm/sql_grammar.h"
#include "testing/test_models.h"
#include "t2sql/llm_backend.h"

namespace t2sql {
namespace {

using testing::tiny_model;
using testing::write_random_lora;

std::unique_ptr<LlmBackend> open(const std::string& model, const std::string& lora = "", float scale = 1.0f) {
  auto b = make_llm_backend({.model_path = model, .lora_path = lora, .lora_scale = scale, .threads = 1, .n_ctx = 512});
  EXPECT_TRUE(b.ok()) << b.status().message();
  return b.ok() ? std::move(*b) : nullptr;
}

// Free text of exactly n tokens: the model's own choice at every step.
LlmRequest free_text(const std::string& prompt, int n = 16) {
  return {.prompt = prompt, .max_tokens = n, .stop_at_statement_end = false, .ignore_eog = true};
}

const char* kPrompt = "### Context\nCREATE TABLE sales (amount REAL);\n\n### Question\nhow much?\n\n### Answer\n";

TEST(LlamaBackend, GreedyIsDeterministicAndHonoursTheTokenLimit) {
  std::string model = tiny_model();
  ASSERT_FALSE(model.empty());
  auto a = open(model);
  auto b = open(model);
  ASSERT_TRUE(a && b);
  auto x = a->complete(free_text(kPrompt, 12));
  auto y = b->complete(free_text(kPrompt, 12));
  ASSERT_TRUE(x.ok() && y.ok());
  EXPECT_EQ(x->text, y->text);
  EXPECT_EQ(x->completion_tokens, 12);
  EXPECT_EQ(x->finish_reason, "length");
  EXPECT_GT(x->prompt_tokens, 10);
  EXPECT_FALSE(x->text.empty());
  EXPECT_GT(x->time_to_first_token_ms, 0);
  EXPECT_GE(x->total_ms, x->time_to_first_token_ms);
}

TEST(LlamaBackend, SecondPromptReusesTheCachedPrefixAndGivesTheSameOutput) {
  std::string model = tiny_model();
  ASSERT_FALSE(model.empty());
  auto warm = open(model);
  auto cold = open(model);
  ASSERT_TRUE(warm && cold);
  std::string prefix = "### Context\nCREATE TABLE sales (id INTEGER, amount REAL, sold_on TEXT);\n\n### Question\n";
  auto first = warm->complete(free_text(prefix + "how much in total?\n\n### Answer\n"));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->cached_tokens, 0);
  auto second = warm->complete(free_text(prefix + "how many sales?\n\n### Answer\n"));
  ASSERT_TRUE(second.ok());
  // Everything up to the question is reused; the reused cache must not change the answer.
  EXPECT_GE(second->cached_tokens, 20);
  EXPECT_LT(second->cached_tokens, second->prompt_tokens);
  auto fresh = cold->complete(free_text(prefix + "how many sales?\n\n### Answer\n"));
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->cached_tokens, 0);
  EXPECT_EQ(second->text, fresh->text);
  // The same prompt again: all but the last token come from the cache.
  auto again = warm->complete(free_text(prefix + "how many sales?\n\n### Answer\n"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->cached_tokens, again->prompt_tokens - 1);
  EXPECT_EQ(again->text, fresh->text);
}

TEST(LlamaBackend, StopsAtTheEndOfTheStatementUnderAGrammar) {
  std::string model = tiny_model();
  ASSERT_FALSE(model.empty());
  auto b = open(model);
  ASSERT_TRUE(b);
  // A grammar with one sentence forces it, whatever the weights prefer.
  auto out =
      b->complete({.prompt = kPrompt, .grammar = "root ::= \"SELECT amount FROM sales; extra\"", .max_tokens = 40});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->text, "SELECT amount FROM sales;");
  EXPECT_EQ(out->finish_reason, "stop");
  auto bad = b->complete({.prompt = kPrompt, .grammar = "root ::= nonsense ((", .max_tokens = 4});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

// llama.cpp's own constrained greedy decoding: the grammar sampler over the
// whole vocabulary, then greedy, token by token.
std::string reference_constrained_greedy(const std::string& model_path, const std::string& prompt,
                                         const std::string& gbnf, int n_tokens) {
  auto loaded = LlamaModel::load(model_path);
  if (!loaded.ok()) return "cannot load: " + loaded.status().message();
  llama_model* model = loaded->get();
  auto cp = llama_context_default_params();
  cp.n_ctx = 512;
  cp.n_threads = cp.n_threads_batch = 1;
  llama_context* ctx = llama_init_from_model(model, cp);
  const llama_vocab* vocab = llama_model_get_vocab(model);
  std::vector<llama_token> tokens(prompt.size() + 8);
  tokens.resize(llama_tokenize(vocab, prompt.c_str(), static_cast<int32_t>(prompt.size()), tokens.data(),
                               static_cast<int32_t>(tokens.size()), true, true));
  llama_sampler* chain = llama_sampler_chain_init(llama_sampler_chain_default_params());
  llama_sampler_chain_add(chain, llama_sampler_init_grammar(vocab, gbnf.c_str(), "root"));
  llama_sampler_chain_add(chain, llama_sampler_init_greedy());
  std::string text;
  llama_batch batch = llama_batch_get_one(tokens.data(), static_cast<int32_t>(tokens.size()));
  llama_token tok = 0;
  for (int i = 0; i < n_tokens && llama_decode(ctx, batch) == 0; ++i) {
    tok = llama_sampler_sample(chain, ctx, -1);  // applies the grammar to every token, accepts the choice
    if (llama_vocab_is_eog(vocab, tok)) break;
    char buf[256];
    int32_t len = llama_token_to_piece(vocab, tok, buf, sizeof(buf), 0, false);
    text.append(buf, static_cast<size_t>(std::max(len, 0)));
    batch = llama_batch_get_one(&tok, 1);
  }
  llama_sampler_free(chain);
  llama_free(ctx);
  return text;
}

// The backend's fast constrained sampling (the sampler's choice, then the best
// few, then the prefix tree) picks exactly the tokens that llama.cpp's
// full-vocabulary grammar sampling picks, for models whose first choices the
// grammar refuses often (random weights) and with a schema of several tables.
TEST(LlamaBackend, ConstrainedGreedyMatchesLlamaCppsFullVocabularySampling) {
  const std::string gbnf = build_sql_grammar(grammar_tables_from_ddl(
      "CREATE TABLE singer (singer_id INTEGER PRIMARY KEY, name TEXT, country TEXT, age INTEGER);\n"
      "CREATE TABLE concert (concert_id INTEGER PRIMARY KEY, singer_id INTEGER REFERENCES singer(singer_id), "
      "year INTEGER, venue TEXT);"));
  for (const std::string& model :
       {tiny_model(), tiny_model("tiny-seed11", "--vocab gpt-2 --n-embd 64 --n-layer 2 --n-head 4 --seed 11")}) {
    ASSERT_FALSE(model.empty());
    auto b = open(model);
    ASSERT_TRUE(b);
    for (const char* question : {"how much?", "which singers are from France?"}) {
      const std::string prompt = std::string("### Question\n") + question + "\n\n### Answer\n";
      auto got = b->complete({.prompt = prompt, .grammar = gbnf, .max_tokens = 24, .stop_at_statement_end = false});
      ASSERT_TRUE(got.ok()) << got.status().message();
      EXPECT_FALSE(got->text.empty());
      EXPECT_EQ(got->text, reference_constrained_greedy(model, prompt, gbnf, got->completion_tokens))
          << model << ", question '" << question << "'";
    }
  }
}

// A dead end of accept_text: "xy" and one more letter pass, but only "xyz"
// has a way on (to ";"). Decoding must back out of the letter the model
// likes best (the other 25 are dead ends), ban it, and find "xyz;"; the
// KV cache and the grammar go back with it, so the text after a backtrack
// is what decoding from that prefix would give.
TEST(LlamaBackend, BacktracksOutOfADeadEndOfAcceptText) {
  std::string model = tiny_model();
  ASSERT_FALSE(model.empty());
  auto b = open(model);
  ASSERT_TRUE(b);
  LlmRequest req{.prompt = kPrompt, .grammar = "root ::= [a-z]+ \";\"", .max_tokens = 12};
  req.accept_text = [](const std::string& t) {
    return std::string_view("xyz;").starts_with(t) || (t.size() == 3 && t.starts_with("xy") && t[2] != ';');
  };
  auto out = b->complete(req);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->finish_reason, "stop");
  EXPECT_EQ(out->text, "xyz;");
  EXPECT_GT(out->backtracks, 0);
  EXPECT_LE(out->backtracks, 25);
  // Free decoding after the backtracking still matches a fresh backend's:
  // the KV cache was rolled back, not left holding the abandoned tokens.
  auto fresh = open(model);
  auto again = b->complete(free_text(kPrompt, 8));
  auto expect = fresh->complete(free_text(kPrompt, 8));
  ASSERT_TRUE(again.ok() && expect.ok());
  EXPECT_EQ(again->text, expect->text);
}

// The invariant after any number of backtracks: the grammar state equals a
// fresh one fed the kept text, and accept_text accepts every prefix of it.
// Random prefix-closed constraints (a text passes when no prefix of it hashes
// to 0 mod 3, a different hash per seed, and half of the 3-character starts
// have no way past 4 characters) force dead ends; whatever ends
// must then be a sentence of a fresh grammar and pass the constraint.
TEST(LlamaBackend, AfterBacktracksTheTextIsInAFreshGrammarAndPassesTheConstraint) {
  std::string model = tiny_model();
  ASSERT_FALSE(model.empty());
  auto b = open(model);
  ASSERT_TRUE(b);
  const std::string gbnf = "root ::= [a-z ]{1,10} \";\"";
  llama_model_params mp = llama_model_default_params();
  mp.vocab_only = true;
  llama_model* vocab_model = llama_model_load_from_file(model.c_str(), mp);
  ASSERT_NE(vocab_model, nullptr);
  const llama_vocab* vocab = llama_model_get_vocab(vocab_model);
  int backtracked = 0, ended = 0;
  for (uint32_t seed = 1; seed <= 16; ++seed) {
    auto passes = [seed](const std::string& t) {
      for (size_t n = 1; n <= t.size(); ++n) {
        if ((std::hash<std::string>()(t.substr(0, n)) ^ seed) % 3 == 0 && t[n - 1] != ';') return false;
      }
      // Half of all 3-character starts lead nowhere past 4 characters, and
      // the ";" comes after 5 at the earliest.
      if (size_t end = t.find(';'); end != std::string::npos && end < 5) return false;
      return t.size() < 5 || (std::hash<std::string>()(t.substr(0, 3)) ^ seed) % 2 == 0;
    };
    LlmRequest req{.prompt = kPrompt, .grammar = gbnf, .max_tokens = 16};
    req.accept_text = passes;
    auto out = b->complete(req);
    ASSERT_TRUE(out.ok()) << out.status().message();
    backtracked += out->backtracks > 0;
    if (out->finish_reason != "stop") continue;
    ++ended;
    EXPECT_TRUE(passes(out->text)) << out->text;
    // A fresh grammar reads the text character by character (any tokenization
    // of it: the grammar is over characters) and may end after it.
    llama_sampler* g = llama_sampler_init_grammar(vocab, gbnf.c_str(), "root");
    ASSERT_NE(g, nullptr);
    std::vector<llama_token> toks(out->text.size() + 4);
    int n = llama_tokenize(vocab, out->text.c_str(), static_cast<int32_t>(out->text.size()), toks.data(),
                           static_cast<int32_t>(toks.size()), false, false);
    ASSERT_GT(n, 0);
    toks.resize(n);
    toks.push_back(llama_vocab_eos(vocab));
    for (llama_token t : toks) {
      llama_token_data d{t, 1.0f, 0.0f};
      llama_token_data_array arr{&d, 1, -1, false};
      llama_sampler_apply(g, &arr);
      ASSERT_TRUE(std::isfinite(d.logit)) << "a fresh grammar refuses " << out->text;
      if (t != llama_vocab_eos(vocab)) llama_sampler_accept(g, t);
    }
    llama_sampler_free(g);
  }
  llama_model_free(vocab_model);
  std::printf("%d of 16 constraints needed backtracking; %d ended\n", backtracked, ended);
  EXPECT_GE(backtracked, 3);  // measured: 3 of 16
  EXPECT_GE(ended, 12);       // measured: 16 of 16
}

// A dead end whose cause lies far back: a text starting with a letter
// before "p" passes up to six letters, then nothing may follow (the cause,
// the first letter, is what refusal_cause names); one starting with "p" to
// "z" takes three more letters and the ";". Backtracking one token at a time
// bans letters at the sixth, fifth, ... position first; going back to the
// named cause bans the first token at once, so the statement ends, starting
// with a letter from "p" on, in fewer backtracks.
TEST(LlamaBackend, ADeadEndGoesBackToTheCauseTheConstraintNames) {
  std::string model = tiny_model();
  ASSERT_FALSE(model.empty());
  auto b = open(model);
  ASSERT_TRUE(b);
  auto passes = [](const std::string& t) {
    if (t.empty()) return true;
    if (t[0] >= 'p') return t.size() <= 4 ? t.find(';') == std::string::npos : t.size() == 5 && t[4] == ';';
    return t.size() <= 6 && t.find(';') == std::string::npos;
  };
  LlmRequest req{.prompt = kPrompt, .grammar = "root ::= [a-z]+ \";\"", .max_tokens = 12};
  req.accept_text = passes;
  auto plain = b->complete(req);
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  ASSERT_GT(plain->backtracks, 0) << "the model's own first letter must lead to the dead end: " << plain->text;
  req.refusal_cause = [](const std::string& t) { return !t.empty() && t[0] < 'p' ? 0 : std::string::npos; };
  auto out = b->complete(req);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->finish_reason, "stop") << out->text;
  EXPECT_EQ(out->text.size(), 5u) << out->text;
  EXPECT_GE(out->text[0], 'p') << out->text;
  EXPECT_GT(out->backtracks, 0);
  // What the cause saves is measured, not assumed: without it the same
  // constraint ends nowhere or only after more backtracks.
  EXPECT_TRUE(plain->finish_reason == "refused" || plain->backtracks > out->backtracks)
      << plain->finish_reason << " after " << plain->backtracks << " backtracks: " << plain->text;
  std::printf("with the cause: %d backtracks (%s); without: %d (%s)\n", out->backtracks, out->text.c_str(),
              plain->backtracks, plain->finish_reason.c_str());
}

// When nothing can ever pass, backtracking gives up within its bound.
TEST(LlamaBackend, ADeadEndWithNoWayOutIsRefusedWithinTheBound) {
  std::string model = tiny_model();
  ASSERT_FALSE(model.empty());
  auto b = open(model);
  ASSERT_TRUE(b);
  LlmRequest req{.prompt = kPrompt, .grammar = "root ::= [a-z]+ \";\"", .max_tokens = 12};
  // Two letters, then nothing (not even the ";").
  req.accept_text = [](const std::string& t) { return t.size() <= 2 && t.find(';') == std::string::npos; };
  auto out = b->complete(req);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->finish_reason, "refused");
  EXPECT_GT(out->backtracks, 0);
  EXPECT_LE(out->backtracks, 64);
}

TEST(LlamaBackend, LoraChangesTheOutputAndScaleZeroGivesTheBase) {
  std::string model = tiny_model();
  ASSERT_FALSE(model.empty());
  std::string lora = testing::model_dir() + "/random_lora.gguf";
  ASSERT_TRUE(write_random_lora(model, lora, 0.5f));
  auto base = open(model);
  auto with = open(model, lora, 1.0f);
  auto zero = open(model, lora, 0.0f);
  ASSERT_TRUE(base && with && zero);
  auto req = free_text(kPrompt, 24);
  auto b = base->complete(req), w = with->complete(req), z = zero->complete(req);
  ASSERT_TRUE(b.ok() && w.ok() && z.ok());
  EXPECT_NE(w->text, b->text);
  EXPECT_EQ(z->text, b->text);
  EXPECT_NE(with->name().find("random_lora.gguf"), std::string::npos);
}

TEST(LlamaBackend, AdapterForAnotherModelIsRefused) {
  std::string model = tiny_model();
  ASSERT_FALSE(model.empty());
  std::string lora = testing::model_dir() + "/other_lora.gguf";
  ASSERT_TRUE(write_random_lora(model, lora, 0.5f, 4, /*shape_skew=*/16));
  auto b = make_llm_backend({.model_path = model, .lora_path = lora});
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(b.status().message().find("other_lora.gguf"), std::string::npos);
  EXPECT_NE(b.status().message().find("shape"), std::string::npos) << b.status().message();
  // A model file given as the adapter.
  auto m = make_llm_backend({.model_path = model, .lora_path = model});
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("adapter"), std::string::npos) << m.status().message();
}

TEST(LlamaBackend, PromptLongerThanTheContextIsRefused) {
  std::string model = tiny_model();
  ASSERT_FALSE(model.empty());
  auto b = open(model);
  ASSERT_TRUE(b);
  std::string long_prompt;
  for (int i = 0; i < 600; ++i) long_prompt += " sales";
  auto out = b->complete(free_text(long_prompt));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kResourceExhausted);
  // The backend still works after the refusal.
  EXPECT_TRUE(b->complete(free_text(kPrompt, 4)).ok());
}

TEST(LlamaBackend, JudgeOfAnyBackendAnswersOneOrZero) {
  std::string model = tiny_model();
  ASSERT_FALSE(model.empty());
  std::shared_ptr<LlmBackend> b = open(model);
  ASSERT_TRUE(b);
  auto judge = make_llm_judge(b);
  EvalCase c;
  c.question = "total sales?";
  c.gold_sql = "SELECT SUM(amount) FROM sales";
  auto verdict = judge(c, "SELECT sum(amount) FROM sales");
  ASSERT_TRUE(verdict.ok()) << verdict.status().message();  // the grammar leaves only 0 or 1
}

}  // namespace
}  // namespace t2sql
