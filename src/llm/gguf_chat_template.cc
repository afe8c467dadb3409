#include "llm/gguf_chat_template.h"

#include <gguf.h>

#include <filesystem>
#include <memory>

#include "t2sql/model_hub.h"

namespace t2sql {

Result<std::string> read_gguf_chat_template(const std::string& given) {
  std::error_code ec;
  std::string path = given;
  if (!std::filesystem::exists(path, ec)) path = resolve_cached_model(given).value_or(given);  // a cached name
  if (!std::filesystem::is_regular_file(path, ec)) return not_found("no model file '" + path + "'");
  struct Free {
    void operator()(gguf_context* g) const { gguf_free(g); }
  };
  std::unique_ptr<gguf_context, Free> g(gguf_init_from_file(path.c_str(), {/*no_alloc=*/true, /*ctx=*/nullptr}));
  if (!g) return invalid_argument("'" + path + "' is not a GGUF model file");
  const int64_t key = gguf_find_key(g.get(), "tokenizer.chat_template");
  if (key < 0 || gguf_get_kv_type(g.get(), key) != GGUF_TYPE_STRING) return std::string();
  return std::string(gguf_get_val_str(g.get(), key));
}

}  // namespace t2sql
