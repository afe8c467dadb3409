// TrainingShapes: the SQL skeletons (sql/sql_skeleton.h) of a training set,
// so that the evaluation can tell questions whose gold SQL is built like
// something the model was trained on from "novel" ones whose shape it never
// saw (the design documents' "novel query handling").
//
//   auto shapes = TrainingShapes::load("data/train.jsonl");
//   bool novel = !shapes->contains_shape_of(gold_sql);
//
// The file is JSONL in any shape t2sql trains on: sql-create-context
// {"answer"}, t2sql {"sql"}, chat {"messages": [..., {"role": "assistant",
// "content"}]}; a suite line {"sql"} works too. Immutable after load;
// thread-safe to read. Errors: kNotFound for a missing file, kInvalidArgument
// naming file and line for a line that is not JSON or holds no SQL, or for a
// file with no example at all.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "t2sql/status.h"

namespace t2sql {

class TrainingShapes {
 public:
  static Result<TrainingShapes> load(const std::string& path);
  // Built from SQL texts directly (tests, callers with examples in memory).
  static TrainingShapes from_sql(const std::vector<std::string>& sqls);

  bool contains_shape_of(const std::string& sql) const;
  size_t shape_count() const { return skeletons_.size(); }
  int example_count() const { return examples_; }

 private:
  std::set<std::string> skeletons_;
  int examples_ = 0;
};

}  // namespace t2sql
