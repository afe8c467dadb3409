#include "tools/eval/stress_catalog.h"

#include <dirent.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>

#include "t2sql/database.h"
#include "t2sql/demo.h"

namespace t2sql {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") out.push_back(name);
    }
    ::closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool file_exists(const std::string& path) {
  return ::access(path.c_str(), R_OK) == 0;
}

ValueType type_of(const std::string& declared) {
  std::string t = lower(declared);
  if (t.find("timestamp") != std::string::npos) return ValueType::kTimestamp;
  if (t.find("date") != std::string::npos) return ValueType::kDate;
  if (t.find("bool") != std::string::npos) return ValueType::kBoolean;
  if (t.find("int") != std::string::npos || t.find("serial") != std::string::npos) return ValueType::kInteger;
  if (t.find("num") != std::string::npos || t.find("dec") != std::string::npos || t.find("real") != std::string::npos ||
      t.find("double") != std::string::npos || t.find("float") != std::string::npos) {
    return ValueType::kReal;
  }
  return ValueType::kText;
}

// Adds a source database's tables under `<db>__` names.
void add_database(StressCatalog* out, const std::string& db, Catalog catalog) {
  auto rename = [&](const std::string& t) { return db + "__" + t; };
  for (auto& t : catalog.tables) {
    out->names_[lower(db + "/" + t.name)] = rename(t.name);
    t.name = rename(t.name);
    for (auto& fk : t.foreign_keys) fk.ref_table = rename(fk.ref_table);
    out->real_columns += static_cast<int>(t.columns.size());
    ++out->real_tables;
    out->catalog.tables.push_back(std::move(t));
  }
}

Status add_sqlite(StressCatalog* out, const std::string& db, const std::string& path) {
  auto conn = Database::open(path);
  if (!conn.ok()) return conn.status();
  auto catalog = (*conn)->catalog({.sample_values = 3, .row_counts = false});
  if (!catalog.ok()) return catalog.status();
  add_database(out, db, std::move(*catalog));
  return Status();
}

// defog's JSON: {"table_metadata": {table: [{"column_name", "data_type", "column_description"}]}}.
Status add_defog_json(StressCatalog* out, const std::string& db, const std::string& path) {
  std::ifstream in(path);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.contains("table_metadata")) return invalid_argument("unexpected defog JSON: " + path);
  Catalog catalog;
  catalog.engine = "postgresql";
  for (auto& [table, columns] : j["table_metadata"].items()) {
    TableInfo t;
    t.name = table;
    for (const auto& c : columns) {
      ColumnInfo col;
      col.name = c.value("column_name", "");
      col.declared_type = c.value("data_type", "");
      col.type = type_of(col.declared_type);
      col.description = c.value("column_description", "");
      if (!col.name.empty()) t.columns.push_back(std::move(col));
    }
    catalog.tables.push_back(std::move(t));
  }
  add_database(out, db, std::move(catalog));
  return Status();
}

// Look-alikes are what a real warehouse is full of: tables in other schemas
// whose names reuse the words of real ones (`crm__singer_hist`,
// `ops__concert_stadium`) and whose columns are partly the real table's
// (some renamed) and partly columns seen elsewhere in the warehouse. They are
// not byte copies: a copy with the same columns would be the same answer.
void add_look_alikes(StressCatalog* out, const StressCatalogOptions& options) {
  static const char* kSchemas[] = {"crm",   "erp",    "hr",    "fin", "ops",     "mkt",     "dw",     "bi",  "ext",
                                   "stage", "legacy", "audit", "rpt", "sandbox", "partner", "vendor", "web", "app"};
  static const char* kSuffixes[] = {"",       "_hist",    "_archive", "_snapshot", "_v2",  "_backup",
                                    "_daily", "_staging", "_import",  "_summary",  "_old", "_raw"};
  static const char* kColumnAffixes[] = {"src_", "old_", "_code", "_txt", "_ext", "_v2", "raw_", "_orig"};
  constexpr unsigned kBaseColumnPercent = 40;  // share of a look-alike's columns taken from its namesake
  std::mt19937 rng(options.seed);
  const std::vector<TableInfo> real = out->catalog.tables;
  if (real.empty()) return;
  std::vector<const ColumnInfo*> pool;
  for (const auto& t : real) {
    for (const auto& c : t.columns) pool.push_back(&c);
  }
  auto base_name = [](const std::string& name) { return name.substr(name.find("__") + 2); };
  int tables = static_cast<int>(out->catalog.tables.size());
  int columns = 0;
  for (const auto& t : out->catalog.tables) columns += static_cast<int>(t.columns.size());
  std::unordered_map<std::string, int> used;
  while (tables < options.tables) {
    const TableInfo& base = real[rng() % real.size()];
    TableInfo t;
    std::string stem = base_name(base.name);
    if (rng() % 3 == 0) stem = base_name(real[rng() % real.size()].name) + "_" + stem;  // a compound name
    t.name = std::string(kSchemas[rng() % std::size(kSchemas)]) + "__" + stem + kSuffixes[rng() % std::size(kSuffixes)];
    if (int n = used[t.name]++; n > 0) t.name += "_" + std::to_string(n + 1);
    int remaining_tables = options.tables - tables;
    int want = std::max(1, (options.columns - columns + remaining_tables - 1) / remaining_tables);
    auto add = [&](ColumnInfo col) {
      col.primary_key = false;
      if (rng() % 3 == 0) {
        std::string a = kColumnAffixes[rng() % std::size(kColumnAffixes)];
        col.name = a[0] == '_' ? col.name + a : a + col.name;
      }
      if (rng() % 2 == 0) col.samples.clear();
      if (t.find_column(col.name)) col.name += "_" + std::to_string(t.columns.size());
      t.columns.push_back(std::move(col));
    };
    int from_base = std::max(1, static_cast<int>(want * kBaseColumnPercent / 100));
    for (const auto& c : base.columns) {
      if (static_cast<int>(t.columns.size()) >= from_base) break;
      if (rng() % 3 == 0) continue;
      add(c);
    }
    while (static_cast<int>(t.columns.size()) < want) add(*pool[rng() % pool.size()]);
    columns += static_cast<int>(t.columns.size());
    ++tables;
    out->catalog.tables.push_back(std::move(t));
  }
}

}  // namespace

std::string StressCatalog::table_name(const std::string& database, const std::string& table) const {
  auto it = names_.find(lower(database + "/" + table));
  return it == names_.end() ? "" : it->second;
}

std::string default_shared_dir() {
  const char* env = std::getenv("T2SQL_SHARED_DIR");
  return env ? env : "";
}

Result<StressCatalog> build_stress_catalog(const StressCatalogOptions& options) {
  if (options.shared_dir.empty()) return not_found("no folder of shared benchmark data given (set T2SQL_SHARED_DIR)");
  const std::string data = options.shared_dir + "/data";
  const std::string spider = data + "/spider-dev-open/database";
  if (list_dir(spider).empty()) return not_found("shared benchmark data not found under " + data);
  StressCatalog out;
  out.catalog.engine = "sqlite";
  for (const auto& db : list_dir(spider)) {
    std::string path = spider + "/" + db + "/" + db + ".sqlite";
    if (!file_exists(path)) continue;
    Status s = add_sqlite(&out, db, path);
    if (!s.ok()) return s;
  }
  std::vector<std::string> sqlite_dbs;
  for (const auto& f : list_dir(data + "/defog/sqlite")) {
    if (f.size() < 8 || f.substr(f.size() - 7) != ".sqlite") continue;
    std::string db = f.substr(0, f.size() - 7);
    Status s = add_sqlite(&out, db, data + "/defog/sqlite/" + f);
    if (!s.ok()) return s;
    sqlite_dbs.push_back(db);
  }
  for (const auto& db : list_dir(data + "/defog/postgres")) {
    std::string json = data + "/defog/postgres/" + db + "/" + db + ".json";
    if (!file_exists(json) || std::count(sqlite_dbs.begin(), sqlite_dbs.end(), db)) continue;
    Status s = add_defog_json(&out, db, json);
    if (!s.ok()) return s;
  }
  std::string scratch = options.scratch_dir;
  bool temporary = scratch.empty();
  if (temporary) {
    char tmpl[] = "/tmp/t2sql-stress-XXXXXX";
    if (!::mkdtemp(tmpl)) return unavailable("cannot create a temporary folder");
    scratch = tmpl;
  }
  std::string demo = scratch + "/demo.db";
  auto made = create_demo_warehouse(demo, /*overwrite=*/true);
  Status s = made.ok() ? add_sqlite(&out, "demo", demo) : made.status();
  if (temporary) {
    std::remove(demo.c_str());
    ::rmdir(scratch.c_str());
  }
  if (!s.ok()) return s;
  add_look_alikes(&out, options);
  return out;
}

}  // namespace t2sql
