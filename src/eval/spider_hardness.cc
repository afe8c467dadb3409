#include "eval/spider_hardness.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "sql/sql_normalizer.h"

namespace t2sql {

const char* hardness_name(Hardness h) {
  switch (h) {
    case Hardness::kEasy: return "easy";
    case Hardness::kMedium: return "medium";
    case Hardness::kHard: return "hard";
    case Hardness::kExtra: return "extra";
  }
  return "extra";
}

HardnessCounts count_hardness_components(const std::string& sql) {
  HardnessCounts c;
  SqlShape s = parse_sql_shape(sql);
  if (!s.parsed) {
    // WITH queries and text this reader cannot split: count them as nested.
    c.component2 = 2;
    return c;
  }
  if (!s.where.empty()) ++c.component1;
  if (!s.group_by.empty()) ++c.component1;
  if (!s.order_by.empty()) ++c.component1;
  if (!s.limit.empty()) ++c.component1;
  if (s.from.size() > 1) c.component1 += static_cast<int>(s.from.size()) - 1;
  c.component1 += static_cast<int>(std::count(s.where_connectors.begin(), s.where_connectors.end(), "or"));
  c.component1 += static_cast<int>(std::count(s.having_connectors.begin(), s.having_connectors.end(), "or"));
  c.component1 += s.like_count;

  c.component2 = s.nested_in_conditions + (s.set_rhs ? 1 : 0);

  if (s.aggregate_count > 1) ++c.others;
  if (s.select.size() > 1) ++c.others;
  if (s.where.size() > 1) ++c.others;
  if (s.group_by.size() > 1) ++c.others;
  return c;
}

namespace {

using nlohmann::json;

const json& field(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

size_t size_of(const json& j) { return j.is_array() ? j.size() : 0; }

// Spider's has_agg: the first element of a unit is not 0 / false.
bool first_is_set(const json& unit) {
  if (!unit.is_array() || unit.empty()) return false;
  const json& f = unit[0];
  if (f.is_boolean()) return f.get<bool>();
  if (f.is_number()) return f.get<double>() != 0;
  return false;
}

// Elements at even (conditions) or odd (connectors) positions.
std::vector<const json*> every_other(const json& list, size_t first) {
  std::vector<const json*> out;
  for (size_t i = first; i < size_of(list); i += 2) out.push_back(&list[i]);
  return out;
}

}  // namespace

HardnessCounts count_parsed_hardness_components(const json& sql) {
  HardnessCounts c;
  const json& where = field(sql, "where");
  const json& having = field(sql, "having");
  const json& group = field(sql, "groupBy");
  const json& order = field(sql, "orderBy");
  const json& from = field(sql, "from");
  const json& conds = field(from, "conds");
  if (size_of(where) > 0) ++c.component1;
  if (size_of(group) > 0) ++c.component1;
  if (size_of(order) > 0) ++c.component1;
  if (!field(sql, "limit").is_null()) ++c.component1;
  size_t units = size_of(field(from, "table_units"));
  if (units > 0) c.component1 += static_cast<int>(units) - 1;
  for (const json* list : {&conds, &where, &having}) {
    for (const json* op : every_other(*list, 1)) {
      if (op->is_string() && *op == "or") ++c.component1;
    }
    for (const json* cond : every_other(*list, 0)) {
      // WHERE_OPS index 9 is 'like'.
      if (cond->is_array() && cond->size() > 1 && (*cond)[1].is_number() && (*cond)[1].get<int>() == 9) {
        ++c.component1;
      }
      if (cond->is_array()) {
        for (size_t k = 3; k < cond->size() && k <= 4; ++k) {
          if ((*cond)[k].is_object()) ++c.component2;
        }
      }
    }
  }
  for (const char* op : {"intersect", "except", "union"}) {
    if (field(sql, op).is_object()) ++c.component2;
  }

  int aggs = 0;
  const json& select = field(sql, "select");
  const json& items = size_of(select) > 1 ? select[1] : json();
  for (size_t i = 0; i < size_of(items); ++i) aggs += first_is_set(items[i]);
  for (const json* cond : every_other(where, 0)) aggs += first_is_set(*cond);
  for (size_t i = 0; i < size_of(group); ++i) aggs += first_is_set(group[i]);
  if (size_of(order) > 1) {
    const json& units_list = order[1];
    for (size_t i = 0; i < size_of(units_list); ++i) {
      const json& vu = units_list[i];
      for (size_t k = 1; k <= 2 && k < size_of(vu); ++k) {
        if (!vu[k].is_null()) aggs += first_is_set(vu[k]);
      }
    }
  }
  // Spider passes HAVING whole, connectors included: a string's first
  // character is never 0 there, so each "and"/"or" counts.
  for (size_t i = 0; i < size_of(having); ++i) aggs += having[i].is_string() ? 1 : first_is_set(having[i]);
  if (aggs > 1) ++c.others;
  if (size_of(items) > 1) ++c.others;
  if (size_of(where) > 1) ++c.others;
  if (size_of(group) > 1) ++c.others;
  return c;
}

Hardness spider_parsed_hardness(const json& sql) { return hardness_from_counts(count_parsed_hardness_components(sql)); }

Hardness spider_hardness(const std::string& sql) { return hardness_from_counts(count_hardness_components(sql)); }

Hardness hardness_from_counts(const HardnessCounts& c) {
  int c1 = c.component1, c2 = c.component2, o = c.others;
  if (c1 <= 1 && o == 0 && c2 == 0) return Hardness::kEasy;
  if ((o <= 2 && c1 <= 1 && c2 == 0) || (c1 <= 2 && o < 2 && c2 == 0)) return Hardness::kMedium;
  if ((o > 2 && c1 <= 2 && c2 == 0) || (c1 > 2 && c1 <= 3 && o <= 2 && c2 == 0) || (c1 <= 1 && o == 0 && c2 <= 1)) {
    return Hardness::kHard;
  }
  return Hardness::kExtra;
}

}  // namespace t2sql
