#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "cli.h"
#include "t2sql/chart.h"
#include "t2sql/format.h"
#include "t2sql/pipeline.h"
#include "t2sql/retrieval.h"

namespace t2sql::cli {

namespace {

struct AskCommandOptions {
  std::string question, db, mode = "template", model, lora, llm_url, llm_model, format = "table", chart, session,
                            instructions, ensemble_order = "template-first";
  bool no_grammar = false, think = false, rag = false, no_rag = false;
  std::vector<std::string> disable;
  int max_repairs = 2, sample_values = -1, max_tokens = 256, candidates = 1;
  std::string prompt_style = "t2sql", examples_file, feedback_file;
  bool no_feedback = false;
  int64_t timeout_ms = 10000, max_rows = 1000;
};

// "adapter.gguf:0.5" -> path and scale; a plain path keeps scale 1.
Status parse_lora(const std::string& spec, GeneratorOptions& g) {
  if (spec.empty()) return Status();
  auto colon = spec.rfind(':');
  if (colon != std::string::npos && colon + 1 < spec.size()) {
    std::string scale = spec.substr(colon + 1);
    char* end = nullptr;
    float v = std::strtof(scale.c_str(), &end);
    if (end && *end == '\0') {
      g.lora_path = spec.substr(0, colon);
      g.lora_scale = v;
      return Status();
    }
  }
  g.lora_path = spec;
  g.lora_scale = 1.0f;
  return Status();
}

// Writes the file beside its destination and renames it, so that a failure
// leaves nothing half-written.
Status write_file_atomically(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) return invalid_argument("cannot write '" + path + "'");
    out << content;
    if (!out) return internal_error("writing '" + path + "' failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return internal_error("cannot move the chart into '" + path + "'");
  }
  return Status();
}

std::string stages_line(const AskResult& r) {
  std::string out;
  for (const auto& s : r.stages) {
    if (s.status == "skipped") continue;
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s %.1f ms%s", s.name.c_str(), s.elapsed_ms,
                  s.status == "ok" ? "" : (" (" + s.status + ")").c_str());
    out += (out.empty() ? "" : ", ") + std::string(buf);
  }
  return out;
}

}  // namespace

void add_ask_command(CLI::App& app) {
  auto opt = std::make_shared<AskCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "ask",
      "Answer a question in plain language: writes the SQL, runs it read-only, prints the rows, the stages "
      "and the time. Exits 1 when it abstains or refuses.");
  add_example(cmd,
              "  t2sql ask \"Top 5 brands by revenue in 2024\" --chart top.svg\n"
              "  t2sql ask \"Monthly sales in 2023\" --db sales.duckdb --format markdown");
  cmd->add_option("QUESTION", opt->question, "The question, e.g. \"total sales in 2023\"")->required();
  add_db_option(cmd, opt->db);
  cmd->add_option("--mode", opt->mode,
                  "Generation mode: template (no model), llm (a GGUF model or --llm-url) or "
                  "ensemble (the template's answer when its calibrated confidence reaches the threshold, else the "
                  "LLM's; see --ensemble-order)")
      ->check(CLI::IsMember({"template", "llm", "ensemble"}))
      ->capture_default_str();
  cmd->add_option("--ensemble-order", opt->ensemble_order,
                  "With --mode ensemble: template-first (the template engine when confident, else the LLM) or "
                  "llm-first (the LLM's SQL when it validates and runs, else the template engine's)")
      ->check(CLI::IsMember({"template-first", "llm-first"}))
      ->capture_default_str();
  cmd->add_option("--model", opt->model, "GGUF model file for --mode llm or ensemble");
  cmd->add_option("--lora", opt->lora, "LoRA adapter (GGUF), optionally with a scale: PATH[:SCALE]");
  cmd->add_option("--llm-url", opt->llm_url,
                  "OpenAI-compatible server (llama-server, vLLM, Ollama) instead of --model");
  cmd->add_option("--llm-model", opt->llm_model, "The model name to ask the --llm-url server for");
  cmd->add_option("--instructions", opt->instructions,
                  "Domain hints for the model, shown with the question (e.g. \"revenue is price times quantity\"); "
                  "the template engine does not use them");
  cmd->add_flag("--no-grammar", opt->no_grammar, "Turn off grammar-constrained decoding for the LLM");
  cmd->add_flag("--think", opt->think,
                "Room to think: the model may reason in prose and ends with its SQL in a ```sql fence; only the SQL in the fence is constrained, and the token limit is 4 x --max-tokens (default: the answer is the statement alone)");
  add_prompt_style_options(cmd, opt->prompt_style, opt->sample_values);
  cmd->add_option("--examples-file", opt->examples_file,
                  "JSONL of question/SQL pairs (gen-data's output, accepted answers): the most similar become the "
                  "LLM's few-shot examples");
  add_feedback_options(cmd, opt->feedback_file, &opt->no_feedback);
  cmd->add_flag("--rag", opt->rag, "Run the retrieval stage: give the generator only the relevant tables and columns");
  cmd->add_flag("--no-rag", opt->no_rag, "Give the generator the whole schema (the default)");
  cmd->add_option("--format,-f", opt->format, "Output: table, json, csv or markdown")->capture_default_str();
  cmd->add_option("--chart", opt->chart,
                  "Write the chart: a Vega-Lite v5 spec (*.json, e.g. out.vl.json) or an SVG image (*.svg)");
  cmd->add_option("--session", opt->session,
                  "Conversation file (JSON): earlier questions are read from it and this one is added, so that "
                  "follow-ups like \"and in 2024?\" work across calls");
  cmd->add_option("--disable-stage", opt->disable,
                  "Switch a stage off (intent, entities, retrieval, generation, validation, repair, execution, chart, "
                  "answer); repeatable");
  cmd->add_option("--max-repairs", opt->max_repairs, "Re-tries after a validation error")
      ->check(non_negative())
      ->capture_default_str();
  cmd->add_option("--max-tokens", opt->max_tokens, "Token limit of the LLM's answer")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  cmd->add_option(
         "--candidates", opt->candidates,
         "Execution vote: ask the LLM for N statements (the greedy one and N-1 sampled at temperature 0.7 with "
         "distinct seeds), run each read-only and answer with the largest group of equal results (ties: the "
         "likelier statements); 1: no vote")
      ->check(CLI::Range(1, kMaxCandidates))
      ->capture_default_str();
  cmd->add_option("--timeout-ms", opt->timeout_ms, "Interrupt the query after this many milliseconds (0: none)")
      ->check(non_negative())
      ->capture_default_str();
  cmd->add_option("--max-rows", opt->max_rows, "Read at most this many rows (0: all)")
      ->check(non_negative())
      ->capture_default_str();
  set_action(cmd, [opt] {
    auto format = parse_output_format(opt->format);
    if (!format.ok()) return fail(format.status());
    if (opt->rag && opt->no_rag) return fail("--rag and --no-rag contradict each other");
    if (!opt->chart.empty()) {
      std::string ext = std::filesystem::path(opt->chart).extension().string();
      if (ext != ".json" && ext != ".svg")
        return fail("--chart '" + opt->chart + "' must end in .json (Vega-Lite spec) or .svg (image)");
    }
    if (Status s = Pipeline::check_stage_names(opt->disable); !s.ok()) return fail(s);
    PipelineOptions po;
    po.generator.mode = opt->mode;
    po.generator.model_path = opt->model;
    po.generator.llm_url = opt->llm_url;
    po.generator.llm_model_name = opt->llm_model;
    po.generator.grammar = !opt->no_grammar;
    po.generator.think = opt->think;
    po.generator.max_repairs = opt->max_repairs;
    po.generator.ensemble_order = opt->ensemble_order;
    po.generator.prompt_style = opt->prompt_style;
    po.generator.max_tokens = opt->max_tokens;
    po.generator.candidates = opt->candidates;
    po.generator.prompt_sample_values = opt->sample_values;
    po.examples_path = opt->examples_file;
    if (Status s = parse_lora(opt->lora, po.generator); !s.ok()) return fail(s);
    po.use_rag = opt->rag;
    po.max_repairs = opt->max_repairs;
    po.disabled_stages = opt->disable;
    po.exec = {.timeout_ms = opt->timeout_ms, .max_rows = opt->max_rows};

    Session session;
    std::error_code ec;
    if (!opt->session.empty() && std::filesystem::is_directory(opt->session, ec))
      return fail("--session '" + opt->session + "' is a folder; give a file (created on the first answer)");
    if (!opt->session.empty() && std::filesystem::exists(opt->session, ec)) {
      std::ifstream in(opt->session, std::ios::binary);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (!in.eof() && in.fail()) return fail("--session '" + opt->session + "' cannot be read");
      auto loaded = Session::from_json(text);
      if (!loaded.ok()) return fail("--session '" + opt->session + "': " + loaded.status().message());
      session = std::move(*loaded);
    }

    auto db = open_database(opt->db);
    if (!db.ok()) return fail(db.status());
    if (!opt->no_feedback) po.feedback_path = feedback_path_for(opt->feedback_file, (*db)->uri());
    auto pipeline = Pipeline::create(std::move(*db), po);
    if (!pipeline.ok()) return fail(pipeline.status());
    AskOptions ask_options;
    ask_options.instructions = opt->instructions;
    AskResult r = (*pipeline)->ask(opt->question, opt->session.empty() ? nullptr : &session, ask_options);

    if (!opt->session.empty() && r.answered && !r.sql.empty()) {
      if (Status s = write_file_atomically(opt->session, session.to_json()); !s.ok()) return fail(s);
    }
    if (!opt->chart.empty() && r.executed) {
      bool svg = std::filesystem::path(opt->chart).extension() == ".svg";
      std::string content = svg ? render_chart_svg(r.chart, r.rows) : r.chart_vega_lite;
      if (!svg && content.empty()) {
        std::cerr << "note: no chart fits this result (" << r.chart.reason << "); " << opt->chart << " not written\n";
      } else if (Status s = write_file_atomically(opt->chart, content); !s.ok()) {
        return fail(s);
      }
    }

    if (*format == OutputFormat::kJson) {
      std::cout << ask_result_to_json(r) << "\n";
    } else if (*format == OutputFormat::kCsv) {
      // CSV stays machine-readable on stdout; the rest goes to stderr.
      if (!r.sql.empty()) std::cerr << "-- " << r.sql << "\n";
      if (!r.explanation.empty()) std::cerr << "-- " << r.explanation << "\n";
      if (!r.rows.columns.empty()) std::cout << format_result(r.rows, OutputFormat::kCsv);
      if (!r.answer.empty()) std::cerr << r.answer << "\n";
    } else {
      bool md = *format == OutputFormat::kMarkdown;
      if (r.follow_up) std::cout << "Read as: " << r.effective_question << "\n\n";
      if (!r.sql.empty()) std::cout << (md ? "```sql\n" : "SQL:\n  ") << r.sql << (md ? "\n```\n\n" : "\n\n");
      if (!r.explanation.empty()) std::cout << (md ? "_What it does:_ " : "What it does: ") << r.explanation << "\n\n";
      if (!r.rows.columns.empty()) std::cout << format_result(r.rows, *format) << "\n";
      if (!r.answer.empty()) std::cout << r.answer << "\n";
      std::cout << (md ? "\n_" : "") << "stages: " << stages_line(r) << "; total " << std::fixed << std::setprecision(1)
                << r.total_ms << " ms" << (r.engine.empty() ? "" : " [" + r.engine + "]") << (md ? "_" : "") << "\n";
    }
    if (!r.error.ok()) return fail(r.error);
    if (r.intent == Intent::kRefused) return fail("refused: " + r.reason);
    // Engines may already say "cannot answer: ..."; the line says it once.
    if (!r.answered)
      return fail(r.reason.rfind("cannot answer", 0) == 0 || r.reason.rfind("refused", 0) == 0 ? r.reason
                                                                                        : "cannot answer: " + r.reason);
    return 0;
  });
}

}  // namespace t2sql::cli
