// Where the program finds the data files it ships with: the folder
// share/t2sql/ (tokenizer vocabularies under vocab/, which `t2sql model init`
// builds models on). The build copies them to <build>/share/t2sql beside
// build/t2sql, `cmake --install` to <prefix>/share/t2sql beside
// <prefix>/bin/t2sql; nothing of the source tree is compiled in.
//
// The folders looked in, in order: $T2SQL_DATA_DIR alone when it is set;
// otherwise <folder of the running program>/share/t2sql (the build tree's
// layout), then <folder of the running program>/../share/t2sql (an install's).
//
//   auto vocab = t2sql::find_data_file("vocab/ggml-vocab-gpt-2.gguf");
//   if (!vocab.ok()) return vocab.status();  // names the file and every folder looked in
//
// Thread-safe (reads the environment and /proc/self/exe on each call).
#pragma once

#include <string>
#include <vector>

#include "t2sql/status.h"

namespace t2sql {

// The folders that may hold the data files, in the order they are looked in
// (whether or not they exist).
std::vector<std::string> data_dirs();

// The path of `relative` (a file or a folder) under the first data folder that
// has it; not_found naming `relative` and the folders looked in when none has.
Result<std::string> find_data_file(const std::string& relative);

}  // namespace t2sql
