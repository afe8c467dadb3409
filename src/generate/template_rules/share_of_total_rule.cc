// "What share of revenue does each region account for?", "what percentage
// of stores are in the South region?": a part of a total, as a percentage.
// Per group: each group's total over the total of all groups (the same
// filters). With no group: the rows a value condition picks over all rows
// (the other filters, such as a year, apply to both), or, with no value
// condition, the days of the week ("made on weekends") the question names.
#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

namespace t2sql::template_rules {

bool TemplateQueryBuilder::rule_share_of_total(std::string& nested_sql) {
  (void)nested_sql;
  // "share of", "percentage of", "% of"; not "the black percentage" (a
  // column described), nor a question about a column that holds shares.
  std::vector<size_t> cues;
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (consumed_[i] && toks_[i].text != "%") continue;
    if (item_covering(i) || lw(i + 1) != "of") continue;
    if (!lexicon::kShare.count(lw(i)) && toks_[i].text != "%") continue;
    Item* before = i > 0 ? item_covering(i - 1) : nullptr;
    if (before && before->kind == ItemKind::kColumn) continue;
    cues.push_back(i);
  }
  if (cues.empty() || yoy_case_) return false;
  for (int t : q_.tables) {
    for (size_t c = 0; t >= 0 && c < cat_.tables[t].columns.size(); ++c) {
      for (const auto& w : linker_.column_words(t, static_cast<int>(c))) {
        if (lexicon::kShare.count(w)) return false;
      }
    }
  }
  // Built on a copy: the query stays as it was when the rule does not apply.
  Query q = q_;
  // The figure the share is taken of: one SUM or COUNT.
  auto figure = q.select.end();
  int figures = 0;
  for (auto it = q.select.begin(); it != q.select.end(); ++it) {
    if (it->second.agg == Agg::kNone) continue;
    ++figures;
    if ((it->second.agg == Agg::kSum || it->second.agg == Agg::kCount) && it->second.raw.empty()) figure = it;
  }
  if (figures == 0 && q.group_by.empty() && q.having.empty()) {
    // "what percentage of stores are in the South": a share of the rows
    // named after "of" (not "the percentage of hispanics": a column's values).
    // "what percentage of fees came from Mystery books": the total of a
    // measure column named there.
    Item* of = next_item(cues[0] + 2, 1);
    if (!of || of->t < 0) return false;
    Expr whole{.agg = Agg::kCount, .star = true, .t = of->t};
    if (of->kind == ItemKind::kColumn && of->c >= 0 && is_measure(of->t, of->c)) {
      whole = Expr{.agg = Agg::kSum, .t = of->t, .c = of->c};
    } else if (of->kind != ItemKind::kTable) {
      return false;
    }
    q.select = {{0, whole}};
    q.order_by.clear();
    q.limit = -1;
    q.distinct = false;
    figure = q.select.begin();
    figures = 1;
  }
  if (figures != 1 || figure == q.select.end() || q.limit > 0 || !q.having.empty()) return false;
  const Expr a = figure->second;
  // The conditions that pick the part: values of text columns ("from
  // Mystery books", "in the South region"); those on dates filter the whole
  // too. A comparison of numbers ("cities with a black percentage over 10")
  // leaves the reading open: no rule.
  std::vector<size_t> part, days_of_week;
  for (size_t g = 0; g < q.where.size(); ++g) {
    bool dated = false, value = true, weekday = true;
    for (const auto& c : q.where[g]) {
      bool column = c.lhs.t >= 0 && !c.lhs.star && c.lhs.raw.empty();
      dated = dated || c.lhs.part != DatePart::kNone || (column && is_date(c.lhs.t, c.lhs.c));
      value = value && column && c.lhs.part == DatePart::kNone && !is_numeric(c.lhs.t, c.lhs.c) &&
              (c.op == "=" || c.op == "IN" || c.op == "LIKE");
      weekday = weekday && c.lhs.part == DatePart::kWeekday;
    }
    if (weekday) days_of_week.push_back(g);
    if (dated) continue;
    if (!value) return false;
    part.push_back(g);
  }
  // "What percentage of tickets were sold on weekends?": with no other part,
  // the days of the week pick the rows counted. Of a total ("percentage of
  // sales" read as the sales amount) it is left unread: the count is as
  // likely meant.
  if (q.group_by.empty() && part.empty() && days_of_week.size() == 1 && a.agg == Agg::kCount) part = days_of_week;
  Expr share = a;
  share.alias = "share_pct";
  if (!q.group_by.empty() && part.empty()) {
    Query whole = q;
    whole.select = {{0, a}};
    whole.group_by.clear();
    whole.order_by.clear();
    whole.limit = -1;
    whole.distinct = false;
    whole.name_aggregates = false;
    std::string total = render(whole);
    if (total.empty()) return false;
    share.raw = expr_sql(a, false) + " * 100.0 / (" + total + ")";
    share.raw_qualified = expr_sql(a, true) + " * 100.0 / (" + total + ")";
  } else if (q.group_by.empty() && part.size() == 1) {
    const auto& group = q.where[part[0]];
    for (const auto& c : group) {
      if (c.lhs.t >= 0 && !contains_int(q.tables, c.lhs.t)) q.tables.push_back(c.lhs.t);
    }
    auto sql_of = [&](bool qualify) {
      std::string when;
      for (size_t k = 0; k < group.size(); ++k) when += (k ? " OR " : "") + cond_sql(group[k], qualify);
      std::string value = a.star || a.agg == Agg::kCount ? "1" : col_sql(a.t, a.c, qualify);
      if (a.agg == Agg::kCount && !a.star) {
        value = "CASE WHEN " + col_sql(a.t, a.c, qualify) + " IS NULL THEN 0 ELSE 1 END";
      }
      return "SUM(CASE WHEN " + when + " THEN " + value + " ELSE 0 END) * 100.0 / " + expr_sql(a, qualify);
    };
    if (a.distinct) return false;  // a share of distinct values needs the part's own DISTINCT
    share.raw = sql_of(false);
    share.raw_qualified = sql_of(true);
    q.where.erase(q.where.begin() + static_cast<std::ptrdiff_t>(part[0]));
  } else {
    return false;  // several parts, or parts within groups: not one reading
  }
  figure->second = share;
  for (auto& [e, desc] : q.order_by) {
    if (e == a) e = share;
  }
  q_ = std::move(q);
  for (size_t i : cues) consumed_[i] = true;
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (lexicon::kShareVerbs.count(lw(i)) && !item_covering(i)) consumed_[i] = true;
  }
  return true;
}

}  // namespace t2sql::template_rules
