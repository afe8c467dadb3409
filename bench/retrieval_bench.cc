// Schema retrieval on the large-schema stress catalog (2,000 tables, 20,000
// columns by default): index build time, retrieval latency, and recall of the
// Spider dev-open gold columns with prompt size, at several N.
//
//   build/retrieval_bench [--tables 2000] [--columns 20000] [--embedder hash] [--json out.json]
//
// Prints the evaluation report (JSON). Run with OMP_NUM_THREADS=2 to measure
// the two-core figure the README quotes.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include "tools/eval/retrieval_eval.h"

int main(int argc, char** argv) {
  t2sql::RetrievalEvalOptions options;
  options.catalog = "stress";
  options.top_columns = {20, 40, 80, 160, 320};
  std::string json_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--tables")
      options.stress_tables = std::atoi(argv[i + 1]);
    else if (flag == "--columns")
      options.stress_columns = std::atoi(argv[i + 1]);
    else if (flag == "--embedder")
      options.embedder = argv[i + 1];
    else if (flag == "--json")
      json_path = argv[i + 1];
    else if (flag == "--cache")
      options.cache_dir = argv[i + 1];
    else if (flag == "--limit")
      options.limit = std::atoi(argv[i + 1]);
    else if (flag == "--budget")
      options.token_budget = std::atoi(argv[i + 1]);
    else if (flag == "--top") {
      options.top_columns.clear();
      for (const char* p = argv[i + 1]; *p;) {
        options.top_columns.push_back(std::atoi(p));
        while (*p && *p != ',') ++p;
        if (*p == ',') ++p;
      }
    } else if (flag == "--misses")
      options.keep_misses = std::atoi(argv[i + 1]) > 0;
    else {
      std::fprintf(stderr,
                   "usage: %s [--tables N] [--columns N] [--embedder SPEC] [--limit Q] [--budget T] [--top N,N,...] "
                   "[--misses 1] [--cache DIR] [--json FILE]\n",
                   argv[0]);
      return 2;
    }
  }
  auto report = t2sql::evaluate_retrieval(options, [](const std::string& stage, int64_t done, int64_t total) {
    if (done == total) std::fprintf(stderr, "%s: %lld done\n", stage.c_str(), static_cast<long long>(total));
  });
  if (!report.ok()) {
    std::fprintf(stderr, "error: %s\n", report.status().message().c_str());
    return 1;
  }
  for (const auto& m : report->misses) {
    std::fprintf(stderr, "MISS %s\n  missed:", m.question.c_str());
    for (const auto& x : m.missed) std::fprintf(stderr, " %s", x.c_str());
    std::fprintf(stderr, "\n  tables:");
    for (size_t i = 0; i < m.tables.size() && i < 12; ++i) std::fprintf(stderr, " %s", m.tables[i].c_str());
    std::fprintf(stderr, "\n");
  }
  std::string json = report->to_json();
  std::cout << json;
  if (!json_path.empty()) std::ofstream(json_path) << json;
  return 0;
}
