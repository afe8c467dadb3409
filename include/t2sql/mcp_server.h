// McpServer: t2sql as a Model Context Protocol server, so that AI assistants
// (desktop chat clients, IDE agents) can ask a database questions.
//
//   auto server = t2sql::McpServer::create(std::move(pipeline), {});
//   (*server)->serve_stdio(std::cin, std::cout);   // `t2sql mcp`
//
// JSON-RPC 2.0 messages of MCP revision 2025-11-25 (2025-06-18, 2025-03-26 and
// 2024-11-05 are accepted when a client asks for them): initialize, ping,
// tools/list, tools/call, resources/list, resources/templates/list and
// resources/read. The tools are list_tables, describe_table, ask and run_sql;
// run_sql goes through Database::execute, the same statement guard, timeout
// and row cap as `t2sql sql`. Whatever a tool refuses or fails at (a write
// attempt, bad SQL, a timeout, an abstention) is a tool result with isError
// and the reason, which the model can read; protocol mistakes (unknown
// method, malformed message, unknown tool) are JSON-RPC errors.
// Thread-safe: handle() serializes calls on one mutex (one Pipeline inside).
#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "t2sql/database.h"
#include "t2sql/status.h"

namespace t2sql {

class Pipeline;

struct McpOptions {
  ExecOptions exec = {.timeout_ms = 10000, .max_rows = 1000};  // run_sql's bounds; a call may ask for fewer rows
  size_t max_message_bytes = 4 << 20;                          // a longer message is answered with an error and skipped
};

class McpServer {
 public:
  static Result<std::unique_ptr<McpServer>> create(std::unique_ptr<Pipeline> pipeline, const McpOptions& options);
  ~McpServer();

  // One JSON-RPC message in, the reply out; empty when there is none (a
  // notification, or a response from the client).
  std::string handle(const std::string& message);

  // Reads newline-delimited messages from `in` until it ends and writes each
  // reply as one line to `out` (the stdio transport). Nothing else is written
  // to `out`.
  void serve_stdio(std::istream& in, std::ostream& out);

  static const char* protocol_version();  // the latest revision spoken, "2025-11-25"
  static bool supports_version(const std::string& version);

 private:
  struct Impl;
  explicit McpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace t2sql
