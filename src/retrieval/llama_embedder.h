// LlamaEmbedder: a GGUF embedding model run by llama.cpp. Encoder models
// (BERT family) and decoder models both work; the pooling (mean, CLS, last)
// comes from the model's `<arch>.pooling_type` metadata, and mean pooling is
// used when a decoder says none. Vectors are scaled to unit length.
//
// The file is checked before llama.cpp sees it, so that the wrong kind of file
// gives a one-line error instead of an abort: not GGUF, a LoRA adapter, a
// vocabulary without weights, a reranker (rank pooling), an encoder-decoder.
// Owns one llama model and context: not thread-safe.
#pragma once

#include <memory>
#include <string>

#include "retrieval/embedder.h"

namespace t2sql {

Result<std::unique_ptr<Embedder>> make_llama_embedder(const std::string& path, int threads);

// Writes a tiny randomly initialized embedding model, for tests and
// benchmarks: `arch` "bert" (encoder, mean pooling) or "llama" (decoder, mean
// pooling), with the tokenizer of `vocab_path` (one of llama.cpp's
// models/ggml-vocab-*.gguf files). The same seed gives the same weights.
// `pooling` is written as the model's pooling_type metadata (1 mean, 2 cls,
// 3 last, 4 rank: a reranker, which the embedder must refuse).
Status write_tiny_embedding_model(const std::string& path, const std::string& arch, const std::string& vocab_path,
                                  int n_embd = 64, int n_layer = 2, uint32_t seed = 1, int pooling = 1);

}  // namespace t2sql
