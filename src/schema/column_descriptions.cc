// Column descriptions and description files (declared in t2sql/column_descriptions.h).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "schema/text_words.h"
#include "t2sql/column_descriptions.h"

namespace t2sql {

namespace {

constexpr size_t kMaxSampleChars = 40;

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::string key_role(const TableInfo& table, const ColumnInfo& column) {
  std::string role;
  if (column.primary_key || std::any_of(table.primary_key.begin(), table.primary_key.end(),
                                        [&](const std::string& k) { return k == column.name; })) {
    role = "primary key";
  }
  for (const auto& fk : table.foreign_keys) {
    for (size_t i = 0; i < fk.columns.size(); ++i) {
      if (fk.columns[i] != column.name) continue;
      if (!role.empty()) role += "; ";
      role += "references " + fk.ref_table + (i < fk.ref_columns.size() ? "." + fk.ref_columns[i] : "");
    }
  }
  return role;
}

// Resolves "table.column" (either part may itself hold dots) or "table".
bool resolve_key(Catalog* catalog, const std::string& key, TableInfo** table, ColumnInfo** column) {
  *table = nullptr;
  *column = nullptr;
  if (const TableInfo* t = catalog->find_table(key)) {
    *table = const_cast<TableInfo*>(t);
    return true;
  }
  for (size_t dot = key.find('.'); dot != std::string::npos; dot = key.find('.', dot + 1)) {
    const TableInfo* t = catalog->find_table(key.substr(0, dot));
    if (!t) continue;
    const ColumnInfo* c = t->find_column(key.substr(dot + 1));
    if (!c) continue;
    *table = const_cast<TableInfo*>(t);
    *column = const_cast<ColumnInfo*>(c);
    return true;
  }
  return false;
}

void apply_entry(Catalog* catalog, const std::string& key, const std::string& text, DescriptionFileReport* report) {
  TableInfo* table = nullptr;
  ColumnInfo* column = nullptr;
  if (!resolve_key(catalog, key, &table, &column)) {
    report->missing.push_back(key);
    return;
  }
  std::string value = trim(text);
  if (value.empty()) return;  // an unfilled entry of an exported template
  (column ? column->description : table->description) = value;
  ++report->applied;
}

Status apply_json(const nlohmann::json& j, Catalog* catalog, DescriptionFileReport* report) {
  if (!j.is_object()) return invalid_argument("description file must hold a JSON object");
  if (j.contains("table_metadata") && j["table_metadata"].is_object()) {
    for (auto& [table, columns] : j["table_metadata"].items()) {
      if (!columns.is_array()) continue;
      for (const auto& c : columns) {
        if (!c.is_object() || !c.contains("column_name")) continue;
        std::string text = c.value("column_description", std::string());
        apply_entry(catalog, table + "." + c["column_name"].get<std::string>(), text, report);
      }
    }
    return Status();
  }
  for (auto& [key, value] : j.items()) {
    if (value.is_string()) {
      apply_entry(catalog, key, value.get<std::string>(), report);
    } else if (value.is_object()) {
      for (auto& [column, text] : value.items()) {
        if (!text.is_string()) return invalid_argument("description of '" + key + "." + column + "' is not a string");
        apply_entry(catalog, column.empty() ? key : key + "." + column, text.get<std::string>(), report);
      }
    } else {
      return invalid_argument("description of '" + key + "' is not a string");
    }
  }
  return Status();
}

std::string unquote(const std::string& s) {
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
    return s.substr(1, s.size() - 2);
  }
  return s;
}

// The YAML we read is the shape `describe --out x.yaml` would have: flat
// `table.column: text` lines, or a table line followed by indented column lines.
Status apply_yaml(const std::string& text, const std::string& path, Catalog* catalog, DescriptionFileReport* report) {
  std::istringstream in(text);
  std::string line, parent;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t == "---") continue;
    size_t colon = t.find(':');
    if (colon == std::string::npos) {
      return invalid_argument(path + ":" + std::to_string(number) + ": expected 'table.column: description'");
    }
    std::string key = unquote(trim(t.substr(0, colon)));
    std::string value = unquote(trim(t.substr(colon + 1)));
    bool indented = std::isspace(static_cast<unsigned char>(line[0])) != 0;
    if (!indented) {
      parent.clear();
      if (value.empty()) {
        parent = key;
        continue;
      }
      apply_entry(catalog, key, value, report);
    } else {
      if (parent.empty()) return invalid_argument(path + ":" + std::to_string(number) + ": unexpected indentation");
      apply_entry(catalog, parent + "." + key, value, report);
    }
  }
  return Status();
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::vector<ColumnDescription> describe_columns(const Catalog& catalog) {
  std::vector<ColumnDescription> out;
  for (size_t ti = 0; ti < catalog.tables.size(); ++ti) {
    const TableInfo& table = catalog.tables[ti];
    for (size_t ci = 0; ci < table.columns.size(); ++ci) {
      const ColumnInfo& column = table.columns[ci];
      ColumnDescription d;
      d.table_index = static_cast<int>(ti);
      d.column_index = static_cast<int>(ci);
      d.table = table.name;
      d.column = column.name;
      // The column's own words come twice (phrase and name), the table's once:
      // a question names the column's meaning more often than its table.
      std::string text = name_phrase(column.name) + ": column " + column.name + " of table " + table.name + "; " +
                         value_type_name(column.type);
      std::string role = key_role(table, column);
      if (!role.empty()) text += "; " + role;
      if (!column.samples.empty()) {
        text += "; values: ";
        for (size_t i = 0; i < column.samples.size(); ++i) {
          std::string s = column.samples[i].substr(0, kMaxSampleChars);
          text += (i ? ", " : "") + s;
        }
      }
      if (!column.description.empty()) text += "; " + column.description;
      if (!table.description.empty()) text += " (table: " + table.description + ")";
      d.text = std::move(text);
      out.push_back(std::move(d));
    }
  }
  return out;
}

Result<DescriptionFileReport> apply_description_file(const std::string& path, Catalog* catalog) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("description file not found: " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  DescriptionFileReport report;
  Status status;
  if (ends_with(path, ".yaml") || ends_with(path, ".yml")) {
    status = apply_yaml(text, path, catalog, &report);
  } else {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) return invalid_argument("description file is not valid JSON: " + path);
    status = apply_json(j, catalog, &report);
  }
  if (!status.ok()) return status;
  return report;
}

std::string description_file_json(const Catalog& catalog) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& t : catalog.tables) {
    j[t.name] = t.description;
    for (const auto& c : t.columns) j[t.name + "." + c.name] = c.description;
  }
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

int estimate_tokens(const std::string& text) {
  // BPE vocabularies keep common words whole and cut long or rare
  // identifiers into pieces of about four characters; digits go one to three
  // at a time; each punctuation mark is a token.
  int tokens = 0;
  size_t i = 0, n = text.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (std::isspace(c)) {
      ++i;
      continue;
    }
    if (std::isalpha(c) || c >= 0x80) {
      size_t j = i;
      while (j < n &&
             (std::isalpha(static_cast<unsigned char>(text[j])) || static_cast<unsigned char>(text[j]) >= 0x80))
        ++j;
      size_t len = j - i;
      tokens += len <= 6 ? 1 : static_cast<int>((len + 3) / 4);
      i = j;
    } else if (std::isdigit(c)) {
      size_t j = i;
      while (j < n && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
      tokens += static_cast<int>((j - i + 2) / 3);
      i = j;
    } else {
      ++tokens;
      ++i;
    }
  }
  return tokens;
}

}  // namespace t2sql
