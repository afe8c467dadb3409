#include "pipeline/intent_classifier.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace t2sql {

namespace {

bool in(const std::set<std::string>& set, const std::string& w) {
  return set.count(w) > 0;
}

// Verbs that change data or the schema. Nouns spelled the same ("changes in
// sales", "the update date") are told apart by position: a refusal needs the
// verb to lead the request or to act on data words.
const std::set<std::string> kWriteVerbs = {"delete", "drop",   "remove",   "truncate", "update", "insert",  "alter",
                                           "create", "add",    "modify",   "change",   "set",    "rename",  "grant",
                                           "revoke", "erase",  "wipe",     "destroy",  "purge",  "replace", "overwrite",
                                           "edit",   "clear",  "increase", "decrease", "reset",  "merge",   "vacuum",
                                           "attach", "detach", "upsert",   "write",    "save",   "kill"};
// Words after a leading verb that make it a noun ("change in sales", "add up").
const std::set<std::string> kNounFollowers = {"in",      "of",  "from",   "between", "over",  "up",
                                              "by",      "per", "for",    "rate",    "rates", "percentage",
                                              "percent", "vs",  "versus", "year",    "month", "compared"};
const std::set<std::string> kDataObjects = {"table",    "tables",     "row",     "rows",   "record", "records", "data",
                                            "database", "column",     "columns", "schema", "entry",  "entries", "all",
                                            "every",    "everything", "index",   "view",   "price",  "prices"};
// Leading words that are politeness, not content.
const std::set<std::string> kPolite = {"please", "pls",  "kindly", "now",   "then", "just", "go", "and",
                                       "also",   "can",  "could",  "would", "you",  "will", "i",  "want",
                                       "to",     "need", "let's",  "lets",  "us",   "me"};
// Reaching outside the database: the network, files, the shell, people.
const std::set<std::string> kOutside = {
    "email",  "e-mail",  "mail",     "http", "https",  "url",     "website", "internet",   "browse",    "download",
    "upload", "shell",   "bash",     "curl", "wget",   "ssh",     "ftp",     "password",   "passwords", "tweet",
    "post",   "webhook", "slack",    "sms",  "call",   "file",    "files",   "filesystem", "disk",      "execute",
    "run",    "command", "terminal", "sudo", "reboot", "install", "weather", "news",       "stock",     "translate"};
const std::set<std::string> kGreetings = {"hi",      "hello",   "hey",     "thanks",    "thank",  "thx",      "bye",
                                          "goodbye", "morning", "evening", "afternoon", "cheers", "ok",       "okay",
                                          "cool",    "great",   "nice",    "yo",        "howdy",  "greetings"};

bool contains_phrase(const std::string& text, const char* phrase) {
  return text.find(phrase) != std::string::npos;
}

}  // namespace

std::vector<std::string> question_words(const std::string& question) {
  std::vector<std::string> words;
  std::string cur;
  auto flush = [&] {
    while (!cur.empty() && (cur.back() == '\'' || cur.back() == '-')) cur.pop_back();
    if (!cur.empty()) words.push_back(cur);
    cur.clear();
  };
  for (unsigned char c : question) {
    if (std::isalnum(c) || c >= 0x80 || c == '_' || ((c == '\'' || c == '-' || c == '.') && !cur.empty())) {
      cur += static_cast<char>(std::tolower(c));
    } else {
      flush();
    }
  }
  flush();
  // A trailing '.' of a sentence is not part of the word; "3.5" keeps its dot.
  for (auto& w : words)
    while (!w.empty() && w.back() == '.') w.pop_back();
  words.erase(std::remove(words.begin(), words.end(), std::string()), words.end());
  return words;
}

IntentDecision classify_intent(const std::string& question, const Catalog& catalog) {
  auto words = question_words(question);
  std::string lowered;
  for (const auto& w : words) lowered += (lowered.empty() ? "" : " ") + w;
  std::string raw_lower = question;
  for (char& c : raw_lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));

  // SQL that writes, typed as SQL.
  for (const char* p : {"drop table", "delete from", "insert into", "truncate table", "alter table", "create table",
                        "drop view", "drop index", "drop database", "update ", "attach database", "pragma "}) {
    std::string ph = p;
    if (ph == "update ") {
      if (contains_phrase(raw_lower, "update ") && contains_phrase(raw_lower, " set ")) {
        return {Intent::kRefused, "the request would change data (UPDATE ... SET); t2sql only reads"};
      }
      continue;
    }
    if (contains_phrase(raw_lower, p))
      return {Intent::kRefused, "the request would change the database (" + ph + "); t2sql only reads"};
  }
  // A write verb leading the request ("delete all sales from 2023", "please
  // drop the stores table"), or acting on data words later on ("can you remove
  // the rows ...").
  size_t first = 0;
  while (first < words.size() && in(kPolite, words[first])) ++first;
  if (first < words.size() && in(kWriteVerbs, words[first]) && words.size() > first + 1 &&
      !in(kNounFollowers, words[first + 1])) {
    return {Intent::kRefused, "the request asks to " + words[first] + " data; t2sql only reads the database"};
  }
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    if (!in(kWriteVerbs, words[i])) continue;
    const std::string& w = words[i];
    if (w == "set" || w == "save" || w == "write" || w == "clear" || w == "increase" || w == "decrease" ||
        w == "change" || w == "add" || w == "create" || w == "merge" || in(kNounFollowers, words[i + 1]))
      continue;  // common in data questions ("the store", "lower than", "change in sales")
    for (size_t j = i + 1; j < words.size() && j <= i + 3; ++j) {
      if (in(kDataObjects, words[j]) || catalog.find_table(words[j]))
        return {Intent::kRefused, "the request asks to " + w + " " + words[j] + "; t2sql only reads the database"};
    }
  }
  // Outside the database.
  if (contains_phrase(raw_lower, "http://") || contains_phrase(raw_lower, "https://") ||
      contains_phrase(raw_lower, "/etc/") || contains_phrase(raw_lower, "rm -rf")) {
    return {Intent::kRefused, "the request reaches outside the database; t2sql only answers from it"};
  }
  for (size_t i = 0; i < words.size(); ++i) {
    if (!in(kOutside, words[i])) continue;
    const std::string& w = words[i];
    // "run"/"call"/"post"/"file"/"stock"/"news" are often data words; only a
    // leading imperative counts for them.
    bool weak = w == "run" || w == "call" || w == "post" || w == "file" || w == "files" || w == "stock" ||
                w == "news" || w == "execute" || w == "command" || w == "disk" || w == "mail" || w == "install";
    if (weak && i != first) continue;
    if (catalog.find_table(w)) continue;
    bool column_word = false;
    for (const auto& t : catalog.tables)
      if (t.find_column(w)) column_word = true;
    if (column_word) continue;
    return {Intent::kRefused,
            "the request asks for '" + w + "', which is outside the database; t2sql only answers from it"};
  }

  // Small talk: only greetings and politeness, or questions about t2sql.
  if (!words.empty() && words.size() <= 6) {
    bool all_small = true;
    for (const auto& w : words)
      if (!in(kGreetings, w) && !in(kPolite, w) && w != "there" && w != "t2sql" && w != "good" && w != "very" &&
          w != "much" && w != "a" && w != "lot" && w != "so")
        all_small = false;
    if (all_small) return {Intent::kSmallTalk, "a greeting"};
  }
  for (const char* p : {"who are you", "what are you", "what can you do", "how are you", "what do you do",
                        "how do i use", "how does this work", "help me", "what is t2sql", "who made you"}) {
    if (contains_phrase(lowered, p)) return {Intent::kSmallTalk, "a question about t2sql"};
  }
  if (lowered == "help" || lowered == "?") return {Intent::kSmallTalk, "a request for help"};

  // Schema questions: about tables and columns, not their rows.
  for (const char* p : {"what tables",
                        "which tables",
                        "list tables",
                        "list the tables",
                        "list all tables",
                        "show tables",
                        "show the tables",
                        "show me the tables",
                        "what columns",
                        "which columns",
                        "list the columns",
                        "list columns",
                        "show columns",
                        "show the columns",
                        "the schema",
                        "describe the database",
                        "describe table",
                        "describe the",
                        "what data do you have",
                        "what is in the database",
                        "what's in the database",
                        "what does the database contain",
                        "how many tables",
                        "how many columns",
                        "what fields",
                        "which fields",
                        "columns of",
                        "columns in",
                        "columns does",
                        "structure of",
                        "tables are there",
                        "tables do you have",
                        "foreign keys",
                        "primary key"}) {
    if (contains_phrase(lowered, p)) return {Intent::kSchema, std::string("asks about the schema (\"") + p + "\")"};
  }
  if (lowered == "schema" || lowered == "tables") return {Intent::kSchema, "asks about the schema"};
  return {Intent::kData, "a question about the data"};
}

}  // namespace t2sql
