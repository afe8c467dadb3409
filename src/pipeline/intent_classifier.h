// The intent stage: what kind of request a question is, decided from its
// words before any SQL is written. Refusals come first, so that "delete all
// sales from 2023" never reaches a generator.
#pragma once

#include <string>

#include "t2sql/catalog.h"
#include "t2sql/pipeline.h"

namespace t2sql {

struct IntentDecision {
  Intent intent = Intent::kData;
  std::string reason;  // for refusals: what was asked; otherwise which cue decided
};

// Pure function of its inputs; thread-safe.
IntentDecision classify_intent(const std::string& question, const Catalog& catalog);

// Lower-cased words of a question (letters, digits, apostrophes, '_', '-'
// kept inside words). Shared by the stages that read questions.
std::vector<std::string> question_words(const std::string& question);

}  // namespace t2sql
