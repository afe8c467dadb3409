#include "generate/sql_grammar.h"

#include <algorithm>
#include <cctype>
#include <set>

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

bool plain_name(const std::string& name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
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

struct DialectParts {
  std::vector<std::string> functions;  // called as name(expr, ...)
  std::vector<std::string> types;      // CAST(... AS type)
  bool extract = false;                // EXTRACT(part FROM expr)
  bool date_literal = false;           // DATE '2024-01-01'
};

DialectParts dialect_parts(const std::string& dialect) {
  DialectParts d;
  d.functions = {"lower", "upper", "length", "abs", "round", "coalesce", "nullif", "substr", "replace", "trim"};
  if (dialect == "duckdb") {
    for (const char* f : {"date_trunc", "date_part", "year", "month", "day", "strftime", "ifnull"})
      d.functions.push_back(f);
    d.types = {"INTEGER", "BIGINT", "DOUBLE", "DECIMAL", "VARCHAR", "DATE", "TIMESTAMP"};
    d.extract = d.date_literal = true;
  } else if (dialect == "postgresql" || dialect == "postgres") {
    for (const char* f : {"date_trunc", "date_part", "to_char"}) d.functions.push_back(f);
    d.types = {"INTEGER", "BIGINT", "NUMERIC", "REAL", "TEXT", "VARCHAR", "DATE", "TIMESTAMP", "FLOAT"};
    d.extract = d.date_literal = true;
  } else {
    for (const char* f : {"strftime", "date", "datetime", "julianday", "ifnull", "instr"}) d.functions.push_back(f);
    d.types = {"INTEGER", "REAL", "TEXT", "NUMERIC"};
  }
  return d;
}

}  // namespace

std::vector<GrammarTable> grammar_tables_from_ddl(const std::string& ddl) {
  std::vector<GrammarTable> tables;
  SqlLexResult lexed = lex_sql(ddl);
  const auto& tk = lexed.tokens;
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
    bool element_start = true;
    int depth = 0;
    for (; j < tk.size(); ++j) {
      const SqlToken& t = tk[j];
      if (t.is_punct('(')) {
        ++depth;
      } else if (t.is_punct(')')) {
        if (depth == 0) break;
        --depth;
      } else if (t.is_punct(',') && depth == 0) {
        element_start = true;
        continue;
      } else if (element_start && depth == 0) {
        bool constraint = t.kind == SqlTokenKind::kWord &&
                          (t.is_word("PRIMARY") || t.is_word("FOREIGN") || t.is_word("UNIQUE") ||
                           t.is_word("CHECK") || t.is_word("CONSTRAINT"));
        if (!constraint && (t.kind == SqlTokenKind::kWord || t.kind == SqlTokenKind::kQuotedName ||
                            t.kind == SqlTokenKind::kString)) {
          table.columns.push_back(unquote(t));
        }
      }
      element_start = false;
    }
    i = j;
    if (!table.name.empty()) tables.push_back(std::move(table));
  }
  return tables;
}

std::string build_sql_grammar(const std::vector<GrammarTable>& tables, const SqlGrammarOptions& options) {
  DialectParts d = dialect_parts(options.dialect);
  const int max_depth = std::clamp(options.max_depth, 1, 6);
  std::string g;
  auto rule = [&](const std::string& name, const std::string& body) { g += name + " ::= " + body + "\n"; };
  auto bound = [](int n) { return "{0," + std::to_string(n) + "}"; };
  std::string as = kw("AS");

  rule("root", "query-0 ows \";\"");
  rule("sp", "(\" \" | \"\\n\" \" \"{0,4})");
  rule("ows", "sp?");

  // Rules that nest carry their depth: a subquery, a parenthesized
  // expression or a function argument goes one level deeper, and the deepest
  // level has only names and literals. With the bounded repetitions below,
  // every statement the grammar allows is finite, so even a model that has
  // learned nothing ends its statement.
  for (int level = 0; level <= max_depth; ++level) {
    const std::string n = "-" + std::to_string(level);
    const std::string deeper = "-" + std::to_string(std::min(level + 1, max_depth));
    const bool last = level == max_depth;
    auto r = [&](const std::string& name) { return name + n; };

    rule(r("query"), r("select-core") + " (sp set-op sp " + r("select-core") + ")" + bound(2) + " (sp " + r("order-by") +
                         ")? (sp limit)?");
    rule(r("select-core"), kw("SELECT") + " (sp " + kw("DISTINCT") + ")? sp " + r("select-list") + " sp " + kw("FROM") +
                               " sp " + r("from-clause") + " (sp " + r("where") + ")? (sp " + r("group-by") + ")? (sp " +
                               r("having") + ")?");
    rule(r("select-list"), r("select-item") + " (ows \",\" ows " + r("select-item") + ")" + bound(7));
    rule(r("select-item"), "\"*\" | table-alias \".*\" | " + r("expr") + " (sp " + as + " sp out-alias)?");
    rule(r("from-clause"), r("table-ref") + " (" + r("join") + ")" + bound(4));
    std::string table_ref = "table-name (sp (" + as + " sp)? table-alias)?";
    if (!last) table_ref += " | \"(\" ows query" + deeper + " ows \")\" sp (" + as + " sp)? table-alias";
    rule(r("table-ref"), table_ref);
    rule(r("join"), "ows \",\" ows " + r("table-ref") + " | sp join-kind sp " + r("table-ref") + " (sp " + kw("ON") +
                        " sp " + r("expr") + ")?");
    rule(r("where"), kw("WHERE") + " sp " + r("expr"));
    rule(r("group-by"), kw("GROUP") + " sp " + kw("BY") + " sp " + r("group-item") + " (ows \",\" ows " +
                            r("group-item") + ")" + bound(3));
    rule(r("group-item"), r("expr") + (options.output_alias_refs ? " | out-alias" : ""));
    rule(r("having"), kw("HAVING") + " sp " + r("expr"));
    rule(r("order-by"), kw("ORDER") + " sp " + kw("BY") + " sp " + r("order-item") + " (ows \",\" ows " +
                            r("order-item") + ")" + bound(3));
    rule(r("order-item"), "(" + r("expr") + (options.output_alias_refs ? " | out-alias" : "") + ") (sp (" + kw("ASC") + " | " + kw("DESC") + "))?");

    rule(r("expr"), r("and-expr") + " (sp " + kw("OR") + " sp " + r("and-expr") + ")" + bound(3));
    rule(r("and-expr"), r("not-expr") + " (sp " + kw("AND") + " sp " + r("not-expr") + ")" + bound(4));
    rule(r("not-expr"), "(" + kw("NOT") + " sp)? " + r("predicate"));
    rule(r("predicate"), r("sum-expr") + " " + r("pred-tail") + "?");
    std::string neg = "(" + kw("NOT") + " sp)?";
    std::string in_list = last ? "literal-list" : "(query" + deeper + " | literal-list)";
    rule(r("pred-tail"), "ows cmp-op ows " + r("sum-expr") + " | sp " + neg + kw("IN") + " ows \"(\" ows " + in_list +
                             " ows \")\" | sp " + neg + kw("LIKE") + " sp (string | " + r("sum-expr") + ") | sp " + neg +
                             kw("BETWEEN") + " sp " + r("sum-expr") + " sp " + kw("AND") + " sp " + r("sum-expr") +
                             " | sp " + kw("IS") + " sp " + neg + kw("NULL"));
    rule(r("sum-expr"), r("mul-expr") + " (ows (\"+\" | \"-\" | \"||\") ows " + r("mul-expr") + ")" + bound(3));
    rule(r("mul-expr"), r("unary") + " (ows (\"*\" | \"/\" | \"%\") ows " + r("unary") + ")" + bound(2));
    rule(r("unary"), "\"-\"? " + r("primary"));
    std::string primary = "column-ref | literal | " + kw("COUNT") + " \"(\" ows \"*\" ows \")\"";
    if (!last) {
      primary += " | " + r("agg-call") + " | " + r("func-call") + " | " + r("case-expr") + " | " + r("cast-expr") +
                 " | \"(\" ows expr" + deeper + " ows \")\" | \"(\" ows query" + deeper + " ows \")\" | " +
                 kw("EXISTS") + " ows \"(\" ows query" + deeper + " ows \")\"";
      if (d.extract) primary += " | " + r("extract-expr");
      rule(r("agg-call"), "agg-name \"(\" ows (" + kw("DISTINCT") + " sp)? expr" + deeper + " ows \")\"");
      rule(r("func-call"), "func-name \"(\" ows expr" + deeper + " (ows \",\" ows expr" + deeper + ")" + bound(3) +
                               " ows \")\"");
      rule(r("case-expr"), kw("CASE") + " (sp expr" + deeper + ")? (sp " + kw("WHEN") + " sp expr" + deeper + " sp " +
                               kw("THEN") + " sp expr" + deeper + "){1,4} (sp " + kw("ELSE") + " sp expr" + deeper +
                               ")? sp " + kw("END"));
      rule(r("cast-expr"), kw("CAST") + " ows \"(\" ows expr" + deeper + " sp " + as + " sp type-name ows \")\"");
      if (d.extract) {
        rule(r("extract-expr"), kw("EXTRACT") + " \"(\" ows date-part sp " + kw("FROM") + " sp expr" + deeper +
                                    " ows \")\"");
      }
    }
    rule(r("primary"), primary);
  }

  rule("set-op", "(" + kw("UNION") + " (sp " + kw("ALL") + ")? | " + kw("INTERSECT") + " | " + kw("EXCEPT") + ")");
  rule("join-kind", "((" + kw("INNER") + " | " + kw("LEFT") + " (sp " + kw("OUTER") + ")? | " + kw("CROSS") +
                        ") sp)? " + kw("JOIN"));
  rule("limit", kw("LIMIT") + " sp integer (sp " + kw("OFFSET") + " sp integer)?");
  rule("cmp-op", "\"=\" | \"!=\" | \"<>\" | \"<=\" | \">=\" | \"<\" | \">\"");
  rule("literal-list", "literal (ows \",\" ows literal)" + bound(9));
  rule("agg-name", "(" + kw("COUNT") + " | " + kw("SUM") + " | " + kw("AVG") + " | " + kw("MIN") + " | " + kw("MAX") +
                       ")");
  std::vector<std::string> fns;
  for (const auto& f : d.functions) {
    std::string up = f;
    for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    fns.push_back(kw(up));
  }
  rule("func-name", "(" + alternatives(fns) + ")");
  std::vector<std::string> types;
  for (const auto& t : d.types) types.push_back(kw(t));
  rule("type-name", "(" + alternatives(types) + ")");
  if (d.extract) {
    std::vector<std::string> parts;
    for (const char* p : {"YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "DOW"}) parts.push_back(kw(p));
    rule("date-part", "(" + alternatives(parts) + ")");
  }
  std::string literal = "number | string | " + kw("NULL") + " | " + kw("TRUE") + " | " + kw("FALSE");
  if (d.date_literal) literal += " | " + kw("DATE") + " sp string";
  rule("literal", literal);
  rule("number", "[0-9]{1,12} (\".\" [0-9]{1,8})?");
  rule("integer", "[0-9]{1,9}");
  rule("string", "\"'\" ([^'\\n] | \"''\")" + bound(options.max_string_length) + " \"'\"");
  rule("out-alias", "[a-zA-Z_] [a-zA-Z0-9_]{0,30}");

  // The schema: only these names.
  std::vector<std::string> table_alts, all_cols, qualified;
  std::set<std::string> seen_cols;
  for (size_t t = 0; t < tables.size(); ++t) {
    const auto& table = tables[t];
    table_alts.push_back(lit(sql_name(table.name)));
    std::vector<std::string> cols;
    for (const auto& c : table.columns) {
      cols.push_back(lit(sql_name(c)));
      if (seen_cols.insert(sql_name(c)).second) all_cols.push_back(lit(sql_name(c)));
    }
    std::string cols_rule = "cols-" + std::to_string(t);
    rule(cols_rule, alternatives(cols));
    qualified.push_back(lit(sql_name(table.name) + ".") + " " + cols_rule);
  }
  rule("table-name", alternatives(table_alts));
  rule("any-column", alternatives(all_cols));
  rule("table-alias", "[a-zA-Z] [a-zA-Z0-9_]" + bound(std::max(0, options.max_alias_length - 1)));
  qualified.push_back("table-alias \".\" any-column");
  rule("column-ref", "any-column | " + alternatives(qualified));
  return g;
}

}  // namespace t2sql
