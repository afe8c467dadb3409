// Description files (JSON, flat YAML, defog's table_metadata) on any bytes,
// applied to a small catalog: applied, or refused with a message.
#include "fuzz_input.h"
#include "t2sql/catalog.h"
#include "t2sql/retrieval.h"

using namespace t2sql;

namespace {

Catalog small_catalog() {
  Catalog c;
  TableInfo sales;
  sales.name = "sales";
  for (const char* name : {"id", "region", "amount", "sold_on"}) {
    ColumnInfo col;
    col.name = name;
    col.declared_type = "TEXT";
    sales.columns.push_back(col);
  }
  c.tables.push_back(sales);
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the format the reader sees (by extension).
  std::string path = fuzz::input_file(fuzz::as_text(data + 1, size - 1), data[0] % 2 ? ".yaml" : ".json");
  Catalog catalog = small_catalog();
  auto report = apply_description_file(path, &catalog);
  if (!report.ok() && report.status().message().empty()) fuzz::broken("a refusal without a message");
  (void)describe_columns(catalog);
  return 0;
}
