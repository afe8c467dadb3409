#include <ggml.h>
#include <llama.h>

#include "t2sql/version.h"

namespace t2sql {

std::string t2sql_version() {
  return T2SQL_VERSION;
}

std::string llama_build_info() {
  return std::string("llama.cpp ") + T2SQL_LLAMA_COMMIT + " (ggml " + ggml_version() + ", " + ggml_commit() + "); " +
         llama_print_system_info();
}

}  // namespace t2sql
