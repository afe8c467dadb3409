// Training examples read from JSONL files, in any of the three shapes t2sql
// accepts, with every bad line reported by number:
//   sql-create-context: {"question", "context" (CREATE TABLE statements), "answer" (SQL)}
//   chat:               {"messages": [{"role": "system"|"user"|"assistant", "content"}...]}
//   t2sql:              {"question", "schema", "sql"[, "shape", "db"]}
// Stateless functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "t2sql/status.h"

namespace t2sql::train {

struct TrainingExample {
  std::string question, schema_ddl, sql;
  std::string source;  // "file:line", for messages about the example
};

struct DataProblem {
  std::string file;
  int line = 0;
  std::string message;
  std::string to_string() const { return file + ":" + std::to_string(line) + ": " + message; }
};

struct LoadedData {
  std::vector<TrainingExample> examples;
  std::vector<DataProblem> problems;  // lines skipped
};

// Reads one JSONL file. With `reject_bad_lines`, the first bad line fails the
// load (kInvalidArgument naming file and line); otherwise bad lines are
// skipped and listed in `problems`. Blank lines are ignored.
Result<LoadedData> load_jsonl(const std::string& path, bool reject_bad_lines);

// Parses one line; empty string on success, else the reason it is refused.
std::string parse_example_line(const std::string& line, TrainingExample* out);

// Where the training and validation files of --data are: a file itself, or a
// folder holding train.jsonl (and valid.jsonl when present).
struct DataFiles {
  std::string train, valid;
};
Result<DataFiles> resolve_data_files(const std::string& data_path, const std::string& valid_path);

}  // namespace t2sql::train
