#include "retrieval/vector_index.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>

#include <omp.h>

#include <algorithm>

namespace t2sql {

namespace {

// HNSW shape: 32 links a node and a construction beam of 64 kept recall of
// the top 100 above 0.99 on the 20,000-column stress catalog while building
// in seconds on two cores (bench/retrieval_bench.cc).
constexpr int kHnswLinks = 16;
constexpr int kHnswBuildBeam = 40;
constexpr int kHnswMinSearchBeam = 96;
constexpr int64_t kAddChunk = 2048;

}  // namespace

struct VectorIndex::Impl {
  std::unique_ptr<faiss::Index> index;
  bool hnsw = false;
};

VectorIndex::VectorIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VectorIndex::~VectorIndex() = default;

std::unique_ptr<VectorIndex> VectorIndex::create(int dim, int64_t expected, int hnsw_threshold) {
  auto impl = std::make_unique<Impl>();
  if (hnsw_threshold > 0 && expected > hnsw_threshold) {
    auto hnsw = std::make_unique<faiss::IndexHNSWFlat>(dim, kHnswLinks, faiss::METRIC_INNER_PRODUCT);
    hnsw->hnsw.efConstruction = kHnswBuildBeam;
    impl->index = std::move(hnsw);
    impl->hnsw = true;
  } else {
    impl->index = std::make_unique<faiss::IndexFlatIP>(dim);
  }
  return std::unique_ptr<VectorIndex>(new VectorIndex(std::move(impl)));
}

Result<std::unique_ptr<VectorIndex>> VectorIndex::deserialize(const std::vector<uint8_t>& bytes) {
  try {
    faiss::VectorIOReader reader;
    reader.data = bytes;
    std::unique_ptr<faiss::Index> index(faiss::read_index(&reader));
    auto impl = std::make_unique<Impl>();
    impl->hnsw = dynamic_cast<faiss::IndexHNSW*>(index.get()) != nullptr;
    if (!impl->hnsw && !dynamic_cast<faiss::IndexFlat*>(index.get())) {
      return invalid_argument("cached index is of an unexpected FAISS type");
    }
    impl->index = std::move(index);
    return std::unique_ptr<VectorIndex>(new VectorIndex(std::move(impl)));
  } catch (const std::exception& e) {
    return invalid_argument(std::string("cached index does not read back: ") + e.what());
  }
}

Status VectorIndex::add(const float* vectors, int64_t n, const ProgressFn& progress) {
  try {
    for (int64_t start = 0; start < n; start += kAddChunk) {
      int64_t count = std::min(kAddChunk, n - start);
      impl_->index->add(count, vectors + start * impl_->index->d);
      if (progress) progress("index", start + count, n);
    }
  } catch (const std::exception& e) {
    return internal_error(std::string("FAISS could not add vectors: ") + e.what());
  }
  return Status();
}

std::vector<VectorHit> VectorIndex::search(const float* query, int k) const {
  int64_t n = impl_->index->ntotal;
  k = static_cast<int>(std::min<int64_t>(k, n));
  std::vector<VectorHit> out;
  if (k <= 0) return out;
  std::vector<float> scores(k);
  std::vector<faiss::Index::idx_t> ids(k);
  // One query is too little work to share: waking OpenMP's team costs more
  // than the search itself, and on a busy machine much more.
  struct OneThread {
    int saved = omp_get_max_threads();
    OneThread() { omp_set_num_threads(1); }
    ~OneThread() { omp_set_num_threads(saved); }
  } one_thread;
  try {
    if (impl_->hnsw) {
      faiss::SearchParametersHNSW params;
      params.efSearch = std::max(kHnswMinSearchBeam, k + k / 2);
      impl_->index->search(1, query, k, scores.data(), ids.data(), &params);
    } else {
      impl_->index->search(1, query, k, scores.data(), ids.data());
    }
  } catch (const std::exception&) {
    return out;
  }
  for (int i = 0; i < k; ++i) {
    if (ids[i] >= 0) out.push_back({ids[i], scores[i]});
  }
  return out;
}

Result<std::vector<uint8_t>> VectorIndex::serialize() const {
  try {
    faiss::VectorIOWriter writer;
    faiss::write_index(impl_->index.get(), &writer);
    return std::move(writer.data);
  } catch (const std::exception& e) {
    return internal_error(std::string("FAISS could not write the index: ") + e.what());
  }
}

const float* VectorIndex::vectors() const {
  const faiss::Index* storage = impl_->index.get();
  if (impl_->hnsw) storage = static_cast<const faiss::IndexHNSW*>(storage)->storage;
  const auto* flat = dynamic_cast<const faiss::IndexFlat*>(storage);
  return flat ? flat->get_xb() : nullptr;
}

std::string VectorIndex::kind() const { return impl_->hnsw ? "hnsw" : "flat-ip"; }
int64_t VectorIndex::size() const { return impl_->index->ntotal; }
int VectorIndex::dim() const { return impl_->index->d; }

}  // namespace t2sql
