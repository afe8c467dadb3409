// GrammarCoverage: how much real SQL the LLM engine's constrained decoding
// lets through, and how many wrong names it stops. Each gold query of a
// suite, as published (a ";" added when it has none), is checked against the
// constraints the LLM engine builds for its database (the same schema text,
// dialect and options: build_sql_constraint): llama.cpp's own grammar engine
// reads it character by character, then the scope checker reads it whole.
// Mutants of each gold query must be refused: one table name after
// FROM/JOIN, or the column of one qualified reference (`t.col`, `T1.col`),
// replaced by a plausible name that is nowhere in the schema (a near-miss
// spelling, a synonym, a name from another database of the suite).
//
//   auto cov = measure_grammar_coverage(suite, {});
//   std::cout << grammar_coverage_table(*cov);   // acceptance, mutant rejection
//
// Errors: kInvalidArgument for an empty suite; a database that cannot be
// opened makes its questions refused with that reason, not an error.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "eval/benchmark_suite.h"
#include "t2sql/status.h"

namespace t2sql {

struct ConstraintCheck {
  bool ok = true;
  size_t offset = 0;    // the first character refused
  std::string stage;    // "grammar" or "scope"
  std::string message;  // the scope checker's reason
};

struct GrammarCoverageCase {
  std::string id, db_id, sql;
  ConstraintCheck gold;
  int mutants = 0, mutants_refused = 0;
  std::vector<std::string> mutants_accepted;  // mutants the constraints let through
};

struct GrammarCoverage {
  std::string suite;
  int gold = 0, accepted = 0, mutants = 0, mutants_refused = 0;
  std::vector<GrammarCoverageCase> cases;
  double acceptance() const { return gold ? static_cast<double>(accepted) / gold : 0; }
  double mutant_rejection() const { return mutants ? static_cast<double>(mutants_refused) / mutants : 0; }
};

struct GrammarCoverageOptions {
  int limit = 0;  // first N questions; 0: all
  bool progress = true;
};

// The constraints of one database's LLM prompts, checked on a whole statement.
class ConstraintChecker {
 public:
  // `ddl`: the schema text of the prompt; `dialect`: the catalog's engine.
  static Result<ConstraintChecker> make(const std::string& ddl, const std::string& dialect);
  ~ConstraintChecker();
  ConstraintChecker(ConstraintChecker&&) noexcept;
  ConstraintChecker& operator=(ConstraintChecker&&) noexcept;

  ConstraintCheck check(const std::string& sql) const;

 private:
  struct Impl;
  explicit ConstraintChecker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

Result<GrammarCoverage> measure_grammar_coverage(const BenchmarkSuite& suite, const GrammarCoverageOptions& options);

// "grammar.acceptance", "grammar.mutant_rejection", counts and each refused
// gold query with the offset where it was refused.
std::string grammar_coverage_json(const GrammarCoverage& coverage);
std::string grammar_coverage_table(const GrammarCoverage& coverage);

}  // namespace t2sql
