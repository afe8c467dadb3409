#include <algorithm>
#include <memory>
#include <string>

#include "generate/ensemble_generator.h"
#include "generate/llm_generator.h"
#include "generate/template_calibration.h"
#include "generate/template_generator.h"
#include "t2sql/generator.h"

namespace t2sql {

Result<std::unique_ptr<Generator>> make_generator(const GeneratorOptions& options, const Catalog& catalog,
                                                  Database* db) {
  TemplateOptions template_options{.min_confidence = options.min_confidence};
  for (const auto& rule : options.disabled_rules) {
    const auto& names = template_rules::rule_names();
    for (const auto& r : template_rules::rule_catalog()) {
      if (r.name == rule && r.required)
        return invalid_argument("template rule '" + rule + "' cannot be disabled: every later rule reads what it finds");
    }
    if (std::find(names.begin(), names.end(), rule) == names.end()) {
      std::string known;
      for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
      return invalid_argument("unknown template rule '" + rule + "' (known: " + known + ")");
    }
    template_options.disabled_rules.insert(rule);
  }
  if (options.mode == "template") return make_template_generator(catalog, db, template_options);
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
    if (options.ensemble_order == "template-first" && template_options.min_confidence < 0)
      template_options.min_confidence = TemplateCalibration::builtin().threshold();
    auto fallback = make_template_generator(catalog, db, template_options);
    if (!fallback.ok()) return fallback.status();
    if (options.ensemble_order == "template-first")
      return std::unique_ptr<Generator>(new TemplateFirstEnsemble(std::move(*fallback), std::move(*llm)));
    return std::unique_ptr<Generator>(new EnsembleGenerator(std::move(*llm), std::move(*fallback), db));
  }
  return invalid_argument("unknown mode '" + options.mode + "' (expected template, llm or ensemble)");
}

}  // namespace t2sql
