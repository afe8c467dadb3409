// VectorIndex: nearest neighbours by inner product over unit vectors, backed
// by FAISS. Exact (flat) below a size threshold, HNSW above it, where an
// exact scan of 20,000 columns would cost more than the whole retrieval's
// budget. Serializes to bytes for the on-disk cache.
//
//   auto index = VectorIndex::create(dim, n, /*hnsw_threshold=*/4096);
//   index->add(vectors, n, progress);
//   auto hits = index->search(query, 40);
//
// search() is const and thread-safe (per-call search parameters); add() is not.
// FAISS exceptions stay inside: errors come back as Status.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "t2sql/retrieval.h"
#include "t2sql/status.h"

namespace t2sql {

struct VectorHit {
  int64_t id;
  float score;
};

class VectorIndex {
 public:
  ~VectorIndex();

  // An empty index for `expected` vectors of `dim` floats.
  static std::unique_ptr<VectorIndex> create(int dim, int64_t expected, int hnsw_threshold);
  // Reads serialize()'s bytes; kInvalidArgument if they are not an index.
  static Result<std::unique_ptr<VectorIndex>> deserialize(const std::vector<uint8_t>& bytes);

  Status add(const float* vectors, int64_t n, const ProgressFn& progress = nullptr);
  std::vector<VectorHit> search(const float* query, int k) const;
  Result<std::vector<uint8_t>> serialize() const;

  // The stored vectors (size() rows of dim() floats), for exact rescoring.
  const float* vectors() const;
  std::string kind() const;  // "flat-ip" or "hnsw"
  int64_t size() const;
  int dim() const;

 private:
  struct Impl;
  explicit VectorIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace t2sql
