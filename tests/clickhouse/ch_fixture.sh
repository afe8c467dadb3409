#!/usr/bin/env bash
# The test suite's ClickHouse cluster (a CTest fixture): two clickhouse-server
# processes on 127.0.0.1, each with its own folder and ports, forming the
# two-shard cluster `t2sql_cluster` (remote_servers). The demo warehouse goes
# onto both with `t2sql demo init --engine clickhouse --cluster`: sales is a
# Distributed table over t2sql_local.sales (half of the rows on each shard), the
# other tables are whole on each.
#   ch_fixture.sh start STATE_DIR T2SQL_BINARY   start, load, write STATE_DIR/ch.env
#   ch_fixture.sh stop STATE_DIR                 stop the servers, remove their folder
# Without clickhouse-server (scripts/install.sh installs it) ch.env says so and
# the *_ch_test programs skip with that message.
set -euo pipefail
cmd="$1"
state="$2"
server="${T2SQL_CLICKHOUSE_SERVER:-$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)}"

stop_servers() {
  [ -f "$state/ch.dir" ] || return 0
  local dir; dir="$(cat "$state/ch.dir")"
  # The data is thrown away: no graceful shutdown (which waits seconds for
  # queries and merges), SIGKILL after a moment.
  local pids=()
  for pidfile in "$dir"/s*/pid; do
    [ -f "$pidfile" ] && pids+=("$(cat "$pidfile")")
  done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 10); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$dir"
  rm -f "$state/ch.dir" "$state/ch.env"
}

if [ "$cmd" = stop ]; then
  stop_servers
  exit 0
fi

t2sql="$3"
mkdir -p "$state"
stop_servers  # servers left over from an interrupted run
if [ ! -x "$server" ]; then
  echo "T2SQL_TEST_CH_SKIP=clickhouse-server is not installed (scripts/install.sh installs Debian's clickhouse-server)" >"$state/ch.env"
  echo "clickhouse-server not installed: the ClickHouse tests will skip"
  exit 0
fi
started=$(date +%s%N)
dir="$(mktemp -d /tmp/t2sql-ch.XXXXXX)"
echo "$dir" >"$state/ch.dir"
admin_pw="admin-$RANDOM$RANDOM"
reader_pw="reader-$RANDOM$RANDOM"
locked_pw="locked-$RANDOM$RANDOM"
cluster_pw="cluster-$RANDOM$RANDOM"

port_free() { ! (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }
# Four free ports: HTTP and native TCP of each server.
pick_ports() {
  local ports=() candidate
  for _ in $(seq 1 50); do
    candidate=$((20000 + RANDOM % 30000))
    port_free "$candidate" && ports+=("$candidate")
    [ ${#ports[@]} -eq 4 ] && break
  done
  [ ${#ports[@]} -eq 4 ] || { echo "error: no free ports for ClickHouse" >&2; exit 1; }
  http=("${ports[0]}" "${ports[1]}")
  tcp=("${ports[2]}" "${ports[3]}")
}

# Users: t2sql_admin loads the demo; t2sql_reader is the README's user (a
# readonly=2 profile: the server refuses writes, t2sql may set its limits);
# t2sql_locked has a readonly=1 profile (no setting may be sent at all);
# t2sql_cluster is what the Distributed tables use between the shards, and
# may only read too.
cat >"$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles>
    <default><max_memory_usage>2000000000</max_memory_usage></default>
    <reader><readonly>2</readonly><max_memory_usage>2000000000</max_memory_usage></reader>
    <locked><readonly>1</readonly><max_execution_time>5</max_execution_time></locked>
  </profiles>
  <users>
    <t2sql_admin><password>$admin_pw</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></t2sql_admin>
    <t2sql_reader><password>$reader_pw</password><networks><ip>127.0.0.1</ip></networks><profile>reader</profile><quota>default</quota></t2sql_reader>
    <t2sql_locked><password>$locked_pw</password><networks><ip>127.0.0.1</ip></networks><profile>locked</profile><quota>default</quota></t2sql_locked>
    <t2sql_cluster><password>$cluster_pw</password><networks><ip>127.0.0.1</ip></networks><profile>reader</profile><quota>default</quota></t2sql_cluster>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
ping_ok() {
  (exec 3<>/dev/tcp/127.0.0.1/"$1" && printf 'GET /ping HTTP/1.0\r\n\r\n' >&3 && grep -q '^Ok\.' <&3) 2>/dev/null
}
# Starts both servers on fresh ports; 1 when one exits (a port taken in the
# meantime) or does not answer.
start_servers() {
  pick_ports
  shards=""
  for i in 0 1; do
    shards+="<shard><replica><host>127.0.0.1</host><port>${tcp[$i]}</port><user>t2sql_cluster</user><password>$cluster_pw</password><default_database>t2sql</default_database></replica></shard>"
  done
  for i in 0 1; do
    s="$dir/s$((i + 1))"
    mkdir -p "$s/data" "$s/tmp"
    cat >"$s/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$s/server.log</log><errorlog>$s/error.log</errorlog></logger>
  <http_port>${http[$i]}</http_port>
  <tcp_port>${tcp[$i]}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$s/data/</path>
  <tmp_path>$s/tmp/</tmp_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>67108864</mark_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
  <remote_servers><t2sql_cluster>$shards</t2sql_cluster></remote_servers>
</yandex>
XML
    "$server" --config-file="$s/config.xml" >"$s/stdout.log" 2>&1 &
    echo $! >"$s/pid"
  done

  for i in 0 1; do
    for _ in $(seq 1 300); do
      ping_ok "${http[$i]}" && break
      if ! kill -0 "$(cat "$dir/s$((i + 1))/pid")" 2>/dev/null; then
        return 1
      fi
      sleep 0.05
    done
    ping_ok "${http[$i]}" || return 1
  done
}
for attempt in 1 2 3 4 5; do
  start_servers && break
  for pidfile in "$dir"/s*/pid; do kill -9 "$(cat "$pidfile")" 2>/dev/null || true; done
  if [ "$attempt" = 5 ]; then
    echo "error: clickhouse-server did not start; see $dir/s1 and $dir/s2" >&2
    cat "$dir"/s*/stdout.log "$dir"/s*/error.log >&2 2>/dev/null || true
    exit 1
  fi
  rm -rf "$dir"/s1 "$dir"/s2
done
up=$(date +%s%N)

for i in 0 1; do
  "$t2sql" demo init --engine clickhouse --cluster t2sql_cluster --shard "$((i + 1))/2" --force \
    --path "clickhouse://t2sql_admin:$admin_pw@127.0.0.1:${http[$i]}/t2sql" >/dev/null
done
# One statement over HTTP, for what t2sql itself never sends: a table for the
# tests of cancellation, Distributed over system.numbers (an endless scan on
# every shard that stops between blocks when killed).
admin_post() {
  local port="$1" sql="$2" answer
  exec 3<>/dev/tcp/127.0.0.1/"$port"
  printf 'POST / HTTP/1.0\r\nX-ClickHouse-User: t2sql_admin\r\nX-ClickHouse-Key: %s\r\nContent-Length: %d\r\n\r\n%s' \
    "$admin_pw" "${#sql}" "$sql" >&3
  answer="$(cat <&3)"
  exec 3>&-
  case "$answer" in "HTTP/1.0 200"*) ;; *) echo "error: ClickHouse refused: $sql: $answer" >&2; exit 1 ;; esac
}
for i in 0 1; do
  admin_post "${http[$i]}" "CREATE DATABASE IF NOT EXISTS t2sql_test"
  admin_post "${http[$i]}" "CREATE TABLE t2sql_test.numbers (number UInt64) ENGINE = Distributed(t2sql_cluster, 'system', 'numbers')"
done
loaded=$(date +%s%N)
[ -f "$state/demo.db" ] || "$t2sql" demo init --engine sqlite --path "$state/demo.db" --force >/dev/null
[ -f "$state/demo.duckdb" ] || "$t2sql" demo init --engine duckdb --path "$state/demo.duckdb" --force >/dev/null
cat >"$state/ch.env" <<ENV
T2SQL_TEST_CH_URI=clickhouse://t2sql_reader:$reader_pw@127.0.0.1:${http[0]}/t2sql
T2SQL_TEST_CH_SHARD2_URI=clickhouse://t2sql_reader:$reader_pw@127.0.0.1:${http[1]}/t2sql
T2SQL_TEST_CH_LOCKED_URI=clickhouse://t2sql_locked:$locked_pw@127.0.0.1:${http[0]}/t2sql
T2SQL_TEST_CH_ADMIN_URI=clickhouse://t2sql_admin:$admin_pw@127.0.0.1:${http[0]}/t2sql
T2SQL_TEST_CH_SHARD2_ADMIN_URI=clickhouse://t2sql_admin:$admin_pw@127.0.0.1:${http[1]}/t2sql
T2SQL_TEST_SQLITE_DEMO=$state/demo.db
T2SQL_TEST_DUCKDB_DEMO=$state/demo.duckdb
ENV
echo "ClickHouse cluster on 127.0.0.1:${http[0]} and :${http[1]} (data in $dir): servers up in $(((up - started) / 1000000)) ms, demo loaded in $(((loaded - up) / 1000000)) ms"
