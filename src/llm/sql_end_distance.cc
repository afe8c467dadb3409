#include "llm/sql_end_distance.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "sql/sql_lexer.h"

namespace t2sql {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// What a "(" opened, by what stood before it.
enum class Paren {
  kExpr,     // a value: "1 )"
  kQuery,    // a query: "SELECT 1 )" (a CTE body, EXISTS, a set operation's term)
  kSource,   // after FROM / JOIN: a subquery or a parenthesized join, "t )"
  kList,     // may stay empty: IN (), OVER (), count()
  kCall,     // a function's arguments: "1 )" (count() and the like need less)
  kColumns,  // a CTE's column names: "a )"
};

// One level: the statement itself, or what one "(" holds.
struct Level {
  Paren kind = Paren::kQuery;
  bool top = false;
  bool query = false;  // a SELECT has begun at this level (its query block)
  // WITH at this level: 1 a CTE name is next, 2 its AS (or column list), 3
  // its "(", 4 the body has been opened (a "," or the main SELECT follows).
  int cte = 0;
  bool from = false, from_done = false;     // the block's FROM clause: begun, ended
  bool expect_table = false, expect_alias = false;
  std::set<std::string> declared;           // tables and aliases of the block's FROM clause
  std::vector<std::string> qualifiers;      // names used as `q.` in the block
  std::vector<int> cases;                   // per open CASE: 0 WHEN next, 1 THEN next, 2 END next
  int betweens = 0;                         // BETWEEN waiting for its AND
  bool window_call = false;                 // kCall of a window function
  // Words a parenthesis still needs before its ")": CAST(x "AS INT",
  // FILTER ("WHERE 1"); 0 once its AS or WHERE is there.
  int needs = 0;
  bool cast = false, filter = false;
};

bool window_function(const std::string& f) {
  static const std::set<std::string> k = {"row_number", "rank",        "dense_rank", "percent_rank",
                                          "cume_dist",  "ntile",       "lag",        "lead",
                                          "first_value", "last_value", "nth_value"};
  return k.count(f) > 0;
}

const std::set<std::string>& keywords() {
  static const std::set<std::string> k = {
      "select",  "from",   "where",     "group",   "by",       "having",  "order",     "limit",  "offset",
      "join",    "inner",  "left",      "right",   "full",     "outer",   "cross",     "natural", "on",
      "using",   "as",     "and",       "or",      "not",      "in",      "is",        "null",   "like",
      "glob",    "regexp", "match",     "ilike",   "similar",  "between", "exists",    "case",   "when",
      "then",    "else",   "end",       "cast",    "distinct", "all",     "union",     "intersect",
      "except",  "with",   "recursive", "asc",     "desc",     "nulls",   "collate",   "escape", "over",
      "partition", "filter", "window",  "true",    "false",    "extract", "isnull",    "notnull", "array",
      "values",  "interval", "rows",    "range",   "groups",   "unbounded", "preceding", "following",
      "current", "row",    "first",     "last",    "to",       "current_date", "current_time",
      "current_timestamp"};
  return k;
}

// Items the last word still needs after it (the operand after "=", "BY"
// and an operand after ORDER, ...). CASE, BETWEEN and WITH are counted by
// their own state.
int after_word(const std::string& w, bool prev_ends_value) {
  static const std::map<std::string, int> k = {
      {"select", 1},    {"distinct", 1}, {"from", 1},      {"where", 1},    {"and", 1},       {"or", 1},
      {"join", 1},      {"on", 1},       {"by", 1},        {"group", 2},    {"order", 2},     {"partition", 2},
      {"having", 1},    {"limit", 1},    {"offset", 1},    {"as", 1},       {"in", 2},        {"like", 1},
      {"glob", 1},      {"regexp", 1},   {"match", 1},     {"ilike", 1},    {"similar", 2},   {"to", 1},
      {"is", 1},        {"when", 1},     {"then", 1},      {"else", 1},     {"union", 2},     {"intersect", 2},
      {"except", 2},    {"inner", 2},    {"left", 2},      {"right", 2},    {"full", 2},      {"outer", 2},
      {"cross", 2},     {"natural", 2},  {"using", 3},     {"over", 2},     {"escape", 1},    {"filter", 4},
      {"exists", 4},    {"collate", 1},  {"cast", 5},      {"extract", 5},  {"window", 4},    {"rows", 2},
      {"range", 2},     {"groups", 2},   {"unbounded", 1}, {"current", 1},  {"nulls", 1},     {"interval", 1},
      {"array", 2},     {"values", 3},   {"between", 1}};
  if (w == "not") return prev_ends_value ? 2 : 1;  // x NOT LIKE 1 | NOT 1
  auto it = k.find(w);
  return it == k.end() ? 0 : it->second;
}

bool ends_value(const SqlToken& t) {
  if (t.kind == SqlTokenKind::kWord) {
    const std::string w = lower(t.text);
    return !keywords().count(w) || w == "end" || w == "null" || w == "true" || w == "false" || w == "current_date" ||
           w == "current_time" || w == "current_timestamp";
  }
  return t.kind == SqlTokenKind::kQuotedName || t.kind == SqlTokenKind::kString || t.kind == SqlTokenKind::kNumber ||
         t.is_punct(')') || t.is_punct(']');
}

class Scan {
 public:
  explicit Scan(const std::vector<std::string>& tables) : tables_(tables) {
    Level top;
    top.top = true;
    levels_.push_back(std::move(top));
  }

  void step(const std::vector<SqlToken>& tk, size_t i) {
    const SqlToken& t = tk[i];
    const SqlToken* prev = i > 0 ? &tk[i - 1] : nullptr;
    const SqlToken* next = i + 1 < tk.size() ? &tk[i + 1] : nullptr;
    Level& l = levels_.back();
    consumed_ = false;
    if (pending_over_ && !t.is_word("OVER")) pending_over_ = false;  // (the checker refuses it)
    if (t.is_word("OVER")) pending_over_ = false;
    if (t.kind == SqlTokenKind::kPunct) {
      punct(tk, i);
      return;
    }
    const bool name = t.kind == SqlTokenKind::kWord || t.kind == SqlTokenKind::kQuotedName;
    const std::string w = t.kind == SqlTokenKind::kWord ? lower(t.text) : "";
    // The CTE list: WITH [RECURSIVE] name [(cols)] AS ( body ) [, ...] main.
    if (l.cte == 1 && name) {
      if (w != "recursive") l.cte = 2;
      consumed_ = true;
      return;
    }
    if (l.cte == 2 && w == "as") {
      l.cte = 3;
      consumed_ = true;
      return;
    }
    if (w == "with" && !l.query && l.cte == 0) {
      l.cte = 1;
      consumed_ = true;
      return;
    }
    // SELECT begins a query only at a query's place: after "(", a set
    // operation or the CTEs; elsewhere it is a word the checker refuses once
    // whole (it may still grow into an alias: "x SELECTED"), and the block
    // written so far keeps what it needs.
    if (w == "select" && prev && !prev->is_punct('(') && !prev->is_punct(')') && !prev->is_word("UNION") &&
        !prev->is_word("ALL") && !prev->is_word("INTERSECT") && !prev->is_word("EXCEPT")) {
      return;
    }
    if (w == "select") {
      Level& b = l;
      if (b.cte == 4) b.cte = 0;
      b.query = true;
      b.from = b.from_done = b.expect_table = b.expect_alias = false;
      b.declared.clear();
      b.qualifiers.clear();
      return;
    }
    if (l.expect_table && name && !(t.kind == SqlTokenKind::kWord && keywords().count(w))) {
      if (next && next->is_punct('.')) return;  // schema.table
      declare(t.kind == SqlTokenKind::kWord ? w : lower(t.value));
      l.expect_table = false;
      l.expect_alias = true;
      return;
    }
    if (l.expect_alias) {
      if (w == "as") return;
      l.expect_alias = false;
      if (name && !(t.kind == SqlTokenKind::kWord && keywords().count(w))) {
        declare(t.kind == SqlTokenKind::kWord ? w : lower(t.value));
        return;
      }
    }
    if (name && next && next->is_punct('.') && !(t.kind == SqlTokenKind::kWord && keywords().count(w))) {
      Level& b = block();
      const std::string q = t.kind == SqlTokenKind::kWord ? w : lower(t.value);
      if (std::find(b.qualifiers.begin(), b.qualifiers.end(), q) == b.qualifiers.end()) b.qualifiers.push_back(q);
      return;
    }
    if (t.kind != SqlTokenKind::kWord) return;
    if ((l.cast && w == "as") || (l.filter && w == "where")) l.needs = 0;
    if (w == "from" && !(prev && prev->is_word("DISTINCT")) && l.query) {
      l.from = true;
      l.expect_table = true;
    } else if (w == "join") {
      block().expect_table = true;
    } else if ((w == "where" || w == "group" || w == "having" || w == "order" || w == "limit" || w == "window" ||
                w == "union" || w == "intersect" || w == "except") &&
               &block() == &l) {  // (not the WHERE of FILTER (WHERE ...))
      l.from_done = true;
      l.expect_table = false;
    } else if (w == "case") {
      l.cases.push_back(0);
    } else if (w == "when" && !l.cases.empty()) {
      l.cases.back() = 1;
    } else if ((w == "then" || w == "else") && !l.cases.empty()) {
      l.cases.back() = 2;
    } else if (w == "end" && !l.cases.empty()) {
      l.cases.pop_back();
    } else if (w == "between") {
      ++l.betweens;
    } else if (w == "and" && l.betweens > 0) {
      --l.betweens;
    }
  }

  void punct(const std::vector<SqlToken>& tk, size_t i) {
    const SqlToken& t = tk[i];
    const SqlToken* prev = i > 0 ? &tk[i - 1] : nullptr;
    Level& l = levels_.back();
    if (t.is_punct('(')) {
      Level n;
      n.kind = Paren::kExpr;
      if (l.cte == 2) {
        n.kind = Paren::kColumns;
      } else if (l.cte == 3) {
        n.kind = Paren::kQuery;
        l.cte = 4;
      } else if (l.expect_table) {
        n.kind = Paren::kSource;
        n.expect_table = true;
        n.from = true;
        l.expect_table = false;
      } else if (prev && (prev->is_word("EXISTS") || prev->is_word("UNION") || prev->is_word("INTERSECT") ||
                          prev->is_word("EXCEPT") || (prev->is_word("ALL") && i >= 2 && tk[i - 2].is_word("UNION")))) {
        n.kind = Paren::kQuery;
      } else if (l.kind == Paren::kQuery && !l.query && (l.cte == 0 || l.cte == 4)) {
        // A query that begins with a parenthesized term: "((SELECT 1) UNION ...)".
        n.kind = Paren::kQuery;
        l.query = true;
        l.cte = 0;
      } else if (prev && (prev->is_word("IN") || prev->is_word("OVER") || prev->is_word("USING"))) {
        n.kind = prev->is_word("USING") ? Paren::kColumns : Paren::kList;
      } else if (prev && prev->is_word("CAST")) {
        n.cast = true;
        n.needs = 2;
      } else if (prev && prev->is_word("FILTER")) {
        n.kind = Paren::kList;
        n.filter = true;
        n.needs = 2;
      } else if (prev && prev->kind == SqlTokenKind::kWord && !keywords().count(lower(prev->text))) {
        n.kind = Paren::kCall;
        n.window_call = window_function(lower(prev->text));
      }
      levels_.push_back(std::move(n));
      return;
    }
    if (t.is_punct(')')) {
      if (levels_.size() <= 1) return;  // (the checker refuses it)
      const Level closed = std::move(levels_.back());
      levels_.pop_back();
      if (closed.kind == Paren::kSource) levels_.back().expect_alias = true;
      if (closed.window_call) pending_over_ = true;
      return;
    }
    if (t.is_punct(',')) {
      if (l.cte == 4) {
        l.cte = 1;
        consumed_ = true;
        return;
      }
      Level& b = block();
      if (&b == &l && b.from && !b.from_done) {
        b.expect_alias = false;
        b.expect_table = true;
      }
      return;
    }
    if (l.expect_alias && !t.is_punct('.')) l.expect_alias = false;
  }

  // What is left, once every token has been read.
  int distance(const std::vector<SqlToken>& tk, bool quote_open) const {
    int d = quote_open ? 1 : 0;
    if (pending_over_) d += 3;  // OVER ( )
    for (size_t k = levels_.size(); k-- > 0;) {
      const Level& l = levels_[k];
      if (!l.top) d += 1;  // its ")"
      if (l.kind == Paren::kQuery && !l.query && l.cte == 0) d += 2;  // SELECT 1
      static const int kCte[] = {0, 8, 7, 6, 2};                      // name AS ( SELECT 1 ) SELECT 1
      d += kCte[l.cte];
      for (int c : l.cases) d += c == 0 ? 5 : c == 1 ? 3 : 1;  // WHEN 1 THEN 1 END
      d += 2 * l.betweens;                                      // AND 1
      d += l.needs;
      if (l.query && !l.from_done) d += undeclared_cost(k);
    }
    if (quote_open || tk.empty()) return d;
    const SqlToken& last = tk.back();
    if (consumed_) return d;
    if (last.kind == SqlTokenKind::kPunct) {
      if (last.is_punct('(')) {
        const Paren kind = levels_.back().kind;
        return d + (kind == Paren::kExpr || kind == Paren::kCall || kind == Paren::kSource || kind == Paren::kColumns);
      }
      if (last.is_punct(')') || last.is_punct(']')) return d;
      if (last.is_punct('*')) {
        const SqlToken* p = tk.size() >= 2 ? &tk[tk.size() - 2] : nullptr;
        const bool star_item = !p || p->is_punct('.') || p->is_punct(',') || p->is_punct('(') || p->is_word("SELECT") ||
                               p->is_word("DISTINCT") || p->is_word("ALL");
        return d + (star_item ? 0 : 1);
      }
      return d + 1;  // an operator, ",", "." or "::": an operand or a name
    }
    if (last.kind != SqlTokenKind::kWord) return d;
    const std::string w = lower(last.text);
    if (w == "case" || w == "with" || w == "recursive") return d;  // counted by their state
    if (w == "as" && alias_takes_qualifier()) return d;            // the alias is that qualifier, counted
    const SqlToken* p = tk.size() >= 2 ? &tk[tk.size() - 2] : nullptr;
    if (w == "all") return d + (p && p->is_word("UNION") ? 2 : 1);       // UNION ALL SELECT 1 | SELECT ALL 1
    if (w == "distinct") return d + (p && p->is_word("IS") ? 2 : 1);    // IS DISTINCT FROM 1
    return d + after_word(w, p && ends_value(*p));
  }

 private:
  // The nearest level that holds a query block or a FROM clause (a
  // parenthesized join); the top one at worst.
  Level& block() { return levels_[block_level()]; }
  size_t block_level() const {
    for (size_t k = levels_.size(); k-- > 0;) {
      if (levels_[k].query || levels_[k].top || levels_[k].kind == Paren::kSource) return k;
    }
    return 0;
  }

  // A table or alias of a FROM clause: a parenthesized join's belong to the
  // query around it too.
  void declare(const std::string& n) {
    for (size_t k = levels_.size(); k-- > 0;) {
      levels_[k].declared.insert(n);
      if (levels_[k].query || levels_[k].top) return;
    }
  }

  // The table just written takes the first undeclared qualifier of its
  // block as its alias (undeclared_cost counts that alias).
  bool alias_takes_qualifier() const {
    const size_t k = block_level();
    const Level& l = levels_[k];
    if (!l.expect_alias || !l.query || l.from_done) return false;
    const std::vector<std::string> open = open_qualifiers(k);
    return !open.empty() && std::find(tables_.begin(), tables_.end(), open.front()) == tables_.end();
  }

  // Qualifiers of the block at level k that no FROM clause of it or of an
  // enclosing block declares, in the order first used.
  std::vector<std::string> open_qualifiers(size_t k) const {
    std::vector<std::string> open;
    for (const auto& q : levels_[k].qualifiers) {
      bool known = false;
      for (size_t j = 0; j <= k && !known; ++j) known = levels_[j].declared.count(q) > 0;
      if (!known) open.push_back(q);
    }
    return open;
  }

  // What the block at level k's open qualifiers cost: "FROM t q" each (a
  // table's own name needs no alias), "," between them; a table or alias
  // just written takes the first as its alias.
  int undeclared_cost(size_t k) const {
    const Level& b = levels_[k];
    const std::vector<std::string> open = open_qualifiers(k);
    if (open.empty()) return 0;
    int cost = 0;
    bool first = true;
    for (const auto& q : open) {
      const bool table = std::find(tables_.begin(), tables_.end(), q) != tables_.end();
      if (first && b.expect_alias && !table) {
        cost += 1;  // the alias of the table just written
      } else if (first && b.expect_table) {
        cost += table ? 0 : 1;  // the table the last word waits for, and an alias
      } else {
        cost += (table ? 1 : 2) + 1;  // FROM or ","
      }
      first = false;
    }
    return cost;
  }

  const std::vector<std::string>& tables_;
  std::vector<Level> levels_;
  bool pending_over_ = false;
  bool consumed_ = false;  // the last token was read by the CTE state
};

}  // namespace

int sql_end_distance(std::string_view text, const std::vector<std::string>& tables, Dialect::Engine engine) {
  SqlLexResult lexed = lex_sql(text, engine);
  bool quote_open = false;
  if (!lexed.error.empty()) {
    // "unterminated string at offset N": the tokens before it stand.
    quote_open = lexed.error.find("comment") == std::string::npos;
  }
  const auto& tk = lexed.tokens;
  Scan scan(tables);
  for (size_t i = 0; i < tk.size(); ++i) {
    if (tk[i].is_punct(';')) return -1;
    scan.step(tk, i);
  }
  return scan.distance(tk, quote_open);
}

}  // namespace t2sql
