#include "llm/prompt_schema.h"

#include <algorithm>
#include <cctype>

#include "llm/sql_grammar.h"
#include "sql/sql_quote.h"

namespace t2sql {

namespace {

constexpr size_t kMaxSampleChars = 40;

bool iequals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return iequals(n, name); });
}

// One line of text: a description or a value must not end the comment early.
std::string one_line(const std::string& text, size_t max_chars) {
  std::string out;
  for (char c : text) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (out.size() > max_chars) {
    out.resize(max_chars);
    // Cut at a UTF-8 character boundary.
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0x80)) out.pop_back();
    out += "...";
  }
  return out;
}

std::vector<std::string> shown_samples(const ColumnInfo& c, const SchemaTextOptions& o) {
  std::vector<std::string> out;
  for (const auto& s : c.samples) {
    if (static_cast<int>(out.size()) >= o.sample_values) break;
    out.push_back(one_line(s, kMaxSampleChars));
  }
  return out;
}

bool is_number(const ColumnInfo& c) {
  return c.type == ValueType::kInteger || c.type == ValueType::kReal;
}

std::string column_comment(const ColumnInfo& c, const SchemaTextOptions& o) {
  std::string out;
  if (o.descriptions && !c.description.empty()) out = one_line(c.description, 200);
  auto samples = shown_samples(c, o);
  if (!samples.empty()) {
    out += out.empty() ? "example: [" : "; example: [";
    for (size_t i = 0; i < samples.size(); ++i)
      out += (i ? ", " : "") + (is_number(c) ? samples[i] : sql_quoted_literal(samples[i]));
    out += "]";
  }
  return out;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::optional<std::vector<TableInfo>> prompt_tables(const Catalog& catalog, const std::string& ddl) {
  bool blank = std::all_of(ddl.begin(), ddl.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
  if (blank) return catalog.tables;
  std::vector<TableInfo> out;
  for (const auto& named : grammar_tables_from_ddl(ddl)) {
    const TableInfo* t = catalog.find_table(named.name);
    if (!t) return std::nullopt;
    TableInfo kept = *t;
    kept.columns.clear();
    for (const auto& c : t->columns)
      if (contains(named.columns, c.name)) kept.columns.push_back(c);
    if (kept.columns.size() != named.columns.size()) return std::nullopt;  // a column the catalog lacks
    auto all_kept = [&](const std::vector<std::string>& cols) {
      return std::all_of(cols.begin(), cols.end(), [&](const std::string& c) { return contains(named.columns, c); });
    };
    if (!all_kept(kept.primary_key)) kept.primary_key.clear();
    std::erase_if(kept.foreign_keys, [&](const ForeignKey& fk) { return !all_kept(fk.columns); });
    out.push_back(std::move(kept));
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::string commented_ddl(const std::vector<TableInfo>& tables, const SchemaTextOptions& options) {
  std::string out;
  for (const auto& t : tables) {
    // table_ddl writes "CREATE TABLE x (", then one line per column in table
    // order, then the keys: the comments go on those lines, so that without
    // any the text is exactly table_ddl's.
    std::string ddl = table_ddl(t);
    std::vector<std::string> lines;
    for (size_t start = 0; start <= ddl.size();) {
      size_t nl = ddl.find('\n', start);
      if (nl == std::string::npos) nl = ddl.size();
      lines.push_back(ddl.substr(start, nl - start));
      start = nl + 1;
    }
    if (options.descriptions && !t.description.empty()) lines[0] += " -- " + one_line(t.description, 200);
    for (size_t i = 0; i < t.columns.size() && i + 1 < lines.size(); ++i) {
      std::string comment = column_comment(t.columns[i], options);
      if (!comment.empty()) lines[i + 1] += " -- " + comment;
    }
    for (const auto& l : lines) out += l + "\n";
  }
  return out;
}

std::string m_schema(const std::vector<TableInfo>& tables, const std::string& database_name,
                     const SchemaTextOptions& options) {
  std::string out = "【DB_ID】 " + (database_name.empty() ? std::string("database") : database_name) + "\n【Schema】\n";
  std::vector<std::string> fks;
  for (const auto& t : tables) {
    out += "# Table: " + t.name;
    if (options.descriptions && !t.description.empty()) out += ", " + one_line(t.description, 200);
    out += "\n[\n";
    for (size_t i = 0; i < t.columns.size(); ++i) {
      const ColumnInfo& c = t.columns[i];
      std::string type = c.declared_type.empty() ? upper(value_type_name(c.type)) : upper(c.declared_type);
      out += "(" + c.name + ":" + type;
      if (c.primary_key || contains(t.primary_key, c.name)) out += ", Primary Key";
      if (options.descriptions && !c.description.empty()) out += ", " + one_line(c.description, 200);
      auto samples = shown_samples(c, options);
      if (!samples.empty()) {
        out += ", Examples: [";
        for (size_t k = 0; k < samples.size(); ++k) out += (k ? ", " : "") + samples[k];
        out += "]";
      }
      out += i + 1 < t.columns.size() ? "),\n" : ")\n";
    }
    out += "]\n";
    for (const auto& fk : t.foreign_keys) {
      for (size_t k = 0; k < fk.columns.size() && k < fk.ref_columns.size(); ++k)
        fks.push_back(t.name + "." + fk.columns[k] + "=" + fk.ref_table + "." + fk.ref_columns[k]);
    }
  }
  if (!fks.empty()) {
    out += "【Foreign keys】\n";
    for (const auto& f : fks) out += f + "\n";
  }
  return out;
}

std::string join_lines(const std::vector<TableInfo>& tables) {
  std::string out;
  for (const auto& t : tables) {
    for (const auto& fk : t.foreign_keys) {
      for (size_t k = 0; k < fk.columns.size() && k < fk.ref_columns.size(); ++k)
        out += "-- " + t.name + "." + fk.columns[k] + " can be joined with " + fk.ref_table + "." + fk.ref_columns[k] +
               "\n";
    }
  }
  return out;
}

}  // namespace t2sql
