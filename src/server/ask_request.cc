#include "server/ask_request.h"

#include <nlohmann/json.hpp>

#include <cctype>

namespace t2sql {

using nlohmann::json;

std::optional<std::string> canonical_mode(std::string m) {
  for (char& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (m == "template") return "template";
  if (m == "llm" || m == "fine-tuned" || m == "finetuned" || m == "fine_tuned" || m == "fine tuned") return "llm";
  if (m == "ensemble") return "ensemble";
  return std::nullopt;
}

bool valid_session_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  return true;
}

Result<AskRequest> parse_ask_request(const std::string& text, const std::string& default_mode) {
  json body = json::parse(text, nullptr, false);
  if (body.is_discarded()) return invalid_argument("the body is not valid JSON");
  if (!body.is_object()) return invalid_argument("the body must be a JSON object like {\"query\": \"...\"}");
  AskRequest r;
  if (!body.contains("query")) return invalid_argument("missing field 'query' (the question)");
  if (!body["query"].is_string()) return invalid_argument("field 'query' must be a string");
  r.query = body["query"].get<std::string>();
  if (r.query.find_first_not_of(" \t\r\n") == std::string::npos) return invalid_argument("field 'query' is empty");
  r.mode = default_mode;
  if (body.contains("mode") && !body["mode"].is_null()) {
    if (!body["mode"].is_string()) return invalid_argument("field 'mode' must be a string");
    auto m = canonical_mode(body["mode"].get<std::string>());
    if (!m)
      return invalid_argument("unknown mode '" + body["mode"].get<std::string>() +
                              "' (modes: template, llm or fine-tuned, ensemble)");
    r.mode = *m;
  }
  if (body.contains("use_rag") && !body["use_rag"].is_null()) {
    if (!body["use_rag"].is_boolean()) return invalid_argument("field 'use_rag' must be true or false");
    r.use_rag = body["use_rag"].get<bool>();
  }
  if (body.contains("session") && !body["session"].is_null()) {
    if (!body["session"].is_string() || !valid_session_id(body["session"].get<std::string>()))
      return invalid_argument("field 'session' must be an id of 1-64 letters, digits, '-' or '_'");
    r.session = body["session"].get<std::string>();
  }
  if (body.contains("instructions") && !body["instructions"].is_null()) {
    if (!body["instructions"].is_string()) return invalid_argument("field 'instructions' must be a string");
    r.instructions = body["instructions"].get<std::string>();
  }
  if (body.contains("candidates") && !body["candidates"].is_null()) {
    const json& c = body["candidates"];
    if (!c.is_number_integer() || c.get<int64_t>() < 1 || c.get<int64_t>() > kMaxCandidates)
      return invalid_argument("field 'candidates' must be a whole number from 1 to " + std::to_string(kMaxCandidates));
    r.candidates = c.get<int>();
  }
  if (body.contains("svg") && body["svg"].is_boolean()) r.svg = body["svg"].get<bool>();
  return r;
}

}  // namespace t2sql
