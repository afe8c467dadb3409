#!/usr/bin/env bash
# The program away from the source tree: build/t2sql copied with its
# share/t2sql to a temporary folder, and `cmake --install` into a prefix, each
# make a model with `t2sql model init` (which needs a vocab file of
# share/t2sql/vocab) from a working folder outside the tree; a missing data
# file gives a message naming the file and the folders looked in, and exit 1;
# the binary holds no path of the source tree or of llama.cpp's models/.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR LLAMA_DIR
set -euo pipefail
build="$(cd "$1" && pwd)"
source_dir="$(cd "$2" && pwd)"
llama_dir="$3"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
unset T2SQL_DATA_DIR
fail() { echo "FAIL: $*"; exit 1; }
[[ -x "$build/t2sql" && -f "$build/share/t2sql/vocab/ggml-vocab-llama-spm.gguf" ]] ||
  fail "build/t2sql or its share/t2sql/vocab is missing (build the t2sql target)"
init_args=(model init --arch mistral --n-embd 32 --n-layer 1 --n-head 4 --n-ctx 64)  # mistral: vocab llama-spm

# Nothing of the source tree or of llama.cpp's folder compiled in, but for the
# names of llama.cpp's own source files in its assert messages (diagnostics).
# A source folder of one component (/src) could match anything and is not checked.
# The compiler may write a literal's last bytes as an instruction's immediate,
# so the search is for the folder's name less its last 8 characters.
strings -n 6 "$build/t2sql" >strings.txt
grep -F -- "${llama_dir:0:${#llama_dir}-8}" strings.txt | grep -vE -- '/(src|ggml|common|vendor|tools)/[A-Za-z0-9_./+-]+\.(c|cpp|h)$' \
  >llama_paths.txt || true
[[ ! -s llama_paths.txt ]] || fail "build/t2sql holds the path $llama_dir: $(head -3 llama_paths.txt)"
if [[ "$source_dir" == /*/* ]] && grep -qF -- "$source_dir" strings.txt; then
  fail "build/t2sql holds the path $source_dir: $(grep -F -- "$source_dir" strings.txt | head -3)"
fi
echo "ok: no source-tree path in build/t2sql"

# A copy: the program and the one vocab file it needs.
mkdir -p copy/share/t2sql/vocab
cp "$build/t2sql" copy/
cp "$build/share/t2sql/vocab/ggml-vocab-llama-spm.gguf" copy/share/t2sql/vocab/
out="$(copy/t2sql "${init_args[@]}" --out "$work/copy.gguf" 2>&1)" || fail "the copy's model init: $out"
[[ -s copy.gguf ]] || fail "the copy wrote no model"
echo "ok: a copy of the program with its share/t2sql makes a model"

# A missing vocab file: its name and the folders looked in, exit 1.
mkdir bare
cp "$build/t2sql" bare/
status=0
out="$(bare/t2sql "${init_args[@]}" --out "$work/bare.gguf" 2>&1)" || status=$?
[[ $status -eq 1 ]] || fail "without share/t2sql: exit $status, expected 1: $out"
for want in "vocab not found in $work/bare/share/t2sql, $work/share/t2sql" T2SQL_DATA_DIR; do
  [[ "$out" == *"$want"* ]] || fail "without share/t2sql: '$want' not in: $out"
done
[[ ! -e bare.gguf ]] || fail "without share/t2sql a model was written"
echo "ok: without share/t2sql: $out"

# $T2SQL_DATA_DIR: the folder looked in instead.
mkdir -p empty
status=0
out="$(T2SQL_DATA_DIR="$work/empty" copy/t2sql "${init_args[@]}" --out "$work/env.gguf" 2>&1)" || status=$?
[[ $status -eq 1 && "$out" == *"not found in $work/empty (T2SQL_DATA_DIR)"* ]] ||
  fail "T2SQL_DATA_DIR=empty: exit $status: $out"
out="$(T2SQL_DATA_DIR="$work/copy/share/t2sql" bare/t2sql "${init_args[@]}" --out "$work/env.gguf" 2>&1)" ||
  fail "T2SQL_DATA_DIR=the copy's share/t2sql: $out"
echo "ok: T2SQL_DATA_DIR overrides"

# A vocab name the share folder lacks: the names it has.
status=0
out="$(copy/t2sql "${init_args[@]}" --vocab gpt-2 --out "$work/x.gguf" 2>&1)" || status=$?
[[ $status -eq 1 && "$out" == *"unknown vocab 'gpt-2'"*"(available: llama-spm)"* ]] ||
  fail "unknown vocab: exit $status: $out"
echo "ok: an unknown vocab names the available ones"

# An install: bin/t2sql finds lib/libduckdb.so and share/t2sql through its own folder.
cmake --install "$build" --prefix "$work/prefix" >/dev/null
[[ -x prefix/bin/t2sql && -f prefix/lib/libduckdb.so && -d prefix/share/t2sql/vocab ]] || fail "install layout"
# (ldd's output read whole first: grep -q stops at the first match, and under
# pipefail ldd's broken pipe would fail the check.)
libs="$(ldd prefix/bin/t2sql)"
[[ "$libs" == *"libduckdb.so => $work/prefix/bin/../lib/libduckdb.so"* ]] ||
  fail "the installed program does not load its own libduckdb.so: $(grep duckdb <<<"$libs")"
out="$(prefix/bin/t2sql "${init_args[@]}" --out "$work/installed.gguf" 2>&1)" || fail "the install's model init: $out"
[[ -s installed.gguf ]] || fail "the install wrote no model"
cmp -s copy.gguf installed.gguf || fail "the copy and the install made different models from the same seed"
echo "ok: an install makes the same model"
