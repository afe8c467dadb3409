// The body of POST /generate-sql and POST /api/ask, read and checked: a JSON
// object with "query" and the optional "mode", "use_rag", "session",
// "instructions" and "svg". Pure functions (no HTTP), so that the fuzzer
// (fuzz/ask_request_fuzz.cc) reaches them directly.
#pragma once

#include <optional>
#include <string>

#include "t2sql/generator.h"
#include "t2sql/status.h"

namespace t2sql {

struct AskRequest {
  std::string query, mode, session, instructions;
  std::optional<bool> use_rag;
  std::optional<int> candidates;  // the LLM's execution vote, 1 to kMaxCandidates
  bool svg = false;
};

// "template", "llm" (also "fine-tuned" and its spellings) or "ensemble";
// nullopt for anything else.
std::optional<std::string> canonical_mode(std::string mode);

// 1-64 letters, digits, '-' or '_'.
bool valid_session_id(const std::string& id);

// kInvalidArgument with a message for the client (a 400) when the body is
// not valid JSON, not an object, or a field has the wrong type or value.
// `default_mode` is used when the body names none.
Result<AskRequest> parse_ask_request(const std::string& body, const std::string& default_mode);

}  // namespace t2sql
