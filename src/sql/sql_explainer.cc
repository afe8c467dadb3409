#include "sql/sql_explainer.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <vector>

#include "sql/sql_lexer.h"

namespace t2sql {

namespace {

// ---- The parse: just enough structure to say what a query does. ----

struct Query;

struct Expr {
  enum class Kind {
    kColumn,
    kLiteral,
    kStar,
    kCall,
    kBinary,
    kNot,
    kNeg,
    kBetween,
    kIn,
    kIsNull,
    kLike,
    kExists,
    kSubquery,
    kCase,
    kCast,
    kList
  };
  Kind kind = Kind::kLiteral;
  std::string name;       // column or function name, operator, literal text
  std::string qualifier;  // column: the table or alias before the dot
  std::vector<Expr> args;
  std::shared_ptr<Query> query;  // subquery, IN (subquery), EXISTS
  bool negated = false;
  bool distinct = false;  // COUNT(DISTINCT x)
  bool window = false;    // f(...) OVER (...)
  std::string raw;        // as written
};

struct TableRef {
  std::string name, alias;
  std::shared_ptr<Query> sub;
};

struct Join {
  TableRef table;
  std::string type;  // "inner", "left", "right", "full", "cross"
  std::optional<Expr> on;
  std::vector<std::string> using_columns;
};

struct SelectItem {
  Expr expr;
  std::string alias;
};

struct Select {
  bool distinct = false;
  bool values = false;
  std::vector<SelectItem> items;
  bool has_from = false;
  TableRef first;
  std::vector<Join> joins;
  std::optional<Expr> where, having;
  std::vector<Expr> group_by;
  std::shared_ptr<Query> paren;  // "(SELECT ...)" as one side of a set operation
};

struct OrderItem {
  Expr expr;
  bool desc = false;
};

struct Query {
  std::vector<std::pair<std::string, std::shared_ptr<Query>>> ctes;
  std::vector<Select> cores;
  std::vector<std::string> set_ops;  // between cores: "union", "union all", "intersect", "except"
  std::vector<OrderItem> order_by;
  std::optional<Expr> limit, offset;
};

struct ParseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const std::set<std::string>& reserved_words() {
  static const std::set<std::string> k = {
      "select",  "from",    "where",   "group", "having", "order", "limit", "offset", "union",   "intersect",
      "except",  "minus",   "join",    "inner", "left",   "right", "full",  "cross",  "natural", "on",
      "using",   "window",  "fetch",   "and",   "or",     "not",   "as",    "asc",    "desc",    "nulls",
      "qualify", "outer",   "lateral", "with",  "values", "by",    "into",  "when",   "then",    "else",
      "end",     "between", "in",      "like",  "ilike",  "is",    "glob",  "escape", "collate", "returning"};
  return k;
}

class Parser {
 public:
  Parser(const std::string& sql, std::vector<SqlToken> tokens) : sql_(sql), t_(std::move(tokens)) {
    while (!t_.empty() && t_.back().is_punct(';')) t_.pop_back();
  }

  Query parse() {
    Query q = query();
    if (pos_ != t_.size()) throw ParseError("unexpected " + t_[pos_].text);
    return q;
  }

 private:
  bool at_end() const { return pos_ >= t_.size(); }
  const SqlToken& peek(size_t ahead = 0) const {
    static const SqlToken kEnd{SqlTokenKind::kPunct, "", 0, "", true};
    return pos_ + ahead < t_.size() ? t_[pos_ + ahead] : kEnd;
  }
  // Keywords are written lower-case here; the token's test wants upper case.
  bool word(std::string_view w, size_t ahead = 0) const {
    const SqlToken& k = peek(ahead);
    if (k.kind != SqlTokenKind::kWord || k.text.size() != w.size()) return false;
    for (size_t i = 0; i < w.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(k.text[i])) != w[i]) return false;
    return true;
  }
  bool punct(char c, size_t ahead = 0) const { return peek(ahead).is_punct(c); }
  bool op(const char* text) const { return peek().kind == SqlTokenKind::kPunct && peek().text == text; }
  bool accept_word(std::string_view w) {
    if (!word(w)) return false;
    ++pos_;
    return true;
  }
  bool accept_punct(char c) {
    if (!punct(c)) return false;
    ++pos_;
    return true;
  }
  void expect_word(std::string_view w) {
    if (!accept_word(w)) throw ParseError("expected " + std::string(w));
  }
  void expect_punct(char c) {
    if (!accept_punct(c)) throw ParseError(std::string("expected ") + c);
  }
  std::string raw(size_t from, size_t to) const {
    if (from >= to || to > t_.size()) return "";
    size_t a = t_[from].offset, b = t_[to - 1].offset + t_[to - 1].text.size();
    return sql_.substr(a, b - a);
  }
  bool is_name_token(size_t ahead = 0) const {
    const SqlToken& k = peek(ahead);
    return k.kind == SqlTokenKind::kQuotedName ||
           (k.kind == SqlTokenKind::kWord && !reserved_words().count(lower(k.text)));
  }
  std::string name_text(const SqlToken& k) const { return k.kind == SqlTokenKind::kQuotedName ? k.value : k.text; }
  // Skips a balanced "( ... )" starting at the current "(".
  void skip_parens() {
    int depth = 0;
    do {
      if (at_end()) throw ParseError("unbalanced parentheses");
      if (punct('(')) ++depth;
      if (punct(')')) --depth;
      ++pos_;
    } while (depth > 0);
  }
  bool starts_query(size_t ahead = 0) const {
    return word("select", ahead) || word("with", ahead) || word("values", ahead);
  }

  Query query() {
    Query q;
    if (accept_word("with")) {
      accept_word("recursive");
      do {
        if (!is_name_token()) throw ParseError("expected a name after WITH");
        std::string name = name_text(peek());
        ++pos_;
        if (punct('(')) skip_parens();
        expect_word("as");
        accept_word("not");
        accept_word("materialized");
        expect_punct('(');
        auto sub = std::make_shared<Query>(query());
        expect_punct(')');
        q.ctes.emplace_back(name, sub);
      } while (accept_punct(','));
    }
    q.cores.push_back(core());
    while (true) {
      std::string op_name;
      if (accept_word("union")) {
        op_name = accept_word("all") ? "union all" : "union";
        accept_word("distinct");
      } else if (accept_word("intersect")) {
        accept_word("all");
        op_name = "intersect";
      } else if (accept_word("except") || accept_word("minus")) {
        accept_word("all");
        op_name = "except";
      } else {
        break;
      }
      q.set_ops.push_back(op_name);
      q.cores.push_back(core());
    }
    if (accept_word("order")) {
      expect_word("by");
      do {
        OrderItem item;
        item.expr = expr();
        if (accept_word("desc"))
          item.desc = true;
        else
          accept_word("asc");
        if (accept_word("nulls")) {
          if (!accept_word("first")) expect_word("last");
        }
        q.order_by.push_back(std::move(item));
      } while (accept_punct(','));
    }
    for (int clause = 0; clause < 2; ++clause) {
      if (accept_word("limit")) {
        q.limit = expr();
        if (accept_punct(',')) {  // LIMIT offset, count
          q.offset = q.limit;
          q.limit = expr();
        }
      }
      if (accept_word("offset")) {
        q.offset = expr();
        if (!accept_word("rows")) accept_word("row");
      }
      if (accept_word("fetch")) {
        if (!accept_word("first")) expect_word("next");
        if (!word("row") && !word("rows")) q.limit = expr();
        if (!accept_word("rows")) expect_word("row");
        expect_word("only");
      }
    }
    return q;
  }

  Select core() {
    Select s;
    if (punct('(') && starts_query(1)) {
      ++pos_;
      s.paren = std::make_shared<Query>(query());
      expect_punct(')');
      return s;
    }
    if (accept_word("values")) {
      s.values = true;
      do {
        if (!punct('(')) throw ParseError("expected ( after VALUES");
        skip_parens();
      } while (accept_punct(','));
      return s;
    }
    expect_word("select");
    if (accept_word("distinct")) {
      s.distinct = true;
      if (accept_word("on")) skip_parens();
    } else {
      accept_word("all");
    }
    if (word("top") && peek(1).kind == SqlTokenKind::kNumber) pos_ += 2;
    do {
      SelectItem item;
      item.expr = expr();
      if (accept_word("as")) {
        if (peek().kind != SqlTokenKind::kWord && peek().kind != SqlTokenKind::kQuotedName &&
            peek().kind != SqlTokenKind::kString)
          throw ParseError("expected an alias");
        item.alias = peek().kind == SqlTokenKind::kWord ? peek().text : peek().value;
        ++pos_;
      } else if (is_name_token()) {
        item.alias = name_text(peek());
        ++pos_;
      }
      s.items.push_back(std::move(item));
    } while (accept_punct(','));
    if (accept_word("from")) {
      s.has_from = true;
      s.first = table_ref();
      while (true) {
        Join j;
        if (accept_punct(',')) {
          j.type = "cross";
          j.table = table_ref();
          s.joins.push_back(std::move(j));
          continue;
        }
        bool natural = accept_word("natural");
        if (accept_word("left"))
          j.type = "left";
        else if (accept_word("right"))
          j.type = "right";
        else if (accept_word("full"))
          j.type = "full";
        else if (accept_word("cross"))
          j.type = "cross";
        else if (accept_word("inner"))
          j.type = "inner";
        if (j.type == "left" || j.type == "right" || j.type == "full") accept_word("outer");
        if (!accept_word("join")) {
          if (!j.type.empty() || natural) throw ParseError("expected JOIN");
          break;
        }
        if (j.type.empty()) j.type = "inner";
        accept_word("lateral");
        j.table = table_ref();
        if (accept_word("on")) {
          j.on = expr();
        } else if (accept_word("using")) {
          expect_punct('(');
          do {
            if (!is_name_token()) throw ParseError("expected a column in USING");
            j.using_columns.push_back(name_text(peek()));
            ++pos_;
          } while (accept_punct(','));
          expect_punct(')');
        }
        s.joins.push_back(std::move(j));
      }
    }
    if (accept_word("where")) s.where = expr();
    if (accept_word("group")) {
      expect_word("by");
      do s.group_by.push_back(expr());
      while (accept_punct(','));
    }
    if (accept_word("having")) s.having = expr();
    if (accept_word("window")) {
      do {
        ++pos_;
        expect_word("as");
        skip_parens();
      } while (accept_punct(','));
    }
    if (accept_word("qualify")) expr();
    return s;
  }

  TableRef table_ref() {
    TableRef r;
    accept_word("lateral");
    if (punct('(')) {
      if (!starts_query(1)) throw ParseError("a parenthesized join");
      ++pos_;
      r.sub = std::make_shared<Query>(query());
      expect_punct(')');
    } else if (is_name_token()) {
      size_t start = pos_;
      ++pos_;
      while (punct('.') && (peek(1).kind == SqlTokenKind::kWord || peek(1).kind == SqlTokenKind::kQuotedName))
        pos_ += 2;
      if (punct('(')) {
        skip_parens();  // a table function
        r.name = raw(start, pos_);
      } else {
        r.name = name_text(t_[pos_ - 1]);
      }
    } else {
      throw ParseError("expected a table");
    }
    if (accept_word("as")) {
      r.alias = name_text(peek());
      ++pos_;
    } else if (is_name_token()) {
      r.alias = name_text(peek());
      ++pos_;
    }
    if (!r.alias.empty() && punct('(')) skip_parens();  // column aliases
    return r;
  }

  Expr expr() { return or_expr(); }

  Expr binary(std::string op_name, Expr a, Expr b, size_t start) {
    Expr e;
    e.kind = Expr::Kind::kBinary;
    e.name = std::move(op_name);
    e.args.push_back(std::move(a));
    e.args.push_back(std::move(b));
    e.raw = raw(start, pos_);
    return e;
  }

  Expr or_expr() {
    size_t start = pos_;
    Expr e = and_expr();
    while (accept_word("or")) e = binary("or", std::move(e), and_expr(), start);
    return e;
  }
  Expr and_expr() {
    size_t start = pos_;
    Expr e = not_expr();
    while (accept_word("and")) e = binary("and", std::move(e), not_expr(), start);
    return e;
  }
  Expr not_expr() {
    size_t start = pos_;
    if (accept_word("not")) {
      Expr e;
      e.kind = Expr::Kind::kNot;
      e.args.push_back(not_expr());
      e.raw = raw(start, pos_);
      return e;
    }
    return comparison();
  }
  Expr comparison() {
    size_t start = pos_;
    Expr left = additive();
    while (true) {
      if (word("is")) {
        ++pos_;
        bool neg = accept_word("not");
        if (accept_word("null")) {
          Expr e;
          e.kind = Expr::Kind::kIsNull;
          e.negated = neg;
          e.args.push_back(std::move(left));
          e.raw = raw(start, pos_);
          left = std::move(e);
          continue;
        }
        if (accept_word("distinct")) {
          expect_word("from");
          left = binary(neg ? "=" : "<>", std::move(left), additive(), start);
          continue;
        }
        left = binary(neg ? "<>" : "=", std::move(left), additive(), start);  // IS TRUE, IS x
        continue;
      }
      bool neg = false;
      if (word("not") && (word("between", 1) || word("in", 1) || word("like", 1) || word("ilike", 1) ||
                          word("glob", 1) || word("similar", 1))) {
        ++pos_;
        neg = true;
      }
      if (accept_word("between")) {
        Expr e;
        e.kind = Expr::Kind::kBetween;
        e.negated = neg;
        e.args.push_back(std::move(left));
        e.args.push_back(additive());
        expect_word("and");
        e.args.push_back(additive());
        e.raw = raw(start, pos_);
        left = std::move(e);
        continue;
      }
      if (accept_word("in")) {
        Expr e;
        e.kind = Expr::Kind::kIn;
        e.negated = neg;
        e.args.push_back(std::move(left));
        expect_punct('(');
        if (starts_query()) {
          e.query = std::make_shared<Query>(query());
        } else if (!punct(')')) {
          do e.args.push_back(expr());
          while (accept_punct(','));
        }
        expect_punct(')');
        e.raw = raw(start, pos_);
        left = std::move(e);
        continue;
      }
      if (word("like") || word("ilike") || word("glob") || word("similar")) {
        std::string how = lower(peek().text);
        ++pos_;
        if (how == "similar") expect_word("to");
        Expr e;
        e.kind = Expr::Kind::kLike;
        e.name = how;
        e.negated = neg;
        e.args.push_back(std::move(left));
        e.args.push_back(additive());
        if (accept_word("escape")) additive();
        e.raw = raw(start, pos_);
        left = std::move(e);
        continue;
      }
      if (neg) throw ParseError("NOT without a comparison");
      static const char* kOps[] = {"=", "==", "<>", "!=", "<", ">", "<=", ">="};
      std::string found;
      for (const char* o : kOps)
        if (op(o)) found = o;
      if (found.empty()) break;
      ++pos_;
      if (found == "==") found = "=";
      if (found == "!=") found = "<>";
      if (word("any") || word("all") || word("some")) {
        std::string quant = lower(peek().text);
        ++pos_;
        Expr sub = primary();
        sub.name = quant;
        left = binary(found, std::move(left), std::move(sub), start);
        continue;
      }
      left = binary(found, std::move(left), additive(), start);
    }
    return left;
  }
  Expr additive() {
    size_t start = pos_;
    Expr e = multiplicative();
    while (op("+") || op("-") || op("||")) {
      std::string o = peek().text;
      ++pos_;
      e = binary(o, std::move(e), multiplicative(), start);
    }
    return e;
  }
  Expr multiplicative() {
    size_t start = pos_;
    Expr e = unary();
    while (op("*") || op("/") || op("%")) {
      std::string o = peek().text;
      ++pos_;
      e = binary(o, std::move(e), unary(), start);
    }
    return e;
  }
  Expr unary() {
    size_t start = pos_;
    if (op("-") || op("+")) {
      bool minus = op("-");
      ++pos_;
      Expr inner = unary();
      if (!minus) return inner;
      Expr e;
      e.kind = Expr::Kind::kNeg;
      e.args.push_back(std::move(inner));
      e.raw = raw(start, pos_);
      return e;
    }
    Expr e = primary();
    while (true) {
      if (op("::")) {
        ++pos_;
        ++pos_;  // the type name
        if (punct('(')) skip_parens();
        Expr cast;
        cast.kind = Expr::Kind::kCast;
        cast.args.push_back(std::move(e));
        cast.raw = raw(start, pos_);
        e = std::move(cast);
      } else if (word("collate")) {
        pos_ += 2;
      } else if (punct('[')) {
        while (!at_end() && !punct(']')) ++pos_;
        expect_punct(']');
      } else {
        break;
      }
    }
    return e;
  }

  Expr primary() {
    size_t start = pos_;
    Expr e;
    const SqlToken& k = peek();
    if (at_end()) throw ParseError("the statement ends early");
    if (k.kind == SqlTokenKind::kNumber || k.kind == SqlTokenKind::kString || k.kind == SqlTokenKind::kParam) {
      ++pos_;
      e.kind = Expr::Kind::kLiteral;
      e.name = k.text;
      e.raw = k.text;
      return e;
    }
    if (k.is_punct('*')) {
      ++pos_;
      e.kind = Expr::Kind::kStar;
      e.raw = "*";
      return e;
    }
    if (k.is_punct('(')) {
      ++pos_;
      if (starts_query()) {
        e.kind = Expr::Kind::kSubquery;
        e.query = std::make_shared<Query>(query());
        expect_punct(')');
        e.raw = raw(start, pos_);
        return e;
      }
      Expr inner = expr();
      if (punct(',')) {  // a row value (a, b)
        Expr list;
        list.kind = Expr::Kind::kList;
        list.args.push_back(std::move(inner));
        while (accept_punct(',')) list.args.push_back(expr());
        inner = std::move(list);
      }
      expect_punct(')');
      inner.raw = raw(start, pos_);
      return inner;
    }
    if (k.kind != SqlTokenKind::kWord && k.kind != SqlTokenKind::kQuotedName) throw ParseError("unexpected " + k.text);
    std::string w = lower(k.text);
    if (k.kind == SqlTokenKind::kWord) {
      if (w == "case") {
        int depth = 0;
        while (!at_end()) {
          if (word("case")) ++depth;
          if (word("end")) --depth;
          ++pos_;
          if (depth == 0) break;
        }
        if (depth != 0) throw ParseError("CASE without END");
        e.kind = Expr::Kind::kCase;
        e.raw = raw(start, pos_);
        return e;
      }
      if (w == "exists" && punct('(', 1)) {
        pos_ += 2;
        e.kind = Expr::Kind::kExists;
        e.query = std::make_shared<Query>(query());
        expect_punct(')');
        e.raw = raw(start, pos_);
        return e;
      }
      if ((w == "cast" || w == "try_cast") && punct('(', 1)) {
        pos_ += 2;
        e.kind = Expr::Kind::kCast;
        e.args.push_back(expr());
        expect_word("as");
        while (!at_end() && !punct(')')) {
          if (punct('('))
            skip_parens();
          else
            ++pos_;
        }
        expect_punct(')');
        e.raw = raw(start, pos_);
        return e;
      }
      if (w == "extract" && punct('(', 1)) {
        pos_ += 2;
        e.kind = Expr::Kind::kCall;
        e.name = "extract";
        Expr field;
        field.kind = Expr::Kind::kLiteral;
        field.name = lower(peek().text);
        ++pos_;
        expect_word("from");
        e.args.push_back(std::move(field));
        e.args.push_back(expr());
        expect_punct(')');
        e.raw = raw(start, pos_);
        return e;
      }
      if ((w == "interval" || w == "date" || w == "timestamp" || w == "time") &&
          peek(1).kind == SqlTokenKind::kString) {
        pos_ += 2;
        if (w == "interval" && peek().kind == SqlTokenKind::kWord && !reserved_words().count(lower(peek().text)))
          ++pos_;
        e.kind = Expr::Kind::kLiteral;
        e.name = raw(start, pos_);
        e.raw = e.name;
        return e;
      }
      if (w == "null" || w == "true" || w == "false" || w == "current_date" || w == "current_timestamp" ||
          w == "current_time") {
        ++pos_;
        e.kind = Expr::Kind::kLiteral;
        e.name = k.text;
        e.raw = k.text;
        return e;
      }
      if (reserved_words().count(w) && !punct('(', 1)) throw ParseError("unexpected " + k.text);
    }
    ++pos_;
    if (punct('(')) {
      ++pos_;
      e.kind = Expr::Kind::kCall;
      e.name = lower(name_text(k));
      if (accept_word("distinct"))
        e.distinct = true;
      else
        accept_word("all");
      if (punct('*')) {
        ++pos_;
        Expr star;
        star.kind = Expr::Kind::kStar;
        star.raw = "*";
        e.args.push_back(std::move(star));
      } else if (!punct(')')) {
        do e.args.push_back(expr());
        while (accept_punct(','));
        if (accept_word("order")) {  // string_agg(x, ',' ORDER BY y)
          expect_word("by");
          do {
            expr();
            if (!accept_word("desc")) accept_word("asc");
          } while (accept_punct(','));
        }
      }
      expect_punct(')');
      if (word("filter") && punct('(', 1)) {
        ++pos_;
        skip_parens();
      }
      if (accept_word("over")) {
        e.window = true;
        if (punct('('))
          skip_parens();
        else
          ++pos_;
      }
      e.raw = raw(start, pos_);
      return e;
    }
    e.kind = Expr::Kind::kColumn;
    e.name = name_text(k);
    while (punct('.')) {
      ++pos_;
      if (punct('*')) {
        ++pos_;
        e.kind = Expr::Kind::kStar;
        e.qualifier = e.name;
        break;
      }
      if (peek().kind != SqlTokenKind::kWord && peek().kind != SqlTokenKind::kQuotedName)
        throw ParseError("expected a name after .");
      e.qualifier = e.name;
      e.name = name_text(peek());
      ++pos_;
    }
    e.raw = raw(start, pos_);
    return e;
  }

  const std::string& sql_;
  std::vector<SqlToken> t_;
  size_t pos_ = 0;
};

// ---- The explanation. ----

bool is_aggregate_name(const std::string& f) {
  static const std::set<std::string> k = {"sum",    "count",        "avg",        "min",        "max",
                                          "total",  "group_concat", "string_agg", "median",     "array_agg",
                                          "stddev", "variance",     "list",       "count_star", "mode"};
  return k.count(f) > 0;
}

// ROUND(x, 2), CAST(x AS ...), COALESCE(x, 0) read as x.
const Expr& unwrap(const Expr& e) {
  if (e.kind == Expr::Kind::kCast && !e.args.empty()) return unwrap(e.args[0]);
  if (e.kind == Expr::Kind::kCall && !e.window && !e.args.empty() &&
      (e.name == "round" || e.name == "coalesce" || e.name == "ifnull" || e.name == "nullif" || e.name == "abs"))
    return unwrap(e.args[0]);
  return e;
}

bool is_aggregate(const Expr& e) {
  const Expr& u = unwrap(e);
  return u.kind == Expr::Kind::kCall && !u.window && is_aggregate_name(u.name);
}

bool contains_aggregate(const Expr& e) {
  if (is_aggregate(e)) return true;
  if (e.kind == Expr::Kind::kSubquery || e.kind == Expr::Kind::kExists) return false;
  return std::any_of(e.args.begin(), e.args.end(), [](const Expr& a) { return contains_aggregate(a); });
}

std::string unquote(const std::string& literal) {
  if (literal.size() >= 2 && literal.front() == '\'' && literal.back() == '\'')
    return literal.substr(1, literal.size() - 2);
  return literal;
}

// A year, month or day taken from a date: strftime('%Y', d), EXTRACT(YEAR FROM
// d), YEAR(d), date_part('year', d), date_trunc('month', d).
struct TimePart {
  std::string unit;  // "year", "month" (a month of a year), "month number", "day", "week", "quarter"
  const Expr* of = nullptr;
};

std::optional<TimePart> time_part(const Expr& outer) {
  const Expr& e = unwrap(outer);
  if (e.kind != Expr::Kind::kCall || e.args.empty()) return std::nullopt;
  auto unit_of = [](std::string u) -> std::string {
    u = lower(unquote(u));
    if (u == "year" || u == "years" || u == "yyyy" || u == "isoyear") return "year";
    if (u == "month" || u == "months") return "month number";
    if (u == "day" || u == "days") return "day";
    if (u == "week" || u == "weeks") return "week";
    if (u == "quarter") return "quarter";
    if (u == "dow" || u == "dayofweek") return "weekday";
    return "";
  };
  if (e.name == "strftime" && e.args.size() >= 2 && e.args[0].kind == Expr::Kind::kLiteral) {
    std::string f = unquote(e.args[0].name);
    std::string unit = f == "%Y"                      ? "year"
                       : f == "%Y-%m"                 ? "month"
                       : f == "%m"                    ? "month number"
                       : f == "%Y-%m-%d" || f == "%d" ? "day"
                       : f == "%W"                    ? "week"
                       : f == "%w"                    ? "weekday"
                                                      : "";
    if (unit.empty()) return std::nullopt;
    return TimePart{unit, &e.args[1]};
  }
  if ((e.name == "extract" || e.name == "date_part" || e.name == "datepart") && e.args.size() == 2) {
    std::string unit = unit_of(e.args[0].name);
    if (unit.empty()) return std::nullopt;
    return TimePart{unit, &e.args[1]};
  }
  if (e.name == "date_trunc" && e.args.size() == 2) {
    std::string unit = unit_of(e.args[0].name);
    if (unit == "month number") unit = "month";
    if (unit.empty()) return std::nullopt;
    return TimePart{unit, &e.args[1]};
  }
  if (e.args.size() == 1) {
    std::string unit = e.name == "year"      ? "year"
                       : e.name == "month"   ? "month number"
                       : e.name == "day"     ? "day"
                       : e.name == "quarter" ? "quarter"
                       : e.name == "week"    ? "week"
                                             : "";
    if (!unit.empty()) return TimePart{unit, &e.args[0]};
  }
  return std::nullopt;
}

bool looks_like_date(const std::string& literal) {
  std::string s = unquote(literal);
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

std::string join_list(const std::vector<std::string>& parts, const std::string& last_sep = " and ") {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += i + 1 == parts.size() ? last_sep : ", ";
    out += parts[i];
  }
  return out;
}

class Explainer {
 public:
  std::string query(const Query& q) {
    std::string out;
    for (size_t i = 0; i < q.ctes.size(); ++i) {
      ctes_.insert(q.ctes[i].first);
      out += std::string(i == 0 ? "First builds " : "Then builds ") + q.ctes[i].first + ", which " +
             query_verb(*q.ctes[i].second) + ". ";
    }
    std::string main = query_verb(q);
    if (!q.ctes.empty()) main = "Then " + main;
    main[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(main[0])));
    return out + main + ".";
  }

 private:
  using Scope = std::map<std::string, std::string>;  // alias -> table

  // What a whole query does, as a verb phrase: "adds up x from t, per y".
  std::string query_verb(const Query& q) {
    std::vector<std::string> tail;
    std::string head;
    if (q.cores.size() == 1) {
      head = core_verb(q.cores[0], &q);
    } else {
      std::vector<std::string> parts;
      for (size_t i = 0; i < q.cores.size(); ++i)
        parts.push_back("(" + std::to_string(i + 1) + ") " + core_verb(q.cores[i], nullptr));
      bool all_union =
          std::all_of(q.set_ops.begin(), q.set_ops.end(), [](const std::string& s) { return s == "union"; });
      bool all_union_all =
          std::all_of(q.set_ops.begin(), q.set_ops.end(), [](const std::string& s) { return s == "union all"; });
      if (all_union)
        head = "combines the rows of " + std::to_string(q.cores.size()) + " queries, without duplicates: ";
      else if (all_union_all)
        head = "puts together the rows of " + std::to_string(q.cores.size()) + " queries, duplicates kept: ";
      else if (q.cores.size() == 2 && q.set_ops[0] == "intersect")
        head = "keeps the rows that both of 2 queries return: ";
      else if (q.cores.size() == 2 && q.set_ops[0] == "except")
        head = "keeps the rows of the first query that the second does not return: ";
      else
        head = "combines " + std::to_string(q.cores.size()) + " queries (" + join_list(q.set_ops) + "): ";
      head += join_list(parts, "; ");
      std::string order = order_phrase(q, nullptr);
      if (!order.empty()) tail.push_back(order);
      std::string limit = limit_phrase(q);
      if (!limit.empty()) tail.push_back(limit);
    }
    for (const auto& t : tail) head += ", " + t;
    return head;
  }

  Scope scope_of(const Select& s) {
    Scope scope = outer_;
    auto add = [&](const TableRef& r) {
      if (!r.alias.empty()) scope[lower(r.alias)] = r.sub ? "" : r.name;
      if (!r.name.empty()) scope[lower(r.name)] = r.name;
    };
    if (s.has_from) {
      add(s.first);
      for (const auto& j : s.joins) add(j.table);
    }
    return scope;
  }

  std::string table_phrase(const TableRef& r) {
    if (r.sub) return "the result of a subquery that " + query_verb(*r.sub);
    return r.name;
  }

  std::string from_phrase(const Select& s) {
    if (!s.has_from) return "";
    std::string out = table_phrase(s.first);
    for (const auto& j : s.joins) {
      std::string t = table_phrase(j.table);
      if (j.type == "cross") {
        out += j.on ? " combined with " + t : " paired with every row of " + t;
      } else if (j.type == "left") {
        out += " joined with " + t + " (keeping rows with no match in " + t + ")";
      } else if (j.type == "right") {
        out += " joined with " + t + " (keeping every row of " + t + ")";
      } else if (j.type == "full") {
        out += " joined with " + t + " (keeping unmatched rows of both)";
      } else {
        out += " joined with " + t;
      }
      if (!j.using_columns.empty()) {
        out += " on " + join_list(j.using_columns);
      } else if (j.on) {
        out += " on " + join_condition(*j.on);
      }
    }
    return out;
  }

  // "store_id" when both sides name the same column; the condition in words otherwise.
  std::string join_condition(const Expr& on) {
    if (on.kind == Expr::Kind::kBinary && on.name == "=" && on.args[0].kind == Expr::Kind::kColumn &&
        on.args[1].kind == Expr::Kind::kColumn && lower(on.args[0].name) == lower(on.args[1].name))
      return on.args[0].name;
    if (on.kind == Expr::Kind::kBinary && on.name == "and") {
      return join_condition(on.args[0]) + " and " + join_condition(on.args[1]);
    }
    if (on.kind == Expr::Kind::kBinary && on.name == "=") return value(on.args[0]) + " = " + value(on.args[1]);
    return condition(on);
  }

  std::string column(const Expr& e, bool qualified) {
    if (!qualified || e.qualifier.empty()) return e.name;
    auto it = scope_.find(lower(e.qualifier));
    std::string table = it != scope_.end() && !it->second.empty() ? it->second : e.qualifier;
    return table + "." + e.name;
  }

  // A value as a noun phrase: "sales.amount", "the total of x", "'North'".
  std::string value(const Expr& e, bool qualified = true) {
    switch (e.kind) {
      case Expr::Kind::kColumn: return column(e, qualified);
      case Expr::Kind::kLiteral: return e.name;
      case Expr::Kind::kStar: return e.qualifier.empty() ? "every column" : "every column of " + e.qualifier;
      case Expr::Kind::kCast: return value(e.args[0], qualified);
      case Expr::Kind::kNeg: return "minus " + value(e.args[0], qualified);
      case Expr::Kind::kSubquery: return query_noun(*e.query);
      case Expr::Kind::kCase: return e.raw.size() <= 60 ? e.raw : "a value chosen case by case (CASE)";
      case Expr::Kind::kList: {
        std::vector<std::string> parts;
        for (const auto& a : e.args) parts.push_back(value(a, qualified));
        return "(" + join_list(parts, ", ") + ")";
      }
      case Expr::Kind::kCall: {
        if (is_aggregate(e)) return aggregate_noun(unwrap(e));
        if (auto tp = time_part(e)) return "the " + tp->unit + " of " + value(*tp->of, qualified);
        if (&unwrap(e) != &e) return value(unwrap(e), qualified);
        if (e.window) return e.name + " over a window";
        if ((e.name == "lower" || e.name == "upper" || e.name == "trim") && e.args.size() == 1)
          return value(e.args[0], qualified);
        return e.raw;
      }
      case Expr::Kind::kBinary:
        if (e.name == "and" || e.name == "or" || e.name == "=" || e.name == "<>" || e.name == "<" || e.name == ">" ||
            e.name == "<=" || e.name == ">=")
          return "whether " + condition(e);
        return value(e.args[0], qualified) + " " + e.name + " " + value(e.args[1], qualified);
      default: return "whether " + condition(e);
    }
  }

  std::string aggregate_noun(const Expr& e) {
    std::string arg = e.args.empty() || e.args[0].kind == Expr::Kind::kStar ? "" : value(e.args[0]);
    std::string d = e.distinct ? "distinct " : "";
    if (e.name == "count" || e.name == "count_star")
      return arg.empty() ? "the number of rows" : "the number of " + d + arg;
    if (e.name == "sum" || e.name == "total") return "the total of " + d + arg;
    if (e.name == "avg") return "the average " + d + arg;
    if (e.name == "min") return "the lowest " + arg;
    if (e.name == "max") return "the highest " + arg;
    if (e.name == "median") return "the median " + arg;
    return "the " + e.name + " of " + d + arg;
  }

  std::string aggregate_verb(const Expr& e) {
    std::string arg = e.args.empty() || e.args[0].kind == Expr::Kind::kStar ? "" : value(e.args[0]);
    std::string d = e.distinct ? "distinct " : "";
    if (e.name == "count" || e.name == "count_star") return arg.empty() ? "counts the rows" : "counts " + d + arg;
    if (e.name == "sum" || e.name == "total") return "adds up " + d + arg;
    if (e.name == "avg") return "averages " + d + arg;
    if (e.name == "min") return "finds the lowest " + arg;
    if (e.name == "max") return "finds the highest " + arg;
    if (e.name == "group_concat" || e.name == "string_agg" || e.name == "list" || e.name == "array_agg")
      return "lists every " + d + arg + " in one value";
    return "computes " + aggregate_noun(e);
  }

  // A condition in words: "region is 'North'", "in 2024", "price is above the average price of products".
  std::string condition(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::kBinary: {
        if (e.name == "and") return condition(e.args[0]) + " and " + condition(e.args[1]);
        if (e.name == "or") {
          auto side = [&](const Expr& x) {
            std::string c = condition(x);
            return x.kind == Expr::Kind::kBinary && x.name == "and" ? "(" + c + ")" : c;
          };
          return "either " + side(e.args[0]) + " or " + side(e.args[1]);
        }
        if (auto phrase = time_condition(e)) return *phrase;
        const Expr& rhs = e.args[1];
        bool date = rhs.kind == Expr::Kind::kLiteral && looks_like_date(rhs.name);
        std::string verb;
        if (e.name == "=")
          verb = date ? "is on" : "is";
        else if (e.name == "<>")
          verb = "is not";
        else if (e.name == ">")
          verb = date ? "is after" : "is above";
        else if (e.name == ">=")
          verb = date ? "is on or after" : "is at least";
        else if (e.name == "<")
          verb = date ? "is before" : "is below";
        else if (e.name == "<=")
          verb = date ? "is on or before" : "is at most";
        else
          return value(e);
        std::string right = value(rhs);
        if (rhs.kind == Expr::Kind::kSubquery && (rhs.name == "any" || rhs.name == "some")) right = "any of " + right;
        if (rhs.kind == Expr::Kind::kSubquery && rhs.name == "all") right = "all of " + right;
        return value(e.args[0]) + " " + verb + " " + right;
      }
      case Expr::Kind::kNot: {
        const Expr& inner = e.args[0];
        if (inner.kind == Expr::Kind::kExists) return "there is no " + exists_noun(*inner.query);
        return "not (" + condition(inner) + ")";
      }
      case Expr::Kind::kBetween: {
        if (auto tp = time_part(e.args[0]); tp && tp->unit == "year")
          return std::string(e.negated ? "outside " : "from ") + unquote(e.args[1].name) + " to " +
                 unquote(e.args[2].name);
        return value(e.args[0]) + (e.negated ? " is not between " : " is between ") + value(e.args[1]) + " and " +
               value(e.args[2]);
      }
      case Expr::Kind::kIn: {
        if (e.query) return value(e.args[0]) + (e.negated ? " is not among " : " is among ") + query_noun(*e.query);
        std::vector<std::string> items;
        for (size_t i = 1; i < e.args.size(); ++i) items.push_back(value(e.args[i]));
        if (auto tp = time_part(e.args[0]); tp && tp->unit == "year" && !e.negated) {
          for (auto& s : items) s = unquote(s);
          return "in " + join_list(items, " or ");
        }
        return value(e.args[0]) + (e.negated ? " is none of " : " is one of ") + join_list(items, " or ");
      }
      case Expr::Kind::kIsNull: return value(e.args[0]) + (e.negated ? " is present" : " is missing");
      case Expr::Kind::kLike: {
        std::string subject = value(e.args[0]);
        const Expr& pat = e.args[1];
        std::string no = e.negated ? " does not" : "";
        if (pat.kind == Expr::Kind::kLiteral && (e.name == "like" || e.name == "ilike")) {
          std::string p = unquote(pat.name);
          bool lead = !p.empty() && p.front() == '%', trail = p.size() > 1 && p.back() == '%';
          std::string core = p.substr(lead ? 1 : 0, p.size() - (lead ? 1 : 0) - (trail ? 1 : 0));
          bool plain = core.find_first_of("%_") == std::string::npos;
          if (plain && lead && trail) return subject + (e.negated ? " does not contain '" : " contains '") + core + "'";
          if (plain && trail) return subject + (e.negated ? " does not start with '" : " starts with '") + core + "'";
          if (plain && lead) return subject + (e.negated ? " does not end with '" : " ends with '") + core + "'";
          if (plain) return subject + (e.negated ? " is not '" : " is '") + core + "'";
        }
        return subject + (no.empty() ? " matches the pattern " : " does not match the pattern ") + value(pat);
      }
      case Expr::Kind::kExists: return "there is " + exists_noun(*e.query);
      default: return value(e);
    }
  }

  // "in 2024", "in 2024 or later", "before 2023", "in 2024-03": conditions on
  // a year or month read as time.
  std::optional<std::string> time_condition(const Expr& e) {
    if (e.kind != Expr::Kind::kBinary || e.args.size() != 2) return std::nullopt;
    auto tp = time_part(e.args[0]);
    const Expr& lit = e.args[1];
    if (!tp || lit.kind != Expr::Kind::kLiteral) return std::nullopt;
    std::string v = unquote(lit.name);
    if (tp->unit == "month number")
      v = "month " + v;
    else if (tp->unit == "day" && !looks_like_date(lit.name))
      v = "day " + v;
    else if (tp->unit == "quarter")
      v = "quarter " + v;
    else if (tp->unit == "week")
      v = "week " + v;
    else if (tp->unit == "weekday")
      v = "weekday " + v;
    if (e.name == "=") return "in " + v;
    if (e.name == "<>") return "not in " + v;
    if (e.name == ">=") return "in " + v + " or later";
    if (e.name == ">") return "after " + v;
    if (e.name == "<") return "before " + v;
    if (e.name == "<=") return "in " + v + " or earlier";
    return std::nullopt;
  }

  bool is_time_condition(const Expr& e) {
    if (time_condition(e)) return true;
    if ((e.kind == Expr::Kind::kBetween || e.kind == Expr::Kind::kIn) && !e.query && !e.negated) {
      auto tp = time_part(e.args[0]);
      return tp && tp->unit == "year";
    }
    return false;
  }

  void conjuncts(const Expr& e, std::vector<const Expr*>& out) {
    if (e.kind == Expr::Kind::kBinary && e.name == "and") {
      conjuncts(e.args[0], out);
      conjuncts(e.args[1], out);
    } else {
      out.push_back(&e);
    }
  }

  // A subquery as a noun phrase: "the average price of products".
  std::string query_noun(const Query& q) {
    if (q.cores.size() != 1 || !q.ctes.empty() || q.cores[0].paren || q.cores[0].values)
      return "the rows of a subquery that " + with_scope([&] { return query_verb(q); });
    const Select& s = q.cores[0];
    return with_scope([&] {
      scope_ = scope_of(s);
      std::vector<std::string> items;
      for (const auto& item : s.items) items.push_back(item_noun(item.expr));
      std::string out = (s.distinct ? "the distinct " : "") + join_list(items);
      if (s.has_from) out += " of " + from_phrase(s);
      out += where_phrase(s);
      if (!s.group_by.empty()) out += ", per " + group_phrase(s);
      std::string limit = limit_phrase(q);
      if (!limit.empty()) out += " (" + limit + ")";
      return out;
    });
  }

  std::string item_noun(const Expr& e) {
    if (e.kind == Expr::Kind::kColumn) return "the " + value(e, false);
    return value(e);
  }

  // EXISTS (SELECT ... FROM t WHERE c): "a row in t where c".
  std::string exists_noun(const Query& q) {
    if (q.cores.size() != 1 || q.cores[0].paren || !q.cores[0].has_from) return "a row in a subquery";
    const Select& s = q.cores[0];
    return with_scope([&] {
      scope_ = scope_of(s);
      return "a row in " + from_phrase(s) + where_phrase(s);
    });
  }

  template <typename F>
  std::string with_scope(F f) {
    Scope saved_scope = scope_, saved_outer = outer_;
    outer_ = scope_;
    std::string out = f();
    scope_ = saved_scope;
    outer_ = saved_outer;
    return out;
  }

  std::string where_phrase(const Select& s) {
    if (!s.where) return "";
    std::vector<const Expr*> parts;
    conjuncts(*s.where, parts);
    std::vector<std::string> time, other;
    for (const Expr* p : parts) (is_time_condition(*p) ? time : other).push_back(condition(*p));
    std::string out;
    if (!time.empty()) out += ", " + join_list(time);
    if (!other.empty()) out += ", where " + join_list(other);
    return out;
  }

  // The expression a GROUP BY or ORDER BY item stands for: "GROUP BY 1" is
  // the first select item, "ORDER BY total" the item named total.
  const Expr* resolve(const Expr& e, const Select* s) {
    if (!s) return &e;
    if (e.kind == Expr::Kind::kLiteral && !e.name.empty() && std::isdigit(static_cast<unsigned char>(e.name[0]))) {
      size_t n = std::strtoul(e.name.c_str(), nullptr, 10);
      if (n >= 1 && n <= s->items.size()) return &s->items[n - 1].expr;
    }
    if (e.kind == Expr::Kind::kColumn && e.qualifier.empty()) {
      for (const auto& item : s->items)
        if (!item.alias.empty() && lower(item.alias) == lower(e.name)) return &item.expr;
    }
    return &e;
  }

  std::string group_key(const Expr& e) {
    if (auto tp = time_part(e)) return tp->unit;
    if (e.kind == Expr::Kind::kColumn) return e.name;
    return value(e, false);
  }

  std::string group_phrase(const Select& s) {
    std::vector<std::string> keys, ids;
    for (const auto& g : s.group_by) {
      std::string k = group_key(*resolve(g, &s));
      std::string l = lower(k);
      bool id = l == "id" || (l.size() > 3 && l.compare(l.size() - 3, 3, "_id") == 0);
      (id ? ids : keys).push_back(k);
    }
    // "GROUP BY brand_id, brand_name" reads "per brand_name": the id only keeps
    // equal names apart.
    if (keys.empty()) keys = ids;
    return join_list(keys);
  }

  bool same_expr(const Expr& a, const Expr& b) { return lower(a.raw) == lower(b.raw); }

  bool is_group_key(const Expr& e, const Select& s) {
    for (const auto& g : s.group_by)
      if (same_expr(*resolve(g, &s), e)) return true;
    return false;
  }

  std::string order_phrase(const Query& q, const Select* s) {
    std::vector<std::string> parts;
    size_t aggregates = 0;
    if (s)
      for (const auto& item : s->items) aggregates += contains_aggregate(item.expr);
    for (const auto& o : q.order_by) {
      const Expr* e = resolve(o.expr, s);
      bool measure = contains_aggregate(*e);
      if (measure && aggregates == 1 && parts.empty()) {
        parts.push_back(o.desc ? "highest first" : "lowest first");
      } else if (measure) {
        parts.push_back("by " + value(*e) + (o.desc ? ", highest first" : ", lowest first"));
      } else if (e->kind == Expr::Kind::kCall && e->name == "random") {
        parts.push_back("in random order");
      } else {
        parts.push_back("sorted by " + value(*e, false) + (o.desc ? " (descending)" : ""));
      }
    }
    return join_list(parts, ", then ");
  }

  std::string limit_phrase(const Query& q) {
    std::string out;
    if (q.limit) {
      std::string n = value(*q.limit);
      bool desc = !q.order_by.empty() && q.order_by[0].desc;
      if (q.order_by.empty())
        out = n == "1" ? "one row only" : "at most " + n + " rows";
      else if (n == "1")
        out = desc ? "only the top row" : "only the first row";
      else
        out = (desc ? "top " : "first ") + n;
    }
    if (q.offset) out += std::string(out.empty() ? "" : ", ") + "skipping the first " + value(*q.offset);
    return out;
  }

  // One SELECT as a verb phrase. `q` is the query it is the only core of
  // (its ORDER BY and LIMIT), or null inside a set operation.
  std::string core_verb(const Select& s, const Query* q) {
    if (s.paren) return with_scope([&] { return query_verb(*s.paren); });
    if (s.values) return "lists the rows written in the statement (VALUES)";
    Scope saved = scope_;
    scope_ = scope_of(s);
    std::vector<std::string> listed, computed;
    bool star = false;
    for (const auto& item : s.items) {
      const Expr& e = item.expr;
      if (e.kind == Expr::Kind::kStar) {
        star = true;
        listed.push_back(e.qualifier.empty() ? "every column" : "every column of " + e.qualifier);
      } else if (is_aggregate(e)) {
        computed.push_back(aggregate_verb(unwrap(e)));
      } else if (contains_aggregate(e)) {
        computed.push_back("computes " + value(e));
      } else if (!is_group_key(e, s)) {
        listed.push_back(value(e, s.joins.empty() ? false : true));
      }
    }
    std::string head;
    if (!listed.empty()) head = (s.distinct ? "lists the distinct " : "lists ") + join_list(listed);
    if (!computed.empty()) head += (head.empty() ? "" : " and ") + join_list(computed);
    if (head.empty())
      head = "lists " + join_list([&] {
               std::vector<std::string> keys;
               for (const auto& item : s.items) keys.push_back(value(item.expr, false));
               return keys;
             }());
    (void)star;
    std::string out = head;
    if (s.has_from) out += " from " + from_phrase(s);
    out += where_phrase(s);
    if (!s.group_by.empty()) out += ", per " + group_phrase(s);
    if (s.having) out += ", keeping the groups where " + condition(*s.having);
    if (q) {
      std::string order = order_phrase(*q, &s);
      if (!order.empty()) out += ", " + order;
      std::string limit = limit_phrase(*q);
      if (!limit.empty()) out += ", " + limit;
    }
    scope_ = saved;
    return out;
  }

  Scope scope_, outer_;
  std::set<std::string> ctes_;
};

// When the statement cannot be parsed: the tables named after FROM and JOIN.
std::string fallback(const std::vector<SqlToken>& tokens) {
  std::vector<std::string> tables;
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (!tokens[i].is_word("FROM") && !tokens[i].is_word("JOIN")) continue;
    const SqlToken& n = tokens[i + 1];
    if (n.kind != SqlTokenKind::kWord && n.kind != SqlTokenKind::kQuotedName) continue;
    std::string name = n.kind == SqlTokenKind::kQuotedName ? n.value : n.text;
    if (reserved_words().count(lower(name))) continue;
    if (std::find(tables.begin(), tables.end(), name) == tables.end()) tables.push_back(name);
  }
  if (tables.empty()) return "Runs a read-only query.";
  return "Runs a read-only query over " + join_list(tables) + ".";
}

}  // namespace

std::string explain_sql(const std::string& sql, Dialect::Engine engine) {
  SqlLexResult lexed = lex_sql(sql, engine);
  if (!lexed.error.empty()) return "The statement could not be read: " + lexed.error + ".";
  if (lexed.tokens.empty()) return "";
  try {
    Parser parser(sql, lexed.tokens);
    Query q = parser.parse();
    return Explainer().query(q);
  } catch (const ParseError&) {
    return fallback(lexed.tokens);
  }
}

}  // namespace t2sql
