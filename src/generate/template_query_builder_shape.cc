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

bool TemplateQueryBuilder::shape() {
  // Aggregate cue words and what they apply to.
  auto agg_word = [&](size_t i) -> Agg {
    const std::string& w = lw(i);
    if (w == "average" || w == "avg" || w == "mean") return Agg::kAvg;
    if (w == "total" || w == "sum" || w == "overall" || w == "combined" || w == "cumulative") return Agg::kSum;
    if (w == "maximum" || w == "max") return Agg::kMax;
    if (w == "minimum" || w == "min") return Agg::kMin;
    return Agg::kNone;
  };
  struct Super {
    bool desc;
    std::vector<std::string> implied;
    bool count_words;  // "most", "least", "fewest": may count rows
  };
  auto super_word = [&](size_t i) -> std::optional<Super> {
    static const std::map<std::string, Super> kWords = {
        {"highest", {true, {}, false}},
        {"largest", {true, {}, false}},
        {"biggest", {true, {}, false}},
        {"greatest", {true, {}, false}},
        {"most", {true, {}, true}},
        {"best", {true, {}, false}},
        {"top", {true, {}, false}},
        {"maximum", {true, {}, false}},
        {"lowest", {false, {}, false}},
        {"smallest", {false, {}, false}},
        {"least", {false, {}, true}},
        {"fewest", {false, {}, true}},
        {"minimum", {false, {}, false}},
        {"worst", {false, {}, false}},
        {"bottom", {false, {}, false}},
        {"oldest", {true, {"age"}, false}},
        {"youngest", {false, {"age"}, false}},
        {"heaviest", {true, {"weight"}, false}},
        {"lightest", {false, {"weight"}, false}},
        {"tallest", {true, {"height"}, false}},
        {"shortest", {false, {"height"}, false}},
        {"longest", {true, {"length"}, false}},
        {"cheapest", {false, {"price"}, false}},
        {"latest", {true, {"date"}, false}},
        {"newest", {true, {"date"}, false}},
        {"earliest", {false, {"date"}, false}},
        {"most-recent", {true, {"date"}, false}},
        {"best-selling", {true, {}, true}},
        {"top-selling", {true, {}, true}},
        {"bestselling", {true, {}, true}},
        {"worst-selling", {false, {}, true}},
    };
    auto it = kWords.find(lw(i));
    if (it == kWords.end()) return std::nullopt;
    if (lw(i) == "most" && (lw(i + 1) == "recent" || lw(i + 1) == "recently")) return Super{true, {"date"}, false};
    if (lw(i) == "most" && lw(i + 1) == "expensive") return Super{true, {"price"}, false};
    if (lw(i) == "least" && lw(i + 1) == "expensive") return Super{false, {"price"}, false};
    return it->second;
  };

  // Counting.
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (at(i, {"how", "many"})) {
      count_ = true;
      count_pos_ = i + 2;
      count_is_question_ = true;
      consumed_[i] = consumed_[i + 1] = true;
      break;
    }
    if (Item* covered = item_at(i); covered && covered->kind == ItemKind::kColumn) continue;
    if ((at(i, {"number", "of"}) || at(i, {"count", "of"})) && i > 0 && (lw(i - 1) == "by" || super_word(i - 1))) {
      rank_by_count_ = true;
      consumed_[i] = consumed_[i + 1] = true;
      if (lw(i - 1) == "by") consumed_[i - 1] = true, by_measure_ = true;
      count_pos_ = i + 2;
      continue;
    }
    if ((at(i, {"number", "of"}) || at(i, {"count", "of"})) && !(i > 0 && super_word(i - 1))) {
      count_ = true;
      count_pos_ = i + 2;
      consumed_[i] = consumed_[i + 1] = true;
      break;
    }
    if (lw(i) == "count" && i == 0) {
      count_ = true;
      count_pos_ = i + 1;
      consumed_[i] = true;
      break;
    }
  }
  if (count_) {
    for (size_t k = count_pos_; k < std::min(toks_.size(), count_pos_ + 2); ++k) {
      if (lw(k) == "different" || lw(k) == "distinct" || lw(k) == "unique") count_distinct_ = true;
    }
    if (count_is_question_ && (nw(count_pos_) == "month" || nw(count_pos_) == "year")) {
      count_periods_ = true;
      count_periods_part_ = nw(count_pos_) == "month" ? DatePart::kYearMonth : DatePart::kYear;
      consumed_[count_pos_] = true;
    }
  }
  focus_ = choose_focus();
  if (focus_ < 0) {
    reason_ = "no table or column of the database matches the question";
    return false;
  }
  add_table(focus_);
  resolve_items();

  // Measures: a table named by a word that also names one of its numeric
  // columns ("sales" ~ amount) reads as that measure when aggregated.
  auto measure_of_table_item = [&](const Item& it) -> int {
    for (const auto& c : it.cands) {
      if (c.column >= 0 && c.table == it.t && c.score >= 0.8 && is_measure(c.table, c.column)) return c.column;
    }
    return -1;
  };

  bool grouping_words =
      any_word({"each", "per", "by", "every"}) || any_word({"monthly", "yearly", "annual", "annually"});
  bool ranking = false;
  long long limit = -1;
  bool limit_desc = true;
  // "top 5", "first 3", "5 highest", "bottom 2"
  for (size_t i = 0; i + 1 < toks_.size(); ++i) {
    bool head = lw(i) == "top" || lw(i) == "first" || lw(i) == "bottom" || lw(i) == "best" || lw(i) == "worst";
    Item* n = item_at(i + 1);
    if (head && n && n->kind == ItemKind::kNumber && !is_year(n->number)) {
      limit = static_cast<long long>(n->number);
      limit_desc = !(lw(i) == "bottom" || lw(i) == "worst");
      n->used = true;
      consumed_[i] = true;
      ranking = true;
    }
    Item* m = item_at(i);
    Item* after_m = m ? item_at(m->end) : nullptr;
    bool any_super = false;
    for (size_t k = 0; k < toks_.size(); ++k) any_super |= super_word(k).has_value();
    if (m && m->kind == ItemKind::kNumber && !m->used && !is_year(m->number) && after_m &&
        (after_m->kind == ItemKind::kTable || after_m->kind == ItemKind::kColumn) && any_super &&
        (lw(i - 1) == "which" || lw(i - 1) == "what" || (lw(i - 1) == "the" && i == 1))) {
      limit = static_cast<long long>(m->number);  // "which five brands had the highest sales"
      m->used = true;
      // "The five brands with the most revenue" is a ranking, shown with its
      // figure as "top 5" is; a "which" question asks for the names only.
      if (lw(i - 1) == "the") by_measure_ = true;
    }
    if (m && m->kind == ItemKind::kNumber && !m->used && !is_year(m->number) && super_word(i + 1)) {
      limit = static_cast<long long>(m->number);
      limit_desc = super_word(i + 1)->desc;
      m->used = true;
      ranking = true;
    }
  }
  if (!ranking && (lw(0) == "top" || any_word({"top"}))) {
    for (size_t i = 0; i < toks_.size(); ++i) {
      if (lw(i) == "top") {
        consumed_[i] = true;
        ranking = true;
        limit = 1;
      }
    }
  }

  // Time grouping words.
  for (size_t i = 0; i < toks_.size(); ++i) {
    const std::string& w = lw(i);
    bool by_cue = i > 0 && (lw(i - 1) == "by" || lw(i - 1) == "per" || lw(i - 1) == "each" || lw(i - 1) == "every" ||
                            lw(i - 1) == "which" || lw(i - 1) == "what");
    Item* named = item_at(i);
    // A column called "month" of a table the question is not about is the
    // time word, not that column.
    bool word_is_time =
        !named || named->kind != ItemKind::kColumn ||
        (named->t != focus_ && !contains_int(mentioned_tables_, named->t) && is_date(named->t, named->c));
    bool month = w == "monthly" || (by_cue && (w == "month" || w == "months"));
    bool year = w == "yearly" || w == "annual" || w == "annually" || (by_cue && (w == "year" || w == "years"));
    // "daily revenue" groups by day; "average daily revenue" is a nested average (run()).
    bool day = (w == "daily" && lw(i - 1) != "average" && lw(i - 1) != "avg" && lw(i - 1) != "mean") ||
               (by_cue && (w == "day" || w == "days") && lw(i - 1) != "which" && lw(i - 1) != "what");
    // "quarterly", "by quarter", "each half of 2023" (not "the first quarter": a range).
    bool quarter = w == "quarterly" || (by_cue && (w == "quarter" || w == "quarters"));
    bool half = w == "half-yearly" || w == "semiannual" || (by_cue && (w == "half" || w == "halves"));
    if ((quarter || half) && word_is_time) {
      group_part_ = quarter ? DatePart::kQuarter : DatePart::kHalf;
      fired("period_groups");
      if (named) named->used = true, named->kind = ItemKind::kNumber, named->text = w;
      consumed_[i] = true;
      time_tokens_.insert(i);
      if (by_cue) consumed_[i - 1] = true, time_tokens_.insert(i - 1);
      continue;
    }
    if ((month || year || day) && word_is_time) {
      group_part_ = month ? DatePart::kYearMonth : year ? DatePart::kYear : DatePart::kDay;
      if (named) named->used = true, named->kind = ItemKind::kNumber, named->text = w;
      consumed_[i] = true;
      time_tokens_.insert(i);
      if (by_cue) {
        consumed_[i - 1] = true;
        time_tokens_.insert(i - 1);
      }
    }
  }

  {
    int years = 0;
    for (const auto& it : items_) years += it.kind == ItemKind::kNumber && is_year(it.number) && it.text.size() == 4;
    yoy_ = years >= 2 && (any_word({"vs", "versus", "compared", "comparison", "compare", "against"}) ||
                          (any_word({"and"}) && any_word({"each", "per", "by", "yearly", "annual"})));
  }
  if (!conditions()) return false;

  // Walk the items in order and give each a role.
  std::vector<Agg> pending_aggs;
  bool pending_group = false, pending_order = false, order_desc = false;
  std::optional<Super> pending_super;
  bool pending_neg = false;
  bool neg_seen = false;  // a negation cue, whatever it applied to
  bool sort_verb = false;
  bool alpha_order = false;
  bool after_boundary = false;
  std::vector<std::pair<size_t, Expr>> plain;  // projected columns
  std::vector<std::pair<size_t, Expr>> aggs;
  std::vector<Expr> groups;
  std::map<size_t, size_t> group_pos;  // index in groups -> question position
  size_t entity_pos = 0;
  std::vector<std::pair<Expr, bool>> orders;
  bool super_count = false, super_desc = true;
  int neg_table = -1;
  std::optional<Expr> idle_measure;  // "sales in March": the measure of a named table
  bool entity_group = false;
  int group_entity = -1;
  bool distinct = false;

  for (size_t i = 0; i < toks_.size(); ++i) {
    const std::string& w = lw(i);
    if (time_tokens_.count(i) || cond_tokens_.count(i)) continue;
    // "the product with (the) maximum unit price": a superlative, not MAX().
    bool with_extreme = (lw(i) == "maximum" || lw(i) == "minimum" || lw(i) == "max" || lw(i) == "min") &&
                        (lw(i - 1) == "with" || (lw(i - 1) == "the" && lw(i - 2) == "with"));
    if (Agg a = agg_word(i);
        a != Agg::kNone && !(a == Agg::kMax && pending_super) && !at(i, {"total", "number"}) && !with_extreme) {
      pending_aggs.push_back(a);
      consumed_[i] = true;
      continue;
    }
    if (w == "by" && sort_verb) {
      pending_order = true;
      sort_verb = false;
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
    if (w == "each" || w == "per" || (w == "every" && lw(i - 1) == "for") || (w == "by" && !pending_order) ||
        (w == "for" && (lw(i + 1) == "each" || lw(i + 1) == "every"))) {
      // "ordered by", "sorted by": an ordering; "owned by": a relation.
      bool order_by =
          i > 0 && (lw(i - 1) == "ordered" || lw(i - 1) == "sorted" || lw(i - 1) == "order" || lw(i - 1) == "sort" ||
                    lw(i - 1) == "ranked" || lw(i - 1) == "rank" || lw(i - 1) == "arranged");
      if (order_by) {
        pending_order = true;
        consumed_[i] = consumed_[i - 1] = true;
        continue;
      }
      static const std::set<std::string> kParticiples = {"written", "made",   "sold",   "built",  "held",    "run",
                                                         "won",     "taught", "led",    "bought", "brought", "shown",
                                                         "drawn",   "given",  "taken",  "grown",  "known",   "paid",
                                                         "sung",    "done",   "driven", "flown",  "kept",    "told"};
      // "made by Samsung" names a maker; "units sold by category" groups.
      Item* by_what = item_at(i + 1);
      bool relation = w == "by" && i > 0 && lw(i - 1).size() > 2 &&
                      ((lw(i - 1).size() > 3 && lw(i - 1).substr(lw(i - 1).size() - 2) == "ed") ||
                       (kParticiples.count(lw(i - 1)) > 0 && by_what && by_what->kind == ItemKind::kValue));
      if (!relation) {
        pending_group = true;
        consumed_[i] = true;
      }
      continue;
    }
    if (w == "order" || w == "sorted" || w == "ordered" || w == "sort" || w == "arrange" || w == "rank") {
      // "sort X by Y": the ordering starts at "by".
      if (lw(i + 1) == "by" || lw(i + 1) == "of" || lw(i + 1) == "in" || w == "order")
        pending_order = true;
      else
        sort_verb = true;
      consumed_[i] = true;
      continue;
    }
    if (w == "descending" || w == "desc" || w == "decreasing" || w == "reverse") {
      order_desc = true;
      consumed_[i] = true;
      if (!orders.empty()) orders.back().second = true;
      continue;
    }
    if (w == "ascending" || w == "asc" || w == "increasing" || w == "alphabetical" || w == "alphabetically" ||
        w == "lexicographical") {
      consumed_[i] = true;
      if (w.rfind("alphabet", 0) == 0 || w == "lexicographical") alpha_order = true;
      continue;
    }
    if (w == "different" || w == "distinct" || w == "unique") {
      distinct = true;
      consumed_[i] = true;
      continue;
    }
    bool not_then_table = false;
    if (w == "not" || w == "don't" || w == "doesn't" || w == "didn't" || w == "haven't" || w == "hasn't") {
      Item* next = next_item(i + 1, 3);
      if (!next) {
        for (size_t k = i + 1; k < std::min(toks_.size(), i + 4) && !next; ++k) next = item_at(k);
      }
      not_then_table = next && next->kind == ItemKind::kTable && !cond_tokens_.count(i);
    }
    if (w == "no" && i > 0) {
      // "stores that had no sales", "made no sales in 2023": "no" right before a
      // related table is a negation whatever verb precedes it.
      Item* next = next_item(i + 1, 2);
      not_then_table = next && next->kind == ItemKind::kTable && !cond_tokens_.count(i);
    }
    if (w == "without" || w == "never" || not_then_table ||
        (w == "no" && i > 0 && (lw(i - 1) == "have" || lw(i - 1) == "has" || lw(i - 1) == "with"))) {
      pending_neg = true;
      neg_seen = true;
      consumed_[i] = true;
      continue;
    }
    if (auto s = super_word(i);
        s && (lw(i - 1) == "from" || lw(i - 2) == "from") && (pending_order || sort_verb || !orders.empty())) {
      if (orders.empty() && !pending_order) list_desc_ = s->desc;  // "sorted from highest to lowest"
      sort_verb = false;
      // "ordered by age from the oldest to the youngest": a direction.
      bool desc = s->desc;
      if (s->implied.size() == 1 && s->implied[0] == "age" && !orders.empty() && !orders.back().first.star) {
        const auto& w = linker_.column_words(orders.back().first.t, orders.back().first.c);
        if (!contains(w, "age")) desc = !desc;  // oldest first by birth date is ascending
      }
      if (!orders.empty()) orders.back().second = desc;
      order_desc = desc;
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
    if (auto s = super_word(i)) {
      consumed_[i] = true;
      if (lw(i) == "most" && (lw(i + 1) == "recent" || lw(i + 1) == "recently" || lw(i + 1) == "expensive")) {
        consumed_[i + 1] = true;
      }
      if (lw(i) == "least" && lw(i + 1) == "expensive") consumed_[i + 1] = true;
      // "bottom 3", "worst 2": the ranking's head word already set its direction.
      if (ranking && (lw(i) == "top" || lw(i) == "bottom" || lw(i) == "worst" || lw(i) == "best")) {
        Item* n = item_at(i + 1);
        if (lw(i) == "top" || (n && n->kind == ItemKind::kNumber)) continue;
      }
      if (s->implied.empty()) {
        pending_super = s;
        continue;
      }
      // "oldest", "youngest": the implied column of the main table.
      int c_found = -1, t_found = -1;
      for (const auto& c : linker_.match_words(s->implied)) {
        if (c.column >= 0 && (c.table == focus_ || contains_int(mentioned_tables_, c.table))) {
          c_found = c.column;
          t_found = c.table;
          break;
        }
      }
      bool desc = s->desc;
      if (c_found < 0 && s->implied[0] == "age") {
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
      if (c_found < 0 && s->implied[0] == "date") {
        int dc = date_column_for(focus_);
        if (dc >= 0) {
          t_found = dc / 1000;
          c_found = dc % 1000;
        }
      }
      if (c_found < 0) {
        penalize(0.6, "no column for '" + lw(i) + "'");
        continue;
      }
      orders.push_back({Expr{.t = t_found, .c = c_found}, desc});
      implied_order_ = true;
      if (limit < 0) limit = 1;
      continue;
    }
    if (w == "where" || w == "whose" || w == "who" || w == "which" || w == "that" || w == "with" || w == "having") {
      if (!plain.empty() || !aggs.empty() || count_) after_boundary = true;
      continue;
    }

    Item* it = item_at(i);
    if (!it) continue;
    i = it->end - 1;
    if (it->kind == ItemKind::kNumber || it->kind == ItemKind::kValue || it->kind == ItemKind::kQuoted) continue;
    if (having_items_.count(it->begin)) {
      pending_aggs.clear();  // "total sales over 1,500,000": the HAVING's total, not a column
      continue;
    }

    if (it->kind == ItemKind::kTable) {
      int measure_c = measure_of_table_item(*it);
      if (rank_by_count_ && it->begin >= count_pos_ && it->begin <= count_pos_ + 2 && !super_count) {
        // "top 5 stores by number of sales", "the highest number of concerts"
        super_count = true;
        super_count_table_ = it->t;
        super_desc = pending_super ? pending_super->desc : limit_desc;
        pending_super.reset();
        pending_group = false;
        add_table(it->t);
        it->used = true;
        continue;
      }
      if (pending_neg && it->t != focus_) {
        neg_table = it->t;
        pending_neg = false;
        it->used = true;
        continue;
      }
      if (pending_group && measure_c >= 0 && lw(it->begin - 1) == "by") {
        // "top 5 brands by revenue": the measure to rank by, not a grouping.
        pending_group = false;
        Expr m{.agg = pending_aggs.empty() ? Agg::kSum : pending_aggs.back(), .t = it->t, .c = measure_c};
        pending_aggs.clear();
        aggs.push_back({it->begin, m});
        measure_ = m;
        has_measure_ = true;
        add_table(it->t);
        it->used = true;
        continue;
      }
      if (pending_group) {
        pending_group = false;
        it->used = true;
        entity_group = true;
        group_entity = it->t;
        entity_pos = it->begin;
        add_table(it->t);
        continue;
      }
      if (pending_super && pending_super->count_words && measure_c < 0 &&
          (it->t != focus_ || (!plain.empty() && plain[0].second.t == it->t))) {
        super_count = true;
        super_count_table_ = it->t;
        super_desc = pending_super->desc;
        pending_super.reset();
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
      bool wants_measure = !pending_aggs.empty() || pending_super ||
                           (!count_ && (grouping_words || ranking || yoy_ || group_part_ != DatePart::kNone) &&
                            (it->t != focus_ || focus_ == it->t));
      if (measure_c >= 0 && wants_measure && !(count_ && next_item(count_pos_, 4) == it)) {
        Expr m{.t = it->t, .c = measure_c};
        m.agg = pending_aggs.empty() ? Agg::kSum : pending_aggs.back();
        if (pending_super && pending_aggs.empty()) {
          orders.push_back({Expr{.agg = Agg::kSum, .t = it->t, .c = measure_c}, pending_super->desc});
          pending_super.reset();
          if (limit < 0) limit = 1;
        } else {
          for (Agg a : pending_aggs) {
            Expr e = m;
            e.agg = a;
            aggs.push_back({it->begin, e});
          }
          if (pending_aggs.empty()) aggs.push_back({it->begin, m});
        }
        pending_aggs.clear();
        measure_ = m;
        has_measure_ = true;
        add_table(it->t);
        it->used = true;
        continue;
      }
      if (measure_c >= 0 && !idle_measure) {
        idle_measure = Expr{.agg = Agg::kSum, .t = it->t, .c = measure_c};
        idle_measure_ = idle_measure;
      }
      it->used = true;
      add_table(it->t);
      continue;
    }

    // A column.
    if (it->t < 0) continue;
    Expr e{.t = it->t, .c = it->c};
    if (it->used) {
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
      if (in_condition && (near_condition || after_boundary)) {
        it->used = true;
        continue;
      }
    }
    it->used = true;
    if (is_date(e.t, e.c) && !pending_group && !pending_order && !pending_super) {
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
    if (pending_group && lw(it->begin - 1) == "by" && is_measure(e.t, e.c) && !is_key(e.t, e.c)) {
      pending_group = false;
      Expr m = e;
      m.agg = pending_aggs.empty() ? Agg::kSum : pending_aggs.back();
      pending_aggs.clear();
      aggs.push_back({it->begin, m});
      measure_ = m;
      has_measure_ = true;
      continue;
    }
    if (pending_group) {
      pending_group = false;
      if (is_date(e.t, e.c) && group_part_ == DatePart::kNone) {
        e = period_expr(e.t, e.c, DatePart::kYearMonth);
        time_order_ = e;  // "per month": in time order
      }
      groups.push_back(e);
      group_pos[groups.size() - 1] = it->begin;
      continue;
    }
    if (pending_order) {
      pending_order = false;
      Expr o = e;
      if (!pending_aggs.empty()) {
        o.agg = pending_aggs.back();
        pending_aggs.clear();
      }
      orders.push_back({o, order_desc});
      continue;
    }
    if (pending_super && !is_numeric(e.t, e.c) && !is_date(e.t, e.c) && pending_aggs.empty()) {
      // "best region for Nike sales": the region is asked for; the
      // superlative ranks by what follows.
      plain.push_back({it->begin, e});
      continue;
    }
    if (pending_super) {
      Expr o = e;
      // "the brand that sold the most units", "the 5 products with the
      // highest amount": a measure of the related rows is totalled per entity
      // (several entities ranked by single rows could repeat; "the employee
      // who received the biggest bonus" stays one row).
      if (pending_aggs.empty() && is_measure(e.t, e.c) && e.t != focus_ && focus_ >= 0 &&
          (pending_super->count_words || limit > 1) && joins_.distance(focus_, e.t) > 0) {
        o.agg = Agg::kSum;  // "the brand that sold the most units": a total
      }
      if (!pending_aggs.empty()) {
        o.agg = pending_aggs.back();
        pending_aggs.clear();
      }
      // "the highest capacity" alone is MAX; with other columns, a row.
      orders.push_back({o, pending_super->desc});
      pending_super.reset();
      if (limit < 0) limit = 1;
      continue;
    }
    if (!pending_aggs.empty()) {
      for (Agg a : pending_aggs) {
        Expr x = e;
        x.agg = a;
        aggs.push_back({it->begin, x});
      }
      pending_aggs.clear();
      if (is_measure(e.t, e.c)) {
        measure_ = aggs.back().second;
        has_measure_ = true;
      }
      continue;
    }
    if (count_ && count_distinct_ && i >= count_pos_ && i < count_pos_ + 4) {
      Expr x = e;
      x.agg = Agg::kCount;
      x.distinct = true;
      aggs.push_back({it->begin, x});
      count_ = false;
      continue;
    }
    if (after_boundary && !plain.empty()) {
      // A column after "who"/"with" that no condition used: a weak signal.
      penalize(0.15, "the column '" + col(e.t, e.c).name + "' is mentioned but not used");
      continue;
    }
    plain.push_back({it->begin, e});
  }
  if (alpha_order && orders.empty()) {
    // "in (reverse) alphabetical order": by the first text column shown.
    for (const auto& p : plain) {
      if (!is_numeric(p.second.t, p.second.c)) {
        orders.push_back({p.second, order_desc});
        break;
      }
    }
    pending_order = false;
  }
  if (pending_super && pending_super->count_words && !aggs.empty() && has_measure_ && !super_count) {
    // "the 10 best-selling products by units sold": ranked by that measure,
    // shown beside the names when the ranking says how many.
    orders.push_back({aggs.back().second, pending_super->desc});
    if (!ranking) aggs.pop_back();
    if (limit < 0) limit = 1;
    pending_super.reset();
  }
  if (pending_super && idle_measure && pending_super->count_words) {
    // "which brand sold the most": the measure named before the superlative.
    orders.push_back({*idle_measure, pending_super->desc});
    if (limit < 0) limit = 1;
    pending_super.reset();
  }
  if (pending_super) {
    // "the stadium with the highest ..." with nothing after: ambiguous.
    if (super_count || !pending_super->count_words)
      penalize(0.5, "a superlative with nothing to rank by");
    else {
      super_count = true;
      super_desc = pending_super->desc;
    }
  }
  if (pending_group && group_part_ == DatePart::kNone) penalize(0.3, "a grouping word with nothing to group by");
  // "employees never paid in December 2024": the negated verb names a date
  // of related rows; those rows are the ones that must not exist.
  if (pending_neg && neg_table < 0 && named_date_ && named_date_->t != focus_ && plain.empty()) {
    neg_table = named_date_->t;
  }
  neg_date_table_ = neg_table >= 0 ? neg_table : neg_value_table_;
  if (!dates(!groups.empty() || entity_group)) return false;

  // Negation: main rows with no related row ("stadiums without concerts",
  // "students who do not own a cat"): focus.key NOT IN (the related keys).
  if (neg_table < 0) neg_table = neg_value_table_;
  // "Which regions have no closed stores?", "which categories does Apple not
  // sell?": a repeating attribute is asked for, so the values excluded are
  // those of the attribute itself, among the rows the conditions describe.
  bool attribute_neg = false;
  if (neg_seen && plain.size() == 1 && q_.having.empty() && !count_ && aggs.empty()) {
    const Expr& a = plain[0].second;
    attribute_neg = a.t == focus_ && a.part == DatePart::kNone && !is_key(a.t, a.c) && !is_numeric(a.t, a.c) &&
                    !is_date(a.t, a.c) && a.c != name_column(a.t) && !q_.where.empty();
  }
  if (attribute_neg) {
    Query sub;
    sub.tables = {focus_};
    if (neg_table >= 0) sub.tables.push_back(neg_table);
    for (const auto& g : q_.where) {
      for (const auto& c : g) {
        if (c.lhs.t >= 0 && !contains_int(sub.tables, c.lhs.t)) sub.tables.push_back(c.lhs.t);
      }
    }
    for (const auto& c : neg_inner_) {
      sub.where.push_back({{c.lhs, c.op, c.rhs}});
      if (!contains_int(sub.tables, c.lhs.t)) sub.tables.push_back(c.lhs.t);
    }
    sub.where.insert(sub.where.end(), q_.where.begin(), q_.where.end());
    sub.select.push_back({0, plain[0].second});
    std::string sub_sql = render(sub);
    if (sub_sql.empty()) return false;
    q_.where.clear();
    q_.tables = {focus_};
    q_.where.push_back({{plain[0].second, "NOT IN", "(" + sub_sql + ")"}});
    neg_table = -1;
  } else if (neg_table >= 0 && neg_table != focus_) {
    auto path = joins_.shortest_path({focus_}, neg_table);
    if (!path || path->empty()) {
      reason_ = "cannot tell how '" + cat_.tables[focus_].name + "' relates to '" + cat_.tables[neg_table].name +
                "' for the negation";
      return false;
    }
    const JoinEdge& first = (*path)[0];
    Query sub;
    std::vector<int> sub_tables;
    for (const auto& e : *path) sub_tables.push_back(e.to_table);
    sub.tables = sub_tables;
    const TableInfo& t1 = cat_.tables[first.to_table];
    const ColumnInfo* inner_col = t1.find_column(first.to_columns[0]);
    const ColumnInfo* outer_col = cat_.tables[focus_].find_column(first.from_columns[0]);
    if (!inner_col || !outer_col) {
      reason_ = "cannot build the negation subquery";
      return false;
    }
    sub.select.push_back({0, Expr{.t = first.to_table, .c = static_cast<int>(inner_col - t1.columns.data())}});
    // Conditions on the related tables go inside the subquery, and so do
    // those on tables reached through them ("products never sold at the
    // Portland Mall store": the store is joined inside).
    std::vector<std::vector<Cond>> keep;
    int neg_dist = joins_.distance(focus_, neg_table);
    for (auto& g : q_.where) {
      int t = g.size() == 1 ? g[0].lhs.t : -1;
      bool beyond = t >= 0 && t != focus_ && !contains_int(sub_tables, t) && joins_.distance(neg_table, t) > 0 &&
                    joins_.distance(focus_, t) == neg_dist + joins_.distance(neg_table, t);
      if (beyond) {
        sub.tables.push_back(t);
        sub_tables.push_back(t);
      }
      if (g.size() == 1 && contains_int(sub_tables, t))
        sub.where.push_back(g);
      else
        keep.push_back(g);
    }
    for (const auto& c : neg_inner_) sub.where.push_back({c});
    q_.where = keep;
    // Tables named beyond the related one ("professionals who did not perform
    // any treatment on dogs") belong to the excluded rows, not to the answer.
    for (int t : std::vector<int>(q_.tables)) {
      if (t == focus_ || contains_int(sub_tables, t) || joins_.distance(neg_table, t) <= 0 ||
          joins_.distance(focus_, t) != neg_dist + joins_.distance(neg_table, t)) {
        continue;
      }
      bool shown = false;
      for (const auto& [p, e] : plain) shown = shown || e.t == t;
      for (const auto& [p, e] : aggs) shown = shown || e.t == t;
      if (shown) continue;
      sub.tables.push_back(t);
      sub_tables.push_back(t);
    }
    for (int t : sub_tables) q_.tables.erase(std::remove(q_.tables.begin(), q_.tables.end(), t), q_.tables.end());
    std::string sub_sql = render(sub);
    if (sub_sql.empty()) return false;
    q_.where.push_back({{Expr{.t = focus_, .c = static_cast<int>(outer_col - cat_.tables[focus_].columns.data())},
                         "NOT IN", "(" + sub_sql + ")"}});
  } else if (!neg_inner_.empty()) {
    for (const auto& c : neg_inner_) add_condition({{c.lhs, c.op == "=" ? "!=" : "NOT IN", c.rhs}});
  }

  // A measure aggregated over the rows of another table, with nothing to
  // group by: per entity ("which store had the highest sales", "top 5
  // brands by revenue"), by the named columns, or by the main entity.
  bool measure_elsewhere = false;
  int subject = plain.empty() ? focus_ : plain[0].second.t;
  for (const auto& a : aggs) measure_elsewhere = measure_elsewhere || (a.second.t >= 0 && a.second.t != subject);
  for (auto& o : orders) {
    if (!o.first.star && o.first.t >= 0 && o.first.t != subject && is_measure(o.first.t, o.first.c) &&
        o.first.agg != Agg::kNone) {
      measure_elsewhere = true;
    }
  }
  if (measure_elsewhere && groups.empty() && !entity_group && !yoy_ && group_part_ == DatePart::kNone &&
      (ranking || !orders.empty() || !plain.empty())) {
    bool plain_is_entity_name = plain.size() == 1 && plain[0].second.c == name_column(plain[0].second.t);
    if (!plain.empty() && !plain_is_entity_name) {
      for (const auto& p : plain) groups.push_back(p.second);
    } else {
      entity_group = true;
      group_entity = plain.empty() ? focus_ : plain[0].second.t;
    }
  }

  // The grouping key.
  std::vector<Expr> group_exprs = groups;
  bool aggregate_order = false;
  for (const auto& o : orders) aggregate_order = aggregate_order || o.first.agg != Agg::kNone;
  bool measure_named = false;  // "payment amount by department": a measure of related rows, totalled
  for (const auto& p : plain) {
    measure_named = measure_named || (p.second.t != group_entity && is_measure(p.second.t, p.second.c));
  }
  if (entity_group && group_entity == focus_ && aggs.empty() && !count_ && !super_count && q_.having.empty() &&
      !has_measure_ && !aggregate_order && !measure_named) {
    entity_group = false;  // "the name of each singer": a list, not groups
  }
  if (entity_group && !aggs.empty() && !count_ && !super_count && q_.having.empty() && groups.empty()) {
    bool own = true;
    for (const auto& a : aggs) own = own && a.second.t == group_entity;
    if (own && group_entity == focus_ && plain.empty()) entity_group = false;  // "average quantity per sale"
  }
  if (entity_group) {
    int k = key_column(group_entity);
    int n = name_column(group_entity);
    // The entity is shown by its name, grouped by its key (names repeat).
    bool shown = false;
    for (const auto& [p, e] : plain) shown = shown || e.t == group_entity;
    if (!shown && n >= 0) plain.insert(plain.begin(), {entity_pos, Expr{.t = group_entity, .c = n}});
    if (k >= 0)
      group_exprs.push_back(Expr{.t = group_entity, .c = k});
    else if (n >= 0)
      group_exprs.push_back(Expr{.t = group_entity, .c = n});
  }
  if (group_part_ != DatePart::kNone && !yoy_) {
    int dc = date_column_for(has_measure_ ? measure_.t : focus_);
    if (dc < 0) {
      penalize(0.6, "no date column to group by");
    } else {
      Expr g = period_expr(dc / 1000, dc % 1000, group_part_);
      group_exprs.insert(group_exprs.begin(), g);
      q_.select.insert(q_.select.begin(), {0, g});
      if (orders.empty() && !ranking && !super_count) q_.order_by.push_back({g, false});
      // Quarters and halves repeat every year: grouped under their year
      // unless the question keeps to one year.
      bool one_year = false;
      for (const auto& group : q_.where) {
        for (const auto& c : group) one_year = one_year || (c.lhs.part == DatePart::kYear && c.op == "=");
      }
      if ((group_part_ == DatePart::kQuarter || group_part_ == DatePart::kHalf) && !one_year) {
        Expr y{.t = g.t, .c = g.c, .part = DatePart::kYear};
        group_exprs.insert(group_exprs.begin(), y);
        q_.select.insert(q_.select.begin(), {0, y});
        if (orders.empty() && !ranking && !super_count) q_.order_by.insert(q_.order_by.begin(), {y, false});
      }
    }
  }
  // Superlative over counts: "the stadium with the most concerts".
  if (super_count) {
    if (group_exprs.empty()) {
      // Rows of the counted table grouped by a column of its own ("the year
      // with the most concerts"), or entities by their key.
      int owner = plain.empty() ? focus_ : plain[0].second.t;
      bool own_columns = !plain.empty() && (owner == super_count_table_ || super_count_table_ < 0);
      for (const auto& p : plain) own_columns = own_columns && p.second.t == owner && !is_key(p.second.t, p.second.c);
      // "which region had the most sales": a repeating column is the group.
      bool category = plain.size() == 1 && plain[0].second.c != name_column(owner) &&
                      !is_key(owner, plain[0].second.c) && !is_numeric(owner, plain[0].second.c);
      if (own_columns || category) {
        for (const auto& p : plain) group_exprs.push_back(p.second);
      } else {
        int k = key_column(owner);
        if (k >= 0)
          group_exprs.push_back(Expr{.t = owner, .c = k});
        else if (!plain.empty())
          group_exprs.push_back(plain[0].second);
      }
    }
    orders.push_back({Expr{.agg = Agg::kCount, .star = true}, super_desc});
    if (limit < 0) limit = 1;
  }

  // The projection.
  std::vector<std::pair<size_t, Expr>> sel;
  bool grouped = !group_exprs.empty() || !q_.group_by.empty();
  for (const auto& p : plain) {
    // A grouped column named in the projection is the group key itself.
    bool is_group = std::find(groups.begin(), groups.end(), p.second) != groups.end();
    if (!is_group && grouped && aggs.empty() && !count_) {
      // "sales by region" where sales linked as a column: the measure.
      if (is_measure(p.second.t, p.second.c)) {
        Expr m = p.second;
        m.agg = Agg::kSum;
        aggs.push_back({p.first, m});
        measure_ = m;
        has_measure_ = true;
        continue;
      }
    }
    sel.push_back(p);
  }
  for (const auto& g : groups) {
    bool present = false;
    for (const auto& s : sel) present = present || s.second == g;
    size_t gi = &g - groups.data();
    if (!present) sel.insert(sel.begin(), {group_pos.count(gi) ? group_pos[gi] : 0, g});
  }
  for (const auto& a : aggs) sel.push_back(a);
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
    if (!grouped && !plain.empty()) {
      penalize(0.2, "columns named beside a count");
      for (const auto& p : plain) {
        if (!is_date(p.second.t, p.second.c) && !is_measure(p.second.t, p.second.c)) group_exprs.push_back(p.second);
      }
      grouped = !group_exprs.empty();
    }
  } else if (grouped && aggs.empty() && !super_count && !aggregate_order &&
             sel.size() == group_exprs.size() + (entity_group ? 1 : 0)) {
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
                       !(asked->kind == ItemKind::kTable && idle_measure && asked->t == idle_measure->t);
  if (idle_measure && !count_ && aggs.empty() && !listing && !asks_entities && (sel.empty() || grouped) &&
      orders.empty() && !having_subject_) {
    // "Sales in March 2024", "sales last year": the total of the measure.
    sel.push_back({1000, *idle_measure});
    measure_ = *idle_measure;
    has_measure_ = true;
  }
  if (grouped && sel.size() == group_exprs.size() && idle_measure && aggs.empty() && !count_ && orders.empty() &&
      !super_count && !having_subject_) {
    sel.push_back({1000, *idle_measure});
  }
  if (sel.empty() && q_.select.empty()) {
    // Nothing named to show: the main table's name column, or all columns.
    int n = name_column(focus_);
    if (orders.size() == 1 && orders[0].first.agg == Agg::kNone && !orders[0].first.star && limit == 1 &&
        !super_count) {
      // "the highest capacity": MAX/MIN of that column.
      Expr m = orders[0].first;
      m.agg = orders[0].second ? Agg::kMax : Agg::kMin;
      // "The product with the largest unit price": the product is asked for.
      bool entity_with = false;
      for (const auto& it : items_) {
        entity_with = entity_with || (it.kind == ItemKind::kTable && it.t == focus_ && lw(it.end) == "with");
      }
      bool asks_which =
          lw(0) == "which" || lw(0) == "who" || any_word({"name", "names"}) || implied_order_ || entity_with;
      if (!asks_which) {
        sel.push_back({0, m});
        orders.clear();
        limit = -1;
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
  if (!q_.group_by.empty() || !group_exprs.empty()) {
    std::stable_partition(q_.select.begin(), q_.select.end(),
                          [](const auto& s) { return s.second.agg == Agg::kNone && !s.second.star; });
  }

  for (const auto& g : group_exprs) {
    if (std::find(q_.group_by.begin(), q_.group_by.end(), g) == q_.group_by.end()) q_.group_by.push_back(g);
  }
  // Other projected columns of a grouped entity go into GROUP BY too, so
  // that every engine accepts the query.
  if (!q_.group_by.empty()) {
    for (const auto& [p, e] : q_.select) {
      if (e.agg != Agg::kNone || e.star) continue;
      if (std::find(q_.group_by.begin(), q_.group_by.end(), e) == q_.group_by.end()) q_.group_by.push_back(e);
    }
  }
  if (!q_.having.empty() && q_.group_by.empty() && !plain.empty()) {
    // "regions with more than 7 stores": the named column is the group.
    bool category = true;
    for (const auto& p : plain)
      category = category && !is_key(p.second.t, p.second.c) && p.second.c != name_column(p.second.t);
    if (category) {
      for (const auto& p : plain) q_.group_by.push_back(p.second);
    }
  }
  if (!q_.having.empty() && q_.group_by.empty()) {
    int k = key_column(focus_);
    if (k < 0) {
      reason_ = "cannot group '" + cat_.tables[focus_].name + "' rows for the count condition";
      return false;
    }
    q_.group_by.push_back(Expr{.t = focus_, .c = k});
  }

  // Ordering: explicit orders, then ranking by the measure. A ranking
  // ("top 5 ... by revenue") or a total ranked ("which store sold the
  // most") shows the figure it ranks by.
  for (const auto& o : orders) {
    q_.order_by.push_back(o);
    bool shown = false;
    for (const auto& sx : q_.select) shown = shown || sx.second == o.first;
    if (!shown && by_measure_ && o.first.agg != Agg::kNone) q_.select.push_back({1000, o.first});
  }
  if (ranking && orders.empty()) {
    Expr by;
    bool found = false;
    for (const auto& [p, e] : q_.select) {
      if (e.agg != Agg::kNone && !found) {
        by = e;
        found = true;
      }
    }
    if (!found) {
      penalize(0.4, "a ranking with nothing to rank by");
    } else {
      q_.order_by.push_back({by, limit_desc});
    }
  }
  if (limit > 0) q_.limit = limit;
  if (q_.order_by.empty() && time_order_ && q_.limit < 0 && !list_desc_) q_.order_by.push_back({*time_order_, false});
  // Grouped totals are listed by their group, as a report would (time
  // groups in time order); "highest first" orders them by the figure.
  if (q_.order_by.empty() && (!q_.group_by.empty() || list_desc_) && q_.limit < 0) {
    for (const auto& [p, e] : q_.select) {
      if (list_desc_ ? e.agg != Agg::kNone : (e.agg == Agg::kNone && !e.star)) {
        q_.order_by.push_back({e, list_desc_.value_or(false)});
        break;
      }
    }
  }
  if (distinct && !count_ && aggs.empty() && q_.group_by.empty()) q_.distinct = true;
  // "List all regions", "what cities are in the Central region": a column
  // whose values repeat is listed once per value.
  if (!count_ && q_.group_by.empty() && q_.limit < 0 && !q_.select.empty()) {
    bool repeats = true;
    for (const auto& [p, e] : q_.select) {
      repeats = repeats && e.agg == Agg::kNone && !e.star && e.part == DatePart::kNone && e.t >= 0 &&
                !is_key(e.t, e.c) && !is_numeric(e.t, e.c) && !is_date(e.t, e.c) && e.c != name_column(e.t) &&
                !col(e.t, e.c).primary_key;
    }
    bool single_col = q_.select.size() == 1;
    if (repeats && single_col) q_.distinct = true;
  }
  // "What was the amount in January 2023?": a measure of dated rows asked for
  // a period, with nothing else to tell the rows apart, is the period's total.
  if (q_.select.size() == 1 && q_.group_by.empty() && q_.order_by.empty() && q_.limit < 0 && q_.having.empty() &&
      time_filtered_ && !q_.where.empty() && !count_ && !yoy_case_) {
    Expr& e = q_.select[0].second;
    bool only_time = true;
    for (const auto& g : q_.where) {
      for (const auto& c : g) only_time = only_time && c.lhs.t == e.t && c.lhs.t >= 0 && is_date(c.lhs.t, c.lhs.c);
    }
    if (e.agg == Agg::kNone && !e.star && e.t >= 0 && is_measure(e.t, e.c) && only_time && lw(0) != "list" &&
        lw(0) != "show" && !any_word({"each", "every", "all"})) {
      e.agg = Agg::kSum;
      q_.distinct = false;
    }
  }
  if (yoy_case_ && !year_over_year()) return false;
  return true;
}

// Per-year totals side by side: SUM(CASE WHEN year = Y THEN x ELSE 0 END),
// as a pair of columns per group, their difference (or percentage), or a
// HAVING that keeps the groups that grew (declined).

}  // namespace t2sql::template_rules
