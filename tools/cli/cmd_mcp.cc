#include <iostream>

#include "cli.h"
#include "t2sql/mcp_server.h"
#include "t2sql/pipeline.h"

namespace t2sql::cli {

void add_mcp_command(CLI::App& app) {
  struct Options {
    std::string db, mode = "template", model, llm_url, llm_model, prompt_style = "t2sql";
    int sample_values = -1, max_repairs = 2;
    bool rag = false;
    int64_t timeout_ms = 10000, max_rows = 1000;
  };
  auto opt = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "mcp",
      "Serve the database to AI assistants over the Model Context Protocol (stdio, JSON-RPC 2.0): the tools "
      "list_tables, describe_table, ask and run_sql (read-only, with the timeout and row cap below) and the schema as "
      "resources. Register the command in an MCP client; see README \"MCP server\".");
  add_example(cmd, "  t2sql mcp --db sales.db\n  t2sql mcp --db sales.db --mode llm --model qwen2.5-coder-1.5b");
  add_db_option(cmd, opt->db);
  cmd->add_option("--mode", opt->mode, "Generation mode of the ask tool: template, llm or ensemble")
      ->check(CLI::IsMember({"template", "llm", "ensemble"}))
      ->capture_default_str();
  cmd->add_option("--model", opt->model, "GGUF model file, or the name of a model in the cache (t2sql model list)");
  cmd->add_option("--llm-url", opt->llm_url, "OpenAI-compatible server instead of --model");
  cmd->add_option("--llm-model", opt->llm_model, "The model name to ask the --llm-url server for");
  add_prompt_style_options(cmd, opt->prompt_style, opt->sample_values);
  cmd->add_flag("--rag", opt->rag, "Run the retrieval stage: give the generator only the relevant tables and columns");
  cmd->add_option("--max-repairs", opt->max_repairs, "Re-tries after a validation error")->capture_default_str();
  cmd->add_option("--timeout-ms", opt->timeout_ms, "Interrupt a query after this many milliseconds (0: none)")
      ->capture_default_str();
  cmd->add_option("--max-rows", opt->max_rows, "Read at most this many rows per query (0: all)")->capture_default_str();
  set_action(cmd, [opt] {
    PipelineOptions po;
    po.generator.mode = opt->mode;
    po.generator.model_path = opt->model;
    po.generator.llm_url = opt->llm_url;
    po.generator.llm_model_name = opt->llm_model;
    po.generator.prompt_style = opt->prompt_style;
    po.generator.prompt_sample_values = opt->sample_values;
    po.generator.max_repairs = opt->max_repairs;
    po.max_repairs = opt->max_repairs;
    po.use_rag = opt->rag;
    po.exec = {.timeout_ms = opt->timeout_ms, .max_rows = opt->max_rows};
    auto db = open_database(opt->db);
    if (!db.ok()) return fail(db.status());
    auto pipeline = Pipeline::create(std::move(*db), po);
    if (!pipeline.ok()) return fail(pipeline.status());
    auto server = McpServer::create(std::move(*pipeline), {.exec = po.exec});
    if (!server.ok()) return fail(server.status());
    // stdout carries protocol messages only; notes go to stderr.
    std::cerr << "t2sql mcp: serving over stdio (MCP " << McpServer::protocol_version() << ")\n";
    (*server)->serve_stdio(std::cin, std::cout);
    return 0;
  });
}

}  // namespace t2sql::cli
