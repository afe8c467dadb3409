#include "t2sql/pipeline.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>

#include "format/json_text.h"
#include "format/json_value.h"
#include "pipeline/answer_summarizer.h"
#include "pipeline/entity_extractor.h"
#include "pipeline/follow_up_resolver.h"
#include "pipeline/intent_classifier.h"
#include "pipeline/lexical_retriever.h"
#include "pipeline/vector_context_retriever.h"
#include "retrieval/example_store.h"
#include "db/shared_value_index.h"
#include "sql/sql_explainer.h"
#include "sql/statement_guard.h"
#include "t2sql/demo.h"
#include "t2sql/feedback.h"
#include "t2sql/number_format.h"
#include "t2sql/prompt.h"

namespace t2sql {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxQuestionBytes = 4000;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

bool valid_utf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

// Why a text of a request cannot be used, or OK. `subject_is` begins the
// message ("the question is"); `counted` is the size held against the limit.
Status text_problem(const std::string& subject_is, const std::string& text, size_t counted, bool required) {
  if (required && counted == 0) return invalid_argument(subject_is + " empty");
  if (counted > kMaxQuestionBytes) {
    return invalid_argument(subject_is + " too long (" + std::to_string(text.size()) + " bytes; the limit is " +
                            std::to_string(kMaxQuestionBytes) + ")");
  }
  if (!valid_utf8(text)) return invalid_argument(subject_is + " not valid UTF-8 text");
  return Status();
}

// Why a question and its instructions cannot be asked, or OK.
Status request_problem(const std::string& question, const std::string& instructions) {
  std::string trimmed = question;
  trimmed.erase(0, trimmed.find_first_not_of(" \t\r\n"));
  Status bad = text_problem("the question is", question, trimmed.size(), true);
  if (bad.ok()) bad = text_problem("the instructions are", instructions, instructions.size(), false);
  return bad;
}

// An answer that needs no generator: SQL the user gave, or one they accepted.
GenerationResult fixed_answer(const std::string& sql, const std::string& engine, const std::string& reason) {
  GenerationResult g;
  g.answered = true;
  g.sql = sql;
  g.confidence = 1;
  g.engine = engine;
  g.reason = reason;
  return g;
}

std::string small_talk_answer(const Catalog& catalog) {
  auto examples = example_questions(catalog, 2);
  std::string out = "Hello! I answer questions about this database by writing SQL and running it read-only.";
  if (!examples.empty()) out += " Try \"" + examples[0] + "\"";
  if (examples.size() > 1) out += " or \"" + examples[1] + "\"";
  return out + ".";
}

}  // namespace

const char* intent_name(Intent intent) {
  switch (intent) {
    case Intent::kData: return "data";
    case Intent::kSchema: return "schema";
    case Intent::kSmallTalk: return "small_talk";
    case Intent::kRefused: return "refused";
  }
  return "data";
}

void Session::add(Turn turn) {
  turns.push_back(std::move(turn));
  while (turns.size() > max_turns) turns.erase(turns.begin());
}

std::string Session::to_json() const {
  json arr = json::array();
  for (const auto& t : turns)
    arr.push_back({{"question", t.question}, {"effective_question", t.effective_question}, {"sql", t.sql}});
  return json_text(json{{"turns", arr}});
}

Result<Session> Session::from_json(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("turns") || !j["turns"].is_array())
    return invalid_argument("a session is a JSON object with a \"turns\" array");
  Session s;
  for (const auto& t : j["turns"]) {
    if (!t.is_object()) return invalid_argument("each session turn is an object");
    for (const char* key : {"question", "effective_question", "sql"})
      if (t.contains(key) && !t[key].is_string())
        return invalid_argument(std::string("a session turn's \"") + key + "\" must be a string");
    s.add({t.value("question", ""), t.value("effective_question", ""), t.value("sql", "")});
  }
  return s;
}

std::string stage_record_to_json(const StageRecord& stage) {
  json out = json::parse(stage.output_json.empty() ? "{}" : stage.output_json, nullptr, false);
  if (out.is_discarded()) out = stage.output_json;
  return json_text(
      json{{"name", stage.name}, {"status", stage.status}, {"elapsed_ms", stage.elapsed_ms}, {"output", out}});
}

std::string ask_result_to_json(const AskResult& r) {
  json j;
  j["question"] = r.question;
  j["effective_question"] = r.effective_question;
  j["follow_up"] = r.follow_up;
  j["intent"] = intent_name(r.intent);
  j["answered"] = r.answered;
  j["reason"] = r.reason;
  j["sql"] = r.sql;
  j["columns"] = r.rows.columns;
  json types = json::array();
  for (auto t : r.rows.column_types) types.push_back(value_type_name(t));
  j["column_types"] = types;
  json rows = json::array();
  for (const auto& row : r.rows.rows) {
    json jr = json::array();
    for (const auto& v : row) jr.push_back(json_value(v));
    rows.push_back(std::move(jr));
  }
  j["rows"] = std::move(rows);
  j["row_count"] = r.rows.rows.size();
  j["truncated"] = r.rows.truncated;
  j["chart"] = r.chart_vega_lite.empty() ? json(nullptr) : json::parse(r.chart_vega_lite, nullptr, false);
  j["chart_kind"] = chart_kind_name(r.chart.kind);
  j["answer"] = r.answer;
  j["explanation"] = r.explanation;
  j["column_formats"] = json::parse(column_formats_to_json(column_formats(r.rows)));
  j["engine"] = r.engine;
  j["confidence"] = r.confidence;
  j["rag_used"] = r.rag_used;
  j["prompt"] = r.prompt;
  if (!r.alternatives.empty()) {
    json alternatives = json::array();
    for (const auto& a : r.alternatives) alternatives.push_back({{"sql", a.sql}, {"description", a.description}});
    j["alternatives"] = std::move(alternatives);
  }
  json stages = json::array();
  for (const auto& s : r.stages) stages.push_back(json::parse(stage_record_to_json(s)));
  j["stages"] = std::move(stages);
  j["total_ms"] = r.total_ms;
  if (!r.error.ok()) j["error"] = {{"code", status_code_name(r.error.code())}, {"message", r.error.message()}};
  return json_text(j);
}

struct Pipeline::Impl {
  PipelineOptions options;
  std::unique_ptr<Database> db;
  Catalog catalog;
  std::unique_ptr<Generator> generator;
  std::unique_ptr<ContextRetriever> retriever;
  std::unique_ptr<ExampleStore> examples;  // null without PipelineOptions::examples_path
  // PipelineOptions::feedback_path's accepted examples, read again when the
  // file's size or time changes (another process or a server route appends).
  struct Feedback {
    std::filesystem::file_time_type time{};
    uintmax_t size = 0;
    std::map<std::string, SqlExample> by_question;  // feedback_question_key -> example
    std::unique_ptr<ExampleStore> store;            // for few-shot; null when there are none
  } feedback;
  void refresh_feedback();
  // The accepted answer to this question (or to `raw`, as typed), or null.
  const SqlExample* accepted_answer(const std::string& question, const std::string& raw) const {
    for (const auto* q : {&question, &raw}) {
      auto it = feedback.by_question.find(feedback_question_key(*q));
      if (it != feedback.by_question.end()) return &it->second;
    }
    return nullptr;
  }
  // The database's value index, shared with the template engine (built once).
  std::shared_ptr<const ValueIndex> values;
  std::set<std::string> disabled;

  bool on(const std::string& stage) const { return !disabled.count(stage); }

  using Recorder =
      std::function<void(const std::string& stage, const std::string& status, const json& output, double elapsed_ms)>;
  // The entities and retrieval stages: what the generation stage gets.
  GenerationRequest prepare(const std::string& question, bool use_rag, const std::string& instructions,
                            const Recorder& record, bool* rag_used);
};

GenerationRequest Pipeline::Impl::prepare(const std::string& question, bool use_rag, const std::string& instructions,
                                          const Recorder& record, bool* rag_used) {
  GenerationRequest request;
  request.question = question;
  request.instructions = instructions;
  auto t = Clock::now();
  if (on("entities")) {
    Entities e = extract_entities(question, values.get());
    request.linked_values = e.values;
    request.reading = static_cast<const QuestionReading&>(e);
    record("entities", "ok", json::parse(e.to_json()), ms_since(t));
  }

  if (on("retrieval") && use_rag) {
    t = Clock::now();
    auto ctx = retriever->retrieve(question, catalog, request.linked_values);
    if (ctx.ok()) {
      request.schema_ddl = ctx->schema_ddl;
      request.examples = ctx->examples;
      *rag_used = true;
      record("retrieval", "ok",
             json{{"source", ctx->source},
                  {"tables", ctx->tables},
                  {"columns", ctx->columns},
                  {"examples", ctx->examples.size()},
                  {"schema_chars", ctx->schema_ddl.size()}},
             ms_since(t));
    } else {
      // The whole schema still works; say why retrieval did not help.
      record("retrieval", "failed", json{{"error", ctx.status().message()}}, ms_since(t));
    }
  } else if (on("retrieval")) {
    record("retrieval", "skipped", json{{"reason", "RAG is off"}}, 0);
  }
  if (examples && request.examples.empty() && options.examples_count > 0)
    request.examples = examples->similar(question, options.examples_count);
  refresh_feedback();
  if (feedback.store && options.examples_count > 0) {
    // The user's own accepted answers come first; others with the same question go.
    auto accepted = feedback.store->similar(question, options.examples_count);
    size_t keep = std::max(request.examples.size(), static_cast<size_t>(options.examples_count));
    for (auto& e : request.examples) {
      bool same = std::any_of(accepted.begin(), accepted.end(), [&](const SqlExample& a) {
        return feedback_question_key(a.question) == feedback_question_key(e.question);
      });
      if (!same) accepted.push_back(std::move(e));
    }
    if (accepted.size() > keep) accepted.resize(keep);
    request.examples = std::move(accepted);
  }
  return request;
}

void Pipeline::Impl::refresh_feedback() {
  if (options.feedback_path.empty()) return;
  std::error_code ec;
  auto size = std::filesystem::file_size(options.feedback_path, ec);
  if (ec) size = 0;
  auto time = ec ? std::filesystem::file_time_type{} : std::filesystem::last_write_time(options.feedback_path, ec);
  if (size == feedback.size && time == feedback.time) return;
  feedback = Feedback{time, size, {}, nullptr};
  auto log = FeedbackLog::load(options.feedback_path);
  if (!log.ok()) return;  // unreadable now: answered without it, read again next time
  auto accepted = log->accepted_examples();
  if (accepted.empty()) return;
  for (const auto& e : accepted) feedback.by_question[feedback_question_key(e.question)] = e;
  feedback.store = ExampleStore::of(std::move(accepted));
}

Pipeline::Pipeline(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Pipeline::~Pipeline() = default;

const std::vector<std::string>& Pipeline::stage_names() {
  static const std::vector<std::string> kNames = {"intent", "entities",  "retrieval", "generation", "validation",
                                                  "repair", "execution", "chart",     "answer"};
  return kNames;
}

Status Pipeline::check_stage_names(const std::vector<std::string>& names) {
  for (const auto& n : names) {
    const auto& all = stage_names();
    if (std::find(all.begin(), all.end(), n) == all.end()) {
      std::string list;
      for (const auto& a : all) list += (list.empty() ? "" : ", ") + a;
      return invalid_argument("unknown stage '" + n + "' (stages: " + list + ")");
    }
  }
  return Status();
}

Result<std::unique_ptr<Pipeline>> Pipeline::create(std::unique_ptr<Database> db, const PipelineOptions& options) {
  return create(std::move(db), options, GeneratorFactory(make_generator));
}

Result<std::unique_ptr<Pipeline>> Pipeline::create(std::unique_ptr<Database> db, const PipelineOptions& options,
                                                   const GeneratorFactory& factory) {
  if (!db) return invalid_argument("no database");
  if (Status s = check_stage_names(options.disabled_stages); !s.ok()) return s;
  auto catalog = db->catalog();
  if (!catalog.ok()) return catalog.status();
  auto generator = factory(options.generator, *catalog, db.get());
  if (!generator.ok()) return generator.status();
  return build(std::move(db), options, std::move(*catalog), std::move(*generator));
}

Result<std::unique_ptr<Pipeline>> Pipeline::create(std::unique_ptr<Database> db, const PipelineOptions& options,
                                                   std::unique_ptr<Generator> generator) {
  if (!db) return invalid_argument("no database");
  if (Status s = check_stage_names(options.disabled_stages); !s.ok()) return s;
  auto catalog = db->catalog();
  if (!catalog.ok()) return catalog.status();
  return build(std::move(db), options, std::move(*catalog), std::move(generator));
}

Result<std::unique_ptr<Pipeline>> Pipeline::build(std::unique_ptr<Database> db, const PipelineOptions& options,
                                                  Catalog catalog, std::unique_ptr<Generator> generator) {
  if (!generator) return invalid_argument("no generator");
  auto impl = std::make_unique<Impl>();
  impl->catalog = std::move(catalog);
  impl->options = options;
  impl->disabled.insert(options.disabled_stages.begin(), options.disabled_stages.end());
  // A database whose values cannot be read still answers, without value links.
  auto values = shared_value_index(*db, impl->catalog);
  impl->values = values.ok() ? std::move(*values) : empty_value_index();
  impl->retriever = make_default_retriever(db->uri());
  if (!options.examples_path.empty()) {
    auto store = ExampleStore::load(options.examples_path);
    if (!store.ok()) return store.status();
    impl->examples = std::move(*store);
  }
  impl->db = std::move(db);
  impl->generator = std::move(generator);
  return std::unique_ptr<Pipeline>(new Pipeline(std::move(impl)));
}

void Pipeline::set_retriever(std::unique_ptr<ContextRetriever> retriever) {
  if (retriever) impl_->retriever = std::move(retriever);
}
const Catalog& Pipeline::catalog() const {
  return impl_->catalog;
}
Database& Pipeline::database() {
  return *impl_->db;
}
std::string Pipeline::generator_name() const {
  return impl_->generator->name();
}
const PipelineOptions& Pipeline::options() const {
  return impl_->options;
}

AskResult Pipeline::ask(const std::string& question, Session* session, const AskOptions& ask_options) {
  Impl& p = *impl_;
  AskResult r;
  r.question = question;
  r.effective_question = question;
  auto total_start = Clock::now();
  auto record = [&](const std::string& name, const std::string& status, const json& output, double ms) {
    StageRecord s{name, status, json_text(output), ms};
    r.stages.push_back(s);
    if (ask_options.on_stage) ask_options.on_stage(s);
  };
  // Stages that did not run still appear, so that every trace lists all nine.
  auto finish = [&]() -> AskResult {
    for (const auto& name : stage_names()) {
      bool seen = std::any_of(r.stages.begin(), r.stages.end(), [&](const StageRecord& s) { return s.name == name; });
      if (!seen) record(name, "skipped", json{{"reason", p.on(name) ? "not needed" : "switched off"}}, 0);
    }
    std::stable_sort(r.stages.begin(), r.stages.end(), [](const StageRecord& a, const StageRecord& b) {
      const auto& n = stage_names();
      return std::find(n.begin(), n.end(), a.name) < std::find(n.begin(), n.end(), b.name);
    });
    // Every statement is explained in words, whichever engine wrote it.
    if (!r.sql.empty()) r.explanation = explain_sql(r.sql, Dialect::for_engine(p.db->engine()).engine());
    r.total_ms = ms_since(total_start);
    return r;
  };
  auto t = Clock::now();

  // Input checks come before every stage: nothing below sees a bad question.
  Status bad = request_problem(question, ask_options.instructions);
  if (!bad.ok()) {
    r.error = bad;
    r.reason = r.error.message();
    record("intent", "failed", json{{"error", r.reason}}, ms_since(t));
    return finish();
  }

  // intent (with follow-up resolution: a follow-up is read in the light of the
  // previous turn before anything else looks at it)
  const bool given_sql = ask_options.sql.has_value();
  if (p.on("intent") && !given_sql) {
    t = Clock::now();
    FollowUp fu;
    if (session) fu = resolve_follow_up(question, session->turns, p.values.get());
    if (fu.is_follow_up) {
      r.follow_up = true;
      r.effective_question = fu.question;
    }
    IntentDecision d = classify_intent(r.effective_question, p.catalog);
    // A refusal is judged on the words the user typed too: a follow-up must not
    // launder "and drop it" through an innocent previous question.
    if (r.follow_up && d.intent != Intent::kRefused) {
      IntentDecision raw = classify_intent(question, p.catalog);
      if (raw.intent == Intent::kRefused) d = raw;
    }
    r.intent = d.intent;
    json out = {{"intent", intent_name(d.intent)}, {"reason", d.reason}, {"follow_up", r.follow_up}};
    if (r.follow_up) {
      out["effective_question"] = r.effective_question;
      out["how"] = fu.how;
    }
    if (d.intent == Intent::kRefused) {
      r.reason = d.reason;
      record("intent", "refused", out, ms_since(t));
      return finish();
    }
    record("intent", "ok", out, ms_since(t));
    if (d.intent == Intent::kSmallTalk) {
      r.answered = true;
      r.answer = small_talk_answer(p.catalog);
      record("answer", "ok", json{{"answer", r.answer}}, 0);
      return finish();
    }
    if (d.intent == Intent::kSchema) {
      t = Clock::now();
      SchemaAnswer sa = answer_schema_question(r.effective_question, p.catalog);
      r.answered = true;
      r.rows = std::move(sa.rows);
      r.answer = sa.answer;
      r.engine = "catalog";
      record("answer", "ok", json{{"answer", r.answer}, {"from", "catalog"}}, ms_since(t));
      return finish();
    }
  }

  // entities, retrieval
  GenerationRequest request = given_sql
                                  ? GenerationRequest{}
                                  : p.prepare(r.effective_question, ask_options.use_rag.value_or(p.options.use_rag),
                                              ask_options.instructions, record, &r.rag_used);
  if (session)
    for (const auto& turn : session->turns) request.history.push_back({turn.effective_question, turn.sql});
  request.max_repairs = p.on("repair") ? std::max(0, p.options.max_repairs) : 0;
  if (ask_options.candidates) request.candidates = *ask_options.candidates;

  // generation (or the SQL given with the question, or an answer a user
  // accepted for this question)
  if (!p.on("generation") && !given_sql) {
    r.reason = "the generation stage is switched off";
    return finish();
  }
  t = Clock::now();
  const SqlExample* accepted = given_sql ? nullptr : p.accepted_answer(r.effective_question, question);
  auto gen = given_sql  ? Result<GenerationResult>(fixed_answer(*ask_options.sql, "user", "the SQL the user gave"))
             : accepted ? Result<GenerationResult>(
                              fixed_answer(accepted->sql, "feedback", "the answer a user accepted for this question"))
                        : p.generator->generate(request);
  auto attempts_json = [](const std::vector<GenerationAttempt>& attempts) {
    json a = json::array();
    for (const auto& at : attempts) a.push_back({{"sql", at.sql}, {"error", at.error}, {"elapsed_ms", at.elapsed_ms}});
    return a;
  };
  if (!gen.ok()) {
    r.error = gen.status();
    r.reason = "the " + p.generator->name() + " engine failed: " + gen.status().message();
    record("generation", "failed", json{{"engine", p.generator->name()}, {"error", gen.status().message()}},
           ms_since(t));
    return finish();
  }
  r.engine = gen->engine.empty() ? p.generator->name() : gen->engine;
  r.confidence = gen->confidence;
  r.confidence_features = gen->confidence_features;
  r.rules = gen->rules;
  r.alternatives = gen->alternatives;
  r.prompt = gen->prompt;
  r.prompt_tokens = gen->prompt_tokens;
  r.completion_tokens = gen->completion_tokens;
  r.attempts = gen->attempts;
  r.candidates = gen->candidates;
  r.vote_differs_from_greedy = gen->vote_differs_from_greedy;
  json gen_out = {{"engine", r.engine},
                  {"mode", p.options.generator.mode},
                  {"sql", gen->sql},
                  {"confidence", gen->confidence},
                  {"reason", gen->reason},
                  {"attempts", attempts_json(gen->attempts)},
                  {"examples", request.examples.size()},
                  {"prompt_tokens", gen->prompt_tokens},
                  {"completion_tokens", gen->completion_tokens},
                  {"rules", gen->rules}};
  if (!gen->candidates.empty()) {
    json cands = json::array();
    int chosen = -1;
    for (size_t i = 0; i < gen->candidates.size(); ++i) {
      const auto& c = gen->candidates[i];
      if (c.chosen) chosen = static_cast<int>(i);
      cands.push_back({{"sql", c.sql},
                       {"error", c.error},
                       {"mean_logprob", c.mean_logprob},
                       {"temperature", c.temperature},
                       {"seed", c.seed},
                       {"group", c.group},
                       {"votes", c.votes},
                       {"chosen", c.chosen}});
    }
    gen_out["candidates"] = std::move(cands);
    gen_out["vote"] = {{"chosen", chosen < 0 ? json(nullptr) : json(chosen)},
                       {"votes", chosen < 0 ? 0 : gen->candidates[chosen].votes},
                       {"of", gen->candidates.size()},
                       {"differs_from_greedy", gen->vote_differs_from_greedy}};
  }
  if (!gen->alternatives.empty()) {
    json alternatives = json::array();
    for (const auto& a : gen->alternatives) alternatives.push_back({{"sql", a.sql}, {"description", a.description}});
    gen_out["alternatives"] = alternatives;
  }
  // The generator's tries after a validation error are the repair stage's
  // work: the stage set their number (GenerationRequest::max_repairs).
  if (gen->attempts.size() > 1 && p.on("repair")) {
    json tries = json::array();
    double ms = 0;
    for (size_t i = 1; i < gen->attempts.size(); ++i) {
      const auto& a = gen->attempts[i];
      tries.push_back({{"how", "asked the engine again with the error"}, {"sql", a.sql}, {"error", a.error}});
      ms += a.elapsed_ms;
    }
    bool fixed = gen->answered && gen->attempts.back().error.empty();
    record("repair", fixed ? "ok" : "failed",
           json{{"tries", tries}, {"fixed", fixed}, {"after", gen->attempts.front().error}}, ms);
  }
  if (!gen->answered || gen->sql.empty()) {
    r.reason = gen->reason.empty() ? "the engine could not answer this question" : gen->reason;
    record("generation", "abstained", gen_out, ms_since(t));
    return finish();
  }
  record("generation", "ok", gen_out, ms_since(t));
  r.sql = gen->sql;

  // validation
  auto validate = [&](const std::string& sql) -> Status {
    if (Status s = check_read_only_statement(sql, Dialect::for_engine(p.db->engine()).engine()); !s.ok()) return s;
    return p.db->validate(sql);
  };
  Status valid;
  if (p.on("validation")) {
    t = Clock::now();
    valid = validate(r.sql);
    record("validation", valid.ok() ? "ok" : "failed",
           valid.ok() ? json{{"valid", true}} : json{{"valid", false}, {"error", valid.message()}}, ms_since(t));
  }

  // repair
  if (!valid.ok()) {
    if (p.on("repair") && p.options.max_repairs > 0) {
      t = Clock::now();
      json tries = json::array();
      std::string sql = r.sql;
      Status last = valid;
      // Model output often wraps SQL in a fence or adds prose after it; cutting
      // those (the one extraction the LLM engine uses too) needs no second try.
      std::string fixed = extract_sql(sql);
      if (!fixed.empty() && fixed != sql) {
        last = validate(fixed);
        tries.push_back({{"how", "cut fences and trailing text"}, {"sql", fixed}, {"error", last.message()}});
        sql = fixed;
      }
      record("repair", last.ok() ? "ok" : "failed", json{{"tries", tries}, {"fixed", last.ok()}}, ms_since(t));
      if (last.ok()) r.sql = sql;
      valid = last;
    }
    if (!valid.ok()) {
      r.reason = "the SQL did not validate: " + valid.message();
      return finish();
    }
  }

  // execution
  if (!p.on("execution")) {
    r.answered = true;
    return finish();
  }
  t = Clock::now();
  auto rows = p.db->execute(r.sql, p.options.exec);
  if (!rows.ok()) {
    r.reason = "the SQL failed to run: " + rows.status().message();
    record("execution", "failed",
           json{{"error", rows.status().message()}, {"code", status_code_name(rows.status().code())}}, ms_since(t));
    return finish();
  }
  r.rows = std::move(*rows);
  r.executed = true;
  r.answered = true;
  record("execution", "ok",
         json{{"row_count", r.rows.rows.size()}, {"columns", r.rows.columns}, {"truncated", r.rows.truncated}},
         ms_since(t));
  if (session) session->add({question, r.effective_question, r.sql});

  // chart
  if (p.on("chart")) {
    t = Clock::now();
    r.chart = choose_chart(r.rows, r.effective_question);
    r.chart_vega_lite = chart_to_vega_lite(r.chart, r.rows);
    record("chart", "ok",
           json{{"kind", chart_kind_name(r.chart.kind)},
                {"reason", r.chart.reason},
                {"x", r.chart.x},
                {"y", r.chart.y},
                {"color", r.chart.color}},
           ms_since(t));
  }

  // answer
  if (p.on("answer")) {
    t = Clock::now();
    r.answer = summarize_answer(r.effective_question, r.rows);
    record("answer", "ok", json{{"answer", r.answer}}, ms_since(t));
  }
  return finish();
}

Result<GenerationRequest> Pipeline::generation_request(const std::string& question, const AskOptions& options) {
  if (Status bad = request_problem(question, options.instructions); !bad.ok()) return bad;
  bool rag_used = false;
  auto ignore = [](const std::string&, const std::string&, const json&, double) {};
  return impl_->prepare(question, options.use_rag.value_or(impl_->options.use_rag), options.instructions, ignore,
                        &rag_used);
}

std::vector<std::string> example_questions(const Catalog& catalog, size_t max_count) {
  std::vector<std::string> out;
  if (catalog.find_table("sales") && catalog.find_table("stores") && catalog.find_table("brands") &&
      catalog.find_table("active_store")) {
    for (const auto& q : demo_example_queries()) out.push_back(q.question);
    for (const char* q : {"Monthly sales in 2024", "Sales by region and year", "How many stores are in each region?",
                          "Share of revenue by category in 2024"})
      out.push_back(q);
  } else {
    for (const auto& t : catalog.tables) {
      out.push_back("How many " + t.name + " are there?");
      const ColumnInfo* measure = nullptr;
      const ColumnInfo* label = nullptr;
      for (const auto& c : t.columns) {
        bool id = c.primary_key || (c.name.size() > 3 && c.name.substr(c.name.size() - 3) == "_id");
        if (!measure && !id && (c.type == ValueType::kInteger || c.type == ValueType::kReal)) measure = &c;
        if (!label && !id && c.type == ValueType::kText) label = &c;
      }
      if (measure && label) out.push_back("Total " + measure->name + " by " + label->name + " in " + t.name);
      if (measure) out.push_back("Top 5 " + t.name + " by " + measure->name);
      if (out.size() >= max_count * 2) break;
    }
  }
  if (out.size() > max_count) out.resize(max_count);
  return out;
}

}  // namespace t2sql
