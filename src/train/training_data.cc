#include "train/training_data.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace t2sql::train {
namespace {

using nlohmann::json;

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// A string field, or "" when it is absent; false when present but not a string.
bool string_field(const json& j, const char* key, std::string* out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_string()) return false;
  *out = it->get<std::string>();
  return true;
}

// The CREATE TABLE statements inside a chat message, and the text around them.
void split_schema(const std::string& text, std::string* schema, std::string* rest) {
  const size_t first = text.find("CREATE TABLE");
  if (first == std::string::npos) {
    *rest = text;
    return;
  }
  size_t last = text.rfind("CREATE TABLE");
  size_t end = text.find(';', last);
  end = end == std::string::npos ? text.size() : end + 1;
  *schema = trim(text.substr(first, end - first));
  *rest = trim(text.substr(0, first) + "\n" + text.substr(end));
}

std::string strip_fences(std::string sql) {
  sql = trim(sql);
  if (sql.rfind("```", 0) == 0) {
    const size_t nl = sql.find('\n');
    sql = nl == std::string::npos ? "" : sql.substr(nl + 1);
    const size_t close = sql.rfind("```");
    if (close != std::string::npos) sql = sql.substr(0, close);
  }
  return trim(sql);
}

}  // namespace

std::string parse_example_line(const std::string& line, TrainingExample* out) {
  json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return "not valid JSON";
  if (!j.is_object()) return "not a JSON object";
  TrainingExample ex;
  if (j.contains("messages")) {
    const json& msgs = j["messages"];
    if (!msgs.is_array() || msgs.empty()) return "\"messages\" must be a non-empty array";
    std::string system, user, assistant;
    for (const json& m : msgs) {
      if (!m.is_object() || !m.contains("role") || !m.contains("content") || !m["role"].is_string() ||
          !m["content"].is_string())
        return "each message needs string \"role\" and \"content\"";
      const std::string role = m["role"];
      const std::string content = m["content"];
      if (role == "system") system = content;
      else if (role == "user") user = content;
      else if (role == "assistant") assistant = content;
      else return "unknown message role \"" + role + "\"";
    }
    if (user.empty()) return "no user message";
    if (assistant.empty()) return "no assistant message (the SQL to learn)";
    std::string schema, rest_system, rest_user;
    split_schema(system, &schema, &rest_system);
    if (schema.empty()) split_schema(user, &schema, &rest_user);
    else rest_user = user;
    ex.schema_ddl = schema;
    ex.question = trim(rest_user);
    ex.sql = strip_fences(assistant);
  } else if (j.contains("answer") || j.contains("context")) {
    if (!string_field(j, "question", &ex.question) || !string_field(j, "context", &ex.schema_ddl) ||
        !string_field(j, "answer", &ex.sql))
      return "\"question\", \"context\" and \"answer\" must be strings";
    if (!j.contains("answer")) return "missing \"answer\"";
  } else if (j.contains("sql") || j.contains("schema")) {
    if (!string_field(j, "question", &ex.question) || !string_field(j, "schema", &ex.schema_ddl) ||
        !string_field(j, "sql", &ex.sql))
      return "\"question\", \"schema\" and \"sql\" must be strings";
    if (!j.contains("sql")) return "missing \"sql\"";
  } else {
    return "unknown shape: expected {question, context, answer}, {messages} or {question, schema, sql}";
  }
  ex.question = trim(ex.question);
  ex.sql = trim(ex.sql);
  while (!ex.sql.empty() && ex.sql.back() == ';') ex.sql = trim(ex.sql.substr(0, ex.sql.size() - 1));
  if (ex.question.empty()) return "empty question";
  if (ex.sql.empty()) return "empty SQL";
  *out = std::move(ex);
  return "";
}

Result<LoadedData> load_jsonl(const std::string& path, bool reject_bad_lines) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("cannot read data file " + path);
  LoadedData data;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    TrainingExample ex;
    const std::string why = parse_example_line(line, &ex);
    if (!why.empty()) {
      DataProblem p{path, n, why};
      if (reject_bad_lines) return invalid_argument(p.to_string());
      data.problems.push_back(std::move(p));
      continue;
    }
    ex.source = path + ":" + std::to_string(n);
    data.examples.push_back(std::move(ex));
  }
  return data;
}

Result<DataFiles> resolve_data_files(const std::string& data_path, const std::string& valid_path) {
  namespace fs = std::filesystem;
  DataFiles f;
  if (fs::is_directory(data_path)) {
    f.train = (fs::path(data_path) / "train.jsonl").string();
    if (!fs::is_regular_file(f.train)) return not_found("no train.jsonl in " + data_path);
    const std::string v = (fs::path(data_path) / "valid.jsonl").string();
    if (fs::is_regular_file(v)) f.valid = v;
  } else if (fs::is_regular_file(data_path)) {
    f.train = data_path;
  } else {
    return not_found("training data not found: " + data_path);
  }
  if (!valid_path.empty()) {
    if (!fs::is_regular_file(valid_path)) return not_found("validation data not found: " + valid_path);
    f.valid = valid_path;
  }
  return f;
}

}  // namespace t2sql::train
