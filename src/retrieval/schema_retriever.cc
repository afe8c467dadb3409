// SchemaRetriever (declared in t2sql/retrieval.h): descriptions -> embedder
// -> cached vector index -> top-N columns -> limited-context DDL.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "retrieval/embedder.h"
#include "retrieval/example_store.h"
#include "retrieval/hashing.h"
#include "retrieval/index_cache.h"
#include "retrieval/vector_index.h"
#include "t2sql/retrieval.h"

namespace t2sql {

namespace {

// Bumped when the descriptions, the index layout or the payload change, so
// that caches written by older builds count as stale.
constexpr uint64_t kIndexFormat = 1;
constexpr const char* kIndexFile = "/schema_index.bin";

double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

bool iequals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

class SchemaRetrieverImpl : public SchemaRetriever {
 public:
  Result<RetrievalResult> retrieve(const std::string& question,
                                   const std::vector<LinkedValue>& linked_values) const override;
  Status add_example(const SqlExample& example) override {
    return examples_.add(example, options_.examples_path);
  }
  Status set_limits(int top_columns, int token_budget) override {
    if (top_columns < 1) return invalid_argument("top_columns must be at least 1");
    if (token_budget < 0) return invalid_argument("token_budget must not be negative");
    options_.top_columns = top_columns;
    options_.token_budget = token_budget;
    return Status();
  }
  const std::string& index_origin() const override { return origin_; }
  const DescriptionFileReport& description_report() const override { return report_; }
  std::string index_kind() const override { return index_ ? index_->kind() : "none"; }
  std::string embedder_id() const override { return embedder_ ? embedder_->id() : ""; }
  size_t column_count() const override { return descriptions_.size(); }
  double build_ms() const override { return build_ms_; }

  Status init(const Catalog& catalog, const RetrievalOptions& options, const ProgressFn& progress);

 private:
  struct Pick {
    int table, column;
    float score;
  };
  int count(const std::string& text) const {
    return options_.count_tokens ? options_.count_tokens(text) : estimate_tokens(text);
  }
  // The DDL for the first `n` picks, with keys, join columns and bridges.
  std::string assemble(const std::vector<Pick>& picks, size_t n, std::vector<std::string>* tables) const;
  Status load_or_build(const ProgressFn& progress);
  void index_keys();

  Catalog catalog_;
  RetrievalOptions options_;
  DescriptionFileReport report_;
  std::vector<ColumnDescription> descriptions_;
  std::unique_ptr<Embedder> embedder_;
  std::unique_ptr<VectorIndex> index_;
  ExampleStore examples_;
  std::string origin_;
  double build_ms_ = 0;
  int full_schema_tokens_ = 0;
  // For each table: the tables it references, and those that reference it.
  std::vector<std::vector<int>> references_, referenced_by_;
  std::unordered_map<std::string, int> table_ids_;  // lowercase name -> index
};

void SchemaRetrieverImpl::index_keys() {
  const size_t n = catalog_.tables.size();
  references_.assign(n, {});
  referenced_by_.assign(n, {});
  for (size_t i = 0; i < n; ++i) {
    std::string key = catalog_.tables[i].name;
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    table_ids_.emplace(key, static_cast<int>(i));
  }
  for (size_t i = 0; i < n; ++i) {
    for (const auto& fk : catalog_.tables[i].foreign_keys) {
      std::string key = fk.ref_table;
      std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
      auto it = table_ids_.find(key);
      if (it == table_ids_.end() || it->second == static_cast<int>(i)) continue;
      references_[i].push_back(it->second);
      referenced_by_[it->second].push_back(static_cast<int>(i));
    }
  }
}

Status SchemaRetrieverImpl::init(const Catalog& catalog, const RetrievalOptions& options, const ProgressFn& progress) {
  catalog_ = catalog;
  options_ = options;
  if (options_.top_columns <= 0) return invalid_argument("top_columns must be at least 1");
  if (options_.token_budget < 0) return invalid_argument("token_budget must not be negative");
  if (!options_.descriptions_path.empty()) {
    auto report = apply_description_file(options_.descriptions_path, &catalog_);
    if (!report.ok()) return report.status();
    report_ = std::move(*report);
  }
  if (!options_.examples_path.empty()) {
    auto store = ExampleStore::load(options_.examples_path);
    if (!store.ok()) return store.status();
    examples_ = std::move(**store);
  }
  index_keys();
  full_schema_tokens_ = count(catalog_.to_ddl());
  if (!options_.enabled) {
    origin_ = "retrieval off";
    return Status();
  }
  descriptions_ = describe_columns(catalog_);
  auto embedder = make_embedder(options_.embedder, options_.threads);
  if (!embedder.ok()) return embedder.status();
  embedder_ = std::move(*embedder);
  return load_or_build(progress);
}

Status SchemaRetrieverImpl::load_or_build(const ProgressFn& progress) {
  std::vector<std::string> texts;
  texts.reserve(descriptions_.size());
  for (const auto& d : descriptions_) texts.push_back(d.text);
  embedder_->fit(texts);

  const int64_t n = static_cast<int64_t>(texts.size());
  const bool hnsw = options_.hnsw_threshold > 0 && n > options_.hnsw_threshold;
  uint64_t fp = fnv1a64(embedder_->id());
  fp = fnv1a64_bytes(&kIndexFormat, sizeof(kIndexFormat), fp);
  fp = fnv1a64(hnsw ? "hnsw" : "flat", fp);
  for (const auto& t : texts) {
    fp = fnv1a64(t, fp);
    fp = fnv1a64("\n", fp);
  }

  std::string path = options_.cache_dir.empty() ? "" : options_.cache_dir + kIndexFile;
  std::string why;
  if (!path.empty()) {
    auto payload = read_cache_file(path, CacheKind::kSchemaIndex, fp);
    if (payload.ok()) {
      auto index = VectorIndex::deserialize(*payload);
      if (index.ok() && (*index)->size() == n && (*index)->dim() == embedder_->dim()) {
        index_ = std::move(*index);
        origin_ = "loaded from cache";
        return Status();
      }
      why = index.ok() ? "corrupt: the cached index does not match the schema" : index.status().message();
    } else if (payload.status().code() != StatusCode::kNotFound) {
      why = payload.status().message();
    }
  }

  double start = now_ms();
  std::vector<float> vectors(static_cast<size_t>(n) * embedder_->dim());
  Status s = embedder_->embed(texts, vectors.data(), progress);
  if (!s.ok()) return s;
  index_ = VectorIndex::create(embedder_->dim(), n, options_.hnsw_threshold);
  s = index_->add(vectors.data(), n, progress);
  if (!s.ok()) return s;
  build_ms_ = now_ms() - start;
  origin_ = why.empty() ? "built" : "rebuilt (" + why + ")";
  if (!path.empty()) {
    auto payload = index_->serialize();
    if (!payload.ok()) return payload.status();
    // A cache that cannot be written costs the next run a rebuild, not this run its answer.
    Status w = write_cache_file(path, CacheKind::kSchemaIndex, fp, *payload);
    if (!w.ok()) origin_ += "; not cached: " + w.message();
  }
  return Status();
}

std::string SchemaRetrieverImpl::assemble(const std::vector<Pick>& picks, size_t n,
                                          std::vector<std::string>* tables) const {
  std::vector<int> order;                               // tables, best first
  std::unordered_map<int, std::vector<std::string>> cols;  // table -> columns to show
  auto add_table = [&](int t) {
    if (cols.emplace(t, std::vector<std::string>{}).second) order.push_back(t);
  };
  auto add_column = [&](int t, const std::string& c) {
    add_table(t);
    auto& v = cols[t];
    if (std::none_of(v.begin(), v.end(), [&](const std::string& x) { return iequals(x, c); })) v.push_back(c);
  };
  for (size_t i = 0; i < n && i < picks.size(); ++i) {
    add_column(picks[i].table, catalog_.tables[picks[i].table].columns[picks[i].column].name);
  }
  std::unordered_set<int> chosen(order.begin(), order.end());
  auto linked = [&](int a, int b) {
    return std::find(references_[a].begin(), references_[a].end(), b) != references_[a].end() ||
           std::find(references_[b].begin(), references_[b].end(), a) != references_[b].end();
  };
  // Bridge tables: an unchosen table whose foreign keys reach two chosen
  // tables that have no key between them (the many-to-many join table).
  std::vector<int> picked(order.begin(), order.end());
  for (int a : picked) {
    for (int bridge : referenced_by_[a]) {
      if (chosen.count(bridge)) continue;
      for (int b : references_[bridge]) {
        if (b == a || !chosen.count(b) || linked(a, b)) continue;
        add_table(bridge);
        chosen.insert(bridge);
        break;
      }
    }
  }
  for (int t : order) {
    const TableInfo& table = catalog_.tables[t];
    for (const auto& k : table.primary_key) add_column(t, k);
    for (const auto& c : table.columns) {
      if (c.primary_key) add_column(t, c.name);
    }
    for (const auto& fk : table.foreign_keys) {
      std::string key = fk.ref_table;
      std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
      auto it = table_ids_.find(key);
      if (it == table_ids_.end() || !chosen.count(it->second)) continue;
      for (const auto& c : fk.columns) add_column(t, c);
      for (const auto& c : fk.ref_columns) add_column(it->second, c);
    }
  }
  std::string ddl;
  if (tables) tables->clear();
  for (int t : order) {
    ddl += table_ddl(catalog_.tables[t], &cols[t]) + "\n";
    if (tables) tables->push_back(catalog_.tables[t].name);
  }
  return ddl;
}

Result<RetrievalResult> SchemaRetrieverImpl::retrieve(const std::string& question,
                                                      const std::vector<LinkedValue>& linked_values) const {
  double start = now_ms();
  RetrievalResult result;
  result.full_schema_tokens = full_schema_tokens_;
  if (!options_.enabled) {
    result.ddl = catalog_.to_ddl();
    for (const auto& t : catalog_.tables) result.tables.push_back(t.name);
    result.prompt_tokens = full_schema_tokens_;
    result.elapsed_ms = now_ms() - start;
    return result;
  }
  std::vector<Pick> picks;
  std::set<std::pair<int, int>> seen;
  // Linked values name their column outright: they come first.
  for (const auto& v : linked_values) {
    const TableInfo* t = catalog_.find_table(v.table);
    const ColumnInfo* c = t ? t->find_column(v.column) : nullptr;
    if (!c) continue;
    int ti = static_cast<int>(t - catalog_.tables.data()), ci = static_cast<int>(c - t->columns.data());
    if (seen.insert({ti, ci}).second) picks.push_back({ti, ci, 1.0f});
  }
  std::vector<float> q(embedder_->dim());
  Status s = embedder_->embed({question}, q.data());
  if (!s.ok()) return s;
  for (const auto& hit : index_->search(q.data(), options_.top_columns)) {
    const ColumnDescription& d = descriptions_[static_cast<size_t>(hit.id)];
    if (seen.insert({d.table_index, d.column_index}).second) picks.push_back({d.table_index, d.column_index, hit.score});
  }

  size_t n = picks.size();
  result.ddl = assemble(picks, n, &result.tables);
  if (options_.token_budget > 0 && count(result.ddl) > options_.token_budget && n > 1) {
    // The largest prefix of the ranking whose DDL fits the budget.
    size_t lo = 1, hi = n - 1;
    while (lo < hi) {
      size_t mid = (lo + hi + 1) / 2;
      if (count(assemble(picks, mid, nullptr)) <= options_.token_budget) lo = mid; else hi = mid - 1;
    }
    n = lo;
    result.ddl = assemble(picks, n, &result.tables);
  }
  for (size_t i = 0; i < n; ++i) {
    const Pick& p = picks[i];
    result.columns.push_back({p.table, p.column, catalog_.tables[p.table].name,
                              catalog_.tables[p.table].columns[p.column].name, p.score});
  }
  int tokens = count(result.ddl);
  if (options_.examples > 0 && examples_.size() > 0) {
    result.examples = examples_.similar(question, options_.examples);
    for (const auto& e : result.examples) tokens += count(e.question) + count(e.sql);
  }
  result.prompt_tokens = tokens;
  result.elapsed_ms = now_ms() - start;
  return result;
}

}  // namespace

Result<std::unique_ptr<SchemaRetriever>> SchemaRetriever::create(const Catalog& catalog,
                                                                const RetrievalOptions& options,
                                                                const ProgressFn& progress) {
  auto retriever = std::make_unique<SchemaRetrieverImpl>();
  Status s = retriever->init(catalog, options, progress);
  if (!s.ok()) return s;
  return std::unique_ptr<SchemaRetriever>(std::move(retriever));
}

}  // namespace t2sql
