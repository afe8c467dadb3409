#include "retrieval/embedder.h"

#include <cstdlib>

#include "retrieval/hash_embedder.h"
#include "retrieval/llama_embedder.h"

namespace t2sql {

Result<std::unique_ptr<Embedder>> make_embedder(const std::string& spec, int threads) {
  if (spec.empty() || spec == "hash") return std::unique_ptr<Embedder>(std::make_unique<HashEmbedder>());
  if (spec.rfind("hash:", 0) == 0) {
    char* end = nullptr;
    long dim = std::strtol(spec.c_str() + 5, &end, 10);
    if (*end != '\0' || dim < 16 || dim > 8192) {
      return invalid_argument("embedder '" + spec + "': the dimension after 'hash:' must be 16..8192");
    }
    return std::unique_ptr<Embedder>(std::make_unique<HashEmbedder>(static_cast<int>(dim)));
  }
  return make_llama_embedder(spec, threads);
}

}  // namespace t2sql
