#include "generate/llm_generator.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <string_view>

#include "generate/candidate_vote.h"
#include "llm/sql_scope_checker.h"
#include "sql/statement_guard.h"

namespace t2sql {

namespace {

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

PromptOptions prompt_options(const LlmGeneratorOptions& g, std::string chat_template) {
  PromptOptions o;
  o.format = g.format;
  o.style = g.style;
  o.chat_template = std::move(chat_template);
  o.sample_values = g.sample_values;
  return o;
}

// Under the SELECT-first grammar the completion is the statement from its
// first character. extract_sql, which prefers a keyword in capitals, would
// cut "wiTH x AS (SElect ...) SELECT ...;" at its inner SELECT. A server that
// ignored the grammar may have written prose first: extract_sql reads that.
std::string constrained_sql(const std::string& text) {
  const size_t from = text.find_first_not_of(" \t\r\n");
  const size_t word = text.find_first_not_of(" \t\r\n(");
  auto starts = [&](std::string_view w) {
    if (word == std::string::npos || text.size() - word < w.size()) return false;
    for (size_t k = 0; k < w.size(); ++k) {
      if (std::tolower(static_cast<unsigned char>(text[word + k])) != w[k]) return false;
    }
    const size_t after = word + w.size();
    return after == text.size() || !(std::isalnum(static_cast<unsigned char>(text[after])) || text[after] == '_');
  };
  if (!starts("select") && !starts("with")) return extract_sql(text);
  std::string sql = text.substr(from);
  if (size_t end = find_statement_end(sql); end != std::string::npos) sql.resize(end - 1);
  while (!sql.empty() && std::isspace(static_cast<unsigned char>(sql.back()))) sql.pop_back();
  return sql;
}

}  // namespace

std::string database_name(const Database* db) {
  if (!db) return "";
  std::string uri = db->uri();
  uri = uri.substr(0, uri.find('?'));
  while (!uri.empty() && uri.back() == '/') uri.pop_back();
  std::string name = uri.substr(uri.find_last_of('/') == std::string::npos ? 0 : uri.find_last_of('/') + 1);
  if (auto dot = name.find('.'); dot != std::string::npos && dot > 0) name.resize(dot);
  return name;
}

LlmGenerator::LlmGenerator(std::shared_ptr<LlmBackend> backend, Catalog catalog, Database* db,
                           LlmGeneratorOptions options)
    : backend_(std::move(backend)),
      catalog_(std::move(catalog)),
      db_(db),
      options_(std::move(options)),
      builder_(prompt_options(options_, backend_->chat_template())),
      database_name_(database_name(db)) {}

std::string LlmGenerator::name() const {
  return "llm:" + backend_->name();
}

PromptInput llm_prompt_input(const GenerationRequest& request, const Catalog& catalog, const std::string& db_name,
                             const std::string& system_prompt) {
  PromptInput in;
  in.dialect = catalog.engine.empty() ? "sqlite" : catalog.engine;
  // Empty: the style writes the whole catalog.
  in.schema_ddl = request.schema_ddl;
  in.catalog = &catalog;
  in.database_name = db_name;
  in.question = request.question;
  in.examples = request.examples;
  in.linked_values = request.linked_values;
  in.history = request.history;
  in.instructions = request.instructions;
  in.system_prompt = system_prompt;
  return in;
}

PromptInput LlmGenerator::prompt_input(const GenerationRequest& request) const {
  return llm_prompt_input(request, catalog_, database_name_, options_.system_prompt);
}

Prompt LlmGenerator::prompt_for(const GenerationRequest& request) const {
  return builder_.build(prompt_input(request));
}

Result<GenerationResult> LlmGenerator::generate(const GenerationRequest& request) {
  if (request.question.empty()) return invalid_argument("empty question");
  const int repairs = std::max(0, request.max_repairs >= 0 ? request.max_repairs : options_.max_repairs);
  const int candidates = std::min(kMaxCandidates, request.candidates > 0 ? request.candidates : options_.candidates);
  double logprob = 0;
  auto greedy = generate_with(request, options_.temperature, options_.seed, repairs, candidates > 1, &logprob);
  if (!greedy.ok() || candidates <= 1) return greedy;
  if (!db_) {
    greedy->reason += "; no database to run the candidates on: no vote";
    return greedy;
  }
  return vote(request, candidates, std::move(*greedy), logprob);
}

Result<GenerationResult> LlmGenerator::vote(const GenerationRequest& request, int candidates, GenerationResult greedy,
                                            double greedy_logprob) {
  std::vector<VoteCandidate> c;
  std::vector<std::string> keys;
  auto add = [&](const GenerationResult& g, float temperature, uint32_t seed, double logprob) {
    VoteCandidate v;
    v.sql = g.answered ? g.sql : (g.attempts.empty() ? "" : g.attempts.back().sql);
    v.temperature = temperature;
    v.seed = seed;
    v.mean_logprob = logprob;
    std::string key;
    if (!g.answered) {
      v.error = g.reason;
    } else if (auto rows = db_->execute(g.sql, {.timeout_ms = 5000, .max_rows = 10000}); !rows.ok()) {
      v.error = "failed to run: " + rows.status().message();
    } else {
      key = result_set_key(*rows);
    }
    c.push_back(std::move(v));
    keys.push_back(std::move(key));
  };
  add(greedy, options_.temperature, options_.seed, greedy_logprob);
  // Sampled at the configured temperature, or vote_temperature under greedy decoding.
  const float temperature = options_.temperature > 0 ? options_.temperature : options_.vote_temperature;
  for (int k = 1; k < candidates; ++k) {
    double logprob = 0;
    const uint32_t seed = options_.seed + static_cast<uint32_t>(k);
    auto s = generate_with(request, temperature, seed, 0, true, &logprob);
    if (!s.ok()) return s.status();
    greedy.prompt_tokens += s->prompt_tokens;
    greedy.completion_tokens += s->completion_tokens;
    add(*s, temperature, seed, logprob);
  }
  const int chosen = vote_on_results(keys, &c);
  GenerationResult r = std::move(greedy);
  if (chosen >= 0) {
    r.answered = true;
    r.sql = c[chosen].sql;
    r.vote_differs_from_greedy = c[0].group != c[chosen].group;
    r.reason += "; chosen by execution: " + std::to_string(c[chosen].votes) + " of " + std::to_string(c.size()) +
                " candidates return its result" + (r.vote_differs_from_greedy ? " (not the greedy one's)" : "");
  } else {
    r.reason += "; no candidate ran: no vote";
  }
  r.candidates = std::move(c);
  return r;
}

Result<GenerationResult> LlmGenerator::generate_with(const GenerationRequest& request, float temperature, uint32_t seed,
                                                     int repairs, bool logprobs, double* mean_logprob) {
  GenerationResult result;
  result.engine = name();
  PromptInput in = prompt_input(request);

  LlmRequest llm;
  llm.max_tokens = options_.max_tokens;
  llm.temperature = temperature;
  llm.top_p = options_.top_p;
  llm.seed = seed;
  llm.logprobs = logprobs;
  if (options_.think) {  // prose, then the statement in a ```sql fence: room for both
    llm.max_tokens = kThinkTokenFactor * options_.max_tokens;
    llm.stop_at_statement_end = false;
  }
  // The grammar's names: the retrieved DDL, or the whole catalog when the style writes it.
  if (options_.grammar)
    constrain_sql(in.schema_ddl.empty() ? catalog_.to_ddl() : in.schema_ddl, in.dialect, options_.think, &llm);

  const int tries = 1 + repairs;
  for (int t = 0; t < tries; ++t) {
    auto start = std::chrono::steady_clock::now();
    Prompt prompt = builder_.build(in);
    if (t == 0) result.prompt = prompt.text;
    llm.prompt = prompt.text;
    llm.messages = prompt.messages;
    auto out = backend_->complete(llm);
    if (!out.ok()) return out.status();  // a broken component, not a wrong answer
    result.prompt_tokens += out->prompt_tokens;
    result.completion_tokens += out->completion_tokens;
    *mean_logprob = out->mean_logprob;

    GenerationAttempt attempt;
    attempt.sql = !llm.grammar.empty() && !options_.think ? constrained_sql(out->text) : extract_sql(out->text);
    Status check;
    if (out->finish_reason == "refused") {
      check = invalid_argument("constrained decoding reached a dead end (no name the schema allows fits)");
    } else if (out->finish_reason == "length" && find_statement_end(out->text) == std::string::npos) {
      check = resource_exhausted("the model reached the token limit (" + std::to_string(llm.max_tokens) +
                                 ") before the end of the statement");
    } else if (attempt.sql.empty()) {
      check = invalid_argument(out->text.empty() ? "the model wrote nothing" : "the answer holds no SQL statement");
    } else {
      check = check_read_only_statement(attempt.sql, Dialect::for_engine(in.dialect).engine());
      if (check.ok() && db_) check = db_->validate(attempt.sql);
    }
    attempt.error = check.ok() ? "" : check.message();
    attempt.elapsed_ms = ms_since(start);
    result.attempts.push_back(attempt);
    if (check.ok()) {
      result.answered = true;
      result.sql = attempt.sql;
      result.confidence = std::max(0.3, 0.8 - 0.2 * t);
      result.reason = t == 0 ? "validated on the first try" : "validated after " + std::to_string(t) + " repair(s)";
      return result;
    }
    // The next try sees what failed and why.
    in.failed_sql = attempt.sql.empty() ? out->text : attempt.sql;
    in.failed_error = attempt.error;
  }
  result.sql = result.attempts.back().sql;
  result.reason = "no valid SQL after " + std::to_string(tries) + " tries: " + result.attempts.back().error;
  return result;
}

EnsembleGenerator::EnsembleGenerator(std::unique_ptr<Generator> llm, std::unique_ptr<Generator> fallback, Database* db)
    : llm_(std::move(llm)), fallback_(std::move(fallback)), db_(db) {}

Result<GenerationResult> EnsembleGenerator::generate(const GenerationRequest& request) {
  std::string why_not;
  std::vector<GenerationAttempt> llm_attempts;
  auto llm = llm_->generate(request);
  if (!llm.ok()) {
    why_not = llm.status().message();
  } else if (!llm->answered) {
    why_not = llm->reason;
    llm_attempts = llm->attempts;
  } else {
    Status ran;
    if (db_) {
      auto rows = db_->execute(llm->sql, {.timeout_ms = 5000, .max_rows = 1});
      if (!rows.ok()) ran = rows.status();
    }
    if (ran.ok()) {
      GenerationResult r = std::move(*llm);
      r.reason = "ensemble chose the LLM: its SQL validated and ran (" + r.reason + ")";
      r.engine = "ensemble:" + r.engine;
      return r;
    }
    why_not = "its SQL failed to run: " + ran.message();
    llm_attempts = llm->attempts;
    llm_attempts.back().error = ran.message();
  }
  auto fb = fallback_->generate(request);
  if (!fb.ok()) return fb.status();
  GenerationResult r = std::move(*fb);
  r.engine = "ensemble:" + r.engine;
  if (llm.ok()) r.prompt = llm->prompt;
  r.reason = "ensemble chose the " + fallback_->name() + " engine: the LLM " +
             (llm.ok() ? "gave no usable SQL (" + why_not + ")" : "failed (" + why_not + ")") +
             (r.reason.empty() ? "" : "; " + r.reason);
  llm_attempts.insert(llm_attempts.end(), r.attempts.begin(), r.attempts.end());
  r.attempts = std::move(llm_attempts);
  if (llm.ok()) {
    r.prompt_tokens += llm->prompt_tokens;
    r.completion_tokens += llm->completion_tokens;
  }
  return r;
}

LlmBackendOptions llm_backend_options(const GeneratorOptions& o) {
  LlmBackendOptions b;
  b.model_path = o.model_path;
  b.lora_path = o.lora_path;
  b.lora_scale = o.lora_scale;
  b.threads = o.threads;
  b.n_ctx = o.n_ctx;
  b.n_gpu_layers = o.n_gpu_layers;
  b.url = o.llm_url;
  b.model_name = o.llm_model_name;
  b.endpoint = o.llm_endpoint;
  return b;
}

Result<PromptOptions> llm_prompt_options(const GeneratorOptions& options, const std::string& chat_template) {
  auto format = parse_prompt_format(options.prompt_format);
  if (!format.ok()) return format.status();
  auto style = parse_prompt_style(options.prompt_style);
  if (!style.ok()) return style.status();
  PromptOptions o;
  o.format = *format;
  o.style = *style;
  o.chat_template = chat_template;
  if (options.prompt_sample_values >= 0) o.sample_values = options.prompt_sample_values;
  return o;
}

Result<std::unique_ptr<Generator>> make_llm_generator(const GeneratorOptions& options, const Catalog& catalog,
                                                      Database* db) {
  auto prompt = llm_prompt_options(options, "");
  if (!prompt.ok()) return prompt.status();
  auto backend = make_llm_backend(llm_backend_options(options));
  if (!backend.ok()) return backend.status();
  LlmGeneratorOptions g;
  g.format = prompt->format;
  g.style = prompt->style;
  g.sample_values = prompt->sample_values;
  g.grammar = options.grammar;
  g.think = options.think;
  g.max_repairs = options.max_repairs;
  g.max_tokens = options.max_tokens;
  g.temperature = options.temperature;
  g.top_p = options.top_p;
  g.seed = options.seed;
  g.candidates = options.candidates;
  g.vote_temperature = options.vote_temperature;
  std::shared_ptr<LlmBackend> shared(std::move(*backend));
  return std::unique_ptr<Generator>(new LlmGenerator(std::move(shared), catalog, db, g));
}

}  // namespace t2sql
