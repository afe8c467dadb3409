// The execution vote of the LLM engine (self-consistency): several
// statements for one question, each run read-only, grouped by the result set
// they return; the largest group wins, and on a tie the group whose
// statements the model found likelier (higher mean log-probability). Within
// the winning group the likeliest statement is the answer.
//
//   std::vector<VoteCandidate> c = ...;       // sql, mean_logprob, error set
//   std::vector<std::string> keys = ...;      // result_set_key() of each run
//   int chosen = vote_on_results(keys, &c);   // -1 when none takes part
#pragma once

#include <string>
#include <vector>

#include "t2sql/generator.h"
#include "t2sql/value.h"

namespace t2sql {

// A result set as a text two equal answers share: the column count and the
// rows, each row's cells in order (numbers rounded to 6 significant digits,
// NULL apart from the empty string), the rows sorted (row order is left out:
// most questions do not fix it).
std::string result_set_key(const ResultSet& rows);

// Groups the candidates without an error by `keys` (one per candidate, same
// order), sets group, votes and chosen on each, and returns the chosen
// candidate's index (-1 when every candidate has an error).
int vote_on_results(const std::vector<std::string>& keys, std::vector<VoteCandidate>* candidates);

}  // namespace t2sql
