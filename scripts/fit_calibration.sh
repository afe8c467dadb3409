#!/usr/bin/env bash
# Refits the template engine's confidence calibration on the development
# suites (Spider train, the demo suite, analyst2 and analyst3; never dev-open,
# where it is checked, nor the first analyst suite) and writes data/template_calibration.json. Rebuild afterwards:
# the file is compiled in. Run it after any change to the rules or to the
# reading's features (src/generate/template_query_builder_features.cc).
#
#   bash scripts/fit_calibration.sh [SPIDER_TRAIN_DIR]   # default ../shared/data/spider-train
set -euo pipefail
cd "$(dirname "$0")/.."
train="${1:-../shared/data/spider-train}"
bin="${T2SQL_BUILD_DIR:-build}/t2sql"
[[ -x "$bin" ]] || { echo "fit_calibration: build $bin first (bash scripts/build.sh)" >&2; exit 1; }
[[ -f "$train/train.json" ]] || { echo "fit_calibration: no $train/train.json" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# Every reading of the demo suite, the ones below today's threshold too.
"$bin" eval --suite demo --mode template --min-confidence 0 --jobs 2 --quiet --json "$tmp/demo.json" >/dev/null
# ...and of the second and third analyst suites (the first one stays a check).
for suite in analyst2 analyst3; do
  "$bin" eval --suite demo --data "data/suites/$suite.jsonl" --mode template --min-confidence 0 --jobs 2 --quiet \
    --json "$tmp/$suite.json" >/dev/null
done
"$bin" eval --suite spider --data "$train/train.json" --mode template --jobs 2 --quiet \
  --fit-calibration data/template_calibration.json --fit-also "$tmp/demo.json" --fit-also "$tmp/analyst2.json" \
  --fit-also "$tmp/analyst3.json" | tail -n 3
