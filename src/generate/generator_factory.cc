#include <memory>

#include "generate/ensemble_generator.h"
#include "generate/llm_generator.h"
#include "generate/template_calibration.h"
#include "generate/template_generator.h"
#include "t2sql/generator.h"

namespace t2sql {

Result<std::unique_ptr<Generator>> make_generator(const GeneratorOptions& options, const Catalog& catalog,
                                                  Database* db) {
  TemplateOptions templates{.min_confidence = options.min_confidence};
  if (options.mode == "template") return make_template_generator(catalog, db, templates);
  if (options.mode == "llm") return make_llm_generator(options, catalog, db);
  if (options.mode == "ensemble") {
    if (options.ensemble_order != "template-first" && options.ensemble_order != "llm-first") {
      return invalid_argument("unknown ensemble order '" + options.ensemble_order +
                              "' (expected template-first or llm-first)");
    }
    auto llm = make_llm_generator(options, catalog, db);
    if (!llm.ok()) return llm.status();
    // The template engine answers first only when its calibrated confidence
    // reaches the threshold; as the LLM's fallback it keeps its own gate.
    if (options.ensemble_order == "template-first" && templates.min_confidence < 0)
      templates.min_confidence = TemplateCalibration::builtin().threshold();
    auto fallback = make_template_generator(catalog, db, templates);
    if (!fallback.ok()) return fallback.status();
    if (options.ensemble_order == "template-first")
      return std::unique_ptr<Generator>(new TemplateFirstEnsemble(std::move(*fallback), std::move(*llm)));
    return std::unique_ptr<Generator>(new EnsembleGenerator(std::move(*llm), std::move(*fallback), db));
  }
  return invalid_argument("unknown mode '" + options.mode + "' (expected template, llm or ensemble)");
}

}  // namespace t2sql
