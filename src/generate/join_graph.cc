#include "generate/join_graph.h"

#include <algorithm>
#include <deque>

namespace t2sql {

JoinGraph::JoinGraph(const Catalog& catalog) : adjacent_(catalog.tables.size()) {
  for (size_t t = 0; t < catalog.tables.size(); ++t) {
    for (const auto& fk : catalog.tables[t].foreign_keys) {
      int ref = -1;
      for (size_t r = 0; r < catalog.tables.size(); ++r) {
        if (catalog.find_table(fk.ref_table) == &catalog.tables[r]) ref = static_cast<int>(r);
      }
      if (ref < 0 || fk.columns.empty()) continue;
      std::vector<std::string> ref_cols = fk.ref_columns;
      // A foreign key that names no columns refers to the primary key.
      if (ref_cols.empty() || ref_cols.size() != fk.columns.size()) ref_cols = catalog.tables[ref].primary_key;
      if (ref_cols.size() != fk.columns.size()) continue;
      JoinEdge e{static_cast<int>(t), ref, fk.columns, ref_cols};
      adjacent_[t].push_back(e);
      adjacent_[ref].push_back({ref, static_cast<int>(t), ref_cols, fk.columns});
    }
  }
}

std::optional<std::vector<JoinEdge>> JoinGraph::shortest_path(const std::vector<int>& from, int to) const {
  if (std::find(from.begin(), from.end(), to) != from.end()) return std::vector<JoinEdge>{};
  std::vector<int> prev_edge_table(adjacent_.size(), -2);
  std::vector<const JoinEdge*> via(adjacent_.size(), nullptr);
  std::deque<int> queue;
  for (int f : from) {
    if (f < 0 || f >= static_cast<int>(adjacent_.size())) continue;
    prev_edge_table[f] = -1;
    queue.push_back(f);
  }
  while (!queue.empty()) {
    int t = queue.front();
    queue.pop_front();
    if (t == to) break;
    for (const auto& e : adjacent_[t]) {
      if (prev_edge_table[e.to_table] != -2) continue;
      prev_edge_table[e.to_table] = t;
      via[e.to_table] = &e;
      queue.push_back(e.to_table);
    }
  }
  if (to < 0 || to >= static_cast<int>(adjacent_.size()) || prev_edge_table[to] == -2) return std::nullopt;
  std::vector<JoinEdge> path;
  for (int t = to; prev_edge_table[t] != -1; t = prev_edge_table[t]) path.push_back(*via[t]);
  std::reverse(path.begin(), path.end());
  return path;
}

std::optional<std::vector<JoinGraph::Step>> JoinGraph::connect(const std::vector<int>& tables) const {
  std::vector<Step> steps;
  if (tables.empty()) return steps;
  std::vector<int> have{tables[0]};
  steps.push_back({tables[0], std::nullopt});
  for (size_t i = 1; i < tables.size(); ++i) {
    auto path = shortest_path(have, tables[i]);
    if (!path) return std::nullopt;
    for (const auto& e : *path) {
      if (std::find(have.begin(), have.end(), e.to_table) != have.end()) continue;
      have.push_back(e.to_table);
      steps.push_back({e.to_table, e});
    }
  }
  return steps;
}

int JoinGraph::distance(int a, int b) const {
  auto p = shortest_path({a}, b);
  return p ? static_cast<int>(p->size()) : -1;
}

std::optional<JoinEdge> JoinGraph::direct_edge(int a, int b) const {
  if (a < 0 || a >= static_cast<int>(adjacent_.size())) return std::nullopt;
  for (const auto& e : adjacent_[a]) {
    if (e.to_table == b) return e;
  }
  return std::nullopt;
}

}  // namespace t2sql
