#include "db/catalog_builder.h"

#include <utility>

namespace t2sql {

namespace {

constexpr size_t kSampleChars = 60;

void add_keys(const std::vector<CatalogKeyRow>& rows, TableInfo& table) {
  const std::string* last = nullptr;
  for (const CatalogKeyRow& row : rows) {
    if (row.primary) {
      table.primary_key.push_back(row.column);
      continue;
    }
    if (last == nullptr || *last != row.constraint) {
      table.foreign_keys.push_back({{}, row.ref_table, {}});
      last = &row.constraint;
    }
    table.foreign_keys.back().columns.push_back(row.column);
    table.foreign_keys.back().ref_columns.push_back(row.ref_column);
  }
  for (ColumnInfo& col : table.columns) {
    for (const std::string& pk : table.primary_key) col.primary_key = col.primary_key || pk == col.name;
  }
}

// A foreign key that names no column refers to the primary key.
void resolve_unnamed_references(Catalog& cat) {
  for (TableInfo& table : cat.tables) {
    for (ForeignKey& fk : table.foreign_keys) {
      const TableInfo* ref = cat.find_table(fk.ref_table);
      for (size_t i = 0; i < fk.ref_columns.size(); ++i) {
        if (fk.ref_columns[i].empty() && ref && i < ref->primary_key.size()) fk.ref_columns[i] = ref->primary_key[i];
      }
    }
  }
}

// A column named like another table's one-column primary key refers to it.
void infer_foreign_keys(Catalog& cat) {
  for (TableInfo& table : cat.tables) {
    for (const ColumnInfo& col : table.columns) {
      if (table.primary_key.size() == 1 && table.primary_key[0] == col.name) continue;
      for (const TableInfo& other : cat.tables) {
        if (&other == &table || other.primary_key.size() != 1 || other.primary_key[0] != col.name) continue;
        table.foreign_keys.push_back({{col.name}, other.name, {col.name}});
        break;
      }
    }
  }
}

}  // namespace

Result<int64_t> count_from(const Result<ResultSet>& result) {
  if (!result.ok()) return result.status();
  if (result->rows.empty() || result->rows[0].empty()) return internal_error("the count returned no row");
  return static_cast<int64_t>(result->rows[0][0].as_double());
}

Result<Catalog> build_catalog(CatalogSource& source, const CatalogOptions& options) {
  auto tables = source.tables();
  if (!tables.ok()) return tables.status();
  Catalog cat;
  cat.engine = source.engine();
  for (const CatalogTableRow& row : *tables) {
    TableInfo table;
    table.name = row.name;
    table.description = row.description;
    auto columns = source.columns(row);
    if (!columns.ok()) return columns.status();
    table.columns = std::move(*columns);
    if (auto keys = source.keys(row); keys.ok()) add_keys(*keys, table);
    if (options.row_counts) {
      if (auto count = source.row_count(row); count.ok()) table.row_count = *count;
    }
    for (ColumnInfo& col : table.columns) {
      if (options.sample_values <= 0) break;
      auto samples = source.sample_values(row, col.name, options.sample_values);
      if (!samples.ok()) continue;
      for (const auto& sample : samples->rows) {
        std::string v = sample.empty() ? std::string() : sample[0].to_string();
        if (v.size() > kSampleChars) v = v.substr(0, kSampleChars);
        col.samples.push_back(std::move(v));
      }
    }
    cat.tables.push_back(std::move(table));
  }
  resolve_unnamed_references(cat);
  if (!source.declares_foreign_keys()) infer_foreign_keys(cat);
  return cat;
}

}  // namespace t2sql
