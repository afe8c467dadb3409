// Walks the question's words and items in order and gives each a role:
// aggregate cues ("average", "total"), groupings ("by", "per", "each"),
// orderings ("sorted by", "descending"), superlatives ("highest",
// "oldest"), negations ("without", "never", "no"), measure tables ("total
// sales"), projected, grouped, ordered and aggregated columns.
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

bool TemplateQueryBuilder::pass_roles() {
  // The column a superlative implies ("oldest": age, or the birth date the
  // other way round; "latest": the date column), of the main table or one
  // the question names.
  auto implied_column = [&](const Superlative& sup, int& t_found, int& c_found, bool& desc) {
    for (const auto& c : linker_.match_words(sup.implied)) {
      if (c.column >= 0 && (c.table == focus_ || contains_int(mentioned_tables_, c.table))) {
        c_found = c.column;
        t_found = c.table;
        break;
      }
    }
    if (c_found < 0 && sup.implied[0] == "age") {
      // No age: the birth date or year, the other way round.
      for (const auto& words :
           {std::vector<std::string>{"birth", "date"}, std::vector<std::string>{"date", "of", "birth"},
            std::vector<std::string>{"birth", "year"}, std::vector<std::string>{"birthday"},
            std::vector<std::string>{"dob"}}) {
        for (const auto& c : linker_.match_words(words)) {
          if (c.column >= 0 && c.table == focus_ && c_found < 0) {
            c_found = c.column;
            t_found = c.table;
            desc = !desc;
          }
        }
      }
    }
    if (c_found < 0 && sup.implied[0] == "date") {
      int dc = date_column_for(focus_);
      if (dc >= 0) {
        t_found = dc / 1000;
        c_found = dc % 1000;
      }
    }
    return c_found >= 0;
  };
  for (size_t i = 0; i < toks_.size(); ++i) {
    const std::string& w = lw(i);
    if (time_tokens_.count(i) || cond_tokens_.count(i)) continue;
    // "the product with (the) maximum unit price": a superlative, not MAX().
    bool with_extreme = (lw(i) == "maximum" || lw(i) == "minimum" || lw(i) == "max" || lw(i) == "min") &&
                        (lw(i - 1) == "with" || (lw(i - 1) == "the" && lw(i - 2) == "with"));
    if (Agg a = agg_word(i);
        a != Agg::kNone && !(a == Agg::kMax && shape_.pending_super) && !at(i, {"total", "number"}) && !with_extreme) {
      // "the sum of total pounds" (total_pounds), "in order of total
      // points": the cue word is the first word of a column's name, not an
      // aggregate; the column is read next (with the cue before it, if any).
      Item* named = item_at(i);
      bool in_name = named && named->kind == ItemKind::kColumn && named->t >= 0 && named->end > i + 1 &&
                     !super_word(i) && contains(linker_.column_words(named->t, named->c), nw(i));
      if (!in_name) {
        shape_.pending_aggs.push_back(a);
        consumed_[i] = true;
        continue;
      }
    }
    if (w == "by" && shape_.sort_verb) {
      shape_.pending_order = true;
      shape_.sort_verb = false;
      consumed_[i] = true;
      continue;
    }
    if (w == "by" && lw(i + 1) == "how" && lw(i + 2) == "much") {
      consumed_[i] = true;  // "by how much": an amount of change, not a grouping
      continue;
    }
    if ((w == "per" || w == "each" || w == "every") && !item_covering(i + 1) && !item_covering(i + 2) &&
        (nw(i + 1) == "transaction" || nw(i + 1) == "record" || nw(i + 1) == "row" || nw(i + 1) == "entry")) {
      // "average quantity per transaction": per row of the table, no grouping.
      consumed_[i] = consumed_[i + 1] = true;
      ++i;
      continue;
    }
    if (w == "each" || w == "per" || (w == "every" && lw(i - 1) == "for") || (w == "by" && !shape_.pending_order) ||
        (w == "for" && (lw(i + 1) == "each" || lw(i + 1) == "every"))) {
      // "ordered by", "sorted by": an ordering; "owned by": a relation.
      bool order_by =
          i > 0 && (lw(i - 1) == "ordered" || lw(i - 1) == "sorted" || lw(i - 1) == "order" || lw(i - 1) == "sort" ||
                    lw(i - 1) == "ranked" || lw(i - 1) == "rank" || lw(i - 1) == "arranged");
      if (order_by) {
        shape_.pending_order = true;
        consumed_[i] = consumed_[i - 1] = true;
        continue;
      }
      // "made by Samsung" names a maker; "units sold by category" groups.
      Item* by_what = item_at(i + 1);
      bool relation = w == "by" && i > 0 && lw(i - 1).size() > 2 &&
                      ((lw(i - 1).size() > 3 && lw(i - 1).substr(lw(i - 1).size() - 2) == "ed") ||
                       (lexicon::kParticiples.count(lw(i - 1)) > 0 && by_what &&
                        (by_what->kind == ItemKind::kValue ||
                         // "papers written by authors": related rows, named in the plural.
                         (by_what->kind == ItemKind::kTable && by_what->end == by_what->begin + 1 &&
                          lw(by_what->begin) != nw(by_what->begin)))));
      if (!relation) {
        shape_.pending_group = true;
        consumed_[i] = true;
      }
      continue;
    }
    // "the name, class and rank of all captains": a column named rank.
    bool rank_column = w == "rank" && item_covering(i) && item_covering(i)->kind == ItemKind::kColumn &&
                       lw(i + 1) != "by" && lw(i + 1) != "in";
    if (!rank_column &&
        (w == "order" || w == "sorted" || w == "ordered" || w == "sort" || w == "arrange" || w == "rank")) {
      // "sort X by Y": the ordering starts at "by".
      if (lw(i + 1) == "by" || lw(i + 1) == "of" || lw(i + 1) == "in" || w == "order")
        shape_.pending_order = true;
      else
        shape_.sort_verb = true;
      consumed_[i] = true;
      continue;
    }
    if (w == "descending" || w == "desc" || w == "decreasing" || w == "reverse") {
      shape_.order_desc = true;
      consumed_[i] = true;
      if (!shape_.orders.empty()) shape_.orders.back().second = true;
      continue;
    }
    if (w == "ascending" || w == "asc" || w == "increasing" || w == "alphabetical" || w == "alphabetically" ||
        w == "lexicographical") {
      consumed_[i] = true;
      if (w.rfind("alphabet", 0) == 0 || w == "lexicographical") shape_.alpha_order = true;
      continue;
    }
    if (w == "different" || w == "distinct" || w == "unique") {
      shape_.distinct = true;
      consumed_[i] = true;
      continue;
    }
    bool not_then_table = false;
    if (w == "not" || w == "don't" || w == "doesn't" || w == "didn't" || w == "haven't" || w == "hasn't") {
      Item* next = next_item(i + 1, 3);
      if (!next) {
        // "do not participate in any activity": a verb and its preposition
        // before the related table, within the same clause.
        for (size_t k = i + 1; k < std::min(toks_.size(), i + 6) && !next; ++k) {
          if (toks_[k].kind == QuestionTokenKind::kPunct || lexicon::kClauseWords.count(lw(k))) break;
          next = item_at(k);
        }
      }
      not_then_table = next && !cond_tokens_.count(i) && (next->kind == ItemKind::kTable || related_column(*next));
    }
    if (w == "no" && i > 0) {
      // "stores that had no sales", "made no sales in 2023": "no" right before a
      // related table is a negation whatever verb precedes it.
      Item* next = next_item(i + 1, 2);
      not_then_table = next && !cond_tokens_.count(i) && (next->kind == ItemKind::kTable || related_column(*next));
    }
    if (w == "without" || w == "never" || not_then_table ||
        (w == "no" && i > 0 && (lw(i - 1) == "have" || lw(i - 1) == "has" || lw(i - 1) == "with"))) {
      shape_.pending_neg = true;
      shape_.neg_seen = true;
      consumed_[i] = true;
      continue;
    }
    if (auto s = super_word(i); s && (lw(i - 1) == "from" || lw(i - 2) == "from") &&
                                (shape_.pending_order || shape_.sort_verb || !shape_.orders.empty())) {
      if (shape_.orders.empty() && !shape_.pending_order) list_desc_ = s->desc;  // "sorted from highest to lowest"
      shape_.sort_verb = false;
      // "ordered by age from the oldest to the youngest": a direction.
      bool desc = s->desc;
      if (s->implied.size() == 1 && s->implied[0] == "age" && !shape_.orders.empty() &&
          !shape_.orders.back().first.star) {
        const auto& w = linker_.column_words(shape_.orders.back().first.t, shape_.orders.back().first.c);
        if (!contains(w, "age")) desc = !desc;  // oldest first by birth date is ascending
      }
      if (!shape_.orders.empty()) shape_.orders.back().second = desc;
      shape_.order_desc = desc;
      consumed_[i] = true;
      for (size_t k = i + 1; k < std::min(toks_.size(), i + 4); ++k) {
        if (lw(k) == "to" || lw(k) == "the" || super_word(k)) consumed_[k] = true;
        if (super_word(k)) {
          i = k;
          break;
        }
      }
      continue;
    }
    if (auto s = super_word(i); s && (lw(i + 1) == "first" || lw(i + 1) == "last") && s->implied.empty()) {
      // "highest first": the direction of the listing, not a single row.
      consumed_[i] = consumed_[i + 1] = true;
      list_desc_ = lw(i + 1) == "first" ? s->desc : !s->desc;
      ++i;
      continue;
    }
    if (auto s = super_word(i);
        s && s->implied.empty() && !shape_.after_boundary && !shape_.ranking && superlative_in_list(i)) {
      // "the highest, lowest and average cost": figures of the rows, listed.
      shape_.pending_aggs.push_back(s->desc ? Agg::kMax : Agg::kMin);
      consumed_[i] = true;
      continue;
    }
    if (auto s = super_word(i); s && !shape_.after_boundary && !shape_.ranking && extremes_in_list(i)) {
      // "the ages of the oldest and youngest students", "the average and
      // oldest age": figures of the rows (MAX and MIN), not one row ranked.
      int t_found = -1, c_found = -1;
      bool desc = s->desc;
      bool other_columns = false;  // "the names of the oldest and youngest": a row at each end
      if (implied_column(*s, t_found, c_found, desc)) {
        for (const auto& p : shape_.plain) {
          other_columns = other_columns || p.second.t != t_found || p.second.c != c_found;
        }
      }
      if (c_found >= 0 && !other_columns) {
        Expr e{.agg = desc ? Agg::kMax : Agg::kMin, .t = t_found, .c = c_found};
        // "the ages of ...": the column said before the pair is the figures' own.
        shape_.plain.clear();
        shape_.aggs.push_back({i, e});
        shape_.figure_column = Expr{.t = t_found, .c = c_found};
        if (is_measure(t_found, c_found)) {
          measure_ = e;
          has_measure_ = true;
        }
        consumed_[i] = true;
        if (lw(i - 1) == "the") consumed_[i - 1] = true;
        continue;
      }
      if (c_found >= 0 && !shape_.extremes_of_rows) {
        shape_.extremes_of_rows = true;
        penalize(0.5, "the rows at both extremes asked at once");
      }
    }
    if (auto s = super_word(i)) {
      consumed_[i] = true;
      s->at = i;
      if (lw(i) == "most" && (lw(i + 1) == "recent" || lw(i + 1) == "recently" || lw(i + 1) == "expensive")) {
        consumed_[i + 1] = true;
      }
      if (lw(i) == "least" && lw(i + 1) == "expensive") consumed_[i + 1] = true;
      // "bottom 3", "worst 2": the ranking's head word already set its direction.
      if (shape_.ranking && (lw(i) == "top" || lw(i) == "bottom" || lw(i) == "worst" || lw(i) == "best")) {
        Item* n = item_at(i + 1);
        if (lw(i) == "top" || (n && n->kind == ItemKind::kNumber)) continue;
      }
      if (s->implied.empty()) {
        shape_.pending_super = s;
        continue;
      }
      // "oldest", "youngest": the implied column of the main table.
      int c_found = -1, t_found = -1;
      bool desc = s->desc;
      if (!implied_column(*s, t_found, c_found, desc)) {
        penalize(0.6, "no column for '" + lw(i) + "'");
        continue;
      }
      if (figure_per_group(i, i, true)) {
        // "how old is the youngest person for each job": MIN(age) per job.
        Expr e{.agg = desc ? Agg::kMax : Agg::kMin, .t = t_found, .c = c_found};
        shape_.aggs.push_back({i, e});
        shape_.figure_column = Expr{.t = t_found, .c = c_found};
        std::erase_if(shape_.plain, [&](const auto& p) { return p.second == *shape_.figure_column; });
        consumed_[1] = true;  // "old" of "how old"
        continue;
      }
      shape_.orders.push_back({Expr{.t = t_found, .c = c_found}, desc});
      implied_order_ = true;
      if (shape_.limit < 0) shape_.limit = 1;
      continue;
    }
    if (w == "where" || w == "whose" || w == "who" || w == "which" || w == "that" || w == "with" || w == "having") {
      if (!shape_.plain.empty() || !shape_.aggs.empty() || count_) shape_.after_boundary = true;
      continue;
    }

    Item* it = item_at(i);
    if (!it) {
      if (auto e = listed_attribute(i)) {
        shape_.plain.push_back({i, *e});
        consumed_[i] = true;
      }
      continue;
    }
    i = it->end - 1;
    if (it->kind == ItemKind::kNumber || it->kind == ItemKind::kValue || it->kind == ItemKind::kQuoted) continue;
    if (having_items_.count(it->begin)) {
      shape_.pending_aggs.clear();  // "total sales over 1,500,000": the HAVING's total, not a column
      continue;
    }

    if (it->kind == ItemKind::kTable) {
      int measure_c = measure_of_table_item(*it);
      if (rank_by_count_ && it->begin >= count_pos_ && it->begin <= count_pos_ + 2 && !shape_.super_count) {
        // "top 5 stores by number of sales", "the highest number of concerts"
        shape_.super_count = true;
        super_count_table_ = it->t;
        shape_.super_desc = shape_.pending_super ? shape_.pending_super->desc : shape_.limit_desc;
        shape_.pending_super.reset();
        shape_.pending_group = false;
        add_table(it->t);
        it->used = true;
        continue;
      }
      if (shape_.pending_neg && it->t != focus_) {
        shape_.neg_table = it->t;
        shape_.pending_neg = false;
        it->used = true;
        continue;
      }
      if (shape_.pending_group && measure_c >= 0 && lw(it->begin - 1) == "by") {
        // "top 5 brands by revenue": the measure to rank by, not a grouping.
        shape_.pending_group = false;
        Expr m{.agg = shape_.pending_aggs.empty() ? Agg::kSum : shape_.pending_aggs.back(), .t = it->t, .c = measure_c};
        shape_.pending_aggs.clear();
        shape_.aggs.push_back({it->begin, m});
        measure_ = m;
        has_measure_ = true;
        add_table(it->t);
        it->used = true;
        continue;
      }
      if (shape_.pending_group) {
        shape_.pending_group = false;
        it->used = true;
        shape_.entity_group = true;
        shape_.group_entity = it->t;
        shape_.entity_pos = it->begin;
        add_table(it->t);
        continue;
      }
      if (shape_.pending_super && shape_.pending_super->count_words && measure_c < 0 &&
          (it->t != focus_ || (!shape_.plain.empty() && shape_.plain[0].second.t == it->t))) {
        shape_.super_count = true;
        super_count_table_ = it->t;
        shape_.super_desc = shape_.pending_super->desc;
        shape_.pending_super.reset();
        add_table(it->t);
        it->used = true;
        continue;
      }
      {
        Item* prev = nullptr;
        for (auto& other : items_) {
          if (other.end <= it->begin && other.end + 1 >= it->begin && other.kind == ItemKind::kColumn) prev = &other;
        }
        if (prev && prev->t == it->t && measure_c >= 0 && is_measure(prev->t, prev->c)) measure_c = -1;
      }
      // A measure table: "total sales", "sales by region", "top brands by revenue".
      bool wants_measure = !shape_.pending_aggs.empty() || shape_.pending_super ||
                           (!count_ && (grouping_words() || shape_.ranking || yoy_ || group_part_ != DatePart::kNone) &&
                            (it->t != focus_ || focus_ == it->t));
      if (measure_c >= 0 && wants_measure && !(count_ && next_item(count_pos_, 4) == it)) {
        Expr m{.t = it->t, .c = measure_c};
        m.agg = shape_.pending_aggs.empty() ? Agg::kSum : shape_.pending_aggs.back();
        if (shape_.pending_super) {
          // "the highest average sale", "the lowest total revenue": ranked by that aggregate.
          shape_.orders.push_back({m, shape_.pending_super->desc});
          shape_.pending_super.reset();
          if (shape_.limit < 0) shape_.limit = 1;
        } else {
          for (Agg a : shape_.pending_aggs) {
            Expr e = m;
            e.agg = a;
            shape_.aggs.push_back({it->begin, e});
          }
          if (shape_.pending_aggs.empty()) shape_.aggs.push_back({it->begin, m});
        }
        shape_.pending_aggs.clear();
        measure_ = m;
        has_measure_ = true;
        add_table(it->t);
        it->used = true;
        continue;
      }
      if (measure_c >= 0 && !shape_.idle_measure) {
        shape_.idle_measure = Expr{.agg = Agg::kSum, .t = it->t, .c = measure_c};
        idle_measure_ = shape_.idle_measure;
      }
      it->used = true;
      add_table(it->t);
      continue;
    }

    // A column.
    if (it->t < 0) continue;
    if (shape_.pending_neg && related_column(*it)) {
      // "enzymes that do not have any interactions": the rows of the
      // column's table are the related ones, excluded.
      shape_.neg_table = it->t;
      shape_.pending_neg = false;
      it->used = true;
      continue;
    }
    Expr e{.t = it->t, .c = it->c};
    if (it->used) {
      continue;
    }
    if (shape_.figure_column && *shape_.figure_column == e && shape_.pending_aggs.empty() && !shape_.pending_group &&
        !shape_.pending_order) {
      it->used = true;  // "the oldest and youngest age": the figures' column, named after them
      continue;
    }
    {
      // The same column as a condition, said again in the condition's part
      // of the question ("whose membership level is not higher than 4").
      bool in_condition = false;
      for (const auto& g : q_.where) {
        for (const auto& c : g) in_condition = in_condition || (c.lhs.t == e.t && c.lhs.c == e.c);
      }
      bool near_condition = false;
      for (size_t k = it->begin >= 3 ? it->begin - 3 : 0; k < it->end + 3; ++k)
        near_condition |= cond_tokens_.count(k) > 0;
      if (in_condition && (near_condition || shape_.after_boundary)) {
        it->used = true;
        continue;
      }
    }
    it->used = true;
    if (is_date(e.t, e.c) && !shape_.pending_group && !shape_.pending_order && !shape_.pending_super) {
      bool time_follows = false;
      for (size_t k = it->end; k < std::min(toks_.size(), it->end + 5); ++k) {
        Item* n = item_at(k);
        time_follows |= (n && n->kind == ItemKind::kNumber && is_year(n->number)) || month_number(lw(k)) > 0 ||
                        lw(k) == "last" || lw(k) == "this";
        if (n && n->kind != ItemKind::kNumber) break;  // "paid on Christmas Eve 2023" reaches the year
        if (k >= it->end + 3 && !time_follows && n) break;
      }
      const std::string& said = toks_[it->begin].lower;
      bool verb = said.size() > 3 && said.compare(said.size() - 2, 2, "ed") == 0;
      // "a store close": the verb whose participle names the column (closed_on).
      const auto& cw = linker_.column_words(e.t, e.c);
      verb = verb || (!cw.empty() && said.size() >= 4 && cw[0] != said && cw[0].rfind(said, 0) == 0 &&
                      cw[0].size() <= said.size() + 2 && it->end == it->begin + 1);
      // "employees who left": a column named by a verb and "on"/"at" (left_on).
      const std::string& before_said = lw(it->begin - 1);
      verb = verb || (cw.size() == 2 && cw[0] == said && (cw[1] == "on" || cw[1] == "at") &&
                      (before_said == "who" || before_said == "that" || before_said == "which" ||
                       before_said == "have" || before_said == "has" || before_said == "had"));
      if (time_follows) {
        named_date_ = e;  // "opened in 2023"
        continue;
      }
      if (verb && col(e.t, e.c).nullable && lw(0) != "when") {
        add_condition({{e, "IS NOT", "NULL"}});  // "stores that have closed"
        continue;
      }
    }
    if (shape_.pending_group && lw(it->begin - 1) == "by" && is_measure(e.t, e.c) && !is_key(e.t, e.c)) {
      shape_.pending_group = false;
      Expr m = e;
      m.agg = shape_.pending_aggs.empty() ? Agg::kSum : shape_.pending_aggs.back();
      shape_.pending_aggs.clear();
      shape_.aggs.push_back({it->begin, m});
      measure_ = m;
      has_measure_ = true;
      continue;
    }
    if (shape_.pending_group) {
      shape_.pending_group = false;
      if (is_date(e.t, e.c) && group_part_ == DatePart::kNone) {
        e = period_expr(e.t, e.c, DatePart::kYearMonth);
        time_order_ = e;  // "per month": in time order
      }
      shape_.groups.push_back(e);
      shape_.group_pos[shape_.groups.size() - 1] = it->begin;
      continue;
    }
    if (!shape_.pending_order && shape_.order_end > 0 && it->begin == shape_.order_end + 1 &&
        (lw(shape_.order_end) == "and" || toks_[shape_.order_end].text == ",") && shape_.pending_aggs.empty()) {
      // "ordered by sales and profits": the second key of the order.
      shape_.orders.push_back({e, shape_.order_desc});
      shape_.order_end = it->end;
      consumed_[it->begin - 1] = true;
      continue;
    }
    if (shape_.pending_order) {
      shape_.pending_order = false;
      shape_.order_end = it->end;
      Expr o = e;
      if (!shape_.pending_aggs.empty()) {
        o.agg = shape_.pending_aggs.back();
        shape_.pending_aggs.clear();
      }
      shape_.orders.push_back({o, shape_.order_desc});
      continue;
    }
    if (shape_.pending_super && !is_numeric(e.t, e.c) && !is_date(e.t, e.c) && shape_.pending_aggs.empty()) {
      // "best region for Nike sales": the region is asked for; the
      // superlative ranks by what follows.
      shape_.plain.push_back({it->begin, e});
      continue;
    }
    if (shape_.pending_super && shape_.pending_aggs.empty() && !shape_.pending_super->count_words &&
        is_numeric(e.t, e.c) && figure_per_group(shape_.pending_super->at, it->begin, false)) {
      // "the title and highest price for each film": MAX(price) per film.
      Expr x = e;
      x.agg = shape_.pending_super->desc ? Agg::kMax : Agg::kMin;
      shape_.aggs.push_back({it->begin, x});
      shape_.pending_super.reset();
      if (is_measure(e.t, e.c)) {
        measure_ = x;
        has_measure_ = true;
      }
      continue;
    }
    if (shape_.pending_super) {
      Expr o = e;
      // "the brand that sold the most units", "the 5 products with the
      // highest amount": a measure of the related rows is totalled per entity
      // (several entities ranked by single rows could repeat; "the employee
      // who received the biggest bonus" stays one row).
      if (shape_.pending_aggs.empty() && is_measure(e.t, e.c) && e.t != focus_ && focus_ >= 0 &&
          (shape_.pending_super->count_words || shape_.limit > 1) && joins_.distance(focus_, e.t) > 0) {
        o.agg = Agg::kSum;  // "the brand that sold the most units": a total
      }
      if (!shape_.pending_aggs.empty()) {
        o.agg = shape_.pending_aggs.back();
        shape_.pending_aggs.clear();
      }
      // "the highest capacity" alone is MAX; with other columns, a row.
      shape_.orders.push_back({o, shape_.pending_super->desc});
      shape_.pending_super.reset();
      if (shape_.limit < 0) shape_.limit = 1;
      continue;
    }
    if (!shape_.pending_aggs.empty() && year_condition_column(*it)) {
      // "the total pounds of purchase in year 2018": the year is a
      // condition, never the figure the aggregate asks for.
      shape_.skipped_condition_column = true;
      continue;
    }
    if (!shape_.pending_aggs.empty()) {
      for (Agg a : shape_.pending_aggs) {
        Expr x = e;
        x.agg = a;
        shape_.aggs.push_back({it->begin, x});
      }
      shape_.pending_aggs.clear();
      if (is_measure(e.t, e.c)) {
        measure_ = shape_.aggs.back().second;
        has_measure_ = true;
      }
      continue;
    }
    if (count_ && count_distinct_ && i >= count_pos_ && i < count_pos_ + 4) {
      Expr x = e;
      x.agg = Agg::kCount;
      x.distinct = true;
      shape_.aggs.push_back({it->begin, x});
      count_ = false;
      continue;
    }
    if (shape_.after_boundary && !shape_.plain.empty()) {
      // A column after "who"/"with" that no condition used: a weak signal.
      penalize(0.15, "the column '" + col(e.t, e.c).name + "' is mentioned but not used");
      continue;
    }
    shape_.plain.push_back({it->begin, e});
  }
  // "the name of the studio" where the studio is itself a column (not a
  // table): that column is the name asked for, not the table's name column.
  auto name_of_column = [&](const std::pair<size_t, Expr>& p) {
    const Expr& e = p.second;
    if (e.agg != Agg::kNone || e.star || e.t < 0 || e.c != name_column(e.t)) return false;
    Item* it = item_at(p.first);
    if (!it || it->end != it->begin + 1 || nw(it->begin) != "name" || lw(it->end) != "of") return false;
    size_t k = it->end + 1;
    if (lw(k) == "the" || lw(k) == "each" || lw(k) == "all" || lw(k) == "every") ++k;
    Item* of = item_at(k);
    if (!of || of->kind != ItemKind::kColumn || of->t != e.t || of->c == e.c || is_key(of->t, of->c) ||
        is_numeric(of->t, of->c) || is_date(of->t, of->c))
      return false;
    for (const auto& q : shape_.plain) {
      if (q.first == of->begin && q.second.t == of->t && q.second.c == of->c) return true;
    }
    return false;
  };
  shape_.plain.erase(std::remove_if(shape_.plain.begin(), shape_.plain.end(), name_of_column), shape_.plain.end());
  return true;
}

}  // namespace t2sql::template_rules
