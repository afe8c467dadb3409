// TemplateFirstEnsemble: the "ensemble" mode's default order. The template
// engine answers when its calibrated confidence (the probability that its
// answer is right, template_calibration.h) reaches its threshold, which it
// checks itself by abstaining below; otherwise the LLM answers. The other
// order, the LLM first with the template engine as fallback, is
// EnsembleGenerator (llm_generator.h), chosen by GeneratorOptions::
// ensemble_order = "llm-first". `engine` and `reason` say which answered and why.
//
//   TemplateFirstEnsemble e(std::move(template_gen), std::move(llm_gen));
//   auto out = e.generate({.question = "top 5 brands by revenue"});
//
// Owns both generators; one generate() at a time, as each of them. Errors:
// the LLM's, when the template engine abstained and the LLM failed to run.
#pragma once

#include <memory>

#include "t2sql/generator.h"

namespace t2sql {

class TemplateFirstEnsemble final : public Generator {
 public:
  TemplateFirstEnsemble(std::unique_ptr<Generator> templates, std::unique_ptr<Generator> llm);

  std::string name() const override { return "ensemble"; }
  Result<GenerationResult> generate(const GenerationRequest& request) override;

 private:
  std::unique_ptr<Generator> templates_, llm_;
};

}  // namespace t2sql
