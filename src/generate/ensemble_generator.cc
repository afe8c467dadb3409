#include "generate/ensemble_generator.h"

#include <cstdio>
#include <utility>

namespace t2sql {

TemplateFirstEnsemble::TemplateFirstEnsemble(std::unique_ptr<Generator> templates, std::unique_ptr<Generator> llm)
    : templates_(std::move(templates)), llm_(std::move(llm)) {}

Result<GenerationResult> TemplateFirstEnsemble::generate(const GenerationRequest& request) {
  auto first = templates_->generate(request);
  if (!first.ok()) return first.status();
  if (first->answered) {
    GenerationResult r = std::move(*first);
    char conf[32];
    std::snprintf(conf, sizeof(conf), "%.2f", r.confidence);
    r.reason = std::string("ensemble chose the ") + templates_->name() + " engine: confident enough (" + conf + ")" +
               (r.reason.empty() ? "" : "; " + r.reason);
    r.engine = "ensemble:" + r.engine;
    return r;
  }
  auto second = llm_->generate(request);
  if (!second.ok()) return second.status();
  GenerationResult r = std::move(*second);
  r.engine = "ensemble:" + r.engine;
  r.reason = "ensemble asked the LLM: the " + templates_->name() + " engine " + first->reason +
             (r.reason.empty() ? "" : "; " + r.reason);
  r.attempts.insert(r.attempts.begin(), first->attempts.begin(), first->attempts.end());
  return r;
}

}  // namespace t2sql
