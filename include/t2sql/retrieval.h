// Schema retrieval (the design's "agentic RAG"): column descriptions, an
// embedding index over them, and the limited-context DDL built from the
// columns a question needs.
//
//   RetrievalOptions options;                      // hashed TF-IDF embedder, top 40 columns
//   options.cache_dir = database_cache_dir(db->uri());
//   auto retriever = VectorSchemaRetriever::create(catalog, options);
//   if (!retriever.ok()) return fail(retriever.status());
//   auto context = (*retriever)->retrieve("top 5 brands by revenue", linked_values);
//   request.schema_ddl = context->ddl;             // CREATE TABLEs with only the needed columns
//
// The index is cached on disk under the database's cache folder with a
// fingerprint of the schema descriptions and of the embedder; a stale or
// corrupt cache is detected and rebuilt. With `enabled = false` retrieve()
// returns the whole catalog's DDL, so that callers can switch RAG off and
// measure what it was worth.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "t2sql/catalog.h"
#include "t2sql/column_descriptions.h"
#include "t2sql/generator.h"
#include "t2sql/status.h"

namespace t2sql {

// Called as work advances: `done` of `total` items of `stage` ("embed", "index").
using ProgressFn = std::function<void(const std::string& stage, int64_t done, int64_t total)>;

// The folder for a database's caches: $XDG_CACHE_HOME/t2sql/db/<hash of the
// canonical URI> (else ~/.cache/...). Not created here.
std::string database_cache_dir(const std::string& db_uri);

struct RetrievalOptions {
  bool enabled = true;   // false: retrieve() returns the whole schema
  int top_columns = 40;  // N: columns taken from the vector index
  int token_budget = 0;  // cap on the DDL's tokens; 0: no cap
  int examples = 3;      // few-shot examples, when an example store is attached
  // "hash" (built-in hashed word + character n-gram TF-IDF, needs no model),
  // "hash:<dim>", or a path to a GGUF embedding model.
  std::string embedder = "hash";
  int threads = 0;                // embedding model threads; 0: all cores
  std::string descriptions_path;  // optional description file (see apply_description_file)
  std::string examples_path;      // optional JSONL of {"question", "sql"} pairs
  std::string cache_dir;          // where the index is cached; empty: no cache
  // Above this many columns the index is HNSW (approximate), below it exact
  // inner product.
  int hnsw_threshold = 4096;
  // Counts prompt tokens; estimate_tokens when empty (an LLM engine passes its tokenizer).
  std::function<int(const std::string&)> count_tokens;
};

struct RetrievedColumn {
  int table_index = 0, column_index = 0;
  std::string table, column;
  float score = 0;  // similarity; linked values score 1
};

struct RetrievalResult {
  std::vector<RetrievedColumn> columns;  // the index's hits that made it into the DDL, best first
  std::vector<std::string> tables;       // tables in the DDL, bridges included
  std::string ddl;                       // CREATE TABLE statements with only the chosen columns
  std::vector<SqlExample> examples;      // similar question/SQL pairs
  int prompt_tokens = 0;                 // of ddl + examples
  int full_schema_tokens = 0;            // of the whole catalog's DDL
  double elapsed_ms = 0;
};

// Owns the descriptions, the embedder, the vector index and the example store
// of one catalog. Build once per database (create() loads or builds the
// index), then call retrieve() per question. retrieve() is const but not
// thread-safe for model embedders: give each thread its own retriever.
class VectorSchemaRetriever {
 public:
  virtual ~VectorSchemaRetriever() = default;

  // Loads the cached index when its fingerprint matches, else builds it (and
  // caches it when options.cache_dir is set). Errors: a broken embedder spec
  // or model (kInvalidArgument / kNotFound), an unreadable description or
  // examples file. A missing-column entry in the description file is not an
  // error: it is listed in description_report().
  static Result<std::unique_ptr<VectorSchemaRetriever>> create(const Catalog& catalog, const RetrievalOptions& options,
                                                         const ProgressFn& progress = nullptr);

  virtual Result<RetrievalResult> retrieve(const std::string& question,
                                           const std::vector<LinkedValue>& linked_values = {}) const = 0;

  // Changes N and the token budget for later retrieve() calls (the index
  // stays as it is). kInvalidArgument for N < 1 or a negative budget.
  virtual Status set_limits(int top_columns, int token_budget) = 0;

  // Adds an accepted question/SQL pair to the example store (and to
  // options.examples_path when set, so it survives).
  virtual Status add_example(const SqlExample& example) = 0;

  // How create() got its index: "built", "loaded from cache", or "rebuilt:
  // <why the cache was refused>".
  virtual const std::string& index_origin() const = 0;
  virtual const DescriptionFileReport& description_report() const = 0;
  virtual std::string index_kind() const = 0;  // "flat-ip" or "hnsw"
  virtual std::string embedder_id() const = 0;
  virtual size_t column_count() const = 0;
  virtual double build_ms() const = 0;  // 0 when loaded from cache
};


}  // namespace t2sql
