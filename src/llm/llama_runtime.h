// LlamaRuntime: the process-wide set-up of llama.cpp that every user of it in
// t2sql shares: backend initialization once, and a log hook that keeps
// llama.cpp quiet (T2SQL_LLAMA_LOG=1 lets it speak) while remembering its
// last error line, so that a failed load can say why in one line.
// Thread-safe.
#pragma once

#include <string>

namespace t2sql {

// Initializes llama.cpp's backends and installs the log hook (idempotent).
void llama_runtime_init();

// The last error line llama.cpp logged in this process (trimmed), and clears it.
std::string llama_take_last_error();

// A one-line reason why `path` is not a usable GGUF file ("no such file",
// "not a GGUF file (...)", "empty file", "damaged GGUF header: ..." from
// read_gguf_header), or empty when its header reads well.
std::string gguf_file_problem(const std::string& path);

}  // namespace t2sql
