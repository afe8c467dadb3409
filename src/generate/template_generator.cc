#include "generate/template_generator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "generate/question_parser.h"
#include "schema/identifier_words.h"
#include "t2sql/database.h"

namespace t2sql {

namespace {

enum class Agg { kNone, kCount, kSum, kAvg, kMin, kMax };
enum class DatePart { kNone, kYear, kMonth, kYearMonth, kDay };

const char* agg_sql(Agg a) {
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
// aggregate over it, or COUNT(*).
struct Expr {
  Agg agg = Agg::kNone;
  bool distinct = false;
  bool star = false;
  int t = -1, c = -1;
  DatePart part = DatePart::kNone;
  // A computed expression (a per-year CASE total): its SQL with and without
  // table qualifiers; t is the table it reads.
  std::string raw, raw_qualified;
  std::string alias;  // AS name in the projection, when set
  bool operator==(const Expr&) const = default;
};

struct Cond {
  Expr lhs;
  std::string op;   // "=", ">", ">=", "<", "<=", "!=", "IN", "BETWEEN", "LIKE", "NOT IN"
  std::string rhs;  // SQL text
  std::optional<Expr> rhs_expr;  // instead of rhs: an expression, qualified as the query needs
};

struct Query {
  std::vector<std::pair<size_t, Expr>> select;  // (question position, expression)
  bool distinct = false;
  std::vector<std::vector<Cond>> where;  // AND of OR-groups
  std::vector<Expr> group_by;
  std::vector<Cond> having;
  std::vector<std::pair<Expr, bool>> order_by;  // (expression, descending)
  long long limit = -1;
  std::vector<int> tables;  // tables[0] is the main table
  std::string agg_alias;    // a name for aggregate columns (an inner query's totals)
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

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string number_sql(double v, const std::string& text) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  std::ostringstream os;
  os << v;
  return text.empty() ? os.str() : os.str();
}

int month_number(const std::string& w) {
  static const char* kNames[] = {"january", "february", "march",     "april",   "may",      "june",
                                 "july",    "august",   "september", "october", "november", "december"};
  static const char* kShort[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  for (int i = 0; i < 12; ++i) {
    if (w == kNames[i] || (w == kShort[i] && w != "mar" && w != "may")) return i + 1;
  }
  if (w == "sept") return 9;
  return 0;
}

bool is_year(double v) {
  return v >= 1900 && v <= 2100 && std::floor(v) == v;
}

class Builder {
 public:
  Builder(TemplateGenerator& gen, const Catalog& catalog, const Dialect& dialect, const SchemaLinker& linker,
          const JoinGraph& joins, const ValueIndex& values, const GenerationRequest& request)
      : gen_(gen), cat_(catalog), d_(dialect), linker_(linker), joins_(joins), values_(values), req_(request) {}

  // Fills sql_ (or reason_) and confidence_.
  void run();

  std::string sql_, reason_;
  double confidence_ = 1.0;
  std::vector<std::string> notes_;

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
  bool is_filler(size_t k) const {
    static const std::set<std::string> kFiller = {"number",   "total",  "amount",  "count",   "different",
                                                  "distinct", "unique", "overall", "combined"};
    return kFiller.count(lw(k)) > 0;
  }

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
    bool already = (part == DatePart::kYearMonth && contains(w, "month")) ||
                   (part == DatePart::kYear && contains(w, "year"));
    return Expr{.t = t, .c = c, .part = already ? DatePart::kNone : part};
  }

  // ---- steps
  bool link();
  void resolve_items();
  int choose_focus();
  void resolve_column(Item& it);
  std::optional<Comparator> comparator_at(size_t i) const;
  bool conditions();
  bool dates(bool other_groups);
  bool year_over_year();
  std::set<size_t> week_and_holiday_ranges(const Expr& date, const std::vector<Item*>& years);
  bool shape();
  std::string render(const Query& q);
  std::string expr_sql(const Expr& e, bool qualify) const;
  std::string col_sql(int t, int c, bool qualify) const;
  int date_column_for(int preferred_table);
  void penalize(double amount, const std::string& why) {
    confidence_ -= amount;
    notes_.push_back(why);
  }
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
  std::vector<Item> items_;
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
  std::set<size_t> time_tokens_;  // "by month": handled as a time grouping
  std::set<size_t> cond_tokens_;  // "at least", "above the average": read by conditions()
  std::set<size_t> having_items_;  // items a HAVING condition consumed ("total sales" in "over 1,500,000")
  size_t last_cmp_end_ = 0;
  bool rank_by_count_ = false;      // "top 5 stores by number of sales"
  bool count_is_question_ = false;  // "how many": the count is the answer, shown last
  bool by_measure_ = false;         // "top 5 stores by number of sales": the figure is shown
  std::optional<Expr> idle_measure_;
  std::optional<Expr> named_date_;
  std::optional<Expr> count_measure_;       // "how many units": SUM(quantity)
  std::optional<bool> list_desc_;           // "highest first" / "lowest first"
  bool implied_order_ = false;              // "most expensive": the order column was implied
  bool having_subject_ = false;             // a HAVING on a total: the rows named are groups
  // Two years compared side by side (dates() fills it, year_over_year() uses it).
  struct YearCase {
    Expr year;               // the year of each row (a date part or a year column)
    int first = 0, second = 0;  // earlier, later (or: the year before "than", the one after)
    int dir = 0;             // +1 "grew", -1 "declined", 0 neither
    bool change = false;     // "change", "grow", "by how much": the difference
    bool percent = false;    // "percentage growth"
    std::string op;          // "<" / ">" for "less in A than in B"
  };
  std::optional<YearCase> yoy_case_;
  std::optional<Expr> time_order_;  // a time group named as a column: rows in time order
  bool count_periods_ = false;      // "in how many months": distinct periods are counted
  std::optional<DatePart> latest_period_;  // "in the latest month"
  DatePart count_periods_part_ = DatePart::kYearMonth;
  std::optional<Expr> count_distinct_col_;  // "how many cities": COUNT(DISTINCT city)  // "opened in 2023": the date
                                            // column a time filter applies to
};

// ---------------------------------------------------------------- linking

bool Builder::link() {
  toks_ = tokenize_question(req_.question);
  consumed_.assign(toks_.size(), false);
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (toks_[i].kind == QuestionTokenKind::kPunct) consumed_[i] = true;
    if (toks_[i].kind == QuestionTokenKind::kWord && is_stop_word(toks_[i].norm)) consumed_[i] = true;
  }

  // Values first: proper names and quoted text are stronger evidence than a
  // lowercase word that happens to look like a column.
  std::vector<LinkedValue> linked = req_.linked_values;
  if (linked.empty()) linked = values_.search(req_.question, 12, 0.8);
  std::string lowerq;
  for (char ch : req_.question) lowerq += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::vector<Item> value_items;
  for (const auto& v : linked) {
    if (cat_.find_table(v.table) == nullptr) continue;
    // Numbers stay numbers: years and amounts are read by the rules, not as
    // text that happens to be stored somewhere.
    bool numeric = !v.matched_text.empty() && std::all_of(v.matched_text.begin(), v.matched_text.end(), [](char ch) {
      return std::isdigit(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == ' ';
    });
    if (numeric) continue;
    std::string needle;
    for (char ch : v.matched_text) needle += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    size_t pos = needle.empty() ? std::string::npos : lowerq.find(needle);
    if (pos == std::string::npos) continue;
    size_t b = toks_.size(), e = 0;
    for (size_t i = 0; i < toks_.size(); ++i) {
      size_t b0 = toks_[i].kind == QuestionTokenKind::kQuoted ? toks_[i].begin + 1 : toks_[i].begin;
      if (b0 >= pos && toks_[i].end <= pos + needle.size() + 2 && toks_[i].end > pos) {
        b = std::min(b, i);
        e = std::max(e, i + 1);
      }
    }
    if (b >= e) continue;
    Item it;
    it.kind = ItemKind::kValue;
    it.begin = b;
    it.end = e;
    it.value = v;
    for (size_t t = 0; t < cat_.tables.size(); ++t) {
      if (&cat_.tables[t] == cat_.find_table(v.table)) {
        it.t = static_cast<int>(t);
        const auto* ci = cat_.tables[t].find_column(v.column);
        if (ci) it.c = static_cast<int>(ci - cat_.tables[t].columns.data());
      }
    }
    if (it.t < 0 || it.c < 0) continue;
    value_items.push_back(it);
  }

  auto mentions = linker_.link(toks_);
  // "number of products" may name a column (Number_products), not a count.
  for (size_t i = 0; i + 2 < toks_.size(); ++i) {
    if (!(lw(i) == "number" && lw(i + 1) == "of") || toks_[i + 2].kind != QuestionTokenKind::kWord) continue;
    auto cands = linker_.match_words({"number", toks_[i + 2].norm});
    cands.erase(std::remove_if(cands.begin(), cands.end(),
                               [](const SchemaCandidate& c) { return c.column < 0 || c.score < 0.9; }),
                cands.end());
    if (cands.empty()) continue;
    mentions.erase(std::remove_if(mentions.begin(), mentions.end(),
                                  [&](const SchemaMention& m) { return m.end > i && m.begin < i + 3; }),
                   mentions.end());
    SchemaMention m{i, i + 3, cands};
    auto pos = std::find_if(mentions.begin(), mentions.end(), [&](const SchemaMention& x) { return x.begin > i; });
    mentions.insert(pos, m);
  }
  // A cue word that is also a column name ("average", "highest") is the cue
  // when another name follows it ("average age").
  static const std::set<std::string> kCueWords = {"average", "total", "maximum", "minimum", "highest",
                                                  "lowest",  "most",  "least",   "number",  "count",
                                                  "sum",     "max",   "min",     "avg"};
  for (size_t m = 0; m + 1 < mentions.size(); ++m) {
    if (mentions[m].end - mentions[m].begin == 1 && kCueWords.count(lw(mentions[m].begin)) &&
        mentions[m + 1].begin <= mentions[m].end + 2) {
      mentions.erase(mentions.begin() + m);
      --m;
    }
  }
  // "id" alone names the key of whichever table the question is about, and
  // "name" its name column.
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (nw(i) != "name") continue;
    bool covered = false;
    for (const auto& m : mentions) covered = covered || (m.begin <= i && i < m.end);
    if (covered) continue;
    SchemaMention m{i, i + 1, {}};
    for (size_t t = 0; t < cat_.tables.size(); ++t) {
      int n = name_column(static_cast<int>(t));
      if (n >= 0 && !is_numeric(static_cast<int>(t), n)) m.candidates.push_back({static_cast<int>(t), n, 0.8});
    }
    if (!m.candidates.empty()) {
      auto pos = std::find_if(mentions.begin(), mentions.end(), [&](const SchemaMention& x) { return x.begin > i; });
      mentions.insert(pos, m);
    }
  }
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (nw(i) != "id") continue;
    bool covered = false;
    for (const auto& m : mentions) covered = covered || (m.begin <= i && i < m.end);
    if (covered) continue;
    SchemaMention m{i, i + 1, {}};
    for (size_t t = 0; t < cat_.tables.size(); ++t) {
      int k = key_column(static_cast<int>(t));
      if (k >= 0) m.candidates.push_back({static_cast<int>(t), k, 0.85});
    }
    if (!m.candidates.empty()) {
      auto pos = std::find_if(mentions.begin(), mentions.end(), [&](const SchemaMention& x) { return x.begin > i; });
      mentions.insert(pos, m);
    }
  }
  std::vector<bool> taken(toks_.size(), false);
  // A run of capitalized words that no stored value equals but that starts
  // stored values of one column ("the Dyson Vacuum product"): a prefix match.
  for (size_t i = 0; i < toks_.size();) {
    size_t e = i;
    while (e < toks_.size() && toks_[e].kind == QuestionTokenKind::kWord && toks_[e].capitalized) ++e;
    if (e - i < 2) {
      i = std::max(e, i + 1);
      continue;
    }
    bool covered = false;
    for (const auto& v : value_items) covered = covered || (v.begin <= i && v.end >= e);
    std::vector<std::string> words;
    for (size_t k = i; k < e; ++k) {
      for (const auto& w : ValueIndex::tokenize(toks_[k].text)) words.push_back(w);
    }
    const ValueIndex::Entry* first = nullptr;
    bool one_column = true;
    for (const auto& entry : values_.entries()) {
      if (covered) break;
      if (entry.tokens.size() <= words.size() || !std::equal(words.begin(), words.end(), entry.tokens.begin())) continue;
      if (!first) first = &entry;
      one_column = one_column && entry.table == first->table && entry.column == first->column;
    }
    if (first && one_column) {
      Item it;
      it.kind = ItemKind::kValue;
      it.begin = i;
      it.end = e;
      it.prefix = true;
      it.value = LinkedValue{first->table, first->column, req_.question.substr(toks_[i].begin, toks_[e - 1].end - toks_[i].begin),
                             "", 0.9};
      const auto* t = cat_.find_table(first->table);
      it.t = t ? static_cast<int>(t - cat_.tables.data()) : -1;
      const auto* c = t ? t->find_column(first->column) : nullptr;
      it.c = c ? static_cast<int>(c - t->columns.data()) : -1;
      if (it.t >= 0 && it.c >= 0) {
        for (size_t k = i; k < e; ++k) taken[k] = true;
        items_.push_back(it);
      }
    }
    i = e;
  }
  // Keep one value per span: the best; ties go to the earlier (higher score) entry.
  for (auto& v : value_items) {
    bool strong = v.value.score >= 0.99;
    bool proper = false;
    for (size_t i = v.begin; i < v.end; ++i) {
      proper = proper || toks_[i].capitalized || toks_[i].kind == QuestionTokenKind::kQuoted;
    }
    bool schema_clash = false;
    for (const auto& m : mentions) {
      if (m.end <= v.begin || m.begin >= v.end) continue;
      double best = m.candidates.empty() ? 0 : m.candidates[0].score;
      bool covers_more = (m.end - m.begin) > (v.end - v.begin);
      if ((best >= 0.9 && !proper) || covers_more) schema_clash = true;
    }
    if (schema_clash || !(strong || proper || v.value.score >= 0.85)) continue;
    bool overlap = false;
    for (size_t i = v.begin; i < v.end; ++i) overlap = overlap || taken[i];
    if (overlap) {
      // Same span, another column: an alternative, chosen once the question's
      // tables are known (resolve_values).
      for (auto& kept : items_) {
        if (kept.kind == ItemKind::kValue && kept.begin == v.begin && kept.end == v.end &&
            v.value.score >= kept.value.score - 0.01) {
          kept.alts.push_back(v);
        }
      }
      continue;
    }
    for (size_t i = v.begin; i < v.end; ++i) taken[i] = true;
    items_.push_back(v);
  }
  for (auto& m : mentions) {
    bool overlap = false;
    for (size_t i = m.begin; i < m.end; ++i) overlap = overlap || taken[i];
    if (overlap) continue;
    Item it;
    it.begin = m.begin;
    it.end = m.end;
    it.cands = m.candidates;
    double best_table = 0, best_col = 0;
    for (const auto& c : it.cands)
      (c.column < 0 ? best_table : best_col) = std::max(c.column < 0 ? best_table : best_col, c.score);
    it.kind = best_table > 0 && best_table >= best_col - 0.05 ? ItemKind::kTable : ItemKind::kColumn;
    for (size_t i = m.begin; i < m.end; ++i) taken[i] = true;
    items_.push_back(std::move(it));
  }
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (taken[i]) continue;
    if (toks_[i].kind == QuestionTokenKind::kNumber) {
      Item it;
      it.kind = ItemKind::kNumber;
      it.begin = i;
      it.end = i + 1;
      it.number = toks_[i].number;
      it.text = toks_[i].text;
      items_.push_back(it);
    } else if (toks_[i].kind == QuestionTokenKind::kQuoted) {
      Item it;
      it.kind = ItemKind::kQuoted;
      it.begin = i;
      it.end = i + 1;
      it.text = toks_[i].text;
      items_.push_back(it);
    }
  }
  std::sort(items_.begin(), items_.end(), [](const Item& a, const Item& b) { return a.begin < b.begin; });
  // Implied items (an "older" age column, a name column) are appended
  // later while items are referenced: room for them keeps references valid.
  items_.reserve(items_.size() + 64);
  for (const auto& it : items_) {
    for (size_t i = it.begin; i < it.end; ++i) consumed_[i] = true;
  }
  return true;
}

void Builder::resolve_column(Item& it) {
  double best = -1;
  for (const auto& c : it.cands) {
    if (c.column < 0) continue;
    double s = c.score;
    if (c.table == focus_)
      s += 0.25;
    else if (contains_int(mentioned_tables_, c.table))
      s += 0.15;
    else if (focus_ >= 0) {
      int dist = joins_.distance(focus_, c.table);
      s -= dist < 0 ? 0.5 : 0.05 * dist;
    }
    // "name of the stadium": the table named right after the column wins.
    for (size_t k = it.end; k < std::min(toks_.size(), it.end + 4); ++k) {
      Item* next = item_at(k);
      if (next && next->kind == ItemKind::kTable && next->t == c.table && (lw(it.end) == "of" || lw(it.end) == "for")) {
        s += 0.3;
      }
      if (next) break;
    }
    if (s > best) {
      best = s;
      it.t = c.table;
      it.c = c.column;
    }
  }
}

int Builder::choose_focus() {
  // Tables named in the question, in order.
  for (auto& it : items_) {
    if (it.kind != ItemKind::kTable) continue;
    double best = -1;
    for (const auto& c : it.cands) {
      if (c.column >= 0) continue;
      if (c.score > best) {
        best = c.score;
        it.t = c.table;
      }
    }
    if (!contains_int(mentioned_tables_, it.t)) mentioned_tables_.push_back(it.t);
  }
  // The counted table, else the first table named outside a negation or a
  // "with the most X" clause, else the table most of the columns belong to.
  if (count_) {
    Item* it = next_item(count_pos_, 4);
    if (it && it->kind == ItemKind::kTable) return it->t;
    if (it && it->kind == ItemKind::kColumn && !count_distinct_ && !it->cands.empty() && it->cands[0].column >= 0) {
      int t = it->cands[0].table, c = it->cands[0].column;
      if (is_measure(t, c)) {
        // "how many units were sold": the total of that measure.
        it->used = true;
        it->t = t;
        it->c = c;
        count_ = false;
        count_measure_ = Expr{.agg = Agg::kSum, .t = t, .c = c};
        return t;
      }
      if (!is_numeric(t, c)) {
        // "how many car models": rows of the table that holds models;
        // "how many cities": the different values of a column that repeats.
        it->used = true;
        it->t = t;
        it->c = c;
        if (c != name_column(t) && !is_key(t, c))
          count_distinct_col_ = Expr{.agg = Agg::kCount, .distinct = true, .t = t, .c = c};
        return t;
      }
    }
  }
  for (const auto& it : items_) {
    if (it.kind != ItemKind::kTable) continue;
    bool subordinate = false;
    for (size_t k = it.begin >= 3 ? it.begin - 3 : 0; k < it.begin; ++k) {
      bool ranked_subject = k > 0 && toks_[k - 1].kind == QuestionTokenKind::kNumber;  // "the 5 least popular products"
      if (lw(k) == "without" || lw(k) == "never" || lw(k) == "no" || lw(k) == "not" ||
          ((lw(k) == "most" || lw(k) == "least" || lw(k) == "fewest") && !ranked_subject)) {
        subordinate = true;
      }
    }
    if (!subordinate) return it.t;
  }
  {
    // The table most of the named columns can belong to ("average age for
    // each pet type": pets has both, student only an age).
    std::map<int, double> votes;
    int first_table = -1;
    for (const auto& it : items_) {
      if (it.kind != ItemKind::kColumn || it.cands.empty()) continue;
      double top = it.cands[0].score;
      std::set<int> seen;
      for (const auto& c : it.cands) {
        if (c.column >= 0 && c.score >= top - 0.1 && seen.insert(c.table).second) {
          votes[c.table] += c.score;
          if (first_table < 0) first_table = c.table;
        }
      }
    }
    int best = -1;
    double best_v = 0;
    for (const auto& [t, v] : votes) {
      if (v > best_v + 1e-9 || (std::fabs(v - best_v) < 1e-9 && t == first_table)) {
        best_v = v;
        best = t;
      }
    }
    if (best >= 0) return best;
  }
  if (!mentioned_tables_.empty()) return mentioned_tables_[0];
  std::map<int, double> votes;
  for (const auto& it : items_) {
    if (it.kind == ItemKind::kColumn) {
      std::set<int> seen;
      double top = it.cands.empty() ? 0 : it.cands[0].score;
      for (const auto& c : it.cands) {
        if (c.column >= 0 && c.score >= top - 0.01 && seen.insert(c.table).second) votes[c.table] += c.score;
      }
    } else if (it.kind == ItemKind::kValue) {
      votes[it.t] += 0.8;
    }
  }
  int best = -1;
  double best_v = 0;
  for (const auto& [t, v] : votes) {
    if (v > best_v) {
      best_v = v;
      best = t;
    }
  }
  return best;
}

void Builder::resolve_items() {
  for (auto& it : items_) {
    if (it.kind == ItemKind::kColumn) resolve_column(it);
  }
  // A value stored in several columns: the one whose column is named next
  // to it ("model volvo"), else one of the question's tables.
  for (auto& it : items_) {
    if (it.kind != ItemKind::kValue || it.alts.empty()) continue;
    auto score = [&](const Item& v) {
      double s = 0;
      for (const auto& other : items_) {
        if (other.kind != ItemKind::kColumn) continue;
        if (other.end + 2 < v.begin || other.begin > v.end + 1) continue;
        for (const auto& c : other.cands) {
          if (c.table == v.t && c.column == v.c) s += 1.0;
        }
      }
      if (v.t == focus_)
        s += 0.5;
      else if (contains_int(mentioned_tables_, v.t))
        s += 0.3;
      return s;
    };
    double best = score(it);
    for (const auto& alt : it.alts) {
      double sc = score(alt);
      if (sc > best) {
        best = sc;
        it.t = alt.t;
        it.c = alt.c;
        it.value = alt.value;
      }
    }
  }
}

// ---------------------------------------------------------------- cues

std::optional<Comparator> Builder::comparator_at(size_t i) const {
  struct Pattern {
    std::vector<const char*> words;
    const char* op;
    std::vector<std::string> implied;
  };
  static const std::vector<Pattern> kPatterns = {
      {{"greater", "than", "or", "equal", "to"}, ">=", {}},
      {{"more", "than", "or", "equal", "to"}, ">=", {}},
      {{"less", "than", "or", "equal", "to"}, "<=", {}},
      {{"not", "equal", "to"}, "!=", {}},
      {{"no", "less", "than"}, ">=", {}},
      {{"not", "less", "than"}, ">=", {}},
      {{"no", "more", "than"}, "<=", {}},
      {{"not", "more", "than"}, "<=", {}},
      {{"at", "least"}, ">=", {}},
      {{"at", "most"}, "<=", {}},
      {{"more", "than"}, ">", {}},
      {{"greater", "than"}, ">", {}},
      {{"larger", "than"}, ">", {}},
      {{"bigger", "than"}, ">", {}},
      {{"higher", "than"}, ">", {}},
      {{"older", "than"}, ">", {"age"}},
      {{"heavier", "than"}, ">", {"weight"}},
      {{"taller", "than"}, ">", {"height"}},
      {{"longer", "than"}, ">", {"length"}},
      {{"later", "than"}, ">", {}},
      {{"less", "than"}, "<", {}},
      {{"fewer", "than"}, "<", {}},
      {{"smaller", "than"}, "<", {}},
      {{"lower", "than"}, "<", {}},
      {{"younger", "than"}, "<", {"age"}},
      {{"lighter", "than"}, "<", {"weight"}},
      {{"shorter", "than"}, "<", {"height"}},
      {{"earlier", "than"}, "<", {}},
      {{"cheaper", "than"}, "<", {"price"}},
      {{"equal", "to"}, "=", {}},
      {{"exceeding"}, ">", {}},
      {{"exceeds"}, ">", {}},
      {{"exceed"}, ">", {}},
      {{"over"}, ">", {}},
      {{"above"}, ">", {}},
      {{"below"}, "<", {}},
      {{"under"}, "<", {}},
      {{"after"}, ">", {}},
      {{"since"}, ">=", {}},
      {{"before"}, "<", {}},
      {{"equals"}, "=", {}},
      {{"exactly"}, "=", {}},
  };
  for (const auto& p : kPatterns) {
    bool ok = true;
    for (size_t k = 0; k < p.words.size() && ok; ++k) ok = lw(i + k) == p.words[k];
    if (ok) {
      std::string op = p.op;
      if (i > 0 && lw(i - 1) == "not" && p.words[0] != std::string("not")) {
        static const std::map<std::string, std::string> kInverse = {{">", "<="}, {"<", ">="}, {">=", "<"},
                                                                    {"<=", ">"}, {"=", "!="}, {"!=", "="}};
        op = kInverse.at(op);
      }
      return Comparator{op, p.words.size(), p.implied};
    }
  }
  return std::nullopt;
}

int Builder::nearest_numeric_column(size_t from, size_t to_exclusive, bool prefer_late) {
  int found = -1;
  for (size_t k = from; k < to_exclusive && k < toks_.size(); ++k) {
    Item* it = item_at(k);
    if (!it || it->kind != ItemKind::kColumn || it->t < 0) continue;
    if (is_key(it->t, it->c) && nw(it->begin) != "id") continue;
    if (!is_numeric(it->t, it->c) && !is_date(it->t, it->c)) {
      // Another candidate of the same words may be numeric.
      for (const auto& c : it->cands) {
        if (c.column >= 0 && (is_numeric(c.table, c.column) || is_date(c.table, c.column)) &&
            c.score >= it->cands[0].score - 0.15 && (c.table == focus_ || contains_int(mentioned_tables_, c.table))) {
          it->t = c.table;
          it->c = c.column;
          break;
        }
      }
      if (!is_numeric(it->t, it->c) && !is_date(it->t, it->c)) continue;
    }
    found = static_cast<int>(it - items_.data());
    if (!prefer_late) return found;
  }
  return found;
}

int Builder::date_column_for(int preferred) {
  auto pick = [&](int t) -> int {
    if (t < 0) return -1;
    int best = -1;
    for (size_t c = 0; c < cat_.tables[t].columns.size(); ++c) {
      if (!is_date(t, c)) continue;
      // A table's own event date ("sale_date") before other dates ("closed_on").
      const auto& w = linker_.column_words(t, c);
      if (best < 0 || contains(w, "date")) best = static_cast<int>(c);
      if (!linker_.table_words(t).empty() && contains(w, linker_.table_words(t)[0])) return static_cast<int>(c);
    }
    return best;
  };
  if (int c = pick(preferred); c >= 0) return preferred * 1000 + c;
  for (int t : q_.tables) {
    if (int c = pick(t); c >= 0) return t * 1000 + c;
  }
  return -1;
}

// Comparisons with numbers and dates, years, months, relative ranges,
// values and quoted strings become WHERE conditions (or HAVING counts).
bool Builder::conditions() {
  // Explicit "between A and B".
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (lw(i) != "between") continue;
    Item* a = item_at(i + 1);
    Item* b = item_at(i + 3);
    if (!a || !b || a->kind != ItemKind::kNumber || b->kind != ItemKind::kNumber || lw(i + 2) != "and") continue;
    if (is_year(a->number) && is_year(b->number) && a->text.find('-') == std::string::npos) continue;  // years below
    int ci = nearest_numeric_column(i >= 5 ? i - 5 : 0, i, true);
    if (ci < 0) ci = nearest_numeric_column(i + 4, i + 7, false);
    if (ci < 0) continue;
    Item& c = items_[ci];
    c.used = a->used = b->used = true;
    consumed_[i] = consumed_[i + 2] = true;
    add_condition({{Expr{.t = c.t, .c = c.c}, "BETWEEN",
                    number_sql(a->number, a->text) + " AND " + number_sql(b->number, b->text)}});
  }
  // Comparators with a number (or a date, or "the average").
  for (size_t i = 0; i < toks_.size(); ++i) {
    auto cmp = comparator_at(i);
    if (!cmp) continue;
    size_t k = i + cmp->length;
    while (k < toks_.size() && (lw(k) == "the" || lw(k) == "of" || lw(k) == "a" || lw(k) == "$" || lw(k) == "an")) {
      ++k;
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
    bool or_previous = false;
    if (last_cmp_end_ > 0 && i > last_cmp_end_ && i - last_cmp_end_ <= 3 && !q_.where.empty()) {
      for (size_t j = last_cmp_end_; j < i; ++j) or_previous |= lw(j) == "or";
    }
    last_cmp_end_ = k + 1;
    auto add_cmp = [&](const Cond& c) {
      if (or_previous)
        q_.where.back().push_back(c), add_table(c.lhs.t);
      else
        add_condition({c});
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
    // "paid more than 30000": a date column is compared with years and dates only.
    if (ci >= 0 && items_[ci].t >= 0 && is_date(items_[ci].t, items_[ci].c) && !is_numeric(items_[ci].t, items_[ci].c) &&
        !date_text && !is_year(num->number)) {
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
    bool temporal_cue = lw(i) == "after" || lw(i) == "before" || lw(i) == "since" || lw(i) == "later" ||
                        lw(i) == "earlier";
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
        if (d_.engine() != Dialect::Engine::kSqlite && date_text) lit = "DATE " + lit;
        add_cmp({Expr{.t = dc / 1000, .c = dc % 1000}, op2, lit});
        time_filtered_ = true;
        continue;
      }
      num->used = false;
    }
    if (ci < 0) {
      // "under 100 dollars": a money column of the question's tables.
      static const std::set<std::string> kCurrency = {"dollar", "dollars", "usd", "euro", "euros",
                                                      "eur",    "pound",   "pounds", "bucks", "$"};
      bool money = kCurrency.count(lw(k + 1)) > 0 || (k > 0 && toks_[k - 1].text == "$");
      if (money) {
        static const std::vector<std::string> kMoneyWords = {"price",  "cost",   "amount", "revenue", "salary",
                                                             "fee",    "budget", "payment", "charge", "spend",
                                                             "income", "wage",   "total"};
        std::vector<int> scan{focus_};
        for (int t : mentioned_tables_) scan.push_back(t);
        for (int t : scan) {
          for (size_t c = 0; t >= 0 && c < cat_.tables[t].columns.size() && ci < 0; ++c) {
            if (!is_measure(t, c)) continue;
            for (const auto& mw : kMoneyWords) {
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
        if (ci >= 0 && kCurrency.count(lw(k + 1))) consumed_[k + 1] = true;
      }
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
    } else if (date_text && d_.engine() != Dialect::Engine::kSqlite) {
      rhs = "DATE " + rhs;
    }
    add_cmp({Expr{.t = c.t, .c = c.c}, op, rhs});
  }
  // "N or more X" / "N or fewer X" without a leading comparator.
  for (auto& it : items_) {
    if (it.kind != ItemKind::kNumber || it.used) continue;
    size_t k = it.end;
    if (!(lw(k) == "or" && (lw(k + 1) == "more" || lw(k + 1) == "fewer" || lw(k + 1) == "less"))) continue;
    std::string op = lw(k + 1) == "more" ? ">=" : "<=";
    consumed_[k] = consumed_[k + 1] = true;
    Item* after = next_item(k + 2, 2);
    if (after && after->kind == ItemKind::kTable && after->t != focus_) {
      after->used = true;
      it.used = true;
      add_table(after->t);
      q_.having.push_back({Expr{.agg = Agg::kCount, .star = true}, op, number_sql(it.number, it.text)});
    } else if (after && after->kind == ItemKind::kColumn && after->t >= 0 && is_numeric(after->t, after->c)) {
      after->used = true;
      it.used = true;
      add_condition({{Expr{.t = after->t, .c = after->c}, op, number_sql(it.number, it.text)}});
    }
  }

  // Values: equality with the stored value; several values of one column
  // are alternatives (IN). A negation just before a value makes it !=.
  // Grouped by column and by whether a negation precedes the value ("has a
  // dog but does not have a cat": dog kept, cat excluded).
  std::map<std::tuple<int, int, bool>, std::vector<Item*>> by_column;
  for (auto& it : items_) {
    if (it.kind != ItemKind::kValue) continue;
    bool neg = false;
    for (size_t k = it.begin >= 3 ? it.begin - 3 : 0; k < it.begin; ++k) {
      if (lw(k) == "not" || lw(k) == "except" || lw(k) == "excluding" || lw(k) == "never" || lw(k) == "without" ||
          (lw(k) == "than" && lw(k - 1) == "other") || lw(k) == "don't" || lw(k) == "doesn't" || lw(k) == "didn't") {
        neg = true;
        consumed_[k] = true;
        cond_tokens_.insert(k);
      }
    }
    if (it.prefix) {
      it.used = true;
      add_condition({{Expr{.t = it.t, .c = it.c}, neg ? "NOT LIKE" : "LIKE", d_.string_literal(it.value.value + "%")}});
      continue;
    }
    by_column[{it.t, it.c, neg}].push_back(&it);
  }
  for (auto& [key, vals] : by_column) {
    std::pair<int, int> tc{std::get<0>(key), std::get<1>(key)};
    bool negated = std::get<2>(key);
    std::vector<std::string> lits;
    for (Item* v : vals) {
      v->used = true;
      lits.push_back(d_.string_literal(v->value.value));
      // The column named right next to its value ("country France") says
      // nothing more; mark it used.
      for (auto& other : items_) {
        if (other.kind == ItemKind::kColumn && other.t == tc.first && other.c == tc.second &&
            (other.end + 3 >= v->begin && other.begin <= v->end + 3)) {
          other.used = true;
        }
        if (other.kind == ItemKind::kColumn && other.t != tc.first && other.end + 2 >= v->begin &&
            other.begin <= v->begin) {
          // "brand Nike" where the linked column is another table's name
          for (const auto& c : other.cands) {
            if (c.table == tc.first && c.column == tc.second) other.used = true;
          }
        }
      }
    }
    Expr lhs{.t = tc.first, .c = tc.second};
    if (negated && tc.first != focus_) {
      // "students who do not own a cat": main rows with no related row of
      // that value (NOT IN below), not related rows of another value.
      std::string list;
      for (size_t i = 0; i < lits.size(); ++i) list += (i ? ", " : "") + lits[i];
      neg_inner_.push_back({lhs, lits.size() == 1 ? "=" : "IN", lits.size() == 1 ? lits[0] : "(" + list + ")"});
      neg_value_table_ = tc.first;
      continue;
    }
    if (lits.size() == 1) {
      add_condition({{lhs, negated ? "!=" : "=", lits[0]}});
    } else {
      std::string list;
      for (size_t i = 0; i < lits.size(); ++i) list += (i ? ", " : "") + lits[i];
      add_condition({{lhs, negated ? "NOT IN" : "IN", "(" + list + ")"}});
    }
  }

  // "in the latest month", "the most recent year": the last period stored.
  for (size_t i = 0; i + 1 < toks_.size(); ++i) {
    size_t unit = i + 1;
    if (at(i, {"most", "recent"})) unit = i + 2;
    else if (lw(i) != "latest" && lw(i) != "newest") continue;
    DatePart part = nw(unit) == "month" ? DatePart::kYearMonth : nw(unit) == "year" ? DatePart::kYear
                    : (nw(unit) == "day" || nw(unit) == "date") ? DatePart::kNone : DatePart::kMonth;
    if (part == DatePart::kMonth || lw(i - 1) != "the") continue;
    latest_period_ = part;  // its date column is chosen with the others (dates())
    for (size_t k = i; k <= unit; ++k) consumed_[k] = true, cond_tokens_.insert(k);
    if (Item* u = item_at(unit)) u->used = true;
    time_filtered_ = true;
  }

  // "still open", "currently open": no closing date yet.
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (lw(i) != "open" || lw(0) == "when") continue;
    // "open" may have linked to an opening date; the state wins.
    Item* linked = item_at(i);
    if (linked && !(linked->kind == ItemKind::kColumn && linked->t >= 0 && is_date(linked->t, linked->c))) continue;
    std::vector<int> scan{focus_};
    for (int t : mentioned_tables_) scan.push_back(t);
    int found_t = -1, found_c = -1;
    for (int t : scan) {
      for (size_t c = 0; t >= 0 && c < cat_.tables[t].columns.size() && found_c < 0; ++c) {
        const auto& w = linker_.column_words(t, c);
        if (is_date(t, c) && col(t, c).nullable &&
            (contains(w, "closed") || contains(w, "close") || contains(w, "closing") || contains(w, "end") ||
             contains(w, "ended"))) {
          found_t = t;
          found_c = static_cast<int>(c);
        }
      }
      if (found_c >= 0) break;
    }
    if (found_c < 0) continue;
    consumed_[i] = true;
    cond_tokens_.insert(i);
    if (lw(i - 1) == "still" || lw(i - 1) == "currently") consumed_[i - 1] = true, cond_tokens_.insert(i - 1);
    if (linked) linked->used = true;
    add_condition({{Expr{.t = found_t, .c = found_c}, "IS", "NULL"}});
  }

  // Quoted strings that are not stored values: a pattern ("containing
  // 'Hey'") or an equality on the nearest text column.
  std::map<std::tuple<int, int, std::string>, std::vector<std::string>> quoted;
  for (auto& it : items_) {
    if (it.kind != ItemKind::kQuoted || it.used) continue;
    bool like = false;
    for (size_t k = it.begin >= 5 ? it.begin - 5 : 0; k < it.begin; ++k) {
      if (lw(k) == "contain" || lw(k) == "contains" || lw(k) == "containing" || lw(k) == "word" ||
          lw(k) == "substring" || lw(k) == "like" || lw(k) == "includes" || lw(k) == "including") {
        like = true;
        consumed_[k] = true;
      }
    }
    if (lw(it.end) == "in" && (lw(it.end + 1) == "its" || lw(it.end + 1) == "their" || lw(it.end + 1) == "the")) {
      like = true;
    }
    int best = -1;
    size_t best_dist = 1000;
    for (size_t k = 0; k < items_.size(); ++k) {
      const Item& c = items_[k];
      if (c.kind != ItemKind::kColumn || c.t < 0 || is_numeric(c.t, c.c)) continue;
      size_t dist = c.end <= it.begin ? it.begin - c.end : c.begin - it.end + 2;
      if (dist < best_dist) {
        best_dist = dist;
        best = static_cast<int>(k);
      }
    }
    if (best < 0 && focus_ >= 0) {
      int nc = name_column(focus_);
      if (nc >= 0) {
        Item tmp;
        tmp.kind = ItemKind::kColumn;
        tmp.t = focus_;
        tmp.c = nc;
        items_.push_back(tmp);
        best = static_cast<int>(items_.size() - 1);
      }
    }
    if (best < 0) {
      penalize(0.5, "no column for the quoted text '" + it.text + "'");
      continue;
    }
    Item& c = items_[best];
    it.used = true;
    if (!like || best_dist <= 3) c.used = true;
    bool negated = lw(it.begin - 1) == "not" || lw(it.begin - 2) == "not";
    std::string op = like ? (negated ? "NOT LIKE" : "LIKE") : (negated ? "!=" : "=");
    quoted[{c.t, c.c, op}].push_back(d_.string_literal(like ? "%" + it.text + "%" : it.text));
  }
  // Several quoted texts for one column are alternatives.
  for (const auto& [key, lits] : quoted) {
    auto [t, c, op] = key;
    std::vector<Cond> group;
    for (const auto& l : lits) group.push_back({Expr{.t = t, .c = c}, op, l});
    if (op == "!=" || op == "NOT LIKE") {
      for (const auto& g : group) add_condition({g});
    } else {
      add_condition(group);
    }
  }
  return true;
}

// Years, months and relative ranges against the date column of the main
// table (or a year column), and year-over-year comparisons.
bool Builder::dates(bool other_groups) {
  std::vector<Item*> years;
  for (auto& it : items_) {
    if (it.kind == ItemKind::kNumber && !it.used && is_year(it.number) && it.text.size() == 4) years.push_back(&it);
  }
  yoy_ = yoy_ && years.size() >= 2;
  int measure_table = has_measure_ ? measure_.t : idle_measure_ ? idle_measure_->t : focus_;
  // "stores with an average sale amount above 310 in 2023": the year is that
  // of the rows totalled in the HAVING.
  for (const auto& h : q_.having) {
    if (!has_measure_ && !h.lhs.star && h.lhs.t >= 0 && h.lhs.agg != Agg::kNone) measure_table = h.lhs.t;
  }
  int dc = date_column_for(measure_table);
  for (const auto& it : items_) {
    // "payment amount by department": the named column's table has the date.
    if (dc < 0 && it.kind == ItemKind::kColumn && it.t >= 0) {
      if (int c = date_column_for(it.t); c >= 0 && c / 1000 == it.t) dc = c;
    }
  }
  if (neg_date_table_ >= 0 && neg_date_table_ != focus_ && !has_measure_) {
    if (int nd = date_column_for(neg_date_table_); nd >= 0 && nd / 1000 == neg_date_table_) dc = nd;
  }
  // A date column the question names ("stores opened in 2023") comes first.
  if (named_date_) dc = named_date_->t * 1000 + named_date_->c;
  int yc = -1;
  auto year_col = [&](int t, int c) { return contains(linker_.column_words(t, c), "year") && !is_date(t, c); };
  // A year column named in the question ("release year 2014") comes first,
  // then one of the measured or main table, then of any table in the query.
  for (const auto& it : items_) {
    if (it.kind == ItemKind::kColumn && it.t >= 0 && yc < 0 && year_col(it.t, it.c)) yc = it.t * 1000 + it.c;
  }
  std::vector<int> order{measure_table, focus_};
  for (int t : q_.tables) order.push_back(t);
  for (int t : mentioned_tables_) order.push_back(t);
  for (int t : order) {
    if (t < 0 || yc >= 0) continue;
    for (size_t c = 0; c < cat_.tables[t].columns.size(); ++c) {
      if (year_col(t, c)) {
        yc = t * 1000 + c;
        break;
      }
    }
  }
  Expr year_expr;
  bool have_year = false;
  if (yc >= 0 && (dc < 0 || (yc / 1000 == focus_ && dc / 1000 != measure_table))) {
    year_expr = Expr{.t = yc / 1000, .c = yc % 1000};
    have_year = true;
  } else if (dc >= 0) {
    year_expr = Expr{.t = dc / 1000, .c = dc % 1000, .part = DatePart::kYear};
    have_year = true;
  }
  auto year_lit = [&](int y) {
    bool text = year_expr.part == DatePart::kYear || !is_numeric(year_expr.t, year_expr.c);
    return text ? d_.string_literal(std::to_string(y)) : std::to_string(y);
  };

  if (latest_period_ && dc >= 0) {
    Expr period = period_expr(dc / 1000, dc % 1000, *latest_period_);
    add_condition({{period, "=",
                    "(SELECT MAX(" + expr_sql(period, false) + ") FROM " +
                        d_.quote_identifier(cat_.tables[dc / 1000].name) + ")"}});
  } else if (latest_period_) {
    penalize(0.6, "no date column for the latest period");
  }

  // Months: "in March 2024", "in March", "between March and May".
  // Weeks and holidays first: their month words are not month filters.
  std::set<size_t> day_ranges;
  if (dc >= 0) day_ranges = week_and_holiday_ranges(Expr{.t = dc / 1000, .c = dc % 1000}, years);
  std::vector<std::pair<size_t, int>> months;
  for (size_t i = 0; i < toks_.size(); ++i) {
    int m = month_number(lw(i));
    if (m == 0 || day_ranges.count(i)) continue;
    if (lw(i) == "may" && !(toks_[i].capitalized || lw(i - 1) == "in" || lw(i - 1) == "of")) continue;
    months.push_back({i, m});
  }
  if (!months.empty() && dc >= 0) {
    Expr mexpr{.t = dc / 1000, .c = dc % 1000, .part = DatePart::kMonth};
    Expr ymexpr{.t = dc / 1000, .c = dc % 1000, .part = DatePart::kYearMonth};
    auto year_after = [&](size_t i) -> int {
      for (auto* y : years) {
        if (y->begin == i + 1 || (y->begin == i + 2 && toks_[i + 1].kind == QuestionTokenKind::kPunct))
          return static_cast<int>(y->number);
      }
      return 0;
    };
    auto mm = [](int m) {
      char b[8];
      std::snprintf(b, sizeof b, "%02d", m);
      return std::string(b);
    };
    size_t used = 0;
    Expr dexpr{.t = dc / 1000, .c = dc % 1000};
    auto mark_year = [&](int y) {
      for (auto* yy : years) {
        if (static_cast<int>(yy->number) == y) yy->used = true;
      }
    };
    // A day after the month ("September 15, 2024"), then the year.
    auto day_after = [&](size_t i) -> int {
      Item* d = item_at(i + 1);
      if (d && d->kind == ItemKind::kNumber && d->number >= 1 && d->number <= 31 && !is_year(d->number)) {
        d->used = true;
        return static_cast<int>(d->number);
      }
      return 0;
    };
    for (size_t k = 0; k < months.size(); ++k) {
      size_t i = months[k].first;
      int m = months[k].second;
      consumed_[i] = true;
      int day = day_after(i);
      int y = year_after(day ? i + 1 : i);
      std::string before = lw(i - 1);
      if (k + 1 < months.size() &&
          (lw(months[k + 1].first - 1) == "and" || lw(months[k + 1].first - 1) == "to" ||
           lw(months[k + 1].first - 1) == "through" || lw(months[k + 1].first - 1) == "until")) {
        size_t i2 = months[k + 1].first;
        int m2 = months[k + 1].second;
        int y2 = year_after(i2);
        if (!y2) y2 = y;
        if (!y) y = y2;
        consumed_[i2] = true;
        std::vector<Cond> g;
        if (y) {
          char lo[16], hi[16];
          std::snprintf(lo, sizeof lo, "%04d-%02d", y, m);
          std::snprintf(hi, sizeof hi, "%04d-%02d", y2, m2);
          g.push_back({ymexpr, "BETWEEN", d_.string_literal(lo) + " AND " + d_.string_literal(hi)});
          mark_year(y);
          mark_year(y2);
        } else {
          g.push_back({mexpr, "BETWEEN", d_.string_literal(mm(m)) + " AND " + d_.string_literal(mm(m2))});
        }
        add_condition(g);
        ++k;
        used += 2;
        continue;
      }
      std::string op = "=";
      if (before == "before" || (before == "than" && (lw(i - 2) == "earlier"))) op = "<";
      if (before == "after" || (before == "than" && lw(i - 2) == "later")) op = ">";
      if (before == "since" || before == "from") op = ">=";
      if (before == "until" || before == "through" || before == "till") op = "<=";
      if (op != "=") consumed_[i - 1] = true;
      if (y && day) {
        add_condition({{dexpr, op, d_.date_literal(y, m, day)}});
        mark_year(y);
      } else if (y) {
        char ym[16];
        std::snprintf(ym, sizeof ym, "%04d-%02d", y, m);
        add_condition({{ymexpr, op, d_.string_literal(ym)}});
        mark_year(y);
      } else {
        add_condition({{mexpr, op, d_.string_literal(mm(m))}});
      }
      ++used;
    }
    if (used) time_filtered_ = true;
  }

  // Quarters and halves: "Q1 2024", "the first quarter of 2024", "the
  // second half of 2023".
  if (dc >= 0) {
    static const std::map<std::string, int> kOrdinal = {{"first", 1},  {"1st", 1},   {"second", 2},
                                                        {"2nd", 2},    {"third", 3}, {"3rd", 3},
                                                        {"fourth", 4}, {"4th", 4},   {"last", 4}};
    for (size_t i = 0; i < toks_.size(); ++i) {
      int part = 0, months_per = 0;
      size_t end = i;
      const std::string& w = toks_[i].lower;
      if (w.size() == 2 && w[0] == 'q' && w[1] >= '1' && w[1] <= '4') {
        part = w[1] - '0', months_per = 3, end = i + 1;
      } else if (kOrdinal.count(lw(i)) && (lw(i + 1) == "quarter" || lw(i + 1) == "half")) {
        months_per = lw(i + 1) == "quarter" ? 3 : 6;
        part = kOrdinal.at(lw(i));
        if (months_per == 6 && part > 2) part = 2;
        end = i + 2;
      }
      if (!part) continue;
      size_t k = end;
      while (lw(k) == "of" || lw(k) == "in" || lw(k) == "the") ++k;
      if (k < toks_.size() && toks_[k].kind == QuestionTokenKind::kPunct) ++k;
      Item* y = item_at(k);
      if (!y || y->kind != ItemKind::kNumber || !is_year(y->number)) {
        Item* before = i > 0 ? item_at(i - 1) : nullptr;  // "2024 Q1"
        y = before && before->kind == ItemKind::kNumber && is_year(before->number) ? before : nullptr;
      }
      if (!y) continue;
      int year = static_cast<int>(y->number);
      y->used = true;
      for (size_t j = i; j < end; ++j) consumed_[j] = true;
      char lo[32], hi[32];  // room for any int year, so no truncation warning
      std::snprintf(lo, sizeof lo, "%04d-%02d", year, (part - 1) * months_per + 1);
      std::snprintf(hi, sizeof hi, "%04d-%02d", year, part * months_per);
      add_condition({{Expr{.t = dc / 1000, .c = dc % 1000, .part = DatePart::kYearMonth}, "BETWEEN",
                      d_.string_literal(lo) + " AND " + d_.string_literal(hi)}});
      time_filtered_ = true;
    }
  }

  // Relative ranges, anchored at the latest date in the data.
  for (size_t i = 0; i + 1 < toks_.size(); ++i) {
    bool last = lw(i) == "last" || lw(i) == "previous" || lw(i) == "past";
    bool this_ = lw(i) == "this" || lw(i) == "current";
    if (!last && !this_) continue;
    std::string unit = lw(i + 1);
    int n = 1;
    size_t span = 2;
    if (last && toks_[i + 1].kind == QuestionTokenKind::kNumber) {
      n = static_cast<int>(toks_[i + 1].number);
      unit = lw(i + 2);
      span = 3;
    }
    if (unit != "year" && unit != "years" && unit != "month" && unit != "months") continue;
    if (dc < 0) {
      penalize(0.6, "no date column for '" + lw(i) + " " + unit + "'");
      continue;
    }
    std::string latest = gen_.latest_date(dc / 1000, dc % 1000);
    int ly = 0, lm = 0;
    if (latest.size() >= 7) {
      ly = std::atoi(latest.substr(0, 4).c_str());
      lm = std::atoi(latest.substr(5, 2).c_str());
    } else {
      std::time_t now = std::time(nullptr);
      std::tm tm{};
      gmtime_r(&now, &tm);
      ly = tm.tm_year + 1900;
      lm = tm.tm_mon + 1;
    }
    for (size_t k = i; k < i + span; ++k) consumed_[k] = true;
    Expr yexpr{.t = dc / 1000, .c = dc % 1000, .part = DatePart::kYear};
    Expr ymexpr{.t = dc / 1000, .c = dc % 1000, .part = DatePart::kYearMonth};
    bool years_unit = unit[0] == 'y';
    if (years_unit && span == 2) {
      int y = last ? ly - 1 : ly;
      add_condition({{yexpr, "=", d_.string_literal(std::to_string(y))}});
    } else if (years_unit) {
      add_condition({{yexpr, ">", d_.string_literal(std::to_string(ly - n))}});
    } else {
      // Months: "last month" is the month before the latest; "last 3 months"
      // the 3 months ending at the latest.
      int total = ly * 12 + (lm - 1);
      int from = span == 2 ? (last ? total - 1 : total) : total - n + 1;
      int to = span == 2 ? from : total;
      char lo[16], hi[16];
      std::snprintf(lo, sizeof lo, "%04d-%02d", from / 12, from % 12 + 1);
      std::snprintf(hi, sizeof hi, "%04d-%02d", to / 12, to % 12 + 1);
      add_condition({{ymexpr, "BETWEEN", d_.string_literal(lo) + " AND " + d_.string_literal(hi)}});
    }
    time_filtered_ = true;
  }

  // Remaining years: a filter, or the groups of a comparison.
  std::vector<Item*> open;
  for (auto* y : years) {
    if (!y->used) open.push_back(y);
  }
  if (open.empty()) return true;
  if (!have_year) {
    penalize(0.6, "no date or year column for " + open[0]->text);
    return true;
  }
  if (open.size() == 2) {
    // "grew from 2023 to 2024", "less in 2024 than in 2023", "revenue by
    // region, 2023 vs 2024": one total per year side by side (CASE), built
    // once the rest of the query is known (year_over_year).
    static const std::set<std::string> kUp = {"grow",     "grew",  "grown",  "growth",   "increase", "increased",
                                              "increasing", "rose", "rise",  "risen",    "improve",  "improved",
                                              "gain",     "gained"};
    static const std::set<std::string> kDown = {"decline",  "declined", "decrease", "decreased", "drop",
                                                "dropped",  "fell",     "fall",     "fallen",    "shrank",
                                                "shrink",   "shrunk",   "worsen",   "worsened",  "lost"};
    static const std::set<std::string> kChange = {"change", "changed", "difference", "differ", "delta"};
    int dir = 0;
    bool change = false;
    for (size_t i = 0; i < toks_.size(); ++i) {
      if (kUp.count(lw(i))) dir = 1, change = true, consumed_[i] = true;
      if (kDown.count(lw(i))) dir = -1, change = true, consumed_[i] = true;
      if (kChange.count(lw(i))) change = true, consumed_[i] = true;
      if (at(i, {"how", "much"}) && (lw(i - 1) == "by")) change = true;
    }
    // "sold less in 2024 than in 2023": the first year against the second.
    std::string cmp_op;
    for (size_t i = 0; i + 2 < toks_.size() && cmp_op.empty(); ++i) {
      static const std::set<std::string> kLess = {"less", "fewer", "lower", "smaller", "worse"};
      static const std::set<std::string> kMore = {"more", "higher", "greater", "larger", "better", "bigger"};
      if (!kLess.count(lw(i)) && !kMore.count(lw(i))) continue;
      size_t than = i + 1;
      while (than < toks_.size() && than < i + 5 && lw(than) != "than") ++than;
      if (lw(than) != "than") continue;
      bool a_between = false, b_after = false;
      for (size_t k = i + 1; k < than; ++k) a_between |= item_at(k) == open[0] || item_at(k) == open[1];
      for (size_t k = than + 1; k < std::min(toks_.size(), than + 3); ++k)
        b_after |= item_at(k) == open[0] || item_at(k) == open[1];
      if (!a_between || !b_after) continue;
      cmp_op = kLess.count(lw(i)) ? "<" : ">";
      consumed_[i] = consumed_[than] = true;
      if (open[0]->begin > than) std::swap(open[0], open[1]);  // open[0]: the year before "than"
    }
    bool percent = any_word({"percentage", "percent", "pct", "%"});
    if (change || !cmp_op.empty() || (yoy_ && other_groups)) {
      yoy_case_.emplace();
      yoy_case_->year = year_expr;
      yoy_case_->first = static_cast<int>(open[0]->number);
      yoy_case_->second = static_cast<int>(open[1]->number);
      if (cmp_op.empty() && yoy_case_->first > yoy_case_->second) std::swap(yoy_case_->first, yoy_case_->second);
      yoy_case_->dir = dir;
      yoy_case_->change = change;
      yoy_case_->percent = percent;
      yoy_case_->op = cmp_op;
      for (auto* y : open) y->used = true;
      if (percent) {
        for (size_t i = 0; i < toks_.size(); ++i) {
          if (lw(i) == "percentage" || lw(i) == "percent" || lw(i) == "pct") consumed_[i] = true;
        }
      }
      time_filtered_ = true;
      yoy_ = false;
      return true;
    }
  }
  std::vector<Cond> group;
  std::string list;
  for (auto* y : open) {
    y->used = true;
    group.push_back({year_expr, "=", year_lit(static_cast<int>(y->number))});
    list += (list.empty() ? "" : ", ") + year_lit(static_cast<int>(y->number));
  }
  if (group.size() == 1) {
    add_condition(group);
  } else {
    add_condition({{year_expr, "IN", "(" + list + ")"}});
  }
  time_filtered_ = true;
  if (yoy_) {
    q_.group_by.insert(q_.group_by.begin(), year_expr);
    q_.select.insert(q_.select.begin(), {0, year_expr});
    q_.order_by.push_back({year_expr, false});
  }
  return true;
}

// "the last week of 2023", "the first week of January 2023", "Christmas Eve
// 2023", "New Year's Day 2024": day ranges (or one day) on the date column.
// Returns the tokens it read.
std::set<size_t> Builder::week_and_holiday_ranges(const Expr& date, const std::vector<Item*>& years) {
  std::set<size_t> read;
  auto year_at = [&](size_t from) -> Item* {
    size_t k = from;
    while (lw(k) == "of" || lw(k) == "in" || lw(k) == "the" || (k < toks_.size() && toks_[k].text == ",")) ++k;
    for (auto* y : years) {
      if (y->begin == k && !y->used) return y;
    }
    return nullptr;
  };
  auto days_in = [](int y, int m) {
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : kDays[m - 1];
  };
  auto add_range = [&](int y, int m1, int d1, int m2, int d2) {
    if (m1 == m2 && d1 == d2) {
      add_condition({{date, "=", d_.date_literal(y, m1, d1)}});
    } else {
      add_condition({{date, "BETWEEN", d_.date_literal(y, m1, d1) + " AND " + d_.date_literal(y, m2, d2)}});
    }
    time_filtered_ = true;
  };
  static const std::map<std::string, int> kOrdinal = {{"first", 1}, {"second", 2}, {"third", 3}, {"fourth", 4},
                                                      {"last", 5},  {"final", 5}};
  for (size_t i = 0; i + 2 < toks_.size(); ++i) {
    auto ord = kOrdinal.find(lw(i));
    if (ord == kOrdinal.end() || nw(i + 1) != "week" || lw(i + 2) != "of") continue;
    size_t k = i + 3;
    if (lw(k) == "the") ++k;
    int m = month_number(lw(k));
    Item* y = year_at(m ? k + 1 : k);
    if (!y) continue;
    int year = static_cast<int>(y->number);
    y->used = true;
    int n = ord->second;
    if (m) {
      int last = days_in(year, m);
      int lo = n == 5 ? last - 6 : (n - 1) * 7 + 1;
      add_range(year, m, lo, m, n == 5 ? last : lo + 6);
      read.insert(k);
    } else {
      if (n == 5)
        add_range(year, 12, 25, 12, 31);
      else
        add_range(year, 1, (n - 1) * 7 + 1, 1, n * 7);
    }
    for (size_t j = i; j < k + (m ? 1 : 0); ++j) consumed_[j] = true, read.insert(j);
  }
  struct Holiday {
    std::vector<const char*> words;
    int month, day;
  };
  static const std::vector<Holiday> kHolidays = {
      {{"new", "year's", "eve"}, 12, 31}, {{"new", "years", "eve"}, 12, 31}, {{"new", "year's", "day"}, 1, 1},
      {{"new", "years", "day"}, 1, 1},    {{"new", "year's"}, 1, 1},         {{"christmas", "eve"}, 12, 24},
      {{"christmas", "day"}, 12, 25},     {{"christmas"}, 12, 25},           {{"boxing", "day"}, 12, 26},
      {{"valentine's", "day"}, 2, 14},    {{"halloween"}, 10, 31},           {{"independence", "day"}, 7, 4},
  };
  for (size_t i = 0; i < toks_.size(); ++i) {
    for (const auto& h : kHolidays) {
      bool match = true;
      for (size_t k = 0; k < h.words.size() && match; ++k) match = lw(i + k) == h.words[k];
      if (!match) continue;
      Item* y = year_at(i + h.words.size());
      if (!y) break;
      y->used = true;
      add_range(static_cast<int>(y->number), h.month, h.day, h.month, h.day);
      for (size_t k = i; k < i + h.words.size(); ++k) consumed_[k] = true, read.insert(k);
      break;
    }
  }
  return read;
}

// ---------------------------------------------------------------- rendering

std::string Builder::col_sql(int t, int c, bool qualify) const {
  std::string name = d_.quote_identifier(col(t, c).name);
  if (!qualify) return name;
  return d_.quote_identifier(cat_.tables[t].name) + "." + name;
}

std::string Builder::expr_sql(const Expr& e, bool qualify) const {
  if (!e.raw.empty()) return qualify ? e.raw_qualified : e.raw;
  if (e.star) return e.agg == Agg::kCount ? "COUNT(*)" : "*";
  std::string base = col_sql(e.t, e.c, qualify);
  switch (e.part) {
    case DatePart::kYear: base = d_.year_of(base); break;
    case DatePart::kMonth: base = d_.month_of(base); break;
    case DatePart::kYearMonth: base = d_.year_month_of(base); break;
    default: break;
  }
  if (e.agg == Agg::kNone) return base;
  return std::string(agg_sql(e.agg)) + "(" + (e.distinct ? "DISTINCT " : "") + base + ")";
}

std::string Builder::render(const Query& q) {
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
  bool fan_out = false;
  if (qualify && q.group_by.empty() && q.limit < 0 && !q.select.empty()) {
    int only = q.select[0].second.t;
    bool single = only >= 0;
    for (const auto& [p, e] : q.select) single = single && e.agg == Agg::kNone && !e.star && e.t == only;
    fan_out = single;
  }
  if (q.distinct || fan_out) sql += "DISTINCT ";
  std::set<std::string> names_used;
  for (size_t i = 0; i < q.select.size(); ++i) {
    sql += (i ? ", " : "") + expr_sql(q.select[i].second, qualify);
    const Expr& e = q.select[i].second;
    if (e.part == DatePart::kYear && e.agg == Agg::kNone) sql += " AS " + d_.quote_identifier("year");
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
    if ((e.part == DatePart::kYearMonth || e.part == DatePart::kMonth) && e.agg == Agg::kNone) {
      sql += " AS " + d_.quote_identifier("month");
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
  auto cond_sql = [&](const Cond& c) {
    std::string lhs = expr_sql(c.lhs, qualify);
    if (c.op == "LIKE") return d_.like_ignore_case(lhs, c.rhs);
    return lhs + " " + c.op + " " + (c.rhs_expr ? expr_sql(*c.rhs_expr, qualify) : c.rhs);
  };
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

// ---------------------------------------------------------------- shape

bool Builder::shape() {
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
    if (lw(i) == "most" && lw(i + 1) == "recent") return Super{true, {"date"}, false};
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
        after_m->kind == ItemKind::kTable && any_super && (lw(i - 1) == "which" || lw(i - 1) == "what")) {
      limit = static_cast<long long>(m->number);  // "which five brands had the highest sales"
      m->used = true;
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
    if (Agg a = agg_word(i); a != Agg::kNone && !(a == Agg::kMax && pending_super) && !at(i, {"total", "number"})) {
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
    if ((w == "per" || w == "each" || w == "every") && !item_at(i + 1) &&
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
      static const std::set<std::string> kParticiples = {"written", "made", "sold", "built", "held", "run",
                                                         "won", "taught", "led", "bought", "brought", "shown",
                                                         "drawn", "given", "taken", "grown", "known", "paid",
                                                         "sung", "done", "driven", "flown", "kept", "told"};
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
      if (lw(i) == "most" && (lw(i + 1) == "recent" || lw(i + 1) == "expensive")) consumed_[i + 1] = true;
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
      if (pending_super->count_words && pending_aggs.empty() && is_measure(e.t, e.c) && e.t != focus_) {
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
    bool with_their = (lw(it.end) == "and" || lw(it.end) == "with") &&
                      (lw(it.end + 1) == "their" || lw(it.end + 1) == "its");
    with_their = with_their || (at(it.end, {"along", "with"}) && (lw(it.end + 2) == "their" || lw(it.end + 2) == "its"));
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
      bool asks_which = lw(0) == "which" || lw(0) == "who" || any_word({"name", "names"}) || implied_order_;
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
  // Grouped totals read best largest first (time groups in time order).
  if (q_.order_by.empty() && (!q_.group_by.empty() || list_desc_) && q_.limit < 0) {
    for (const auto& [p, e] : q_.select) {
      if (e.agg != Agg::kNone) {
        q_.order_by.push_back({e, list_desc_.value_or(true)});
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
  if (yoy_case_ && !year_over_year()) return false;
  return true;
}

// Per-year totals side by side: SUM(CASE WHEN year = Y THEN x ELSE 0 END),
// as a pair of columns per group, their difference (or percentage), or a
// HAVING that keeps the groups that grew (declined).
bool Builder::year_over_year() {
  const YearCase& yc = *yoy_case_;
  Expr measure;
  bool found = false;
  for (const auto& [p, e] : q_.select) {
    if (e.agg != Agg::kNone && e.raw.empty() && !found) measure = e, found = true;
  }
  // "a lower payment amount in 2024": a measure column shown plain is the measure.
  bool plain_measure = false;
  for (const auto& [p, e] : q_.select) {
    if (!found && e.agg == Agg::kNone && !e.star && e.t >= 0 && e.t != focus_ && is_measure(e.t, e.c)) {
      measure = e, found = plain_measure = true;
    }
  }
  if (plain_measure) {
    q_.select.erase(std::remove_if(q_.select.begin(), q_.select.end(), [&](const auto& s) { return s.second == measure; }),
                    q_.select.end());
    q_.group_by.erase(std::remove(q_.group_by.begin(), q_.group_by.end(), measure), q_.group_by.end());
    if (q_.select.empty() && name_column(focus_) >= 0) q_.select.push_back({0, Expr{.t = focus_, .c = name_column(focus_)}});
  }
  if (!found && has_measure_) measure = measure_, found = true;
  if (!found && idle_measure_) measure = *idle_measure_, found = true;
  if (!found) measure = Expr{.agg = Agg::kCount, .star = true};
  if (measure.agg == Agg::kNone) measure.agg = Agg::kSum;
  if (measure.agg == Agg::kMin || measure.agg == Agg::kMax || measure.distinct) {
    reason_ = "a year-over-year comparison of a minimum, maximum or distinct count";
    return false;
  }
  int table = measure.star ? (yc.year.t >= 0 ? yc.year.t : focus_) : measure.t;
  // The years of the rows measured, unless the question named its date.
  Expr year = yc.year;
  if (!named_date_ && !measure.star && measure.t != year.t) {
    if (int dc = date_column_for(measure.t); dc >= 0 && dc / 1000 == measure.t) {
      year = Expr{.t = dc / 1000, .c = dc % 1000, .part = DatePart::kYear};
    }
  }
  add_table(table);
  add_table(year.t);
  auto per_year = [&](int y, bool qualify) {
    std::string year_sql = expr_sql(year, qualify);
    bool text = year.part == DatePart::kYear || !is_numeric(year.t, year.c);
    std::string lit = text ? d_.string_literal(std::to_string(y)) : std::to_string(y);
    std::string value = measure.star ? "1" : col_sql(measure.t, measure.c, qualify);
    std::string when = "CASE WHEN " + year_sql + " = " + lit + " THEN " + value;
    if (measure.agg == Agg::kAvg) return "AVG(" + when + " END)";
    return "SUM(" + when + " ELSE 0 END)";
  };
  auto computed = [&](auto&& sql_of) {
    return Expr{.agg = Agg::kSum, .t = table, .raw = sql_of(false), .raw_qualified = sql_of(true)};
  };
  auto diff = [&](bool qualify) {
    std::string d = per_year(yc.second, qualify) + " - " + per_year(yc.first, qualify);
    if (!yc.percent) return d;
    return "(" + d + ") * 100.0 / " + per_year(yc.first, qualify);
  };
  // The rows asked for: columns shown that are not totals.
  std::vector<std::pair<size_t, Expr>> keys;
  for (const auto& s : q_.select) {
    if (s.second.agg == Agg::kNone && !s.second.star) keys.push_back(s);
  }
  q_.order_by.erase(std::remove_if(q_.order_by.begin(), q_.order_by.end(),
                                   [](const auto& o) { return o.first.agg != Agg::kNone; }),
                    q_.order_by.end());
  q_.distinct = false;
  bool which = !keys.empty() && (yc.dir != 0 || !yc.op.empty()) && q_.group_by.empty();
  which = which || (!keys.empty() && !yc.op.empty());
  if (!keys.empty() && q_.group_by.empty()) {
    for (const auto& [p, e] : keys) {
      if (e.c == name_column(e.t)) {
        if (int k = key_column(e.t); k >= 0) q_.group_by.push_back(Expr{.t = e.t, .c = k});
      }
      q_.group_by.push_back(e);
    }
  }
  q_.select = keys;
  if (which) {
    // "Which regions grew their sales", "which stores sold less in 2024 than in 2023".
    std::string op = !yc.op.empty() ? yc.op : yc.dir > 0 ? ">" : "<";
    Expr lhs = computed([&](bool q) { return per_year(yc.op.empty() ? yc.second : yc.first, q); });
    Expr rhs = computed([&](bool q) { return per_year(yc.op.empty() ? yc.first : yc.second, q); });
    q_.having.push_back({lhs, op, "", rhs});
    return true;
  }
  if (yc.change || !yc.op.empty()) {
    Expr d = computed(diff);
    d.alias = yc.percent ? "growth_pct" : "change";
    q_.select.push_back({1000, d});
    return true;
  }
  for (int y : {yc.first, yc.second}) {
    Expr e = computed([&](bool q) { return per_year(y, q); });
    e.alias = cat_.tables[table].name + "_" + std::to_string(y);
    if (!measure.star && measure.t >= 0) e.alias = col(measure.t, measure.c).name + "_" + std::to_string(y);
    q_.select.push_back({1000, e});
  }
  return true;
}

void Builder::run() {
  link();
  if (!shape()) {
    confidence_ = 0;
    return;
  }
  // Words nothing explained cost confidence: the question says something the
  // SQL does not.
  // "average monthly revenue", "average daily sales": the average of the
  // per-period totals, not of the single rows (or of one row per period).
  std::string nested_sql;
  for (size_t i = 0; i + 1 < toks_.size() && nested_sql.empty(); ++i) {
    if (lw(i) != "average" && lw(i) != "avg" && lw(i) != "mean") continue;
    const std::string& p = lw(i + 1);
    bool daily = p == "daily";
    if (!daily && p != "monthly" && p != "yearly" && p != "annual") continue;
    auto avg = std::find_if(q_.select.begin(), q_.select.end(), [&](const auto& s) {
      return s.second.agg == Agg::kAvg && !s.second.star && s.second.t >= 0 && is_numeric(s.second.t, s.second.c);
    });
    if (avg == q_.select.end()) continue;
    Expr period;
    if (daily) {
      int dc = date_column_for(avg->second.t);
      if (dc < 0) continue;
      period = Expr{.t = dc / 1000, .c = dc % 1000};
    } else {
      auto g = std::find_if(q_.group_by.begin(), q_.group_by.end(),
                            [&](const Expr& e) { return e.part != DatePart::kNone && e.agg == Agg::kNone; });
      if (g == q_.group_by.end() || q_.group_by.size() != 1) continue;
      period = *g;
    }
    Query inner = q_;
    Expr total = avg->second;
    total.agg = Agg::kSum;
    inner.select = {{0, period}, {1, total}};
    inner.group_by = {period};
    inner.order_by.clear();
    inner.having.clear();
    inner.limit = -1;
    inner.distinct = false;
    inner.agg_alias = "total";
    std::string inner_sql = render(inner);
    if (inner_sql.empty()) continue;
    nested_sql = "SELECT AVG(" + d_.quote_identifier("total") + ") FROM (" + inner_sql + ")";
    consumed_[i + 1] = true;
  }
  // "the highest number of active stores in any month", "the average number
  // of sales per month": an aggregate over the per-period counts. Not when
  // the period is asked for ("which month had the most sales").
  bool period_asked = lw(0) == "which" || lw(0) == "when" || nw(1) == "month" || nw(1) == "year" ||
                      nw(1) == "day" || (lw(0) == "what" && item_at(1) != nullptr);
  for (size_t i = 0; i + 2 < toks_.size() && nested_sql.empty() && !period_asked; ++i) {
    static const std::map<std::string, Agg> kOuter = {
        {"average", Agg::kAvg}, {"avg", Agg::kAvg},      {"mean", Agg::kAvg},     {"highest", Agg::kMax},
        {"maximum", Agg::kMax}, {"max", Agg::kMax},      {"largest", Agg::kMax},  {"peak", Agg::kMax},
        {"biggest", Agg::kMax}, {"greatest", Agg::kMax}, {"lowest", Agg::kMin},   {"minimum", Agg::kMin},
        {"min", Agg::kMin},     {"smallest", Agg::kMin}, {"fewest", Agg::kMin}};
    auto outer = kOuter.find(lw(i));
    if (outer == kOuter.end() || !(at(i + 1, {"number", "of"}) || at(i + 1, {"count", "of"}))) continue;
    if (q_.group_by.size() != 1) continue;
    const Expr& g = q_.group_by[0];
    if (g.star || g.t < 0 || !is_date(g.t, g.c)) continue;
    std::optional<Expr> count;
    for (const auto& [p, e] : q_.select) {
      if (e.agg == Agg::kCount && !count) count = e;
    }
    for (const auto& [e, desc] : q_.order_by) {
      if (e.agg == Agg::kCount && !count) count = e;
    }
    if (!count) continue;
    Query inner = q_;
    inner.select = {{0, g}, {1, *count}};
    inner.order_by.clear();
    inner.having.clear();
    inner.limit = -1;
    inner.distinct = false;
    inner.agg_alias = "n";
    std::string inner_sql = render(inner);
    if (inner_sql.empty()) continue;
    nested_sql = std::string("SELECT ") + agg_sql(outer->second) + "(" + d_.quote_identifier("n") + ") FROM (" +
                 inner_sql + ")";
    consumed_[i] = true;
  }
  std::vector<std::string> unexplained;
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (consumed_[i] || toks_[i].kind != QuestionTokenKind::kWord) continue;
    if (item_covering(i)) continue;
    static const std::set<std::string> kHarmless = {
        "name",       "names",      "many",    "number",    "total",       "amount",       "count",      "show",
        "list",       "give",       "find",    "return",    "display",     "tell",         "get",        "much",
        "sum",        "comparison", "compare", "compared",  "vs",          "versus",       "than",       "year",
        "years",      "month",      "months",  "time",      "all",         "also",         "every",      "along",
        "their",      "there",      "exist",   "exists",    "existing",    "provide",      "known",      "called",
        "named",      "have",       "has",     "had",       "made",        "make",         "people",     "record",
        "records",    "row",        "rows",    "table",     "database",    "data",         "stored",     "registered",
        "available",  "sorted",     "listed",  "recorded",  "ordered",     "top",          "together",   "respectively",
        "what",       "are",        "were",    "is",        "was",         "did",          "does",       "do",
        "the",        "by",         "per",     "each",      "its",         "from",         "in",         "list",
        "descending", "ascending",  "order",   "whose",     "value",       "different",    "distinct",   "unique",
        "with",       "between",    "and",     "or",        "revenue",     "sales",        "overall",    "figure",
        "figures",    "breakdown",  "broken",  "down",      "over",        "across",       "altogether", "full",
        "complete",   "entire",     "current", "currently", "ever",        "produce",      "produced",   "produces",
        "own",        "owned",      "owns",    "happened",  "occurred",    "performed",    "perform",    "held",
        "take",       "took",       "taken",   "play",      "played",      "plays",        "belong",     "belongs",
        "work",       "works",      "worked",  "live",      "lives",       "lived",        "attend",     "attended",
        "create",     "created",    "creates", "involved",  "participate", "participated", "happen",     "occur",
        "hold",       "holds",      "sell",    "sold",      "buy",         "bought",       "come",       "comes",
        "go",
    };
    if (kHarmless.count(toks_[i].lower) || kHarmless.count(toks_[i].norm)) continue;
    unexplained.push_back(toks_[i].text);
  }
  if (!unexplained.empty()) {
    double cost = std::min(0.6, 0.12 * unexplained.size());
    std::string list;
    for (size_t i = 0; i < unexplained.size() && i < 5; ++i) list += (i ? ", " : "") + unexplained[i];
    penalize(cost, "words not understood: " + list);
  }
  for (const auto& it : items_) {
    if (it.kind == ItemKind::kNumber && !it.used) penalize(0.5, "the number " + it.text + " is not used");
    if (it.kind == ItemKind::kQuoted && !it.used) penalize(0.5, "the quoted text '" + it.text + "' is not used");
  }
  // Questions whose shape the rules do not cover.
  if (any_word({"both"}) && any_word({"and"})) penalize(0.5, "'both ... and' needs an intersection");
  if (any_word({"either"})) penalize(0.2, "'either' may need a union");
  q_.name_aggregates = true;
  sql_ = nested_sql.empty() ? render(q_) : nested_sql;
  if (sql_.empty()) confidence_ = 0;
}

}  // namespace

// ---------------------------------------------------------------- generator

TemplateGenerator::TemplateGenerator(const Catalog& catalog, Database* db, const TemplateOptions& options)
    : catalog_(catalog),
      db_(db),
      options_(options),
      dialect_(Dialect::for_engine(catalog.engine)),
      linker_(catalog_),
      joins_(catalog_) {}

Result<std::unique_ptr<TemplateGenerator>> TemplateGenerator::create(const Catalog& catalog, Database* db,
                                                                     const TemplateOptions& options) {
  std::unique_ptr<TemplateGenerator> gen(new TemplateGenerator(catalog, db, options));
  if (db && options.build_value_index) {
    auto index = ValueIndex::build(*db, gen->catalog_);
    if (!index.ok()) return index.status();
    gen->values_ = std::move(index).value();
  }
  return gen;
}

std::string TemplateGenerator::latest_date(int table, int column) {
  auto key = std::make_pair(table, column);
  if (auto it = latest_dates_.find(key); it != latest_dates_.end()) return it->second;
  std::string out;
  if (db_) {
    const auto& t = catalog_.tables[table];
    auto rows = db_->execute("SELECT MAX(" + dialect_.quote_identifier(t.columns[column].name) + ") FROM " +
                             dialect_.quote_identifier(t.name));
    if (rows.ok() && !rows->rows.empty() && !rows->rows[0].empty()) out = rows->rows[0][0].to_string();
  }
  latest_dates_[key] = out;
  return out;
}

Result<GenerationResult> TemplateGenerator::generate(const GenerationRequest& request) {
  auto start = std::chrono::steady_clock::now();
  GenerationResult result;
  result.engine = "template";
  QuestionCheck check = check_question(request.question);
  if (check.verdict != QuestionVerdict::kOk) {
    result.reason = (check.verdict == QuestionVerdict::kWritesData ? "refused: " : "cannot answer: ") + check.reason;
    return result;
  }
  Builder b(*this, catalog_, dialect_, linker_, joins_, values_, request);
  b.run();
  result.confidence = std::clamp(b.confidence_, 0.0, 1.0);
  GenerationAttempt attempt;
  attempt.sql = b.sql_;
  if (b.sql_.empty()) {
    result.reason =
        "cannot answer: " + (b.reason_.empty() ? std::string("the question did not match any rule") : b.reason_);
    attempt.error = result.reason;
  } else if (result.confidence < options_.min_confidence) {
    std::string why;
    for (size_t i = 0; i < b.notes_.size(); ++i) why += (i ? "; " : "") + b.notes_[i];
    result.reason =
        "cannot answer: not confident enough (" + std::to_string(result.confidence).substr(0, 4) + "): " + why;
    attempt.error = result.reason;
  } else {
    Status guard = Status();
    if (options_.validate && db_) guard = db_->validate(b.sql_);
    if (!guard.ok()) {
      result.reason = "cannot answer: the SQL built does not run: " + guard.message();
      attempt.error = result.reason;
    } else {
      result.answered = true;
      result.sql = b.sql_;
      std::string why;
      for (size_t i = 0; i < b.notes_.size(); ++i) why += (i ? "; " : "") + b.notes_[i];
      result.reason = why;
    }
  }
  attempt.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  result.attempts.push_back(std::move(attempt));
  return result;
}

Result<std::unique_ptr<Generator>> make_template_generator(const Catalog& catalog, Database* db) {
  auto gen = TemplateGenerator::create(catalog, db);
  if (!gen.ok()) return gen.status();
  return std::unique_ptr<Generator>(std::move(gen).value());
}

}  // namespace t2sql
