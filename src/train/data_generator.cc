// generate_training_data: question/SQL pairs from any schema. The roles of
// the columns are read from the catalog (measures: numeric non-key columns;
// dimensions: text columns with few distinct values; dates; names; foreign
// keys for joins up to two hops), a family of SQL shapes is instantiated over
// them (the design documents' sales questions: totals, filters, groups,
// top-k, time ranges, year comparisons, joins), each with several wordings.
// Every statement is run: an error or an empty result drops it.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "format/json_text.h"
#include "sql/sql_normalizer.h"
#include "t2sql/database.h"
#include "t2sql/train.h"
#include "train/training_text.h"

namespace t2sql {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// "brand_name" -> "brand", "unit_price" -> "unit price", "storeId" -> "store id".
std::string words_of(const std::string& identifier) {
  std::string out;
  for (size_t i = 0; i < identifier.size(); ++i) {
    const char c = identifier[i];
    if (c == '_' || c == '-' || c == ' ') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else if (std::isupper(static_cast<unsigned char>(c)) && i > 0 &&
               std::islower(static_cast<unsigned char>(identifier[i - 1]))) {
      out += ' ';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (ends_with(out, " name")) out = out.substr(0, out.size() - 5);
  return out;
}

std::string plural(const std::string& w) {
  if (w.empty() || ends_with(w, "s")) return w;
  if (ends_with(w, "y") && w.size() > 1 && std::string("aeiou").find(w[w.size() - 2]) == std::string::npos)
    return w.substr(0, w.size() - 1) + "ies";
  return w + "s";
}

std::string quote_ident(const std::string& name) {
  bool plain = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
  for (char c : name) plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  static const std::set<std::string> kReserved = {"order", "group", "select", "from", "where", "table", "month",
                                                  "year",  "date",  "user",   "limit", "by",    "to"};
  if (plain && !kReserved.count(lower(name))) return name;
  std::string q = "\"";
  for (char c : name) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string sql_literal(const std::string& v) {
  std::string q = "'";
  for (char c : v) q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}

bool is_numeric(const ColumnInfo& c) { return c.type == ValueType::kInteger || c.type == ValueType::kReal; }
bool is_date(const ColumnInfo& c) {
  const std::string t = lower(c.declared_type), n = lower(c.name);
  return c.type == ValueType::kDate || c.type == ValueType::kTimestamp || t.find("date") != std::string::npos ||
         t.find("time") != std::string::npos;
}
bool is_key_like(const TableInfo& t, const ColumnInfo& c) {
  if (c.primary_key) return true;
  const std::string n = lower(c.name);
  if (n == "id" || ends_with(n, "_id") || ends_with(n, "id") && n.size() > 2 && std::isupper(c.name[n.size() - 2]))
    return true;
  for (const auto& fk : t.foreign_keys)
    for (const auto& col : fk.columns)
      if (lower(col) == n) return true;
  return false;
}

struct TableRoles {
  const TableInfo* table = nullptr;
  std::vector<const ColumnInfo*> measures, dims, dates, names;
  std::map<std::string, std::vector<std::string>> values;  // dim -> a few values
  std::vector<int> years;                                   // per first date column
  std::string date_col;
};

// A join path from a fact table to a table holding a dimension.
struct JoinPath {
  std::vector<std::pair<std::string, std::string>> hops;  // (table, "a.x = b.y")
  const TableRoles* target = nullptr;
};

struct Candidate {
  std::string shape, question, sql;
  std::vector<std::string> tables;
};

class Generator {
 public:
  Generator(Database& db, const Catalog& catalog, const GenDataOptions& o) : db_(db), catalog_(catalog), o_(o) {}

  std::vector<Candidate> run() {
    analyse();
    for (const auto& r : roles_) single_table(r);
    for (const auto& r : roles_) joins(r);
    return std::move(out_);
  }

 private:
  void analyse() {
    for (const auto& t : catalog_.tables) {
      TableRoles r;
      r.table = &t;
      for (const auto& c : t.columns) {
        if (is_date(c)) {
          r.dates.push_back(&c);
        } else if (is_key_like(t, c)) {
          continue;
        } else if (is_numeric(c)) {
          r.measures.push_back(&c);
        } else if (c.type == ValueType::kText) {
          // A dimension when it has few distinct values; else a name.
          auto rs = db_.execute("SELECT COUNT(DISTINCT " + quote_ident(c.name) + ") FROM " + quote_ident(t.name),
                                {.timeout_ms = 5000, .max_rows = 1});
          const int64_t distinct = rs.ok() && !rs->rows.empty() ? static_cast<int64_t>(rs->rows[0][0].as_double()) : 0;
          if (distinct >= 2 && distinct <= 40 && distinct * 2 <= std::max<int64_t>(t.row_count, 4)) {
            r.dims.push_back(&c);
            auto vs = db_.execute("SELECT " + quote_ident(c.name) + ", COUNT(*) FROM " + quote_ident(t.name) +
                                      " WHERE " + quote_ident(c.name) + " IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 6",
                                  {.timeout_ms = 5000, .max_rows = 6});
            if (vs.ok())
              for (const auto& row : vs->rows) r.values[c.name].push_back(row[0].to_string());
          } else if (distinct > 0) {
            r.names.push_back(&c);
            auto vs = db_.execute("SELECT " + quote_ident(c.name) + " FROM " + quote_ident(t.name) + " WHERE " +
                                      quote_ident(c.name) + " IS NOT NULL ORDER BY 1 LIMIT 4",
                                  {.timeout_ms = 5000, .max_rows = 4});
            if (vs.ok())
              for (const auto& row : vs->rows) r.values[c.name].push_back(row[0].to_string());
          }
        }
      }
      if (!r.dates.empty()) {
        r.date_col = r.dates[0]->name;
        auto rs = db_.execute("SELECT MIN(" + quote_ident(r.date_col) + "), MAX(" + quote_ident(r.date_col) +
                                  ") FROM " + quote_ident(t.name),
                              {.timeout_ms = 5000, .max_rows = 1});
        if (rs.ok() && !rs->rows.empty() && !rs->rows[0][0].is_null()) {
          const int y0 = std::atoi(rs->rows[0][0].to_string().substr(0, 4).c_str());
          const int y1 = std::atoi(rs->rows[0][1].to_string().substr(0, 4).c_str());
          for (int y = y0; y0 > 1800 && y <= y1 && y < y0 + 6; ++y) r.years.push_back(y);
        }
      }
      roles_.push_back(std::move(r));
    }
  }

  const TableRoles* roles_of(const std::string& table) const {
    for (const auto& r : roles_)
      if (lower(r.table->name) == lower(table)) return &r;
    return nullptr;
  }

  // Adds one query under several wordings; `wordings` use {} placeholders already filled.
  void add(const std::string& shape, const std::vector<std::string>& wordings, const std::string& sql,
           std::vector<std::string> tables) {
    int& count = per_shape_[shape];
    if (count >= o_.max_per_shape) return;
    ++count;
    const int n = std::min<int>(static_cast<int>(wordings.size()), std::max(1, o_.paraphrases));
    for (int i = 0; i < n; ++i) out_.push_back({shape, wordings[static_cast<size_t>(i)], sql, tables});
  }

  static std::string year_range(const std::string& col, int y) {
    return col + " >= '" + std::to_string(y) + "-01-01' AND " + col + " < '" + std::to_string(y + 1) + "-01-01'";
  }

  void single_table(const TableRoles& r) {
    const std::string t = quote_ident(r.table->name);
    const std::string tw = plural(words_of(r.table->name));
    add("count_rows", {"How many " + tw + " are there?", "Count the " + tw + ".", "What is the number of " + tw + "?"},
        "SELECT COUNT(*) FROM " + t, {r.table->name});
    for (const ColumnInfo* m : r.measures) {
      const std::string mc = quote_ident(m->name), mw = words_of(m->name);
      add("sum_measure", {"What is the total " + mw + " of all " + tw + "?", "Sum of " + mw + " over all " + tw,
                          "Total " + mw + " in " + tw},
          "SELECT SUM(" + mc + ") FROM " + t, {r.table->name});
      add("avg_measure", {"What is the average " + mw + " of " + tw + "?", "Mean " + mw + " per " + words_of(r.table->name),
                          "Average " + mw + " across " + tw},
          "SELECT AVG(" + mc + ") FROM " + t, {r.table->name});
      add("max_measure", {"What is the highest " + mw + " among " + tw + "?", "Maximum " + mw + " of " + tw,
                          "Largest " + mw + " in " + tw},
          "SELECT MAX(" + mc + ") FROM " + t, {r.table->name});
      for (const ColumnInfo* d : r.dims) {
        const std::string dc = quote_ident(d->name), dw = words_of(d->name);
        add("group_sum", {"Total " + mw + " by " + dw, "What is the total " + mw + " for each " + dw + "?",
                          "Show " + mw + " summed per " + dw},
            "SELECT " + dc + ", SUM(" + mc + ") AS total_" + m->name + " FROM " + t + " GROUP BY " + dc + " ORDER BY " + dc,
            {r.table->name});
        for (int k : {3, 5}) {
          add("topk_group", {"Top " + std::to_string(k) + " " + plural(dw) + " by total " + mw,
                             "Which " + std::to_string(k) + " " + plural(dw) + " have the highest total " + mw + "?",
                             "List the " + std::to_string(k) + " " + plural(dw) + " with the most " + mw},
              "SELECT " + dc + ", SUM(" + mc + ") AS total_" + m->name + " FROM " + t + " GROUP BY " + dc +
                  " ORDER BY total_" + m->name + " DESC LIMIT " + std::to_string(k),
              {r.table->name});
        }
        auto vit = r.values.find(d->name);
        if (vit != r.values.end())
          for (const std::string& v : vit->second) {
            add("filter_sum", {"What is the total " + mw + " for " + dw + " " + v + "?", "Total " + mw + " where " + dw + " is " + v,
                               "Sum of " + mw + " of " + tw + " in " + v},
                "SELECT SUM(" + mc + ") FROM " + t + " WHERE " + dc + " = " + sql_literal(v), {r.table->name});
          }
      }
      if (!r.date_col.empty()) {
        const std::string dc = quote_ident(r.date_col);
        for (int y : r.years) {
          const std::string ys = std::to_string(y);
          add("year_sum", {"What was the total " + mw + " in " + ys + "?", "Total " + mw + " for " + ys,
                           mw + " in the year " + ys},
              "SELECT SUM(" + mc + ") FROM " + t + " WHERE " + year_range(dc, y), {r.table->name});
          for (int month : {1, 6, 11}) {
            char from[16], to[16];
            std::snprintf(from, sizeof from, "%d-%02d-01", y, month);
            std::snprintf(to, sizeof to, "%d-%02d-01", month == 12 ? y + 1 : y, month == 12 ? 1 : month + 1);
            static const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                            "July",    "August",   "September", "October", "November", "December"};
            const std::string mn = std::string(kMonths[month - 1]) + " " + ys;
            add("month_sum", {"Total " + mw + " in " + mn, "What was the " + mw + " in " + mn + "?",
                              "Sum of " + mw + " during " + mn},
                "SELECT SUM(" + mc + ") FROM " + t + " WHERE " + dc + " >= '" + from + "' AND " + dc + " < '" + to + "'",
                {r.table->name});
          }
        }
        for (size_t i = 0; i + 1 < r.years.size(); ++i) {
          const int a = r.years[i], b = r.years[i + 1];
          const std::string as = std::to_string(a), bs = std::to_string(b);
          add("year_compare", {mw + " comparison " + as + " vs " + bs, "Compare total " + mw + " in " + as + " and " + bs,
                               "How did " + mw + " in " + bs + " compare to " + as + "?"},
              "SELECT SUM(CASE WHEN " + year_range(dc, a) + " THEN " + mc + " END) AS total_" + as + ", SUM(CASE WHEN " +
                  year_range(dc, b) + " THEN " + mc + " END) AS total_" + bs + " FROM " + t,
              {r.table->name});
        }
      }
    }
    for (const ColumnInfo* d : r.dims) {
      const std::string dc = quote_ident(d->name), dw = words_of(d->name);
      add("group_count", {"How many " + tw + " are there per " + dw + "?", "Number of " + tw + " by " + dw,
                          "Count " + tw + " for each " + dw},
          "SELECT " + dc + ", COUNT(*) AS n FROM " + t + " GROUP BY " + dc + " ORDER BY " + dc, {r.table->name});
      add("count_distinct", {"How many different " + plural(dw) + " are there?", "Number of distinct " + plural(dw),
                             "Count the distinct " + plural(dw) + " of " + tw},
          "SELECT COUNT(DISTINCT " + dc + ") FROM " + t, {r.table->name});
      auto vit = r.values.find(d->name);
      if (vit == r.values.end()) continue;
      for (const std::string& v : vit->second) {
        add("filter_count", {"How many " + tw + " have " + dw + " " + v + "?", "Count " + tw + " where " + dw + " is " + v,
                             "Number of " + tw + " in " + v},
            "SELECT COUNT(*) FROM " + t + " WHERE " + dc + " = " + sql_literal(v), {r.table->name});
        for (const ColumnInfo* nm : r.names)
          add("filter_list", {"List the " + plural(words_of(nm->name)) + " of " + tw + " with " + dw + " " + v,
                              "Which " + tw + " are in " + v + "?", "Show " + words_of(nm->name) + " for " + tw + " where " + dw + " is " + v},
              "SELECT " + quote_ident(nm->name) + " FROM " + t + " WHERE " + dc + " = " + sql_literal(v) + " ORDER BY " +
                  quote_ident(nm->name),
              {r.table->name});
      }
    }
    for (const ColumnInfo* nm : r.names)
      for (const ColumnInfo* m : r.measures) {
        const std::string nw = words_of(nm->name), mw = words_of(m->name);
        add("argmax", {"Which " + nw + " has the highest " + mw + "?", "The " + nw + " with the largest " + mw,
                       "Name the " + nw + " with maximum " + mw},
            "SELECT " + quote_ident(nm->name) + " FROM " + t + " ORDER BY " + quote_ident(m->name) + " DESC LIMIT 1",
            {r.table->name});
      }
  }

  // Paths of foreign keys from `from`, one or two hops.
  std::vector<JoinPath> paths_from(const TableRoles& from) const {
    std::vector<JoinPath> out;
    const std::string a = quote_ident(from.table->name);
    for (const auto& fk : from.table->foreign_keys) {
      const TableRoles* r1 = roles_of(fk.ref_table);
      if (!r1 || fk.columns.size() != 1 || fk.ref_columns.size() != 1) continue;
      const std::string b = quote_ident(r1->table->name);
      JoinPath p1;
      p1.hops.push_back({r1->table->name, a + "." + quote_ident(fk.columns[0]) + " = " + b + "." + quote_ident(fk.ref_columns[0])});
      p1.target = r1;
      out.push_back(p1);
      for (const auto& fk2 : r1->table->foreign_keys) {
        const TableRoles* r2 = roles_of(fk2.ref_table);
        if (!r2 || r2 == &from || fk2.columns.size() != 1 || fk2.ref_columns.size() != 1) continue;
        JoinPath p2 = p1;
        p2.hops.push_back({r2->table->name, b + "." + quote_ident(fk2.columns[0]) + " = " + quote_ident(r2->table->name) +
                                                "." + quote_ident(fk2.ref_columns[0])});
        p2.target = r2;
        out.push_back(p2);
      }
    }
    return out;
  }

  void joins(const TableRoles& fact) {
    if (fact.measures.empty()) return;
    const std::string f = quote_ident(fact.table->name);
    for (const JoinPath& p : paths_from(fact)) {
      std::string from = f;
      std::vector<std::string> tables = {fact.table->name};
      for (const auto& [t, on] : p.hops) {
        from += " JOIN " + quote_ident(t) + " ON " + on;
        tables.push_back(t);
      }
      const TableRoles& dim_t = *p.target;
      const std::string dt = quote_ident(dim_t.table->name);
      std::vector<const ColumnInfo*> group_cols = dim_t.dims;
      group_cols.insert(group_cols.end(), dim_t.names.begin(), dim_t.names.end());
      for (const ColumnInfo* m : fact.measures) {
        const std::string mc = f + "." + quote_ident(m->name), mw = words_of(m->name);
        for (const ColumnInfo* d : group_cols) {
          const std::string dc = dt + "." + quote_ident(d->name), dw = words_of(d->name);
          add("join_group_sum", {"Total " + mw + " by " + dw, "What is the total " + mw + " for each " + dw + "?",
                                 mw + " per " + dw},
              "SELECT " + dc + ", SUM(" + mc + ") AS total_" + m->name + " FROM " + from + " GROUP BY " + dc +
                  " ORDER BY " + dc,
              tables);
          add("join_topk", {"Top 5 " + plural(dw) + " by " + mw, "Which 5 " + plural(dw) + " have the highest " + mw + "?",
                            "The five " + plural(dw) + " with the most " + mw},
              "SELECT " + dc + ", SUM(" + mc + ") AS total_" + m->name + " FROM " + from + " GROUP BY " + dc +
                  " ORDER BY total_" + m->name + " DESC LIMIT 5",
              tables);
          auto vit = dim_t.values.find(d->name);
          if (vit != dim_t.values.end())
            for (const std::string& v : vit->second) {
              add("join_filter_sum", {"What is the total " + mw + " for " + v + "?", "Total " + mw + " of " + dw + " " + v,
                                      mw + " where " + dw + " is " + v},
                  "SELECT SUM(" + mc + ") FROM " + from + " WHERE " + dc + " = " + sql_literal(v), tables);
              if (!fact.date_col.empty())
                for (int y : fact.years)
                  add("join_filter_year_sum",
                      {"Total " + mw + " for " + v + " in " + std::to_string(y),
                       "What was the " + mw + " of " + dw + " " + v + " in " + std::to_string(y) + "?",
                       v + " " + mw + " during " + std::to_string(y)},
                      "SELECT SUM(" + mc + ") FROM " + from + " WHERE " + dc + " = " + sql_literal(v) + " AND " +
                          year_range(f + "." + quote_ident(fact.date_col), y),
                      tables);
            }
        }
      }
      // Counting facts per dimension value of the joined table.
      for (const ColumnInfo* d : dim_t.dims) {
        const std::string dc = dt + "." + quote_ident(d->name), dw = words_of(d->name);
        const std::string fw = plural(words_of(fact.table->name));
        add("join_group_count", {"Number of " + fw + " by " + dw, "How many " + fw + " per " + dw + "?",
                                 "Count " + fw + " for each " + dw},
            "SELECT " + dc + ", COUNT(*) AS n FROM " + from + " GROUP BY " + dc + " ORDER BY " + dc, tables);
      }
    }
  }

  Database& db_;
  const Catalog& catalog_;
  const GenDataOptions& o_;
  std::vector<TableRoles> roles_;
  std::map<std::string, int> per_shape_;
  std::vector<Candidate> out_;
};

std::string normalized(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '?' || out.back() == '.')) out.pop_back();
  return out;
}

}  // namespace

Result<GenDataReport> generate_training_data(Database& db, const GenDataOptions& o) {
  if (o.out_dir.empty()) return invalid_argument("gen-data: --out is required");
  if (!(o.valid_fraction >= 0 && o.valid_fraction < 1)) return invalid_argument("gen-data: --valid must be in [0, 1)");
  auto catalog = db.catalog({.sample_values = 3, .row_counts = true});
  if (!catalog.ok()) return catalog.status();
  if (catalog->tables.empty()) return invalid_argument("gen-data: the database has no tables");

  Generator gen(db, *catalog, o);
  // The users' accepted answers first, so that they win over generated pairs
  // with the same question.
  const std::string kFeedbackShape = "feedback";
  std::vector<Candidate> candidates;
  for (const auto& [question, sql] : o.feedback_pairs) {
    Candidate c{kFeedbackShape, question, sql, {}};
    for (const auto& t : parse_sql_shape(sql).from)
      if (catalog->find_table(t)) c.tables.push_back(t);
    candidates.push_back(std::move(c));
  }
  for (auto& c : gen.run()) candidates.push_back(std::move(c));

  GenDataReport report;
  std::set<std::string> seen_questions;
  std::map<std::string, bool> sql_ok;  // each statement runs once
  std::vector<Candidate> kept;
  for (Candidate& c : candidates) {
    ++report.generated;
    const std::string key = normalized(c.question);
    if (!seen_questions.insert(key).second) {
      ++report.duplicates;
      continue;
    }
    auto it = sql_ok.find(c.sql);
    if (it == sql_ok.end()) {
      auto rs = db.execute(c.sql, {.timeout_ms = 10000, .max_rows = 1000});
      bool ok = rs.ok() && !rs->rows.empty();
      if (rs.ok() && c.shape == kFeedbackShape) {
        ok = true;  // a user's answer may well be "nothing"
      } else if (ok) {
        // An aggregate over nothing returns one row of NULLs: that is empty too.
        bool any = false;
        for (const auto& row : rs->rows)
          for (const auto& v : row) any = any || !v.is_null();
        ok = any;
      }
      it = sql_ok.emplace(c.sql, ok).first;
    }
    if (!it->second) {
      ++report.rejected;
      continue;
    }
    if (c.shape == kFeedbackShape) ++report.n_feedback;
    kept.push_back(std::move(c));
  }
  if (kept.empty()) return invalid_argument("gen-data: no verified question/SQL pair could be made from this schema");

  // Split by shape: whole shapes go to validation until it holds the asked
  // fraction, so that validation measures shapes the training never saw.
  std::map<std::string, int> per_shape;
  for (const auto& c : kept) ++per_shape[c.shape];
  std::vector<std::string> shapes;
  for (const auto& [s, n] : per_shape) shapes.push_back(s);
  std::mt19937_64 rng(o.seed);
  for (size_t i = shapes.size(); i > 1; --i) std::swap(shapes[i - 1], shapes[rng() % i]);
  std::set<std::string> valid_shapes;
  int valid_n = 0;
  const int target = static_cast<int>(o.valid_fraction * static_cast<double>(kept.size()) + 0.5);
  for (const auto& s : shapes) {
    if (s == kFeedbackShape) continue;
    if (valid_n >= target || valid_shapes.size() + 1 >= shapes.size()) break;
    if (valid_n + per_shape[s] > target * 3 / 2 + 1 && valid_n > 0) continue;
    valid_shapes.insert(s);
    valid_n += per_shape[s];
  }
  report.n_shapes = static_cast<int>(shapes.size());
  report.n_valid_shapes = static_cast<int>(valid_shapes.size());

  const bool small_schema = catalog->tables.size() <= 8;
  const std::string full_ddl = catalog->to_ddl();
  auto context_of = [&](const Candidate& c) {
    if (small_schema) return full_ddl;
    std::string ddl;
    for (const auto& t : c.tables)
      if (const TableInfo* ti = catalog->find_table(t)) ddl += table_ddl(*ti) + "\n";
    return ddl.empty() ? full_ddl : ddl;
  };
  const std::string system = train::chat_system_prompt(catalog->engine);

  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (ec) return invalid_argument("gen-data: cannot create " + o.out_dir + ": " + ec.message());
  const fs::path dir(o.out_dir);
  std::ofstream train_f(dir / "train.jsonl"), valid_f(dir / "valid.jsonl"), train_c(dir / "train.chat.jsonl"),
      valid_c(dir / "valid.chat.jsonl");
  for (const auto& c : kept) {
    const bool is_valid = valid_shapes.count(c.shape) > 0;
    const std::string ctx = context_of(c);
    json row = {{"question", c.question}, {"context", ctx}, {"answer", c.sql + ";"}, {"shape", c.shape}};
    json chat = {{"messages",
                  {{{"role", "system"}, {"content", system + "\n\n" + ctx}},
                   {{"role", "user"}, {"content", c.question}},
                   {{"role", "assistant"}, {"content", c.sql + ";"}}}},
                 {"shape", c.shape}};
    (is_valid ? valid_f : train_f) << json_text(row) << "\n";
    (is_valid ? valid_c : train_c) << json_text(chat) << "\n";
    ++(is_valid ? report.n_valid : report.n_train);
  }
  for (auto* f : {&train_f, &valid_f, &train_c, &valid_c})
    if (!f->good()) return internal_error("gen-data: cannot write to " + o.out_dir);
  json manifest = {{"database", db.uri()},        {"engine", catalog->engine},     {"train", report.n_train},
                   {"valid", report.n_valid},     {"shapes", per_shape},           {"valid_shapes", valid_shapes},
                   {"generated", report.generated}, {"rejected", report.rejected}, {"duplicates", report.duplicates},
                   {"seed", o.seed}, {"feedback", report.n_feedback}};
  std::ofstream(dir / "manifest.json") << json_text(manifest, 1) << "\n";
  for (const char* f : {"train.jsonl", "valid.jsonl", "train.chat.jsonl", "valid.chat.jsonl", "manifest.json"})
    report.files.push_back((dir / f).string());
  return report;
}

}  // namespace t2sql
