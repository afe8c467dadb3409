// LexicalRetriever: the retrieval stage's built-in engine, for when no vector
// index is configured. It scores tables by the question's words against
// table and column names (split on '_' and case, singular and plural) and
// descriptions, keeps the best tables, adds the tables that join them along
// foreign keys, and writes CREATE TABLE statements for just those.
// Stateless; thread-safe.
#pragma once

#include "t2sql/pipeline.h"

namespace t2sql {

class LexicalRetriever : public SchemaRetriever {
 public:
  explicit LexicalRetriever(size_t max_tables = 4) : max_tables_(max_tables) {}
  std::string name() const override { return "lexical"; }
  Result<RetrievedContext> retrieve(const std::string& question, const Catalog& catalog) override;

 private:
  size_t max_tables_;
};

}  // namespace t2sql
