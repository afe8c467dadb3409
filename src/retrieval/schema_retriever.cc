// VectorSchemaRetriever (declared in t2sql/retrieval.h): descriptions -> embedder
// -> cached vector index -> top-N columns -> limited-context DDL.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "retrieval/embedder.h"
#include "retrieval/example_store.h"
#include "base/hashing.h"
#include "retrieval/index_cache.h"
#include "schema/text_words.h"
#include "retrieval/vector_index.h"
#include "t2sql/retrieval.h"

namespace t2sql {

namespace {

// Bumped when the descriptions, the index layout or the payload change, so
// that caches written by older builds count as stale.
constexpr uint64_t kIndexFormat = 2;
constexpr const char* kIndexFile = "/schema_index.bin";
// Ranking: the columns of the best max(32, N/2) tables and the best 64
// columns anywhere, each scored by its own similarity plus its table's
// (weighted so), before the top N are kept. Tuned on the stress catalog
// (bench/retrieval_bench.cc); the per-database recall did not drop.
constexpr int kMinTableHits = 32;
constexpr int kMaxColumnHits = 64;
constexpr float kTableWeight = 1.0f;
// A table that has a foreign key to or from another well-matching table is
// part of the schema the question is about; a lone namesake (an archive
// copy, a staging table) usually is not. Its score gains this share of its
// best-matching neighbour's.
constexpr float kLinkWeight = 0.6f;

double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

float dot(const float* a, const float* b, int n) {
  float s = 0;
#pragma omp simd reduction(+ : s)
  for (int i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

bool iequals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

class SchemaRetrieverImpl : public VectorSchemaRetriever {
 public:
  Result<RetrievalResult> retrieve(const std::string& question,
                                   const std::vector<LinkedValue>& linked_values) const override;
  Status add_example(const SqlExample& example) override { return examples_.add(example, options_.examples_path); }
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
  std::vector<VectorHit> top_tables(const float* q, int k) const;
  void index_keys();

  Catalog catalog_;
  RetrievalOptions options_;
  DescriptionFileReport report_;
  std::vector<ColumnDescription> descriptions_;
  std::unique_ptr<Embedder> embedder_;
  std::unique_ptr<VectorIndex> index_;        // one vector per column
  std::unique_ptr<VectorIndex> table_index_;  // one vector per table
  ExampleStore examples_;
  std::string origin_;
  double build_ms_ = 0;
  int full_schema_tokens_ = 0;
  // For each table: the tables it references, and those that reference it.
  std::vector<std::vector<int>> references_, referenced_by_;
  std::unordered_map<std::string, int> table_ids_;  // lowercase name -> index
  std::vector<int> first_column_;                   // table -> its first row in the column index
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
  first_column_.assign(catalog_.tables.size(), 0);
  for (size_t i = descriptions_.size(); i-- > 0;) first_column_[descriptions_[i].table_index] = static_cast<int>(i);
  auto embedder = make_embedder(options_.embedder, options_.threads);
  if (!embedder.ok()) return embedder.status();
  embedder_ = std::move(*embedder);
  return load_or_build(progress);
}

// A table as one text: its name and every column's words, so that the
// table that covers most of a question's words stands out from namesakes
// that hold only some of them.
std::string table_text(const TableInfo& table) {
  std::string text = name_phrase(table.name) + ": table " + table.name + "; columns:";
  for (const auto& c : table.columns) text += " " + name_phrase(c.name) + ",";
  if (!table.description.empty()) text += " " + table.description;
  return text;
}

// The cache holds both indexes: u64 size of the first, its bytes, the second's.
std::vector<uint8_t> pack(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  std::vector<uint8_t> out(sizeof(uint64_t));
  uint64_t size = a.size();
  std::memcpy(out.data(), &size, sizeof(size));
  out.insert(out.end(), a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

bool unpack(const std::vector<uint8_t>& in, std::vector<uint8_t>* a, std::vector<uint8_t>* b) {
  uint64_t size = 0;
  if (in.size() < sizeof(size)) return false;
  std::memcpy(&size, in.data(), sizeof(size));
  if (size > in.size() - sizeof(size)) return false;
  a->assign(in.begin() + sizeof(size), in.begin() + static_cast<std::ptrdiff_t>(sizeof(size) + size));
  b->assign(in.begin() + static_cast<std::ptrdiff_t>(sizeof(size) + size), in.end());
  return true;
}

Status SchemaRetrieverImpl::load_or_build(const ProgressFn& progress) {
  std::vector<std::string> texts, table_texts;
  texts.reserve(descriptions_.size());
  for (const auto& d : descriptions_) texts.push_back(d.text);
  for (const auto& t : catalog_.tables) table_texts.push_back(table_text(t));
  embedder_->fit(texts);

  const int64_t n = static_cast<int64_t>(texts.size()), n_tables = static_cast<int64_t>(table_texts.size());
  const bool hnsw = options_.hnsw_threshold > 0 && n > options_.hnsw_threshold;
  uint64_t fp = fnv1a64(embedder_->id());
  fp = fnv1a64_bytes(&kIndexFormat, sizeof(kIndexFormat), fp);
  fp = fnv1a64(hnsw ? "hnsw" : "flat", fp);
  for (const auto* list : {&texts, &table_texts}) {
    for (const auto& t : *list) {
      fp = fnv1a64(t, fp);
      fp = fnv1a64(std::string_view("\n"), fp);
    }
  }

  std::string path = options_.cache_dir.empty() ? "" : options_.cache_dir + kIndexFile;
  std::string why;
  if (!path.empty()) {
    auto payload = read_cache_file(path, CacheKind::kSchemaIndex, fp);
    std::vector<uint8_t> a, b;
    if (payload.ok() && unpack(*payload, &a, &b)) {
      auto index = VectorIndex::deserialize(a);
      auto tables = VectorIndex::deserialize(b);
      if (index.ok() && tables.ok() && (*index)->size() == n && (*index)->dim() == embedder_->dim() &&
          (*tables)->size() == n_tables) {
        index_ = std::move(*index);
        table_index_ = std::move(*tables);
        origin_ = "loaded from cache";
        return Status();
      }
      why = !index.ok()    ? index.status().message()
            : !tables.ok() ? tables.status().message()
                           : "corrupt: the cached index does not match the schema";
    } else if (payload.ok()) {
      why = "corrupt: the cached payload is malformed";
    } else if (payload.status().code() != StatusCode::kNotFound) {
      why = payload.status().message();
    }
  }

  double start = now_ms();
  const int dim = embedder_->dim();
  std::vector<float> vectors(static_cast<size_t>(n) * dim), table_vectors(static_cast<size_t>(n_tables) * dim);
  Status s = embedder_->embed(texts, vectors.data(), progress);
  if (s.ok()) s = embedder_->embed(table_texts, table_vectors.data(), progress);
  if (!s.ok()) return s;
  index_ = VectorIndex::create(dim, n, options_.hnsw_threshold);
  table_index_ = VectorIndex::create(dim, n_tables, options_.hnsw_threshold);
  s = index_->add(vectors.data(), n, progress);
  if (s.ok()) s = table_index_->add(table_vectors.data(), n_tables);
  if (!s.ok()) return s;
  build_ms_ = now_ms() - start;
  origin_ = why.empty() ? "built" : "rebuilt (" + why + ")";
  if (!path.empty()) {
    auto a = index_->serialize();
    auto b = table_index_->serialize();
    if (!a.ok()) return a.status();
    if (!b.ok()) return b.status();
    // A cache that cannot be written costs the next run a rebuild, not this run its answer.
    Status w = write_cache_file(path, CacheKind::kSchemaIndex, fp, pack(*a, *b));
    if (!w.ok()) origin_ += "; not cached: " + w.message();
  }
  return Status();
}

// Tables are few (2,000 in the stress catalog): an exact scan in a loop the
// compiler vectorizes beats the generic build of FAISS's flat search.
std::vector<VectorHit> SchemaRetrieverImpl::top_tables(const float* q, int k) const {
  const float* vectors = table_index_->vectors();
  if (!vectors) return table_index_->search(q, k);
  const int dim = table_index_->dim();
  const int64_t n = table_index_->size();
  std::vector<VectorHit> hits(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) hits[i] = {i, dot(q, vectors + i * dim, dim)};
  size_t keep = std::min<size_t>(static_cast<size_t>(k), hits.size());
  std::partial_sort(hits.begin(), hits.begin() + keep, hits.end(), [](const VectorHit& a, const VectorHit& b) {
    return a.score > b.score || (a.score == b.score && a.id < b.id);
  });
  hits.resize(keep);
  return hits;
}

std::string SchemaRetrieverImpl::assemble(const std::vector<Pick>& picks, size_t n,
                                          std::vector<std::string>* tables) const {
  std::vector<int> order;                                  // tables, best first
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
  // Columns are ranked by their own similarity plus a share of their
  // table's: of several tables holding a "name" column, the one whose other
  // columns also match the question comes first. Candidates are every column
  // of the best tables (scored exactly) and the index's best columns
  // anywhere else.
  const int dim = embedder_->dim();
  const float* column_vectors = index_->vectors();
  std::unordered_map<int, float> table_score;
  std::vector<Pick> ranked;
  std::unordered_set<int> scored_tables;
  auto table_hits = top_tables(q.data(), std::max(kMinTableHits, options_.top_columns / 2));
  for (const auto& hit : table_hits) table_score[static_cast<int>(hit.id)] = hit.score;
  {
    std::unordered_map<int, float> linked = table_score;
    for (const auto& [t, score] : table_score) {
      float best = 0;
      for (const auto* neighbours : {&references_[t], &referenced_by_[t]}) {
        for (int o : *neighbours) {
          if (auto it = table_score.find(o); it != table_score.end()) best = std::max(best, it->second);
        }
      }
      linked[t] = score + kLinkWeight * best;
    }
    table_score = std::move(linked);
  }
  for (auto hit : table_hits) {
    int t = static_cast<int>(hit.id);
    hit.score = table_score[t];
    if (!column_vectors) continue;
    scored_tables.insert(t);
    for (int c = 0; c < static_cast<int>(catalog_.tables[t].columns.size()); ++c) {
      const float* v = column_vectors + static_cast<size_t>(first_column_[t] + c) * dim;
      ranked.push_back({t, c, dot(q.data(), v, dim) + kTableWeight * hit.score});
    }
  }
  for (const auto& hit : index_->search(q.data(), std::min(options_.top_columns, kMaxColumnHits))) {
    const ColumnDescription& d = descriptions_[static_cast<size_t>(hit.id)];
    if (scored_tables.count(d.table_index)) continue;
    auto it = table_score.find(d.table_index);
    float t = it == table_score.end() ? 0.0f : it->second;
    ranked.push_back({d.table_index, d.column_index, hit.score + kTableWeight * t});
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const Pick& a, const Pick& b) { return a.score > b.score; });
  for (const auto& p : ranked) {
    if (static_cast<int>(picks.size()) >= options_.top_columns + static_cast<int>(linked_values.size())) break;
    if (seen.insert({p.table, p.column}).second) picks.push_back(p);
  }

  size_t n = picks.size();
  result.ddl = assemble(picks, n, &result.tables);
  if (options_.token_budget > 0 && count(result.ddl) > options_.token_budget && n > 1) {
    // The largest prefix of the ranking whose DDL fits the budget.
    size_t lo = 1, hi = n - 1;
    while (lo < hi) {
      size_t mid = (lo + hi + 1) / 2;
      if (count(assemble(picks, mid, nullptr)) <= options_.token_budget)
        lo = mid;
      else
        hi = mid - 1;
    }
    n = lo;
    result.ddl = assemble(picks, n, &result.tables);
  }
  for (size_t i = 0; i < n; ++i) {
    const Pick& p = picks[i];
    result.columns.push_back(
        {p.table, p.column, catalog_.tables[p.table].name, catalog_.tables[p.table].columns[p.column].name, p.score});
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

Result<std::unique_ptr<VectorSchemaRetriever>> VectorSchemaRetriever::create(const Catalog& catalog,
                                                                 const RetrievalOptions& options,
                                                                 const ProgressFn& progress) {
  auto retriever = std::make_unique<SchemaRetrieverImpl>();
  Status s = retriever->init(catalog, options, progress);
  if (!s.ok()) return s;
  return std::unique_ptr<VectorSchemaRetriever>(std::move(retriever));
}

}  // namespace t2sql
