#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli.h"
#include "generate/llm_generator.h"
#include "llm/gguf_chat_template.h"
#include "t2sql/pipeline.h"
#include "t2sql/prompt.h"

namespace t2sql::cli {

namespace {

struct PromptCommandOptions {
  std::string question, db, style = "t2sql", format = "chat", model, chat_template, examples_file, instructions,
                            output = "text";
  bool rag = false;
  int sample_values = -1;
};

// --chat-template: a file holding a template, or a name llama.cpp knows.
Result<std::string> template_text(const std::string& spec) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(spec, ec)) return spec;
  std::ifstream in(spec, std::ios::binary);
  if (!in) return invalid_argument("cannot read --chat-template '" + spec + "'");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string style_list() {
  std::string styles;
  for (const auto& s : prompt_style_names()) styles += (styles.empty() ? "" : ", ") + s;
  return styles;
}

}  // namespace

void add_prompt_style_options(CLI::App* command, std::string& style, int& sample_values) {
  command
      ->add_option("--prompt-style", style,
                   "How the LLM is asked: " + style_list() +
                       " (t2sql's own, or the templates OmniSQL, XiYan-SQL, DAIL-SQL and SQLCoder were trained with; "
                       "`t2sql prompt` prints one)")
      ->check(CLI::IsMember(prompt_style_names()))
      ->capture_default_str();
  command
      ->add_option("--sample-values", sample_values, "Sample values per column in the LLM's prompt (-1: the style's)")
      ->check(CLI::Range(-1, 100))
      ->capture_default_str();
}

void add_prompt_command(CLI::App& app) {
  auto opt = std::make_shared<PromptCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "prompt",
      "Print the exact text a model would get for a question: the prompt style, the schema (narrowed by --rag), "
      "the entity stage's value hints, few-shot examples and the chat template applied. Runs no model.");
  add_example(cmd, "  t2sql prompt \"Top 5 brands by revenue\" --style omnisql --rag");
  cmd->add_option("QUESTION", opt->question, "The question, e.g. \"total sales in 2023\"")->required();
  add_db_option(cmd, opt->db);
  cmd->add_option("--style", opt->style,
                  "Prompt style: " + style_list() +
                      " (t2sql's own, or the templates OmniSQL, XiYan-SQL, DAIL-SQL and SQLCoder were trained with)")
      ->capture_default_str();
  cmd->add_option("--format", opt->format,
                  "chat (the model's chat template, else a plain layout) or sql-create-context (plain text)")
      ->capture_default_str();
  cmd->add_option("--model", opt->model, "GGUF model whose own chat template is applied (only its metadata is read)");
  cmd->add_option("--chat-template", opt->chat_template,
                  "A chat template instead of --model's: a file with the template text or a name llama.cpp knows "
                  "(chatml, llama3, gemma, ...)");
  cmd->add_flag("--rag", opt->rag, "Run the retrieval stage: only the relevant tables and columns, as ask --rag");
  cmd->add_option("--examples-file", opt->examples_file,
                  "JSONL of question/SQL pairs ({\"question\", \"sql\"} or gen-data's output): the most similar "
                  "ones become few-shot examples");
  cmd->add_option("--instructions", opt->instructions, "Domain hints shown with the question, as ask --instructions");
  cmd->add_option("--sample-values", opt->sample_values, "Sample values shown per column (-1: the style's choice)")
      ->capture_default_str();
  cmd->add_option("--output,-o", opt->output,
                  "text (the prompt alone) or json ({\"prompt\", \"style\", \"format\", \"used_model_template\", "
                  "\"messages\"})")
      ->capture_default_str();
  set_action(cmd, [opt] {
    if (opt->output != "text" && opt->output != "json")
      return fail("unknown --output '" + opt->output + "' (expected text or json)");
    if (!opt->model.empty() && !opt->chat_template.empty())
      return fail("--model and --chat-template both name a template; give one");
    GeneratorOptions g;
    g.prompt_style = opt->style;
    g.prompt_format = opt->format;
    g.prompt_sample_values = opt->sample_values;
    std::string chat_template;
    if (!opt->model.empty()) {
      auto t = read_gguf_chat_template(opt->model);
      if (!t.ok()) return fail(t.status());
      chat_template = *t;
    } else if (!opt->chat_template.empty()) {
      auto t = template_text(opt->chat_template);
      if (!t.ok()) return fail(t.status());
      chat_template = *t;
    }
    auto prompt_options = llm_prompt_options(g, chat_template);
    if (!prompt_options.ok()) return fail(prompt_options.status());

    auto db = open_database(opt->db);
    if (!db.ok()) return fail(db.status());
    const std::string db_name = database_name(db->get());
    PipelineOptions po;
    po.use_rag = opt->rag;
    po.examples_path = opt->examples_file;
    auto pipeline = Pipeline::create(std::move(*db), po);
    if (!pipeline.ok()) return fail(pipeline.status());
    AskOptions ask_options;
    ask_options.instructions = opt->instructions;
    auto request = (*pipeline)->generation_request(opt->question, ask_options);
    if (!request.ok()) return fail(request.status());

    PromptBuilder builder(*prompt_options);
    Prompt p = builder.build(llm_prompt_input(*request, (*pipeline)->catalog(), db_name));
    if (!chat_template.empty() && !p.used_model_template && prompt_options->format == PromptFormat::kChat)
      std::cerr << "note: llama.cpp does not know this chat template; the prompt uses the plain layout\n";
    if (opt->output == "json") {
      nlohmann::json messages = nlohmann::json::array();
      for (const auto& m : p.messages) messages.push_back({{"role", m.role}, {"content", m.content}});
      nlohmann::json j = {{"prompt", p.text},
                          {"style", prompt_style_name(p.style)},
                          {"format", prompt_format_name(p.format)},
                          {"used_model_template", p.used_model_template},
                          {"messages", messages}};
      std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      std::cout << p.text;
      if (!p.text.empty() && p.text.back() != '\n') std::cout << "\n";
    }
    return 0;
  });
}

}  // namespace t2sql::cli
