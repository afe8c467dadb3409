// The vector retriever behind the pipeline's SchemaRetriever interface.
#include "t2sql/pipeline.h"
#include "t2sql/retrieval.h"

namespace t2sql {

namespace {

class PipelineVectorRetriever : public SchemaRetriever {
 public:
  explicit PipelineVectorRetriever(std::unique_ptr<VectorSchemaRetriever> inner) : inner_(std::move(inner)) {}
  std::string name() const override { return "faiss"; }
  Result<RetrievedContext> retrieve(const std::string& question, const Catalog&) override {
    auto r = inner_->retrieve(question);
    if (!r.ok()) return r.status();
    RetrievedContext ctx;
    ctx.schema_ddl = std::move(r->ddl);
    ctx.tables = std::move(r->tables);
    for (const auto& c : r->columns) ctx.columns.push_back(c.table + "." + c.column);
    ctx.examples = std::move(r->examples);
    ctx.source = name();
    return ctx;
  }

 private:
  std::unique_ptr<VectorSchemaRetriever> inner_;
};

}  // namespace

std::unique_ptr<SchemaRetriever> as_pipeline_retriever(std::unique_ptr<VectorSchemaRetriever> retriever) {
  return std::make_unique<PipelineVectorRetriever>(std::move(retriever));
}

}  // namespace t2sql
