// The schema as the prompt styles write it (prompt_builder.cc): CREATE TABLE
// statements with comments that carry descriptions and sample values (t2sql,
// OmniSQL, DAIL, SQLCoder), XiYan-SQL's M-Schema, and SQLCoder's join lines.
// Pure functions of their arguments; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "t2sql/catalog.h"

namespace t2sql {

struct SchemaTextOptions {
  int sample_values = 0;  // per column, at most
  bool descriptions = false;
};

// The catalog's tables narrowed to the tables and columns that `ddl` names
// (retrieval's limited-context DDL), in the DDL's order; the whole catalog
// when `ddl` is empty. nullopt when `ddl` names a table or column the catalog
// lacks: the caller then shows `ddl` as it stands.
std::optional<std::vector<TableInfo>> prompt_tables(const Catalog& catalog, const std::string& ddl);

// CREATE TABLE statements; a column's description and sample values follow it
// as a "-- " comment ("-- the brand's name; example: ['Apple', 'Nike']"), a
// table's description follows its opening line.
std::string commented_ddl(const std::vector<TableInfo>& tables, const SchemaTextOptions& options);

// M-Schema: a 【DB_ID】 line, then per table "# Table: name[, description]"
// and one "(column:TYPE, Primary Key, description, Examples: [..])" tuple per
// column, then 【Foreign keys】 as "table.column=table.column" lines.
std::string m_schema(const std::vector<TableInfo>& tables, const std::string& database_name,
                     const SchemaTextOptions& options);

// "-- orders.customer_id can be joined with customers.id", one line per
// foreign key column pair, as SQLCoder's schemas end; empty when none.
std::string join_lines(const std::vector<TableInfo>& tables);

}  // namespace t2sql
