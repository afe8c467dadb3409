// TemplateQueryBuilder: the rules of the template engine for one question.
// It links the question's words to the schema and to stored values, then
// runs the engine's rules as named passes (template_rules/passes.cc, one
// file each under template_rules/<stage>/) that read the cue words into one
// SELECT (a Query: projection, conditions, groups, HAVING, order, limit,
// joins, negation subqueries, per-year CASE totals) through a shared typed
// reading (ShapeReading, DateReading), and renders it in the database's
// dialect, lowering a confidence score for each guess. TemplateGenerator
// makes one per question.
//
//   TemplateQueryBuilder b(gen, catalog, dialect, linker, joins, values, request);
//   b.run();  // b.sql_ (empty with b.reason_ when no rule fits), b.confidence_, b.notes_
//
// Holds references to the generator's catalog, linker, join graph and value
// index (which must outlive it) and its own per-question state; one question,
// one thread. Errors are answers: an empty sql_ with reason_.
//
// Besides the passes: template_query_builder.cc (linking, the main table,
// comparators), template_query_builder_dates.cc (week and holiday ranges,
// the year-over-year comparison), template_query_builder_render.cc (SQL
// text); template_query_builder_features.cc describes the reading for the
// confidence calibration.
#pragma once

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "generate/join_graph.h"
#include "generate/question_parser.h"
#include "generate/question_reading.h"
#include "generate/schema_linker.h"
#include "generate/template_calibration.h"
#include "generate/template_generator.h"
#include "db/value_index.h"
#include "schema/identifier_words.h"
#include "sql/dialect.h"
#include "t2sql/catalog.h"
#include "t2sql/generator.h"

// Internal to the template engine: the names below (Expr, Query, Item, ...)
// are its own and stay out of the t2sql namespace proper.
namespace t2sql::template_rules {

enum class Agg { kNone, kCount, kSum, kAvg, kMin, kMax };
enum class DatePart { kNone, kYear, kMonth, kYearMonth, kDay, kQuarter, kHalf, kWeekday };

inline const char* agg_sql(Agg a) {
  switch (a) {
    case Agg::kCount: return "COUNT";
    case Agg::kSum: return "SUM";
    case Agg::kAvg: return "AVG";
    case Agg::kMin: return "MIN";
    case Agg::kMax: return "MAX";
    default: return "";
  }
}

// One expression of the query: a column (maybe a date part of it), an
// aggregate over it, or COUNT(*). Every member has a default ({} where the
// type has its own), so that a designated initializer names only what it
// sets; Cond and ReadingChoice likewise.
struct Expr {
  Agg agg = Agg::kNone;
  bool distinct = false;
  bool star = false;
  int t = -1, c = -1;
  DatePart part = DatePart::kNone;
  // A computed expression (a per-year CASE total): its SQL with and without
  // table qualifiers; t is the table it reads.
  std::string raw{}, raw_qualified{};
  std::string alias{};  // AS name in the projection, when set
  bool operator==(const Expr&) const = default;
};

struct Cond {
  Expr lhs;
  std::string op;                  // "=", ">", ">=", "<", "<=", "!=", "IN", "BETWEEN", "LIKE", "NOT IN"
  std::string rhs;                 // SQL text
  std::optional<Expr> rhs_expr{};  // instead of rhs: an expression, qualified as the query needs
};

struct Query {
  std::vector<std::pair<size_t, Expr>> select;  // (question position, expression)
  bool distinct = false;
  std::vector<std::vector<Cond>> where;  // AND of OR-groups
  std::vector<Expr> group_by;
  std::vector<Cond> having;
  std::vector<std::pair<Expr, bool>> order_by;  // (expression, descending)
  long long limit = -1;
  std::vector<int> tables;       // tables[0] is the main table
  std::string agg_alias;         // a name for aggregate columns (an inner query's totals)
  bool name_aggregates = false;  // the answer's own columns: total_amount, average_price, count
};

enum class ItemKind { kTable, kColumn, kValue, kNumber, kQuoted };

// One linked span of the question.
struct Item {
  ItemKind kind = ItemKind::kColumn;
  size_t begin = 0, end = 0;
  std::vector<SchemaCandidate> cands;  // kTable / kColumn
  int t = -1, c = -1;                  // resolved table / column
  LinkedValue value;                   // kValue
  bool prefix = false;                 // kValue: the start of stored values ("Dyson Vacuum" of "Dyson Vacuum Classic")
  std::vector<Item> alts;              // kValue: the same text in other columns
  double number = 0;                   // kNumber
  std::string text;                    // kNumber, kQuoted: as written
  bool used = false;
};

struct Comparator {
  std::string op;
  size_t length = 0;                 // tokens the cue spans
  std::vector<std::string> implied;  // column words the cue implies ("older" -> age)
};

inline bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

inline std::string number_sql(double v, const std::string& text) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  std::ostringstream os;
  os << v;
  return text.empty() ? os.str() : os.str();
}

// A superlative cue word ("highest", "oldest", "fewest"): lexicon::kSuperlatives.
struct Superlative {
  bool desc = true;
  std::vector<std::string> implied;  // the column words it implies ("oldest": age)
  bool count_words = false;          // "most", "least", "fewest": may count rows
  size_t at = 0;                     // where the question says it (set by the roles pass)
};

// The typed reading of the question's shape that the passes share
// (template_rules/passes.cc runs them in a declared order): the roles the
// walk over the words gave them (roles) and what the later passes derive
// from those (grouping key, projection, ordering).
struct ShapeReading {
  bool ranking = false;  // "top 5", "3 highest": the rows are ranked
  long long limit = -1;
  bool limit_desc = true;
  std::vector<Agg> pending_aggs;  // aggregate cues waiting for their column
  bool pending_group = false, pending_order = false, order_desc = false;
  std::optional<Superlative> pending_super;
  bool pending_neg = false;
  bool neg_seen = false;  // a negation cue, whatever it applied to
  bool sort_verb = false;
  bool alpha_order = false;
  bool after_boundary = false;                 // past "who", "with", "where": conditions follow
  std::vector<std::pair<size_t, Expr>> plain;  // projected columns (question position, column)
  std::vector<std::pair<size_t, Expr>> aggs;
  std::vector<Expr> groups;
  std::map<size_t, size_t> group_pos;  // index in groups -> question position
  size_t entity_pos = 0;
  std::vector<std::pair<Expr, bool>> orders;  // (expression, descending)
  bool super_count = false, super_desc = true;
  int neg_table = -1;                // the related table of a negation
  std::optional<Expr> idle_measure;  // "sales in March": the measure of a named table
  bool entity_group = false;         // grouped by an entity (group_entity)
  int group_entity = -1;
  bool distinct = false;
  std::vector<Expr> group_exprs;  // the grouping key (group_key)
  bool aggregate_order = false;   // an order by an aggregate
  size_t order_end = 0;           // the end of the last column read as an order key (a list may follow)
  // An aggregate cue passed over a year column that a year follows ("total
  // pounds in year 2018"): when no other column takes the cue, the figure
  // asked for is not known.
  bool skipped_condition_column = false;
  // The column of figures a superlative asked for ("the oldest and youngest
  // students": MAX and MIN of age; "how old is the youngest ... for each"):
  // the column named again is not one more column to show.
  std::optional<Expr> figure_column;
  bool extremes_of_rows = false;  // "the names of the oldest and youngest": penalized once
};

// The dates of the question (template_rules/dates/): the date column they
// apply to, the year column or date part years compare with, and the years
// and day ranges read so far.
struct DateReading {
  std::vector<Item*> years;  // four-digit years not yet used
  int measure_table = -1;
  int dc = -1;  // date column, as table * 1000 + column
  int yc = -1;  // year column, the same
  Expr year_expr;
  bool have_year = false;
  std::set<size_t> day_ranges;  // tokens of weeks and holidays (not month filters)
};

// Another plausible reading of one linked span (resolve_items): a column
// or a stored value the words could name instead of the one chosen.
struct ReadingChoice {
  size_t item = 0;      // index in the builder's items
  int t = -1, c = -1;   // the table and column it is read as
  LinkedValue value{};  // a value item: the stored value in that column
  double margin = 0;    // the chosen reading's score minus this one's (0: a tie)
  std::string words{};  // the question's words
};

class TemplateQueryBuilder {
 public:
  TemplateQueryBuilder(TemplateGenerator& gen, const Catalog& catalog, const Dialect& dialect,
                       const SchemaLinker& linker, const JoinGraph& joins, const ValueIndex& values,
                       const GenerationRequest& request)
      : gen_(gen), cat_(catalog), d_(dialect), linker_(linker), joins_(joins), values_(values), req_(request) {}

  // Fills sql_ (or reason_) and confidence_: runs the passes in order.
  void run();

  // One pass of the engine (template_rules/passes.cc lists them in order).
  struct Pass {
    const char* name;
    const char* stage;  // shape, conditions, dates, analyst, finish
    bool required;      // every later pass reads what it finds: cannot be disabled
    bool (TemplateQueryBuilder::*apply)();
    const char* example;
  };
  static const std::vector<Pass>& passes();

  std::string sql_, reason_;
  double confidence_ = 1.0;
  std::vector<std::string> notes_;
  // What the calibration reads (template_calibration.h): filled by run() and
  // by penalize(); collect_features() (template_query_builder_features.cc)
  // describes the finished reading.
  ReadingFeatures features_;
  std::vector<std::string> rules_fired_;  // names of the rules that changed the reading or the query
  // The runner-up reading of each ambiguous span, and the chosen one's
  // (template_alternatives.cc builds the SQL of each with forced_).
  std::vector<ReadingChoice> rivals_, chosen_;
  std::optional<ReadingChoice> forced_;  // set before run(): read that span this way
  std::string place(const ReadingChoice& r) const;  // "table.column"

 private:
  // ---- question access
  const std::string& lw(size_t i) const {
    static const std::string kEmpty;
    return i < toks_.size() && toks_[i].kind == QuestionTokenKind::kWord ? toks_[i].lower : kEmpty;
  }
  const std::string& nw(size_t i) const {
    static const std::string kEmpty;
    return i < toks_.size() && toks_[i].kind == QuestionTokenKind::kWord ? toks_[i].norm : kEmpty;
  }
  bool at(size_t i, std::initializer_list<const char*> words) const {
    size_t k = i;
    for (const char* w : words) {
      if (k >= toks_.size() || toks_[k].lower != w) return false;
      ++k;
    }
    return true;
  }
  bool any_word(std::initializer_list<const char*> words) const {
    for (const auto& t : toks_) {
      for (const char* w : words) {
        if (t.lower == w) return true;
      }
    }
    return false;
  }
  Item* item_at(size_t i) {
    for (auto& it : items_) {
      if (it.begin == i && it.end > it.begin) return &it;  // implied items have no span
    }
    return nullptr;
  }
  // The reading's (question_reading.h) number or month written at token i, or null.
  const QuestionSpan* reading_number(size_t i) const { return reading_at(reading_->number_spans, i); }
  const QuestionSpan* reading_month(size_t i) const { return reading_at(reading_->month_spans, i); }
  const QuestionSpan* reading_at(const std::vector<QuestionSpan>& spans, size_t i) const {
    if (i >= toks_.size()) return nullptr;
    for (const auto& s : spans) {
      if (s.begin == toks_[i].begin && s.end == toks_[i].end) return &s;
    }
    return nullptr;
  }
  // The token written exactly at a span of the reading, or toks_.size().
  size_t token_of(const QuestionSpan& s) const {
    for (size_t i = 0; i < toks_.size(); ++i) {
      if (toks_[i].begin == s.begin && toks_[i].end == s.end) return i;
    }
    return toks_.size();
  }
  Item* item_covering(size_t i) {
    for (auto& it : items_) {
      if (it.begin <= i && i < it.end) return &it;
    }
    return nullptr;
  }
  // Next item starting at or after i, skipping only function words.
  Item* next_item(size_t i, size_t max_skip = 3) {
    size_t skipped = 0;
    for (size_t k = i; k < toks_.size(); ++k) {
      if (Item* it = item_at(k)) return it;
      if (toks_[k].kind == QuestionTokenKind::kWord && !is_stop_word(toks_[k].norm) && !is_filler(k)) return nullptr;
      if (++skipped > max_skip) return nullptr;
    }
    return nullptr;
  }
  bool is_filler(size_t k) const;  // lexicon::kFillerWords
  // A column of a table related to the main one, named after "any", "a" or
  // "an" ("do not have any interactions"): its rows, not the column.
  bool related_column(const Item& it) const;
  // A superlative in a list of figures ("the highest, lowest and average
  // cost"): an aggregate of the rows, not an ordering.
  bool superlative_in_list(size_t i) const;
  // Both extremes asked at once ("the oldest and youngest", "the average
  // and oldest age"): a superlative that implies its column, joined by "and"
  // or a comma to another superlative or an aggregate word.
  bool extremes_in_list(size_t i) const;
  // "the title and highest price for each film", "for each city, the highest
  // latitude", "how old is the youngest person for each job": the
  // superlative at `at` asks for a figure of each group (MAX/MIN per group),
  // not for the one row that ranks first. `column_begin`: where the column it
  // ranks by is named (its own position for an implied column).
  bool figure_per_group(size_t at, size_t column_begin, bool implied) const;
  // A group named after "for each", "in every", "within each", "of each" or
  // "per" (a column or a table within two words).
  bool each_group_cue() const;
  // "the ids and details of all accounts", "the names and other details":
  // a word linked to nothing (too generic alone), listed right after a
  // projected column, that ends the name of exactly one other column of that
  // column's table (account_details): that column.
  std::optional<Expr> listed_attribute(size_t i) const;
  // A year column (or a date) with a year right after it ("in year 2018",
  // "the year of 2002"): a condition, not a figure to aggregate.
  bool year_condition_column(const Item& it);

  // ---- schema facts
  const ColumnInfo& col(int t, int c) const { return cat_.tables[t].columns[c]; }
  bool is_date(int t, int c) const {
    const auto& ci = col(t, c);
    if (ci.type == ValueType::kDate || ci.type == ValueType::kTimestamp) return true;
    std::string dt;
    for (char ch : ci.declared_type) dt += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (dt.find("DATE") != std::string::npos || dt.find("TIME") != std::string::npos) return true;
    auto words = linker_.column_words(t, c);
    if (!ci.samples.empty() && (contains(words, "date") || contains(words, "month") || contains(words, "day"))) {
      const std::string& s = ci.samples[0];
      return s.size() >= 7 && std::isdigit(static_cast<unsigned char>(s[0])) && s[4] == '-';
    }
    return false;
  }
  bool is_numeric(int t, int c) const {
    const auto& ci = col(t, c);
    if (ci.type == ValueType::kInteger || ci.type == ValueType::kReal) return true;
    std::string dt;
    for (char ch : ci.declared_type) dt += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return dt.find("INT") != std::string::npos || dt.find("REAL") != std::string::npos ||
           dt.find("NUM") != std::string::npos || dt.find("DEC") != std::string::npos ||
           dt.find("FLOA") != std::string::npos || dt.find("DOUB") != std::string::npos;
  }
  bool is_key(int t, int c) const {
    const auto& table = cat_.tables[t];
    if (col(t, c).primary_key) return true;
    for (const auto& fk : table.foreign_keys) {
      for (const auto& fc : fk.columns) {
        if (fc == col(t, c).name) return true;
      }
    }
    const auto& w = linker_.column_words(t, c);
    return !w.empty() && w.back() == "id";
  }
  bool is_measure(int t, int c) const {
    if (!is_numeric(t, c) || is_key(t, c)) return false;
    const auto& w = linker_.column_words(t, c);
    return !contains(w, "year");
  }
  int name_column(int t) const {
    const auto& table = cat_.tables[t];
    for (size_t c = 0; c < table.columns.size(); ++c) {
      if (linker_.column_words(t, c) == std::vector<std::string>{"name"}) return static_cast<int>(c);
    }
    for (size_t c = 0; c < table.columns.size(); ++c) {
      const auto& w = linker_.column_words(t, c);
      if (!w.empty() && (w.back() == "name" || w.back() == "title") && !(w.size() > 1 && w[0] == "last")) {
        return static_cast<int>(c);
      }
    }
    for (size_t c = 0; c < table.columns.size(); ++c) {
      if (!is_numeric(t, c) && !is_key(t, c) && !is_date(t, c)) return static_cast<int>(c);
    }
    return -1;
  }
  int key_column(int t) const {
    const auto& table = cat_.tables[t];
    if (table.primary_key.size() == 1) {
      for (size_t c = 0; c < table.columns.size(); ++c) {
        if (table.columns[c].name == table.primary_key[0]) return static_cast<int>(c);
      }
    }
    return -1;
  }
  // A periodic snapshot: a table keyed by a date and a reference to an entity
  // (one row per entity per period). Counting it means counting entities at
  // a date, not rows.
  std::optional<std::pair<int, int>> snapshot_columns(int t) const {
    const auto& table = cat_.tables[t];
    if (table.primary_key.size() != 2 || table.foreign_keys.size() != 1) return std::nullopt;
    int date_c = -1, ref_c = -1;
    for (size_t c = 0; c < table.columns.size(); ++c) {
      if (!contains(table.primary_key, table.columns[c].name)) continue;
      if (is_date(t, c))
        date_c = static_cast<int>(c);
      else if (contains(table.foreign_keys[0].columns, table.columns[c].name))
        ref_c = static_cast<int>(c);
    }
    if (date_c < 0 || ref_c < 0) return std::nullopt;
    return std::make_pair(date_c, ref_c);
  }

  // The table a snapshot's entity column refers to, or -1.
  int snapshot_entity_table(int t) const {
    if (!snapshot_columns(t)) return -1;
    const auto* ref = cat_.find_table(cat_.tables[t].foreign_keys[0].ref_table);
    return ref ? static_cast<int>(ref - cat_.tables.data()) : -1;
  }
  // A date column grouped by a period: the column itself when its name says
  // it already holds that period (a snapshot's "month"), else the date part.
  Expr period_expr(int t, int c, DatePart part) const {
    const auto& w = linker_.column_words(t, c);
    bool already =
        (part == DatePart::kYearMonth && contains(w, "month")) || (part == DatePart::kYear && contains(w, "year"));
    return Expr{.t = t, .c = c, .part = already ? DatePart::kNone : part};
  }

  // ---- steps
  bool link();
  void resolve_items();
  int choose_focus();
  void resolve_column(Item& it);
  void note_rival(Item& it, double best, const std::vector<std::tuple<double, int, int>>& scored,
                  const std::vector<LinkedValue>& values = {});
  std::optional<Comparator> comparator_at(size_t i) const;
  // The passes of the engine, in the order of kPasses (template_rules/passes.cc),
  // one file each under template_rules/<stage>/: each reads the question, the
  // items and the reading so far, adds to the reading or the query, and
  // returns false to abstain (with reason_).
  bool pass_count_cue();
  bool pass_focus();
  bool pass_ranking_limit();
  bool pass_time_groups();
  bool pass_weekday_groups();
  bool pass_year_comparison_cue();
  bool pass_between();
  bool pass_comparisons();
  bool pass_number_beside_column();
  bool pass_column_then_number();
  bool pass_n_or_more();
  bool pass_values();
  bool pass_latest_period_cue();
  bool pass_still_open();
  bool pass_quoted_text();
  bool pass_roles();
  bool pass_leftover_cues();
  bool pass_date_column();
  bool pass_latest_period();
  bool pass_weeks_and_holidays();
  bool pass_months();
  bool pass_quarters();
  bool pass_relative_ranges();
  bool pass_years();
  bool pass_or_conditions();
  bool pass_negated_relation();
  bool pass_negation();
  bool pass_measure_per_entity();
  bool pass_fixed_entity();
  bool pass_group_key();
  bool pass_count_superlative();
  bool pass_all_columns();
  bool pass_condition_column();
  bool pass_projection();
  bool pass_group_by();
  bool pass_ordering();
  bool pass_distinct_values();
  bool pass_period_total();
  bool pass_year_over_year();
  bool pass_analyst_rules();
  bool pass_average_of_period_totals();
  bool pass_aggregate_of_period_counts();
  bool pass_count_of_groups();
  bool pass_aggregate_of_extreme_row();
  bool pass_extreme_row();
  bool pass_unexplained_words();
  bool pass_unused_items();
  bool pass_both_intersection();
  bool pass_unsupported_shapes();
  // A fingerprint of the reading and the query, to tell whether a pass changed them.
  std::vector<double> pass_fingerprint() const;
  bool year_over_year();
  std::set<size_t> week_and_holiday_ranges(const Expr& date, const std::vector<Item*>& years);
  // Cue words (lexicon.h) read at a position.
  Agg agg_word(size_t i) const;
  std::optional<Superlative> super_word(size_t i) const;
  bool grouping_words() const;
  // A table named by a word that also names one of its numeric columns
  // ("sales" ~ amount): that measure column, or -1.
  int measure_of_table_item(const Item& it) const;
  bool year_col(int t, int c) const {
    return contains(linker_.column_words(t, c), "year") && !is_date(t, c);
  }
  // A year as the year expression compares with it (text for a date part).
  std::string year_lit(int y) const {
    bool text = date_.year_expr.part == DatePart::kYear || !is_numeric(date_.year_expr.t, date_.year_expr.c);
    return text ? d_.string_literal(std::to_string(y)) : std::to_string(y);
  }
  // Rules run after shape(), in the order of kAnalystRules (template_rules/):
  // each reads the question and the query built so far, changes the query
  // (or writes the whole SQL into nested_sql) and says whether it fired.
  bool rule_entity_count(std::string& nested_sql);
  bool rule_weekday(std::string& nested_sql);
  bool rule_share_of_total(std::string& nested_sql);
  bool rule_per_entity_average(std::string& nested_sql);
  bool rule_top_k_per_group(std::string& nested_sql);
  bool rule_period_over_period(std::string& nested_sql);
  bool rule_running_total(std::string& nested_sql);
  bool rule_compare_values(std::string& nested_sql);
  bool rule_median(std::string& nested_sql);
  bool rule_top_k_share(std::string& nested_sql);
  bool rule_unknown_value(std::string& nested_sql);
  bool rule_unread_shape(std::string& nested_sql);
  void run_analyst_rules(std::string& nested_sql);
  std::string render(const Query& q);
  bool join_repeats_rows(const std::vector<JoinGraph::Step>& steps, int table) const;
  std::string cond_sql(const Cond& c, bool qualify) const;
  // Output names for a query's columns (its plain columns by name, its
  // aggregates as render() names them), set as aliases so that an outer
  // query can select them.
  std::vector<std::string> name_columns(Query& q) const;
  std::string expr_sql(const Expr& e, bool qualify) const;
  std::string col_sql(int t, int c, bool qualify) const;
  int date_column_for(int preferred_table);
  void fired(const std::string& rule) {
    if (std::find(rules_fired_.begin(), rules_fired_.end(), rule) == rules_fired_.end()) rules_fired_.push_back(rule);
  }
  // A rule read inside a pass (passes.cc's kSubRules), unless switched off.
  bool enabled(const char* rule) const { return !gen_.options().disabled_rules.count(rule); }
  void penalize(double amount, const std::string& why) {
    confidence_ -= amount;
    notes_.push_back(why);
    features_["penalty_total"] += amount;
    features_["penalties"] += 1;
  }
  void collect_features(bool nested, size_t unexplained);
  void add_table(int t) {
    if (t >= 0 && !contains_int(q_.tables, t)) q_.tables.push_back(t);
  }
  static bool contains_int(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }
  void add_condition(std::vector<Cond> group) {
    for (const auto& c : group) add_table(c.lhs.t);
    q_.where.push_back(std::move(group));
  }
  int nearest_numeric_column(size_t from, size_t to_exclusive, bool prefer_late);

  TemplateGenerator& gen_;
  const Catalog& cat_;
  const Dialect& d_;
  const SchemaLinker& linker_;
  const JoinGraph& joins_;
  const ValueIndex& values_;
  const GenerationRequest& req_;

  std::vector<QuestionToken> toks_;
  // The question's numbers, months and top-k: the request's reading (the
  // entity stage's), or own_reading_, read by the same read_question() when
  // the engine runs without a pipeline.
  QuestionReading own_reading_;
  const QuestionReading* reading_ = &own_reading_;
  std::vector<Item> items_;
  ShapeReading shape_;
  DateReading date_;
  std::string nested_sql_;   // the whole SQL when a pass built a nested query
  size_t unexplained_ = 0;   // words no pass explained (unexplained_words)
  std::vector<bool> consumed_;  // tokens explained by a cue or an item
  Query q_;
  int focus_ = -1;
  std::vector<int> mentioned_tables_;
  bool count_ = false;  // "how many", "number of"
  size_t count_pos_ = 0;
  bool count_distinct_ = false;
  std::vector<int> measure_cols_;  // (table, column) pairs flattened are awkward; see measure_
  Expr measure_;                   // the aggregated measure, when any
  bool has_measure_ = false;
  bool yoy_ = false;  // year-over-year comparison
  DatePart group_part_ = DatePart::kNone;
  std::vector<int> years_;
  bool time_filtered_ = false;
  int super_count_table_ = -1;
  std::vector<Cond> neg_inner_;  // conditions inside a NOT IN subquery
  int neg_value_table_ = -1;
  // The related table of a negation ("stores with no sales in 2024"): its own
  // date column takes the question's dates, which then go inside the subquery.
  int neg_date_table_ = -1;
  std::set<size_t> time_tokens_;   // "by month": handled as a time grouping
  std::set<size_t> cond_tokens_;   // "at least", "above the average": read by conditions()
  std::set<size_t> having_items_;  // items a HAVING condition consumed ("total sales" in "over 1,500,000")
  size_t last_cmp_end_ = 0;
  bool intersected_ = false;           // both_intersection wrote an INTERSECT
  std::optional<Expr> last_cmp_lhs_;  // the column of the last comparison (comparison_chain)
  bool rank_by_count_ = false;      // "top 5 stores by number of sales"
  bool count_is_question_ = false;  // "how many": the count is the answer, shown last
  bool by_measure_ = false;         // "top 5 stores by number of sales": the figure is shown
  std::optional<Expr> idle_measure_;
  std::optional<Expr> named_date_;
  std::optional<Expr> count_measure_;  // "how many units": SUM(quantity)
  std::optional<bool> list_desc_;      // "highest first" / "lowest first"
  bool implied_order_ = false;         // "most expensive": the order column was implied
  bool having_subject_ = false;        // a HAVING on a total: the rows named are groups
  // Two years compared side by side (dates() fills it, year_over_year() uses it).
  struct YearCase {
    Expr year;                  // the year of each row (a date part or a year column)
    int first = 0, second = 0;  // earlier, later (or: the year before "than", the one after)
    int dir = 0;                // +1 "grew", -1 "declined", 0 neither
    bool change = false;        // "change", "grow", "by how much": the difference
    bool percent = false;       // "percentage growth"
    std::string op;             // "<" / ">" for "less in A than in B"
  };
  std::optional<YearCase> yoy_case_;
  std::optional<Expr> time_order_;         // a time group named as a column: rows in time order
  bool count_periods_ = false;             // "in how many months": distinct periods are counted
  std::optional<DatePart> latest_period_;  // "in the latest month"
  DatePart count_periods_part_ = DatePart::kYearMonth;
  std::optional<Expr> count_distinct_col_;  // "how many cities": COUNT(DISTINCT city)  // "opened in 2023": the date
                                            // column a time filter applies to
};

}  // namespace t2sql::template_rules
