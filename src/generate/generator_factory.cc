#include <memory>

#include "generate/template_generator.h"
#include "t2sql/generator.h"

namespace t2sql {

Result<std::unique_ptr<Generator>> make_generator(const GeneratorOptions& options, const Catalog& catalog,
                                                  Database* db) {
  if (options.mode == "template") return make_template_generator(catalog, db);
  if (options.mode == "llm" || options.mode == "ensemble") {
    return invalid_argument("mode '" + options.mode + "' is not available in this build");
  }
  return invalid_argument("unknown mode '" + options.mode + "' (expected template, llm or ensemble)");
}

}  // namespace t2sql
