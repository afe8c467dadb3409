#include "generate/candidate_vote.h"

#include <algorithm>
#include <cstdio>
#include <map>

namespace t2sql {

std::string result_set_key(const ResultSet& rows) {
  std::vector<std::string> lines;
  lines.reserve(rows.rows.size());
  for (const auto& row : rows.rows) {
    std::string line;
    for (const auto& cell : row) {
      if (cell.is_null()) {
        line += "\\N";
      } else if (cell.is_number()) {
        char b[48];
        std::snprintf(b, sizeof b, "%.6g", cell.as_double());
        line += b;
      } else {
        line += "'" + cell.to_string();
      }
      line += '\x1f';
    }
    lines.push_back(std::move(line));
  }
  std::sort(lines.begin(), lines.end());
  std::string key = std::to_string(rows.columns.size()) + "\x1e";
  for (const auto& l : lines) key += l + "\x1e";
  return key;
}

int vote_on_results(const std::vector<std::string>& keys, std::vector<VoteCandidate>* candidates) {
  auto& c = *candidates;
  std::map<std::string, int> group_of;
  struct Group {
    int votes = 0;
    double logprob_sum = 0;
  };
  std::vector<Group> groups;
  for (size_t i = 0; i < c.size(); ++i) {
    c[i].group = -1;
    c[i].votes = 0;
    c[i].chosen = false;
    if (!c[i].error.empty() || i >= keys.size()) continue;
    auto [at, added] = group_of.emplace(keys[i], static_cast<int>(groups.size()));
    if (added) groups.push_back({});
    c[i].group = at->second;
    ++groups[at->second].votes;
    groups[at->second].logprob_sum += c[i].mean_logprob;
  }
  if (groups.empty()) return -1;
  // The largest group; on a tie, the higher mean log-probability; then the first.
  int best = 0;
  for (int g = 1; g < static_cast<int>(groups.size()); ++g) {
    const double mean = groups[g].logprob_sum / groups[g].votes;
    const double best_mean = groups[best].logprob_sum / groups[best].votes;
    if (groups[g].votes > groups[best].votes || (groups[g].votes == groups[best].votes && mean > best_mean)) best = g;
  }
  int chosen = -1;
  for (size_t i = 0; i < c.size(); ++i) {
    if (c[i].group < 0) continue;
    c[i].votes = groups[c[i].group].votes;
    if (c[i].group == best && (chosen < 0 || c[i].mean_logprob > c[chosen].mean_logprob)) {
      chosen = static_cast<int>(i);
    }
  }
  c[chosen].chosen = true;
  return chosen;
}

}  // namespace t2sql
