#include "llm/sql_scope_checker.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <limits>
#include <map>
#include <set>

#include "llm/sql_end_distance.h"
#include "sql/function_allow_list.h"
#include "sql/sql_lexer.h"

namespace t2sql {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Words that are never names here (names that collide with them need quotes).
const std::set<std::string>& keywords() {
  static const std::set<std::string> k = {"select",
                                          "from",
                                          "where",
                                          "group",
                                          "by",
                                          "having",
                                          "order",
                                          "limit",
                                          "offset",
                                          "join",
                                          "inner",
                                          "left",
                                          "right",
                                          "full",
                                          "outer",
                                          "cross",
                                          "natural",
                                          "on",
                                          "using",
                                          "as",
                                          "and",
                                          "or",
                                          "not",
                                          "in",
                                          "is",
                                          "null",
                                          "like",
                                          "glob",
                                          "regexp",
                                          "match",
                                          "ilike",
                                          "similar",
                                          "between",
                                          "exists",
                                          "case",
                                          "when",
                                          "then",
                                          "else",
                                          "end",
                                          "cast",
                                          "distinct",
                                          "all",
                                          "union",
                                          "intersect",
                                          "except",
                                          "with",
                                          "recursive",
                                          "asc",
                                          "desc",
                                          "nulls",
                                          "collate",
                                          "escape",
                                          "over",
                                          "partition",
                                          "filter",
                                          "window",
                                          "true",
                                          "false",
                                          "current_date",
                                          "current_time",
                                          "current_timestamp",
                                          "extract",
                                          "isnull",
                                          "notnull",
                                          "array",
                                          "values",
                                          "interval"};
  return k;
}

// Keywords after which an expression has ended (an alias may follow).
bool ends_expression_keyword(const std::string& w) {
  return w == "end" || w == "null" || w == "true" || w == "false" || w == "current_date" || w == "current_time" ||
         w == "current_timestamp";
}

// Those of `names` that t2sql's statement guard lets a query call on SQLite
// (sql/function_allow_list.h): a statement calling any other never runs.
std::set<std::string> allowed_on_sqlite(std::initializer_list<const char*> names) {
  std::set<std::string> out;
  for (const char* n : names) {
    if (is_allowed_function(n, Dialect::Engine::kSqlite)) out.insert(n);
  }
  return out;
}

// SQLite's built-in scalar, aggregate, date, math, window and JSON functions,
// as of SQLite 3.40 (Debian 12's, which t2sql links): those added later
// (concat, concat_ws, octet_length, string_agg, timediff, unhex) would not
// prepare there.
const std::set<std::string>& sqlite_functions() {
  static const std::set<std::string> f = allowed_on_sqlite({"abs",
                                                            "changes",
                                                            "char",
                                                            "coalesce",
                                                            "format",
                                                            "glob",
                                                            "hex",
                                                            "ifnull",
                                                            "iif",
                                                            "instr",
                                                            "length",
                                                            "like",
                                                            "likelihood",
                                                            "likely",
                                                            "lower",
                                                            "ltrim",
                                                            "max",
                                                            "min",
                                                            "nullif",
                                                            "printf",
                                                            "quote",
                                                            "random",
                                                            "randomblob",
                                                            "replace",
                                                            "round",
                                                            "rtrim",
                                                            "sign",
                                                            "soundex",
                                                            "substr",
                                                            "substring",
                                                            "trim",
                                                            "typeof",
                                                            "unicode",
                                                            "unlikely",
                                                            "upper",
                                                            "zeroblob",
                                                            "avg",
                                                            "count",
                                                            "group_concat",
                                                            "sum",
                                                            "total",
                                                            "date",
                                                            "time",
                                                            "datetime",
                                                            "julianday",
                                                            "unixepoch",
                                                            "strftime",
                                                            "acos",
                                                            "acosh",
                                                            "asin",
                                                            "asinh",
                                                            "atan",
                                                            "atan2",
                                                            "atanh",
                                                            "ceil",
                                                            "ceiling",
                                                            "cos",
                                                            "cosh",
                                                            "degrees",
                                                            "exp",
                                                            "floor",
                                                            "ln",
                                                            "log",
                                                            "log10",
                                                            "log2",
                                                            "mod",
                                                            "pi",
                                                            "pow",
                                                            "power",
                                                            "radians",
                                                            "sin",
                                                            "sinh",
                                                            "sqrt",
                                                            "tan",
                                                            "tanh",
                                                            "trunc",
                                                            "row_number",
                                                            "rank",
                                                            "dense_rank",
                                                            "percent_rank",
                                                            "cume_dist",
                                                            "ntile",
                                                            "lag",
                                                            "lead",
                                                            "first_value",
                                                            "last_value",
                                                            "nth_value",
                                                            "json",
                                                            "json_array",
                                                            "json_array_length",
                                                            "json_extract",
                                                            "json_insert",
                                                            "json_object",
                                                            "json_patch",
                                                            "json_remove",
                                                            "json_replace",
                                                            "json_set",
                                                            "json_type",
                                                            "json_valid",
                                                            "json_quote",
                                                            "json_group_array",
                                                            "json_group_object",
                                                            "json_each",
                                                            "json_tree"});
  return f;
}

// One to four letters and at most two digits: how aliases are written
// ("T1", "s", "ac", "mps", "wtd", "cust"; Spider's and defog's gold declare no
// longer one).
bool alias_shaped(const std::string& w) {
  size_t letters = 0;
  while (letters < w.size() && std::isalpha(static_cast<unsigned char>(w[letters]))) ++letters;
  if (letters == 0 || letters > 4 || w.size() > letters + 2) return false;
  return std::all_of(w.begin() + static_cast<long>(letters), w.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// The first four of `names` by length (in their order on a tie).
std::vector<std::string> shortest_few(std::vector<std::string> names) {
  std::stable_sort(names.begin(), names.end(),
                   [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
  if (names.size() > 4) names.resize(4);
  return names;
}

// Keywords after which a query's FROM clause is over (Walk::end_from).
bool ends_from_clause(const std::string& w) {
  static const std::set<std::string> k = {"where",  "group",  "having", "order",  "limit",
                                          "offset", "window", "union",  "except", "intersect"};
  return k.count(w) > 0;
}

// Keywords that may follow an alias (of a result column or a table).
bool follows_alias(const std::string& w) {
  static const std::set<std::string> k = {"from",  "join",    "inner", "left",  "right", "full",
                                          "cross", "natural", "on",    "using", "outer"};
  return k.count(w) > 0 || ends_from_clause(w);
}

ScopeVerdict refused(size_t offset, std::string message) {
  ScopeVerdict v;
  v.ok = false;
  v.offset = offset;
  v.message = std::move(message);
  return v;
}

bool has_prefix(const std::string& name, const std::string& prefix) {
  return name.size() >= prefix.size() && name.compare(0, prefix.size(), prefix) == 0;
}

template <typename Container>
bool any_has_prefix(const Container& names, const std::string& prefix) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return has_prefix(n, prefix); });
}

// The name a token stands for: quotes removed, lower case.
std::string name_of(const SqlToken& t) {
  if (t.kind != SqlTokenKind::kQuotedName || t.text.size() < 2) return lower(t.text);
  char close = t.text[0] == '[' ? ']' : t.text[0];
  std::string out;
  for (size_t i = 1; i + 1 < t.text.size(); ++i) {
    out += t.text[i];
    if (t.text[i] == close && t.text[i + 1] == close) ++i;
  }
  return lower(out);
}

bool is_name_token(const SqlToken& t) {
  return t.kind == SqlTokenKind::kWord || t.kind == SqlTokenKind::kQuotedName;
}

enum class FrameKind { kTop, kQuery, kDerived, kCteBody, kCteColumns, kOver, kExtract, kUsing, kCall, kOther };

enum class Clause { kSelect, kFrom, kWhere, kGroup, kHaving, kOrder, kLimit, kOther };

// Arguments SQLite 3.40 accepts (max -1: any number); a call outside these
// does not prepare ("wrong number of arguments").
struct Arity {
  int min, max;
};
const std::map<std::string, Arity>& sqlite_arity() {
  static const std::map<std::string, Arity> a = {{"abs", {1, 1}},
                                                 {"changes", {0, 0}},
                                                 {"char", {1, -1}},
                                                 {"coalesce", {2, -1}},
                                                 {"format", {1, -1}},
                                                 {"glob", {2, 2}},
                                                 {"hex", {1, 1}},
                                                 {"ifnull", {2, 2}},
                                                 {"iif", {3, 3}},
                                                 {"instr", {2, 2}},
                                                 {"length", {1, 1}},
                                                 {"like", {2, 3}},
                                                 {"likelihood", {2, 2}},
                                                 {"likely", {1, 1}},
                                                 {"lower", {1, 1}},
                                                 {"ltrim", {1, 2}},
                                                 {"max", {1, -1}},
                                                 {"min", {1, -1}},
                                                 {"nullif", {2, 2}},
                                                 {"printf", {1, -1}},
                                                 {"quote", {1, 1}},
                                                 {"random", {0, 0}},
                                                 {"randomblob", {1, 1}},
                                                 {"replace", {3, 3}},
                                                 {"round", {1, 2}},
                                                 {"rtrim", {1, 2}},
                                                 {"sign", {1, 1}},
                                                 {"soundex", {1, 1}},
                                                 {"substr", {2, 3}},
                                                 {"substring", {2, 3}},
                                                 {"trim", {1, 2}},
                                                 {"typeof", {1, 1}},
                                                 {"unicode", {1, 1}},
                                                 {"unlikely", {1, 1}},
                                                 {"upper", {1, 1}},
                                                 {"zeroblob", {1, 1}},
                                                 {"avg", {1, 1}},
                                                 {"count", {0, 1}},
                                                 {"group_concat", {1, 2}},
                                                 {"string_agg", {2, 2}},
                                                 {"sum", {1, 1}},
                                                 {"total", {1, 1}},
                                                 {"date", {0, -1}},
                                                 {"time", {0, -1}},
                                                 {"datetime", {0, -1}},
                                                 {"julianday", {0, -1}},
                                                 {"unixepoch", {0, -1}},
                                                 {"strftime", {1, -1}},
                                                 {"acos", {1, 1}},
                                                 {"acosh", {1, 1}},
                                                 {"asin", {1, 1}},
                                                 {"asinh", {1, 1}},
                                                 {"atan", {1, 1}},
                                                 {"atan2", {2, 2}},
                                                 {"atanh", {1, 1}},
                                                 {"ceil", {1, 1}},
                                                 {"ceiling", {1, 1}},
                                                 {"cos", {1, 1}},
                                                 {"cosh", {1, 1}},
                                                 {"degrees", {1, 1}},
                                                 {"exp", {1, 1}},
                                                 {"floor", {1, 1}},
                                                 {"ln", {1, 1}},
                                                 {"log", {1, 2}},
                                                 {"log10", {1, 1}},
                                                 {"log2", {1, 1}},
                                                 {"mod", {2, 2}},
                                                 {"pi", {0, 0}},
                                                 {"pow", {2, 2}},
                                                 {"power", {2, 2}},
                                                 {"radians", {1, 1}},
                                                 {"sin", {1, 1}},
                                                 {"sinh", {1, 1}},
                                                 {"sqrt", {1, 1}},
                                                 {"tan", {1, 1}},
                                                 {"tanh", {1, 1}},
                                                 {"trunc", {1, 1}},
                                                 {"row_number", {0, 0}},
                                                 {"rank", {0, 0}},
                                                 {"dense_rank", {0, 0}},
                                                 {"percent_rank", {0, 0}},
                                                 {"cume_dist", {0, 0}},
                                                 {"ntile", {1, 1}},
                                                 {"lag", {1, 3}},
                                                 {"lead", {1, 3}},
                                                 {"first_value", {1, 1}},
                                                 {"last_value", {1, 1}},
                                                 {"nth_value", {2, 2}},
                                                 {"json", {1, 1}},
                                                 {"json_array", {0, -1}},
                                                 {"json_array_length", {1, 2}},
                                                 {"json_extract", {2, -1}},
                                                 {"json_insert", {3, -1}},
                                                 {"json_object", {0, -1}},
                                                 {"json_patch", {2, 2}},
                                                 {"json_remove", {1, -1}},
                                                 {"json_replace", {3, -1}},
                                                 {"json_set", {3, -1}},
                                                 {"json_type", {1, 2}},
                                                 {"json_valid", {1, 1}},
                                                 {"json_quote", {1, 1}},
                                                 {"json_group_array", {1, 1}},
                                                 {"json_group_object", {2, 2}},
                                                 {"json_each", {1, 2}},
                                                 {"json_tree", {1, 2}}};
  return a;
}

// Always aggregates (min and max are aggregates with one argument only).
bool plain_aggregate(const std::string& f) {
  return f == "count" || f == "sum" || f == "avg" || f == "total" || f == "group_concat" || f == "json_group_array" ||
         f == "json_group_object";
}
bool window_only(const std::string& f) {
  return f == "row_number" || f == "rank" || f == "dense_rank" || f == "percent_rank" || f == "cume_dist" ||
         f == "ntile" || f == "lag" || f == "lead" || f == "first_value" || f == "last_value" || f == "nth_value";
}

struct Source {
  std::string name, alias;  // lower case; alias empty when none
  int table = -1;           // -1: a derived table or a CTE
};

struct Ref {
  std::string qualifier, column;  // lower case; qualifier empty for a bare column
  size_t offset = 0;
  bool partial = false;         // the last word, still growing
  bool quoted_double = false;   // "x": on SQLite a string when no column has that name
  bool compound_order = false;  // ORDER BY of a compound: names of any branch
  bool in_select_list = false;  // the select list sees no output name of its own query
};

struct Block {
  int parent = -1;
  std::vector<Source> sources;
  std::vector<Ref> pending;
  bool from_done = false, after_set_op = false, in_order = false;
  Clause clause = Clause::kSelect;
  int items = 1;                         // result columns; -1 when a star makes them unknown
  size_t bare_star = std::string::npos;  // where a "*" of the select list stands, if one does
  int compound_items = 0;                // the first branch's count (0: not a compound branch)
  bool need_one = false;                 // a scalar or IN subquery: one column
  bool has_group = false, has_having = false, has_aggregate = false, using_join = false;
  size_t having_offset = 0;
};

struct Frame {
  FrameKind kind = FrameKind::kOther;
  int block = -1;       // the query block at this level, if any
  bool scalar = false;  // kOther: a scalar or IN subquery may open here (not EXISTS, not a row value)
  // kCall: the function, where it starts, its arguments so far.
  std::string function = {};
  size_t offset = 0;
  int args = 0;
  bool star = false, distinct = false, in_aggregate = false, inner_aggregate = false;
  bool cast = false, cast_as = false;  // kOther: CAST( ... AS type), and its AS once written
  bool compared = false;               // kOther: after a comparison or IN, where a row value "(a, b)" may stand
};

enum class Expect { kNone, kTable, kTableAlias, kDerivedAlias, kCteName, kCteAfterName, kCteBody, kAfterCte };

// Safety bounds on nesting, far above real queries (Spider's 14,351 gold
// queries nest parentheses 3 deep at most and never write "((" ), so that an
// untrained model cannot spend its budget opening parentheses: at most
// kMaxDepth open at once, at most kMaxParenRun in a row ("(((((").
constexpr size_t kMaxDepth = 32;
constexpr size_t kMaxParenRun = 5;
// Characters of a string literal while it is written (an untrained model
// would otherwise stay inside one until the token limit).
constexpr size_t kMaxOpenString = 256;
// Characters of a name the statement declares (an alias, an output name).
constexpr size_t kMaxAlias = 64;

// One reading of a statement. The first pass only collects the names the
// statement declares (output aliases, CTE names and columns); the second,
// knowing them, checks every reference.
class Walk {
 public:
  Walk(const std::vector<GrammarTable>& tables, const std::vector<std::string>& all_columns, bool sqlite,
       std::set<std::string> declared, std::set<std::string> ctes, std::map<std::string, std::set<int>> outputs,
       bool collecting)
      : tables_(tables),
        all_columns_(all_columns),
        sqlite_(sqlite),
        collecting_(collecting),
        declared_(std::move(declared)),
        ctes_(std::move(ctes)),
        outputs_(std::move(outputs)) {}

  ScopeVerdict run(const std::vector<SqlToken>& tk, const SqlToken* partial, bool complete) {
    frames_.push_back(Frame{.kind = FrameKind::kTop});
    for (size_t i = 0; i < tk.size() && verdict_.ok; ++i) step(tk, i);
    if (verdict_.ok && partial) check_partial(tk, *partial);
    if (verdict_.ok && complete) {
      if (pending_over_) refuse(pending_over_at_, "a window function needs OVER");
      if (pending_row_ != std::string::npos) refuse(pending_row_, "a row value (a, b) is only compared");
      while (verdict_.ok && !frames_.empty()) {
        if (frames_.back().block >= 0) finish_block(frames_.back().block);
        frames_.pop_back();
      }
    }
    return verdict_;
  }

  const std::set<std::string>& declared() const { return declared_; }
  const std::set<std::string>& ctes() const { return ctes_; }
  const std::map<std::string, std::set<int>>& outputs() const { return outputs_; }

 private:
  void refuse(size_t offset, std::string message) {
    if (!verdict_.ok || collecting_) return;
    verdict_ = refused(offset, std::move(message));
  }

  int table_index(const std::string& lname) const {
    for (size_t i = 0; i < tables_.size(); ++i) {
      if (lower(tables_[i].name) == lname) return static_cast<int>(i);
    }
    return -1;
  }

  bool table_has(int t, const std::string& col) const {
    if (col == "*" || rowid(col)) return true;
    const auto& cols = tables_[static_cast<size_t>(t)].columns;
    return std::any_of(cols.begin(), cols.end(), [&](const std::string& c) { return lower(c) == col; });
  }

  // SQLite's names of every table's row id.
  bool rowid(const std::string& col) const { return sqlite_ && (col == "rowid" || col == "oid" || col == "_rowid_"); }

  // A column name of the schema or a name the statement declares.
  bool in_universe(const std::string& col) const {
    return col == "*" || std::binary_search(all_columns_.begin(), all_columns_.end(), col) ||
           declared_.count(col) > 0 || rowid(col);
  }
  bool universe_has_prefix(const std::string& p) const {
    auto it = std::lower_bound(all_columns_.begin(), all_columns_.end(), p);
    return (it != all_columns_.end() && has_prefix(*it, p)) || any_has_prefix(declared_, p) ||
           (sqlite_ && any_has_prefix(std::vector<std::string>{"rowid", "oid", "_rowid_"}, p));
  }

  int current_block() const {
    for (size_t i = frames_.size(); i-- > 0;) {
      if (frames_[i].block >= 0) return frames_[i].block;
    }
    return -1;
  }

  // The source named q of block b's FROM clause or an enclosing query's.
  const Source* find_source(int b, const std::string& q) const {
    for (; b >= 0; b = blocks_[static_cast<size_t>(b)].parent) {
      if (const Source* s = own_source(b, q)) return s;
    }
    return nullptr;
  }

  bool any_derived(int b) const {
    for (; b >= 0; b = blocks_[static_cast<size_t>(b)].parent) {
      for (const auto& s : blocks_[static_cast<size_t>(b)].sources) {
        if (s.table < 0) return true;
      }
    }
    return false;
  }

  // The reference once the query's FROM clause is known.
  void check_strict(int b, const Ref& r) {
    if (!r.qualifier.empty()) {
      const Source* s = find_source(b, r.qualifier);
      if (!s) {
        refuse(r.offset, "'" + r.qualifier + "' is not a table or alias of this query");
        return;
      }
      if (r.column.empty()) return;
      bool ok = s->table >= 0 ? (r.partial ? any_column_prefix(s->table, r.column) : table_has(s->table, r.column))
                              : (r.partial ? universe_has_prefix(r.column) : in_universe(r.column));
      if (!ok) {
        refuse(r.offset, "no column '" + r.column + "' in " +
                             (s->table >= 0 ? tables_[static_cast<size_t>(s->table)].name : r.qualifier));
      }
      return;
    }
    if (r.partial) {
      check_loose(r);
      return;
    }
    if (r.quoted_double && sqlite_) return;  // a string literal on SQLite
    if (!r.in_select_list && own_output(b, r.column)) return;
    if (r.compound_order && in_universe(r.column)) return;
    for (int c = b; c >= 0; c = blocks_[static_cast<size_t>(c)].parent) {
      const Block& blk = blocks_[static_cast<size_t>(c)];
      int owners = 0;
      for (const auto& s : blk.sources) owners += s.table >= 0 && table_has(s.table, r.column);
      if (owners > 1 && !blk.using_join) {
        refuse(r.offset, "column '" + r.column + "' is ambiguous: qualify it");
        return;
      }
      if (owners >= 1) return;
    }
    if (any_derived(b) && in_universe(r.column)) return;
    refuse(r.offset, "no column '" + r.column + "' in the tables of this query");
  }

  // An output name of query block b itself ("COUNT(*) AS n ... ORDER BY n");
  // another query's output names are columns only of the derived table or
  // CTE that holds it (any_derived), and a subquery does not see those of
  // the query around it ("SELECT count(*) n, (SELECT n)" does not prepare).
  bool own_output(int b, const std::string& name) const {
    auto it = outputs_.find(name);
    return it != outputs_.end() && it->second.count(b) > 0;
  }

  bool any_column_prefix(int t, const std::string& p) const {
    if (sqlite_ && (has_prefix("rowid", p) || has_prefix("oid", p))) return true;
    const auto& cols = tables_[static_cast<size_t>(t)].columns;
    return std::any_of(cols.begin(), cols.end(), [&](const std::string& c) { return has_prefix(lower(c), p); });
  }

  // Before the FROM clause: some table of the schema, or the statement, has
  // such a name.
  void check_loose(const Ref& r) {
    if (r.quoted_double && sqlite_ && r.qualifier.empty()) return;  // t."x" is never a string
    bool ok = r.partial ? universe_has_prefix(r.column) : in_universe(r.column);
    if (!ok) refuse(r.offset, "no column '" + r.column + "' in the schema");
  }

  // The select list is complete: its column count can be checked.
  void leave_select(int b, size_t offset) {
    Block& blk = blocks_[static_cast<size_t>(b)];
    if (blk.clause != Clause::kSelect) return;
    blk.clause = Clause::kOther;
    if (blk.compound_items > 0 && blk.items > 0 && blk.items != blk.compound_items) {
      refuse(offset, "the branches of a compound SELECT return different numbers of columns");
    } else if (blk.need_one && blk.items > 1) {
      refuse(offset, "this subquery must return one column");
    }
  }

  void finish_block(int b) {
    leave_select(b, 0);
    end_from(b);
    const Block& blk = blocks_[static_cast<size_t>(b)];
    if (blk.bare_star != std::string::npos && blk.sources.empty()) refuse(blk.bare_star, "SELECT * without FROM");
    if (blk.has_having && !blk.has_group && !blk.has_aggregate) {
      refuse(blk.having_offset, "HAVING on a query without GROUP BY or aggregates");
    }
  }

  void end_from(int b) {
    Block& blk = blocks_[static_cast<size_t>(b)];
    if (blk.from_done) return;
    blk.from_done = true;
    std::vector<Ref> pending = std::move(blk.pending);
    for (const auto& r : pending) {
      check_strict(b, r);
      if (!verdict_.ok) return;
    }
  }

  void add_ref(Ref r) {
    int b = current_block();
    if (b < 0) return;
    Block& blk = blocks_[static_cast<size_t>(b)];
    r.compound_order = blk.after_set_op && blk.in_order;
    r.in_select_list = blk.clause == Clause::kSelect;
    if (blk.from_done) {
      check_strict(b, r);
    } else {
      if (r.qualifier.empty() || (!r.column.empty() && r.column != "*")) check_loose(r);
      if (verdict_.ok) check_forward(b, r);
      blk.pending.push_back(r);
    }
  }

  // A qualifier that this query's FROM clause has not declared yet must
  // still be declarable: some table of the schema holds every column the
  // query has used with it (the table itself when the qualifier is a table's
  // name and no alias), or the FROM clause's source already named so does.
  // Without this, "SELECT x.amount, x.region" could only end through a
  // derived table, and a model would spend its budget on a statement that
  // no FROM clause can complete. In a statement with CTEs the qualifier may
  // name one or alias one, and a source of an enclosing query (a correlated
  // reference) may hold any of its names: those are left to the FROM clause.
  void check_forward(int b, const Ref& r) {
    if (r.qualifier.empty() || r.column.empty() || r.column == "*" || !ctes_.empty()) return;  // it may alias a CTE
    if (declared_alias_.count(r.qualifier) && !own_source(b, r.qualifier)) return;  // a derived table's or outer alias
    const Block& blk = blocks_[static_cast<size_t>(b)];
    if (blk.parent >= 0 && find_source(blk.parent, r.qualifier)) return;
    // The columns used before with the qualifier, and r's.
    auto holds_all = [&](int t) {
      return holds(b, t, r.qualifier) && (r.partial ? any_column_prefix(t, r.column) : table_has(t, r.column));
    };
    if (const Source* s = own_source(b, r.qualifier)) {
      if (s->table < 0 || holds_all(s->table)) return;
      refuse(r.offset, "no column '" + r.column + "' in " + tables_[static_cast<size_t>(s->table)].name);
      return;
    }
    const int named = table_index(r.qualifier);
    if (named >= 0 && !declared_alias_.count(r.qualifier)) {
      if (!holds_all(named))
        refuse(r.offset, "no column '" + r.column + "' in " + tables_[static_cast<size_t>(named)].name);
      return;
    }
    for (size_t t = 0; t < tables_.size(); ++t) {
      if (holds_all(static_cast<int>(t))) return;
    }
    refuse(r.offset, "no table has every column used with '" + r.qualifier + "'");
  }

  // A table source has its name (its alias, or the table's own): the
  // columns the query used before with that qualifier must be its columns,
  // refused here, where another alias can still be written, rather than
  // once the FROM clause ends, when only going back could help.
  void check_binding(int b, const Source& s, size_t offset) {
    if (s.table < 0) return;
    const std::string& q = s.alias.empty() ? s.name : s.alias;
    for (const auto& p : blocks_[static_cast<size_t>(b)].pending) {
      if (p.qualifier != q || p.column.empty() || p.column == "*" || table_has(s.table, p.column)) continue;
      refuse(offset, "'" + q + "' is used with column '" + p.column + "', which " +
                         tables_[static_cast<size_t>(s.table)].name + " does not have");
      return;
    }
  }

  // The source of block b's own FROM clause named q (its alias, or its table
  // when it has none).
  const Source* own_source(int b, const std::string& q) const {
    for (const auto& s : blocks_[static_cast<size_t>(b)].sources) {
      if (s.alias.empty() ? s.name == q : s.alias == q) return &s;
    }
    return nullptr;
  }

  // A qualifier of block b that nothing declares yet: no source of it or of
  // an enclosing query, no alias of the statement.
  bool undeclared(int b, const std::string& q) const {
    const int parent = blocks_[static_cast<size_t>(b)].parent;
    return !q.empty() && !own_source(b, q) && !declared_alias_.count(q) && !(parent >= 0 && find_source(parent, q));
  }

  // Table t has every column block b has used so far with qualifier q (a
  // column still being written: some column it begins).
  bool holds(int b, int t, const std::string& q) const {
    const auto& pending = blocks_[static_cast<size_t>(b)].pending;
    return std::all_of(pending.begin(), pending.end(), [&](const Ref& r) {
      return r.qualifier != q || r.column.empty() || r.column == "*" ||
             (r.partial ? any_column_prefix(t, r.column) : table_has(t, r.column));
    });
  }

  void new_block() {
    Frame& f = frames_.back();
    Block blk;
    if (f.block >= 0) {
      finish_block(f.block);
      const Block& first = blocks_[static_cast<size_t>(f.block)];
      blk.parent = first.parent;
      blk.after_set_op = true;
      blk.compound_items = first.compound_items ? first.compound_items : std::max(first.items, 0);
      blk.need_one = first.need_one;
    } else {
      blk.need_one = f.kind == FrameKind::kOther && f.scalar;
      for (size_t i = frames_.size() - 1; i-- > 0;) {
        if (frames_[i].block >= 0) {
          blk.parent = frames_[i].block;
          break;
        }
      }
    }
    blocks_.push_back(blk);
    f.block = static_cast<int>(blocks_.size()) - 1;
  }

  bool ends_expression(const SqlToken& t) const {
    if (t.kind == SqlTokenKind::kWord) {
      std::string w = lower(t.text);
      return !keywords().count(w) || ends_expression_keyword(w);
    }
    return t.kind == SqlTokenKind::kQuotedName || t.kind == SqlTokenKind::kString || t.kind == SqlTokenKind::kNumber ||
           t.is_punct(')');
  }

  void step(const std::vector<SqlToken>& tk, size_t i) {
    const SqlToken& t = tk[i];
    const SqlToken* prev = i > 0 ? &tk[i - 1] : nullptr;
    const SqlToken* next = i + 1 < tk.size() ? &tk[i + 1] : nullptr;
    if (ended_) {
      refuse(t.offset, "a second statement");
      return;
    }
    if (pending_over_) {
      pending_over_ = false;
      if (!t.is_word("OVER")) {
        refuse(t.offset, "a window function needs OVER");
        return;
      }
    }
    if (t.is_word("AS") && frames_.back().cast) frames_.back().cast_as = true;
    if (pending_row_ != std::string::npos) {
      const size_t at = pending_row_;
      pending_row_ = std::string::npos;
      if (!comparison(t, true)) {
        refuse(at, "a row value (a, b) is only compared (SQLite: row value misused)");
        return;
      }
    }
    if (frames_.back().kind == FrameKind::kCall && !t.is_punct(')')) {
      Frame& f = frames_.back();
      if (f.args == 0) {
        f.args = 1;
        if (t.is_punct('*')) f.star = true;
        if (t.is_word("DISTINCT")) f.distinct = true;
      }
    }
    if (t.kind == SqlTokenKind::kPunct) {
      punct(tk, i);
      return;
    }
    if (!is_name_token(t)) {
      int b = frames_.back().block;
      if (t.kind == SqlTokenKind::kNumber && b >= 0 && prev && (prev->is_word("BY") || prev->is_punct(','))) {
        const Block& blk = blocks_[static_cast<size_t>(b)];
        if (blk.in_order && blk.items > 0 && t.text.find_first_not_of("0123456789") == std::string::npos &&
            (t.text.size() > 6 || std::stoi(t.text) < 1 || std::stoi(t.text) > blk.items)) {
          refuse(t.offset, "ORDER BY position " + t.text + " is out of range");
          return;
        }
      }
      if (expect_ == Expect::kTableAlias || expect_ == Expect::kDerivedAlias) finish_alias("", t.offset);
      expect_ = expect_ == Expect::kAfterCte ? Expect::kNone : expect_;
      return;
    }
    const std::string w = name_of(t);
    const bool keyword = t.kind == SqlTokenKind::kWord && keywords().count(w);
    const FrameKind kind = frames_.back().kind;

    switch (expect_) {
      case Expect::kCteName:
        if (w == "recursive") return;
        ctes_.insert(w);
        expect_ = Expect::kCteAfterName;
        return;
      case Expect::kCteAfterName:
        if (kind == FrameKind::kCteColumns) {
          declared_.insert(w);
        } else if (w == "as") {
          expect_ = Expect::kCteBody;
        }
        return;
      case Expect::kTable: {
        if (next && next->is_punct('.')) {  // schema.table: the table comes next
          // SQLite knows only its main and temp schemas here (t2sql attaches none).
          if (sqlite_ && w != "main" && w != "temp") refuse(t.offset, "no schema '" + w + "' in SQLite");
          return;
        }
        expect_ = Expect::kTableAlias;
        if (table_index(w) < 0 && !ctes_.count(w)) {
          refuse(t.offset, "no table '" + w + "' in the schema");
          return;
        }
        int b = current_block();
        if (b >= 0) blocks_[static_cast<size_t>(b)].sources.push_back({w, "", table_index(w)});
        if (ctes_.count(w) && b >= 0) blocks_[static_cast<size_t>(b)].sources.back().table = -1;
        return;
      }
      case Expect::kTableAlias:
      case Expect::kDerivedAlias:
        if (w == "as") return;
        if (!keyword) {
          finish_alias(w, t.offset);
          return;
        }
        finish_alias("", t.offset);
        break;
      case Expect::kAfterCte: expect_ = Expect::kNone; break;
      default: break;
    }

    if (kind == FrameKind::kUsing || kind == FrameKind::kCteColumns) {
      if (kind == FrameKind::kCteColumns) declared_.insert(w);
      return;
    }
    if (kind == FrameKind::kOver && !keyword) {
      static const std::set<std::string> frame_words = {"rows",      "range",     "groups",  "unbounded",
                                                        "preceding", "following", "current", "row",
                                                        "exclude",   "ties",      "others"};
      if (frame_words.count(w)) return;
    }
    if (kind == FrameKind::kExtract && prev && prev->is_punct('(')) return;    // the date part
    if (prev && (prev->is_word("NULLS") || prev->is_word("COLLATE"))) return;  // FIRST / LAST, NOCASE
    if (prev && prev->is_punct('.')) return;                                   // read with its qualifier
    if (keyword && next && next->is_punct('.') && !schema_name(w) && !ctes_.count(w) && !declared_.count(w)) {
      refuse(t.offset, "'" + t.text + "' is a keyword, not a table or alias");
      return;
    }
    if (keyword && !keyword_fits(w, prev, i >= 2 ? &tk[i - 2] : nullptr) && !schema_name(w)) {
      refuse(t.offset, "'" + t.text + "' is a keyword where a name or a value goes (such a name needs quotes)");
      return;
    }
    if (keyword) {
      keyword_step(w, prev, t.offset);
      return;
    }
    // Typed literals: DATE '2024-01-01' (SQLite has none: there the word is
    // a column and the string its output name).
    if (!sqlite_ && next && next->kind == SqlTokenKind::kString && (w == "date" || w == "time" || w == "timestamp")) {
      return;
    }
    if (prev && (prev->is_word("AS") || prev->text == "::")) {
      declared_.insert(w);
      if (prev->is_word("AS") && !frames_.back().cast) outputs_[w].insert(current_block());
      return;
    }
    if (prev && ends_expression(*prev) && !(prev->kind == SqlTokenKind::kWord && lower(prev->text) == "distinct")) {
      // An output name stands only after a result column ("log(x) y)" and
      // "WHERE a b" do not prepare).
      const int b = frames_.back().block;
      if (b < 0 || blocks_[static_cast<size_t>(b)].clause != Clause::kSelect) {
        refuse(t.offset, "'" + t.text + "' after a value, where no alias may stand");
        return;
      }
      if (w.size() > kMaxAlias) refuse(t.offset, "an alias longer than " + std::to_string(kMaxAlias) + " characters");
      declared_.insert(w);  // an alias: "COUNT(*) cnt"
      outputs_[w].insert(current_block());
      return;
    }
    if (next && next->is_punct('(')) {
      if (sqlite_ && !sqlite_functions().count(w)) refuse(t.offset, "no function '" + w + "' in SQLite");
      return;
    }
    Ref r;
    r.offset = t.offset;
    if (next && next->is_punct('.')) {
      r.qualifier = w;
      if (i + 2 < tk.size() && (is_name_token(tk[i + 2]) || tk[i + 2].is_punct('*'))) {
        r.column = tk[i + 2].is_punct('*') ? "*" : name_of(tk[i + 2]);
        // schema.table.column: leave it to the engine, but SQLite knows
        // only its main and temp schemas here (t2sql attaches none).
        if (i + 3 < tk.size() && tk[i + 3].is_punct('.')) {
          if (sqlite_ && w != "main" && w != "temp") refuse(t.offset, "no schema '" + w + "' in SQLite");
          return;
        }
      } else if (i + 2 < tk.size()) {
        return;
      } else {
        r.column = partial_column_;
        r.partial = has_partial_;
        if (!has_partial_) r.column.clear();
        if (has_partial_) partial_used_ = true;
      }
      add_ref(r);
      return;
    }
    r.column = w;
    r.quoted_double = t.kind == SqlTokenKind::kQuotedName && t.text[0] == '"';
    // A word that may yet be followed by "(": a function being written (one
    // that is no name must be).
    if (!next && !complete_ && !has_partial_ && sqlite_functions().count(w)) {
      if (!in_universe(w)) grow_ = {"("};
      return;
    }
    add_ref(r);
  }

  // The grammar reads any word as a name, so it lets a keyword stand where
  // the statement needs a value or a name ("SELECT By By;", "GROUP BY When",
  // "x AS from"), which the engine refuses. A keyword passes after `prev`
  // only where it can open an operand (CASE, NOT, NULL, ...) or where the
  // grammar's own rules put it (SELECT DISTINCT, CASE WHEN, NOT LIKE, "(SELECT",
  // UNION ALL SELECT, IS DISTINCT FROM, FILTER (WHERE ...)).
  bool keyword_fits(const std::string& w, const SqlToken* prev, const SqlToken* prev2) const {
    if (!prev) return true;
    const FrameKind kind = frames_.back().kind;
    if (kind == FrameKind::kOver || kind == FrameKind::kExtract) return true;
    if (prev->is_word("AS")) return frames_.back().cast;  // a type; anything else is an output name
    if (!operand_expected(*prev)) return true;
    if (prev->kind == SqlTokenKind::kWord && schema_name(lower(prev->text))) return true;  // FROM match WHERE
    if (opens_operand(w)) return true;
    if (prev->is_punct('(')) {
      return w == "select" || w == "with" || w == "distinct" || (w == "where" && prev2 && prev2->is_word("FILTER"));
    }
    if (prev->is_word("SELECT")) return w == "distinct" || w == "all";
    if (prev->is_word("ALL")) return w == "select";
    if (prev->is_word("CASE")) return w == "when";
    if (prev->is_word("IS")) return w == "distinct";
    if (prev->is_word("DISTINCT")) return w == "from";
    if (prev->is_word("NOT")) {
      return w == "like" || w == "glob" || w == "regexp" || w == "match" || w == "ilike" || w == "similar" ||
             w == "between" || w == "in" || w == "distinct";
    }
    return false;
  }

  // After `t` the statement needs an operand: a value, a name or a call.
  static bool operand_expected(const SqlToken& t) {
    if (t.kind == SqlTokenKind::kPunct) {
      return t.text != ")" && t.text != "*" && t.text != ";" && t.text != "." && t.text != "::" && t.text != "]";
    }
    if (t.kind != SqlTokenKind::kWord) return false;
    static const std::set<std::string> k = {"select", "distinct", "all",  "where", "by",     "having",
                                            "on",     "and",      "or",   "not",   "when",   "then",
                                            "else",   "case",     "like", "glob",  "regexp", "match",
                                            "ilike",  "between",  "is",   "limit", "offset", "escape"};
    return k.count(lower(t.text)) > 0;
  }

  // Keywords that begin a value (SQLite has no EXTRACT, ARRAY or INTERVAL).
  bool opens_operand(const std::string& w) const {
    static const std::set<std::string> k = {"case", "cast",  "not",          "exists",       "null",
                                            "true", "false", "current_date", "current_time", "current_timestamp"};
    return k.count(w) > 0 || (!sqlite_ && (w == "extract" || w == "array" || w == "interval"));
  }

  // A table or column of the schema (a keyword the schema uses as a name).
  bool schema_name(const std::string& w) const {
    return std::binary_search(all_columns_.begin(), all_columns_.end(), w) || table_index(w) >= 0;
  }

  // `offset`: where the alias stands, or the word or mark after an
  // unaliased table.
  void finish_alias(const std::string& alias, size_t offset) {
    int b = current_block();
    if (expect_ == Expect::kTableAlias) {
      if (b >= 0 && !blocks_[static_cast<size_t>(b)].sources.empty()) {
        Source& s = blocks_[static_cast<size_t>(b)].sources.back();
        if (!alias.empty()) s.alias = alias;
        check_binding(b, s, offset);
      }
    } else if (expect_ == Expect::kDerivedAlias && b >= 0) {
      blocks_[static_cast<size_t>(b)].sources.push_back({alias, alias, -1});
    }
    if (!alias.empty()) declared_alias_.insert(alias);
    expect_ = Expect::kNone;
  }

  void keyword_step(const std::string& w, const SqlToken* prev, size_t offset) {
    int b = frames_.back().block;
    Block* blk = b >= 0 ? &blocks_[static_cast<size_t>(b)] : nullptr;
    if (w == "select") {
      new_block();
    } else if (w == "from") {
      if (frames_.back().kind == FrameKind::kExtract || (prev && prev->is_word("DISTINCT"))) return;
      if (blk) {
        leave_select(b, offset);
        blocks_[static_cast<size_t>(b)].clause = Clause::kFrom;
        expect_ = Expect::kTable;
      }
    } else if (w == "join") {
      if (current_block() >= 0) expect_ = Expect::kTable;
    } else if (w == "using" || w == "natural") {
      if (current_block() >= 0) blocks_[static_cast<size_t>(current_block())].using_join = true;
    } else if (w == "where" || w == "group" || w == "having" || w == "order" || w == "limit" || w == "offset" ||
               w == "window") {
      if (blk) {
        leave_select(b, offset);
        end_from(b);
        Block& k = blocks_[static_cast<size_t>(b)];
        if (w == "order") k.in_order = true;
        k.clause = w == "where"    ? Clause::kWhere
                   : w == "group"  ? Clause::kGroup
                   : w == "having" ? Clause::kHaving
                   : w == "order"  ? Clause::kOrder
                   : w == "window" ? Clause::kOther
                                   : Clause::kLimit;
        if (w == "group") k.has_group = true;
        if (w == "having") {
          k.has_having = true;
          k.having_offset = offset;
        }
      }
    } else if (w == "union" || w == "intersect" || w == "except") {
      if (blk) {
        leave_select(b, offset);
        end_from(b);
      }
    } else if (w == "with") {
      expect_ = Expect::kCteName;
    }
  }

  void punct(const std::vector<SqlToken>& tk, size_t i) {
    const SqlToken& t = tk[i];
    const SqlToken* prev = i > 0 ? &tk[i - 1] : nullptr;
    if (t.is_punct(';')) {
      if (pending_over_) refuse(pending_over_at_, "a window function needs OVER");
      if (pending_row_ != std::string::npos) refuse(pending_row_, "a row value (a, b) is only compared");
      // "SELECT ALL;": the grammar read ALL as a name (a column of that name passes).
      if (prev && prev->kind == SqlTokenKind::kWord && operand_expected(*prev) && !schema_name(lower(prev->text))) {
        refuse(t.offset, "the statement ends where '" + prev->text + "' needs more");
        return;
      }
      while (verdict_.ok && frames_.size() > 1) {
        if (frames_.back().block >= 0) finish_block(frames_.back().block);
        frames_.pop_back();
      }
      if (verdict_.ok && frames_.back().block >= 0) finish_block(frames_.back().block);
      ended_ = true;
      return;
    }
    if (t.is_punct('(')) {
      // SQLite's select statement never begins with "(": not at the start, not
      // as a CTE's body or the main query after the CTEs, not as an EXISTS
      // subquery or a set operation's term ("WITH a AS ((SELECT 1))").
      if (sqlite_) {
        const bool after_set_op =
            prev && (prev->is_word("UNION") || prev->is_word("INTERSECT") || prev->is_word("EXCEPT") ||
                     (prev->is_word("ALL") && i >= 2 && tk[i - 2].is_word("UNION")));
        const bool query_start = !prev || expect_ == Expect::kAfterCte || after_set_op ||
                                 (prev->is_punct('(') && (frames_.back().kind == FrameKind::kCteBody ||
                                                          (i >= 2 && tk[i - 2].is_word("EXISTS"))));
        if (query_start) {
          refuse(t.offset, "SQLite takes no parenthesized query here");
          return;
        }
      }
      FrameKind kind = FrameKind::kOther;
      if (expect_ == Expect::kTable) {
        kind = FrameKind::kDerived;
        expect_ = Expect::kNone;
        // "FROM (a JOIN b ON ...)": a parenthesized join, not a subquery.
        if (i + 1 < tk.size() && !tk[i + 1].is_word("SELECT") && !tk[i + 1].is_word("WITH") &&
            !tk[i + 1].is_punct('(')) {
          kind = FrameKind::kOther;
          expect_ = Expect::kTable;
        }
      } else if (expect_ == Expect::kCteAfterName) {
        kind = FrameKind::kCteColumns;
      } else if (expect_ == Expect::kCteBody) {
        kind = FrameKind::kCteBody;
        expect_ = Expect::kNone;
      } else if (prev && prev->is_word("OVER")) {
        kind = FrameKind::kOver;
      } else if (prev && prev->is_word("EXTRACT")) {
        kind = FrameKind::kExtract;
      } else if (prev && prev->is_word("USING")) {
        kind = FrameKind::kUsing;
      } else if (prev && prev->kind == SqlTokenKind::kWord && !keywords().count(lower(prev->text))) {
        kind = FrameKind::kCall;
      }
      if (expect_ == Expect::kTableAlias || expect_ == Expect::kDerivedAlias) finish_alias("", t.offset);
      Frame f{.kind = kind};
      f.cast = kind == FrameKind::kOther && prev && prev->is_word("CAST");
      if (kind == FrameKind::kOther) {
        f.offset = t.offset;
        f.compared = prev && comparison(*prev);
        bool in = prev && prev->is_word("IN");
        bool row_value = in && i >= 2 &&
                         (tk[i - 2].is_punct(')') || (tk[i - 2].is_word("NOT") && i >= 3 && tk[i - 3].is_punct(')')));
        f.scalar = !(prev && prev->is_word("EXISTS")) && !row_value && (in || !prev || !prev->is_punct('('));
        // "(SELECT ...)" as the first term of a statement or a set operation is not a subquery.
        if (!prev || prev->is_word("UNION") || prev->is_word("INTERSECT") || prev->is_word("EXCEPT") ||
            prev->is_word("ALL") || prev->is_word("AS")) {
          f.scalar = false;
        }
      }
      if (kind == FrameKind::kCall) {
        f.function = lower(prev->text);
        f.offset = prev->offset;
        int b = current_block();
        Clause clause = b >= 0 ? blocks_[static_cast<size_t>(b)].clause : Clause::kOther;
        for (size_t k = frames_.size(); k-- > 0 && frames_[k].block < 0;) {
          if (frames_[k].kind == FrameKind::kCall &&
              (frames_[k].in_aggregate || plain_aggregate(frames_[k].function))) {
            f.in_aggregate = true;
          }
        }
        if (sqlite_ && plain_aggregate(f.function) &&
            (f.in_aggregate || clause == Clause::kWhere || clause == Clause::kGroup || clause == Clause::kFrom)) {
          refuse(prev->offset, "aggregate " + f.function + "() is not allowed here");
        }
      }
      frames_.push_back(f);
      if (frames_.size() > kMaxDepth + 1) refuse(t.offset, "nesting deeper than " + std::to_string(kMaxDepth));
      size_t run = 1;
      while (run <= i && tk[i - run].is_punct('(')) ++run;
      if (run > kMaxParenRun) refuse(t.offset, "more than " + std::to_string(kMaxParenRun) + " '(' in a row");
      return;
    }
    if (t.is_punct(')')) {
      if (expect_ == Expect::kTableAlias || expect_ == Expect::kDerivedAlias) finish_alias("", t.offset);
      if (frames_.size() <= 1) {
        refuse(t.offset, "')' closes nothing");
        return;
      }
      Frame f = frames_.back();
      if (f.block >= 0) finish_block(f.block);
      frames_.pop_back();
      if (f.kind == FrameKind::kCall) close_call(f, t.offset);
      if (f.cast && !f.cast_as) refuse(t.offset, "CAST needs AS and a type");
      // A row value: SQLite takes it only beside a comparison or IN.
      if (f.kind == FrameKind::kOther && f.block < 0 && f.args > 0 && !f.compared) pending_row_ = f.offset;
      if (f.kind == FrameKind::kDerived) expect_ = Expect::kDerivedAlias;
      if (f.kind == FrameKind::kCteColumns) expect_ = Expect::kCteAfterName;
      if (f.kind == FrameKind::kCteBody) expect_ = Expect::kAfterCte;
      return;
    }
    if (t.is_punct(',')) {
      if (expect_ == Expect::kTableAlias || expect_ == Expect::kDerivedAlias) {
        finish_alias("", t.offset);
        expect_ = Expect::kTable;  // FROM a, b
        return;
      }
      if (expect_ == Expect::kAfterCte) {
        expect_ = Expect::kCteName;
        return;
      }
      if (frames_.back().kind == FrameKind::kCall) {
        Frame& f = frames_.back();
        ++f.args;
        auto arity = sqlite_arity().find(f.function);
        if (sqlite_ && arity != sqlite_arity().end() && arity->second.max >= 0 && f.args > arity->second.max) {
          refuse(t.offset, f.function + "() takes at most " + std::to_string(arity->second.max) + " arguments");
        }
        return;
      }
      if (frames_.back().kind == FrameKind::kOther && frames_.back().block < 0 && !frames_.back().cast &&
          !(current_block() >= 0 && in_from_list(current_block()))) {
        ++frames_.back().args;  // "(a, b": a row value
      }
      int b = frames_.back().block;
      if (b >= 0 && blocks_[static_cast<size_t>(b)].clause == Clause::kSelect &&
          blocks_[static_cast<size_t>(b)].items > 0) {
        ++blocks_[static_cast<size_t>(b)].items;
      }
      // "FROM a AS x, b": the FROM clause of this level goes on.
      if (b >= 0 && in_from_list(b)) expect_ = Expect::kTable;
      return;
    }
    if (t.is_punct('*')) {
      int b = frames_.back().block;
      bool item_start = prev && (prev->is_word("SELECT") || prev->is_word("DISTINCT") || prev->is_word("ALL") ||
                                 prev->is_punct(',') || prev->is_punct('.'));
      if (b >= 0 && item_start && blocks_[static_cast<size_t>(b)].clause == Clause::kSelect) {
        blocks_[static_cast<size_t>(b)].items = -1;
        if (!prev->is_punct('.')) blocks_[static_cast<size_t>(b)].bare_star = t.offset;
      }
    }
    if (expect_ == Expect::kTableAlias || expect_ == Expect::kDerivedAlias) {
      if (!t.is_punct('.')) finish_alias("", t.offset);
    }
  }

  // Where a row value may stand: after a comparison, IN or IS, and before
  // one of those, NOT (IN) or BETWEEN (`after`).
  static bool comparison(const SqlToken& t, bool after = false) {
    static const std::set<std::string> ops = {"=", "==", "<", "<=", ">", ">=", "!=", "<>"};
    return (t.kind == SqlTokenKind::kPunct && ops.count(t.text)) || t.is_word("IN") || t.is_word("IS") ||
           (after && (t.is_word("NOT") || t.is_word("BETWEEN")));
  }

  // A function call's closing parenthesis: its arguments and its place.
  void close_call(const Frame& f, size_t offset) {
    if (!sqlite_) return;
    auto arity = sqlite_arity().find(f.function);
    int n = f.star ? 0 : f.args;
    if (f.star && f.function != "count") {
      refuse(offset, f.function + "(*) is not a call SQLite accepts");
    } else if (arity != sqlite_arity().end() && (n < arity->second.min)) {
      refuse(offset, f.function + "() takes at least " + std::to_string(arity->second.min) + " arguments");
    } else if (arity != sqlite_arity().end() && arity->second.max >= 0 && n > arity->second.max) {
      refuse(offset, f.function + "() takes at most " + std::to_string(arity->second.max) + " arguments");
    } else if (f.distinct && f.args != 1) {
      refuse(offset, "DISTINCT takes exactly one argument");
    }
    bool aggregate = plain_aggregate(f.function) || ((f.function == "min" || f.function == "max") && n == 1);
    int b = current_block();
    if (aggregate && b >= 0) {
      Block& blk = blocks_[static_cast<size_t>(b)];
      bool misplaced = f.in_aggregate || f.inner_aggregate || blk.clause == Clause::kWhere ||
                       blk.clause == Clause::kGroup || blk.clause == Clause::kFrom;
      if (misplaced) refuse(f.offset, "aggregate " + f.function + "() is not allowed here");
      blk.has_aggregate = true;
      // An aggregate of an aggregate is refused when the outer one closes.
      for (size_t k = frames_.size(); k-- > 0 && frames_[k].block < 0;) {
        if (frames_[k].kind == FrameKind::kCall) frames_[k].inner_aggregate = true;
      }
    }
    if (window_only(f.function)) {
      pending_over_ = true;
      pending_over_at_ = f.offset;
    }
  }

  // After "FROM" and before the clause that ends it.
  bool in_from_list(int b) const {
    const Block& blk = blocks_[static_cast<size_t>(b)];
    return !blk.from_done && !blk.sources.empty();
  }

  void check_partial(const std::vector<SqlToken>& tk, const SqlToken& p) {
    const std::string w = name_of(p);
    if (p.kind == SqlTokenKind::kWord) partial_word_ = w;
    const SqlToken* prev = tk.empty() ? nullptr : &tk.back();
    if (partial_used_) return;
    switch (expect_) {
      case Expect::kCteName:
      case Expect::kTableAlias:
      case Expect::kDerivedAlias:
      case Expect::kCteAfterName: return;
      case Expect::kTable: {
        bool ok = any_has_prefix(ctes_, w);
        for (const auto& t : tables_) ok = ok || has_prefix(lower(t.name), w);
        if (!ok) refuse(p.offset, "no table starting '" + w + "' in the schema");
        return;
      }
      default: break;
    }
    if (w.size() > kMaxAlias && (prev && (prev->is_word("AS") || ends_expression(*prev)))) {
      refuse(p.offset, "an alias longer than " + std::to_string(kMaxAlias) + " characters");
      return;
    }
    if (prev && (prev->is_word("AS") || prev->text == "::")) return;
    if (prev && prev->is_punct('.')) return;  // handled with its qualifier
    const SqlToken* prev2 = tk.size() >= 2 ? &tk[tk.size() - 2] : nullptr;
    // A star of the select list ("x.*", "SELECT *") takes no alias.
    const bool after_star = prev && prev->is_punct('*') &&
                            (!prev2 || prev2->is_punct('.') || prev2->is_punct(',') || prev2->is_word("SELECT") ||
                             prev2->is_word("DISTINCT") || prev2->is_word("ALL"));
    if (after_star || (prev && ends_expression(*prev))) {
      // An alias, or a keyword after an expression; after an alias ("SELECT
      // city c Fr") or a star, only a keyword, and what it needs counts (grow_).
      const bool after_alias = (prev->kind == SqlTokenKind::kWord || prev->kind == SqlTokenKind::kQuotedName) &&
                               !keywords().count(lower(prev->text)) && prev2 &&
                               (prev2->is_word("AS") || ends_expression(*prev2));
      if (!(after_alias || after_star) || p.kind == SqlTokenKind::kNumber) return;
      // Not one that begins or ends an operand, or goes right after a call.
      static const std::set<std::string> operand = {
          "true",   "false", "null", "current_date", "current_time", "current_timestamp", "case", "not",
          "exists", "cast",  "end",  "filter",       "over",         "distinct",          "all"};
      std::vector<std::string> grow;
      bool whole = false;
      for (const auto& k : keywords()) {
        if (!has_prefix(k, w) || operand.count(k) || !keyword_fits(k, prev, prev2)) continue;
        if (after_star && k != "from" && !ends_from_clause(k)) continue;  // no operator, no alias
        if (!follows_alias(k)) continue;                                  // not WHEN, WITH, AND, ...
        if (k == w)
          whole = true;
        else
          grow.push_back(k.substr(p.text.size()) + " ");
      }
      if (!whole && grow.empty()) {
        refuse(p.offset, "no keyword starting '" + w + "' follows " + (after_star ? "a star" : "an alias"));
        return;
      }
      (whole ? longer_ : grow_) = std::move(grow);
      whole_keyword_ = whole;
      return;
    }
    if (p.kind == SqlTokenKind::kNumber) return;
    // "FROM ( stores": the first word of a parenthesized join is a table.
    if (frames_.back().kind == FrameKind::kDerived && prev && prev->is_punct('(') &&
        std::any_of(tables_.begin(), tables_.end(),
                    [&](const GrammarTable& t) { return has_prefix(lower(t.name), w); })) {
      return;
    }
    if (frames_.back().kind != FrameKind::kOther && frames_.back().kind != FrameKind::kTop &&
        frames_.back().kind != FrameKind::kCall && frames_.back().kind != FrameKind::kQuery &&
        frames_.back().kind != FrameKind::kDerived && frames_.back().kind != FrameKind::kCteBody) {
      return;
    }
    // A name of the schema or the statement being written: it may stand as
    // a name once whole, at no more steps than now.
    if (universe_has_prefix(w)) {
      auto it = std::lower_bound(all_columns_.begin(), all_columns_.end(), w);
      partial_column_name_ = it != all_columns_.end() && has_prefix(*it, w);
      return;
    }
    // Otherwise the word must grow into something else, and what that costs
    // counts towards the end (grow_): a keyword, a function and its "(", a
    // table, CTE or alias as a column's qualifier, or a word shaped like an
    // alias ("T1", "s", "t2") as the qualifier of a column before the FROM
    // clause that declares it ("SELECT T1.name FROM singer AS T1").
    std::vector<std::string> grow;
    const size_t have = p.text.size();
    int b = current_block();
    if (b >= 0 && !blocks_[static_cast<size_t>(b)].from_done && alias_shaped(w)) grow.push_back(".x");
    bool whole = false;  // a whole keyword: the distance to the end counts what it needs
    for (const auto& k : keywords()) {
      if (!has_prefix(k, w) || !keyword_fits(k, prev, prev2)) continue;
      if (k == w)
        whole = true;
      else
        grow.push_back(k.substr(have) + " ");
    }
    for (const auto& f : sqlite_functions()) {
      if (has_prefix(f, w)) grow.push_back(f.substr(have) + "(");
    }
    for (const auto& t : tables_) {
      if (has_prefix(lower(t.name), w)) grow.push_back(lower(t.name).substr(have) + ".x");
    }
    for (const auto* names : {&ctes_, &declared_alias_}) {  // a CTE or an alias qualifies a column
      for (const auto& n : *names) {
        if (has_prefix(n, w)) grow.push_back(n.substr(have) + ".x");
      }
    }
    if (whole) {
      longer_ = std::move(grow);
      whole_keyword_ = true;
      return;
    }
    if (!grow.empty()) {
      grow_ = std::move(grow);
      return;
    }
    if (!sqlite_) return;  // a function of the server's long list
    refuse(p.offset, "no name starting '" + w + "' in the schema or the statement");
  }

 public:
  // What the statement's last word must still become when it cannot stand
  // as written (text to append to the statement; empty when it can).
  const std::vector<std::string>& grow() const { return grow_; }

  // The last word is a whole keyword where one fits (it stands as written,
  // if what the keyword does is allowed: check_text tries it), and what else
  // it may still become (text to append, as grow()).
  bool whole_keyword() const { return whole_keyword_; }

  // The query being written still has names its FROM clause must declare
  // (it has begun none, or is being written).
  bool names_wait_for_from() const {
    const int b = current_block();
    return b >= 0 && !blocks_[static_cast<size_t>(b)].from_done && !blocks_[static_cast<size_t>(b)].pending.empty();
  }
  const std::vector<std::string>& longer() const { return longer_; }

  // Items the statement's shape does not show that it still needs: "FROM t"
  // for each open query still in its select list that names a column of the
  // schema bare (one naming a qualifier is counted by sql_end_distance).
  int needs() const {
    int n = 0;
    for (const Frame& f : frames_) {
      if (f.block < 0) continue;
      const int b = f.block;
      const Block& blk = blocks_[static_cast<size_t>(b)];
      if (blk.clause != Clause::kSelect) continue;
      if (b == current_block() && !partial_word_.empty() && has_prefix("from", partial_word_))
        continue;  // being written
      bool bare = b == current_block() && partial_column_name_, qualified = false;
      for (const Ref& r : blk.pending) {
        qualified = qualified || !r.qualifier.empty();
        bare = bare || (r.qualifier.empty() && r.column != "*" && !(r.quoted_double && sqlite_) &&
                        (std::binary_search(all_columns_.begin(), all_columns_.end(), r.column) || rowid(r.column)) &&
                        !own_output(b, r.column));
      }
      if (bare && !qualified) n += 2;
    }
    if (pending_row_ != std::string::npos) n += 2;  // "= (1, 1)"
    return n + alias_misfit();
  }

  // The alias the last table of the FROM clause being written may take: the
  // first qualifier used before it that nothing declares and whose columns
  // the table has, or the rest of it when the word being written there
  // begins it.
  std::string alias_rest() const {
    const int b = current_block();
    if (b < 0 || expect_ != Expect::kTableAlias || !ctes_.empty()) return "";
    const Block& blk = blocks_[static_cast<size_t>(b)];
    if (blk.from_done || blk.sources.empty() || blk.sources.back().table < 0) return "";
    const int t = blk.sources.back().table;
    for (const Ref& r : blk.pending) {
      const std::string& q = r.qualifier;
      if (!undeclared(b, q) || table_index(q) >= 0 || !holds(b, t, q)) continue;
      if (partial_word_.empty()) return q;
      if (q.size() > partial_word_.size() && has_prefix(q, partial_word_)) return q.substr(partial_word_.size());
    }
    return "";
  }

  // sql_end_distance lets the table just written in a FROM clause (or
  // being written) take the first undeclared qualifier as its alias (one
  // step). When that table lacks a column used with it ("SELECT q.month ...
  // FROM stores"), the alias would be refused: the qualifier needs a source
  // of its own (", t q": two steps more). Without this the budget, holding
  // the distance where it stands, would refuse every way on.
  int alias_misfit() const {
    const int b = current_block();
    const bool table_written = expect_ == Expect::kTable && !partial_word_.empty();
    if (b < 0 || (expect_ != Expect::kTableAlias && !table_written) || !ctes_.empty()) return 0;
    const Block& blk = blocks_[static_cast<size_t>(b)];
    if (blk.from_done) return 0;
    std::string q;
    for (const Ref& r : blk.pending) {
      if (undeclared(b, r.qualifier)) {
        q = r.qualifier;
        break;
      }
    }
    if (q.empty() || table_index(q) >= 0) return 0;  // a table's own name is no alias's
    if (table_written) {                             // some table of that name may still hold them
      for (size_t t = 0; t < tables_.size(); ++t) {
        if (has_prefix(lower(tables_[t].name), partial_word_) && holds(b, static_cast<int>(t), q)) return 0;
      }
      return 2;
    }
    if (blk.sources.empty() || blk.sources.back().table < 0) return 0;
    const int t = blk.sources.back().table;
    // sql_end_distance gave q the alias shortcut when no alias is being
    // written, counted q declared when q is; another word being written took
    // the shortcut and left q its own source (right).
    if (!holds(b, t, q)) return partial_word_.empty() ? 2 : partial_word_ == q ? 3 : 0;
    // An alias being written on its way to a qualifier the table can take
    // ("FROM singer AS T" for T1): sql_end_distance counted the word as an
    // alias of its own and the qualifier as needing a source (", t T1"), but
    // finishing the word is all it needs.
    if (partial_word_.empty() || partial_word_ == q) return 0;
    for (const Ref& r : blk.pending) {
      const std::string& q2 = r.qualifier;
      if (q2.size() > partial_word_.size() && has_prefix(q2, partial_word_) && undeclared(b, q2) &&
          table_index(q2) < 0 && holds(b, t, q2)) {
        return -3;
      }
    }
    return 0;
  }

  void set_partial(const std::string& column, bool has, bool complete) {
    partial_column_ = column;
    has_partial_ = has;
    complete_ = complete;
  }

 private:
  const std::vector<GrammarTable>& tables_;
  const std::vector<std::string>& all_columns_;
  bool sqlite_;
  bool collecting_;  // the first pass: gather names, refuse nothing
  std::set<std::string> declared_, ctes_, declared_alias_;
  std::map<std::string, std::set<int>> outputs_;  // output name -> the query blocks that declare it
  std::vector<Frame> frames_;
  std::vector<Block> blocks_;
  Expect expect_ = Expect::kNone;
  bool ended_ = false;
  size_t pending_row_ = std::string::npos;  // a row value closed here waits for its comparison
  bool pending_over_ = false;               // a window function's ")": OVER must follow
  size_t pending_over_at_ = 0;
  bool has_partial_ = false, partial_used_ = false, complete_ = false;
  std::vector<std::string> grow_;
  bool whole_keyword_ = false;
  std::vector<std::string> longer_;
  std::string partial_word_;          // the last word, still growing (check_partial)
  bool partial_column_name_ = false;  // ... and a column of the schema being written
  std::string partial_column_;
  ScopeVerdict verdict_;
};

}  // namespace

SqlScopeChecker::SqlScopeChecker(std::vector<GrammarTable> tables, std::string dialect)
    : tables_(std::move(tables)), dialect_(std::move(dialect)) {
  static std::atomic<uint64_t> next_id{1};
  id_ = next_id++;
  for (const auto& t : tables_) {
    for (const auto& c : t.columns) all_columns_.push_back(lower(c));
    table_names_.push_back(lower(t.name));
  }
  std::sort(all_columns_.begin(), all_columns_.end());
  all_columns_.erase(std::unique(all_columns_.begin(), all_columns_.end()), all_columns_.end());
  shortest_columns_ = shortest_few(all_columns_);
  shortest_tables_ = shortest_few(table_names_);
}

// The grammar reads operators and operands flat, so some words pass it
// anywhere that SQL allows them in one place only:
// - after SELECT [DISTINCT | ALL] a result column follows ("SELECT ALL )"
//   reads ALL as a name);
// - after EXISTS a "(" follows; after TRUE, FALSE, NULL, CURRENT_DATE ... none;
// - ESCAPE follows the pattern of a LIKE (the nearest operator before it,
//   at its depth, is LIKE: "x LIKE 'a' || y ESCAPE '!'"), never another.
// A word the schema uses as a name is left to the walk. `whole`: how many
// tokens are complete (the last word may still grow).
ScopeVerdict SqlScopeChecker::check_keyword_places(const std::vector<SqlToken>& tk, size_t whole, bool complete) const {
  auto keyword = [&](size_t i, const char* k) {
    return i < whole && tk[i].is_word(k) && !(i > 0 && tk[i - 1].is_punct('.')) && !schema_word(tk[i].text);
  };
  for (size_t i = 0; i < whole; ++i) {
    if (keyword(i, "SELECT") && i + 1 < tk.size() && (keyword(i + 1, "DISTINCT") || keyword(i + 1, "ALL"))) {
      if (i + 2 == tk.size()) {
        if (complete) return refused(tk[i + 1].offset, "no result column after " + tk[i + 1].text);
        continue;
      }
      const SqlToken& n = tk[i + 2];
      static const std::set<std::string> ends = {"from",  "where",  "group",     "having", "order",  "limit",
                                                 "union", "except", "intersect", "window", "offset", "select"};
      const bool punct_end = n.kind == SqlTokenKind::kPunct && (n.is_punct(')') || n.is_punct(',') || n.is_punct(';'));
      const bool word_end =
          n.kind == SqlTokenKind::kWord && i + 2 < whole && ends.count(lower(n.text)) && !schema_word(n.text);
      if (punct_end || word_end) return refused(n.offset, "no result column after " + tk[i + 1].text);
    }
    if (i + 1 < tk.size() && tk[i + 1].is_punct('(') &&
        (keyword(i, "TRUE") || keyword(i, "FALSE") || keyword(i, "NULL") || keyword(i, "CURRENT_DATE") ||
         keyword(i, "CURRENT_TIME") || keyword(i, "CURRENT_TIMESTAMP"))) {
      return refused(tk[i].offset, tk[i].text + " is a value, not a function");
    }
    // An operand follows: a value, a name, "(" or a sign, never an operator
    // or the end of a list ("NOT*x" reads NOT as a name).
    if (i + 1 < tk.size() && tk[i + 1].kind == SqlTokenKind::kPunct && !tk[i + 1].is_punct('(') &&
        tk[i + 1].text != "-" && tk[i + 1].text != "+" && tk[i + 1].text != "~") {
      static const char* const operand_before[] = {"NOT",  "AND",  "OR",   "WHERE", "HAVING", "ON",      "WHEN",
                                                   "THEN", "ELSE", "LIKE", "GLOB",  "REGEXP", "BETWEEN", "ESCAPE"};
      for (const char* k : operand_before) {
        if (keyword(i, k)) return refused(tk[i + 1].offset, "a value must follow " + tk[i].text);
      }
      // A result column follows, or the "*" of every column.
      if (!tk[i + 1].is_punct('*') && (keyword(i, "SELECT") || keyword(i, "DISTINCT") || keyword(i, "ALL"))) {
        return refused(tk[i + 1].offset, "a result column must follow " + tk[i].text);
      }
    }
    if (keyword(i, "CAST") && i + 1 < tk.size() && !tk[i + 1].is_punct('(')) {
      return refused(tk[i + 1].offset, "CAST needs its \"(\"");
    }
    if (keyword(i, "EXISTS")) {
      if (i + 1 < tk.size() && !tk[i + 1].is_punct('(')) return refused(tk[i + 1].offset, "EXISTS needs a subquery");
      if (i + 2 < tk.size() && !tk[i + 2].is_word("SELECT") && !tk[i + 2].is_word("WITH") && !tk[i + 2].is_punct('(') &&
          !(tk[i + 2].kind == SqlTokenKind::kWord && i + 2 + 1 == tk.size() && !complete &&
            (has_prefix("select", lower(tk[i + 2].text)) || has_prefix("with", lower(tk[i + 2].text))))) {
        return refused(tk[i + 2].offset, "EXISTS needs a subquery");
      }
      if (i + 1 == tk.size() && complete) return refused(tk[i].offset, "EXISTS needs a subquery");
    }
    if (keyword(i, "ESCAPE")) {
      int depth = 0;
      bool like = false;
      for (size_t j = i; j-- > 0;) {
        const SqlToken& p = tk[j];
        if (p.is_punct(')')) ++depth;
        if (p.is_punct('(')) {
          if (depth == 0) break;
          --depth;
        }
        if (depth > 0) continue;
        if (p.kind == SqlTokenKind::kPunct &&
            (p.text == "," || p.text == "=" || p.text == "==" || p.text == "!=" || p.text == "<>" || p.text == "<" ||
             p.text == ">" || p.text == "<=" || p.text == ">=")) {
          break;
        }
        if (p.kind != SqlTokenKind::kWord || (j > 0 && tk[j - 1].is_punct('.'))) continue;
        const std::string w = lower(p.text);
        if (w == "like" || (!sqlite_dialect() && (w == "ilike" || w == "similar"))) {
          like = true;
          break;
        }
        if (keywords().count(w) && w != "to" && !schema_word(p.text)) break;  // another operator or a clause
      }
      if (!like) return refused(tk[i].offset, "ESCAPE without LIKE");
    }
  }
  return {};
}

bool SqlScopeChecker::schema_word(const std::string& word) const {
  const std::string w = lower(word);
  return std::binary_search(all_columns_.begin(), all_columns_.end(), w) ||
         std::find(table_names_.begin(), table_names_.end(), w) != table_names_.end();
}

bool SqlScopeChecker::sqlite_dialect() const {
  return dialect_ != "duckdb" && dialect_ != "postgresql" && dialect_ != "postgres" && dialect_ != "clickhouse";
}

ScopeVerdict SqlScopeChecker::check(std::string_view text, bool complete) const {
  // Decoding asks about one text several times in a row (accept_text, then
  // steps_to_end, which reads it as growing and as complete): each thread
  // keeps its last verdict of each kind.
  struct Last {
    uint64_t checker = 0;
    std::string text;
    ScopeVerdict verdict;
  };
  thread_local Last last[2];
  Last& l = last[complete ? 1 : 0];
  if (l.checker == id_ && l.text == text) return l.verdict;
  ScopeVerdict v = check_text(text, complete);
  l = {id_, std::string(text), v};
  return v;
}

ScopeVerdict SqlScopeChecker::check_text(std::string_view text, bool complete) const {
  // ClickHouse reads backslash escapes in quotes; the others as SQLite does here.
  SqlLexResult lexed =
      lex_sql(text, dialect_ == "clickhouse" ? Dialect::Engine::kClickHouse : Dialect::Engine::kSqlite);
  std::vector<SqlToken>& tk = lexed.tokens;
  if (!lexed.error.empty()) {
    size_t at = lexed.error.rfind(' ');
    size_t open = at == std::string::npos ? 0 : std::stoul(lexed.error.substr(at + 1));
    if (complete || lexed.error.find("comment") != std::string::npos) return refused(open, lexed.error);
    // An open string or quoted name is still being written: a quoted name
    // must be on its way to a name of the schema (an output name in quotes
    // follows AS, where any name goes); a string is bounded.
    if (lexed.error.find("quoted name") != std::string::npos) {
      std::string so_far = lower(text.substr(open + 1));
      bool after_as = !tk.empty() && tk.back().is_word("AS");
      bool ok = after_as || std::any_of(all_columns_.begin(), all_columns_.end(),
                                        [&](const std::string& c) { return has_prefix(c, so_far); });
      const bool after_dot = !tk.empty() && tk.back().is_punct('.');  // t."col: a column
      for (const auto& t : tables_) ok = ok || (!after_dot && has_prefix(lower(t.name), so_far));
      // SQLite reads "x" as a string where no column has that name ("WHERE
      // language = "English"", as Spider's gold writes it): bounded as one.
      const bool table_place = !tk.empty() && (tk.back().is_word("FROM") || tk.back().is_word("JOIN"));
      const bool sqlite_string = !ok && sqlite_dialect() && text[open] == '"' && !after_dot && !table_place;
      if (sqlite_string) {
        if (text.size() - open > kMaxOpenString) {
          return refused(open, "a string longer than " + std::to_string(kMaxOpenString) + " characters");
        }
      } else if (so_far.size() > kMaxAlias) {
        return refused(open, "a name longer than " + std::to_string(kMaxAlias) + " characters");
      } else if (!ok) {
        return refused(open, "no name starting '" + so_far + "' in the schema");
      }
    } else if (text.size() - open > kMaxOpenString) {
      return refused(open, "a string longer than " + std::to_string(kMaxOpenString) + " characters");
    }
  }
  // No name of a schema is that long; a free one (a CTE, an alias) is bounded
  // so that a weak model cannot stay inside it until the token limit.
  for (const auto& t : tk) {
    if (is_name_token(t) && name_of(t).size() > kMaxAlias) {
      return refused(t.offset, "a name longer than " + std::to_string(kMaxAlias) + " characters");
    }
    if (t.kind == SqlTokenKind::kQuotedName && name_of(t).empty()) return refused(t.offset, "an empty quoted name");
  }
  // SQLite has OFFSET only after LIMIT (of the same query).
  if (dialect_ != "duckdb" && dialect_ != "postgresql" && dialect_ != "postgres") {
    std::vector<bool> limit{false};
    for (size_t i = 0; i < tk.size(); ++i) {
      if (tk[i].is_punct('(')) limit.push_back(false);
      if (tk[i].is_punct(')') && limit.size() > 1) limit.pop_back();
      if (tk[i].is_word("LIMIT")) limit.back() = true;
      if (tk[i].is_word("OFFSET") && !limit.back() && i > 0 && !tk[i - 1].is_punct('.') && !tk[i - 1].is_punct(',') &&
          !tk[i - 1].is_word("SELECT")) {
        return refused(tk[i].offset, "OFFSET without LIMIT");
      }
    }
  }
  // Words the grammar reads flat, each of which SQL allows in one place only.
  const size_t whole_tokens = complete || tk.empty() || tk.back().offset + tk.back().text.size() < text.size()
                                  ? tk.size()
                                  : tk.size() - 1;  // the last word may still grow
  if (ScopeVerdict v = check_keyword_places(tk, whole_tokens, complete); !v.ok) return v;
  // SQLite parses the REGEXP and MATCH operators but has no function behind
  // them unless an application adds one (t2sql does not): such a statement
  // never prepares. (A schema with a table or column of that name keeps it.)
  if (dialect_ != "duckdb" && dialect_ != "postgresql" && dialect_ != "postgres") {
    const size_t whole = complete || tk.empty() || tk.back().offset + tk.back().text.size() < text.size()
                             ? tk.size()
                             : tk.size() - 1;  // the last word may still grow
    for (size_t i = 0; i < whole; ++i) {
      const bool op = tk[i].kind == SqlTokenKind::kWord && (tk[i].is_word("REGEXP") || tk[i].is_word("MATCH"));
      if (op && !std::binary_search(all_columns_.begin(), all_columns_.end(), lower(tk[i].text)) &&
          std::none_of(tables_.begin(), tables_.end(),
                       [&](const GrammarTable& t) { return lower(t.name) == lower(tk[i].text); })) {
        return refused(tk[i].offset, "SQLite has no " + tk[i].text + " function");
      }
    }
  }
  // Comments: the grammar has none; the lexer drops them silently.
  size_t end = 0;
  for (const auto& t : tk) {
    for (size_t i = end; i < t.offset; ++i) {
      if (!std::isspace(static_cast<unsigned char>(text[i]))) return refused(i, "a comment");
    }
    end = t.offset + t.text.size();
  }
  if (lexed.error.empty()) {
    for (size_t i = end; i < text.size(); ++i) {
      if (!std::isspace(static_cast<unsigned char>(text[i]))) return refused(i, "a comment");
    }
  }
  // The last word may still grow.
  const SqlToken* partial = nullptr;
  SqlToken last;
  if (!complete && lexed.error.empty() && !tk.empty() && tk.back().offset + tk.back().text.size() == text.size() &&
      (tk.back().kind == SqlTokenKind::kWord || tk.back().kind == SqlTokenKind::kNumber)) {
    last = tk.back();
    tk.pop_back();
    partial = &last;
  }
  const bool sqlite =
      dialect_ != "duckdb" && dialect_ != "postgresql" && dialect_ != "postgres" && dialect_ != "clickhouse";
  // First pass: the names the statement declares, wherever they are.
  Walk collect(tables_, all_columns_, sqlite, {}, {}, {}, true);
  collect.set_partial("", false, true);
  (void)collect.run(tk, nullptr, false);
  Walk walk(tables_, all_columns_, sqlite, collect.declared(), collect.ctes(), collect.outputs(), false);
  walk.set_partial(partial ? name_of(*partial) : "", partial != nullptr, complete);
  ScopeVerdict v = walk.run(tk, partial, complete);
  if (v.ok && !complete) {
    v.grow = walk.grow();
    v.needs = walk.needs();
    v.alias_rest = walk.alias_rest();
  }
  // A last word that is a whole keyword stands only if what the keyword
  // does is allowed ("SELECT x.a EXCEPT" ends a query whose qualifier no
  // FROM clause declared); else only as a longer word, or not at all.
  if (v.ok && !complete && walk.whole_keyword()) {
    ScopeVerdict as_written = check_text(std::string(text) + " ", false);
    if (!as_written.ok) {
      if (walk.longer().empty()) return refused(partial->offset, partial->text + " here: " + as_written.message);
      v.grow = walk.longer();
    }
  }
  // Likewise a word on its way to a keyword ("SELECT x.* UNIO", "... ORD"),
  // while the query has names that only its FROM clause can declare: each
  // such keyword must be allowed once whole (most end the FROM clause).
  if (v.ok && !complete && !v.grow.empty() && walk.names_wait_for_from()) {
    std::vector<std::string> kept;
    std::string last_reason;
    for (const std::string& g : v.grow) {
      if (g.back() == ' ') {  // a keyword
        ScopeVerdict whole = check_text(std::string(text) + g, false);
        if (!whole.ok) {
          last_reason = whole.message;
          continue;
        }
      }
      kept.push_back(g);
    }
    if (kept.empty()) return refused(partial->offset, partial->text + " here: " + last_reason);
    v.grow = std::move(kept);
  }
  return v;
}

int SqlScopeChecker::steps_to_end(std::string_view text) const {
  const Dialect::Engine engine = dialect_ == "clickhouse" ? Dialect::Engine::kClickHouse : Dialect::Engine::kSqlite;
  const int steps = sql_end_distance(text, table_names_, engine);
  if (steps < 0) return steps;
  // A last word that cannot stand as written (a keyword, a function or a
  // qualifier being written, a function without its "("): its cheapest
  // completion counts, or the budget would let a model write a word it can
  // no longer afford to finish ("SELECT Gv55" only goes on as "Gv55.col",
  // and that needs a FROM clause declaring Gv55).
  ScopeVerdict now = check(text, false);
  if (!now.grow.empty()) {
    int best = std::numeric_limits<int>::max();
    for (const std::string& g : now.grow) {
      int d = sql_end_distance(std::string(text) + g, table_names_, engine);
      // ".x" stands for the column a qualifier needs: one item still to write.
      if (d >= 0 && g.ends_with(".x")) ++d;
      if (d >= 0) best = std::min(best, d);
    }
    return std::max({steps, best == std::numeric_limits<int>::max() ? steps + 1 : best, 1}) + now.needs;
  }
  if (now.needs != 0) return std::max(0, steps + now.needs);
  // Shaped to end, but not a statement the checker takes (a name not yet
  // complete, a qualifier no source declares): one more step at least.
  if (steps == 0 && !check(text, true).ok) return 1;
  return steps;
}

std::vector<std::string> SqlScopeChecker::continuations(std::string_view text) const {
  ScopeVerdict now = check(text, false);
  std::vector<std::string> out;
  if (!now.ok) return out;
  for (const std::string& g : now.grow) {
    // ".x" stands for any column: the "." and what precedes it lead on.
    const size_t x = g.find(".x");
    out.push_back(x == std::string::npos ? g : g.substr(0, x + 1));
  }
  // After white space (a whole alias) or the alias's first letters.
  if (!now.alias_rest.empty()) out.push_back(now.alias_rest);
  // A name of the schema being written: the rest of the shortest names it
  // begins (the checker still decides which of them fit here).
  size_t start = text.size();
  while (start > 0 && (std::isalnum(static_cast<unsigned char>(text[start - 1])) || text[start - 1] == '_')) --start;
  if (start < text.size() && !std::isdigit(static_cast<unsigned char>(text[start]))) {
    const std::string w = lower(text.substr(start));
    std::vector<std::string> rests;
    for (auto it = std::lower_bound(all_columns_.begin(), all_columns_.end(), w);
         it != all_columns_.end() && it->starts_with(w); ++it) {
      if (it->size() > w.size()) rests.push_back(it->substr(w.size()));
    }
    for (const auto& t : table_names_) {
      if (t.size() > w.size() && t.starts_with(w)) rests.push_back(t.substr(w.size()));
    }
    if (!rests.empty()) {
      for (auto& r : shortest_few(std::move(rests))) out.push_back(std::move(r));
      return out;
    }
  }
  // A name to begin: a column after a qualifier's ".", a table after FROM or
  // JOIN (the shortest ones; the checker decides which fit).
  std::string_view rest = text;
  while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.back()))) rest.remove_suffix(1);
  const bool spaced = rest.size() < text.size();
  if (!spaced && rest.ends_with(".")) {
    out.insert(out.end(), shortest_columns_.begin(), shortest_columns_.end());
  } else if (rest.size() >= 4) {
    const std::string tail = lower(rest.substr(rest.size() - 4));
    if ((tail == "from" || tail == "join") &&
        (rest.size() == 4 || std::isspace(static_cast<unsigned char>(rest[rest.size() - 5])))) {
      for (const auto& t : shortest_tables_) out.push_back(spaced ? t : " " + t);
    }
  }
  return out;
}

SqlConstraint build_sql_constraint(const std::string& schema_ddl, const std::string& dialect, bool think) {
  SqlConstraint c;
  auto tables = grammar_tables_from_ddl(schema_ddl);
  if (tables.empty()) return c;
  c.gbnf = build_sql_grammar(tables, {.dialect = dialect, .think = think});
  c.checker = std::make_shared<const SqlScopeChecker>(std::move(tables), dialect);
  return c;
}

size_t think_sql_start(const std::string& text) {
  size_t fence = text.find("```sql");
  if (fence == std::string::npos) return std::string::npos;
  size_t nl = text.find('\n', fence);
  return nl == std::string::npos ? std::string::npos : nl + 1;
}

void constrain_sql(const std::string& schema_ddl, const std::string& dialect, bool think, LlmRequest* request) {
  SqlConstraint c = build_sql_constraint(schema_ddl, dialect, think);
  request->grammar = c.gbnf;
  request->accept_text = nullptr;
  request->refusal_cause = nullptr;
  if (think && !c.gbnf.empty()) request->stop_at_statement_end = false;
  if (!c.checker) return;
  if (!think) {
    request->accept_text = [checker = c.checker](const std::string& text) { return checker->check(text, false).ok; };
    request->steps_to_end = [checker = c.checker](const std::string& text) { return checker->steps_to_end(text); };
    request->continuations = [checker = c.checker](const std::string& text) { return checker->continuations(text); };
    request->refusal_cause = [checker = c.checker](const std::string& text) {
      ScopeVerdict v = checker->check(text, true);
      return v.ok ? std::string::npos : v.offset;
    };
    return;
  }
  request->accept_text = [checker = c.checker](const std::string& text) {
    size_t start = think_sql_start(text);
    if (start == std::string::npos) return true;  // still prose
    std::string sql = text.substr(start);
    size_t close = sql.find("```");
    if (close != std::string::npos) sql.resize(close);
    return checker->check(sql, close != std::string::npos).ok;
  };
  request->refusal_cause = [checker = c.checker](const std::string& text) {
    size_t start = think_sql_start(text);
    if (start == std::string::npos) return std::string::npos;
    std::string sql = text.substr(start);
    if (size_t close = sql.find("```"); close != std::string::npos) sql.resize(close);
    ScopeVerdict v = checker->check(sql, true);
    return v.ok ? std::string::npos : start + v.offset;
  };
}

}  // namespace t2sql
