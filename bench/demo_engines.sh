#!/usr/bin/env bash
# The design documents' four demo questions on several engines, side by side:
# the latency of `t2sql sql` (process start included, median of RUNS) and
# whether each engine's rows equal the first engine's (numbers to 2 decimals).
#   bench/demo_engines.sh T2SQL_BINARY URI...      (RUNS=5 by default)
# Each URI must hold the demo warehouse (`t2sql demo init --engine ...`).
set -euo pipefail
t2sql="$1"
shift
runs="${RUNS:-5}"
[ $# -ge 1 ] || { echo "usage: $0 T2SQL_BINARY URI..." >&2; exit 2; }

# Numbers rounded to cents, rows sorted: engines sum floating point in other orders.
canonical() { awk -F, '{ for (i = 1; i <= NF; i++) if ($i ~ /^-?[0-9]+(\.[0-9]+)?$/) $i = sprintf("%.2f", $i); print }' OFS=, | sort; }

declare -A ms same
engines=()
for uri in "$@"; do
  engine="${uri%%://*}"
  engines+=("$engine")
  mapfile -t sqls < <("$t2sql" demo queries --db "$uri" | sed -n 's/^SQL: //p')
  mapfile -t questions < <("$t2sql" demo queries --db "$uri" | sed -n 's/^Q: //p')
  for i in "${!sqls[@]}"; do
    times=()
    for _ in $(seq 1 "$runs"); do
      start=$(date +%s%N)
      out="$("$t2sql" sql "${sqls[$i]}" --db "$uri" -f csv | canonical)"
      times+=($((($(date +%s%N) - start) / 1000000)))
    done
    ms[$engine,$i]=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
    if [ "$engine" = "${engines[0]}" ]; then
      reference[$i]="$out"
      same[$engine,$i]="="
    else
      [ "$out" = "${reference[$i]}" ] && same[$engine,$i]="same rows" || same[$engine,$i]="DIFFERENT rows"
    fi
  done
done
printf '| question |'; for e in "${engines[@]}"; do printf ' %s |' "$e"; done; printf '\n| --- |'
for _ in "${engines[@]}"; do printf ' ---: |'; done; printf '\n'
for i in "${!questions[@]}"; do
  printf '| %s |' "${questions[$i]}"
  for e in "${engines[@]}"; do
    if [ "$e" = "${engines[0]}" ]; then printf ' %s ms |' "${ms[$e,$i]}"; else printf ' %s ms, %s |' "${ms[$e,$i]}" "${same[$e,$i]}"; fi
  done
  printf '\n'
done
