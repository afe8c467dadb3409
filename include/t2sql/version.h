// Version strings of t2sql and of the llama.cpp it links.
#pragma once

#include <string>

namespace t2sql {

std::string t2sql_version();     // "0.1.0"
std::string llama_build_info();  // "llama.cpp <commit> (ggml <version>), <system info>"

}  // namespace t2sql
