// Spider's hardness levels (easy, medium, hard, extra), computed from a gold
// query the way Spider's evaluation defines them: by counting its components.
//   component1: WHERE, GROUP BY, ORDER BY, LIMIT present; joined tables beyond
//               the first; ORs; LIKEs.
//   component2: nested queries (subqueries in conditions, set operators).
//   others:     more than one aggregate; more than one SELECT column; more
//               than one WHERE condition; more than one GROUP BY column.
// The counts come from SqlShape (a token-level reading), so they can differ
// from Spider's own parser on unusual SQL. Thread-safe.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace t2sql {

enum class Hardness { kEasy, kMedium, kHard, kExtra };

const char* hardness_name(Hardness h);  // "easy", "medium", "hard", "extra"

struct HardnessCounts {
  int component1 = 0, component2 = 0, others = 0;
};

HardnessCounts count_hardness_components(const std::string& sql);
Hardness spider_hardness(const std::string& sql);

// Exactly Spider's rules, from the parsed "sql" object of a Spider dev.json
// entry (quirks included: a negated condition counts as an aggregate there).
// kInvalidArgument-free: a malformed object counts as having no components.
HardnessCounts count_parsed_hardness_components(const nlohmann::json& spider_sql);
Hardness spider_parsed_hardness(const nlohmann::json& spider_sql);
Hardness hardness_from_counts(const HardnessCounts& counts);

}  // namespace t2sql
