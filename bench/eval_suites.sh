#!/usr/bin/env bash
# The template engine measured on every development suite, for before/after
# comparisons of a change:
#   bench/eval_suites.sh BUILD_DIR OUT_DIR [BASELINE_DIR]
# runs `t2sql eval --mode template --jobs 2 --json OUT_DIR/<suite>.json` on
#   train     Spider train (spider-train/train.json)
#   syn       Spider-Syn train (spider-train/train_syn.json)
#   dev       Spider dev-open (spider-dev-open)
#   demo      the demo suite
#   analyst*  every data/suites/analyst*.jsonl, over the demo warehouse
# with the Spider data under $T2SQL_SHARED_DIR/data (default: ../shared/data
# beside the source tree); a suite whose data is missing is named and left
# out (exit 1). With BASELINE_DIR (an earlier OUT_DIR, e.g. main's), each suite that
# has a report there is run with --baseline, so its log lists what was gained
# and lost. Each suite's terminal output goes to OUT_DIR/<suite>.log; a summary
# line per suite is printed (before -> now with a baseline). SUITES="demo
# analyst" runs only those. Exit 1 when a suite failed or was left out.
set -uo pipefail
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 BUILD_DIR OUT_DIR [BASELINE_DIR]" >&2
  exit 2
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
t2sql="$(cd "$1" 2>/dev/null && pwd)/t2sql"
[ -x "$t2sql" ] || { echo "$0: no t2sql program in '$1' (build it first)" >&2; exit 2; }
out="$2"
base="${3:-}"
[ -z "$base" ] || [ -d "$base" ] || { echo "$0: baseline folder '$base' does not exist" >&2; exit 2; }
data="${T2SQL_SHARED_DIR:-$root/../shared}/data"
mkdir -p "$out" || exit 2

order=(train syn dev demo)
for f in "$root"/data/suites/analyst*.jsonl; do
  [ -e "$f" ] && order+=("$(basename "$f" .jsonl)")
done
# The eval arguments that select a suite's questions, into `suite_args`.
select_suite() {
  case "$1" in
    train) suite_args=(--suite spider --data "$data/spider-train/train.json") ;;
    syn) suite_args=(--suite spider --data "$data/spider-train/train_syn.json") ;;
    dev) suite_args=(--suite spider --data "$data/spider-dev-open") ;;
    demo) suite_args=(--suite demo) ;;
    analyst*) suite_args=(--suite demo --data "$root/data/suites/$1.jsonl") ;;
    *) return 1 ;;
  esac
  [ -e "${suite_args[-1]}" ] || [ "$1" = demo ]
}

# The value on the first line of the log that starts with a label.
field() { grep -m1 "^$1 " "$log" | sed "s/^$1 *//"; }

status=0
for name in ${SUITES:-${order[@]}}; do
  suite_args=()
  if ! select_suite "$name"; then
    if [ ${#suite_args[@]} -eq 0 ]; then
      echo "[$name] no such suite (suites: ${order[*]})" >&2
      status=1
    else
      echo "[$name] left out: ${suite_args[-1]} does not exist (set T2SQL_SHARED_DIR)"
      status=1
    fi
    continue
  fi
  extra=()
  [ -n "$base" ] && [ -f "$base/$name.json" ] && extra=(--baseline "$base/$name.json" --baseline-gained 20)
  if ! nice "$t2sql" eval "${suite_args[@]}" --mode template --jobs 2 --quiet --json "$out/$name.json" \
      "${extra[@]}" >"$out/$name.log" 2>&1; then
    echo "[$name] failed: $(tail -1 "$out/$name.log")"
    status=1
    continue
  fi
  log="$out/$name.log"
  if grep -q '^  gained ' "$log"; then
    echo "[$name] EX $(field '  execution accuracy'), answered $(field '  answered rate'), ECE $(field '  ECE')," \
      "right at conf >= 0.9 $(field '  accuracy at conf >= 0.9'); $(grep -m1 '^  gained ' "$log" | sed 's/^ *//')"
  else
    echo "[$name] EX $(field 'execution accuracy'), answered $(field answered), ECE $(field 'calibration error')," \
      "right at conf >= 0.9 $(field 'right at conf >= 0.9')"
  fi
done
exit $status
