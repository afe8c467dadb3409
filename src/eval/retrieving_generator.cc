#include "eval/retrieving_generator.h"

namespace t2sql {

namespace {

class RetrievingGenerator : public Generator {
 public:
  RetrievingGenerator(std::unique_ptr<Generator> inner, std::unique_ptr<VectorSchemaRetriever> retriever)
      : inner_(std::move(inner)), retriever_(std::move(retriever)) {}

  std::string name() const override { return inner_->name() + "+rag"; }

  Result<GenerationResult> generate(const GenerationRequest& request) override {
    auto found = retriever_->retrieve(request.question, request.linked_values);
    if (!found.ok()) return Status(found.status().code(), "retrieval: " + found.status().message());
    GenerationRequest narrowed = request;
    narrowed.schema_ddl = found->ddl;
    if (!found->examples.empty()) narrowed.examples = found->examples;
    auto out = inner_->generate(narrowed);
    if (out.ok()) out->engine += "+rag";
    return out;
  }

 private:
  std::unique_ptr<Generator> inner_;
  std::unique_ptr<VectorSchemaRetriever> retriever_;
};

}  // namespace

Result<std::unique_ptr<Generator>> make_retrieving_generator(std::unique_ptr<Generator> inner, const Catalog& catalog,
                                                             const RetrievalOptions& options) {
  if (!inner) return invalid_argument("no generator to put retrieval in front of");
  auto retriever = VectorSchemaRetriever::create(catalog, options);
  if (!retriever.ok()) return retriever.status();
  return std::unique_ptr<Generator>(new RetrievingGenerator(std::move(inner), std::move(*retriever)));
}

}  // namespace t2sql
