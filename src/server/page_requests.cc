#include "server/page_requests.h"

#include <nlohmann/json.hpp>

#include "server/ask_request.h"

namespace t2sql {

namespace {

using nlohmann::json;

Result<json> object_body(const std::string& text) {
  json body = json::parse(text, nullptr, false);
  if (body.is_discarded()) return invalid_argument("the body is not valid JSON");
  if (!body.is_object()) return invalid_argument("the body must be a JSON object");
  return body;
}

// An optional string field into `out`; a wrong type is an error.
Status read_string(const json& body, const char* key, std::string& out) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return Status();
  if (!it->is_string()) return invalid_argument(std::string("field '") + key + "' must be a string");
  out = it->get<std::string>();
  return Status();
}

bool blank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

}  // namespace

Result<SqlRunRequest> parse_sql_run_request(const std::string& text) {
  auto body = object_body(text);
  if (!body.ok()) return body.status();
  SqlRunRequest r;
  for (auto [key, out] : {std::pair{"question", &r.question}, {"sql", &r.sql}, {"session", &r.session}})
    if (Status s = read_string(*body, key, *out); !s.ok()) return s;
  if (blank(r.question)) return invalid_argument("missing field 'question' (the question the SQL answers)");
  if (blank(r.sql)) return invalid_argument("missing field 'sql' (the statement to run)");
  if (!r.session.empty() && !valid_session_id(r.session))
    return invalid_argument("field 'session' must be an id of 1-64 letters, digits, '-' or '_'");
  if (body->contains("svg") && (*body)["svg"].is_boolean()) r.svg = (*body)["svg"].get<bool>();
  return r;
}

Result<FeedbackEntry> parse_feedback_request(const std::string& text) {
  auto body = object_body(text);
  if (!body.ok()) return body.status();
  FeedbackEntry e;
  for (auto [key, out] : {std::pair{"question", &e.question},
                          {"sql", &e.sql},
                          {"original_sql", &e.original_sql},
                          {"rating", &e.rating},
                          {"engine", &e.engine},
                          {"comment", &e.comment}})
    if (Status s = read_string(*body, key, *out); !s.ok()) return s;
  if (auto it = body->find("accept"); it != body->end() && !it->is_null()) {
    if (!it->is_boolean()) return invalid_argument("field 'accept' must be true or false");
    e.accepted = it->get<bool>();
  }
  if (Status s = check_feedback_entry(e); !s.ok()) return s;
  return e;
}

}  // namespace t2sql
