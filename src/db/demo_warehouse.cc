#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "db/demo_table.h"
#include "t2sql/demo.h"

namespace t2sql {

namespace {

// splitmix64: fixed output on every platform, unlike std:: distributions.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  int uniform(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<uint64_t>(hi - lo + 1)); }
  double unit() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }

 private:
  uint64_t state_;
};

constexpr uint64_t kSeed = 20230101;

struct Region {
  const char* name;
  std::array<const char*, 3> cities;
};
constexpr std::array<Region, 5> kRegions = {{
    {"North", {"Portland", "Seattle", "Spokane"}},
    {"South", {"Austin", "Houston", "Miami"}},
    {"East", {"Boston", "New York", "Philadelphia"}},
    {"West", {"San Diego", "Los Angeles", "Phoenix"}},
    {"Central", {"Chicago", "Denver", "Kansas City"}},
}};
constexpr std::array<const char*, 8> kStoreKinds = {"Mall",    "Downtown", "Outlet", "Plaza",
                                                    "Airport", "Center",   "Market", "Station"};

struct Category {
  const char* name;
  double price_lo, price_hi;
  std::array<const char*, 6> items;
};
constexpr std::array<Category, 8> kCategories = {{
    {"Electronics", 49, 1299, {"Phone", "Laptop", "Tablet", "Headphones", "Smartwatch", "Speaker"}},
    {"Apparel", 12, 180, {"T-Shirt", "Jacket", "Jeans", "Hoodie", "Dress", "Sweater"}},
    {"Footwear", 35, 220, {"Running Shoe", "Sneaker", "Boot", "Sandal", "Trail Shoe", "Loafer"}},
    {"Home", 15, 400, {"Blender", "Lamp", "Coffee Maker", "Vacuum", "Toaster", "Kettle"}},
    {"Grocery", 2, 25, {"Coffee", "Tea", "Cereal", "Pasta", "Olive Oil", "Chocolate"}},
    {"Toys", 8, 120, {"Puzzle", "Board Game", "Building Set", "Doll", "RC Car", "Plush"}},
    {"Sports", 10, 350, {"Yoga Mat", "Dumbbell", "Tennis Racket", "Bicycle Helmet", "Football", "Water Bottle"}},
    {"Beauty", 5, 90, {"Shampoo", "Lipstick", "Moisturizer", "Perfume", "Sunscreen", "Face Mask"}},
}};

struct Brand {
  const char* name;
  std::array<int, 2> categories;  // indexes into kCategories
};
constexpr std::array<Brand, 15> kBrands = {{
    {"Apple", {0, 0}},
    {"Samsung", {0, 3}},
    {"Sony", {0, 5}},
    {"Nike", {2, 1}},
    {"Adidas", {2, 6}},
    {"Levi's", {1, 1}},
    {"Zara", {1, 7}},
    {"Philips", {3, 0}},
    {"Dyson", {3, 7}},
    {"Nestle", {4, 4}},
    {"Lego", {5, 5}},
    {"Hasbro", {5, 5}},
    {"Wilson", {6, 6}},
    {"L'Oreal", {7, 7}},
    {"Uniqlo", {1, 6}},
}};

int days_in_month(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

std::string date_text(int y, int m, int d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

// Days since 2000-01-01, for comparing dates.
int day_number(int y, int m, int d) {
  int n = 0;
  for (int yy = 2000; yy < y; ++yy) n += (yy % 4 == 0) ? 366 : 365;
  for (int mm = 1; mm < m; ++mm) n += days_in_month(y, mm);
  return n + d - 1;
}

struct Store {
  int id;
  std::string name, region, city;
  int open_y, open_m, open_d;
  int close_y = 0, close_m = 0, close_d = 0;
  double traffic;  // relative busyness
};

Value date_value(int y, int m, int d) {
  return Value::text(date_text(y, m, d), ValueType::kDate);
}

DemoColumn col(const char* name, ValueType type, bool not_null = true, const char* references = "") {
  return DemoColumn{name, type, not_null, references};
}

// The warehouse's tables, filled from the fixed seed.
std::vector<DemoTable> generate(DemoStats& stats) {
  using VT = ValueType;
  DemoTable stores_t{"stores",
                     {col("store_id", VT::kInteger), col("store_name", VT::kText), col("region", VT::kText),
                      col("city", VT::kText), col("opened_on", VT::kDate), col("closed_on", VT::kDate, false)},
                     {"store_id"},
                     {},
                     {}};
  DemoTable brands_t{"brands", {col("brand_id", VT::kInteger), col("brand_name", VT::kText)}, {"brand_id"}, {}, {}};
  DemoTable products_t{"products",
                       {col("product_id", VT::kInteger), col("product_name", VT::kText), col("category", VT::kText),
                        col("brand_id", VT::kInteger, true, "brands(brand_id)"), col("unit_price", VT::kReal)},
                       {"product_id"},
                       {},
                       {}};
  DemoTable sales_t{"sales",
                    {col("sale_id", VT::kInteger), col("sale_date", VT::kDate),
                     col("store_id", VT::kInteger, true, "stores(store_id)"),
                     col("product_id", VT::kInteger, true, "products(product_id)"), col("quantity", VT::kInteger),
                     col("amount", VT::kReal)},
                    {"sale_id"},
                    {"sale_date", "store_id", "product_id"},
                    {}};
  DemoTable active_t{"active_store",
                     {col("month", VT::kDate), col("store_id", VT::kInteger, true, "stores(store_id)")},
                     {"month", "store_id"},
                     {},
                     {}};
  Rng rng(kSeed);

  std::vector<Store> stores;
  int id = 1;
  for (const auto& region : kRegions) {
    for (const char* city : region.cities) {
      int n = rng.uniform(2, 3);
      for (int k = 0; k < n; ++k) {
        Store st;
        st.id = id++;
        st.region = region.name;
        st.city = city;
        st.name = std::string(city) + " " + kStoreKinds[rng.uniform(0, kStoreKinds.size() - 1)];
        for (const auto& other : stores) {
          if (other.name == st.name) st.name += " " + std::to_string(k + 2);
        }
        // Most stores predate 2023; some open during the two years.
        if (rng.unit() < 0.8) {
          st.open_y = rng.uniform(2012, 2022);
        } else {
          st.open_y = rng.uniform(2023, 2024);
        }
        st.open_m = rng.uniform(1, 12);
        st.open_d = rng.uniform(1, 28);
        if (rng.unit() < 0.12) {
          st.close_y = rng.uniform(std::max(2023, st.open_y), 2024);
          st.close_m = rng.uniform(st.close_y == st.open_y ? std::min(12, st.open_m + 3) : 1, 12);
          st.close_d = rng.uniform(1, 28);
        }
        st.traffic = 0.6 + rng.unit() * 0.9;
        stores.push_back(st);
      }
    }
  }
  for (const auto& st : stores) {
    stores_t.rows.push_back({Value::integer(st.id), Value::text(st.name), Value::text(st.region), Value::text(st.city),
                             date_value(st.open_y, st.open_m, st.open_d),
                             st.close_y ? date_value(st.close_y, st.close_m, st.close_d) : Value::null()});
  }
  stats.stores = static_cast<int>(stores.size());

  for (size_t b = 0; b < kBrands.size(); ++b) {
    brands_t.rows.push_back({Value::integer(static_cast<int64_t>(b + 1)), Value::text(kBrands[b].name)});
  }
  stats.brands = static_cast<int>(kBrands.size());

  struct Product {
    int id;
    double price;
    double popularity;
  };
  std::vector<Product> products;
  const char* kLines[] = {"Classic", "Pro", "Lite", "Max", "Air", "Plus", "Mini", "Ultra"};
  std::set<std::string> names;
  for (size_t b = 0; b < kBrands.size(); ++b) {
    int n = rng.uniform(8, 12);
    for (int k = 0; k < n; ++k) {
      const Category& cat = kCategories[kBrands[b].categories[k % 2]];
      std::string name =
          std::string(kBrands[b].name) + " " + cat.items[rng.uniform(0, 5)] + " " + kLines[rng.uniform(0, 7)];
      for (int suffix = 2; names.count(name); ++suffix) name += " " + std::to_string(suffix);
      names.insert(name);
      double price = cat.price_lo + (cat.price_hi - cat.price_lo) * std::pow(rng.unit(), 1.7);
      price = (std::round(price * 100) - 1) / 100;  // whole cents, ending in 9
      if (price < 0.99) price = 0.99;
      Product p{static_cast<int>(products.size() + 1), price, 0.3 + rng.unit() * 1.4};
      products_t.rows.push_back({Value::integer(p.id), Value::text(name), Value::text(cat.name),
                                 Value::integer(static_cast<int64_t>(b + 1)), Value::real(price)});
      products.push_back(p);
    }
  }
  stats.products = static_cast<int>(products.size());

  // Popularity-weighted product choice through a cumulative table.
  std::vector<double> cumulative;
  double total = 0;
  for (const auto& p : products) cumulative.push_back(total += p.popularity);

  int sale_id = 1, active = 0;
  for (int y = 2023; y <= 2024; ++y) {
    for (int m = 1; m <= 12; ++m) {
      int month_first = day_number(y, m, 1), month_last = day_number(y, m, days_in_month(y, m));
      // Seasonality: a December peak, a quiet February; 2024 grows on 2023.
      double season = 1.0 + 0.35 * (m == 12) + 0.15 * (m == 11) - 0.15 * (m == 2) + 0.05 * std::sin(m);
      double growth = y == 2024 ? 1.08 : 1.0;
      for (const auto& st : stores) {
        int opened = day_number(st.open_y, st.open_m, st.open_d);
        int closed = st.close_y ? day_number(st.close_y, st.close_m, st.close_d) : 1 << 30;
        if (opened > month_last || closed < month_first) continue;
        active_t.rows.push_back({date_value(y, m, 1), Value::integer(st.id)});
        ++active;
        for (int d = 1; d <= days_in_month(y, m); ++d) {
          int day = day_number(y, m, d);
          if (day < opened || day > closed) continue;
          double expected = 4.6 * st.traffic * season * growth;
          int n = static_cast<int>(expected) + (rng.unit() < expected - std::floor(expected) ? 1 : 0);
          for (int k = 0; k < n; ++k) {
            double r = rng.unit() * total;
            size_t lo = 0, hi = cumulative.size() - 1;
            while (lo < hi) {
              size_t mid = (lo + hi) / 2;
              if (cumulative[mid] < r)
                lo = mid + 1;
              else
                hi = mid;
            }
            const Product& p = products[lo];
            int qty = 1 + (rng.unit() < 0.3 ? rng.uniform(1, 4) : 0);
            double discount = rng.unit() < 0.2 ? 0.1 : 0.0;
            double amount = std::round(qty * p.price * (1 - discount) * 100) / 100;
            sales_t.rows.push_back({Value::integer(sale_id++), date_value(y, m, d), Value::integer(st.id),
                                    Value::integer(p.id), Value::integer(qty), Value::real(amount)});
          }
        }
      }
    }
  }
  stats.sales = sale_id - 1;
  stats.active_store = active;
  std::vector<DemoTable> tables;
  tables.push_back(std::move(stores_t));
  tables.push_back(std::move(brands_t));
  tables.push_back(std::move(products_t));
  tables.push_back(std::move(sales_t));
  tables.push_back(std::move(active_t));
  return tables;
}

}  // namespace

std::string default_data_dir() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) return std::string(xdg) + "/t2sql";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/share/t2sql";
}

std::string default_demo_path() {
  return default_data_dir() + "/demo.db";
}

Result<DemoStats> create_demo_warehouse(const std::string& path, bool overwrite) {
  return create_demo_warehouse(DemoTarget{"sqlite", path, overwrite});
}

Result<DemoStats> create_demo_warehouse(const DemoTarget& target) {
  namespace fs = std::filesystem;
  auto start = std::chrono::steady_clock::now();
  const std::string& engine = target.engine;
  if (engine != "sqlite" && engine != "duckdb" && engine != "postgresql" && engine != "clickhouse") {
    return invalid_argument("unknown engine '" + engine +
                            "' for the demo warehouse (sqlite, duckdb, postgresql or clickhouse)");
  }
  if (!target.shard.cluster.empty() &&
      (target.shard.shards < 1 || target.shard.shard < 1 || target.shard.shard > target.shard.shards)) {
    return invalid_argument("shard " + std::to_string(target.shard.shard) + " of " +
                            std::to_string(target.shard.shards) + " does not exist");
  }
  if (target.location.empty()) return invalid_argument("no path or URI given for the demo warehouse");
  DemoStats stats;
  std::vector<DemoTable> tables = generate(stats);
  if (engine == "postgresql") {
    if (Status s = write_demo_postgres(tables, target.location, target.overwrite); !s.ok()) return s;
  } else if (engine == "clickhouse") {
    if (Status s = write_demo_clickhouse(tables, target.location, target.overwrite, target.shard); !s.ok()) return s;
  } else {
    const std::string& path = target.location;
    std::error_code ec;
    if (fs::exists(path, ec) && !target.overwrite) {
      return invalid_argument("'" + path + "' already exists; pass --force to replace it");
    }
    fs::path file(path);
    if (file.has_parent_path()) {
      fs::create_directories(file.parent_path(), ec);
      if (ec) return invalid_argument("cannot create folder '" + file.parent_path().string() + "': " + ec.message());
    }
    // Built beside the target and renamed into place: a failure leaves nothing
    // half-written, and processes building the same target at once (parallel
    // tests, two first uses) never share a half-built file.
    std::string tmp = path + ".building." + std::to_string(getpid());
    fs::remove(tmp, ec);
    fs::remove(tmp + ".wal", ec);
    Status s = engine == "sqlite" ? write_demo_sqlite(tables, tmp) : write_demo_duckdb(tables, tmp);
    fs::remove(tmp + ".wal", ec);
    if (!s.ok()) {
      fs::remove(tmp, ec);
      return s;
    }
    fs::rename(tmp, path, ec);
    if (ec) {
      fs::remove(tmp, ec);
      return internal_error("cannot move the demo warehouse into '" + path + "'");
    }
  }
  stats.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

Result<std::string> ensure_demo_warehouse() {
  std::string path = default_demo_path();
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return path;
  auto made = create_demo_warehouse(path, false);
  if (!made.ok()) return made.status();
  return path;
}

std::vector<DemoQuery> demo_example_queries(const std::string& engine) {
  // The year of a date is the one part the three engines spell differently.
  std::string year = engine == "sqlite"       ? "strftime('%Y', sale_date)"
                     : engine == "clickhouse" ? "toYear(sale_date)"
                                              : "CAST(EXTRACT(YEAR FROM sale_date) AS INTEGER)";
  // ClickHouse 18.16 joins two tables per SELECT (the third joins a subquery)
  // and loses the alias of a Distributed table inside a join.
  std::string brand_revenue_from =
      engine == "clickhouse"
          ? "FROM (SELECT products.brand_id AS brand_id, sales.amount AS amount FROM sales JOIN products ON "
            "products.product_id = sales.product_id) s JOIN brands b ON b.brand_id = s.brand_id "
          : "FROM sales s JOIN products p ON p.product_id = s.product_id JOIN brands b ON b.brand_id = p.brand_id ";
  std::string y2023 = engine == "sqlite" ? "'2023'" : "2023", y2024 = engine == "sqlite" ? "'2024'" : "2024";
  return {
      {"What were total sales in 2023?",
       "SELECT ROUND(SUM(amount), 2) AS total_sales FROM sales WHERE sale_date >= '2023-01-01' AND sale_date < "
       "'2024-01-01'"},
      {"Sales comparison 2023 vs 2024", "SELECT " + year +
                                            " AS year, ROUND(SUM(amount), 2) AS total_sales FROM sales WHERE " + year +
                                            " IN (" + y2023 + ", " + y2024 + ") GROUP BY " + year + " ORDER BY year"},
      {"Top 5 brands by revenue",
       "SELECT b.brand_name, ROUND(SUM(s.amount), 2) AS revenue " + brand_revenue_from +
           "GROUP BY b.brand_name ORDER BY revenue DESC LIMIT 5"},
      {"Active stores by region",
       "SELECT st.region, COUNT(DISTINCT a.store_id) AS active_stores FROM active_store a "
       "JOIN stores st ON st.store_id = a.store_id WHERE a.month = (SELECT MAX(month) FROM active_store) "
       "GROUP BY st.region ORDER BY active_stores DESC, st.region"},
  };
}

}  // namespace t2sql
