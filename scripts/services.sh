#!/usr/bin/env bash
# Start/stop the services the test suite needs, on loopback, under var/services/.
#   scripts/services.sh start   -> prints `export ...` lines for the test environment
#   scripts/services.sh stop
# PostgreSQL: Debian's server binaries, our own throwaway cluster (never the system one).
# Cassandra: one real 5.0 node on 127.0.0.1:9042 (scripts/cassandra.sh). With CI=true a service
# that cannot start is an error; elsewhere Cassandra is optional and its tests skip.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SVC="$ROOT/var/services"
PG_PORT="${TALLY_TEST_PG_PORT:-54329}"
PG_DIR="$SVC/postgres"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_start() {
  [ -x "$PG_BIN/postgres" ] || { echo "PostgreSQL is not installed: run scripts/install-system.sh" >&2; exit 1; }
  mkdir -p "$SVC"
  if [ ! -f "$PG_DIR/PG_VERSION" ]; then
    mkdir -p "$PG_DIR"; [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DIR"
    as_pg "$PG_BIN/initdb" -D "$PG_DIR" -A trust -U postgres --no-sync >/dev/null
  fi
  if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR" status >/dev/null 2>&1; then
    # fsync off: a throwaway test cluster, speed over crash safety.
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR" -w -t 60 -l "$PG_DIR/server.log" \
      -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null
  fi
  echo "export TALLY_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
}

pg_stop() {
  if [ -f "$PG_DIR/PG_VERSION" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR" -m fast stop >/dev/null 2>&1 || true
  fi
}

cassandra_start() {
  if "$ROOT/scripts/cassandra.sh" start >&2; then
    echo "export TALLY_TEST_CASSANDRA_HOSTS=${TALLY_TEST_CASSANDRA_ADDR:-127.0.0.1}"
  elif [ "${CI:-}" = true ] || [ "${CI:-}" = 1 ]; then
    echo "services.sh: Cassandra did not start" >&2; exit 1
  else
    echo "services.sh: Cassandra did not start; its tests will be skipped" >&2
  fi
}

# Kafka: one real 4.x broker (KRaft) on 127.0.0.1:19092 (scripts/kafka.sh); the fault test
# starts its own three-broker cluster. Same rule as Cassandra for CI.
kafka_start() {
  if "$ROOT/scripts/kafka.sh" start >&2; then
    echo "export TALLY_TEST_KAFKA_BOOTSTRAP=127.0.0.1:${TALLY_TEST_KAFKA_PORT:-19092}"
  elif [ "${CI:-}" = true ] || [ "${CI:-}" = 1 ]; then
    echo "services.sh: Kafka did not start" >&2; exit 1
  else
    echo "services.sh: Kafka did not start; its tests will be skipped" >&2
  fi
}

case "${1:-}" in
  start) pg_start; cassandra_start; kafka_start ;;
  stop) pg_stop; "$ROOT/scripts/cassandra.sh" stop; "$ROOT/scripts/kafka.sh" stop; "$ROOT/scripts/kafka.sh" cluster-stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
