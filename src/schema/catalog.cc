#include "t2sql/catalog.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace t2sql {

namespace {

bool iequals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Quotes a name only when it needs it, so that prompts stay plain.
std::string ddl_name(const std::string& name) {
  bool plain = !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name) plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (plain) return name;
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + ddl_name(names[i]);
  return out;
}

}  // namespace

const ColumnInfo* TableInfo::find_column(const std::string& column) const {
  for (const auto& c : columns) {
    if (iequals(c.name, column)) return &c;
  }
  return nullptr;
}

const TableInfo* Catalog::find_table(const std::string& table) const {
  for (const auto& t : tables) {
    if (iequals(t.name, table)) return &t;
  }
  return nullptr;
}

std::string table_ddl(const TableInfo& table, const std::vector<std::string>* only) {
  auto wanted = [&](const std::string& name) {
    if (!only) return true;
    return std::any_of(only->begin(), only->end(), [&](const std::string& o) { return iequals(o, name); });
  };
  std::vector<std::string> lines;
  for (const auto& col : table.columns) {
    if (!wanted(col.name)) continue;
    std::string line = "  " + ddl_name(col.name) + (col.declared_type.empty() ? "" : " " + col.declared_type);
    if (!col.nullable && !col.primary_key) line += " NOT NULL";
    lines.push_back(std::move(line));
  }
  bool pk_kept = std::all_of(table.primary_key.begin(), table.primary_key.end(), wanted);
  if (!table.primary_key.empty() && pk_kept) lines.push_back("  PRIMARY KEY (" + join_names(table.primary_key) + ")");
  for (const auto& fk : table.foreign_keys) {
    if (!std::all_of(fk.columns.begin(), fk.columns.end(), wanted)) continue;
    lines.push_back("  FOREIGN KEY (" + join_names(fk.columns) + ") REFERENCES " + ddl_name(fk.ref_table) + " (" +
                    join_names(fk.ref_columns) + ")");
  }
  std::string out = "CREATE TABLE " + ddl_name(table.name) + " (\n";
  for (size_t i = 0; i < lines.size(); ++i) out += lines[i] + (i + 1 < lines.size() ? ",\n" : "\n");
  return out + ");";
}

std::string Catalog::to_ddl() const {
  std::string out;
  for (const auto& t : tables) out += table_ddl(t) + "\n";
  return out;
}

std::string Catalog::to_json() const {
  nlohmann::json j;
  j["engine"] = engine;
  j["tables"] = nlohmann::json::array();
  for (const auto& t : tables) {
    nlohmann::json jt;
    jt["name"] = t.name;
    jt["row_count"] = t.row_count;
    jt["primary_key"] = t.primary_key;
    if (!t.description.empty()) jt["description"] = t.description;
    jt["columns"] = nlohmann::json::array();
    for (const auto& c : t.columns) {
      nlohmann::json jc = {{"name", c.name},         {"type", c.declared_type},      {"kind", value_type_name(c.type)},
                           {"nullable", c.nullable}, {"primary_key", c.primary_key}, {"samples", c.samples}};
      if (!c.description.empty()) jc["description"] = c.description;
      jt["columns"].push_back(std::move(jc));
    }
    jt["foreign_keys"] = nlohmann::json::array();
    for (const auto& fk : t.foreign_keys) {
      jt["foreign_keys"].push_back(
          {{"columns", fk.columns}, {"ref_table", fk.ref_table}, {"ref_columns", fk.ref_columns}});
    }
    j["tables"].push_back(std::move(jt));
  }
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace t2sql
