// Quoting for SQL text that t2sql builds itself (introspection queries,
// loaders): standard SQL, understood by SQLite, DuckDB and PostgreSQL alike.
#pragma once

#include <string>
#include <string_view>

namespace t2sql {

// "name" with embedded double quotes doubled; always quoted, so any name is safe.
inline std::string sql_quoted_name(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// 'text' with embedded single quotes doubled.
inline std::string sql_quoted_literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace t2sql
