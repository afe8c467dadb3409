// "more than 30", "at least $20", "older than", "above the average",
// "after 2020-01-01": a comparison of a column with a number, a date or an
// aggregate; on totals ("with more than 3 sales") a HAVING.
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

bool TemplateQueryBuilder::pass_comparisons() {
  // Comparators with a number (or a date, or "the average").
  for (size_t i = 0; i < toks_.size(); ++i) {
    auto cmp = comparator_at(i);
    if (!cmp) continue;
    size_t k = i + cmp->length;
    while (k < toks_.size() && (lw(k) == "the" || lw(k) == "of" || lw(k) == "a" || lw(k) == "$" || lw(k) == "an")) {
      ++k;
    }
    // "above age 20": the column between the cue and the number.
    if (Item* c = item_at(k); c && c->kind == ItemKind::kColumn && c->t >= 0 && is_numeric(c->t, c->c)) {
      if (Item* n = item_at(c->end); n && n->kind == ItemKind::kNumber) k = c->end;
    }
    Item* num = item_at(k);
    if (lw(k) == "average" || lw(k) == "avg") {
      if (num) num->used = true;
      num = nullptr;
    }
    // "above the average age": compare with a subquery.
    if (!num && (lw(k) == "average" || lw(k) == "avg")) {
      int ci = nearest_numeric_column(i >= 6 ? i - 6 : 0, i, true);
      Item* avg_item = item_at(k);
      Item* after = next_item(avg_item ? avg_item->end : k + 1, 2);
      if (after && after->kind == ItemKind::kColumn && after->t >= 0 && is_numeric(after->t, after->c)) {
        ci = static_cast<int>(after - items_.data());
      }
      if (ci < 0 && !cmp->implied.empty()) {
        auto cands = linker_.match_words(cmp->implied);
        for (const auto& c : cands) {
          if (c.column >= 0 && c.table == focus_) {
            Item tmp;
            tmp.kind = ItemKind::kColumn;
            tmp.t = c.table;
            tmp.c = c.column;
            tmp.used = true;
            items_.push_back(tmp);
            ci = static_cast<int>(items_.size() - 1);
            break;
          }
        }
      }
      if (ci < 0) continue;
      Item& c = items_[ci];
      c.used = true;
      for (size_t j = i; j <= k; ++j) consumed_[j] = true, cond_tokens_.insert(j);
      add_condition(
          {{Expr{.t = c.t, .c = c.c}, cmp->op,
            "(SELECT AVG(" + col_sql(c.t, c.c, false) + ") FROM " + d_.quote_identifier(cat_.tables[c.t].name) + ")"}});
      continue;
    }
    if (!num || num->kind != ItemKind::kNumber || num->used) continue;
    for (size_t j = i; j < k; ++j) consumed_[j] = true, cond_tokens_.insert(j);
    // "after 2013 or before 2008": alternatives.
    bool or_previous = false, and_previous = false;
    if (last_cmp_end_ > 0 && i > last_cmp_end_ && i - last_cmp_end_ <= 3 && !q_.where.empty()) {
      for (size_t j = last_cmp_end_; j < i; ++j) or_previous |= lw(j) == "or", and_previous |= lw(j) == "and";
    }
    last_cmp_end_ = k + 1;
    auto add_cmp = [&](const Cond& c) {
      if (or_previous)
        q_.where.back().push_back(c), add_table(c.lhs.t);
      else
        add_condition({c});
      last_cmp_lhs_ = c.lhs;
    };
    bool date_text = num->text.find('-') != std::string::npos || num->text.find('/') != std::string::npos;
    // "N or more", handled by the same code with the op from the suffix.
    std::string op = cmp->op;
    // The column: a numeric column between the cue and the number, then one
    // just before the cue, then one just after the number.
    int ci = nearest_numeric_column(i + cmp->length, k, false);
    if (ci < 0) ci = nearest_numeric_column(i >= 4 ? i - 4 : 0, i, true);
    Item* after = next_item(num->end, 2);
    if (ci < 0 && after && after->kind == ItemKind::kColumn && after->t >= 0 && is_numeric(after->t, after->c)) {
      ci = static_cast<int>(after - items_.data());
    }
    if (ci >= 0 && items_[ci].used && !(items_[ci].t >= 0 && is_numeric(items_[ci].t, items_[ci].c))) ci = -1;
    if (ci >= 0 && items_[ci].t >= 0 && is_key(items_[ci].t, items_[ci].c) && !date_text && !is_year(num->number) &&
        std::floor(num->number) == num->number) {
      // "location codes with at least 3 documents": a key is not compared
      // with a number of rows; the rows named right after it are counted.
      bool said_id = false;
      for (size_t j = items_[ci].begin; j < items_[ci].end; ++j) said_id |= lexicon::kIdentifierWords.count(nw(j)) > 0;
      Item* counted = after && after->begin == num->end ? after : nullptr;
      bool rows =
          counted && counted->t >= 0 &&
          (counted->kind == ItemKind::kTable || (counted->kind == ItemKind::kColumn && is_key(counted->t, counted->c)));
      if (!said_id && rows) {
        counted->used = true;
        num->used = true;
        add_table(counted->t);
        q_.having.push_back({Expr{.agg = Agg::kCount, .star = true}, op, number_sql(num->number, num->text)});
        continue;
      }
    }
    // "paid more than 30000": a date column is compared with years and dates only.
    if (ci >= 0 && items_[ci].t >= 0 && is_date(items_[ci].t, items_[ci].c) &&
        !is_numeric(items_[ci].t, items_[ci].c) && !date_text && !is_year(num->number)) {
      ci = -1;
    }
    {
      // "an average unit price above 100", "total sales over 1,500,000",
      // "revenue above 2 million": a condition on a total, per group.
      Item* subject = nullptr;
      for (auto& other : items_) {
        if (other.end <= i && other.end + 2 >= i && other.end > other.begin) subject = &other;
      }
      Agg agg = Agg::kNone;
      if (subject) {
        for (size_t j = subject->begin >= 2 ? subject->begin - 2 : 0; j < subject->begin; ++j) {
          if (lw(j) == "average" || lw(j) == "avg") agg = Agg::kAvg;
          if (lw(j) == "total" || lw(j) == "sum") agg = Agg::kSum;
        }
      }
      int measure_col = -1;
      if (subject && subject->kind == ItemKind::kTable) {
        for (const auto& c : subject->cands) {
          if (c.column >= 0 && c.table == subject->t && c.score >= 0.8 && is_measure(c.table, c.column)) {
            measure_col = c.column;
          }
        }
      }
      bool grouped_subject = false;
      for (const auto& other : items_) {
        grouped_subject |= other.kind != ItemKind::kNumber && other.end <= (subject ? subject->begin : 0) &&
                           (other.kind == ItemKind::kTable || other.kind == ItemKind::kColumn) && other.t != -1 &&
                           !(other.t == (subject ? subject->t : -2) && other.kind == ItemKind::kColumn &&
                             is_numeric(other.t, other.c));
      }
      double scale = lw(k + 1) == "million" ? 1e6 : lw(k + 1) == "thousand" ? 1e3 : lw(k + 1) == "billion" ? 1e9 : 1;
      if (scale != 1) consumed_[k + 1] = true;
      // "products that sold more than 1000 units": the unit right after the
      // number is a measure of related rows, totalled per main row.
      Item* unit = after && after->kind == ItemKind::kColumn && after->t >= 0 && after->t != focus_ &&
                           after->begin == num->end && is_measure(after->t, after->c) && !after->used
                       ? after
                       : nullptr;
      if (unit && ci >= 0 && (&items_[ci] == unit || items_[ci].t == unit->t)) ci = -1;
      if (unit && ci < 0) {
        Expr lhs{.agg = agg == Agg::kNone ? Agg::kSum : agg, .t = unit->t, .c = unit->c};
        unit->used = true;
        num->used = true;
        if (subject && subject->t == unit->t) subject->used = true, having_items_.insert(subject->begin);
        having_items_.insert(unit->begin);
        add_table(lhs.t);
        q_.having.push_back({lhs, op, number_sql(num->number * scale, "")});
        having_subject_ = true;
        continue;
      }
      if (subject && grouped_subject && !is_year(num->number) &&
          ((agg != Agg::kNone && subject->kind == ItemKind::kColumn && subject->t >= 0 &&
            is_numeric(subject->t, subject->c)) ||
           measure_col >= 0)) {
        Expr lhs = measure_col >= 0
                       ? Expr{.agg = agg == Agg::kNone ? Agg::kSum : agg, .t = subject->t, .c = measure_col}
                       : Expr{.agg = agg, .t = subject->t, .c = subject->c};
        subject->used = true;
        having_items_.insert(subject->begin);
        num->used = true;
        add_table(lhs.t);
        q_.having.push_back({lhs, op, number_sql(num->number * scale, "")});
        having_subject_ = true;
        continue;
      }
      if (scale != 1) num->number *= scale, num->text.clear();
      // "How many sales were above 2.5k": the rows of a table named by a
      // word of its measure, compared by that measure one by one.
      if (ci < 0 && subject && measure_col >= 0 && !grouped_subject && agg == Agg::kNone && subject->t == focus_ &&
          !is_year(num->number) && !date_text) {
        Item tmp;
        tmp.kind = ItemKind::kColumn;
        tmp.t = subject->t;
        tmp.c = measure_col;
        items_.push_back(tmp);
        ci = static_cast<int>(items_.size() - 1);
        num = item_at(k);
      }
    }
    if (ci < 0 && !cmp->implied.empty()) {
      for (const auto& c : linker_.match_words(cmp->implied)) {
        if (c.column >= 0 && (c.table == focus_ || contains_int(mentioned_tables_, c.table)) &&
            is_numeric(c.table, c.column)) {
          Item tmp;
          tmp.kind = ItemKind::kColumn;
          tmp.t = c.table;
          tmp.c = c.column;
          items_.push_back(tmp);
          ci = static_cast<int>(items_.size() - 1);
          num = item_at(k);
          after = next_item(num->end, 2);
          break;
        }
      }
    }
    // "with more than 3 concerts": a count of related rows.
    bool subject_column_of_counted = false;
    if (after && after->kind == ItemKind::kTable) {
      for (const auto& other : items_) {
        if (other.kind == ItemKind::kColumn && other.end <= i && other.t == after->t && !is_numeric(other.t, other.c)) {
          subject_column_of_counted = true;
        }
      }
    }
    // "more than 2000 sales": a year-like number right before what is counted
    // is a count, unless the cue is about time ("after 2000 sales" is not).
    bool temporal_cue =
        lw(i) == "after" || lw(i) == "before" || lw(i) == "since" || lw(i) == "later" || lw(i) == "earlier";
    // "more than a million in revenue": a table named by a word of its
    // measure, after the number, is that measure's total, not a count.
    if (ci < 0 && after && after->kind == ItemKind::kTable && after->t != focus_ && after->begin > num->end &&
        lw(after->begin - 1) == "in" && !is_year(num->number)) {
      int measure_col = -1;
      for (const auto& c : after->cands) {
        if (measure_col < 0 && c.column >= 0 && c.table == after->t && c.score >= 0.8 && is_measure(c.table, c.column))
          measure_col = c.column;
      }
      if (measure_col >= 0) {
        after->used = true;
        num->used = true;
        add_table(after->t);
        q_.having.push_back({Expr{.agg = Agg::kSum, .t = after->t, .c = measure_col}, op, number_sql(num->number, "")});
        having_items_.insert(after->begin);
        having_subject_ = true;
        continue;
      }
    }
    if (ci < 0 && after && after->kind == ItemKind::kTable && (after->t != focus_ || subject_column_of_counted) &&
        (!is_year(num->number) || (after->begin == num->end && !temporal_cue))) {
      after->used = true;
      num->used = true;
      add_table(after->t);
      q_.having.push_back({Expr{.agg = Agg::kCount, .star = true}, op, number_sql(num->number, num->text)});
      continue;
    }
    if (ci < 0 && (is_year(num->number) || date_text)) {
      // "before 2020", "after 2013": a year against a date or year column.
      int dc = -1, yc = -1;
      std::vector<int> scan{focus_};
      for (int t : mentioned_tables_) scan.push_back(t);
      for (int t : scan) {
        if (t < 0) continue;
        for (size_t c = 0; c < cat_.tables[t].columns.size(); ++c) {
          if (contains(linker_.column_words(t, c), "year") && !is_date(t, c) && yc < 0) yc = t * 1000 + c;
        }
      }
      dc = date_column_for(focus_);
      num->used = true;
      if (yc >= 0 && !date_text) {
        add_cmp({Expr{.t = yc / 1000, .c = yc % 1000}, op, number_sql(num->number, "")});
        continue;
      }
      if (dc >= 0) {
        int y = static_cast<int>(num->number);
        std::string lit =
            date_text ? d_.string_literal(num->text) : d_.date_literal(op == ">" || op == "<=" ? y + 1 : y, 1, 1);
        std::string op2 = op;
        if (!date_text && op == ">") op2 = ">=";
        if (!date_text && op == "<=") op2 = "<";
        if (date_text) lit = d_.date_from_text(lit);
        add_cmp({Expr{.t = dc / 1000, .c = dc % 1000}, op2, lit});
        time_filtered_ = true;
        continue;
      }
      num->used = false;
    }
    if (ci < 0) {
      // "under 100 dollars": a money column of the question's tables.
      bool money = lexicon::kCurrency.count(lw(k + 1)) > 0 || (k > 0 && toks_[k - 1].text == "$");
      if (money) {
        std::vector<int> scan{focus_};
        for (int t : mentioned_tables_) scan.push_back(t);
        for (int t : scan) {
          for (size_t c = 0; t >= 0 && c < cat_.tables[t].columns.size() && ci < 0; ++c) {
            if (!is_measure(t, c)) continue;
            for (const auto& mw : lexicon::kMoneyColumnWords) {
              if (contains(linker_.column_words(t, c), mw) && ci < 0) {
                Item tmp;
                tmp.kind = ItemKind::kColumn;
                tmp.t = t;
                tmp.c = static_cast<int>(c);
                items_.push_back(tmp);
                ci = static_cast<int>(items_.size() - 1);
                num = item_at(k);
              }
            }
          }
          if (ci >= 0) break;
        }
        if (ci >= 0 && lexicon::kCurrency.count(lw(k + 1))) consumed_[k + 1] = true;
      }
    }
    if (ci < 0 && enabled("count_of_times") && lexicon::kTimesWords.count(lw(num->end)) && !date_text &&
        std::floor(num->number) == num->number) {
      // count_of_times: "codes used less than 5 times", "events with more
      // than 2 records": rows counted per group.
      num->used = true;
      consumed_[num->end] = true;
      q_.having.push_back({Expr{.agg = Agg::kCount, .star = true}, op, number_sql(num->number, num->text)});
      fired("count_of_times");
      continue;
    }
    if (ci < 0 && enabled("comparison_chain") && last_cmp_lhs_ && (or_previous || and_previous) &&
        !is_year(num->number) && !date_text && last_cmp_lhs_->part == DatePart::kNone &&
        is_numeric(last_cmp_lhs_->t, last_cmp_lhs_->c)) {
      // comparison_chain: "priced lower than 600 or higher than 900": the
      // column of the comparison just before.
      num->used = true;
      Expr lhs = *last_cmp_lhs_;
      add_cmp({lhs, op, number_sql(num->number, num->text)});
      fired("comparison_chain");
      continue;
    }
    if (ci < 0) {
      penalize(0.6, "no column for the comparison near '" + num->text + "'");
      continue;
    }
    Item& c = items_[ci];
    c.used = true;
    num->used = true;
    if (k + 2 < toks_.size() && lw(k + 1) == "or" && (lw(k + 2) == "more" || lw(k + 2) == "greater")) op = ">=";
    if (k + 2 < toks_.size() && lw(k + 1) == "or" && (lw(k + 2) == "less" || lw(k + 2) == "fewer")) op = "<=";
    std::string rhs = date_text ? d_.string_literal(num->text) : number_sql(num->number, num->text);
    if (is_date(c.t, c.c) && !date_text && is_year(num->number)) {
      // "opened after 2020": from the first day of the next year.
      int y = static_cast<int>(num->number);
      if (op == ">")
        op = ">=", y += 1;
      else if (op == "<=")
        op = "<", y += 1;
      rhs = d_.date_literal(y, 1, 1);
    } else if (date_text) {
      rhs = d_.date_from_text(rhs);
    }
    add_cmp({Expr{.t = c.t, .c = c.c}, op, rhs});
  }
  return true;
}

}  // namespace t2sql::template_rules
