#!/usr/bin/env bash
# Real Kafka 4.x brokers (KRaft, no ZooKeeper) on loopback, for tests and local development.
#   scripts/kafka.sh start            one combined broker+controller on 127.0.0.1:19092
#   scripts/kafka.sh stop
#   scripts/kafka.sh status           exit 0 when running, 3 when not
#   scripts/kafka.sh cluster-start    three brokers (replication 3, min.insync.replicas=2) on
#                                     127.0.0.1:19192,19292,19392 (the fault test's cluster)
#   scripts/kafka.sh cluster-stop
#   scripts/kafka.sh node-stop N | node-kill N | node-start N    one broker of the cluster
#   scripts/kafka.sh jars             only fetch the jars
# Jars: org.apache.kafka:kafka_2.13 + kafka-tools (scripts/kafka/pom.xml) and their runtime
# dependencies, resolved by Maven (cached in its local repository), copied once into
# var/kafka/lib. Broker state (config, data, logs) lives in var/services/kafka/. Why: docs/kafka.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
POM="$ROOT/scripts/kafka/pom.xml"
LIB="$ROOT/var/kafka/lib"
SVC="$ROOT/var/services/kafka"
PORT="${TALLY_TEST_KAFKA_PORT:-19092}"
START_TIMEOUT="${TALLY_KAFKA_START_TIMEOUT:-120}"
HEAP="${TALLY_KAFKA_HEAP:--Xmx512m}"
JVM_EXTRA=""
JAVA="${TALLY_KAFKA_JAVA:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}"

die() { echo "kafka.sh: $*" >&2; exit 1; }

fetch_jars() {
  local stamp="$LIB/.pom.sha256" want
  want="$(sha256sum "$POM" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && ls "$LIB"/kafka_2.13-*.jar >/dev/null 2>&1; then
    return 0
  fi
  command -v mvn >/dev/null || die "Maven is not installed: run scripts/install-system.sh"
  echo "kafka.sh: fetching Kafka jars with Maven (first run only)..." >&2
  rm -rf "$LIB.tmp"
  mvn -q -B -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$LIB.tmp" >&2 || die "mvn could not resolve the Kafka jars"
  rm -rf "$LIB"; mv "$LIB.tmp" "$LIB"
  echo "$want" >"$stamp"
}

tool() {  # the storage tool; its output only when it fails
  local out
  out="$("$JAVA" -Xmx256m -cp "$LIB/*" kafka.tools.StorageTool "$@" 2>&1)" || { echo "$out" >&2; return 1; }
  printf '%s\n' "$out" | grep -v "ERROR Reconfiguration failed\|^log4j:WARN" || true
}

# A Kafka Uuid (16 random bytes, base64url, no padding) without a JVM start (~5 s here);
# Kafka's own generator also avoids ids that begin with "-".
random_uuid() {
  local id="-"
  while [ "${id:0:1}" = "-" ]; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  done
  echo "$id"
}

# write_config DIR NODE_ID PORT CONTROLLER_PORT QUORUM REPLICATION
write_config() {
  local dir="$1" id="$2" port="$3" cport="$4" quorum="$5" rf="$6" isr=1
  [ "$rf" -gt 1 ] && isr=2
  mkdir -p "$dir/conf" "$dir/logs" "$dir/data"
  cat >"$dir/conf/server.properties" <<EOF
process.roles=broker,controller
node.id=$id
controller.quorum.bootstrap.servers=$quorum
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=4
default.replication.factor=$rf
min.insync.replicas=$isr
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
transaction.state.log.num.partitions=8
# Tests start consumers right away: no 3 s wait for more members before the first rebalance.
group.initial.rebalance.delay.ms=0
# A small box: few threads, small segments.
num.network.threads=2
num.io.threads=2
log.segment.bytes=67108864
EOF
  cat >"$dir/conf/log4j.properties" <<EOF
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$dir/logs/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
}

pid_alive() {  # DIR: our broker only (a stale pid file may name anything after a reboot)
  local f="$1/kafka.pid"
  [ -f "$f" ] && tr '\0' ' ' <"/proc/$(cat "$f")/cmdline" 2>/dev/null | grep -q -- "$1/conf/server.properties"
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

launch() {  # DIR PORT: start the formatted node and wait for its port
  local dir="$1" port="$2"
  if pid_alive "$dir" && port_open "$port"; then return 0; fi
  : >"$dir/logs/server.log"
  # setsid: the broker outlives this shell and ignores a Ctrl-C meant for pytest.
  setsid "$JAVA" $HEAP $JVM_EXTRA -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    "-Dlog4j.configuration=file:$dir/conf/log4j.properties" -Dkafka.logs.dir="$dir/logs" \
    -cp "$LIB/*" kafka.Kafka "$dir/conf/server.properties" >"$dir/logs/stdout.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$dir/kafka.pid"
  local deadline=$((SECONDS + START_TIMEOUT))
  until port_open "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "kafka.sh: broker in $dir exited before it started; last log lines:" >&2
      tail -n 30 "$dir/logs/server.log" "$dir/logs/stdout.log" >&2 || true
      rm -f "$dir/kafka.pid"; exit 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      tail -n 30 "$dir/logs/server.log" >&2 || true
      kill -9 "$pid" 2>/dev/null || true
      die "broker in $dir did not open port $port within ${START_TIMEOUT}s (TALLY_KAFKA_START_TIMEOUT)"
    fi
    sleep 0.5
  done
}

halt() {  # DIR [SIGNAL]
  local dir="$1" sig="${2:-TERM}"
  pid_alive "$dir" || { rm -f "$dir/kafka.pid"; return 0; }
  local pid; pid="$(cat "$dir/kafka.pid")"
  kill -"$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  rm -f "$dir/kafka.pid"
}

single_start() {
  [ -x "$JAVA" ] || die "OpenJDK 17 not found at $JAVA: run scripts/install-system.sh"
  fetch_jars
  local dir="$SVC/single" cport=$((PORT + 1))
  if ! pid_alive "$dir"; then
    write_config "$dir" 1 "$PORT" "$cport" "127.0.0.1:$cport" 1
    if [ ! -f "$dir/data/meta.properties" ]; then
      tool format --standalone -t "$(random_uuid)" -c "$dir/conf/server.properties" >/dev/null
    fi
  fi
  launch "$dir" "$PORT"
}

cluster_port() { echo $((19092 + 100 * $1)); }  # node N: broker 19N92, controller 19N93
cluster_start() {
  [ -x "$JAVA" ] || die "OpenJDK 17 not found at $JAVA: run scripts/install-system.sh"
  fetch_jars
  local quorum="" initial="" pids="" cid n p
  for n in 1 2 3; do
    p=$(cluster_port $n)
    quorum="$quorum${quorum:+,}127.0.0.1:$((p + 1))"
  done
  # A fresh cluster each time: the fault test wants known state, and formatting is ~2 s.
  cluster_stop
  rm -rf "$SVC/cluster"
  cid="$(random_uuid)"
  for n in 1 2 3; do
    p=$(cluster_port $n)
    initial="$initial${initial:+,}$n@127.0.0.1:$((p + 1)):$(random_uuid)"
  done
  for n in 1 2 3; do
    p=$(cluster_port $n)
    write_config "$SVC/cluster/node$n" "$n" "$p" $((p + 1)) "$quorum" 3
    tool format -t "$cid" --initial-controllers "$initial" \
      -c "$SVC/cluster/node$n/conf/server.properties" >/dev/null &
    pids="$pids $!"
  done
  for n in $pids; do wait "$n" || die "formatting a cluster node failed"; done
  HEAP="${TALLY_KAFKA_CLUSTER_HEAP:--Xmx384m}"
  # Test nodes: the quick compiler only, to start three JVMs sooner on a small box.
  JVM_EXTRA="-XX:TieredStopAtLevel=1"
  # The controllers need a quorum before any broker port opens: start all three, then wait.
  for n in 1 2 3; do launch "$SVC/cluster/node$n" "$(cluster_port $n)" & done
  wait
  for n in 1 2 3; do port_open "$(cluster_port $n)" || die "cluster node $n did not start"; done
}
# The test cluster is formatted afresh on every start, so nothing is lost by not waiting for
# a controlled shutdown (~40 s for three nodes here).
cluster_stop() { for n in 1 2 3; do halt "$SVC/cluster/node$n" KILL; done; }

case "${1:-}" in
  start) single_start ;;
  stop) halt "$SVC/single" ;;
  status) if pid_alive "$SVC/single" && port_open "$PORT"; then echo "running on 127.0.0.1:$PORT"; else echo stopped; exit 3; fi ;;
  cluster-start) cluster_start ;;
  cluster-stop) cluster_stop ;;
  node-stop) halt "$SVC/cluster/node${2:?node}" ;;
  node-kill) halt "$SVC/cluster/node${2:?node}" KILL ;;
  node-start) HEAP="${TALLY_KAFKA_CLUSTER_HEAP:--Xmx384m}"; JVM_EXTRA="-XX:TieredStopAtLevel=1"; launch "$SVC/cluster/node${2:?node}" "$(cluster_port "$2")" ;;
  jars) fetch_jars ;;
  *) echo "usage: $0 start|stop|status|cluster-start|cluster-stop|node-stop N|node-kill N|node-start N|jars" >&2; exit 2 ;;
esac
