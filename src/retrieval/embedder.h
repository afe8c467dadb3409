// Embedder: text -> unit-length float vectors whose inner product says how
// alike two texts are. Two kinds sit behind it: the built-in hashed TF-IDF
// embedder (no model) and GGUF embedding models run by llama.cpp.
//
//   auto embedder = make_embedder("hash");            // or "/models/bge-small.gguf"
//   (*embedder)->fit(descriptions);                    // corpus statistics, if it has any
//   std::vector<float> v((*embedder)->dim() * texts.size());
//   (*embedder)->embed(texts, v.data());
//
// Not thread-safe (a model embedder owns one llama context). Errors: a model
// that is missing, not GGUF, or not an embedding model (kNotFound /
// kInvalidArgument); a text too long for the model's context is cut.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "t2sql/retrieval.h"
#include "t2sql/status.h"

namespace t2sql {

class Embedder {
 public:
  virtual ~Embedder() = default;

  // Names the embedder and everything that changes its vectors (kind,
  // dimension, model file identity); part of the index cache's fingerprint.
  virtual std::string id() const = 0;
  virtual int dim() const = 0;

  // Learns corpus statistics (document frequencies) where the embedder uses
  // any. The same corpus always gives the same embedder.
  virtual void fit(const std::vector<std::string>& corpus) { (void)corpus; }

  // Writes texts.size() rows of dim() floats, each of unit length, or
  // shorter when part of the text lies outside what the embedder knows (all
  // zero for a text with nothing to embed).
  virtual Status embed(const std::vector<std::string>& texts, float* out, const ProgressFn& progress = nullptr) = 0;
};

// "hash", "hash:<dim>", or a path to a GGUF embedding model.
Result<std::unique_ptr<Embedder>> make_embedder(const std::string& spec, int threads = 0);

}  // namespace t2sql
