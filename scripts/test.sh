#!/usr/bin/env bash
# Second command of the README: installs what is missing, builds t2sql with
# the llama.cpp tools the tests use, and runs every test. Ends with CTest's
# summary line; exits non-zero on any failure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
bash "$here/install.sh"
bash "$here/build.sh" -DT2SQL_LLAMA_TOOLS=ON
build="${T2SQL_BUILD_DIR:-$root/build}"
log="$build/ctest.log"
status=0
ctest --test-dir "$build" -j "$(nproc)" --output-on-failure --timeout 900 2>&1 | tee "$log" || status=$?
# CTest's summary line last, for whoever reads only the end.
grep -E '^[0-9]+% tests passed' "$log" | tail -n 1 || true
exit "$status"
