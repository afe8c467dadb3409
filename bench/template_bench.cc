// Latency of the template engine on the demo warehouse, query execution
// excluded: generate() per question (linking, rules, SQL text, and the
// database's own validation of the SQL). Target: p50 under 5 ms.
//
//   build/bench/template_bench            (the p50_ms counter is the figure)
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <vector>

#include "generate/template_generator.h"
#include "t2sql/database.h"
#include "t2sql/demo.h"

namespace {

const std::vector<std::string>& questions() {
  static const std::vector<std::string> kQuestions = {
      "What were total sales in 2023?",
      "Sales comparison 2023 vs 2024",
      "Top 5 brands by revenue",
      "Active stores by region",
      "Total sales by region",
      "Average sale amount by category",
      "Monthly sales in 2024",
      "How many stores are in the North region?",
      "Total revenue in Seattle in 2024",
      "Which store had the highest sales in 2023?",
      "How many products cost more than 500?",
      "Total sales between March and May 2024",
      "Sales last year",
      "Top 10 products by revenue",
      "Number of stores per region",
      "Electronics sales by region",
  };
  return kQuestions;
}

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<t2sql::Database> db;
  std::unique_ptr<t2sql::TemplateGenerator> gen;
  Fixture() {
    dir = std::filesystem::temp_directory_path() / ("t2sql_template_bench_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::string path = (dir / "demo.db").string();
    if (!t2sql::create_demo_warehouse(path, true).ok()) std::abort();
    db = std::move(t2sql::Database::open(path).value());
    auto catalog = db->catalog();
    gen = std::move(t2sql::TemplateGenerator::create(catalog.value(), db.get()).value());
  }
  ~Fixture() {
    gen.reset();
    db.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

// One question per iteration, cycling through the list; reports p50 and p95.
void BM_TemplateGenerate(benchmark::State& state) {
  Fixture& f = fixture();
  std::vector<double> ms;
  size_t i = 0;
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    auto out = f.gen->generate({.question = questions()[i++ % questions().size()]});
    benchmark::DoNotOptimize(out);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  if (!ms.empty()) {
    state.counters["p50_ms"] = ms[ms.size() / 2];
    state.counters["p95_ms"] = ms[std::min(ms.size() - 1, ms.size() * 95 / 100)];
  }
}
BENCHMARK(BM_TemplateGenerate)->Unit(benchmark::kMicrosecond);

// The one-time cost: linker, join graph and the value index over the demo.
void BM_TemplateCreate(benchmark::State& state) {
  Fixture& f = fixture();
  auto catalog = f.db->catalog().value();
  for (auto _ : state) {
    auto gen = t2sql::TemplateGenerator::create(catalog, f.db.get());
    benchmark::DoNotOptimize(gen);
  }
}
BENCHMARK(BM_TemplateCreate)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
