// GoldGenerator: answers each question of a suite with its own gold SQL.
// `t2sql eval --mode gold` uses it to check a suite and the harness itself:
// every question should come out correct, so anything less points at a gold
// query that does not run or at the comparison. Not a real engine: it knows
// only the questions it was given and abstains on any other.
// Thread-safe after construction (generate() only reads).
#pragma once

#include <map>
#include <string>

#include "t2sql/generator.h"

namespace t2sql {

class GoldGenerator final : public Generator {
 public:
  // question -> gold SQL
  explicit GoldGenerator(std::map<std::string, std::string> answers) : answers_(std::move(answers)) {}
  std::string name() const override { return "gold"; }
  Result<GenerationResult> generate(const GenerationRequest& request) override;

 private:
  std::map<std::string, std::string> answers_;
};

}  // namespace t2sql
