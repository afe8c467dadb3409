#!/usr/bin/env bash
# The layer check must fail on each kind of violation: a copy of the tree gets
# one at a time, and check_layers.sh must name it and exit 1.
# Usage: check_layers_selftest.sh ROOT CMAKE_GRAPH
set -euo pipefail
root="$1"
graph="$2"
check="$root/tests/layers/check_layers.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fresh() {
  rm -rf "$work/tree"
  mkdir -p "$work/tree/tests"
  cp -r "$root/src" "$root/include" "$root/tools" "$work/tree/"
  cp -r "$root/tests/layers" "$work/tree/tests/"
  cp "$graph" "$work/graph.txt"
}
expect_failure() {  # <what> <message the check must print>
  local out status=0
  out="$(bash "$check" --cmake "$work/graph.txt" "$work/tree" 2>&1)" || status=$?
  if [[ $status -ne 1 || "$out" != *"$2"* ]]; then
    echo "FAIL: $1: exit $status, expected 1 with '$2'; output:"
    echo "$out"
    exit 1
  fi
  echo "ok: $1"
}
fresh
bash "$check" --cmake "$work/graph.txt" "$work/tree" >/dev/null || { echo "FAIL: the unchanged tree does not pass"; exit 1; }
echo "ok: the unchanged tree passes"

fresh
echo '#include "pipeline/pipeline_stage.h"' >> "$work/tree/src/sql/dialect.cc"
expect_failure "an upward include" "src/sql/dialect.cc:$(wc -l < "$work/tree/src/sql/dialect.cc"): sql includes pipeline/"

fresh
echo '#include "t2sql/llm_backend.h"' >> "$work/tree/src/generate/template_generator.cc"
expect_failure "a public header of a higher layer" "template includes t2sql/llm_backend.h (llm)"

fresh
echo '#include "llama.h"' >> "$work/tree/src/db/database.cc"
expect_failure "llama.cpp below its layers" "db includes a llama.cpp header"

fresh
echo '#include "testing/pg_test_env.h"' >> "$work/tree/src/server/http_server.cc"
expect_failure "test support in the library" "server includes testing/pg_test_env.h (testing)"

fresh
echo 'const char* kDir = T2SQL_SOURCE_DIR;' >> "$work/tree/src/eval/eval_report.cc"
expect_failure "a source-tree path in the program" "the program reads T2SQL_SOURCE_DIR"

fresh
echo 'const char* kVocab = T2SQL_LLAMA_DIR "/models";' >> "$work/tree/src/train/model_builder.cc"
expect_failure "llama.cpp's source path in the program" "the program reads T2SQL_LLAMA_DIR"

fresh
mkdir -p "$work/tree/src/newfolder" && echo '' > "$work/tree/src/newfolder/x.cc"
expect_failure "a folder without a layer" "folder src/newfolder/ has no line"

fresh
sed -i 's/^t2sql_db: t2sql_schema$/t2sql_db: t2sql_schema t2sql_retrieval/' "$work/graph.txt"
expect_failure "a CMake link the table does not give" "t2sql_db links t2sql_retrieval"

fresh
sed -i 's/^t2sql_template: t2sql_db$/t2sql_template: /' "$work/graph.txt"
expect_failure "a CMake link the table gives but CMake lacks" "t2sql_template does not link t2sql_db"
