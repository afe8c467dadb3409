#include <signal.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "cli.h"
#include "db/uri_redaction.h"
#include "t2sql/demo.h"
#include "t2sql/server.h"

namespace t2sql::cli {

namespace {
volatile std::sig_atomic_t g_stop_requested = 0;
}  // namespace

void add_serve_command(CLI::App& app) {
  struct Options {
    ServerOptions server;
    std::string db, lora, token_env = "T2SQL_API_TOKEN", feedback_file;
    bool no_grammar = false, think = false, rag = false, no_feedback = false;
    std::vector<std::string> disable;
  };
  auto opt = std::make_shared<Options>();
  CLI::App* cmd =
      app.add_subcommand("serve",
                         "Serve the HTTP API (POST /generate-sql, POST /api/ask, GET /api/schema, /health, /metrics, "
                         "/openapi.json) and the web page at /");
  add_example(cmd, "  t2sql serve --db sales.db --port 8080    (then open http://127.0.0.1:8080/)");
  add_db_option(cmd, opt->db);
  cmd->add_option("--host", opt->server.host, "Address to listen on (loopback by default; 0.0.0.0 for all)")
      ->capture_default_str();
  cmd->add_option("--port", opt->server.port, "Port (0: any free port; the chosen one is printed)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--mode", opt->server.pipeline.generator.mode,
                  "Default generation mode: template, llm or ensemble (requests may pick another)")
      ->check(CLI::IsMember({"template", "llm", "ensemble"}))
      ->capture_default_str();
  cmd->add_option("--model", opt->server.pipeline.generator.model_path, "GGUF model for the llm and ensemble modes");
  cmd->add_option("--lora", opt->lora, "LoRA adapter (GGUF) for the model: PATH[:SCALE]");
  cmd->add_option("--llm-url", opt->server.pipeline.generator.llm_url,
                  "OpenAI-compatible server for the llm and ensemble modes instead of --model");
  cmd->add_option("--llm-model", opt->server.pipeline.generator.llm_model_name, "Model name at --llm-url");
  cmd->add_flag("--no-grammar", opt->no_grammar, "Turn off grammar-constrained decoding");
  cmd->add_option(
         "--candidates", opt->server.pipeline.generator.candidates,
         "Execution vote: ask the LLM for N statements (the greedy one and N-1 sampled at temperature 0.7 with "
         "distinct seeds), run each read-only and answer with the largest group of equal results (ties: the "
         "likelier statements); 1: no vote. Requests may set \"candidates\"")
      ->check(CLI::Range(1, kMaxCandidates))
      ->capture_default_str();
  cmd->add_flag("--think", opt->think,
                "Room to think: the model may reason in prose and ends with its SQL in a ```sql fence; only the SQL in the fence is constrained, and the token limit is 4 x --max-tokens (default: the answer is the statement alone)");
  add_prompt_style_options(cmd, opt->server.pipeline.generator.prompt_style,
                           opt->server.pipeline.generator.prompt_sample_values);
  cmd->add_flag("--rag", opt->rag, "Run the retrieval stage unless a request says use_rag: false");
  cmd->add_option("--disable-stage", opt->disable, "Switch a pipeline stage off; repeatable");
  cmd->add_option("--threads", opt->server.worker_threads, "HTTP worker threads (0: 64)")->capture_default_str();
  cmd->add_option("--llm-slots", opt->server.llm_slots, "LLM pipelines working at once (each holds a model context)")
      ->capture_default_str();
  cmd->add_option("--llm-queue", opt->server.llm_queue, "LLM requests that may wait; more are answered 503")
      ->capture_default_str();
  cmd->add_option("--queue-timeout-ms", opt->server.queue_timeout_ms, "Longest wait for a free engine, then 503")
      ->capture_default_str();
  cmd->add_option("--max-body", opt->server.max_body_bytes,
                  "Largest request body in bytes, Content-Length or chunked (larger: 413)")
      ->capture_default_str();
  cmd->add_option("--header-timeout-ms", opt->server.header_timeout_ms,
                  "A request's header must arrive within this long of its first byte (else 408)")
      ->capture_default_str();
  cmd->add_option("--body-timeout-ms", opt->server.body_timeout_ms,
                  "A request's body must arrive within this long of its header (else 408)")
      ->capture_default_str();
  cmd->add_option("--idle-timeout-ms", opt->server.idle_timeout_ms,
                  "Close a keep-alive connection that sends no request for this long")
      ->capture_default_str();
  cmd->add_option("--max-connections", opt->server.max_connections, "Open connections at most (more: 503)")
      ->capture_default_str();
  cmd->add_option("--max-connections-per-client", opt->server.max_connections_per_client,
                  "Open connections at most from one client address (more: 503)")
      ->capture_default_str();
  cmd->add_option("--answer-cache", opt->server.answer_cache_entries,
                  "Template answers kept for questions asked again without a session, emptied whenever the "
                  "database file changes (0: off; SQLite and DuckDB files only)")
      ->capture_default_str();
  cmd->add_option("--allowed-host", opt->server.allowed_hosts,
                  "A Host header value to accept besides the listening address (NAME or NAME:PORT), e.g. the name "
                  "of a reverse proxy; repeatable. Other Hosts get 403 (DNS rebinding)");
  cmd->add_option("--cors-origin", opt->server.cors_origins,
                  "Let pages of this origin (https://app.example.com, or *) call the API from a browser; "
                  "repeatable. Off by default: requests with a foreign Origin get 403");
  cmd->add_option("--timeout-ms", opt->server.pipeline.exec.timeout_ms, "Interrupt a query after this long")
      ->check(non_negative())
      ->capture_default_str();
  cmd->add_option("--max-rows", opt->server.pipeline.exec.max_rows, "Rows returned at most per question")
      ->check(non_negative())
      ->capture_default_str();
  cmd->add_option("--token-env", opt->token_env,
                  "Environment variable holding a bearer token; when it is set, the API requires "
                  "'Authorization: Bearer <token>'")
      ->capture_default_str();
  cmd->add_option("--web-dir", opt->server.web_dir,
                  "Serve the page from this folder (index.html, app.js, style.css) instead of the copy built into "
                  "t2sql");
  cmd->add_option("--vendor-dir", opt->server.vendor_dir,
                  "Serve vega, vega-lite and vega-embed from this folder of unpacked npm tarballs instead of the "
                  "copies built into t2sql");
  add_feedback_options(cmd, opt->feedback_file, &opt->no_feedback);
  set_action(cmd, [opt] {
    ServerOptions so = opt->server;
    so.allow_privileged_role = allow_privileged_role();
    if (opt->db.empty()) {
      auto path = ensure_demo_warehouse();
      if (!path.ok()) return fail(path.status());
      so.db_uri = *path;
    } else {
      so.db_uri = opt->db;
    }
    so.pipeline.generator.grammar = !opt->no_grammar;
    so.pipeline.generator.think = opt->think;
    so.pipeline.use_rag = opt->rag;
    so.pipeline.disabled_stages = opt->disable;
    if (!opt->no_feedback) so.pipeline.feedback_path = feedback_path_for(opt->feedback_file, so.db_uri);
    if (!opt->lora.empty()) {
      auto colon = opt->lora.rfind(':');
      char* end = nullptr;
      float scale = colon == std::string::npos ? 1.0f : std::strtof(opt->lora.c_str() + colon + 1, &end);
      bool has_scale = colon != std::string::npos && end && *end == '\0' && colon + 1 < opt->lora.size();
      so.pipeline.generator.lora_path = has_scale ? opt->lora.substr(0, colon) : opt->lora;
      so.pipeline.generator.lora_scale = has_scale ? scale : 1.0f;
    }
    if (const char* token = std::getenv(opt->token_env.c_str()); token && *token) so.bearer_token = token;

    auto server = Server::create(so);
    if (!server.ok()) return fail(server.status());
    if (Status s = (*server)->start(); !s.ok()) return fail(s);
    std::cout << "t2sql serve: listening on http://" << so.host << ":" << (*server)->port() << "/ (database "
              << redact_password(so.db_uri) << ", mode " << so.pipeline.generator.mode
              << (so.bearer_token.empty() ? "" : ", bearer token required") << ")" << std::endl;
    // SIGINT/SIGTERM end the server cleanly. A handler (not sigwait) catches
    // them whichever thread they land on: libraries start threads of their
    // own (OpenBLAS, OpenMP) that a signal mask set here would not cover.
    struct sigaction action {};
    action.sa_handler = [](int) { g_stop_requested = 1; };
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    Server* raw = server->get();
    std::thread waiter([raw] {
      while (!g_stop_requested) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      raw->stop();
    });
    (*server)->wait();
    g_stop_requested = 1;
    waiter.join();
    std::cout << "t2sql serve: stopped" << std::endl;
    return 0;
  });
}

}  // namespace t2sql::cli
