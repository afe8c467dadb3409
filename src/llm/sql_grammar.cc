#include "llm/sql_grammar.h"

#include <algorithm>
#include <cctype>
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
  (void)tables;  // names are the scope checker's business (sql_scope_checker.h)
  // ClickHouse 18.16: no CTE subqueries, UNION ALL only, no typed literals or
  // ILIKE, [..] arrays, `x` names and backslash escapes inside quotes.
  const bool clickhouse = options.dialect == "clickhouse";
  const bool sqlite = !clickhouse && options.dialect != "duckdb" && options.dialect != "postgresql" &&
                      options.dialect != "postgres";
  std::string g;
  auto rule = [&](const std::string& name, const std::string& body) { g += name + " ::= " + body + "\n"; };
  auto any_kw = [](std::initializer_list<const char*> words) {
    std::string out = "(";
    for (const char* w : words) out += (out.size() > 1 ? " | " : "") + kw(w);
    return out + ")";
  };

  if (options.think) {
    rule("root", "prose \"```sql\" [ \\t]* \"\\n\" w query w \";\"? w \"```\"");
    rule("prose", "([^`] | \"`\" [^`] | \"``\" [^`])*");
  } else {
    rule("root", "query w \";\"");
  }
  // Optional and required white space; comments are left out ("--" would
  // hide the rest of a line from the engine but not from the grammar).
  rule("w", "[ \\t\\n\\r]*");
  rule("s", "[ \\t\\n\\r]+");
  rule("query", (clickhouse ? "" : "(" + kw("WITH") + " s (" + kw("RECURSIVE") + " s)? cte (w \",\" w cte)* s)? ") +
                    std::string("compound (s order)? (s limit)?"));
  rule("cte", "name (w \"(\" w name (w \",\" w name)* w \")\")? s " + kw("AS") + " w \"(\" w query w \")\"");
  rule("compound", "select-term (s set-op s select-term)*");
  rule("set-op", clickhouse ? kw("UNION") + " s " + kw("ALL")
                            : "(" + kw("UNION") + " (s " + kw("ALL") + ")? | " + kw("INTERSECT") + " | " + kw("EXCEPT") +
                                  ")");
  rule("select-term", "select-core | \"(\" w query w \")\"");
  rule("select-core", kw("SELECT") + " (s " + any_kw({"DISTINCT", "ALL"}) + ")? s-or-paren select-list (s " +
                          kw("FROM") + " s-or-paren from-list)? (s " + kw("WHERE") + " s-or-paren expr)? (s " +
                          kw("GROUP") + " s " + kw("BY") + " s-or-paren expr-list)? (s " + kw("HAVING") +
                          " s-or-paren expr)?");
  rule("s-or-paren", "s");
  rule("select-list", "item (w \",\" w item)*");
  rule("item", "\"*\" | name \".\" \"*\" | expr ((s " + kw("AS") + ")? s alias)?");
  rule("alias", "name | string");
  rule("from-list", "table-ref (w \",\" w table-ref | s join)*");
  rule("table-ref", "(name (\".\" name)? | \"(\" w (query | from-list) w \")\") ((s " + kw("AS") + ")? s alias)?");
  rule("join", "(" + kw("NATURAL") + " s)? (" + any_kw({"LEFT", "RIGHT", "FULL"}) + " (s " + kw("OUTER") + ")? s | " +
                   any_kw({"INNER", "CROSS"}) + " s)? " + kw("JOIN") + " s table-ref (s " + kw("ON") + " s expr | s " +
                   kw("USING") + " w \"(\" w name (w \",\" w name)* w \")\")?");
  rule("order", kw("ORDER") + " s " + kw("BY") + " s oitem (w \",\" w oitem)*");
  rule("oitem",
       "expr (s " + any_kw({"ASC", "DESC"}) + ")? (s " + kw("NULLS") + " s " + any_kw({"FIRST", "LAST"}) + ")?");
  rule("limit", kw("LIMIT") + " s expr ((s " + kw("OFFSET") + " s | w \",\" w) expr)? | " + kw("OFFSET") + " s expr");
  rule("expr-list", "expr (w \",\" w expr)*");
  // Operators are read flat, left to right: precedence is the engine's
  // business, the grammar only keeps operands and operators in turn.
  rule("expr", std::string("term (w sym-op w term | s word-op s term | s postfix") +
                   (sqlite || clickhouse ? "" : " | w \"::\" w type") + ")*");
  std::string sym =
      "\"=\" | \"==\" | \"!=\" | \"<>\" | \"<=\" | \">=\" | \"<\" | \">\" | \"+\" | \"-\" | \"*\" | \"/\" | "
      "\"%\" | \"||\" | \"&\" | \"|\" | \"<<\" | \">>\"";
  if (!sqlite && !clickhouse) sym += " | \"->>\" | \"->\" | \"~\" | \"!~\" | \"~*\" | \"!~*\" | \"^\"";
  rule("sym-op", sym);
  std::string like = clickhouse ? any_kw({"LIKE", "BETWEEN"})
                     : sqlite   ? any_kw({"LIKE", "GLOB", "REGEXP", "MATCH", "BETWEEN"})
                                : any_kw({"LIKE", "ILIKE", "BETWEEN", "SIMILAR", "GLOB"}) + " (s " + kw("TO") + ")?";
  rule("word-op", kw("AND") + " | " + kw("OR") + " | (" + kw("NOT") + " s)? " + like + " | " + kw("IS") + " (s " +
                      kw("NOT") + ")? (s " + kw("DISTINCT") + " s " + kw("FROM") + ")? | " + kw("ESCAPE"));
  std::string postfix = "(" + kw("NOT") + " s)? " + kw("IN") + " w \"(\" w (query | expr-list)? w \")\" | " +
                        any_kw({"ISNULL", "NOTNULL"}) + " | " + kw("COLLATE") + " s name";
  rule("postfix", postfix);
  rule("term", "(unary)* primary");
  // A second "-" right after one would open a comment: "- -1" keeps a space.
  rule("unary", "\"-\" s | \"-\" | \"+\" w | \"~\" w | " + kw("NOT") + " s");
  std::string primary = std::string("literal | ") + (clickhouse ? "" : "typed-literal | ") +
                        "ref | call | case | cast | extract | \"(\" w (query | expr-list) w \")\"";
  if (clickhouse) primary += " | \"[\" w expr-list? w \"]\"";
  if (!sqlite && !clickhouse) primary += " | " + kw("ARRAY") + " w \"[\" w expr-list? w \"]\"";
  rule("primary", primary);
  rule("ref", "name (\".\" name)?");
  rule("call", "name w \"(\" w (\"*\" | (" + kw("DISTINCT") + " s)? expr-list (s order)? | query)? w \")\" (w " +
                   kw("FILTER") + " w \"(\" w " + kw("WHERE") + " s expr w \")\")? (s " + kw("OVER") +
                   " w (window | name))?");
  rule("window", "\"(\" w (" + kw("PARTITION") + " s " + kw("BY") + " s expr-list w)? (order w)? (frame w)? \")\"");
  rule("frame",
       any_kw({"ROWS", "RANGE", "GROUPS"}) + " s (" + kw("BETWEEN") + " s bound s " + kw("AND") + " s bound | bound)");
  rule("bound", kw("UNBOUNDED") + " s " + any_kw({"PRECEDING", "FOLLOWING"}) + " | " + kw("CURRENT") + " s " +
                    kw("ROW") + " | expr s " + any_kw({"PRECEDING", "FOLLOWING"}));
  rule("case", kw("CASE") + " (s expr)? (s " + kw("WHEN") + " s expr s " + kw("THEN") + " s expr)+ (s " + kw("ELSE") +
                   " s expr)? s " + kw("END"));
  rule("cast", kw("CAST") + " w \"(\" w expr s " + kw("AS") + " s type w \")\"");
  rule("type", "name (s name)? (w \"(\" w [0-9]+ (w \",\" w [0-9]+)? w \")\")?");
  rule("extract", kw("EXTRACT") + " w \"(\" w name s " + kw("FROM") + " s expr w \")\"");
  rule("typed-literal", any_kw({"DATE", "TIME", "TIMESTAMP", "INTERVAL"}) + " s string (s name)?");
  rule("literal", "number | string");
  rule("number", "[0-9]+ (\".\" [0-9]*)? ([eE] [-+]? [0-9]+)? | \".\" [0-9]+ ([eE] [-+]? [0-9]+)?");
  rule("string", clickhouse ? "\"'\" ([^'\\\\] | \"''\" | \"\\\\\" [^\\n])* \"'\"" : "\"'\" ([^'] | \"''\")* \"'\"");
  std::string name = "[a-zA-Z_] [a-zA-Z0-9_$]* | \"\\\"\" ([^\"] | \"\\\"\\\"\")+ \"\\\"\"";
  if (sqlite) name += " | \"`\" [^`]+ \"`\" | \"[\" [^\\]]+ \"]\"";
  if (clickhouse) name += " | \"`\" ([^`\\\\] | \"\\\\\" [^\\n])+ \"`\"";
  rule("name", name);
  return g;
}

}  // namespace t2sql
