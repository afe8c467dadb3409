#!/usr/bin/env bash
# Configures and builds t2sql into build/ (Release, Ninja, ccache).
# Extra arguments go to cmake's configure step, e.g. -DT2SQL_LLAMA_TOOLS=ON.
# T2SQL_BUILD_DIR picks another build folder, T2SQL_BUILD_TARGET one target.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
source "$here/deps.sh"
build="${T2SQL_BUILD_DIR:-$root/build}"
export CCACHE_DIR="${CCACHE_DIR:-$T2SQL_CACHE_DIR/ccache}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
  -DT2SQL_CACHE_DIR="$T2SQL_CACHE_DIR" -DT2SQL_LLAMA_DIR="$T2SQL_LLAMA_DIR" "$@" >/dev/null
cmake --build "$build" -j "$(nproc)" ${T2SQL_BUILD_TARGET:+--target "$T2SQL_BUILD_TARGET"}
