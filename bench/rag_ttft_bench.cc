// Prompt tokens and time to first token with retrieval (RAG) against the
// whole schema, on the large-schema stress catalog, for a model of a real
// shape with random weights (made with `t2sql model init`). Run by hand:
//
//   build/t2sql model init --out /tmp/qwen05.gguf --vocab qwen2 --n-embd 896 --n-layer 24 \
//       --n-head 14 --n-head-kv 2 --n-ff 4864 --n-ctx 32768
//   build/bench/rag_ttft_bench --model /tmp/qwen05.gguf --questions 5 --top 200 --n-ctx 32768
//
// The whole catalog does not fit any context; the full-schema run uses its
// first tables up to the context (a lower bound on its cost) and says so.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "prompt_timing.h"
#include "tools/eval/stress_catalog.h"
#include "t2sql/retrieval.h"

// The shared benchmark data: $T2SQL_SHARED_DIR, else beside the source tree.
static std::string shared_dir() {
  std::string env = t2sql::default_shared_dir();
  return env.empty() ? std::string(T2SQL_SOURCE_DIR) + "/../shared" : env;
}

int main(int argc, char** argv) {
  std::string model;
  int questions = 5, top = 200, n_ctx = 32768, threads = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string f = argv[i];
    if (f == "--model")
      model = argv[i + 1];
    else if (f == "--questions")
      questions = std::atoi(argv[i + 1]);
    else if (f == "--top")
      top = std::atoi(argv[i + 1]);
    else if (f == "--n-ctx")
      n_ctx = std::atoi(argv[i + 1]);
    else if (f == "--threads")
      threads = std::atoi(argv[i + 1]);
  }
  if (model.empty()) {
    std::fprintf(stderr, "usage: %s --model GGUF [--questions 5] [--top 200] [--n-ctx 32768] [--threads 0]\n", argv[0]);
    return 2;
  }
  auto stress = t2sql::build_stress_catalog({.shared_dir = shared_dir()});
  if (!stress.ok()) return std::fprintf(stderr, "error: %s\n", stress.status().message().c_str()), 1;
  t2sql::RetrievalOptions options;
  options.top_columns = top;
  auto retriever = t2sql::VectorSchemaRetriever::create(stress->catalog, options);
  if (!retriever.ok()) return std::fprintf(stderr, "error: %s\n", retriever.status().message().c_str()), 1;
  const std::vector<std::string> asked = {"How many singers do we have?",
                                          "What is the average horsepower of the cars before 1980?",
                                          "Find the first name of students who have cat or dog pet.",
                                          "Top 5 brands by revenue",
                                          "Which airline has the most flights?",
                                          "List the names of orchestras that have no performance."};
  const std::string instructions = "Write one SQLite SELECT statement that answers the question.\n";
  std::printf("{\"model\": \"%s\", \"n_ctx\": %d, \"top_columns\": %d, \"runs\": [\n", model.c_str(), n_ctx, top);
  for (int q = 0; q < questions && q < static_cast<int>(asked.size()); ++q) {
    auto r = (*retriever)->retrieve(asked[q]);
    if (!r.ok()) return 1;
    auto rag = t2sql::time_to_first_token(model, instructions + r->ddl + "\nQuestion: " + asked[q] + "\nSQL: ", n_ctx,
                                          threads);
    if (!rag.ok()) return std::fprintf(stderr, "error: %s\n", rag.status().message().c_str()), 1;
    std::printf("  {\"question\": \"%s\", \"rag_prompt_tokens\": %d, \"rag_ttft_ms\": %.1f},\n", asked[q].c_str(),
                rag->prompt_tokens, rag->ttft_ms);
    std::fflush(stdout);
  }
  // The whole schema: as many tables as fit the context.
  std::string full;
  int tables = 0;
  for (const auto& t : stress->catalog.tables) {
    std::string next = full + t2sql::table_ddl(t) + "\n";
    // The estimate runs up to a fifth below BPE tokenizers on these names.
    if (t2sql::estimate_tokens(instructions + next) > n_ctx * 7 / 10) break;
    full = std::move(next);
    ++tables;
  }
  auto whole = t2sql::time_to_first_token(model, instructions + full + "\nQuestion: x\nSQL: ", n_ctx, threads);
  int all_tokens = t2sql::estimate_tokens(stress->catalog.to_ddl());
  if (!whole.ok()) return std::fprintf(stderr, "error: %s\n", whole.status().message().c_str()), 1;
  std::printf(
      "  {\"full_schema_tables_that_fit\": %d, \"of_tables\": %zu, \"prompt_tokens\": %d, \"ttft_ms\": %.1f,"
      " \"whole_catalog_tokens_estimated\": %d}\n]}\n",
      tables, stress->catalog.tables.size(), whole->prompt_tokens, whole->ttft_ms, all_tokens);
  return 0;
}
