#include "llm/http_backend.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "format/json_text.h"

namespace t2sql {

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct ParsedUrl {
  std::string origin;  // scheme://host:port
  std::string prefix;  // path before /completions, ending in /v1
};

Result<ParsedUrl> parse_url(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos)
    return invalid_argument("LLM URL '" + url + "' has no scheme (http:// or https://)");
  std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    return invalid_argument("LLM URL '" + url + "': scheme must be http or https");
  }
  size_t path_start = url.find('/', scheme_end + 3);
  ParsedUrl p;
  p.origin = url.substr(0, path_start);
  if (p.origin.size() <= scheme_end + 3) return invalid_argument("LLM URL '" + url + "' has no host");
  std::string path = path_start == std::string::npos ? "" : url.substr(path_start);
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (!path.ends_with("/v1")) path += "/v1";
  p.prefix = path;
  return p;
}

class HttpBackend final : public LlmBackend {
 public:
  HttpBackend(LlmBackendOptions options, ParsedUrl url) : options_(std::move(options)), url_(std::move(url)) {
    if (const char* key = std::getenv(options_.api_key_env.c_str()); key && *key) api_key_ = key;
  }

  std::string name() const override {
    return "http:" + (options_.model_name.empty() ? std::string("default") : options_.model_name) + "@" + options_.url;
  }
  std::string chat_template() const override { return ""; }
  bool uses_chat_messages() const override { return options_.endpoint == "chat"; }

  Result<LlmResponse> complete(const LlmRequest& req) override {
    auto start = Clock::now();
    bool chat = uses_chat_messages();
    json body;
    if (!options_.model_name.empty()) body["model"] = options_.model_name;
    if (chat) {
      json msgs = json::array();
      for (const auto& m : req.messages) msgs.push_back({{"role", m.role}, {"content", m.content}});
      body["messages"] = msgs;
    } else {
      body["prompt"] = req.prompt;
    }
    body["max_tokens"] = req.max_tokens;
    body["temperature"] = req.temperature;
    body["top_p"] = req.top_p;
    body["seed"] = req.seed;
    body["stream"] = false;
    json stop = json::array();
    // The server cannot tell a ";" in a string from the end of the statement;
    // a rare early stop there fails validation and goes to repair.
    if (req.stop_at_statement_end) stop.push_back(";");
    for (const auto& s : req.stop) stop.push_back(s);
    if (!stop.empty()) body["stop"] = stop;
    if (!req.grammar.empty()) body["grammar"] = req.grammar;
    std::string path = url_.prefix + (chat ? "/chat/completions" : "/completions");

    Status last;
    for (int attempt = 0; attempt <= std::max(0, options_.retries); ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200 << (attempt - 1)));
      httplib::Client client(url_.origin);
      client.set_connection_timeout(std::chrono::milliseconds(options_.timeout_connect_ms));
      client.set_read_timeout(std::chrono::milliseconds(options_.timeout_read_ms));
      client.set_write_timeout(std::chrono::milliseconds(options_.timeout_read_ms));
      if (!api_key_.empty()) client.set_bearer_token_auth(api_key_);
      auto res = client.Post(path, json_text(body), "application/json");
      if (!res) {
        auto err = res.error();
        if (err == httplib::Error::Read) {
          return deadline_exceeded("LLM server at " + options_.url + " did not answer within " +
                                   std::to_string(options_.timeout_read_ms) + " ms");
        }
        last = unavailable("cannot reach LLM server at " + options_.url + ": " + httplib::to_string(err));
        continue;
      }
      if (res->status == 429 || res->status >= 500) {
        last = unavailable("LLM server at " + options_.url + " answered HTTP " + std::to_string(res->status) + ": " +
                           server_message(res->body));
        continue;
      }
      if (res->status != 200) {
        return invalid_argument("LLM server at " + options_.url + " refused the request (HTTP " +
                                std::to_string(res->status) + "): " + server_message(res->body));
      }
      return parse_reply(res->body, chat, start);
    }
    return last;
  }

 private:
  static std::string server_message(const std::string& body) {
    json j = json::parse(body, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.contains("error")) {
      const json& e = j["error"];
      if (e.is_object() && e.contains("message") && e["message"].is_string()) return e["message"];
      if (e.is_string()) return e;
    }
    return body.substr(0, 200);
  }

  Result<LlmResponse> parse_reply(const std::string& body, bool chat, Clock::time_point start) const {
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("choices") || !j["choices"].is_array() ||
        j["choices"].empty()) {
      return invalid_argument("LLM server at " + options_.url +
                              " sent a reply without choices: " + body.substr(0, 200));
    }
    const json& c = j["choices"][0];
    LlmResponse out;
    const json* text = nullptr;
    if (chat && c.contains("message") && c["message"].is_object() && c["message"].contains("content")) {
      text = &c["message"]["content"];
    } else if (c.contains("text")) {
      text = &c["text"];
    }
    if (!text || !text->is_string()) {
      return invalid_argument("LLM server at " + options_.url + " sent a choice without text");
    }
    out.text = text->get<std::string>();
    if (c.contains("finish_reason") && c["finish_reason"].is_string()) out.finish_reason = c["finish_reason"];
    if (j.contains("usage") && j["usage"].is_object()) {
      const json& u = j["usage"];
      out.prompt_tokens = u.value("prompt_tokens", 0);
      out.completion_tokens = u.value("completion_tokens", 0);
      if (u.contains("prompt_tokens_details") && u["prompt_tokens_details"].is_object()) {
        out.cached_tokens = u["prompt_tokens_details"].value("cached_tokens", 0);
      }
    }
    out.total_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    // Without streaming the first token arrives with the last.
    out.time_to_first_token_ms = out.total_ms;
    return out;
  }

  LlmBackendOptions options_;
  ParsedUrl url_;
  std::string api_key_;
};

}  // namespace

Result<std::unique_ptr<LlmBackend>> make_http_backend(const LlmBackendOptions& options) {
  auto url = parse_url(options.url);
  if (!url.ok()) return url.status();
  if (options.endpoint != "completions" && options.endpoint != "chat") {
    return invalid_argument("LLM endpoint must be 'completions' or 'chat', got '" + options.endpoint + "'");
  }
  return std::unique_ptr<LlmBackend>(new HttpBackend(options, std::move(*url)));
}

}  // namespace t2sql
