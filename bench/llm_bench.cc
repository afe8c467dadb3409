// llm_bench: the LLM engine measured side by side with llama.cpp itself.
//
//   llm_bench quantize IN.gguf OUT.gguf q4_0|q8_0
//   llm_bench run --model M.gguf [--model ...] --llama-bench PATH [--threads 2]
//                 [--prompt 128] [--gen 32] [--reps 3] [--out results.md]
//
// For each model, in one run:
//  - overhead: prompt processing and generation speed of t2sql's in-process
//    backend vs `llama-bench` on the same model, prompt length, token count
//    and threads (ratio = llama-bench / t2sql; 1.00 = no overhead);
//  - grammar: generation speed under the SQL constraints (grammar, scope
//    checker, token budget: constrain_sql) vs without;
//  - prefix cache: time to first token of a second question on the same
//    schema vs the first.
// Speed does not depend on the weights' values, so randomly initialized
// models of real shapes stand in for real ones.
#include <llama.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "llm/sql_scope_checker.h"
#include "t2sql/database.h"
#include "t2sql/demo.h"
#include "t2sql/llm_backend.h"
#include "t2sql/prompt.h"

namespace {

using t2sql::LlmBackend;
using t2sql::LlmRequest;

struct Args {
  std::vector<std::string> models;
  std::string llama_bench, out;
  int threads = 2, prompt = 128, gen = 32, reps = 3;
};

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string run_command(const std::string& cmd, int* rc) {
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) {
    *rc = -1;
    return "";
  }
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  *rc = pclose(p);
  return out;
}

// llama-bench's tokens/s for one repetition of one test (-p P -n 0, or
// -p 0 -n G -d depth); its own warm-up run comes first.
double llama_bench_ts(const Args& a, const std::string& model, int p, int n, int depth) {
  std::ostringstream cmd;
  cmd << a.llama_bench << " -m '" << model << "' -t " << a.threads << " -p " << p << " -n " << n << " -d " << depth
      << " -r 1 -b 512 -ub 512 -o json 2>/dev/null";
  int rc = 0;
  std::string out = run_command(cmd.str(), &rc);
  auto j = nlohmann::json::parse(out, nullptr, false);
  if (rc != 0 || j.is_discarded() || !j.is_array() || j.empty()) {
    std::cerr << "llama-bench failed: " << cmd.str() << "\n" << out.substr(0, 400) << "\n";
    return 0;
  }
  return j[0].value("avg_ts", 0.0);
}

std::unique_ptr<LlmBackend> open_backend(const Args& a, const std::string& model, int n_ctx) {
  auto b = t2sql::make_llm_backend({.model_path = model, .threads = a.threads, .n_ctx = n_ctx, .n_batch = 512});
  if (!b.ok()) {
    std::cerr << b.status().message() << "\n";
    return nullptr;
  }
  return std::move(*b);
}

// A prompt of about `n` tokens; every rep starts with a different word so
// that no KV cache is reused between them.
std::string filler_prompt(int n, int rep) {
  std::string s = "q" + std::to_string(rep);
  for (int i = 1; i < n; ++i) s += " the";
  return s;
}

struct Row {
  std::string model, what;
  double t2sql = 0, reference = 0;
  std::string unit, note;
};

void usage() {
  std::cerr << "usage: llm_bench quantize IN OUT q4_0|q8_0\n"
               "       llm_bench run --model M.gguf [--model ...] --llama-bench PATH [--threads N] [--prompt N]"
               " [--gen N] [--reps N] [--out FILE]\n";
}

int quantize(const std::string& in, const std::string& out, const std::string& type) {
  llama_backend_init();
  llama_model_quantize_params qp = llama_model_quantize_default_params();
  if (type == "q4_0") {
    qp.ftype = LLAMA_FTYPE_MOSTLY_Q4_0;
  } else if (type == "q8_0") {
    qp.ftype = LLAMA_FTYPE_MOSTLY_Q8_0;
  } else {
    std::cerr << "error: unknown type '" << type << "' (q4_0 or q8_0)\n";
    return 2;
  }
  qp.nthread = 0;
  if (llama_model_quantize(in.c_str(), out.c_str(), &qp) != 0) {
    std::cerr << "error: quantizing '" << in << "' failed\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> av(argv + 1, argv + argc);
  if (av.size() == 4 && av[0] == "quantize") return quantize(av[1], av[2], av[3]);
  if (av.empty() || av[0] != "run") {
    usage();
    return 2;
  }
  Args a;
  for (size_t i = 1; i < av.size(); ++i) {
    auto next = [&]() -> std::string {
      if (i + 1 >= av.size()) {
        usage();
        std::exit(2);
      }
      return av[++i];
    };
    if (av[i] == "--model")
      a.models.push_back(next());
    else if (av[i] == "--llama-bench")
      a.llama_bench = next();
    else if (av[i] == "--threads")
      a.threads = std::stoi(next());
    else if (av[i] == "--prompt")
      a.prompt = std::stoi(next());
    else if (av[i] == "--gen")
      a.gen = std::stoi(next());
    else if (av[i] == "--reps")
      a.reps = std::stoi(next());
    else if (av[i] == "--out")
      a.out = next();
    else {
      usage();
      return 2;
    }
  }
  if (a.models.empty()) {
    usage();
    return 2;
  }
  llama_backend_init();
  llama_log_set([](ggml_log_level, const char*, void*) {}, nullptr);

  // The demo warehouse's schema for the grammar and prefix-cache runs.
  auto demo = t2sql::ensure_demo_warehouse();
  if (!demo.ok()) {
    std::cerr << demo.status().message() << "\n";
    return 1;
  }
  auto db = t2sql::Database::open(*demo);
  auto catalog = (*db)->catalog();
  std::string ddl = catalog->to_ddl();
  t2sql::PromptBuilder builder(t2sql::PromptFormat::kChat);

  std::vector<Row> rows;
  for (const auto& model : a.models) {
    std::string name = std::filesystem::path(model).filename().string();
    std::cerr << "== " << name << "\n";
    auto backend = open_backend(a, model, 4096);
    if (!backend) return 1;

    // Overhead: prompt processing and generation, t2sql vs llama-bench. The
    // two alternate round by round (one llama-bench repetition per round), so
    // that a change in the machine's load hits both sides alike.
    std::vector<double> pp, tg, ref_pp_v, ref_tg_v;
    int prompt_tokens = 0;
    for (int r = 0; r <= a.reps; ++r) {  // round 0 warms up
      LlmRequest req{.prompt = filler_prompt(a.prompt, r),
                     .max_tokens = a.gen,
                     .stop_at_statement_end = false,
                     .ignore_eog = true};
      auto out = backend->complete(req);
      if (!out.ok()) {
        std::cerr << out.status().message() << "\n";
        return 1;
      }
      prompt_tokens = out->prompt_tokens;
      if (r == 0) continue;
      pp.push_back(out->prompt_tokens * 1000.0 / out->time_to_first_token_ms);
      tg.push_back((out->completion_tokens - 1) * 1000.0 / (out->total_ms - out->time_to_first_token_ms));
      if (!a.llama_bench.empty()) {
        ref_pp_v.push_back(llama_bench_ts(a, model, prompt_tokens, 0, 0));
        ref_tg_v.push_back(llama_bench_ts(a, model, 0, a.gen, prompt_tokens));
      }
    }
    double ref_pp = median(ref_pp_v), ref_tg = median(ref_tg_v);
    rows.push_back({name, "prompt processing (" + std::to_string(prompt_tokens) + " tokens)", median(pp), ref_pp,
                    "tokens/s", "reference: llama-bench -p"});
    rows.push_back({name, "generation (" + std::to_string(a.gen) + " tokens after the prompt)", median(tg), ref_tg,
                    "tokens/s", "reference: llama-bench -n -d"});

    // Grammar on vs off: the same SQL prompt, greedy.
    std::vector<double> on, off;
    for (int r = 0; r <= a.reps; ++r) {
      auto p = builder.build({.schema_ddl = ddl, .question = "question number " + std::to_string(r)});
      LlmRequest free{.prompt = p.text, .max_tokens = a.gen, .stop_at_statement_end = false, .ignore_eog = true};
      // As the LLM engine constrains it: the grammar, the scope checker and
      // the token budget (constrain_sql), backtracking included.
      LlmRequest constrained{.prompt = p.text, .max_tokens = a.gen};
      t2sql::constrain_sql(ddl, "sqlite", false, &constrained);
      auto f = backend->complete(free);
      auto c = backend->complete(constrained);
      if (!f.ok() || !c.ok()) {
        std::cerr << (f.ok() ? c.status() : f.status()).message() << "\n";
        return 1;
      }
      if (r == 0) continue;
      std::cerr << "constrained: " << c->completion_tokens << " tokens (" << c->finish_reason << "), " << c->backtracks
                << " backtracks, " << c->total_ms - c->time_to_first_token_ms << " ms: " << c->text << "\n";
      off.push_back((f->completion_tokens - 1) * 1000.0 / std::max(1e-3, f->total_ms - f->time_to_first_token_ms));
      on.push_back((c->completion_tokens - 1) * 1000.0 / std::max(1e-3, c->total_ms - c->time_to_first_token_ms));
    }
    rows.push_back({name, "generation under the SQL grammar and scope checker (t2sql) vs without (reference)",
                    median(on), median(off), "tokens/s", "ratio = on/off"});

    // Prefix cache: the second question on the same schema vs the first.
    std::vector<double> first, second;
    for (int r = 0; r < a.reps; ++r) {
      auto fresh = open_backend(a, model, 4096);
      auto q1 = builder.build({.schema_ddl = ddl, .question = "What were total sales in 2023?"});
      auto q2 = builder.build({.schema_ddl = ddl, .question = "Top 5 brands by revenue"});
      auto x = fresh->complete({.prompt = q1.text, .max_tokens = 1});
      auto y = fresh->complete({.prompt = q2.text, .max_tokens = 1});
      if (!x.ok() || !y.ok()) return 1;
      first.push_back(x->time_to_first_token_ms);
      second.push_back(y->time_to_first_token_ms);
      if (r == 0) {
        std::cerr << "prefix cache: " << y->cached_tokens << " of " << y->prompt_tokens << " prompt tokens reused\n";
      }
    }
    rows.push_back({name, "time to first token, second question (t2sql) vs first (reference)", median(second),
                    median(first), "ms", "ratio = second/first"});
  }

  std::ostringstream md;
  md << "| model | measure | t2sql | reference | unit | ratio | note |\n|---|---|---|---|---|---|---|\n";
  for (const auto& r : rows) {
    double ratio = 0;
    if (r.note.starts_with("reference: llama-bench"))
      ratio = r.t2sql > 0 ? r.reference / r.t2sql : 0;
    else
      ratio = r.reference > 0 ? r.t2sql / r.reference : 0;
    char line[512];
    std::snprintf(line, sizeof(line), "| %s | %s | %.2f | %.2f | %s | %.3f | %s |\n", r.model.c_str(), r.what.c_str(),
                  r.t2sql, r.reference, r.unit.c_str(), ratio, r.note.c_str());
    md << line;
  }
  md << "\nthreads " << a.threads << ", " << a.reps << " rounds (median; t2sql and llama-bench alternate), "
     << llama_print_system_info() << "\n";
  std::cout << md.str();
  if (!a.out.empty()) std::ofstream(a.out) << md.str();
  return 0;
}
