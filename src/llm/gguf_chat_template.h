// The chat template a GGUF model carries (`tokenizer.chat_template`), read
// from its metadata alone: no weights are loaded, so `t2sql prompt --model`
// shows a large model's prompt at once.
#pragma once

#include <string>

#include "t2sql/status.h"

namespace t2sql {

// The template text; empty when the model has none. kNotFound for a missing
// file, kInvalidArgument for a file that is not GGUF.
Result<std::string> read_gguf_chat_template(const std::string& path);

}  // namespace t2sql
