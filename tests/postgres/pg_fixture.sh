#!/usr/bin/env bash
# The test suite's PostgreSQL server (a CTest fixture).
#   pg_fixture.sh start STATE_DIR T2SQL_BINARY   initdb into a temporary folder, start a
#       server on 127.0.0.1 at a free port, load the demo warehouse, build the SQLite and
#       DuckDB demo files beside it, and write STATE_DIR/pg.env for the tests.
#   pg_fixture.sh stop STATE_DIR                 stop the server and remove its folder.
# initdb refuses to run as root: as root the server runs as the `postgres` user
# (created by Debian's postgresql package), or as a `t2sql-pg` user this script creates.
set -euo pipefail
cmd="$1"
state="$2"
bin="${T2SQL_PG_BIN_DIR:-/usr/lib/postgresql/15/bin}"

as_server_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$server_user" -- "$@"; else "$@"; fi
}

stop_server() {
  [ -f "$state/pg.dir" ] || return 0
  local dir; dir="$(cat "$state/pg.dir")"
  server_user="$(stat -c %U "$dir")"
  if [ -d "$dir/data" ]; then as_server_user "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
  rm -f "$state/pg.dir" "$state/pg.env"
}

if [ "$cmd" = stop ]; then
  stop_server
  exit 0
fi

t2sql="$3"
mkdir -p "$state"
stop_server  # a server left over from an interrupted run
server_user="$(id -un)"
if [ "$(id -u)" = 0 ]; then
  if id postgres >/dev/null 2>&1; then
    server_user=postgres
  else
    id t2sql-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin t2sql-pg
    server_user=t2sql-pg
  fi
fi
dir="$(mktemp -d /tmp/t2sql-pg.XXXXXX)"
echo "$dir" >"$state/pg.dir"
admin_pw="admin-$RANDOM$RANDOM"
reader_pw="reader-$RANDOM$RANDOM"
writer_pw="writer-$RANDOM$RANDOM"
printf '%s\n' "$admin_pw" >"$dir/pwfile"
chown -R "$server_user" "$dir" 2>/dev/null || true
chmod 700 "$dir"
as_server_user "$bin/initdb" -D "$dir/data" -U t2sql_admin --pwfile="$dir/pwfile" --auth=scram-sha-256 \
  -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
rm -f "$dir/pwfile"

# A free port: try random ones until the server starts on one.
port=""
for _ in $(seq 1 20); do
  candidate=$((20000 + RANDOM % 30000))
  if (echo >/dev/tcp/127.0.0.1/$candidate) 2>/dev/null; then continue; fi
  if as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 20 \
      -o "-p $candidate -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null 2>&1; then
    port=$candidate
    break
  fi
done
[ -n "$port" ] || { echo "error: PostgreSQL did not start; see $dir/server.log" >&2; cat "$dir/server.log" >&2 || true; exit 1; }

admin_uri="postgresql://t2sql_admin:$admin_pw@127.0.0.1:$port/t2sql_test"
export PGPASSWORD="$admin_pw"
psql_admin() { "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U t2sql_admin "$@"; }
psql_admin -d postgres -c "CREATE DATABASE t2sql_test" -c "CREATE ROLE t2sql_reader LOGIN PASSWORD '$reader_pw'" \
  -c "CREATE ROLE t2sql_writer LOGIN PASSWORD '$writer_pw'" \
  -c "CREATE ROLE t2sql_dblink LOGIN PASSWORD '$reader_pw'"
"$t2sql" demo init --engine postgresql --path "$admin_uri" >/dev/null
# Extra objects for the tests: a sequence, a function that writes, a SECURITY
# DEFINER function that writes through dblink, and comments that the catalog
# must report as descriptions. t2sql_reader is the README's read-only role
# (its recipe, verbatim, with dblink revoked from PUBLIC); t2sql_writer may
# even UPDATE by privilege (t2sql refuses it unless --allow-privileged-role),
# so that the tests show the guard and the read-only session, not missing
# grants, keeping the data unchanged. t2sql_dblink is the reader's recipe
# plus EXECUTE on dblink_exec, which t2sql must refuse (its own role, so that
# no test changes the grants of a role that tests running beside it use).
psql_admin -d t2sql_test <<SQL
CREATE EXTENSION dblink;
CREATE SEQUENCE order_numbers;
CREATE FUNCTION touch_stores() RETURNS integer LANGUAGE sql VOLATILE AS 'UPDATE stores SET city = city RETURNING 1';
CREATE FUNCTION definer_write() RETURNS text LANGUAGE sql SECURITY DEFINER
  AS \$\$ SELECT dblink_exec('dbname=t2sql_test user=t2sql_admin password=$admin_pw host=127.0.0.1 port=$port',
                             'UPDATE brands SET brand_name = brand_name') \$\$;
COMMENT ON TABLE stores IS 'Shops of the chain';
COMMENT ON COLUMN stores.region IS 'Sales region the store reports to';
-- The README's recipe for a read-only role.
REVOKE ALL ON DATABASE t2sql_test FROM PUBLIC;
GRANT CONNECT ON DATABASE t2sql_test TO t2sql_reader;
GRANT USAGE ON SCHEMA public TO t2sql_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO t2sql_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO t2sql_reader;
DO \$\$ DECLARE f regprocedure; BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p WHERE p.proname LIKE 'dblink%' LOOP
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
  END LOOP; END \$\$;
GRANT CONNECT ON DATABASE t2sql_test TO t2sql_dblink;
GRANT USAGE ON SCHEMA public TO t2sql_dblink;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO t2sql_dblink;
GRANT EXECUTE ON FUNCTION dblink_exec(text, text) TO t2sql_dblink;
GRANT CONNECT ON DATABASE t2sql_test TO t2sql_writer;
GRANT SELECT, UPDATE ON ALL TABLES IN SCHEMA public TO t2sql_writer;
GRANT USAGE, SELECT, UPDATE ON SEQUENCE order_numbers TO t2sql_writer;
GRANT EXECUTE ON FUNCTION touch_stores(), definer_write() TO t2sql_writer;
SQL
"$t2sql" demo init --engine sqlite --path "$state/demo.db" --force >/dev/null
"$t2sql" demo init --engine duckdb --path "$state/demo.duckdb" --force >/dev/null
cat >"$state/pg.env" <<ENV
T2SQL_TEST_PG_URI=postgresql://t2sql_reader:$reader_pw@127.0.0.1:$port/t2sql_test
T2SQL_TEST_PG_WRITER_URI=postgresql://t2sql_writer:$writer_pw@127.0.0.1:$port/t2sql_test
T2SQL_TEST_PG_DBLINK_URI=postgresql://t2sql_dblink:$reader_pw@127.0.0.1:$port/t2sql_test
T2SQL_TEST_PG_ADMIN_URI=$admin_uri
T2SQL_TEST_PG_PORT=$port
T2SQL_TEST_SQLITE_DEMO=$state/demo.db
T2SQL_TEST_DUCKDB_DEMO=$state/demo.duckdb
ENV
echo "PostgreSQL test server on 127.0.0.1:$port (data in $dir)"
