// The ClickHouse writer of the demo warehouse, over the HTTP interface. Its
// statements are the only ones t2sql sends to ClickHouse without readonly=1:
// it exists only while the demo is loaded.
#include <memory>

#include "db/clickhouse_database.h"
#include "db/demo_table.h"
#include "sql/dialect.h"

namespace t2sql {

namespace {

// Money as Float64: ClickHouse 18.16 reads Decimal only as an experimental type.
std::string clickhouse_type(const DemoColumn& c) {
  std::string type = c.type == ValueType::kInteger ? "Int64"
                     : c.type == ValueType::kReal  ? "Float64"
                     : c.type == ValueType::kDate  ? "Date"
                                                   : "String";
  return c.not_null ? type : "Nullable(" + type + ")";
}

// TSV as ClickHouse reads it: \N for NULL, backslash escapes.
void append_tsv_field(std::string& line, const Value& v) {
  if (v.is_null()) {
    line += "\\N";
    return;
  }
  for (char c : v.to_string()) {
    switch (c) {
      case '\\': line += "\\\\"; break;
      case '\t': line += "\\t"; break;
      case '\n': line += "\\n"; break;
      default: line += c;
    }
  }
}

}  // namespace

Status write_demo_clickhouse(const std::vector<DemoTable>& tables, const std::string& uri, bool replace,
                             const DemoShard& shard) {
  auto opened = ClickhouseDatabase::open_uri(uri, {.create_database = true});
  if (!opened.ok()) return opened.status();
  auto* db = static_cast<ClickhouseDatabase*>(opened->get());
  Dialect d = Dialect::for_engine("clickhouse");
  const std::string database = db->parts().database;
  const bool sharded = !shard.cluster.empty();
  // The shard's own rows live in "<database>_local"; "<database>.sales" is the
  // Distributed table over that table on every shard of the cluster.
  const std::string local_db = database + "_local";
  auto qualified = [&](const std::string& db_name, const std::string& table) {
    return d.quote_identifier(db_name) + "." + d.quote_identifier(table);
  };
  auto exists = db->execute("SELECT count() FROM system.tables WHERE database = " + d.string_literal(database) +
                                " AND name IN ('stores', "
                                "'brands', 'products', 'sales', 'active_store')",
                            {.timeout_ms = 10000, .max_rows = 0});
  if (!exists.ok()) return exists.status();
  if (!exists->rows.empty() && exists->rows[0][0].as_double() > 0 && !replace) {
    return invalid_argument("the database at '" + db->uri() +
                            "' already has the demo's tables; pass --force to replace them");
  }
  if (sharded) {
    if (Status s = db->execute_write("CREATE DATABASE IF NOT EXISTS " + d.quote_identifier(local_db)); !s.ok())
      return s;
  }
  for (const DemoTable& table : tables) {
    const bool distributed = sharded && table.name == "sales";
    std::string home = distributed ? local_db : database;
    for (const std::string& db_name : {database, local_db}) {
      if (db_name == local_db && !sharded) continue;
      if (Status s = db->execute_write("DROP TABLE IF EXISTS " + qualified(db_name, table.name)); !s.ok()) return s;
    }
    std::string columns;
    for (const auto& c : table.columns) {
      columns += (columns.empty() ? "" : ", ") + d.quote_identifier(c.name) + " " + clickhouse_type(c);
    }
    std::string key;
    for (const auto& k : table.primary_key) key += (key.empty() ? "" : ", ") + d.quote_identifier(k);
    if (Status s = db->execute_write("CREATE TABLE " + qualified(home, table.name) + " (" + columns +
                                     ") ENGINE = MergeTree ORDER BY (" + key + ")");
        !s.ok()) {
      return s;
    }
    if (distributed) {
      if (Status s = db->execute_write(
              "CREATE TABLE " + qualified(database, table.name) + " AS " + qualified(home, table.name) +
              " ENGINE = Distributed(" + d.quote_identifier(shard.cluster) + ", " + d.string_literal(local_db) + ", " +
              d.string_literal(table.name) + ", " + d.quote_identifier(table.primary_key[0]) + ")");
          !s.ok()) {
        return s;
      }
    }
    std::string body = "INSERT INTO " + qualified(home, table.name) + " FORMAT TabSeparated\n";
    for (size_t r = 0; r < table.rows.size(); ++r) {
      // A shard keeps every shards-th row of the distributed table.
      if (distributed && static_cast<int>(r % shard.shards) != shard.shard - 1) continue;
      const auto& row = table.rows[r];
      for (size_t i = 0; i < row.size(); ++i) {
        if (i) body += '\t';
        append_tsv_field(body, row[i]);
      }
      body += '\n';
    }
    if (Status s = db->execute_write(body); !s.ok()) return s;
  }
  return Status();
}

}  // namespace t2sql
