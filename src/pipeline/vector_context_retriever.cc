#include "pipeline/vector_context_retriever.h"

#include "pipeline/lexical_retriever.h"

namespace t2sql {

namespace {

class VectorContextRetriever : public ContextRetriever {
 public:
  VectorContextRetriever(std::string db_uri, RetrievalOptions options)
      : db_uri_(std::move(db_uri)), options_(std::move(options)) {}
  std::string name() const override { return "vector"; }

  Result<RetrievedContext> retrieve(const std::string& question, const Catalog& catalog,
                                    const std::vector<LinkedValue>& linked_values) override {
    if (!index_ && index_error_.ok()) {
      RetrievalOptions options = options_;
      if (options.cache_dir.empty()) options.cache_dir = database_cache_dir(db_uri_);
      auto made = VectorSchemaRetriever::create(catalog, options);
      if (made.ok())
        index_ = std::move(*made);
      else
        index_error_ = made.status();
    }
    if (!index_) {
      auto ctx = lexical_.retrieve(question, catalog, linked_values);
      if (ctx.ok()) ctx->source = "lexical (the vector index failed: " + index_error_.message() + ")";
      return ctx;
    }
    auto found = index_->retrieve(question, linked_values);
    if (!found.ok()) return found.status();
    RetrievedContext ctx;
    ctx.source = "vector";
    ctx.schema_ddl = found->ddl;
    ctx.tables = found->tables;
    for (const auto& c : found->columns) ctx.columns.push_back(c.table + "." + c.column);
    ctx.examples = found->examples;
    return ctx;
  }

 private:
  std::string db_uri_;
  RetrievalOptions options_;
  std::unique_ptr<VectorSchemaRetriever> index_;
  Status index_error_;
  LexicalRetriever lexical_;
};

}  // namespace

std::unique_ptr<ContextRetriever> make_default_retriever(const std::string& db_uri, const RetrievalOptions& options) {
  return std::make_unique<VectorContextRetriever>(db_uri, options);
}

}  // namespace t2sql
