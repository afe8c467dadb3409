#include "generate/template_query_builder.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace t2sql::template_rules {

std::string TemplateQueryBuilder::col_sql(int t, int c, bool qualify) const {
  std::string name = d_.quote_identifier(col(t, c).name);
  if (!qualify) return name;
  return d_.quote_identifier(cat_.tables[t].name) + "." + name;
}

std::string TemplateQueryBuilder::expr_sql(const Expr& e, bool qualify) const {
  if (!e.raw.empty()) return qualify ? e.raw_qualified : e.raw;
  if (e.star) return e.agg == Agg::kCount ? "COUNT(*)" : "*";
  std::string base = col_sql(e.t, e.c, qualify);
  switch (e.part) {
    case DatePart::kYear: base = d_.year_of(base); break;
    case DatePart::kMonth: base = d_.month_of(base); break;
    case DatePart::kYearMonth: base = d_.year_month_of(base); break;
    case DatePart::kQuarter: base = d_.quarter_of(base); break;
    case DatePart::kHalf: base = d_.half_of(base); break;
    case DatePart::kWeekday: base = d_.weekday_of(base); break;
    default: break;
  }
  if (e.agg == Agg::kNone) return base;
  return std::string(agg_sql(e.agg)) + "(" + (e.distinct ? "DISTINCT " : "") + base + ")";
}

std::string TemplateQueryBuilder::cond_sql(const Cond& c, bool qualify) const {
  std::string lhs = expr_sql(c.lhs, qualify);
  if (c.op == "LIKE") return d_.like_ignore_case(lhs, c.rhs);
  return lhs + " " + c.op + " " + (c.rhs_expr ? expr_sql(*c.rhs_expr, qualify) : c.rhs);
}

std::vector<std::string> TemplateQueryBuilder::name_columns(Query& q) const {
  static const std::map<Agg, std::string> kPrefix = {
      {Agg::kSum, "total_"}, {Agg::kAvg, "average_"}, {Agg::kMin, "min_"}, {Agg::kMax, "max_"}};
  std::vector<std::string> names;
  for (auto& [p, e] : q.select) {
    std::string n = e.alias;
    if (n.empty() && e.agg == Agg::kNone && e.part == DatePart::kYear) n = "year";
    if (n.empty() && e.agg == Agg::kNone && e.part == DatePart::kQuarter) n = "quarter";
    if (n.empty() && e.agg == Agg::kNone && e.part == DatePart::kWeekday) n = "weekday";
    if (n.empty() && e.agg == Agg::kNone && (e.part == DatePart::kYearMonth || e.part == DatePart::kMonth)) n = "month";
    if (n.empty() && e.agg == Agg::kNone && !e.star && e.t >= 0) n = col(e.t, e.c).name;
    if (n.empty() && (e.star || e.t < 0 || e.agg == Agg::kCount)) n = "count";
    if (n.empty() && kPrefix.count(e.agg)) n = kPrefix.at(e.agg) + col(e.t, e.c).name;
    if (n.empty()) n = "value";
    std::string base = n;
    for (int k = 2; std::find(names.begin(), names.end(), n) != names.end(); ++k) n = base + "_" + std::to_string(k);
    e.alias = n;
    names.push_back(n);
  }
  return names;
}

// Whether joining the steps' tables repeats the rows of `table`: some table
// is reached from it (along the join tree) through a foreign key that points
// back towards it from a table where it is not the whole primary key (one row
// of `table`, many related rows).
bool TemplateQueryBuilder::join_repeats_rows(const std::vector<JoinGraph::Step>& steps, int table) const {
  std::vector<const JoinEdge*> edges;
  for (const auto& s : steps) {
    if (s.edge) edges.push_back(&*s.edge);
  }
  auto references = [&](int child, const std::vector<std::string>& child_cols, int parent) {
    const auto& ct = cat_.tables[child];
    for (const auto& fk : ct.foreign_keys) {
      if (fk.columns == child_cols && cat_.find_table(fk.ref_table) == &cat_.tables[parent]) return true;
    }
    return false;
  };
  std::vector<int> reached{table};
  std::vector<bool> done(edges.size(), false);
  for (size_t k = 0; k < reached.size(); ++k) {
    int u = reached[k];
    for (size_t i = 0; i < edges.size(); ++i) {
      if (done[i] || (edges[i]->from_table != u && edges[i]->to_table != u)) continue;
      done[i] = true;
      bool from_u = edges[i]->from_table == u;
      int v = from_u ? edges[i]->to_table : edges[i]->from_table;
      const auto& v_cols = from_u ? edges[i]->to_columns : edges[i]->from_columns;
      const auto& u_cols = from_u ? edges[i]->from_columns : edges[i]->to_columns;
      bool v_points_back = references(v, v_cols, u) && !references(u, u_cols, v);
      if (v_points_back && v_cols != cat_.tables[v].primary_key) return true;
      if (!contains_int(reached, v)) reached.push_back(v);
    }
  }
  return false;
}

std::string TemplateQueryBuilder::render(const Query& q) {
  std::vector<int> tables = q.tables;
  auto need = [&](const Expr& e) {
    if (!e.star && e.t >= 0 && !contains_int(tables, e.t)) tables.push_back(e.t);
  };
  for (const auto& [p, e] : q.select) need(e);
  for (const auto& g : q.where) {
    for (const auto& c : g) need(c.lhs);
  }
  for (const auto& e : q.group_by) need(e);
  for (const auto& c : q.having) need(c.lhs);
  for (const auto& [e, desc] : q.order_by) need(e);
  auto steps = joins_.connect(tables);
  if (!steps) {
    reason_ = "the tables the question names are not connected by foreign keys";
    return "";
  }
  bool qualify = steps->size() > 1;
  std::string sql = "SELECT ";
  // Rows of one table filtered through related rows repeat once per match:
  // "students who have a cat or a dog" lists each student once.
  // Rows reached only through their parents (an order's customer) do not
  // repeat, and are listed as stored.
  bool fan_out = false;
  if (qualify && q.group_by.empty() && q.limit < 0 && !q.select.empty()) {
    int only = q.select[0].second.t;
    bool single = only >= 0;
    for (const auto& [p, e] : q.select) single = single && e.agg == Agg::kNone && !e.star && e.t == only;
    fan_out = single && join_repeats_rows(*steps, only);
  }
  if (q.distinct || fan_out) sql += "DISTINCT ";
  std::set<std::string> names_used;
  for (size_t i = 0; i < q.select.size(); ++i) {
    sql += (i ? ", " : "") + expr_sql(q.select[i].second, qualify);
    const Expr& e = q.select[i].second;
    if (e.part == DatePart::kYear && e.agg == Agg::kNone && e.alias.empty())
      sql += " AS " + d_.quote_identifier("year");
    std::string alias = e.alias;
    if (alias.empty() && e.agg != Agg::kNone) alias = q.agg_alias;
    if (alias.empty() && e.agg != Agg::kNone && q.name_aggregates) {
      // A readable column name for the answer: SUM(amount) AS total_amount.
      static const std::map<Agg, std::string> kPrefix = {
          {Agg::kSum, "total_"}, {Agg::kAvg, "average_"}, {Agg::kMin, "min_"}, {Agg::kMax, "max_"}};
      if (e.star || e.t < 0) {
        alias = "count";
      } else if (e.agg == Agg::kCount) {
        // COUNT(DISTINCT store_id) AS store_count: not named like a key column.
        std::string n = col(e.t, e.c).name;
        for (const char* suffix : {"_id", "_ID", "Id", "ID", "id"}) {
          size_t len = std::char_traits<char>::length(suffix);
          if (n.size() > len && n.compare(n.size() - len, len, suffix) == 0) {
            n.resize(n.size() - len);
            break;
          }
        }
        alias = n + "_count";
      } else {
        alias = kPrefix.at(e.agg) + col(e.t, e.c).name;
      }
      std::string base = alias;
      for (int n = 2; names_used.count(alias); ++n) alias = base + "_" + std::to_string(n);
    }
    if (!alias.empty()) {
      names_used.insert(alias);
      sql += " AS " + d_.quote_identifier(alias);
    }
    if (alias.empty() && e.agg == Agg::kNone) {
      static const std::map<DatePart, std::string> kPartName = {{DatePart::kYearMonth, "month"},
                                                                {DatePart::kMonth, "month"},
                                                                {DatePart::kQuarter, "quarter"},
                                                                {DatePart::kHalf, "half"},
                                                                {DatePart::kWeekday, "weekday"}};
      if (auto n = kPartName.find(e.part); n != kPartName.end()) sql += " AS " + d_.quote_identifier(n->second);
    }
  }
  sql += " FROM " + d_.quote_identifier(cat_.tables[(*steps)[0].table].name);
  for (size_t i = 1; i < steps->size(); ++i) {
    const JoinEdge& e = *(*steps)[i].edge;
    sql += " JOIN " + d_.quote_identifier(cat_.tables[e.to_table].name) + " ON ";
    for (size_t k = 0; k < e.from_columns.size(); ++k) {
      sql += (k ? " AND " : "") + d_.quote_identifier(cat_.tables[e.from_table].name) + "." +
             d_.quote_identifier(e.from_columns[k]) + " = " + d_.quote_identifier(cat_.tables[e.to_table].name) + "." +
             d_.quote_identifier(e.to_columns[k]);
    }
  }
  auto cond_sql = [&](const Cond& c) { return this->cond_sql(c, qualify); };
  if (!q.where.empty()) {
    sql += " WHERE ";
    for (size_t i = 0; i < q.where.size(); ++i) {
      if (i) sql += " AND ";
      const auto& g = q.where[i];
      if (g.size() > 1) sql += "(";
      for (size_t k = 0; k < g.size(); ++k) sql += (k ? " OR " : "") + cond_sql(g[k]);
      if (g.size() > 1) sql += ")";
    }
  }
  if (!q.group_by.empty()) {
    sql += " GROUP BY ";
    for (size_t i = 0; i < q.group_by.size(); ++i) sql += (i ? ", " : "") + expr_sql(q.group_by[i], qualify);
    // ClickHouse wants every plain column of the projection grouped, even a
    // name beside the key that determines it (the groups stay the same).
    if (d_.engine() == Dialect::Engine::kClickHouse) {
      for (const auto& [pos, e] : q.select) {
        if (e.agg != Agg::kNone || e.star || !e.raw.empty() || e.t < 0) continue;
        if (std::find(q.group_by.begin(), q.group_by.end(), e) != q.group_by.end()) continue;
        Expr plain = e;
        plain.alias.clear();
        if (std::find(q.group_by.begin(), q.group_by.end(), plain) == q.group_by.end()) {
          sql += ", " + expr_sql(plain, qualify);
        }
      }
    }
  }
  if (!q.having.empty()) {
    sql += " HAVING ";
    for (size_t i = 0; i < q.having.size(); ++i) sql += (i ? " AND " : "") + cond_sql(q.having[i]);
  }
  if (!q.order_by.empty()) {
    sql += " ORDER BY ";
    for (size_t i = 0; i < q.order_by.size(); ++i) {
      sql += (i ? ", " : "") + expr_sql(q.order_by[i].first, qualify) + (q.order_by[i].second ? " DESC" : "");
    }
  }
  if (q.limit > 0) sql += d_.limit(q.limit);
  return sql;
}

}  // namespace t2sql::template_rules
