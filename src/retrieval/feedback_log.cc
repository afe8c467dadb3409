#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <tuple>

#include "format/json_text.h"
#include "t2sql/feedback.h"
#include "t2sql/retrieval.h"

namespace t2sql {

namespace {

using nlohmann::json;

constexpr size_t kMaxTextBytes = 4000;
constexpr size_t kMaxSqlBytes = 20000;

bool utf8_ok(const std::string& s) {
  try {
    (void)json(s).dump(-1, ' ', false, json::error_handler_t::strict);
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

Status text_problem(const char* name, const std::string& text, size_t limit) {
  if (text.size() > limit)
    return invalid_argument(std::string("the ") + name + " is too long (" + std::to_string(text.size()) +
                            " bytes; the limit is " + std::to_string(limit) + ")");
  if (!utf8_ok(text)) return invalid_argument(std::string("the ") + name + " is not valid UTF-8 text");
  return Status();
}

std::string now_iso8601() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string string_field(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::string feedback_entry_to_json(const FeedbackEntry& e) {
  return json_text(json{{"time", e.time},
                        {"question", e.question},
                        {"sql", e.sql},
                        {"original_sql", e.original_sql},
                        {"rating", e.rating},
                        {"accepted", e.accepted},
                        {"engine", e.engine},
                        {"comment", e.comment}});
}

Status check_feedback_entry(const FeedbackEntry& e) {
  if (feedback_question_key(e.question).empty()) return invalid_argument("the question is empty");
  if (e.rating != "up" && e.rating != "down" && !e.rating.empty())
    return invalid_argument("rating '" + e.rating + "' is not one of up, down");
  if (e.accepted && e.sql.find_first_not_of(" \t\r\n") == std::string::npos)
    return invalid_argument("an accepted answer needs its SQL");
  if (!e.accepted && e.rating.empty())
    return invalid_argument("feedback needs a rating (up or down) or an accepted SQL");
  for (auto [name, text, limit] : {std::tuple{"question", &e.question, kMaxTextBytes},
                                   {"comment", &e.comment, kMaxTextBytes},
                                   {"engine", &e.engine, kMaxTextBytes},
                                   {"SQL", &e.sql, kMaxSqlBytes},
                                   {"original SQL", &e.original_sql, kMaxSqlBytes}})
    if (Status s = text_problem(name, *text, limit); !s.ok()) return s;
  return Status();
}

std::string feedback_question_key(const std::string& question) {
  std::string out;
  for (char c : question) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '?' || out.back() == '!' || out.back() == '.'))
    out.pop_back();
  return out;
}

std::string default_feedback_path(const std::string& db_uri) {
  return database_cache_dir(db_uri) + "/feedback.jsonl";
}

Result<FeedbackLog> FeedbackLog::load(const std::string& path) {
  FeedbackLog log;
  std::ifstream in(path);
  if (!in) {
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) return unavailable("cannot read the feedback file " + path);
    return log;
  }
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      ++log.skipped_;
      continue;
    }
    FeedbackEntry e;
    e.time = string_field(j, "time");
    e.question = string_field(j, "question");
    e.sql = string_field(j, "sql");
    e.original_sql = string_field(j, "original_sql");
    e.rating = string_field(j, "rating");
    e.accepted = j.value("accepted", false) == true;
    e.engine = string_field(j, "engine");
    e.comment = string_field(j, "comment");
    if (!check_feedback_entry(e).ok()) {
      ++log.skipped_;
      continue;
    }
    log.entries_.push_back(std::move(e));
  }
  return log;
}

Status FeedbackLog::append(const std::string& path, FeedbackEntry entry) {
  if (Status s = check_feedback_entry(entry); !s.ok()) return s;
  if (entry.time.empty()) entry.time = now_iso8601();
  std::error_code ec;
  auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  std::string line = feedback_entry_to_json(entry) + "\n";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return unavailable("cannot open the feedback file " + path + ": " + std::strerror(errno));
  // One write: appends from other threads and processes do not interleave.
  ssize_t n = ::write(fd, line.data(), line.size());
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(line.size()))
    return unavailable("cannot append to the feedback file " + path + ": " + std::strerror(err));
  return Status();
}

std::vector<SqlExample> FeedbackLog::accepted_examples() const {
  std::map<std::string, size_t> slot;  // question key -> index in `out`
  std::vector<SqlExample> out;
  std::vector<bool> live;
  for (const auto& e : entries_) {
    std::string key = feedback_question_key(e.question);
    auto it = slot.find(key);
    if (e.accepted) {
      if (it == slot.end()) {
        slot[key] = out.size();
        out.push_back({e.question, e.sql});
        live.push_back(true);
      } else {
        out[it->second] = {e.question, e.sql};
        live[it->second] = true;
      }
    } else if (e.rating == "down" && it != slot.end() && live[it->second] && out[it->second].sql == e.sql) {
      live[it->second] = false;
    }
  }
  std::vector<SqlExample> kept;
  for (size_t i = 0; i < out.size(); ++i)
    if (live[i]) kept.push_back(std::move(out[i]));
  return kept;
}

}  // namespace t2sql
