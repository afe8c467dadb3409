#include "generate/sql_grammar.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string_view>

#include "sql/sql_lexer.h"

namespace t2sql {

namespace {

// A GBNF string literal.
std::string lit(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A keyword in capitals or in small letters, as models write both.
std::string kw(const std::string& word) {
  std::string l = lower(word);
  if (l == word) return lit(word);
  return "(" + lit(word) + " | " + lit(l) + ")";
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Words that cannot name a column without quotes.
bool reserved_word(const std::string& name) {
  static const char* kReserved[] = {
      "select", "from",   "where", "group",   "order",     "by",    "having",  "limit",   "offset",  "join",
      "inner",  "left",   "right", "outer",   "cross",     "on",    "and",     "or",      "not",     "in",
      "like",   "between", "is",   "null",    "as",        "case",  "when",    "then",    "else",    "end",
      "cast",   "union",  "all",   "intersect", "except",  "exists", "distinct", "table", "index",   "create",
      "insert", "update", "delete", "values", "into",      "set",   "primary", "key",     "foreign", "references",
      "default", "check", "unique", "constraint", "collate", "asc",  "desc",    "natural", "using",   "to"};
  for (const char* r : kReserved) {
    if (iequals(name, r)) return true;
  }
  return false;
}

bool plain_name(const std::string& name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  if (reserved_word(name)) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// How SQL writes the name: bare when it can, else in double quotes.
std::string sql_name(const std::string& name) {
  if (plain_name(name)) return name;
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string alternatives(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? " | " : "") + items[i];
  return out.empty() ? lit("") : out;
}

std::string unquote(const SqlToken& t) {
  if (t.kind != SqlTokenKind::kQuotedName && t.kind != SqlTokenKind::kString) return t.text;
  if (t.text.size() < 2) return t.text;
  char q = t.text[0];
  char close = q == '[' ? ']' : q;
  std::string out;
  for (size_t i = 1; i + 1 < t.text.size(); ++i) {
    out += t.text[i];
    if (t.text[i] == close && t.text[i + 1] == close) ++i;
  }
  return out;
}

struct Function {
  const char* name;
  int min_args, max_args;
};

struct DialectParts {
  std::vector<Function> functions;
  std::vector<std::string> types;  // CAST(... AS type)
  bool extract = false;            // EXTRACT(part FROM expr)
  bool date_literal = false;       // DATE '2024-01-01'
};

DialectParts dialect_parts(const std::string& dialect) {
  DialectParts d;
  d.functions = {{"lower", 1, 1},    {"upper", 1, 1},  {"length", 1, 1}, {"abs", 1, 1},   {"round", 1, 2},
                 {"coalesce", 2, 3}, {"nullif", 2, 2}, {"substr", 2, 3}, {"replace", 3, 3}, {"trim", 1, 1}};
  if (dialect == "duckdb") {
    for (Function f : {Function{"date_trunc", 2, 2}, {"date_part", 2, 2}, {"year", 1, 1}, {"month", 1, 1},
                       {"day", 1, 1}, {"strftime", 2, 2}, {"ifnull", 2, 2}}) {
      d.functions.push_back(f);
    }
    d.types = {"INTEGER", "BIGINT", "DOUBLE", "DECIMAL", "VARCHAR", "DATE", "TIMESTAMP"};
    d.extract = d.date_literal = true;
  } else if (dialect == "postgresql" || dialect == "postgres") {
    for (Function f : {Function{"date_trunc", 2, 2}, {"date_part", 2, 2}, {"to_char", 2, 2}}) d.functions.push_back(f);
    d.types = {"INTEGER", "BIGINT", "NUMERIC", "REAL", "TEXT", "VARCHAR", "DATE", "TIMESTAMP", "FLOAT"};
    d.extract = d.date_literal = true;
  } else {
    for (Function f : {Function{"strftime", 2, 3}, {"date", 1, 2}, {"datetime", 1, 2}, {"julianday", 1, 1},
                       {"ifnull", 2, 2}, {"instr", 2, 2}}) {
      d.functions.push_back(f);
    }
    d.types = {"INTEGER", "REAL", "TEXT", "NUMERIC"};
  }
  return d;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// One choice of tables a statement may read: the FROM clause it implies and
// the column references valid in it.
struct Scope {
  std::vector<size_t> tables;
  std::string from;                  // GBNF for "FROM a JOIN b ON a.x = b.y"
  std::vector<std::string> columns;  // GBNF alternatives
  std::vector<std::string> stars;    // "b.*" per table of a join
};

int find_table(const std::vector<GrammarTable>& tables, const std::string& name) {
  for (size_t i = 0; i < tables.size(); ++i) {
    if (iequals(tables[i].name, name)) return static_cast<int>(i);
  }
  return -1;
}

bool has_column(const GrammarTable& t, const std::string& c) {
  return std::any_of(t.columns.begin(), t.columns.end(), [&](const std::string& x) { return iequals(x, c); });
}

struct Edge {
  size_t from, to;
  std::string from_col, to_col;
};

std::vector<Edge> join_edges(const std::vector<GrammarTable>& tables) {
  std::vector<Edge> edges;
  for (size_t i = 0; i < tables.size(); ++i) {
    for (const auto& fk : tables[i].foreign_keys) {
      int j = find_table(tables, fk.ref_table);
      if (j < 0 || static_cast<size_t>(j) == i || !has_column(tables[i], fk.column) ||
          !has_column(tables[j], fk.ref_column)) {
        continue;
      }
      edges.push_back({i, static_cast<size_t>(j), fk.column, fk.ref_column});
    }
  }
  return edges;
}

std::string join_text(const std::vector<GrammarTable>& tables, const Edge& e, size_t joined) {
  const std::string& a = tables[e.from].name;
  const std::string& b = tables[e.to].name;
  return " sp " + kw("JOIN") + " sp " + lit(sql_name(tables[joined].name)) + " sp " + kw("ON") + " sp " +
         lit(sql_name(a) + "." + sql_name(e.from_col)) + " ows \"=\" ows " + lit(sql_name(b) + "." + sql_name(e.to_col));
}

void fill_columns(const std::vector<GrammarTable>& tables, Scope* scope) {
  for (size_t t : scope->tables) {
    for (const auto& c : tables[t].columns) {
      int owners = 0;
      for (size_t u : scope->tables) owners += has_column(tables[u], c);
      std::string qualified = lit(sql_name(tables[t].name) + "." + sql_name(c));
      // A name two joined tables share is ambiguous unless qualified.
      if (owners == 1) scope->columns.push_back(lit(sql_name(c)));
      scope->columns.push_back(qualified);
    }
    if (scope->tables.size() > 1) scope->stars.push_back(lit(sql_name(tables[t].name) + ".*"));
  }
}

std::vector<Scope> make_scopes(const std::vector<GrammarTable>& tables, size_t max_scopes) {
  std::vector<Scope> scopes;
  std::set<std::vector<size_t>> seen;
  for (size_t i = 0; i < tables.size(); ++i) {
    if (tables[i].columns.empty()) continue;
    Scope s;
    s.tables = {i};
    s.from = kw("FROM") + " sp " + lit(sql_name(tables[i].name));
    scopes.push_back(s);
    seen.insert(s.tables);
  }
  std::vector<Edge> edges = join_edges(tables);
  std::vector<Scope> pairs;
  for (const auto& e : edges) {
    std::vector<size_t> key = {std::min(e.from, e.to), std::max(e.from, e.to)};
    if (!seen.insert(key).second) continue;
    Scope s;
    s.tables = {e.from, e.to};
    s.from = kw("FROM") + " sp " + lit(sql_name(tables[e.from].name)) + join_text(tables, e, e.to);
    pairs.push_back(s);
  }
  std::vector<Scope> triples;
  for (const auto& p : pairs) {
    for (const auto& e : edges) {
      bool touches_from = std::count(p.tables.begin(), p.tables.end(), e.from) > 0;
      bool touches_to = std::count(p.tables.begin(), p.tables.end(), e.to) > 0;
      if (touches_from == touches_to) continue;  // both inside, or unrelated
      size_t third = touches_from ? e.to : e.from;
      std::vector<size_t> key = {p.tables[0], p.tables[1], third};
      std::sort(key.begin(), key.end());
      std::string from = p.from + join_text(tables, e, third);
      // The same three tables joined in another order: another way to write it.
      auto same = std::find_if(triples.begin(), triples.end(), [&](const Scope& t) {
        std::vector<size_t> k = t.tables;
        std::sort(k.begin(), k.end());
        return k == key;
      });
      if (same != triples.end()) {
        same->from += " | " + from;
        continue;
      }
      if (!seen.insert(key).second) continue;
      Scope s;
      s.tables = {p.tables[0], p.tables[1], third};
      s.from = from;
      triples.push_back(s);
    }
  }
  for (auto* group : {&pairs, &triples}) {
    for (auto& s : *group) {
      if (scopes.size() >= max_scopes) break;
      scopes.push_back(std::move(s));
    }
  }
  for (auto& s : scopes) fill_columns(tables, &s);
  return scopes;
}

}  // namespace

std::vector<GrammarTable> grammar_tables_from_ddl(const std::string& ddl) {
  std::vector<GrammarTable> tables;
  SqlLexResult lexed = lex_sql(ddl);
  const auto& tk = lexed.tokens;
  auto is_name = [](const SqlToken& t) {
    return t.kind == SqlTokenKind::kWord || t.kind == SqlTokenKind::kQuotedName || t.kind == SqlTokenKind::kString;
  };
  // "REFERENCES t (c)" at tk[j]: the referenced table and column.
  auto references = [&](size_t j, GrammarForeignKey* fk) {
    if (j + 1 >= tk.size() || !tk[j].is_word("REFERENCES") || !is_name(tk[j + 1])) return false;
    fk->ref_table = unquote(tk[j + 1]);
    if (j + 3 < tk.size() && tk[j + 2].is_punct('(') && is_name(tk[j + 3])) fk->ref_column = unquote(tk[j + 3]);
    return true;
  };
  for (size_t i = 0; i + 2 < tk.size(); ++i) {
    if (!tk[i].is_word("CREATE")) continue;
    size_t j = i + 1;
    while (j < tk.size() && (tk[j].is_word("TEMP") || tk[j].is_word("TEMPORARY"))) ++j;
    if (j >= tk.size() || !tk[j].is_word("TABLE")) continue;
    ++j;
    if (j + 2 < tk.size() && tk[j].is_word("IF") && tk[j + 1].is_word("NOT") && tk[j + 2].is_word("EXISTS")) j += 3;
    if (j >= tk.size()) break;
    GrammarTable table;
    table.name = unquote(tk[j]);
    ++j;
    // schema.table: keep the table part, which is what queries name.
    if (j + 1 < tk.size() && tk[j].is_punct('.')) {
      table.name = unquote(tk[j + 1]);
      j += 2;
    }
    if (j >= tk.size() || !tk[j].is_punct('(')) continue;
    ++j;
    // Each top-level element is a column definition or a table constraint.
    size_t element = j;
    int depth = 0;
    std::string column;  // of the current element, when it defines one
    for (; j < tk.size(); ++j) {
      const SqlToken& t = tk[j];
      if (j == element) {
        size_t c = j;
        if (t.is_word("CONSTRAINT") && j + 2 < tk.size()) c = j + 2;  // CONSTRAINT name FOREIGN KEY ...
        if (tk[c].is_word("FOREIGN") && c + 4 < tk.size() && tk[c + 1].is_word("KEY") && tk[c + 2].is_punct('(') &&
            is_name(tk[c + 3]) && tk[c + 4].is_punct(')')) {
          GrammarForeignKey fk;
          fk.column = unquote(tk[c + 3]);
          if (references(c + 5, &fk) && !fk.ref_column.empty()) table.foreign_keys.push_back(fk);
        }
        bool constraint = t.is_word("PRIMARY") || t.is_word("FOREIGN") || t.is_word("UNIQUE") || t.is_word("CHECK") ||
                          t.is_word("CONSTRAINT");
        column.clear();
        if (!constraint && is_name(t)) {
          column = unquote(t);
          table.columns.push_back(column);
        }
        if (!constraint && !is_name(t) && !t.is_punct('(') && !t.is_punct(')')) continue;
      }
      if (t.is_punct('(')) {
        ++depth;
      } else if (t.is_punct(')')) {
        if (depth == 0) break;
        --depth;
      } else if (t.is_punct(',') && depth == 0) {
        element = j + 1;
      } else if (depth == 0 && !column.empty() && t.is_word("REFERENCES")) {
        GrammarForeignKey fk;
        fk.column = column;
        if (references(j, &fk) && !fk.ref_column.empty()) table.foreign_keys.push_back(fk);
      }
    }
    i = j;
    if (!table.name.empty()) tables.push_back(std::move(table));
  }
  return tables;
}

std::string build_sql_grammar(const std::vector<GrammarTable>& tables, const SqlGrammarOptions& options) {
  const DialectParts d = dialect_parts(options.dialect);
  const int max_depth = std::clamp(options.max_depth, 1, 6);
  std::vector<Scope> scopes = make_scopes(tables, static_cast<size_t>(std::max(1, options.max_scopes)));
  std::string g;
  auto rule = [&](const std::string& name, const std::string& body) { g += name + " ::= " + body + "\n"; };
  auto bound = [](int lo, int hi) { return "{" + std::to_string(lo) + "," + std::to_string(hi) + "}"; };
  const std::string as = kw("AS"), neg = "(" + kw("NOT") + " sp)?";

  rule("sp", "(\" \" | \"\\n\" \" \"{0,4})");
  rule("ows", "sp?");
  rule("cmp-op", "\"=\" | \"!=\" | \"<>\" | \"<=\" | \">=\" | \"<\" | \">\"");
  rule("set-op", "(" + kw("UNION") + " (sp " + kw("ALL") + ")? | " + kw("INTERSECT") + " | " + kw("EXCEPT") + ")");
  rule("limit", kw("LIMIT") + " sp integer (sp " + kw("OFFSET") + " sp integer)?");
  rule("integer", "[0-9]{1,9}");
  // No signs: "a - -1" would read as a comment ("--") in SQL.
  rule("number", "[0-9]{1,12} (\".\" [0-9]{1,8})?");
  rule("string", "\"'\" ([^'\\n] | \"''\")" + bound(0, std::max(1, options.max_string_length)) + " \"'\"");
  std::string literal = "number | string | " + kw("NULL") + " | " + kw("TRUE") + " | " + kw("FALSE");
  if (d.date_literal) literal += " | " + kw("DATE") + " sp string";
  rule("literal", literal);
  rule("literal-list", "literal (ows \",\" ows literal)" + bound(0, 9));
  rule("count-star", kw("COUNT") + " ows \"(\" ows \"*\" ows \")\"");
  rule("agg-name", "(" + kw("COUNT") + " | " + kw("SUM") + " | " + kw("AVG") + " | " + kw("MIN") + " | " + kw("MAX") +
                       ")");
  std::vector<std::string> types;
  for (const auto& t : d.types) types.push_back(kw(t));
  rule("type-name", "(" + alternatives(types) + ")");
  if (d.extract) {
    std::vector<std::string> parts;
    for (const char* p : {"YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "DOW"}) parts.push_back(kw(p));
    rule("date-part", "(" + alternatives(parts) + ")");
  }
  // Output names: quoted, or bare with an underscore, which no SQL keyword
  // that would break the statement has.
  rule("out-alias", "\"\\\"\" [a-zA-Z0-9_ ]{1,30} \"\\\"\" | [a-zA-Z] [a-zA-Z0-9]{0,15} (\"_\" [a-zA-Z0-9]{1,15}){1,2}");

  if (scopes.empty()) {
    rule("root", kw("SELECT") + " sp literal ows \";\"");
    return g;
  }

  size_t n_singles = 0;
  while (n_singles < scopes.size() && scopes[n_singles].tables.size() == 1) ++n_singles;

  for (size_t k = 0; k < scopes.size(); ++k) {
    const Scope& s = scopes[k];
    const std::string sk = std::to_string(k);
    rule("col-" + sk, alternatives(s.columns));
    rule("from-" + sk, "(" + s.from + ")");
    rule("group-" + sk, kw("GROUP") + " sp " + kw("BY") + " sp col-" + sk + " (ows \",\" ows col-" + sk + ")" +
                            bound(0, 2));
    for (int level = 0; level <= max_depth; ++level) {
      const bool last = level == max_depth;
      const std::string n = sk + "-" + std::to_string(level);
      const std::string deeper = sk + "-" + std::to_string(std::min(level + 1, max_depth));
      const std::string sub = "sub-" + std::to_string(std::min(level + 1, max_depth));
      // Two expression families: "a" may use aggregates (select list,
      // HAVING, ORDER BY), "n" may not (WHERE, aggregate arguments).
      for (const char* fam : {"a", "n"}) {
        const std::string f = fam;
        auto r = [&](const std::string& what, const std::string& id) { return f + what + "-" + id; };
        rule(r("expr", n), r("and", n) + " (sp " + kw("OR") + " sp " + r("and", n) + ")" + bound(0, 3));
        rule(r("and", n), r("not", n) + " (sp " + kw("AND") + " sp " + r("not", n) + ")" + bound(0, 4));
        rule(r("not", n), neg + " " + r("pred", n));
        rule(r("pred", n), r("sum", n) + " " + r("tail", n) + "?");
        std::string in_list = last ? "literal-list" : "(" + sub + " | literal-list)";
        rule(r("tail", n), "ows cmp-op ows " + r("sum", n) + " | sp " + neg + kw("IN") + " ows \"(\" ows " + in_list +
                               " ows \")\" | sp " + neg + kw("LIKE") + " sp " + r("sum", n) + " | sp " + neg +
                               kw("BETWEEN") + " sp " + r("sum", n) + " sp " + kw("AND") + " sp " + r("sum", n) +
                               " | sp " + kw("IS") + " sp " + neg + kw("NULL"));
        rule(r("sum", n), r("mul", n) + " (ows (\"+\" | \"-\" | \"||\") ows " + r("mul", n) + ")" + bound(0, 3));
        rule(r("mul", n), r("prim", n) + " (ows (\"*\" | \"/\" | \"%\") ows " + r("prim", n) + ")" + bound(0, 2));
        std::string prim = "col-" + sk + " | literal";
        if (f == "a") prim += " | count-star";
        if (!last) {
          const std::string arg = r("expr", deeper);
          if (f == "a") prim += " | agg-" + n;
          prim += " | " + r("func", n) + " | " + r("case", n) + " | " + r("cast", n) + " | \"(\" ows " + arg +
                  " ows \")\" | \"(\" ows " + sub + " ows \")\" | " + kw("EXISTS") + " ows \"(\" ows " + sub +
                  " ows \")\"";
          std::vector<std::string> calls;
          for (const auto& fn : d.functions) {
            std::string call = kw(upper(fn.name)) + " ows \"(\" ows " + arg;
            if (fn.max_args > 1) call += " (ows \",\" ows " + arg + ")" + bound(fn.min_args - 1, fn.max_args - 1);
            calls.push_back("(" + call + " ows \")\")");
          }
          rule(r("func", n), alternatives(calls));
          rule(r("case", n), kw("CASE") + " (sp " + arg + ")? (sp " + kw("WHEN") + " sp " + arg + " sp " + kw("THEN") +
                                 " sp " + arg + ")" + bound(1, 3) + " (sp " + kw("ELSE") + " sp " + arg + ")? sp " +
                                 kw("END"));
          rule(r("cast", n), kw("CAST") + " ows \"(\" ows " + arg + " sp " + as + " sp type-name ows \")\"");
          if (d.extract) {
            prim += " | " + r("extract", n);
            rule(r("extract", n), kw("EXTRACT") + " ows \"(\" ows date-part sp " + kw("FROM") + " sp " + arg +
                                      " ows \")\"");
          }
        }
        rule(r("prim", n), prim);
      }
      if (!last) {
        rule("agg-" + n, "agg-name ows \"(\" ows (" + kw("DISTINCT") + " sp)? nexpr-" + deeper + " ows \")\"");
      }
      std::string order_item = "col-" + sk + " | count-star" + (last ? "" : " | agg-" + n);
      rule("oitem-" + n, "(" + order_item + ") (sp (" + kw("ASC") + " | " + kw("DESC") + "))?");
      rule("order-" + n, kw("ORDER") + " sp " + kw("BY") + " sp oitem-" + n + " (ows \",\" ows oitem-" + n + ")" +
                             bound(0, 2));
      rule("tailq-" + n, "(sp " + kw("WHERE") + " sp nexpr-" + n + ")? (sp group-" + sk + " (sp " + kw("HAVING") +
                             " sp aexpr-" + n + ")?)? (sp order-" + n + ")? (sp limit)?");
      // A statement that returns one column: set operations and subqueries.
      rule("one-" + n, kw("SELECT") + " (sp " + kw("DISTINCT") + ")? sp aexpr-" + n + " (sp " + as +
                           " sp out-alias)? sp from-" + sk);
    }
    std::string items = "\"*\"";
    for (const auto& star : s.stars) items += " | " + star;
    items += " | item-" + sk + " (ows \",\" ows item-" + sk + ")" + bound(0, 7);
    rule("item-" + sk, "aexpr-" + sk + "-0 (sp " + as + " sp out-alias)?");
    rule("select-" + sk, kw("SELECT") + " (sp " + kw("DISTINCT") + ")? sp (" + items + ") sp from-" + sk + " tailq-" +
                             sk + "-0");
  }

  // Subqueries read one table and return one column.
  for (int level = 1; level <= max_depth; ++level) {
    std::vector<std::string> alts;
    for (size_t k = 0; k < n_singles; ++k) {
      std::string n = std::to_string(k) + "-" + std::to_string(level);
      alts.push_back("one-" + n + " tailq-" + n);
    }
    rule("sub-" + std::to_string(level), alternatives(alts));
  }
  std::vector<std::string> selects, ones;
  for (size_t k = 0; k < scopes.size(); ++k) {
    selects.push_back("select-" + std::to_string(k));
    ones.push_back("one-" + std::to_string(k) + "-0 (sp " + kw("WHERE") + " sp nexpr-" + std::to_string(k) + "-0)?");
  }
  rule("one-any", alternatives(ones));
  rule("compound", "one-any (sp set-op sp one-any){1,2} (sp limit)?");
  rule("root", "(" + alternatives(selects) + " | compound) ows \";\"");
  return g;
}

}  // namespace t2sql
