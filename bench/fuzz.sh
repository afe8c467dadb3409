#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (AddressSanitizer and
# UndefinedBehaviorSanitizer) and runs each for a while, starting from the
# committed seed corpus (fuzz/corpus/<target>, copied: the run never writes
# into the source tree). Prints, per target, the executions, the corpus size
# and the findings (inputs that crashed or broke a property, saved under
# <build-dir>/findings/<target>/).
#
#   bench/fuzz.sh [--seconds N] [--build-dir DIR] [TARGET...]
#
# --seconds: per target (default 600; the test suite runs 3). Exits 0 when no
# target found anything, 1 when one did, 77 when clang with libFuzzer is not
# installed (scripts/install.sh installs it; CTest reports 77 as skipped).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=600
build_dir="$root/build/fuzz"
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(sql_guard_fuzz question_parser_fuzz ask_request_fuzz description_file_fuzz suite_file_fuzz
           gguf_header_fuzz)
fi

cxx="$(command -v clang++ || true)"
probe_dir="$(mktemp -d)"
trap 'rm -rf "$probe_dir"' EXIT
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' >"$probe_dir/p.cc"
if [[ -z "$cxx" ]] || ! "$cxx" -fsanitize=fuzzer,address,undefined "$probe_dir/p.cc" -o "$probe_dir/p" 2>/dev/null; then
  echo "SKIPPED: clang++ with libFuzzer is not installed (Debian: clang and libclang-rt-14-dev; scripts/install.sh)"
  exit 77
fi

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
log="$build_dir.log"
mkdir -p "$build_dir"
if ! { cmake -S "$root/fuzz" -B "$build_dir" "${generator[@]}" -DCMAKE_CXX_COMPILER="$cxx" "${launcher[@]}" &&
       cmake --build "$build_dir" --target "${targets[@]}"; } >"$log" 2>&1; then
  tail -30 "$log" >&2
  echo "fuzz.sh: the build failed (log: $log)" >&2
  exit 1
fi

found=0
printf '%-22s %12s %8s %9s\n' target executions corpus findings
for t in "${targets[@]}"; do
  name="${t%_fuzz}"
  corpus="$build_dir/corpus/$name"
  findings="$build_dir/findings/$name"
  mkdir -p "$corpus" "$findings"
  cp -n "$root/fuzz/corpus/$name/"* "$corpus/" 2>/dev/null || true
  out="$build_dir/$name.log"
  status=0
  # -timeout: one input taking longer is a finding too (a hang).
  TMPDIR="$build_dir" "$build_dir/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" >"$out" 2>&1 || status=$?
  runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out" | grep -o '[0-9]*$' || echo 0)"
  n_findings="$(find "$findings" -type f | wc -l)"
  printf '%-22s %12s %8s %9s\n' "$t" "$runs" "$(find "$corpus" -type f | wc -l)" "$n_findings"
  if [[ $status -ne 0 || $n_findings -gt 0 ]]; then
    found=1
    grep -m5 -E 'ERROR|property broken|SUMMARY|runtime error' "$out" >&2 || true
    echo "  log: $out; inputs: $findings" >&2
  fi
done
exit $found
