#!/usr/bin/env bash
# Second command of the README: installs what is missing, builds t2sql with
# the llama.cpp tools the tests use, and runs every test; then builds t2sql's
# own code again with its asserts on (T2SQL_ASSERTIONS, in <build>-assertions;
# no llama.cpp object is built) and runs the llama-free layers' unit tests there.
# Ends with CTest's summary lines; exits non-zero on any failure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# Paths relative to the checkout, so that both build folders share llama.cpp's objects.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}"
bash "$here/install.sh"
bash "$here/build.sh" -DT2SQL_LLAMA_TOOLS=ON
build="${T2SQL_BUILD_DIR:-$root/build}"
log="$build/ctest.log"
status=0
ctest --test-dir "$build" -j "$(nproc)" --output-on-failure --timeout 900 2>&1 | tee "$log" || status=$?

assertions="$build-assertions"
T2SQL_BUILD_DIR="$assertions" T2SQL_BUILD_TARGET=unit_tests bash "$here/build.sh" \
  -DT2SQL_ASSERTIONS=ON -DT2SQL_BUILD_BENCH=OFF
assertions_log="$assertions/ctest.log"
ctest --test-dir "$assertions" -L '^unit_llama_free$' -j "$(nproc)" --output-on-failure --timeout 900 2>&1 |
  tee "$assertions_log" || status=$?
# CTest's summary lines last, for whoever reads only the end.
echo "all tests (Release): $(grep -E '^[0-9]+% tests passed' "$log" | tail -n 1 || true)"
echo "unit tests with assertions: $(grep -E '^[0-9]+% tests passed' "$assertions_log" | tail -n 1 || true)"
exit "$status"
