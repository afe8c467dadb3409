#include <memory>

#include "generate/llm_generator.h"
#include "generate/template_generator.h"
#include "t2sql/generator.h"

namespace t2sql {

Result<std::unique_ptr<Generator>> make_generator(const GeneratorOptions& options, const Catalog& catalog,
                                                  Database* db) {
  if (options.mode == "template") return make_template_generator(catalog, db);
  if (options.mode == "llm") return make_llm_generator(options, catalog, db);
  if (options.mode == "ensemble") {
    auto llm = make_llm_generator(options, catalog, db);
    if (!llm.ok()) return llm.status();
    auto fallback = make_template_generator(catalog, db);
    if (!fallback.ok()) return fallback.status();
    return std::unique_ptr<Generator>(new EnsembleGenerator(std::move(*llm), std::move(*fallback), db));
  }
  return invalid_argument("unknown mode '" + options.mode + "' (expected template, llm or ensemble)");
}

}  // namespace t2sql
