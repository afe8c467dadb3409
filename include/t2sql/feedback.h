// Feedback on answers: thumbs up or down, and corrected SQL a user accepted as
// the right answer to a question. Kept as JSONL beside a database's other
// caches (default_feedback_path), one entry a line, appended and never
// rewritten, so that a server and the command line can share the file.
//
//   FeedbackEntry e{.question = "total sales in 2023", .sql = "SELECT ...", .accepted = true};
//   if (Status s = FeedbackLog::append(default_feedback_path(db_uri), e); !s.ok()) fail(s);
//   auto log = FeedbackLog::load(path);  // log->accepted_examples(): what the pipeline uses
//
// Accepted examples are what the pipeline answers the same question with
// next time (an exact match of the question, ignoring case, spacing and
// closing punctuation), few-shot examples for a model, and training pairs
// for `t2sql gen-data --include-feedback`. FeedbackLog is plain data (not
// thread-safe); append() may be called from several threads and processes
// (each entry is one write to a file opened for appending).
#pragma once

#include <string>
#include <vector>

#include "t2sql/generator.h"
#include "t2sql/status.h"

namespace t2sql {

struct FeedbackEntry {
  std::string time;          // ISO 8601 UTC; append() fills it when empty
  std::string question;      // as the user asked it
  std::string sql;           // the SQL the entry is about (the corrected one, when corrected)
  std::string original_sql;  // what t2sql answered, when the user corrected it
  std::string rating;        // "up", "down" or "" (no rating)
  bool accepted = false;     // the user said: keep question + sql as an example
  std::string engine;        // the engine that wrote original_sql (or sql)
  std::string comment;       // the user's words, optional
};

// {"time", "question", "sql", "original_sql", "rating", "accepted", "engine", "comment"}
std::string feedback_entry_to_json(const FeedbackEntry& entry);

// kInvalidArgument naming what is wrong: an empty question, a rating other
// than up/down/empty, an accepted entry without SQL, texts over 4000 bytes
// (SQL over 20000), text that is not UTF-8.
Status check_feedback_entry(const FeedbackEntry& entry);

// The key two questions share when they are the same question: lower case,
// runs of white space as one space, no closing ?, ! or . and no outer spaces.
std::string feedback_question_key(const std::string& question);

// <database_cache_dir(db_uri)>/feedback.jsonl
std::string default_feedback_path(const std::string& db_uri);

class FeedbackLog {
 public:
  // The entries of `path`; a missing file is an empty log. Lines that are not
  // entries (a line cut short by a crash) are skipped and counted.
  static Result<FeedbackLog> load(const std::string& path);

  // Checks the entry and appends it as one line (creating the folder).
  static Status append(const std::string& path, FeedbackEntry entry);

  const std::vector<FeedbackEntry>& entries() const { return entries_; }
  int skipped_lines() const { return skipped_; }

  // The examples in force, oldest question first: per question the SQL of
  // its last accepted entry, unless a later down-vote names that same SQL
  // (the user said the stored answer is wrong after all).
  std::vector<SqlExample> accepted_examples() const;

 private:
  std::vector<FeedbackEntry> entries_;
  int skipped_ = 0;
};

}  // namespace t2sql
