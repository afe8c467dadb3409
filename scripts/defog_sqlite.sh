#!/usr/bin/env bash
# Builds SQLite copies of the defog sql-eval databases that ship only as
# PostgreSQL dumps (their question files in SQLite dialect name them), so that
# `t2sql eval --suite defog` can run them:
#
#   bash scripts/defog_sqlite.sh ../shared/data/defog OUT_DIR [db ...]
#   t2sql eval --suite defog --data ../shared/data/defog --defog-db-uri 'OUT_DIR/{db}.sqlite'
#
# Each dump is loaded into a throw-away PostgreSQL 15 cluster (Unix socket
# only, removed afterwards), so PostgreSQL itself evaluates the dumps'
# expressions (CURRENT_DATE - INTERVAL ..., DATE_TRUNC, SERIAL); the data then
# leaves through pg_dump --inserts into SQLite tables with mapped types. Dates
# relative to today are fixed at build time, as defog's own loaders fix them.
set -euo pipefail
defog="${1:?usage: defog_sqlite.sh DEFOG_DIR OUT_DIR [db ...]}"
out="${2:?usage: defog_sqlite.sh DEFOG_DIR OUT_DIR [db ...]}"
shift 2
dbs=("$@")
if [ ${#dbs[@]} -eq 0 ]; then dbs=(broker car_dealership derm_treatment ewallet); fi
pgbin=/usr/lib/postgresql/15/bin
for tool in "$pgbin/initdb" "$pgbin/pg_ctl" "$pgbin/pg_dump" psql sqlite3; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found (scripts/install.sh installs it)" >&2; exit 1; }
done
for db in "${dbs[@]}"; do
  [ -f "$defog/postgres/$db/$db.sql" ] || { echo "error: no dump $defog/postgres/$db/$db.sql" >&2; exit 1; }
done
mkdir -p "$out"
work="$(mktemp -d)"
# initdb refuses to run as root: then the server runs as the `postgres` user.
as_server() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$work"
  as_server() { runuser -u postgres -- "$@"; }
fi
cleanup() { as_server "$pgbin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
as_server "$pgbin/initdb" -D "$work/data" -U postgres --auth=trust --no-sync >/dev/null
as_server "$pgbin/pg_ctl" -D "$work/data" -o "-k $work -c listen_addresses=''" -l "$work/log" -w start >/dev/null
export PGHOST="$work" PGUSER=postgres
for db in "${dbs[@]}"; do
  psql -q -d postgres -c "CREATE DATABASE $db" >/dev/null
  psql -q -v ON_ERROR_STOP=1 -d "$db" -f "$defog/postgres/$db/$db.sql" >/dev/null
  sql="$work/$db.sqlite.sql"
  {
    echo "BEGIN;"
    # Tables of every user schema become plain SQLite tables.
    psql -At -F '|' -d "$db" -c "
      SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
      JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
      ORDER BY c.table_schema, c.table_name, c.ordinal_position" |
      awk -F'|' '
        function map(t) {
          if (t ~ /int/) return "INTEGER";
          if (t ~ /numeric|real|double|decimal/) return "REAL";
          if (t ~ /boolean/) return "BOOLEAN";
          if (t ~ /^date$/) return "DATE";
          if (t ~ /timestamp/) return "TIMESTAMP";
          return "TEXT";
        }
        $1 != table { if (table != "") print ");"; table = $1; printf "CREATE TABLE %s (\n  %s %s", $1, $2, map($3); next }
        { printf ",\n  %s %s", $2, map($3) }
        END { if (table != "") print "\n);" }'
    # Data as INSERTs; schema prefixes dropped (SQLite has one namespace).
    "$pgbin/pg_dump" -d "$db" --data-only --inserts --column-inserts --no-owner --no-privileges |
      grep -E '^INSERT INTO ' | sed -E 's/^INSERT INTO [a-z_]+\./INSERT INTO /'
    echo "COMMIT;"
  } >"$sql"
  rm -f "$out/$db.sqlite.building"
  sqlite3 -bail "$out/$db.sqlite.building" <"$sql"
  mv "$out/$db.sqlite.building" "$out/$db.sqlite"
  echo "$out/$db.sqlite: $(sqlite3 "$out/$db.sqlite" "SELECT count(*) FROM sqlite_master WHERE type = 'table'") tables"
done
