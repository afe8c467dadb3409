#!/usr/bin/env bash
# What a clean build of t2sql's own code costs: configures a fresh BUILD_DIR
# from SOURCE_DIR (Release, Ninja, no benchmarks), builds llama.cpp's library
# through ccache (not counted), then t2sql's own targets with ccache off, each
# step under nice -n 19 at -j JOBS and /usr/bin/time:
#   llama_free  t2sql_template and the layers under it, then their unit tests
#               (unit_tests), before llama.cpp is built; the step fails when a
#               llama.cpp object gets built. Only where SOURCE_DIR has the target.
#   program     the rest of build/t2sql (library and command line)
#   tests       the rest of `all`: the test programs
# Prints a Markdown table: wall, user and sys seconds, and the load average
# before and after each step (the machine may be shared: CPU time is the
# steadier figure). Usage: bench/build_time.sh SOURCE_DIR BUILD_DIR [JOBS]
set -euo pipefail
src="$(cd "$1" && pwd)"
build="$2"
jobs="${3:-2}"
[[ ! -e "$build" ]] || { echo "$build exists: give a fresh folder" >&2; exit 2; }
source "$src/scripts/deps.sh"
export CCACHE_DIR="${CCACHE_DIR:-$T2SQL_CACHE_DIR/ccache}" CCACHE_BASEDIR=/
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER_LAUNCHER=ccache \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DT2SQL_CACHE_DIR="$T2SQL_CACHE_DIR" -DT2SQL_LLAMA_DIR="$T2SQL_LLAMA_DIR" \
  -DT2SQL_BUILD_BENCH=OFF >"$build.configure.log"
mv "$build.configure.log" "$build/configure.log"

echo "| step | wall s | user s | sys s | load before | load after |"
echo "| --- | --- | --- | --- | --- | --- |"
step() {  # <name> <ccache on|off> <targets...>
  local name="$1" cache="$2"
  shift 2
  local before after
  before="$(cut -d' ' -f1-3 /proc/loadavg)"
  local cache_env=(env CCACHE_DISABLE=1)
  [[ "$cache" == on ]] && cache_env=(env -u CCACHE_DISABLE)
  "${cache_env[@]}" /usr/bin/time -f "%e %U %S" -o "$build/time_$name.txt" \
    nice -n 19 cmake --build "$build" -j "$jobs" --target "$@" >"$build/build_$name.log" 2>&1 ||
    { echo "step $name failed: see $build/build_$name.log" >&2; exit 1; }
  after="$(cut -d' ' -f1-3 /proc/loadavg)"
  read -r wall user sys <"$build/time_$name.txt"
  echo "| $name$([[ $cache == on ]] && echo ' (ccache)') | $wall | $user | $sys | $before | $after |"
}
if cmake --build "$build" --target help | grep '^t2sql_template:' >/dev/null; then
  step llama_free off t2sql_template unit_tests
  if find "$build/llama.cpp" -name '*.o' 2>/dev/null | grep . >/dev/null; then
    echo "llama.cpp objects were built for the llama-free layers" >&2
    exit 1
  fi
fi
step llama on llama
step program off t2sql
step tests off all
