// Process-wide llama.cpp setup shared by the trainer's tools: the backend is
// initialised once, and llama.cpp's log goes to stderr only at warning level
// or above (T2SQL_LLAMA_LOG=1 shows everything), so that a command's own
// output stays readable. Thread-safe (std::call_once).
#pragma once

#include <string>

namespace t2sql::train {

void ensure_llama_backend();

// The last error llama.cpp logged on this thread (cleared by take).
std::string take_llama_error();

}  // namespace t2sql::train
