// The projection: named columns, group keys, aggregates, counts (of a
// snapshot: distinct entities at its latest date), a measure named alone
// ("sales in March": its total), or the main table's name column.
#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace t2sql::template_rules {

bool TemplateQueryBuilder::pass_projection() {
  // The projection.
  std::vector<std::pair<size_t, Expr>> sel;
  bool grouped = !shape_.group_exprs.empty() || !q_.group_by.empty();
  // "the names of counties", "the advisor of Linda Smith": a key column
  // linked from the entity's own noun names whose rows are meant, not a
  // column to show, when other columns are shown.
  auto entity_key = [&](const std::pair<size_t, Expr>& p) {
    const Expr& e = p.second;
    if (e.agg != Agg::kNone || e.star || e.t < 0 || e.part != DatePart::kNone || !is_key(e.t, e.c)) return false;
    if (e.c == name_column(e.t)) return false;
    Item* it = item_at(p.first);
    if (!it || it->kind != ItemKind::kColumn) return false;
    // "the makers and models", "the id and star rating": listed, so asked for.
    auto joint = [&](size_t k) { return lw(k) == "and" || (k < toks_.size() && toks_[k].text == ","); };
    size_t before = it->begin > 0 && lw(it->begin - 1) == "the" ? it->begin - 1 : it->begin;
    if (joint(it->end) || (before > 0 && joint(before - 1))) return false;
    std::set<std::string> said;
    for (size_t k = it->begin; k < it->end; ++k) {
      if (lexicon::kIdentifierWords.count(nw(k)) || nw(k) == "name" || nw(k) == "title") return false;
      said.insert(nw(k));
    }
    // Every word of the column said ("calendar dates"): the column itself.
    bool whole = true;
    for (const auto& w : linker_.column_words(e.t, e.c)) whole = whole && said.count(w) > 0;
    return !whole;
  };
  // "the founded year for the school with the largest enrollment", "the
  // maximum enrollment across all schools": the entity's name column, named
  // after what is asked of it, names the rows.
  auto entity_name = [&](const std::pair<size_t, Expr>& p) {
    const Expr& e = p.second;
    if (e.agg != Agg::kNone || e.star || e.t < 0 || e.part != DatePart::kNone || e.c != name_column(e.t)) return false;
    Item* it = item_at(p.first);
    if (!it || it->kind != ItemKind::kColumn || it->begin < 2 || nw(it->begin) == "name") return false;
    const std::string& article = lw(it->begin - 1);
    const std::string& prep = lw(it->begin - 2);
    if (!((article == "the" || article == "all") && (prep == "of" || prep == "for" || prep == "across"))) return false;
    bool asked_before = !shape_.aggs.empty() && shape_.aggs.front().first < it->begin;
    for (const auto& q : shape_.plain) asked_before |= q.first < it->begin && !(q.second == e);
    return asked_before;
  };
  size_t shown_plain = 0;
  for (const auto& p : shape_.plain) shown_plain += !entity_key(p) && !entity_name(p);
  // "the maximum price of wines from the Central Coast area made before
  // 2005": with figures and no groups, a column the conditions already fix
  // is not shown beside them.
  auto fixed_by_condition = [&](const std::pair<size_t, Expr>& p) {
    if (grouped || (shape_.aggs.empty() && !count_measure_) || p.second.agg != Agg::kNone || p.second.star)
      return false;
    for (const auto& g : q_.where) {
      for (const auto& c : g) {
        if (c.lhs.t == p.second.t && c.lhs.c == p.second.c && c.lhs.part == DatePart::kNone) return true;
      }
    }
    return false;
  };
  for (const auto& p : shape_.plain) {
    if (fixed_by_condition(p)) continue;
    if ((shown_plain > 0 || !shape_.aggs.empty()) && (entity_key(p) || entity_name(p))) {
      notes_.push_back("'" + col(p.second.t, p.second.c).name + "' read as the rows meant, not a column shown");
      features_["entity_keys_dropped"] += 1;
      continue;
    }
    // A grouped column named in the projection is the group key itself.
    bool is_group = std::find(shape_.groups.begin(), shape_.groups.end(), p.second) != shape_.groups.end();
    if (!is_group && grouped && shape_.aggs.empty() && !count_) {
      // "sales by region" where sales linked as a column: the measure.
      if (is_measure(p.second.t, p.second.c)) {
        Expr m = p.second;
        m.agg = Agg::kSum;
        shape_.aggs.push_back({p.first, m});
        measure_ = m;
        has_measure_ = true;
        continue;
      }
    }
    sel.push_back(p);
  }
  for (const auto& g : shape_.groups) {
    bool present = false;
    for (const auto& s : sel) present = present || s.second == g;
    size_t gi = &g - shape_.groups.data();
    if (!present) sel.insert(sel.begin(), {shape_.group_pos.count(gi) ? shape_.group_pos[gi] : 0, g});
  }
  for (const auto& a : shape_.aggs) {
    // "how many units of each product were sold": the units counted are the
    // figure; the table the verb names ("sold") adds no total of its own.
    Item* said = item_at(a.first);
    if (count_measure_ && said && said->kind == ItemKind::kTable && a.second.t == count_measure_->t &&
        a.second.agg == Agg::kSum && !(a.second == *count_measure_))
      continue;
    sel.push_back(a);
  }
  if (count_measure_) sel.push_back({count_pos_, *count_measure_});
  // Entities present in a snapshot table (date column, entity column):
  // distinct entities, at the latest snapshot unless the question names a time.
  auto count_in_snapshot = [&](std::pair<int, int> snap) {
    if (!time_filtered_ && group_part_ == DatePart::kNone) {
      q_.where.push_back({{Expr{.t = focus_, .c = snap.first}, "=",
                           "(SELECT MAX(" + col_sql(focus_, snap.first, false) + ") FROM " +
                               d_.quote_identifier(cat_.tables[focus_].name) + ")"}});
    }
    return Expr{.agg = Agg::kCount, .distinct = true, .t = focus_, .c = snap.second};
  };
  if (count_ && count_periods_) {
    int dc = date_column_for(focus_);
    if (dc >= 0) {
      // "In how many months was the store active": the different periods.
      Expr period = period_expr(dc / 1000, dc % 1000, count_periods_part_);
      period.agg = Agg::kCount;
      period.distinct = true;
      sel.push_back({1000, period});
      count_ = false;
      time_filtered_ = true;
    }
  }
  if (count_) {
    Expr c{.agg = Agg::kCount, .star = true};
    auto snap = snapshot_columns(focus_);
    if (snap) {
      c = count_in_snapshot(*snap);
    } else if (count_distinct_) {
      int n = name_column(focus_);
      if (n >= 0) c = Expr{.agg = Agg::kCount, .distinct = true, .t = focus_, .c = n};
    }
    size_t pos = count_is_question_ ? 1000 : count_pos_;
    if (count_distinct_col_ && !snap) c = *count_distinct_col_;
    // Plain columns in a count question are grouping keys ("how many singers
    // from each country": the country is grouped, not projected alone).
    sel.push_back({pos, c});
    if (!grouped && !shape_.plain.empty()) {
      penalize(0.2, "columns named beside a count");
      for (const auto& p : shape_.plain) {
        if (!is_date(p.second.t, p.second.c) && !is_measure(p.second.t, p.second.c))
          shape_.group_exprs.push_back(p.second);
      }
      grouped = !shape_.group_exprs.empty();
    }
  } else if (grouped && shape_.aggs.empty() && !shape_.super_count && !shape_.aggregate_order &&
             sel.size() == shape_.group_exprs.size() + (shape_.entity_group ? 1 : 0)) {
    // "Active stores by region", "singers by country": count per group;
    // with a measure table, its measure.
    Expr c{.agg = Agg::kCount, .star = true};
    auto snap = snapshot_columns(focus_);
    if (snap) c = count_in_snapshot(*snap);
    sel.push_back({1000, c});
    if (!snap) penalize(0.1, "assumed a count per group");
  }
  // "the 3 most expensive products and their prices": the products by name too.
  for (const auto& it : items_) {
    bool with_their =
        (lw(it.end) == "and" || lw(it.end) == "with") && (lw(it.end + 1) == "their" || lw(it.end + 1) == "its");
    with_their =
        with_their || (at(it.end, {"along", "with"}) && (lw(it.end + 2) == "their" || lw(it.end + 2) == "its"));
    if (it.kind != ItemKind::kTable || it.t != focus_ || !with_their) {
      continue;
    }
    int n = name_column(focus_);
    bool has = false;
    for (const auto& x : sel) has = has || (x.second.t == focus_ && x.second.c == n);
    if (n >= 0 && !has) sel.push_back({it.begin, Expr{.t = focus_, .c = n}});
  }
  bool listing = lw(0) == "list" || lw(0) == "show" || lw(0) == "display" || at(0, {"give", "me", "all"});
  // "Which products does Lego sell?": entities asked for, not a total.
  Item* asked = (lw(0) == "which" || lw(0) == "what") ? item_at(1) : nullptr;
  bool asks_entities = asked && (asked->kind == ItemKind::kTable || asked->kind == ItemKind::kColumn) &&
                       !(asked->kind == ItemKind::kTable && shape_.idle_measure && asked->t == shape_.idle_measure->t);
  if (shape_.idle_measure && !count_ && shape_.aggs.empty() && !listing && !asks_entities && (sel.empty() || grouped) &&
      shape_.orders.empty() && !having_subject_) {
    // "Sales in March 2024", "sales last year": the total of the measure.
    sel.push_back({1000, *shape_.idle_measure});
    measure_ = *shape_.idle_measure;
    has_measure_ = true;
  }
  if (grouped && sel.size() == shape_.group_exprs.size() && shape_.idle_measure && shape_.aggs.empty() && !count_ &&
      shape_.orders.empty() && !shape_.super_count && !having_subject_) {
    sel.push_back({1000, *shape_.idle_measure});
  }
  if (sel.empty() && q_.select.empty()) {
    // Nothing named to show: the main table's name column, or all columns.
    int n = name_column(focus_);
    if (shape_.orders.size() == 1 && shape_.orders[0].first.agg == Agg::kNone && !shape_.orders[0].first.star &&
        shape_.limit == 1 && !shape_.super_count) {
      // "the highest capacity": MAX/MIN of that column.
      Expr m = shape_.orders[0].first;
      m.agg = shape_.orders[0].second ? Agg::kMax : Agg::kMin;
      // "The product with the largest unit price": the product is asked for.
      bool entity_with = false;
      for (const auto& it : items_) {
        entity_with = entity_with || (it.kind == ItemKind::kTable && it.t == focus_ && lw(it.end) == "with");
      }
      bool asks_which =
          lw(0) == "which" || lw(0) == "who" || any_word({"name", "names"}) || implied_order_ || entity_with;
      if (!asks_which) {
        sel.push_back({0, m});
        shape_.orders.clear();
        shape_.limit = -1;
      }
    }
    if (int ent = snapshot_entity_table(focus_); sel.empty() && n < 0 && ent >= 0 && name_column(ent) >= 0) {
      // "stores active in July 2023": the entities of the snapshot, by name.
      sel.push_back({0, Expr{.t = ent, .c = name_column(ent)}});
      add_table(ent);
    }
    if (sel.empty()) {
      if (n >= 0) {
        sel.push_back({0, Expr{.t = focus_, .c = n}});
      } else {
        sel.push_back({0, Expr{.star = true}});
      }
      penalize(0.15,
               "no column named to show; showing " + (n >= 0 ? col(focus_, n).name : std::string("every column")));
    }
  }
  std::stable_sort(sel.begin(), sel.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& s : sel) {
    bool dup = false;
    for (const auto& have : q_.select) dup = dup || have.second == s.second;
    if (!dup) q_.select.push_back(s);
  }
  // Date-part groups come first in the projection.
  std::stable_partition(q_.select.begin(), q_.select.end(), [&](const auto& s) {
    return (s.second.part != DatePart::kNone || (time_order_ && s.second == *time_order_)) &&
           s.second.agg == Agg::kNone;
  });
  // Then the other group keys, then the figures ("region, total_amount").
  if (!q_.group_by.empty() || !shape_.group_exprs.empty()) {
    std::stable_partition(q_.select.begin(), q_.select.end(),
                          [](const auto& s) { return s.second.agg == Agg::kNone && !s.second.star; });
  }
  return true;
}

}  // namespace t2sql::template_rules
