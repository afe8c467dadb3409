// The cost of the SQL constraints per candidate token: the scope checker's
// verdict on a statement being written (accept_text) and its distance to an
// end (steps_to_end), on the demo warehouse's schema. Constrained decoding
// asks these once per token when the model's choice fits, and up to a few
// hundred times when it searches the vocabulary for one that does.
//
//   build/bench/constraint_bench
#include <benchmark/benchmark.h>

#include <string>

#include "llm/sql_grammar.h"
#include "llm/sql_scope_checker.h"
#include "t2sql/database.h"
#include "t2sql/demo.h"

namespace {

const t2sql::SqlConstraint& demo_constraint() {
  static const t2sql::SqlConstraint c = [] {
    auto demo = t2sql::ensure_demo_warehouse();
    auto db = t2sql::Database::open(*demo);
    return t2sql::build_sql_constraint((*db)->catalog()->to_ddl(), "sqlite", false);
  }();
  return c;
}

// Statements being written, short to long.
const char* const kTexts[] = {
    "SELECT re",
    "SELECT q.amount, q.sale_id FROM sto",
    "SELECT T1.store_name, count(*) AS n FROM stores AS T1 JOIN sales AS T2 ON T1.store_id = T2.store_id "
    "WHERE T2.amo",
};

// Each candidate differs from the last (the checker keeps one verdict per
// thread, which a repeat would hit).
void BM_Check(benchmark::State& state) {
  const auto& checker = *demo_constraint().checker;
  const std::string base = kTexts[state.range(0)];
  int i = 0;
  for (auto _ : state) {
    std::string text = base + static_cast<char>('a' + (i++ % 26));
    benchmark::DoNotOptimize(checker.check(text, false).ok);
  }
  state.SetLabel(base);
}
BENCHMARK(BM_Check)->DenseRange(0, 2);

void BM_StepsToEnd(benchmark::State& state) {
  const auto& checker = *demo_constraint().checker;
  const std::string base = kTexts[state.range(0)];
  int i = 0;
  for (auto _ : state) {
    std::string text = base + static_cast<char>('a' + (i++ % 26));
    benchmark::DoNotOptimize(checker.steps_to_end(text));
  }
  state.SetLabel(base);
}
BENCHMARK(BM_StepsToEnd)->DenseRange(0, 2);

}  // namespace

BENCHMARK_MAIN();
