#include "llm/llama_backend.h"

#include <llama.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>

#include "llm/llama_model.h"
#include "llm/llama_runtime.h"
#include "llm/token_prefix_tree.h"
#include "llm/top_logits.h"

namespace t2sql {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

struct ContextDeleter {
  void operator()(llama_context* c) const { llama_free(c); }
};
struct SamplerDeleter {
  void operator()(llama_sampler* s) const { llama_sampler_free(s); }
};
using SamplerPtr = std::unique_ptr<llama_sampler, SamplerDeleter>;

std::string why(const std::string& fallback) {
  std::string e = llama_take_last_error();
  return e.empty() ? fallback : e;
}

class LlamaBackend final : public LlmBackend {
 public:
  LlamaBackend(LlamaModel model, std::unique_ptr<llama_context, ContextDeleter> ctx, llama_adapter_lora* lora,
               std::string name)
      : model_(std::move(model)), ctx_(std::move(ctx)), lora_(lora), name_(std::move(name)) {
    vocab_ = model_.vocab();
    chat_template_ = model_.chat_template();
    candidates_.resize(llama_vocab_n_tokens(vocab_));
  }

  ~LlamaBackend() override {
    ctx_.reset();  // the adapter must outlive the context that uses it
    if (lora_) llama_adapter_lora_free(lora_);
  }

  std::string name() const override { return name_; }
  std::string chat_template() const override { return chat_template_; }
  bool uses_chat_messages() const override { return false; }

  Result<LlmResponse> complete(const LlmRequest& req) override {
    std::lock_guard<std::mutex> lock(mutex_);
    return run(req);
  }

 private:
  Result<std::vector<llama_token>> tokenize(const std::string& text) const {
    int32_t n = -llama_tokenize(vocab_, text.c_str(), static_cast<int32_t>(text.size()), nullptr, 0, true, true);
    if (n <= 0) return invalid_argument("the prompt is empty after tokenization");
    std::vector<llama_token> out(n);
    int32_t got = llama_tokenize(vocab_, text.c_str(), static_cast<int32_t>(text.size()), out.data(), n, true, true);
    if (got < 0) return internal_error("tokenization failed");
    out.resize(got);
    return out;
  }

  std::string piece(llama_token t) const {
    char buf[256];
    int n = llama_token_to_piece(vocab_, t, buf, sizeof(buf), 0, false);
    if (n < 0) {
      std::string big(-n, '\0');
      n = llama_token_to_piece(vocab_, t, big.data(), static_cast<int32_t>(big.size()), 0, false);
      return n > 0 ? big.substr(0, n) : "";
    }
    return std::string(buf, n);
  }

  // Decodes tokens [from, end) of `tokens` at positions starting at `from`.
  Status decode(std::vector<llama_token>& tokens, size_t from) {
    const size_t n_batch = llama_n_batch(ctx_.get());
    for (size_t i = from; i < tokens.size(); i += n_batch) {
      size_t n = std::min(n_batch, tokens.size() - i);
      llama_batch batch = llama_batch_get_one(tokens.data() + i, static_cast<int32_t>(n));
      int rc = llama_decode(ctx_.get(), batch);
      if (rc != 0) {
        // The cache may hold part of this batch now: forget it all.
        llama_memory_clear(llama_get_memory(ctx_.get()), true);
        cached_.clear();
        return rc == 1 ? resource_exhausted("no room in the KV cache (context size " +
                                            std::to_string(llama_n_ctx(ctx_.get())) + " tokens)")
                       : internal_error("llama_decode failed (" + std::to_string(rc) + ")");
      }
    }
    return Status();
  }

  SamplerPtr make_chain(const LlmRequest& req) const {
    SamplerPtr chain(llama_sampler_chain_init(llama_sampler_chain_default_params()));
    if (req.temperature <= 0.0f) {
      llama_sampler_chain_add(chain.get(), llama_sampler_init_greedy());
    } else {
      if (req.top_p < 1.0f) llama_sampler_chain_add(chain.get(), llama_sampler_init_top_p(req.top_p, 1));
      llama_sampler_chain_add(chain.get(), llama_sampler_init_temp(req.temperature));
      llama_sampler_chain_add(chain.get(), llama_sampler_init_dist(req.seed));
    }
    return chain;
  }

  void fill_candidates(const float* logits, llama_token_data_array* arr) {
    for (size_t i = 0; i < candidates_.size(); ++i) {
      candidates_[i] = {static_cast<llama_token>(i), logits[i], 0.0f};
    }
    *arr = {candidates_.data(), candidates_.size(), -1, false};
  }

  // The next token: the sampler's choice when the grammar allows it (the
  // common case, one check), else the choice among the tokens the grammar
  // allows (never one check per token of the vocabulary). This keeps grammar-constrained
  // decoding near the speed of free decoding.
  //
  // Under greedy decoding the sampler's choice is the best of the highest
  // logits, found in one pass (top_logits) without building the vocabulary's
  // 150k candidate records. When the grammar refuses the choice, it filters
  // those highest logits in one call (its cost grows with the candidates it
  // is given, by a few microseconds each where many grammar stacks are
  // alive): the best allowed one among them is exactly the best allowed
  // token; under sampling, the choice is made among them. When none is
  // allowed, the vocabulary's prefix tree finds greedy's choice by branch
  // and bound, or every allowed token for sampling (TokenPrefixTree).
  llama_token sample(llama_sampler* chain, llama_sampler* grammar, bool greedy) {
    const float* logits = llama_get_logits_ith(ctx_.get(), -1);
    llama_token_data_array arr;
    if (!grammar || !greedy) {
      fill_candidates(logits, &arr);
      llama_sampler_apply(chain, &arr);
      llama_token tok = arr.data[arr.selected].id;
      if (!grammar || allowed(grammar, tok)) return tok;
    }
    top_logits(logits, candidates_.size(), greedy ? kTopGreedy : kTopSampling, &top_);
    if (greedy) {
      llama_token tok = best_of(top_);
      if (allowed(grammar, tok)) return tok;
    }
    llama_token_data_array sub{top_.data(), top_.size(), -1, false};
    llama_sampler_apply(grammar, &sub);
    const bool any = std::any_of(top_.begin(), top_.end(), [](const llama_token_data& d) {
      return std::isfinite(d.logit);  // refused tokens are -inf
    });
    if (!any) {
      if (!tree_) tree_ = TokenPrefixTree::build(vocab_);
      if (greedy) {
        llama_token tok = tree_->best_allowed(grammar, logits, &subtree_max_);
        if (tok >= 0) return tok;
        top_.clear();
      } else {
        tree_->allowed_tokens(grammar, logits, &top_);
      }
    }
    if (top_.empty()) {  // the grammar allows nothing: let the chain choose among the refused
      fill_candidates(logits, &arr);
      llama_sampler_apply(grammar, &arr);
      llama_sampler_apply(chain, &arr);
      return arr.data[arr.selected].id;
    }
    if (greedy) return best_of(top_);
    sub = {top_.data(), top_.size(), -1, false};
    llama_sampler_apply(chain, &sub);
    return sub.data[sub.selected].id;
  }

  // sample()'s choice when req.accept_text accepts it (the usual case: one
  // check); else the best of the tokens that both the grammar and
  // accept_text accept, looked for among the highest logits first (one
  // grammar call for kTopGreedy of them under greedy decoding, kTopChecked
  // under sampling: the grammar costs up to ~10 us per candidate after a
  // name being written), then among the first tokens of req.continuations
  // (what the constraint knows to lead on), then among every token the
  // grammar allows (the prefix tree), best first. Under sampling the chain
  // chooses among the accepted ones. -1 when no token is accepted: the
  // statement has reached a dead end.
  llama_token sample_accepted(const LlmRequest& req, const std::string& text, llama_sampler* chain,
                              llama_sampler* grammar) {
    const bool greedy = req.temperature <= 0.0f;
    const llama_token first = sample(chain, grammar, greedy);
    if (!is_banned(first) && (llama_vocab_is_eog(vocab_, first) || (writes(first) && fits(req, text + piece(first))))) {
      return first;
    }
    const float* logits = llama_get_logits_ith(ctx_.get(), -1);
    auto accepted = [&](std::vector<llama_token_data>& c) {
      std::sort(c.begin(), c.end(), ranks_before);
      std::vector<llama_token_data> ok;
      for (const auto& d : c) {
        if (!std::isfinite(d.logit) || d.id == first || is_banned(d.id)) continue;
        if (llama_vocab_is_eog(vocab_, d.id) || (writes(d.id) && fits(req, text + piece(d.id)))) {
          ok.push_back(d);
          if (greedy || ok.size() >= kTopChecked) break;
        }
      }
      return ok;
    };
    top_logits(logits, candidates_.size(), greedy ? kTopGreedy : kTopChecked, &top_);
    if (grammar) {
      llama_token_data_array sub{top_.data(), top_.size(), -1, false};
      llama_sampler_apply(grammar, &sub);
    }
    std::vector<llama_token_data> ok = accepted(top_);
    if (ok.empty() && grammar) {
      // What the constraint knows to lead on, before the whole vocabulary.
      top_.clear();
      for (llama_token t : continuation_tokens(req, text)) top_.push_back({t, logits[t], 0.0f});
      if (!top_.empty()) {
        llama_token_data_array sub{top_.data(), top_.size(), -1, false};
        llama_sampler_apply(grammar, &sub);
        ok = accepted(top_);
      }
    }
    if (ok.empty() && grammar) {
      // Past the highest logits: the prefix tree, pruned by accept_text as
      // by the grammar (both refuse every extension of a text they refuse).
      if (!tree_) tree_ = TokenPrefixTree::build(vocab_);
      auto accepts = [&](llama_token t) {
        return llama_vocab_is_eog(vocab_, t) || !req.accept_text || req.accept_text(text + piece(t));
      };
      auto eligible = [&](llama_token t) {
        return t != first && !is_banned(t) &&
               (llama_vocab_is_eog(vocab_, t) || (writes(t) && fits_steps(req, text + piece(t))));
      };
      tree_->best_accepted(grammar, logits, accepts, eligible, greedy ? 1 : kTopChecked, kMaxChecked, &subtree_max_,
                           &ok);
    }
    if (ok.empty()) return -1;
    if (greedy) return ok.front().id;
    llama_token_data_array sub{ok.data(), ok.size(), -1, false};
    llama_sampler_apply(chain, &sub);
    return sub.data[sub.selected].id;
  }

  // The choice once few tokens are left (req.steps_to_end set): among the
  // kTopClosing highest logits and the closers_ (";", ")", quotes, END, the
  // keywords of the shortest completions: SELECT, AS, THEN, ...),
  // the token that the grammar and accept_text allow and that leaves the
  // fewest steps to an end, the likelier first on a tie; one that ends the
  // statement is taken at once. -1 when none of them is allowed.
  llama_token sample_closing(const LlmRequest& req, const std::string& text, llama_sampler* grammar) {
    const float* logits = llama_get_logits_ith(ctx_.get(), -1);
    if (!closers_) {
      closers_.emplace();
      for (const char* s : {";",      ")",   "'",     "\"",    "`",    "]",   " END",  "END", " 1", "1", " SELECT",
                            "SELECT", " AS", " THEN", " WHEN", " AND", " BY", " FROM", " (",  "(",  " a"}) {
        llama_token t[2];
        if (llama_tokenize(vocab_, s, static_cast<int32_t>(std::strlen(s)), t, 2, false, false) == 1) {
          closers_->push_back(t[0]);
        }
      }
    }
    top_logits(logits, candidates_.size(), kTopClosing, &top_);
    std::vector<llama_token> extra = continuation_tokens(req, text);
    extra.insert(extra.end(), closers_->begin(), closers_->end());
    for (llama_token t : extra) {
      if (std::none_of(top_.begin(), top_.end(), [t](const llama_token_data& d) { return d.id == t; })) {
        top_.push_back({t, logits[t], 0.0f});
      }
    }
    if (grammar) {
      llama_token_data_array sub{top_.data(), top_.size(), -1, false};
      llama_sampler_apply(grammar, &sub);
    }
    std::sort(top_.begin(), top_.end(), ranks_before);
    llama_token best = -1;
    int fewest = std::numeric_limits<int>::max();
    for (const auto& d : top_) {
      if (!std::isfinite(d.logit) || is_banned(d.id)) continue;
      if (llama_vocab_is_eog(vocab_, d.id)) return d.id;  // the grammar lets it end here
      if (!writes(d.id)) continue;
      std::string next = text + piece(d.id);
      if (!fits(req, next)) continue;
      // A token that only lengthens the last word counts half a step more
      // than one that moves on (on a tie, the statement moves on); white
      // space alone comes last (it would let the measure stand still for ever).
      int steps = req.steps_to_end(next);
      if (steps < 0) return d.id;
      const std::string_view added = std::string_view(next).substr(text.size());
      const bool blank = std::all_of(added.begin(), added.end(),
                                     [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
      steps = blank ? std::numeric_limits<int>::max() - 1 : 2 * steps + (lengthens_word(text, next) ? 1 : 0);
      if (steps < fewest) {
        fewest = steps;
        best = d.id;
      }
    }
    if (fewest < 2 * steps_now_ || !grammar) return best;
    // The best of them goes on with the word being written at the same
    // distance (a name written a few letters at a time): a token that also
    // brings the end nearer would have to finish the word and write more,
    // and looking for one through the vocabulary costs milliseconds (a third of
    // a decode of the 0.5B shape in bench/run_llm_bench.sh).
    if (fewest == 2 * steps_now_ + 1) return best;
    // A search that found nothing nearer is not repeated while the word it
    // ended in grows (a name written a letter or two at a time).
    if (no_nearer_ && !no_nearer_->empty() && is_word_char(no_nearer_->back()) && text.starts_with(*no_nearer_) &&
        std::all_of(text.begin() + static_cast<long>(no_nearer_->size()), text.end(), is_word_char)) {
      return best;
    }
    // None of them brings the end nearer (the name the statement needs is no
    // closer, or none of them is in the vocabulary as one token): the
    // likeliest token of the whole vocabulary that does, if any.
    if (!tree_) tree_ = TokenPrefixTree::build(vocab_);
    auto accepts = [&](llama_token t) {
      return llama_vocab_is_eog(vocab_, t) || !req.accept_text || req.accept_text(text + piece(t));
    };
    auto nearer = [&](llama_token t) {
      if (is_banned(t)) return false;
      if (llama_vocab_is_eog(vocab_, t)) return true;
      if (!writes(t)) return false;
      const std::string next = text + piece(t);
      const int steps = req.steps_to_end(next);
      return steps < steps_now_ && fits_steps(req, next);
    };
    std::vector<llama_token_data> ok;
    tree_->best_accepted(grammar, logits, accepts, nearer, 1, kMaxChecked, &subtree_max_, &ok);
    if (ok.empty()) no_nearer_ = text;
    return ok.empty() ? best : ok.front().id;
  }

  static bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

  // The first token of each of req.continuations: the token whose text
  // begins the continuation (a SentencePiece tokenizer may put a word-start
  // mark first, then the next token is taken).
  std::vector<llama_token> continuation_tokens(const LlmRequest& req, const std::string& text) const {
    std::vector<llama_token> out;
    if (!req.continuations) return out;
    for (const std::string& c : req.continuations(text)) {
      std::vector<llama_token> buf(c.size() + 4);
      const int n = llama_tokenize(vocab_, c.c_str(), static_cast<int32_t>(c.size()), buf.data(),
                                   static_cast<int32_t>(buf.size()), false, false);
      for (int i = 0; i < std::min(n, 2); ++i) {
        const std::string p = piece(buf[i]);
        if (!p.empty() && c.starts_with(p)) {
          out.push_back(buf[i]);
          break;
        }
      }
    }
    return out;
  }

  // `next` continues the word or number that `text` ends with.
  static bool lengthens_word(const std::string& text, const std::string& next) {
    return !text.empty() && next.size() > text.size() && is_word_char(text.back()) && is_word_char(next[text.size()]);
  }

  // accept_text takes `next`, and, once the tokens left (remaining_, after
  // this one) are few, steps_to_end says they may still be enough to end:
  // a token after which the statement cannot end in time is a dead end
  // that backtracking can leave early.
  bool fits(const LlmRequest& req, const std::string& next) const {
    if (req.accept_text && !req.accept_text(next)) return false;
    return fits_steps(req, next);
  }

  // The budget, as PICARD would keep it: the language is the grammar's, only
  // the choice narrows as the tokens left (remaining_, after this one) near
  // the steps the statement still needs (steps_now_, before this token):
  // - always: a token after which the steps left (and the ";") exceed the
  //   tokens left is refused;
  // - once remaining_ <= 2 * steps_now_ + kHoldSlack: a token that adds
  //   steps is refused too (no new "(", CTE, subquery, CASE, qualifier),
  //   so the distance to an end only falls or stands;
  // - once remaining_ <= steps_now_ + kSteerSlack (or in the last
  //   closing_tokens): sample_closing takes the token that closes most.
  // steps_to_end counts a name of several tokens as one step: the slack
  // pays for those.
  bool fits_steps(const LlmRequest& req, const std::string& next) const {
    if (!req.steps_to_end || remaining_ > 3 * steps_now_ + kHoldSlack + kGuardWithin) return true;
    const int steps = req.steps_to_end(next);
    if (steps < 0) return true;
    if (steps + 1 > remaining_) return false;
    if (remaining_ > 3 * steps_now_ + kHoldSlack) return true;
    // Holding: no more steps, and no white space after white space (it
    // leaves the steps as they are and spends the tokens).
    const bool blank = next.size() > text_size_ &&
                       std::all_of(next.begin() + static_cast<long>(text_size_), next.end(),
                                   [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
    if (blank && text_size_ > 0 && std::isspace(static_cast<unsigned char>(next[text_size_ - 1]))) return false;
    return steps <= steps_now_;
  }

  bool steering(const LlmRequest& req) const { return req.steps_to_end && remaining_ <= 2 * steps_now_ + kSteerSlack; }

  // A token that writes no text here (an unknown or control token) may still
  // move the grammar, which reads llama.cpp's rendering of it (SentencePiece's
  // <unk> let "unit_.Product" go on as "unit_.Product_.x"): never taken.
  bool writes(llama_token t) const { return !piece(t).empty(); }

  bool is_banned(llama_token t) const {
    return banned_ && std::find(banned_->begin(), banned_->end(), t) != banned_->end();
  }

  // Greedy's choice among `c`: the first in ranks_before's order.
  static llama_token best_of(const std::vector<llama_token_data>& c) {
    return std::min_element(c.begin(), c.end(), ranks_before)->id;
  }

  static bool allowed(llama_sampler* grammar, llama_token tok) {
    llama_token_data one{tok, 1.0f, 0.0f};
    llama_token_data_array single{&one, 1, -1, false};
    llama_sampler_apply(grammar, &single);
    return std::isfinite(single.data[0].logit);
  }

  Result<LlmResponse> run(const LlmRequest& req) {
    auto start = Clock::now();
    LlmResponse out;
    auto tokens = tokenize(req.prompt);
    if (!tokens.ok()) return tokens.status();
    std::vector<llama_token> prompt = std::move(*tokens);
    const size_t n_ctx = llama_n_ctx(ctx_.get());
    if (prompt.size() + 1 >= n_ctx) {
      return resource_exhausted("the prompt has " + std::to_string(prompt.size()) + " tokens; the context holds " +
                                std::to_string(n_ctx) + " (raise n_ctx)");
    }
    SamplerPtr grammar;
    if (!req.grammar.empty()) {
      grammar.reset(llama_sampler_init_grammar(vocab_, req.grammar.c_str(), "root"));
      if (!grammar) return invalid_argument("the grammar does not parse: " + why("llama.cpp rejected it"));
    }
    SamplerPtr chain = make_chain(req);
    no_nearer_.reset();

    // Reuse the cached prefix; at least the last prompt token is decoded
    // again, since its logits are needed.
    size_t keep = 0;
    while (keep < cached_.size() && keep < prompt.size() && cached_[keep] == prompt[keep]) ++keep;
    if (keep == prompt.size()) --keep;
    llama_memory_t mem = llama_get_memory(ctx_.get());
    if (!llama_memory_seq_rm(mem, 0, static_cast<llama_pos>(keep), -1)) {
      llama_memory_clear(mem, true);
      keep = 0;
    }
    cached_.resize(keep);
    out.prompt_tokens = static_cast<int>(prompt.size());
    out.cached_tokens = static_cast<int>(keep);
    if (Status s = decode(prompt, keep); !s.ok()) return s;
    cached_ = prompt;

    int max_tokens = std::max(1, std::min<int>(req.max_tokens, static_cast<int>(n_ctx - prompt.size() - 1)));
    out.finish_reason = "length";
    // From this token on, decoding steers to an end (sample_closing).
    const int closing_from =
        req.steps_to_end ? max_tokens - (req.closing_tokens > 0 ? req.closing_tokens : std::max(8, max_tokens / 4))
                         : max_tokens;
    // The completion's tokens, where the text stood before each, and the
    // tokens refused at each position by backtracking: when no token fits
    // (a dead end of accept_text), the last token is banned at its position,
    // the grammar, text and KV cache go back one token, and decoding tries
    // again there (at most kMaxBacktracks times per request).
    std::vector<llama_token> gen;
    std::vector<size_t> text_before;
    std::vector<std::vector<llama_token>> banned;
    std::vector<double> logprob;  // of each token of gen, with req.logprobs
    SamplerPtr grammar_start(grammar ? llama_sampler_clone(grammar.get()) : nullptr);
    bool timed = false;
    int sampled = 0;  // tokens taken, those abandoned by backtracking included
    size_t last_dead_end = 0;
    int streak = 0;
    while (true) {
      const size_t i = gen.size();
      banned_ = i < banned.size() ? &banned[i] : nullptr;
      remaining_ = max_tokens - static_cast<int>(i) - 1;
      steps_now_ = req.steps_to_end ? std::max(0, req.steps_to_end(out.text)) : 0;
      text_size_ = out.text.size();
      llama_token tok =
          static_cast<int>(i) >= closing_from || steering(req) ? sample_closing(req, out.text, grammar.get()) : -1;
      if (tok < 0) tok = sample_accepted(req, out.text, chain.get(), grammar.get());
      banned_ = nullptr;
      if (tok < 0) {
        if (gen.empty() || out.backtracks >= kMaxBacktracks || sampled > kMaxSampledFactor * max_tokens) {
          out.finish_reason = "refused";
          break;
        }
        ++out.backtracks;
        // Depth first: the token before the dead end is banned at its
        // position (when that position has nothing left, it is the next dead
        // end, one token further back). After kJumpAfter dead ends in a row
        // no deeper than the last, the cause lies further back (a name
        // written early that nothing may follow): each further one goes back
        // twice as far, 2, 4, ... tokens. Jumping at once would ban a token
        // that is the only way on, as the "x" of "xyz;" in the backend's test.
        // One token deeper than the last still counts as the same corner: a
        // keyword that leads nowhere is written in many cases and splits
        // ("EsCAP", "EsCap", "ESCAp", ...), and banning them one by one,
        // one and two tokens deep by turns, would spend every backtrack there.
        streak = i > last_dead_end + 1 ? 0 : streak + 1;
        last_dead_end = i;
        const int jump = streak < kJumpAfter ? 0 : std::min(streak - kJumpAfter + 1, 10);
        size_t to = i - std::min(i, size_t{1} << jump);  // the position whose token is banned
        // When the constraint names the cause further back (a qualifier that
        // no FROM clause declared, written at the start of the select list),
        // the token that began it is banned: backtracking one token at a time
        // would spend every backtrack on the tokens written since.
        if (req.refusal_cause) {
          const size_t cause = req.refusal_cause(out.text);
          if (cause < out.text.size()) {
            const auto after = std::upper_bound(text_before.begin(), text_before.end(), cause);
            const size_t k = static_cast<size_t>(after - text_before.begin()) - 1;
            if (k < to) {
              to = k;
              streak = 0;
            }
          }
        }
        banned.resize(to + 1);  // bans past it belong to the abandoned branch
        banned[to].push_back(gen[to]);
        gen.resize(to);
        if (logprob.size() > to) logprob.resize(to);
        out.text.resize(text_before[to]);
        text_before.resize(to);
        if (grammar) {
          grammar.reset(llama_sampler_clone(grammar_start.get()));
          for (llama_token t : gen) llama_sampler_accept(grammar.get(), t);
        }
        if (Status s = rewind(prompt, gen); !s.ok()) return s;
        continue;
      }
      if (!timed) {
        out.time_to_first_token_ms = ms_since(start);
        timed = true;
      }
      if (!req.ignore_eog && llama_vocab_is_eog(vocab_, tok)) {
        out.finish_reason = "stop";
        break;
      }
      if (grammar) llama_sampler_accept(grammar.get(), tok);
      llama_sampler_accept(chain.get(), tok);
      ++sampled;
      if (req.logprobs) logprob.push_back(log_probability(tok));
      gen.push_back(tok);
      text_before.push_back(out.text.size());
      out.text += piece(tok);
      if (stop_reached(req, out.text)) {
        out.finish_reason = "stop";
        break;
      }
      if (static_cast<int>(gen.size()) == max_tokens) break;
      std::vector<llama_token> one{tok};
      if (Status s = decode(one, 0); !s.ok()) return s;
      cached_.push_back(tok);
    }
    out.completion_tokens = static_cast<int>(gen.size());
    if (!logprob.empty()) {
      double sum = 0;
      for (double l : logprob) sum += l;
      out.mean_logprob = sum / static_cast<double>(logprob.size());
    }
    out.total_ms = ms_since(start);
    return out;
  }

  // log softmax(logits)[tok] of the position being sampled.
  double log_probability(llama_token tok) const {
    const float* logits = llama_get_logits_ith(ctx_.get(), -1);
    const size_t n = candidates_.size();
    float max = *std::max_element(logits, logits + n);
    double sum = 0;
    for (size_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(logits[i] - max));
    return static_cast<double>(logits[tok] - max) - std::log(sum);
  }

  // Makes the KV cache hold `prompt` and `gen` but the last token, and
  // decodes that one again: its logits are the next position's.
  Status rewind(std::vector<llama_token>& prompt, const std::vector<llama_token>& gen) {
    std::vector<llama_token> all = prompt;
    all.insert(all.end(), gen.begin(), gen.end());
    const size_t keep = all.size() - 1;
    llama_memory_t mem = llama_get_memory(ctx_.get());
    size_t from = keep;
    if (!llama_memory_seq_rm(mem, 0, static_cast<llama_pos>(keep), -1)) {
      llama_memory_clear(mem, true);
      from = 0;
    }
    cached_.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(from));
    if (Status s = decode(all, from); !s.ok()) return s;
    cached_ = std::move(all);
    return Status();
  }

  static bool stop_reached(const LlmRequest& req, std::string& text) {
    if (req.stop_at_statement_end) {
      size_t end = find_statement_end(text);
      if (end != std::string::npos) {
        text.resize(end);
        return true;
      }
    }
    for (const auto& s : req.stop) {
      size_t at = s.empty() ? std::string::npos : text.find(s);
      if (at != std::string::npos) {
        text.resize(at);
        return true;
      }
    }
    return false;
  }

  LlamaModel model_;
  std::unique_ptr<llama_context, ContextDeleter> ctx_;
  llama_adapter_lora* lora_ = nullptr;
  const llama_vocab* vocab_ = nullptr;
  std::string name_, chat_template_;
  std::mutex mutex_;
  std::vector<llama_token> cached_;                 // tokens whose K/V are in sequence 0; guarded by mutex_
  std::vector<llama_token_data> candidates_, top_;  // scratch of sample(); guarded by mutex_
  std::vector<float> subtree_max_;                  // scratch of sample(); guarded by mutex_
  // How many of the highest logits the grammar checks in one call before the
  // prefix tree (measured with bench/run_llm_bench.sh: 16 to 512 are within
  // a few percent, 64 was fastest).
  static constexpr size_t kTopGreedy = 64, kTopSampling = 512;
  // accept_text's fallback under sampling: the highest logits checked first.
  static constexpr size_t kTopChecked = 512;
  // accept_text checks in the prefix tree before a position counts as a dead
  // end (bounds the cost of proving one where accept_text lets many tokens
  // through that the token budget then refuses).
  static constexpr size_t kMaxChecked = 256;
  // Dead ends in a row at one depth before backtracking jumps further back.
  static constexpr int kJumpAfter = 8;
  // sample_closing's candidates besides the closers.
  static constexpr size_t kTopClosing = 64;
  std::optional<std::vector<llama_token>> closers_;  // single-token closers; guarded by mutex_
  std::optional<TokenPrefixTree> tree_;              // built on the first grammar fallback; guarded by mutex_
  // The tokens backtracking refused at the position being sampled; guarded by mutex_.
  const std::vector<llama_token>* banned_ = nullptr;
  // Backtracking steps per request before a dead end is given up as "refused",
  // and the tokens taken in all (abandoned ones included) past which a dead
  // end is given up: going back to a cause far back writes much again (with
  // random tiny models, 8 x max_tokens left gemma's test with no statement
  // ended; 24 lets it end one).
  static constexpr int kMaxBacktracks = 64;
  static constexpr int kMaxSampledFactor = 24;
  // The tokens left after the one being sampled, and the steps to an end
  // before it (fits_steps()); guarded by mutex_.
  int remaining_ = std::numeric_limits<int>::max();
  int steps_now_ = 0;
  size_t text_size_ = 0;  // of the completion before the token being sampled
  // The completion's text when sample_closing's search of the vocabulary last
  // found no token nearer the end (none this request yet); guarded by mutex_.
  std::optional<std::string> no_nearer_;
  // fits_steps' slacks (in tokens): the distance may no longer grow within
  // 2 * steps + kHoldSlack tokens of the limit; sample_closing steers within
  // steps + kSteerSlack; a token's steps are measured only within
  // kGuardWithin more (no token adds that many steps).
  static constexpr int kHoldSlack = 24, kSteerSlack = 12, kGuardWithin = 32;
};

}  // namespace

Result<std::unique_ptr<LlmBackend>> make_llama_backend(const LlmBackendOptions& o) {
  llama_runtime_init();
  if (!o.lora_path.empty()) {
    if (std::string problem = gguf_file_problem(o.lora_path); !problem.empty()) {
      std::string msg = "LoRA adapter '" + o.lora_path + "': " + problem;
      return problem == "no such file" ? not_found(msg) : invalid_argument(msg);
    }
  }
  if (o.n_ctx < 64) return invalid_argument("n_ctx must be at least 64, got " + std::to_string(o.n_ctx));

  auto model = LlamaModel::load(o.model_path, {.n_gpu_layers = o.n_gpu_layers});
  if (!model.ok()) return model.status();

  llama_adapter_lora* lora = nullptr;
  if (!o.lora_path.empty()) {
    lora = llama_adapter_lora_init(model->get(), o.lora_path.c_str());
    if (!lora) {
      return invalid_argument("cannot use LoRA adapter '" + o.lora_path + "' with model '" + o.model_path +
                              "': " + why("not an adapter for this model"));
    }
  }

  int threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = static_cast<uint32_t>(o.n_ctx);
  cp.n_batch = static_cast<uint32_t>(std::max(1, std::min(o.n_batch, o.n_ctx)));
  cp.n_ubatch = cp.n_batch;
  cp.n_seq_max = 1;
  cp.n_threads = threads;
  cp.n_threads_batch = threads;
  cp.no_perf = true;
  std::unique_ptr<llama_context, ContextDeleter> ctx(llama_init_from_model(model->get(), cp));
  if (!ctx) {
    if (lora) llama_adapter_lora_free(lora);
    return resource_exhausted("cannot create a context of " + std::to_string(o.n_ctx) + " tokens for '" + o.model_path +
                              "': " + why("out of memory?"));
  }
  if (lora) {
    float scale = o.lora_scale;
    if (llama_set_adapters_lora(ctx.get(), &lora, 1, &scale) != 0) {
      ctx.reset();
      llama_adapter_lora_free(lora);
      return invalid_argument("cannot apply LoRA adapter '" + o.lora_path + "': " + why("rejected by llama.cpp"));
    }
  }
  std::string name = "llama:" + std::filesystem::path(o.model_path).filename().string();
  if (lora) name += "+" + std::filesystem::path(o.lora_path).filename().string();
  return std::unique_ptr<LlmBackend>(new LlamaBackend(std::move(*model), std::move(ctx), lora, std::move(name)));
}

}  // namespace t2sql
