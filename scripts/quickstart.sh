#!/usr/bin/env bash
# First command of the README: installs what is missing, builds t2sql, and
# asks the design documents' example questions of the demo warehouse.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
bash "$here/install.sh"
bash "$here/build.sh"
t2sql="$root/build/t2sql"
"$t2sql" demo init
for q in "What were total sales in 2023?" "Sales comparison 2023 vs 2024" \
         "Top 5 brands by revenue" "Active stores by region"; do
  printf '\n== %s\n' "$q"
  "$t2sql" ask "$q"
done
