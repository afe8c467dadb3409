#include "sql/sql_normalizer.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "sql/sql_lexer.h"

namespace t2sql {

namespace {

using Tokens = std::vector<SqlToken>;
using Range = std::pair<size_t, size_t>;  // [begin, end) into a token vector

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_word(const SqlToken& t, const char* upper) { return t.is_word(upper); }

bool is_aggregate(const SqlToken& t) {
  return is_word(t, "COUNT") || is_word(t, "SUM") || is_word(t, "AVG") || is_word(t, "MIN") || is_word(t, "MAX");
}

// Index of the matching ')' for the '(' at `open`, or end when unbalanced.
size_t matching_paren(const Tokens& t, size_t open, size_t end) {
  int depth = 0;
  for (size_t i = open; i < end; ++i) {
    if (t[i].is_punct('(')) ++depth;
    if (t[i].is_punct(')') && --depth == 0) return i;
  }
  return end;
}

std::string shape_to_line(const SqlShape& s);

class Reader {
 public:
  explicit Reader(const Tokens& tokens) : t_(tokens) {}

  SqlShape read(Range r);
  std::string canon(Range r, const std::vector<std::pair<std::string, std::string>>* aliases = nullptr);

 private:
  // Positions at depth 0 in `r` where `pred` holds.
  template <typename Pred>
  std::vector<size_t> top_level(Range r, Pred pred) const {
    std::vector<size_t> out;
    int depth = 0;
    for (size_t i = r.first; i < r.second; ++i) {
      if (t_[i].is_punct('(')) ++depth;
      else if (t_[i].is_punct(')')) --depth;
      else if (depth == 0 && pred(i)) out.push_back(i);
    }
    return out;
  }
  std::vector<Range> split_commas(Range r) const;
  void split_conditions(Range r, std::vector<Range>& conds, std::vector<std::string>& connectors) const;
  std::string canon_condition(Range r, const std::vector<std::pair<std::string, std::string>>* aliases);
  void count_in(Range r, SqlShape& s, bool condition);
  std::string normalize_sql_range(size_t begin, size_t end) { return shape_to_line(read({begin, end})); }

  const Tokens& t_;
};

std::vector<Range> Reader::split_commas(Range r) const {
  std::vector<Range> out;
  size_t start = r.first;
  for (size_t p : top_level(r, [&](size_t i) { return t_[i].is_punct(','); })) {
    out.push_back({start, p});
    start = p + 1;
  }
  if (start < r.second) out.push_back({start, r.second});
  return out;
}

void Reader::split_conditions(Range r, std::vector<Range>& conds, std::vector<std::string>& connectors) const {
  size_t start = r.first;
  bool in_between = false;
  int depth = 0;
  for (size_t i = r.first; i < r.second; ++i) {
    if (t_[i].is_punct('(')) { ++depth; continue; }
    if (t_[i].is_punct(')')) { --depth; continue; }
    if (depth != 0) continue;
    if (is_word(t_[i], "BETWEEN")) { in_between = true; continue; }
    bool is_and = is_word(t_[i], "AND"), is_or = is_word(t_[i], "OR");
    if (is_and && in_between) { in_between = false; continue; }
    if (is_and || is_or) {
      if (i > start) conds.push_back({start, i});
      connectors.push_back(is_and ? "and" : "or");
      start = i + 1;
    }
  }
  if (start < r.second) conds.push_back({start, r.second});
}

std::string Reader::canon(Range r, const std::vector<std::pair<std::string, std::string>>* aliases) {
  std::string out;
  auto append = [&](const std::string& piece) {
    if (!out.empty()) out += ' ';
    out += piece;
  };
  for (size_t i = r.first; i < r.second; ++i) {
    const SqlToken& tok = t_[i];
    // A nested SELECT: its own canonical form.
    if (tok.is_punct('(') && i + 1 < r.second && (is_word(t_[i + 1], "SELECT") || is_word(t_[i + 1], "WITH"))) {
      size_t close = matching_paren(t_, i, r.second);
      append("(" + normalize_sql_range(i + 1, close) + ")");
      i = close;
      continue;
    }
    // Qualified name: drop the qualifier (table or alias).
    if ((tok.kind == SqlTokenKind::kWord || tok.kind == SqlTokenKind::kQuotedName) && i + 2 < r.second &&
        t_[i + 1].is_punct('.') &&
        (t_[i + 2].kind == SqlTokenKind::kWord || t_[i + 2].kind == SqlTokenKind::kQuotedName ||
         t_[i + 2].is_punct('*'))) {
      continue;  // the '.' is skipped next
    }
    if (tok.is_punct('.') && i > r.first && i + 1 < r.second) continue;
    switch (tok.kind) {
      case SqlTokenKind::kWord: {
        std::string w = lower(tok.text);
        if (aliases && r.second - r.first == 1) {
          for (const auto& [alias, expr] : *aliases) {
            if (alias == w) w = expr;
          }
        }
        append(w);
        break;
      }
      case SqlTokenKind::kQuotedName:
        // SQLite reads "x" as a string when no column is named x; Spider's gold
        // queries rely on that, so double quotes read as strings here.
        if (tok.text.front() == '"') {
          append("'" + tok.text.substr(1, tok.text.size() - 2) + "'");
        } else {
          append(lower(tok.text.substr(1, tok.text.size() - 2)));
        }
        break;
      case SqlTokenKind::kString: append(tok.text); break;
      case SqlTokenKind::kNumber: append(lower(tok.text)); break;
      case SqlTokenKind::kPunct:
        if (tok.text == "<>") append("!=");
        else if (tok.text == "==") append("=");
        else if (tok.is_punct(';')) break;
        else append(tok.text);
        break;
      case SqlTokenKind::kParam: append(tok.text); break;
    }
  }
  return out;
}

std::string Reader::canon_condition(Range r, const std::vector<std::pair<std::string, std::string>>* aliases) {
  // `a = b` and `b = a` are the same condition.
  auto eq = top_level(r, [&](size_t i) {
    return t_[i].kind == SqlTokenKind::kPunct &&
           (t_[i].text == "=" || t_[i].text == "==" || t_[i].text == "!=" || t_[i].text == "<>");
  });
  if (eq.size() == 1) {
    std::string op = t_[eq[0]].text == "=" || t_[eq[0]].text == "==" ? "=" : "!=";
    std::string lhs = canon({r.first, eq[0]}, aliases), rhs = canon({eq[0] + 1, r.second}, aliases);
    if (rhs < lhs) std::swap(lhs, rhs);
    return lhs + " " + op + " " + rhs;
  }
  // Drop parentheses around a whole condition.
  if (r.second - r.first >= 2 && t_[r.first].is_punct('(') && matching_paren(t_, r.first, r.second) == r.second - 1 &&
      !is_word(t_[r.first + 1], "SELECT")) {
    return canon({r.first + 1, r.second - 1}, aliases);
  }
  return canon(r, aliases);
}

void Reader::count_in(Range r, SqlShape& s, bool condition) {
  int depth = 0;
  bool nested = false;
  for (size_t i = r.first; i < r.second; ++i) {
    if (t_[i].is_punct('(')) {
      if (i + 1 < r.second && is_word(t_[i + 1], "SELECT")) nested = true;
      ++depth;
    } else if (t_[i].is_punct(')')) {
      --depth;
    }
    if (is_aggregate(t_[i]) && i + 1 < r.second && t_[i + 1].is_punct('(')) {
      // Aggregates of nested SELECTs belong to those, not to this level.
      bool inside_nested = false;
      int d = 0;
      for (size_t j = i; j-- > r.first;) {
        if (t_[j].is_punct(')')) ++d;
        else if (t_[j].is_punct('(')) {
          if (d == 0 && j + 1 < r.second && is_word(t_[j + 1], "SELECT")) { inside_nested = true; break; }
          if (d > 0) --d;
        }
      }
      if (!inside_nested) ++s.aggregate_count;
    }
    if (condition && depth == 0 && is_word(t_[i], "LIKE")) ++s.like_count;
  }
  if (condition && nested) ++s.nested_in_conditions;
}

SqlShape Reader::read(Range r) {
  SqlShape s;
  s.text = canon(r);
  if (r.first >= r.second) return s;
  // Trailing semicolons.
  while (r.second > r.first && t_[r.second - 1].is_punct(';')) --r.second;
  // A statement wrapped in parentheses.
  if (t_[r.first].is_punct('(') && matching_paren(t_, r.first, r.second) == r.second - 1) {
    return read({r.first + 1, r.second - 1});
  }
  if (is_word(t_[r.first], "WITH")) {
    s.has_with = true;
    return s;
  }
  if (!is_word(t_[r.first], "SELECT")) return s;

  // Set operators split the statement: the left core, then the rest.
  auto setops = top_level(r, [&](size_t i) {
    return is_word(t_[i], "UNION") || is_word(t_[i], "INTERSECT") || is_word(t_[i], "EXCEPT");
  });
  if (!setops.empty()) {
    size_t p = setops.front();
    s.set_operator = lower(t_[p].text);
    size_t rhs_begin = p + 1;
    if (rhs_begin < r.second && is_word(t_[rhs_begin], "ALL")) {
      s.set_operator += " all";
      ++rhs_begin;
    }
    s.set_rhs = std::make_shared<SqlShape>(read({rhs_begin, r.second}));
    r.second = p;
    s.text = canon(r);
  }

  // Clause boundaries at depth 0.
  enum Clause { kSelect, kFrom, kWhere, kGroup, kHaving, kOrder, kLimit, kCount };
  size_t start[kCount], stop[kCount];
  for (int c = 0; c < kCount; ++c) start[c] = stop[c] = r.second;
  auto marks = top_level(r, [&](size_t i) {
    return is_word(t_[i], "SELECT") || is_word(t_[i], "FROM") || is_word(t_[i], "WHERE") ||
           (is_word(t_[i], "GROUP") && i + 1 < r.second && is_word(t_[i + 1], "BY")) || is_word(t_[i], "HAVING") ||
           (is_word(t_[i], "ORDER") && i + 1 < r.second && is_word(t_[i + 1], "BY")) || is_word(t_[i], "LIMIT");
  });
  std::vector<std::pair<int, size_t>> found;  // clause, first token after the keyword
  for (size_t m : marks) {
    const SqlToken& k = t_[m];
    if (k.is_word("SELECT")) found.push_back({kSelect, m + 1});
    else if (k.is_word("FROM")) found.push_back({kFrom, m + 1});
    else if (k.is_word("WHERE")) found.push_back({kWhere, m + 1});
    else if (k.is_word("GROUP")) found.push_back({kGroup, m + 2});
    else if (k.is_word("HAVING")) found.push_back({kHaving, m + 1});
    else if (k.is_word("ORDER")) found.push_back({kOrder, m + 2});
    else if (k.is_word("LIMIT")) found.push_back({kLimit, m + 1});
  }
  for (size_t i = 0; i < found.size(); ++i) {
    auto [clause, begin] = found[i];
    if (start[clause] != r.second) return s;  // a clause twice at one level: leave as text
    start[clause] = begin;
    stop[clause] = i + 1 < found.size() ? (found[i + 1].second - (found[i + 1].first == kGroup ||
                                                                   found[i + 1].first == kOrder ? 2 : 1))
                                         : r.second;
  }

  // SELECT list, with aliases remembered for ORDER BY / HAVING.
  std::vector<std::pair<std::string, std::string>> aliases;
  size_t sel = start[kSelect];
  if (sel < stop[kSelect] && is_word(t_[sel], "DISTINCT")) {
    s.distinct = true;
    ++sel;
  } else if (sel < stop[kSelect] && is_word(t_[sel], "ALL")) {
    ++sel;
  }
  for (Range item : split_commas({sel, stop[kSelect]})) {
    std::string alias;
    if (item.second - item.first >= 3 && is_word(t_[item.second - 2], "AS")) {
      alias = lower(t_[item.second - 1].text);
      item.second -= 2;
    } else if (item.second - item.first >= 2 && t_[item.second - 1].kind == SqlTokenKind::kWord &&
               (t_[item.second - 2].is_punct(')') || t_[item.second - 2].kind == SqlTokenKind::kWord)) {
      alias = lower(t_[item.second - 1].text);  // `SUM(x) total`, `name n`
      item.second -= 1;
    }
    if (!alias.empty() && (alias.front() == '"' || alias.front() == '`' || alias.front() == '[')) {
      alias = alias.substr(1, alias.size() - 2);
    }
    std::string expr = canon(item);
    if (!alias.empty()) aliases.push_back({alias, expr});
    s.select.push_back(expr);
    count_in(item, s, false);
  }

  // FROM: table units separated by commas and JOINs; ON conditions; aliases dropped.
  if (start[kFrom] < r.second) {
    Range from{start[kFrom], stop[kFrom]};
    std::vector<size_t> cuts = top_level(from, [&](size_t i) { return t_[i].is_punct(',') || is_word(t_[i], "JOIN"); });
    size_t unit_begin = from.first;
    cuts.push_back(from.second);
    for (size_t cut : cuts) {
      // The unit ends before join modifiers (LEFT OUTER, INNER, CROSS, NATURAL).
      size_t unit_end = cut;
      while (unit_end > unit_begin &&
             (is_word(t_[unit_end - 1], "LEFT") || is_word(t_[unit_end - 1], "RIGHT") ||
              is_word(t_[unit_end - 1], "FULL") || is_word(t_[unit_end - 1], "OUTER") ||
              is_word(t_[unit_end - 1], "INNER") || is_word(t_[unit_end - 1], "CROSS") ||
              is_word(t_[unit_end - 1], "NATURAL"))) {
        --unit_end;
      }
      if (unit_begin < unit_end) {
        auto on = top_level({unit_begin, unit_end}, [&](size_t i) { return is_word(t_[i], "ON"); });
        size_t table_end = on.empty() ? unit_end : on.front();
        if (!on.empty()) {
          std::vector<Range> conds;
          std::vector<std::string> connectors;
          split_conditions({on.front() + 1, unit_end}, conds, connectors);
          for (Range c : conds) {
            s.join_conditions.push_back(canon_condition(c, nullptr));
            count_in(c, s, true);
          }
          for (const auto& c : connectors) {
            if (c == "or") s.where_connectors.push_back("or");  // ORs in ON count like ORs in WHERE
          }
        }
        if (t_[unit_begin].is_punct('(')) {
          size_t close = matching_paren(t_, unit_begin, table_end);
          s.from.push_back("(" + normalize_sql_range(unit_begin + 1, close) + ")");
        } else {
          s.from.push_back(canon({unit_begin, unit_begin + 1}));
        }
      }
      unit_begin = cut + 1;
    }
  }

  if (start[kWhere] < r.second) {
    std::vector<Range> conds;
    split_conditions({start[kWhere], stop[kWhere]}, conds, s.where_connectors);
    for (Range c : conds) {
      s.where.push_back(canon_condition(c, &aliases));
      count_in(c, s, true);
    }
  }
  if (start[kGroup] < r.second) {
    for (Range g : split_commas({start[kGroup], stop[kGroup]})) {
      s.group_by.push_back(canon(g, &aliases));
      count_in(g, s, false);
    }
  }
  if (start[kHaving] < r.second) {
    std::vector<Range> conds;
    split_conditions({start[kHaving], stop[kHaving]}, conds, s.having_connectors);
    for (Range c : conds) {
      s.having.push_back(canon_condition(c, &aliases));
      count_in(c, s, true);
    }
  }
  if (start[kOrder] < r.second) {
    for (Range o : split_commas({start[kOrder], stop[kOrder]})) {
      std::string dir;
      if (o.second > o.first && (is_word(t_[o.second - 1], "ASC") || is_word(t_[o.second - 1], "DESC"))) {
        if (is_word(t_[o.second - 1], "DESC")) dir = " desc";
        --o.second;
      }
      s.order_by.push_back(canon(o, &aliases) + dir);
      count_in(o, s, false);
    }
  }
  if (start[kLimit] < r.second) s.limit = canon({start[kLimit], stop[kLimit]});
  s.parsed = true;
  return s;
}

std::string join_sorted(std::vector<std::string> items, const char* sep) {
  std::sort(items.begin(), items.end());
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

std::string join_in_order(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

std::string shape_to_line(const SqlShape& s) {
  if (!s.parsed) return s.text;
  std::string out = "select ";
  if (s.distinct) out += "distinct ";
  out += join_sorted(s.select, ", ");
  if (!s.from.empty()) out += " from " + join_sorted(s.from, ", ");
  // ON and WHERE conditions joined only by AND form one set, so
  // `FROM a JOIN b ON x = y` matches `FROM a, b WHERE x = y`.
  bool only_and = std::none_of(s.where_connectors.begin(), s.where_connectors.end(),
                               [](const std::string& c) { return c == "or"; });
  std::vector<std::string> conds = s.join_conditions;
  if (only_and) {
    conds.insert(conds.end(), s.where.begin(), s.where.end());
    if (!conds.empty()) out += " where " + join_sorted(conds, " and ");
  } else {
    if (!conds.empty()) out += " on " + join_sorted(conds, " and ");
    std::string where;
    for (size_t i = 0; i < s.where.size(); ++i) {
      where += (i ? " " + (i - 1 < s.where_connectors.size() ? s.where_connectors[i - 1] : std::string("and")) + " "
                  : "") +
               s.where[i];
    }
    out += " where " + where;
  }
  if (!s.group_by.empty()) out += " group by " + join_sorted(s.group_by, ", ");
  if (!s.having.empty()) {
    bool having_and = std::none_of(s.having_connectors.begin(), s.having_connectors.end(),
                                   [](const std::string& c) { return c == "or"; });
    out += " having " + (having_and ? join_sorted(s.having, " and ") : join_in_order(s.having, " ? "));
  }
  if (!s.order_by.empty()) out += " order by " + join_in_order(s.order_by, ", ");
  if (!s.limit.empty()) out += " limit " + s.limit;
  if (s.set_rhs) out += " " + s.set_operator + " " + shape_to_line(*s.set_rhs);
  return out;
}

}  // namespace

SqlShape parse_sql_shape(const std::string& sql) {
  SqlLexResult lexed = lex_sql(sql);
  if (!lexed.error.empty()) {
    SqlShape s;
    s.text = sql;
    return s;
  }
  Reader reader(lexed.tokens);
  return reader.read({0, lexed.tokens.size()});
}

std::string normalize_sql(const std::string& sql) { return shape_to_line(parse_sql_shape(sql)); }

bool sql_exact_set_match(const std::string& a, const std::string& b) { return normalize_sql(a) == normalize_sql(b); }

}  // namespace t2sql
