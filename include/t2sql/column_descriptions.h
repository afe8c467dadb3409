// Column descriptions: the text each column is known by (split names, type,
// key role, sample values, the user's or the database's description), the
// description files that set them, and a model-free token estimate. Part of
// schema/ (column_descriptions.cc); retrieval embeds these texts.
//
//   auto report = apply_description_file("descriptions.yaml", &catalog);
//   for (const auto& d : describe_columns(catalog)) embed(d.text);
#pragma once

#include <string>
#include <vector>

#include "t2sql/catalog.h"
#include "t2sql/status.h"

namespace t2sql {

// One column as the embedder reads it: names split into words, type, key
// role, sample values and the user's or the database's description.
struct ColumnDescription {
  int table_index = 0, column_index = 0;  // into Catalog::tables / TableInfo::columns
  std::string table, column;
  std::string text;
};

// One description per column, in catalog order.
std::vector<ColumnDescription> describe_columns(const Catalog& catalog);

// What applying a description file did.
struct DescriptionFileReport {
  int applied = 0;
  std::vector<std::string> missing;  // keys naming no table or column (ignored)
};

// Reads a description file and copies its texts into `catalog`. JSON: an
// object mapping "table.column" (or "table") to text; the defog shape
// {"table_metadata": {table: [{"column_name", "column_description"}]}} is
// accepted too. YAML: flat `table.column: text` lines. Keys naming missing
// tables or columns are reported and ignored. kNotFound for a missing file,
// kInvalidArgument for one that does not parse.
Result<DescriptionFileReport> apply_description_file(const std::string& path, Catalog* catalog);

// A description file for `catalog` to edit and give back with --descriptions:
// every table and column key, with its current description ("" when none).
std::string description_file_json(const Catalog& catalog);

// Tokens of `text` for prompt budgets when no model tokenizer is at hand: a
// word-piece estimate (identifier pieces, numbers and punctuation), within
// about 20% (it runs low on long underscored names) of BPE tokenizers on DDL.
int estimate_tokens(const std::string& text);

}  // namespace t2sql
