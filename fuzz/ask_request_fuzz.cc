// The HTTP API's request body (POST /generate-sql, /api/ask) on any bytes:
// a request, or a message for a 400; an accepted one holds a question and a
// known mode.
#include "format/json_text.h"
#include "fuzz_input.h"
#include "server/ask_request.h"

using namespace t2sql;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = parse_ask_request(fuzz::as_text(data, size), "template");
  if (!r.ok()) {
    if (r.status().message().empty()) fuzz::broken("a refusal without a message");
    // The message goes out as JSON: it must dump whatever bytes it quotes.
    (void)json_text(nlohmann::json{{"error", r.status().message()}});
    return 0;
  }
  if (r->query.find_first_not_of(" \t\r\n") == std::string::npos) fuzz::broken("an empty question was accepted");
  if (r->mode != "template" && r->mode != "llm" && r->mode != "ensemble") fuzz::broken("an unknown mode was accepted");
  if (!r->session.empty() && !valid_session_id(r->session)) fuzz::broken("a bad session id was accepted");
  return 0;
}
