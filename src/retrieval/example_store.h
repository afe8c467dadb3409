// ExampleStore: question/SQL pairs (from a JSONL file the user gives, from
// `gen-data`'s output, or answers a user accepted) retrieved by similarity
// of their questions to a new one, as few-shot examples for a model.
//
//   auto store = ExampleStore::load("examples.jsonl");
//   auto similar = store->similar("top 3 brands by sales", 3);
//
// Lines may be {"question", "sql"}, {"question", "query"} or the training
// shape {"question", "context", "answer"}. Owns its examples and a hashed
// TF-IDF embedder refitted when examples are added. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "retrieval/hash_embedder.h"
#include "t2sql/generator.h"
#include "t2sql/status.h"

namespace t2sql {

class ExampleStore {
 public:
  ExampleStore();

  // kNotFound for a missing file; kInvalidArgument naming the first line
  // that is not a JSON object with a question and SQL.
  static Result<std::unique_ptr<ExampleStore>> load(const std::string& path);
  // A store of these pairs (none empty: the caller checked them).
  static std::unique_ptr<ExampleStore> of(std::vector<SqlExample> examples);

  // Adds a pair; appends it to `path` as JSONL when `path` is not empty.
  Status add(const SqlExample& example, const std::string& path = "");

  // Up to k examples most like `question`, best first; none that share nothing.
  std::vector<SqlExample> similar(const std::string& question, int k) const;

  size_t size() const { return examples_.size(); }

 private:
  void refit();

  std::vector<SqlExample> examples_;
  HashEmbedder embedder_;
  std::vector<float> vectors_;  // examples_.size() x embedder_.dim()
};

}  // namespace t2sql
