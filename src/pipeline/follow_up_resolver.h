// Follow-up questions: "and in 2024?" after "total sales in 2023" becomes
// "total sales in 2024"; "what about by region?" adds the grouping; "only
// Apple" adds the value. The rewritten question is what the generator sees,
// so every engine (even one with no notion of a conversation) can follow.
#pragma once

#include <string>
#include <vector>

#include "t2sql/pipeline.h"

namespace t2sql {

struct FollowUp {
  bool is_follow_up = false;
  std::string question;  // the standalone question (the input when not a follow-up)
  std::string how;       // "replaced years", "added grouping", ...
};

class ValueIndex;

// Pure function of its inputs; `values` (may be null) tells which words are
// stored values, so that "and for Samsung?" replaces "Apple".
FollowUp resolve_follow_up(const std::string& question, const std::vector<Turn>& history, const ValueIndex* values);

}  // namespace t2sql
