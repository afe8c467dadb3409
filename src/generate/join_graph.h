// JoinGraph: the tables of a catalog as nodes and their foreign keys as
// edges, for joining the tables a question links (shortest paths, grown
// from the main table one table at a time). Where the declared keys leave
// two tables unconnected, a column named as another table's one-column
// primary key joins them (an undeclared foreign key: `actor.musical_id` =
// `musical.musical_id`); paths along declared keys are always preferred.
// Plain data; thread-safe to read.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "t2sql/catalog.h"

namespace t2sql {

struct JoinEdge {
  int from_table = -1, to_table = -1;
  std::vector<std::string> from_columns, to_columns;  // from.from_columns[i] = to.to_columns[i]
};

class JoinGraph {
 public:
  // undeclared_keys: also join by a column named as another table's key
  // (the template engine's rule of that name).
  explicit JoinGraph(const Catalog& catalog, bool undeclared_keys = true);

  // Edges of a shortest path from any table of `from` to `to` (empty when
  // `to` is in `from`); nullopt when no path exists.
  std::optional<std::vector<JoinEdge>> shortest_path(const std::vector<int>& from, int to) const;

  // The tables to join to connect all of `tables`, starting from
  // tables[0], in join order, with the edge that brings each one in
  // (result[0] has no edge). nullopt when some table cannot be reached.
  struct Step {
    int table = -1;
    std::optional<JoinEdge> edge;
  };
  std::optional<std::vector<Step>> connect(const std::vector<int>& tables) const;

  // Hops between two tables, or -1.
  int distance(int a, int b) const;

  // The direct foreign key between a and b (either direction), if any.
  std::optional<JoinEdge> direct_edge(int a, int b) const;

 private:
  std::optional<std::vector<JoinEdge>> search(const std::vector<int>& from, int to, bool inferred) const;

  std::vector<std::vector<JoinEdge>> adjacent_;  // per table, edges leaving it (both directions stored)
  std::vector<std::vector<JoinEdge>> inferred_;  // per table, undeclared keys by column name (both directions)
};

}  // namespace t2sql
