// Retrieval evaluation: for the Spider dev-open questions, the share of the
// gold query's columns that retrieval puts into the prompt (recall), the
// prompt's size and the retrieval latency, at several N. Either each question
// against its own database (catalog "db") or every question against the
// large-schema stress catalog (catalog "stress").
//
//   RetrievalEvalOptions options{.catalog = "stress"};
//   auto report = evaluate_retrieval(options);
//   std::cout << report->to_json();
//
// Gold columns come from Spider's parsed `sql` field; a table the gold query
// uses only through `*` (count(*)) counts as one item, found when the table is
// in the prompt. Errors: missing data (kNotFound), a broken embedder.
#pragma once

#include <string>
#include <vector>

#include "t2sql/retrieval.h"
#include "t2sql/status.h"

namespace t2sql {

struct RetrievalEvalOptions {
  std::string shared_dir;      // the stress catalog's sources; empty: default_shared_dir()
  std::string spider_dir;      // dev.json, tables.json, database/; empty: <shared>/data/spider-dev-open
  std::string catalog = "db";  // "db" or "stress"
  std::vector<int> top_columns = {10, 20, 40, 80, 160};
  int headline_top_columns = 0;  // the N reported at the top level; 0: the first with recall >= 0.95
  int token_budget = 0;
  std::string embedder = "hash";
  std::string cache_dir;  // index cache; empty: none
  int limit = 0;          // questions; 0: all
  int stress_tables = 2000, stress_columns = 20000;
  bool keep_misses = false;  // list the gold items each question missed (last N only)
};

struct RetrievalMiss {
  std::string question;
  std::vector<std::string> missed;  // "table.column" or "table.*"
  std::vector<std::string> tables;  // what the prompt held instead
};

struct RetrievalEvalPoint {
  int top_columns = 0;
  double column_recall = 0;      // mean over questions of found gold items / gold items
  double full_recall_share = 0;  // questions whose every gold item was found
  double prompt_tokens_mean = 0;
  double token_share = 0;  // prompt_tokens_mean / full_schema_tokens
  double latency_p50_ms = 0, latency_p95_ms = 0;
};

struct RetrievalEvalReport {
  std::string catalog;
  int n = 0;                      // questions
  int tables = 0, columns = 0;    // of the catalog searched (the largest, for "db")
  double full_schema_tokens = 0;  // of the catalog searched (mean over databases for "db")
  std::string index_kind, embedder;
  double index_build_ms = 0;
  double index_build_cpu_ms = 0;  // CPU time of the build, all threads: wall time on an idle machine is at most this
  std::vector<RetrievalEvalPoint> sweep;
  RetrievalEvalPoint headline;
  std::vector<RetrievalMiss> misses;  // with keep_misses
  // {"n", "column_recall", "prompt_tokens_mean", "full_schema_tokens",
  //  "latency_ms": {"p50", "p95"}, "top_columns", "catalog", "sweep": [...], ...}
  std::string to_json() const;
};

Result<RetrievalEvalReport> evaluate_retrieval(const RetrievalEvalOptions& options,
                                               const ProgressFn& progress = nullptr);

}  // namespace t2sql
