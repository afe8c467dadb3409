#include "generate/join_graph.h"

#include <algorithm>
#include <cctype>
#include <deque>

namespace t2sql {

namespace {

std::string lower(const std::string& s) {
  std::string out = s;
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

JoinGraph::JoinGraph(const Catalog& catalog, bool undeclared_keys)
    : adjacent_(catalog.tables.size()), inferred_(catalog.tables.size()) {
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
  // Undeclared keys: a column of one table named as the one-column primary
  // key of another ("musical_id"), between tables no declared key joins.
  for (size_t r = 0; undeclared_keys && r < catalog.tables.size(); ++r) {
    const auto& ref = catalog.tables[r];
    if (ref.primary_key.size() != 1) continue;
    std::string key = lower(ref.primary_key[0]);
    // A bare "id" names every table's own key, not a reference.
    if (key == "id") continue;
    for (size_t t = 0; t < catalog.tables.size(); ++t) {
      if (t == r || direct_edge(static_cast<int>(t), static_cast<int>(r))) continue;
      const auto& table = catalog.tables[t];
      for (const auto& c : table.columns) {
        if (lower(c.name) != key) continue;
        // Both the table's own one-column key: two entities sharing an id, not a reference.
        if (table.primary_key.size() == 1 && lower(table.primary_key[0]) == key) continue;
        inferred_[t].push_back({static_cast<int>(t), static_cast<int>(r), {c.name}, {ref.primary_key[0]}});
        inferred_[r].push_back({static_cast<int>(r), static_cast<int>(t), {ref.primary_key[0]}, {c.name}});
      }
    }
  }
}

std::optional<std::vector<JoinEdge>> JoinGraph::shortest_path(const std::vector<int>& from, int to) const {
  if (auto declared = search(from, to, false)) return declared;
  return search(from, to, true);
}

std::optional<std::vector<JoinEdge>> JoinGraph::search(const std::vector<int>& from, int to, bool inferred) const {
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
    for (const auto* edges : {&adjacent_[t], &inferred_[t]}) {
      if (edges == &inferred_[t] && !inferred) continue;
      for (const auto& e : *edges) {
        if (prev_edge_table[e.to_table] != -2) continue;
        prev_edge_table[e.to_table] = t;
        via[e.to_table] = &e;
        queue.push_back(e.to_table);
      }
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
