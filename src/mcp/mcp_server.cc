#include "t2sql/mcp_server.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdio>
#include <istream>
#include <mutex>
#include <optional>
#include <ostream>
#include <set>

#include "format/json_text.h"
#include "t2sql/catalog.h"
#include "t2sql/format.h"
#include "t2sql/pipeline.h"
#include "t2sql/version.h"

#include "base/percent_encoding.h"

namespace t2sql {

namespace {

using json = nlohmann::json;

constexpr const char* kLatestVersion = "2025-11-25";
const std::set<std::string>& supported_versions() {
  static const std::set<std::string> versions = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};
  return versions;
}

// JSON-RPC 2.0 error codes, and MCP's own for an unknown resource.
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kResourceNotFound = -32002;

// A JSON-RPC error raised while handling one request.
struct RpcError {
  int code;
  std::string message;
  json data;
};

json error_reply(const json& id, int code, const std::string& message, const json& data = nullptr) {
  json e = {{"code", code}, {"message", message}};
  if (!data.is_null()) e["data"] = data;
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", e}};
}

// Tool results: text for the model, structuredContent for programs.
json tool_ok(const json& structured) {
  return {{"content", json::array({{{"type", "text"}, {"text", json_text(structured)}}})},
          {"structuredContent", structured},
          {"isError", false}};
}
json tool_error(const std::string& reason) {
  return {{"content", json::array({{{"type", "text"}, {"text", reason}}})}, {"isError", true}};
}
json tool_error(const Status& status) {
  return tool_error(std::string(status_code_name(status.code())) + ": " + status.message());
}

// The rows as {"columns", "rows", "row_count", "truncated"} (format/'s JSON).
json rows_json(const ResultSet& rows) {
  return json::parse(format_result(rows, OutputFormat::kJson));
}

// Names may hold any character; the URI keeps RFC 3986's unreserved ones.
std::string percent_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

constexpr const char* kSchemaUri = "t2sql://schema";
constexpr const char* kSchemaDdlUri = "t2sql://schema.sql";
constexpr const char* kTableUriPrefix = "t2sql://tables/";

json read_only_annotations(const std::string& title) {
  return {{"title", title},
          {"readOnlyHint", true},
          {"destructiveHint", false},
          {"idempotentHint", true},
          {"openWorldHint", false}};
}

json rows_schema() {
  return {{"type", "object"},
          {"properties",
           {{"columns", {{"type", "array"}, {"items", {{"type", "string"}}}}},
            {"rows", {{"type", "array"}, {"items", {{"type", "array"}}}}},
            {"row_count", {{"type", "integer"}}},
            {"truncated", {{"type", "boolean"}}}}},
          {"required", json::array({"columns", "rows", "row_count", "truncated"})}};
}

json tool_list() {
  json list_tables = {
      {"name", "list_tables"},
      {"title", "List tables"},
      {"description",
       "Lists the database's tables with their row counts, column counts and descriptions. Call it first to see "
       "what the database holds."},
      {"inputSchema", {{"type", "object"}, {"properties", json::object()}, {"additionalProperties", false}}},
      {"outputSchema",
       {{"type", "object"},
        {"properties",
         {{"engine", {{"type", "string"}}},
          {"tables",
           {{"type", "array"},
            {"items",
             {{"type", "object"},
              {"properties",
               {{"name", {{"type", "string"}}},
                {"row_count", {{"type", "integer"}}},
                {"column_count", {{"type", "integer"}}},
                {"description", {{"type", "string"}}}}},
              {"required", json::array({"name", "row_count", "column_count"})}}}}}}},
        {"required", json::array({"engine", "tables"})}}},
      {"annotations", read_only_annotations("List tables")}};
  json describe_table = {
      {"name", "describe_table"},
      {"title", "Describe a table"},
      {"description",
       "Shows one table: its CREATE TABLE statement (keys included), and each column's type, nullability, key role, "
       "description and a few sample values."},
      {"inputSchema",
       {{"type", "object"},
        {"properties", {{"table", {{"type", "string"}, {"description", "The table's name (case-insensitive)"}}}}},
        {"required", json::array({"table"})},
        {"additionalProperties", false}}},
      {"annotations", read_only_annotations("Describe a table")}};
  json ask = {
      {"name", "ask"},
      {"title", "Ask a question"},
      {"description",
       "Answers a question in plain language about the data: writes one read-only SQL query, runs it with a timeout "
       "and a row cap, and returns the SQL, the rows, a one-line answer, how the SQL was written and a Vega-Lite "
       "chart spec. Requests to change data are refused."},
      {"inputSchema",
       {{"type", "object"},
        {"properties",
         {{"question", {{"type", "string"}, {"description", "The question, e.g. \"total sales by region in 2023\""}}}}},
        {"required", json::array({"question"})},
        {"additionalProperties", false}}},
      {"annotations", read_only_annotations("Ask a question")}};
  json run_sql = {
      {"name", "run_sql"},
      {"title", "Run read-only SQL"},
      {"description",
       "Runs one read-only SQL statement (SELECT, WITH ... SELECT, VALUES) in the database's dialect and returns its "
       "rows. Anything that would write, lock, call a function outside the allow-list or run a second statement is "
       "refused with the reason; the statement is interrupted at the server's timeout and reading stops at its row "
       "cap."},
      {"inputSchema",
       {{"type", "object"},
        {"properties",
         {{"sql", {{"type", "string"}, {"description", "One read-only statement"}}},
          {"max_rows",
           {{"type", "integer"},
            {"minimum", 1},
            {"description", "Read at most this many rows (the server's cap still applies)"}}}}},
        {"required", json::array({"sql"})},
        {"additionalProperties", false}}},
      {"outputSchema", rows_schema()},
      {"annotations", read_only_annotations("Run read-only SQL")}};
  return json::array({list_tables, describe_table, ask, run_sql});
}

}  // namespace

struct McpServer::Impl {
  std::mutex mutex;  // guards everything below: one request at a time
  std::unique_ptr<Pipeline> pipeline;
  McpOptions options;
  bool initialized = false;

  json handle_request(const std::string& method, const json& params);
  json call_tool(const std::string& name, const json& args);
  json read_resource(const std::string& uri);
  json resource_list();
};

json McpServer::Impl::resource_list() {
  json resources = json::array();
  resources.push_back({{"uri", kSchemaUri},
                       {"name", "schema"},
                       {"title", "Database schema (JSON)"},
                       {"description", "Every table with its columns, types, keys, row counts and sample values"},
                       {"mimeType", "application/json"}});
  resources.push_back({{"uri", kSchemaDdlUri},
                       {"name", "schema.sql"},
                       {"title", "Database schema (CREATE TABLE statements)"},
                       {"mimeType", "application/sql"}});
  for (const auto& t : pipeline->catalog().tables) {
    resources.push_back({{"uri", kTableUriPrefix + percent_encode(t.name)},
                         {"name", t.name},
                         {"description", t.description.empty() ? "CREATE TABLE " + t.name : t.description},
                         {"mimeType", "application/sql"}});
  }
  return {{"resources", resources}};
}

json McpServer::Impl::read_resource(const std::string& uri) {
  const Catalog& catalog = pipeline->catalog();
  std::string text, mime = "application/sql";
  if (uri == kSchemaUri) {
    text = catalog.to_json();
    mime = "application/json";
  } else if (uri == kSchemaDdlUri) {
    text = catalog.to_ddl();
  } else if (uri.rfind(kTableUriPrefix, 0) == 0) {
    const TableInfo* t = catalog.find_table(percent_decode(uri.substr(std::string(kTableUriPrefix).size())));
    if (!t) throw RpcError{kResourceNotFound, "Resource not found", {{"uri", uri}}};
    text = table_ddl(*t);
  } else {
    throw RpcError{kResourceNotFound, "Resource not found", {{"uri", uri}}};
  }
  return {{"contents", json::array({{{"uri", uri}, {"mimeType", mime}, {"text", text}}})}};
}

json McpServer::Impl::call_tool(const std::string& name, const json& args) {
  auto string_arg = [&](const char* key) -> std::optional<std::string> {
    auto it = args.find(key);
    if (it == args.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  const Catalog& catalog = pipeline->catalog();
  if (name == "list_tables") {
    json tables = json::array();
    for (const auto& t : catalog.tables) {
      json entry = {{"name", t.name}, {"row_count", t.row_count}, {"column_count", t.columns.size()}};
      if (!t.description.empty()) entry["description"] = t.description;
      tables.push_back(entry);
    }
    return tool_ok({{"engine", catalog.engine}, {"tables", tables}});
  }
  if (name == "describe_table") {
    auto table = string_arg("table");
    if (!table) return tool_error("invalid argument: 'table' (a string) is required");
    const TableInfo* t = catalog.find_table(*table);
    if (!t) {
      std::string names;
      for (const auto& other : catalog.tables) names += (names.empty() ? "" : ", ") + other.name;
      return tool_error("not found: no table '" + *table + "'; the tables are: " + names);
    }
    json columns = json::array();
    for (const auto& c : t->columns) {
      json col = {{"name", c.name},
                  {"type", c.declared_type},
                  {"nullable", c.nullable},
                  {"primary_key", c.primary_key},
                  {"samples", c.samples}};
      if (!c.description.empty()) col["description"] = c.description;
      columns.push_back(col);
    }
    json fks = json::array();
    for (const auto& fk : t->foreign_keys)
      fks.push_back({{"columns", fk.columns}, {"ref_table", fk.ref_table}, {"ref_columns", fk.ref_columns}});
    json out = {{"name", t->name},    {"row_count", t->row_count},     {"ddl", table_ddl(*t)},
                {"columns", columns}, {"primary_key", t->primary_key}, {"foreign_keys", fks}};
    if (!t->description.empty()) out["description"] = t->description;
    return tool_ok(out);
  }
  if (name == "ask") {
    auto question = string_arg("question");
    if (!question) return tool_error("invalid argument: 'question' (a string) is required");
    AskResult r = pipeline->ask(*question);
    if (!r.error.ok()) return tool_error(r.error);
    if (r.intent == Intent::kRefused) return tool_error("refused: " + r.reason);
    if (!r.answered) {
      std::string why = "cannot answer: " + r.reason;
      if (!r.sql.empty()) why += " (the SQL tried: " + r.sql + ")";
      return tool_error(why);
    }
    json out = {{"question", r.question}, {"answer", r.answer}, {"engine", r.engine}};
    if (!r.sql.empty()) out["sql"] = r.sql;
    if (r.executed) {
      json rows = rows_json(r.rows);
      for (auto& [k, v] : rows.items()) out[k] = v;
    }
    char conf[32];
    std::snprintf(conf, sizeof conf, "%.2f", r.confidence);
    std::string explanation;
    if (r.intent == Intent::kSchema) {
      explanation = "A question about the schema, answered from the catalog.";
    } else if (!r.sql.empty()) {
      explanation = "The " + (r.engine.empty() ? std::string("generator") : r.engine) +
                    " engine wrote the SQL (confidence " + conf + ")" +
                    (r.follow_up ? ", reading the question as \"" + r.effective_question + "\"" : "") +
                    "; it ran read-only" + (r.rows.truncated ? ", stopped at the row cap" : "") + ".";
    }
    out["explanation"] = explanation;
    out["confidence"] = r.confidence;
    if (!r.chart_vega_lite.empty()) {
      json chart = json::parse(r.chart_vega_lite, nullptr, false);
      if (!chart.is_discarded()) out["chart"] = chart;
    }
    return tool_ok(out);
  }
  if (name == "run_sql") {
    auto sql = string_arg("sql");
    if (!sql) return tool_error("invalid argument: 'sql' (a string) is required");
    ExecOptions exec = options.exec;
    if (auto it = args.find("max_rows"); it != args.end()) {
      if (!it->is_number_integer() || it->get<int64_t>() < 1)
        return tool_error("invalid argument: 'max_rows' must be a positive integer");
      int64_t asked = it->get<int64_t>();
      if (exec.max_rows <= 0 || asked < exec.max_rows) exec.max_rows = asked;
    }
    auto rows = pipeline->database().execute(*sql, exec);
    if (!rows.ok()) return tool_error(rows.status());
    return tool_ok(rows_json(*rows));
  }
  throw RpcError{kInvalidParams, "Unknown tool: " + name, nullptr};
}

json McpServer::Impl::handle_request(const std::string& method, const json& params) {
  if (method == "initialize") {
    std::string asked = params.value("protocolVersion", "");
    initialized = true;
    return {{"protocolVersion", supported_versions().count(asked) ? asked : kLatestVersion},
            {"capabilities",
             {{"tools", {{"listChanged", false}}}, {"resources", {{"subscribe", false}, {"listChanged", false}}}}},
            {"serverInfo", {{"name", "t2sql"}, {"title", "t2sql: text to SQL"}, {"version", t2sql_version()}}},
            {"instructions",
             "t2sql answers questions about one " + pipeline->catalog().engine +
                 " database, read-only. Use list_tables and describe_table (or the schema resources) to see the "
                 "schema, ask for questions in plain language, run_sql for one read-only statement of your own."}};
  }
  if (method == "ping") return json::object();
  if (!initialized) throw RpcError{kInvalidRequest, "the server is not initialized: send initialize first", nullptr};
  if (method == "tools/list") return {{"tools", tool_list()}};
  if (method == "tools/call") {
    auto name = params.find("name");
    if (name == params.end() || !name->is_string())
      throw RpcError{kInvalidParams, "tools/call needs a 'name' (string)", nullptr};
    json args = params.value("arguments", json::object());
    if (!args.is_object()) return tool_error("invalid argument: 'arguments' must be an object");
    return call_tool(name->get<std::string>(), args);
  }
  if (method == "resources/list") return resource_list();
  if (method == "resources/templates/list") {
    return {{"resourceTemplates", json::array({{{"uriTemplate", std::string(kTableUriPrefix) + "{table}"},
                                                {"name", "table"},
                                                {"title", "One table's CREATE TABLE statement"},
                                                {"mimeType", "application/sql"}}})}};
  }
  if (method == "resources/read") {
    auto uri = params.find("uri");
    if (uri == params.end() || !uri->is_string())
      throw RpcError{kInvalidParams, "resources/read needs a 'uri' (string)", nullptr};
    return read_resource(uri->get<std::string>());
  }
  throw RpcError{kMethodNotFound, "Method not found: " + method, nullptr};
}

McpServer::McpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
McpServer::~McpServer() = default;

const char* McpServer::protocol_version() {
  return kLatestVersion;
}

bool McpServer::supports_version(const std::string& version) {
  return supported_versions().count(version) > 0;
}

Result<std::unique_ptr<McpServer>> McpServer::create(std::unique_ptr<Pipeline> pipeline, const McpOptions& options) {
  if (!pipeline) return invalid_argument("McpServer needs a pipeline");
  auto impl = std::make_unique<Impl>();
  impl->pipeline = std::move(pipeline);
  impl->options = options;
  return std::unique_ptr<McpServer>(new McpServer(std::move(impl)));
}

std::string McpServer::handle(const std::string& message) {
  if (message.size() > impl_->options.max_message_bytes)
    return json_text(error_reply(nullptr, kInvalidRequest,
                                 "message of " + std::to_string(message.size()) + " bytes is over the limit of " +
                                     std::to_string(impl_->options.max_message_bytes)));
  json m = json::parse(message, nullptr, false);
  if (m.is_discarded()) return json_text(error_reply(nullptr, kParseError, "Parse error: not JSON"));
  if (m.is_array())
    return json_text(error_reply(nullptr, kInvalidRequest, "JSON-RPC batches are not part of MCP 2025-11-25"));
  if (!m.is_object() || m.value("jsonrpc", json()) != "2.0")
    return json_text(error_reply(nullptr, kInvalidRequest, "not a JSON-RPC 2.0 message"));
  auto method = m.find("method");
  bool has_id = m.contains("id");
  if (method == m.end()) return "";  // a response to a request we never send: nothing to answer
  json id = has_id ? m["id"] : json();
  if (has_id && !id.is_string() && !id.is_number_integer())
    return json_text(error_reply(nullptr, kInvalidRequest, "the id must be a string or an integer"));
  if (!method->is_string()) return has_id ? json_text(error_reply(id, kInvalidRequest, "method must be a string")) : "";
  json params = m.value("params", json::object());
  if (!has_id) return "";  // notifications (initialized, cancelled, ...) need no answer
  if (!params.is_object()) return json_text(error_reply(id, kInvalidParams, "params must be an object"));
  std::lock_guard lock(impl_->mutex);
  try {
    json result = impl_->handle_request(method->get<std::string>(), params);
    return json_text({{"jsonrpc", "2.0"}, {"id", id}, {"result", result}});
  } catch (const RpcError& e) {
    return json_text(error_reply(id, e.code, e.message, e.data));
  } catch (const std::exception& e) {
    return json_text(error_reply(id, -32603, std::string("internal error: ") + e.what()));
  }
}

void McpServer::serve_stdio(std::istream& in, std::ostream& out) {
  std::streambuf* buf = in.rdbuf();
  const size_t cap = impl_->options.max_message_bytes;
  std::string line;
  bool over = false;
  size_t length = 0;
  for (;;) {
    int c = buf->sbumpc();
    if (c == std::char_traits<char>::eof() || c == '\n') {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      std::string reply;
      if (over) {
        reply = json_text(
            error_reply(nullptr, kInvalidRequest,
                        "message of " + std::to_string(length) + " bytes is over the limit of " + std::to_string(cap)));
      } else if (line.find_first_not_of(" \t") != std::string::npos) {
        reply = handle(line);
      }
      if (!reply.empty()) {
        out << reply << '\n';
        out.flush();
      }
      line.clear();
      over = false;
      length = 0;
      if (c == std::char_traits<char>::eof()) return;
      continue;
    }
    ++length;
    if (over) continue;
    if (line.size() >= cap) {
      over = true;  // read on to the end of the line, keeping nothing
      line.clear();
      continue;
    }
    line += static_cast<char>(c);
  }
}

}  // namespace t2sql
