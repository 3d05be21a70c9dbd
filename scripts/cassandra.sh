#!/usr/bin/env bash
# A real single Cassandra 5.0 node on loopback, for tests and local development.
#   scripts/cassandra.sh start [N]    node N (default 1) on 127.0.0.N:9042; waits until CQL answers
#   scripts/cassandra.sh stop [N]
#   scripts/cassandra.sh status [N]   exit 0 when running, 3 when not
#   scripts/cassandra.sh jars         only fetch the jars
# Jars: org.apache.cassandra:cassandra-all (scripts/cassandra/pom.xml) and its runtime
# dependencies, resolved by Maven (cached in its local repository) and copied once into
# var/cassandra/lib. Node state (config, data, logs) lives in var/services/cassandra/nodeN.
# Node 1 is the seed; node 2+ join it (see docs/setup.md). Why each flag: docs/cassandra.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
POM="$ROOT/scripts/cassandra/pom.xml"
LIB="$ROOT/var/cassandra/lib"
NODE="${2:-1}"
# Node 1 (the seed) listens on TALLY_TEST_CASSANDRA_ADDR (default 127.0.0.1); node N on the
# next loopback addresses. Another address gives a second, separate test cluster.
SEED="${TALLY_TEST_CASSANDRA_ADDR:-127.0.0.1}"
ADDR="${SEED%.*}.$(( ${SEED##*.} + NODE - 1 ))"
HOME_DIR="$ROOT/var/services/cassandra/node$NODE"
[ "$SEED" = 127.0.0.1 ] || HOME_DIR="$ROOT/var/services/cassandra/$SEED-node$NODE"
LOG_DIR="$HOME_DIR/logs"
PID_FILE="$HOME_DIR/cassandra.pid"
START_TIMEOUT="${TALLY_CASSANDRA_START_TIMEOUT:-180}"
# Cassandra 5.0 runs on Java 11 or 17 only; Java 24+ refuses the SecurityManager it installs.
JAVA="${TALLY_CASSANDRA_JAVA:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}"

die() { echo "cassandra.sh: $*" >&2; exit 1; }

fetch_jars() {
  local stamp="$LIB/.pom.sha256" want
  want="$(sha256sum "$POM" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && ls "$LIB"/cassandra-all-*.jar >/dev/null 2>&1; then
    return 0
  fi
  command -v mvn >/dev/null || die "Maven is not installed: run scripts/install-system.sh"
  echo "cassandra.sh: fetching Cassandra jars with Maven (first run only)..." >&2
  rm -rf "$LIB.tmp"
  mvn -q -B -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$LIB.tmp" >&2 || die "mvn could not resolve the Cassandra jars"
  rm -rf "$LIB"; mv "$LIB.tmp" "$LIB"
  echo "$want" >"$stamp"
}

write_config() {
  mkdir -p "$HOME_DIR/conf" "$LOG_DIR" "$HOME_DIR/data" "$HOME_DIR/triggers"
  # Only keys 5.0 accepts (unknown keys stop the node). One token per node keeps start-up and
  # joins fast; tokens are fixed (node N at (N-1)/6 of the ring) so joins need no token allocation.
  cat >"$HOME_DIR/conf/cassandra.yaml" <<EOF
cluster_name: tally-test
num_tokens: 1
initial_token: $(( (NODE - 1) * 3074457345618258602 ))
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: SimpleSnitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "$SEED:7000"
listen_address: $ADDR
rpc_address: $ADDR
storage_port: 7000
native_transport_port: 9042
start_native_transport: true
commitlog_sync: periodic
commitlog_sync_period: 10000ms
auto_snapshot: false
# Counter writes are the point of this node; give them a read-before-write cache.
counter_cache_size: 16MiB
EOF
  cat >"$HOME_DIR/conf/logback.xml" <<'EOF'
<configuration scan="false">
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>${cassandra.logdir}/system.log</file>
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="FILE"/></root>
</configuration>
EOF
}

# Our node only: after a reboot the pid in a stale pid file may belong to anything.
pid_alive() {
  [ -f "$PID_FILE" ] && tr '\0' ' ' <"/proc/$(cat "$PID_FILE")/cmdline" 2>/dev/null \
    | grep -q -- "-Dcassandra.storagedir=$HOME_DIR/data .*CassandraDaemon"
}
cql_open() { (exec 3<>"/dev/tcp/$ADDR/9042") 2>/dev/null; }

start() {
  if pid_alive && cql_open; then return 0; fi
  pid_alive && die "node $NODE (pid $(cat "$PID_FILE")) is running but CQL is closed; run stop first"
  [ -x "$JAVA" ] || die "OpenJDK 17 not found at $JAVA: run scripts/install-system.sh"
  fetch_jars
  write_config
  : >"$LOG_DIR/system.log"
  local jmx=$((7198 + ${ADDR##*.}))  # JMX listens on 127.0.0.1 only: one port per node
  local opts=(
    -Xms1g -Xmx1g -Xss256k -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError
    -Djava.net.preferIPv4Stack=true -Dchronicle.analytics.disable=true
    -Djdk.attach.allowAttachSelf=true -Dio.netty.tryReflectionSetAccessible=true
    --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
    --add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED
    --add-exports java.management/com.sun.jmx.remote.security=ALL-UNNAMED
    --add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED
    --add-exports java.rmi/sun.rmi.server=ALL-UNNAMED
    --add-exports java.sql/java.sql=ALL-UNNAMED
    --add-exports java.base/java.lang.ref=ALL-UNNAMED
    --add-exports jdk.unsupported/sun.misc=ALL-UNNAMED
    --add-opens java.base/java.lang.module=ALL-UNNAMED
    --add-opens java.base/jdk.internal.loader=ALL-UNNAMED
    --add-opens java.base/jdk.internal.ref=ALL-UNNAMED
    --add-opens java.base/jdk.internal.reflect=ALL-UNNAMED
    --add-opens java.base/jdk.internal.math=ALL-UNNAMED
    --add-opens java.base/jdk.internal.module=ALL-UNNAMED
    --add-opens java.base/jdk.internal.util.jar=ALL-UNNAMED
    --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED
    --add-opens java.base/java.io=ALL-UNNAMED
    --add-opens java.base/java.lang.reflect=ALL-UNNAMED
    --add-opens java.base/java.lang=ALL-UNNAMED
    --add-opens java.base/java.util=ALL-UNNAMED
    --add-opens java.base/java.nio=ALL-UNNAMED
    "-Dcassandra.config=file://$HOME_DIR/conf/cassandra.yaml"
    "-Dcassandra.storagedir=$HOME_DIR/data"
    "-Dcassandra.logdir=$LOG_DIR"
    "-Dlogback.configurationFile=$HOME_DIR/conf/logback.xml"
    -Dcassandra-foreground=yes
    -Dcassandra.jmx.local.port=$jmx
    -Dcassandra.skip_wait_for_gossip_to_settle=0
    -Dcassandra.ring_delay_ms=3000
    -Dcassandra.unsafesystem=true
    "-Dcassandra.triggers_dir=$HOME_DIR/triggers"
  )
  # setsid: the node outlives this shell and ignores a Ctrl-C meant for pytest.
  setsid "$JAVA" "${opts[@]}" -cp "$LIB/*" org.apache.cassandra.service.CassandraDaemon \
    >"$LOG_DIR/stdout.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$PID_FILE"
  # Liveness by our own child's pid, not pid_alive: until the forked shell has exec'd the JVM,
  # /proc/PID/cmdline is still this script's, and a busy box can be slow to get there.
  local deadline=$((SECONDS + START_TIMEOUT))
  until grep -q "Startup complete" "$LOG_DIR/system.log" 2>/dev/null && cql_open; do
    if ! kill -0 "$pid" 2>/dev/null; then
      local status=0; wait "$pid" || status=$?
      echo "cassandra.sh: node $NODE exited (status $status) before it started; last log lines:" >&2
      tail -n 40 "$LOG_DIR/system.log" "$LOG_DIR/stdout.log" >&2 || true
      rm -f "$PID_FILE"; exit 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      echo "cassandra.sh: node $NODE is running but did not start within ${START_TIMEOUT}s" \
        "(TALLY_CASSANDRA_START_TIMEOUT); last log lines:" >&2
      tail -n 40 "$LOG_DIR/system.log" "$LOG_DIR/stdout.log" >&2 || true
      stop; { kill -9 "$pid" && wait "$pid"; } 2>/dev/null || true; exit 1
    fi
    sleep 1
  done
}

stop() {
  pid_alive || { rm -f "$PID_FILE"; return 0; }
  local pid; pid="$(cat "$PID_FILE")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if pid_alive && cql_open; then echo "running on $ADDR:9042"; else echo stopped; exit 3; fi ;;
  jars) fetch_jars ;;
  *) echo "usage: $0 start|stop|status|jars [node]" >&2; exit 2 ;;
esac
