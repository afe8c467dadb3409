#include "generate/sql_grammar.h"

#include <algorithm>
#include <cctype>
#include <functional>
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

// A keyword in any case, one character class per letter: one grammar stack
// where "SELECT" | "select" would be two.
std::string kw(const std::string& word) {
  std::string out;
  for (char c : word) {
    if (!out.empty()) out += " ";
    if (std::isalpha(static_cast<unsigned char>(c))) {
      out += "[";
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out += "]";
    } else {
      out += lit(std::string(1, c));
    }
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Words that cannot name a column without quotes.
bool reserved_word(const std::string& name) {
  static const char* kReserved[] = {
      "select",  "from",    "where",  "group",      "order",   "by",     "having",   "limit",   "offset",  "join",
      "inner",   "left",    "right",  "outer",      "cross",   "on",     "and",      "or",      "not",     "in",
      "like",    "between", "is",     "null",       "as",      "case",   "when",     "then",    "else",    "end",
      "cast",    "union",   "all",    "intersect",  "except",  "exists", "distinct", "table",   "index",   "create",
      "insert",  "update",  "delete", "values",     "into",    "set",    "primary",  "key",     "foreign", "references",
      "default", "check",   "unique", "constraint", "collate", "asc",    "desc",     "natural", "using",   "to"};
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
  bool server_syntax = false;      // ILIKE, expr::type, INTERVAL '1 year'
};

DialectParts dialect_parts(const std::string& dialect) {
  DialectParts d;
  d.functions = {{"lower", 1, 1},    {"upper", 1, 1},  {"length", 1, 1}, {"abs", 1, 1},     {"round", 1, 2},
                 {"coalesce", 2, 3}, {"nullif", 2, 2}, {"substr", 2, 3}, {"replace", 3, 3}, {"trim", 1, 1}};
  if (dialect == "duckdb") {
    for (Function f : {Function{"date_trunc", 2, 2},
                       {"date_part", 2, 2},
                       {"year", 1, 1},
                       {"month", 1, 1},
                       {"day", 1, 1},
                       {"strftime", 2, 2},
                       {"ifnull", 2, 2}}) {
      d.functions.push_back(f);
    }
    d.types = {"INTEGER", "BIGINT", "DOUBLE", "DECIMAL", "VARCHAR", "DATE", "TIMESTAMP"};
    d.extract = d.date_literal = d.server_syntax = true;
  } else if (dialect == "postgresql" || dialect == "postgres") {
    for (Function f : {Function{"date_trunc", 2, 2}, {"date_part", 2, 2}, {"to_char", 2, 2}}) d.functions.push_back(f);
    d.types = {"INTEGER", "BIGINT", "NUMERIC", "REAL", "TEXT", "VARCHAR", "DATE", "TIMESTAMP", "FLOAT"};
    d.extract = d.date_literal = d.server_syntax = true;
  } else {
    for (Function f : {Function{"strftime", 2, 3},
                       {"date", 1, 2},
                       {"datetime", 1, 2},
                       {"julianday", 1, 1},
                       {"ifnull", 2, 2},
                       {"instr", 2, 2}}) {
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

// A word of the grammar and what follows it: a column, a function name and
// its argument list, a table name and ".column".
struct Word {
  std::string text, then;
  bool keyword = false;  // a function or keyword: written bare whatever it is
};

// Words that share their first letters share one path, case-insensitively:
// at each point the grammar holds one stack per distinct next letter instead
// of one per word, which keeps grammar-constrained decoding fast. Names that
// need quotes are exact alternatives beside the tree.
std::string word_tree(const std::vector<Word>& words) {
  std::vector<std::string> alts;
  std::vector<Word> plain;
  for (const auto& w : words) {
    if (w.keyword || plain_name(w.text)) {
      plain.push_back({lower(w.text), w.then, w.keyword});
    } else {
      alts.push_back(lit(sql_name(w.text)) + (w.then.empty() ? "" : " " + w.then));
    }
  }
  std::sort(plain.begin(), plain.end(), [](const Word& a, const Word& b) { return a.text < b.text; });
  std::function<std::string(size_t, size_t, size_t)> node = [&](size_t lo, size_t hi, size_t pos) -> std::string {
    std::vector<std::string> branches;
    bool may_end = false;
    size_t i = lo;
    while (i < hi && plain[i].text.size() == pos) {
      if (plain[i].then.empty())
        may_end = true;
      else
        branches.push_back(plain[i].then);
      ++i;
    }
    while (i < hi) {
      char c = plain[i].text[pos];
      size_t j = i;
      while (j < hi && plain[j].text[pos] == c) ++j;
      std::string cls =
          std::isalpha(static_cast<unsigned char>(c))
              ? std::string("[") + static_cast<char>(std::toupper(static_cast<unsigned char>(c))) + c + "]"
              : lit(std::string(1, c));
      std::string rest = node(i, j, pos + 1);
      branches.push_back(rest.empty() ? cls : cls + " " + rest);
      i = j;
    }
    if (branches.empty()) return "";
    std::string out = "(" + alternatives(branches) + ")";
    return may_end ? out + "?" : out;
  };
  if (!plain.empty()) {
    std::string tree = node(0, plain.size(), 0);
    if (!tree.empty()) alts.push_back(tree);
  }
  return alternatives(alts);
}

// One choice of tables a statement may read: the FROM clause it implies and
// the column references valid in it.
struct Scope {
  std::vector<size_t> tables;
  std::string from;                // GBNF for "FROM a JOIN b ON a.x = b.y"
  std::vector<Word> columns;       // bare names (unique in the scope) and table qualifiers
  std::vector<std::string> stars;  // "b.*" per table of a join
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
         lit(sql_name(a) + "." + sql_name(e.from_col)) + " ows \"=\" ows " +
         lit(sql_name(b) + "." + sql_name(e.to_col));
}

void fill_columns(const std::vector<GrammarTable>& tables, Scope* scope) {
  for (size_t t : scope->tables) {
    for (const auto& c : tables[t].columns) {
      int owners = 0;
      for (size_t u : scope->tables) owners += has_column(tables[u], c);
      // A name two joined tables share is ambiguous unless qualified.
      if (owners == 1) scope->columns.push_back({c, ""});
    }
    scope->columns.push_back({tables[t].name, "\".\" tcol-" + std::to_string(t)});
    if (scope->tables.size() > 1) scope->stars.push_back(lit(sql_name(tables[t].name) + ".*"));
  }
}

std::vector<Scope> make_scopes(const std::vector<GrammarTable>& tables, size_t max_scopes, int max_join_tables) {
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
  std::vector<Scope> pairs, triples;
  if (max_join_tables >= 2) {
    for (const auto& e : edges) {
      std::vector<size_t> key = {std::min(e.from, e.to), std::max(e.from, e.to)};
      if (!seen.insert(key).second) continue;
      Scope s;
      s.tables = {e.from, e.to};
      s.from = kw("FROM") + " sp " + lit(sql_name(tables[e.from].name)) + join_text(tables, e, e.to);
      pairs.push_back(s);
    }
  }
  if (max_join_tables >= 3) {
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
  std::vector<Scope> scopes =
      make_scopes(tables, static_cast<size_t>(std::max(1, options.max_scopes)), options.max_join_tables);
  std::string g;
  auto rule = [&](const std::string& name, const std::string& body) { g += name + " ::= " + body + "\n"; };
  auto bound = [](int lo, int hi) { return "{" + std::to_string(lo) + "," + std::to_string(hi) + "}"; };
  const std::string as = kw("AS"), neg = "(" + kw("NOT") + " sp)?";

  // One space or one line break: a single character class keeps one grammar
  // stack where alternatives would keep several.
  rule("sp", "[ \\n]");
  rule("ows", "sp?");
  // Operators between operands. SQLite accepts any chain of them; precedence
  // is the engine's business, not the grammar's.
  rule("sym-op",
       "\"=\" | \"!=\" | \"<>\" | \"<=\" | \">=\" | \"<\" | \">\" | \"+\" | \"-\" | \"*\" | \"/\" | \"%\" | "
       "\"||\"");
  rule("word-op", kw("AND") + " | " + kw("OR"));
  rule("set-op", "(" + kw("UNION") + " (sp " + kw("ALL") + ")? | " + kw("INTERSECT") + " | " + kw("EXCEPT") + ")");
  rule("limit", kw("LIMIT") + " sp integer (sp " + kw("OFFSET") + " sp integer)?");
  rule("integer", "[0-9]{1,9}");
  // No signs: "a - -1" would read as a comment ("--") in SQL.
  rule("number", "[0-9]{1,9} (\".\" [0-9]{1,6})?");
  rule("string", "\"'\" ([^'\\n] | \"''\")" + bound(0, std::max(1, options.max_string_length)) + " \"'\"");
  std::string literal = "number | string";
  if (d.date_literal) literal += " | " + kw("DATE") + " sp string";
  if (d.server_syntax) literal += " | " + kw("INTERVAL") + " sp string";
  rule("literal", literal);
  rule("literal-list", "(literal | " + kw("NULL") + ") (ows \",\" ows (literal | " + kw("NULL") + "))" + bound(0, 9));
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
  rule("out-alias",
       "\"\\\"\" [a-zA-Z0-9_ ]{1,30} \"\\\"\" | [a-zA-Z] [a-zA-Z0-9]{0,15} (\"_\" [a-zA-Z0-9]{1,15}){1,2}");
  rule("dir", "(sp (" + kw("ASC") + " | " + kw("DESC") + "))?");

  if (scopes.empty()) {
    rule("root", kw("SELECT") + " sp literal ows \";\"");
    return g;
  }
  // Columns of each table, for "table.column".
  for (size_t t = 0; t < tables.size(); ++t) {
    std::vector<Word> cols;
    for (const auto& c : tables[t].columns) cols.push_back({c, ""});
    rule("tcol-" + std::to_string(t), cols.empty() ? lit("rowid") : word_tree(cols));
  }
  size_t n_singles = 0;
  while (n_singles < scopes.size() && scopes[n_singles].tables.size() == 1) ++n_singles;

  for (size_t k = 0; k < scopes.size(); ++k) {
    const Scope& s = scopes[k];
    const std::string sk = std::to_string(k);
    rule("col-" + sk, word_tree(s.columns));
    rule("from-" + sk, "(" + s.from + ")");
    rule("group-" + sk,
         kw("GROUP") + " sp " + kw("BY") + " sp col-" + sk + " (ows \",\" ows col-" + sk + ")" + bound(0, 2));
    for (int level = 0; level <= max_depth; ++level) {
      const bool last = level == max_depth;
      const std::string n = sk + "-" + std::to_string(level);
      const std::string deeper = sk + "-" + std::to_string(std::min(level + 1, max_depth));
      const std::string sub = "sub-" + std::to_string(std::min(level + 1, max_depth));
      // Two expression families: "a" may use aggregates (select list,
      // HAVING, ORDER BY), "n" may not (WHERE, aggregate arguments).
      for (const char* fam : {"a", "n"}) {
        const std::string f = fam;
        const std::string expr = f + "expr-" + n, opnd = f + "opnd-" + n, prim = f + "prim-" + n,
                          post = f + "post-" + n, arg = f + "expr-" + deeper;
        // Fewer operands deeper down: the length of a statement stays bounded.
        rule(expr, opnd + " ((ows sym-op ows | sp word-op sp) " + opnd + ")" + bound(0, level == 0 ? 5 : 3));
        rule(opnd, neg + " " + prim + " " + post + "?");
        std::string in_list = last ? "literal-list" : "(" + sub + " | literal-list)";
        std::string like = d.server_syntax ? "(" + kw("LIKE") + " | " + kw("ILIKE") + ")" : kw("LIKE");
        std::string post_body = "sp " + kw("IS") + " sp " + neg + kw("NULL") + " | sp " + neg + "(" + kw("IN") +
                                " ows \"(\" ows " + in_list + " ows \")\" | " + like + " sp " + prim + " | " +
                                kw("BETWEEN") + " sp " + prim + " sp " + kw("AND") + " sp " + prim + ")";
        if (d.server_syntax) post_body += " | ows \"::\" ows type-name";
        rule(post, post_body);
        // Everything that starts with a word goes through one word tree.
        std::vector<Word> words = s.columns;
        for (const char* w : {"NULL", "TRUE", "FALSE", "CURRENT_DATE"}) words.push_back({w, "", true});
        std::string star = "ows \"(\" ows \"*\" ows \")\"";
        if (!last) {
          std::string agg_args = "ows \"(\" ows (" + kw("DISTINCT") + " sp)? nexpr-" + deeper + " ows \")\"";
          if (f == "a") {
            words.push_back({"COUNT", "(" + star + " | " + agg_args + ")", true});
            for (const char* a : {"SUM", "AVG", "MIN", "MAX"}) words.push_back({a, agg_args, true});
          }
          for (const auto& fn : d.functions) {
            std::string call = "ows \"(\" ows " + arg;
            if (fn.max_args > 1) call += " (ows \",\" ows " + arg + ")" + bound(fn.min_args - 1, fn.max_args - 1);
            words.push_back({fn.name, call + " ows \")\"", true});
          }
          words.push_back({"CASE",
                           "(sp " + arg + ")? (sp " + kw("WHEN") + " sp " + arg + " sp " + kw("THEN") + " sp " + arg +
                               ")" + bound(1, 3) + " (sp " + kw("ELSE") + " sp " + arg + ")? sp " + kw("END"),
                           true});
          words.push_back({"CAST", "ows \"(\" ows " + arg + " sp " + as + " sp type-name ows \")\"", true});
          words.push_back({"EXISTS", "ows \"(\" ows " + sub + " ows \")\"", true});
          if (d.extract) {
            words.push_back(
                {"EXTRACT", "ows \"(\" ows date-part sp " + kw("FROM") + " sp " + arg + " ows \")\"", true});
          }
        } else if (f == "a") {
          words.push_back({"COUNT", star, true});
        }
        std::string prim_body = "literal | " + word_tree(words);
        if (!last) prim_body += " | \"(\" ows (" + arg + " | " + sub + ") ows \")\"";
        rule(prim, prim_body);
      }
      std::vector<Word> order_words = s.columns;
      order_words.push_back({"COUNT", "ows \"(\" ows \"*\" ows \")\"", true});
      if (!last) {
        for (const char* a : {"SUM", "AVG", "MIN", "MAX"}) {
          order_words.push_back({a, "ows \"(\" ows (" + kw("DISTINCT") + " sp)? nexpr-" + deeper + " ows \")\"", true});
        }
      }
      rule("order-" + n, kw("ORDER") + " sp " + kw("BY") + " sp oitem-" + n + " dir (ows \",\" ows oitem-" + n +
                             " dir)" + bound(0, 2));
      rule("oitem-" + n, word_tree(order_words));
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
    rule("select-" + sk, "(" + items + ") sp from-" + sk + " tailq-" + sk + "-0");
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
  // "SELECT [DISTINCT]" once, before the scopes part ways.
  rule("root",
       "(" + kw("SELECT") + " (sp " + kw("DISTINCT") + ")? sp (" + alternatives(selects) + ") | compound) ows \";\"");
  return g;
}

}  // namespace t2sql
