#include <sqlite3.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

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

class Writer {
 public:
  explicit Writer(sqlite3* db) : db_(db) {}
  Status exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      return internal_error("building the demo warehouse: " + msg);
    }
    return Status();
  }
  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr);
    stmts_.push_back(stmt);
    return stmt;
  }
  bool step(sqlite3_stmt* stmt) {
    bool ok = sqlite3_step(stmt) == SQLITE_DONE;
    sqlite3_reset(stmt);
    return ok;
  }
  ~Writer() {
    for (auto* s : stmts_) sqlite3_finalize(s);
  }

 private:
  sqlite3* db_;
  std::vector<sqlite3_stmt*> stmts_;
};

void bind_text(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.c_str(), -1, SQLITE_TRANSIENT);
}

Status fill(sqlite3* db, DemoStats& stats) {
  Writer w(db);
  const char* kSchema = R"SQL(
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA foreign_keys = ON;
CREATE TABLE stores (
  store_id INTEGER PRIMARY KEY,
  store_name TEXT NOT NULL,
  region TEXT NOT NULL,
  city TEXT NOT NULL,
  opened_on DATE NOT NULL,
  closed_on DATE
);
CREATE TABLE brands (
  brand_id INTEGER PRIMARY KEY,
  brand_name TEXT NOT NULL
);
CREATE TABLE products (
  product_id INTEGER PRIMARY KEY,
  product_name TEXT NOT NULL,
  category TEXT NOT NULL,
  brand_id INTEGER NOT NULL REFERENCES brands(brand_id),
  unit_price REAL NOT NULL
);
CREATE TABLE sales (
  sale_id INTEGER PRIMARY KEY,
  sale_date DATE NOT NULL,
  store_id INTEGER NOT NULL REFERENCES stores(store_id),
  product_id INTEGER NOT NULL REFERENCES products(product_id),
  quantity INTEGER NOT NULL,
  amount REAL NOT NULL
);
CREATE TABLE active_store (
  month DATE NOT NULL,
  store_id INTEGER NOT NULL REFERENCES stores(store_id),
  PRIMARY KEY (month, store_id)
);
BEGIN;
)SQL";
  if (Status s = w.exec(kSchema); !s.ok()) return s;
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
  auto* ins_store = w.prepare("INSERT INTO stores VALUES (?,?,?,?,?,?)");
  for (const auto& st : stores) {
    sqlite3_bind_int(ins_store, 1, st.id);
    bind_text(ins_store, 2, st.name);
    bind_text(ins_store, 3, st.region);
    bind_text(ins_store, 4, st.city);
    bind_text(ins_store, 5, date_text(st.open_y, st.open_m, st.open_d));
    if (st.close_y)
      bind_text(ins_store, 6, date_text(st.close_y, st.close_m, st.close_d));
    else
      sqlite3_bind_null(ins_store, 6);
    if (!w.step(ins_store)) return internal_error("inserting stores");
  }
  stats.stores = static_cast<int>(stores.size());

  auto* ins_brand = w.prepare("INSERT INTO brands VALUES (?,?)");
  for (size_t b = 0; b < kBrands.size(); ++b) {
    sqlite3_bind_int(ins_brand, 1, static_cast<int>(b + 1));
    bind_text(ins_brand, 2, kBrands[b].name);
    if (!w.step(ins_brand)) return internal_error("inserting brands");
  }
  stats.brands = static_cast<int>(kBrands.size());

  struct Product {
    int id;
    double price;
    double popularity;
  };
  std::vector<Product> products;
  auto* ins_product = w.prepare("INSERT INTO products VALUES (?,?,?,?,?)");
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
      price = std::round(price * 100) / 100 - 0.01;
      if (price < 0.99) price = 0.99;
      Product p{static_cast<int>(products.size() + 1), price, 0.3 + rng.unit() * 1.4};
      sqlite3_bind_int(ins_product, 1, p.id);
      bind_text(ins_product, 2, name);
      bind_text(ins_product, 3, cat.name);
      sqlite3_bind_int(ins_product, 4, static_cast<int>(b + 1));
      sqlite3_bind_double(ins_product, 5, price);
      if (!w.step(ins_product)) return internal_error("inserting products");
      products.push_back(p);
    }
  }
  stats.products = static_cast<int>(products.size());

  // Popularity-weighted product choice through a cumulative table.
  std::vector<double> cumulative;
  double total = 0;
  for (const auto& p : products) cumulative.push_back(total += p.popularity);

  auto* ins_sale = w.prepare("INSERT INTO sales VALUES (?,?,?,?,?,?)");
  auto* ins_active = w.prepare("INSERT INTO active_store VALUES (?,?)");
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
        sqlite3_bind_text(ins_active, 1, date_text(y, m, 1).c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(ins_active, 2, st.id);
        if (!w.step(ins_active)) return internal_error("inserting active_store");
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
            sqlite3_bind_int(ins_sale, 1, sale_id++);
            bind_text(ins_sale, 2, date_text(y, m, d));
            sqlite3_bind_int(ins_sale, 3, st.id);
            sqlite3_bind_int(ins_sale, 4, p.id);
            sqlite3_bind_int(ins_sale, 5, qty);
            sqlite3_bind_double(ins_sale, 6, amount);
            if (!w.step(ins_sale)) return internal_error("inserting sales");
          }
        }
      }
    }
  }
  stats.sales = sale_id - 1;
  stats.active_store = active;
  if (Status s = w.exec("COMMIT; CREATE INDEX sales_date ON sales(sale_date); "
                        "CREATE INDEX sales_store ON sales(store_id); CREATE INDEX sales_product ON sales(product_id); "
                        "ANALYZE;");
      !s.ok()) {
    return s;
  }
  return Status();
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
  namespace fs = std::filesystem;
  auto start = std::chrono::steady_clock::now();
  std::error_code ec;
  if (fs::exists(path, ec) && !overwrite) {
    return invalid_argument("'" + path + "' already exists; pass --force to replace it");
  }
  fs::path target(path);
  if (target.has_parent_path()) {
    fs::create_directories(target.parent_path(), ec);
    if (ec) return invalid_argument("cannot create folder '" + target.parent_path().string() + "': " + ec.message());
  }
  std::string tmp = path + ".building";
  fs::remove(tmp, ec);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(tmp.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return invalid_argument("cannot create '" + tmp + "': " + msg);
  }
  DemoStats stats;
  Status s = fill(db, stats);
  sqlite3_close(db);
  if (!s.ok()) {
    fs::remove(tmp, ec);
    return s;
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return internal_error("cannot move the demo warehouse into '" + path + "'");
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

std::vector<DemoQuery> demo_example_queries() {
  return {
      {"What were total sales in 2023?",
       "SELECT ROUND(SUM(amount), 2) AS total_sales FROM sales WHERE strftime('%Y', sale_date) = '2023'"},
      {"Sales comparison 2023 vs 2024",
       "SELECT strftime('%Y', sale_date) AS year, ROUND(SUM(amount), 2) AS total_sales FROM sales "
       "WHERE strftime('%Y', sale_date) IN ('2023', '2024') GROUP BY year ORDER BY year"},
      {"Top 5 brands by revenue",
       "SELECT b.brand_name, ROUND(SUM(s.amount), 2) AS revenue FROM sales s "
       "JOIN products p ON p.product_id = s.product_id JOIN brands b ON b.brand_id = p.brand_id "
       "GROUP BY b.brand_name ORDER BY revenue DESC LIMIT 5"},
      {"Active stores by region",
       "SELECT st.region, COUNT(DISTINCT a.store_id) AS active_stores FROM active_store a "
       "JOIN stores st ON st.store_id = a.store_id WHERE a.month = (SELECT MAX(month) FROM active_store) "
       "GROUP BY st.region ORDER BY active_stores DESC"},
  };
}

}  // namespace t2sql
