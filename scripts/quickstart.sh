#!/usr/bin/env bash
# First command of the README: installs what is missing, builds t2sql, and
# answers the demo questions on the demo warehouse.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
bash "$here/install.sh"
bash "$here/build.sh"
t2sql="$root/build/t2sql"
"$t2sql" demo init
"$t2sql" demo queries
