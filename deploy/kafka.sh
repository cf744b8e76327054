#!/usr/bin/env bash
# A private single-node Kafka 3.9.1 (KRaft: one process is broker and
# controller) for the demo, the tests and the benchmarks. Loopback only.
#
# Usage: deploy/kafka.sh start|stop|status|topics|env|reset
#        deploy/kafka.sh create-topic NAME [PARTITIONS] [KEY=VALUE ...]
#        deploy/kafka.sh class CLASS [ARGS ...]   (any Kafka tool class)
#
# Environment:
#   B2K_STATE_DIR              state directory (default <repo>/.state); this
#                              script uses $B2K_STATE_DIR/kafka/
#   B2K_CACHE_DIR              jar cache (default <repo>/.cache)
#   B2K_KAFKA_PORT             PLAINTEXT listener on 127.0.0.1 (default 19092)
#   B2K_KAFKA_CONTROLLER_PORT  CONTROLLER listener on 127.0.0.1 (default 19093)
#   B2K_KAFKA_EXTRA_PROPERTIES extra lines for the generated server.properties
#                              (e.g. more listeners, SASL, TLS for tests); a
#                              key given again wins over the default above it
#   JAVA_HOME                  optional; else `java` on PATH
#
# The jars come from Maven Central through deploy/kafka/pom.xml and are copied
# to $B2K_CACHE_DIR/kafka/libs once (again only when the pom changes).
# Several instances can run at once with different B2K_STATE_DIR and ports.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE_DIR=${B2K_STATE_DIR:-$REPO/.state}
CACHE_DIR=${B2K_CACHE_DIR:-$REPO/.cache}
PORT=${B2K_KAFKA_PORT:-19092}
CPORT=${B2K_KAFKA_CONTROLLER_PORT:-19093}
BROKERS=127.0.0.1:$PORT
POM=$REPO/deploy/kafka/pom.xml
LIBS=$CACHE_DIR/kafka/libs
DIR=$STATE_DIR/kafka
DATA=$DIR/data
LOG=$DIR/kafka.log
OUT=$DIR/kafka.out
PIDFILE=$DIR/kafka.pid
PROPS=$DIR/server.properties
LOG4J=$DIR/log4j.properties
TOOLS_LOG4J=$DIR/tools-log4j.properties
CLUSTER_ID_FILE=$DIR/cluster.id
START_TIMEOUT=90
STOP_TIMEOUT=30

die() { echo "kafka: $*" >&2; exit 1; }

check_config() {
  local p
  for p in "$PORT" "$CPORT"; do
    if ! [[ $p =~ ^[0-9]+$ ]] || ((p < 1 || p > 65535)); then
      die "port '$p' is not a TCP port number"
    fi
  done
  [[ $PORT != "$CPORT" ]] || die "B2K_KAFKA_PORT and B2K_KAFKA_CONTROLLER_PORT are both $PORT"
}

find_java() {
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
    JAVA=$JAVA_HOME/bin/java
  elif command -v java >/dev/null 2>&1; then
    JAVA=$(command -v java)
  else
    die "java not found (no JAVA_HOME, none on PATH): install it with: apt-get install -y --no-install-recommends openjdk-17-jre-headless"
  fi
}

need_kcat() {
  command -v kcat >/dev/null 2>&1 ||
    die "kcat not found: install it with: apt-get install -y --no-install-recommends kcat"
}

# Copy the broker's jars from Maven into the cache, unless the cache already
# holds the set for this very pom (marker = the pom's sha256).
ensure_libs() {
  local sum
  sum=$(sha256sum "$POM" | cut -d' ' -f1)
  if [[ -f $LIBS/.pom.sha256 && $(cat "$LIBS/.pom.sha256") == "$sum" ]]; then
    return 0
  fi
  mkdir -p "$CACHE_DIR/kafka"
  # Instances started at the same time share the cache: one fetches.
  exec 9>"$CACHE_DIR/kafka/.lock"
  flock 9
  if [[ -f $LIBS/.pom.sha256 && $(cat "$LIBS/.pom.sha256") == "$sum" ]]; then
    exec 9>&-
    return 0
  fi
  command -v mvn >/dev/null 2>&1 ||
    die "mvn not found (needed once to fetch the Kafka jars): install it with: apt-get install -y --no-install-recommends maven"
  echo "kafka: fetching the Kafka 3.9.1 jars with Maven into $LIBS"
  local tmp=$CACHE_DIR/kafka/libs.tmp.$$ mvnlog=$CACHE_DIR/kafka/mvn.log
  rm -rf "$tmp"
  if ! mvn -q -B -f "$POM" dependency:copy-dependencies \
      -DoutputDirectory="$tmp" -DincludeScope=runtime >"$mvnlog" 2>&1; then
    rm -rf "$tmp"
    echo "kafka: mvn dependency:copy-dependencies failed; last lines of $mvnlog:" >&2
    tail -n 20 "$mvnlog" >&2
    exit 1
  fi
  echo "$sum" >"$tmp/.pom.sha256"
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  exec 9>&-
}

# A running instance keeps the ports it was started with (its
# server.properties): use those, so that `status`, `env`, `topics` and
# `create-topic` with only B2K_STATE_DIR set speak to the right broker.
adopt_running_ports() {
  running_pid >/dev/null || return 0
  local line p c
  line=$(grep -m 1 '^listeners=' "$PROPS" 2>/dev/null || true)
  p=$(sed -n 's/.*PLAINTEXT:\/\/127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' <<<"$line")
  c=$(sed -n 's/.*CONTROLLER:\/\/127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' <<<"$line")
  [[ -n $p && -n $c ]] || return 0
  if [[ -n ${B2K_KAFKA_PORT:-} && $B2K_KAFKA_PORT != "$p" ]] ||
     [[ -n ${B2K_KAFKA_CONTROLLER_PORT:-} && $B2K_KAFKA_CONTROLLER_PORT != "$c" ]]; then
    echo "kafka: note: the instance in $DIR runs on ports $p/$c, not B2K_KAFKA_PORT=${B2K_KAFKA_PORT:-} B2K_KAFKA_CONTROLLER_PORT=${B2K_KAFKA_CONTROLLER_PORT:-}" >&2
  fi
  PORT=$p
  CPORT=$c
  BROKERS=127.0.0.1:$PORT
}

# The pid of our broker if it is running, else nothing (and status 1).
running_pid() {
  [[ -r $PIDFILE ]] || return 1
  local pid
  pid=$(tr -dc '0-9' <"$PIDFILE")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a stale pid file whose pid was reused by something else.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "kafka.Kafka $PROPS" || return 1
  echo "$pid"
}

# Prints who listens on TCP port $1 (any address), nothing if it is free.
port_user() {
  ss -Hltnp "sport = :$1" 2>/dev/null | head -n 1 |
    sed -n 's/.*users:((\("[^"]*"\),pid=\([0-9]*\).*/\1 pid \2/p;t;s/.*/another process/p'
}

# A Kafka Uuid as Kafka prints it: 16 random bytes, URL-safe base64 without
# padding; Kafka itself never hands out one that starts with '-'.
new_cluster_id() {
  local id
  while :; do
    id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    [[ $id == -* ]] || break
  done
  echo "$id"
}

write_config() {
  mkdir -p "$DATA"
  cat >"$PROPS.tmp" <<EOF
# Generated by deploy/kafka.sh on every start; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$DATA

# One node on a small (2-core) test box.
num.network.threads=3
num.io.threads=4
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
auto.create.topics.enable=true
group.initial.rebalance.delay.ms=0
# After a kill -9 the restarted node cannot register its broker until the old
# incarnation's session expires (default 9 s, which made restarts take ~15 s).
# Tests kill the broker on purpose, so expire faster; heartbeats every second.
broker.session.timeout.ms=4000
broker.heartbeat.interval.ms=1000

# Segment/retention settings as in Kafka's sample server.properties.
log.segment.bytes=1073741824
log.retention.hours=168
log.retention.check.interval.ms=300000
EOF
  if [[ -n ${B2K_KAFKA_EXTRA_PROPERTIES:-} ]]; then
    printf '\n# From B2K_KAFKA_EXTRA_PROPERTIES:\n%s\n' "$B2K_KAFKA_EXTRA_PROPERTIES" >>"$PROPS.tmp"
  fi
  mv "$PROPS.tmp" "$PROPS"

  cat >"$LOG4J" <<EOF
# Generated by deploy/kafka.sh: broker log to $LOG only.
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$LOG
log4j.appender.file.MaxFileSize=100MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.kafka.request.logger=WARN
log4j.logger.org.apache.zookeeper=WARN
EOF

  cat >"$TOOLS_LOG4J" <<EOF
# Generated by deploy/kafka.sh: command-line tools log warnings to stderr.
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
}

# Runs a Kafka tool class in the foreground with the cached jars.
run_tool() {
  local class=$1
  shift
  [[ -f $TOOLS_LOG4J ]] || write_config
  "$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$TOOLS_LOG4J" -cp "$LIBS/*" "$class" "$@"
}

format_storage() {
  [[ -f $DATA/meta.properties ]] && return 0
  local id
  if [[ -s $CLUSTER_ID_FILE ]]; then
    id=$(cat "$CLUSTER_ID_FILE")
  else
    id=$(new_cluster_id)
    echo "$id" >"$CLUSTER_ID_FILE"
  fi
  echo "kafka: formatting $DATA (cluster id $id)"
  # (--ignore-formatted: a log.dirs of B2K_KAFKA_EXTRA_PROPERTIES elsewhere
  # than $DATA is formatted on the first start and passed over later.)
  if ! run_tool kafka.tools.StorageTool format -t "$id" -c "$PROPS" --ignore-formatted \
      >"$DIR/format.log" 2>&1; then
    echo "kafka: kafka.tools.StorageTool format failed; last lines of $DIR/format.log:" >&2
    tail -n 20 "$DIR/format.log" >&2
    exit 1
  fi
}

broker_ready() {
  kcat -b "$BROKERS" -L -m 1 2>/dev/null | grep -q "broker 1 at 127.0.0.1:$PORT"
}

print_status() {
  local pid
  if pid=$(running_pid); then
    echo "kafka: running (pid $pid, broker $BROKERS, controller 127.0.0.1:$CPORT)"
  else
    echo "kafka: stopped (port $PORT, state $DIR)"
    return 1
  fi
}

log_tail() {
  tail -n 25 "$LOG" >&2 2>/dev/null || true
  tail -n 10 "$OUT" >&2 2>/dev/null || true
}

# The last exception message the broker logged since byte offset $1 of $LOG.
start_error() {
  tail -c +$(($1 + 1)) "$LOG" 2>/dev/null |
    grep -E '^[A-Za-z0-9_.$]+(Exception|Error)(: |$)' | tail -n 1 || true
}

cmd_start() {
  check_config
  if running_pid >/dev/null; then
    print_status
    return 0
  fi
  find_java
  need_kcat
  command -v ss >/dev/null 2>&1 ||
    die "ss not found: install it with: apt-get install -y --no-install-recommends iproute2"
  local p who
  for p in "$PORT" "$CPORT"; do
    who=$(port_user "$p")
    [[ -z $who ]] || die "port $p is already in use by $who (set B2K_KAFKA_PORT / B2K_KAFKA_CONTROLLER_PORT to free ports)"
  done
  ensure_libs
  write_config
  format_storage
  rm -f "$PIDFILE"
  local log_offset
  log_offset=$(stat -c %s "$LOG" 2>/dev/null || echo 0)

  # JVM options as in Kafka's kafka-server-start.sh / kafka-run-class.sh,
  # with a heap that suits a 2-core test box. Own session: not killed with the
  # caller's process group.
  echo "--- start $(date '+%F %T')" >>"$OUT"
  setsid "$JAVA" -Xms256m -Xmx1G -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
    -XX:MaxInlineLevel=15 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$LOG4J" -Dkafka.logs.dir="$DIR" \
    -cp "$LIBS/*" kafka.Kafka "$PROPS" </dev/null >>"$OUT" 2>&1 &
  local pid=$!
  echo "$pid" >"$PIDFILE"

  local deadline=$((SECONDS + START_TIMEOUT))
  until broker_ready; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PIDFILE"
      local cause
      cause=$(start_error "$log_offset")
      echo "kafka: the broker exited during start${cause:+: $cause}" >&2
      echo "kafka: last lines of $LOG and $OUT:" >&2
      log_tail
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "kafka: broker not answering metadata on $BROKERS after ${START_TIMEOUT}s (pid $pid, left running); last lines of $LOG:" >&2
      log_tail
      exit 1
    fi
    sleep 0.2
  done
  print_status
}

cmd_stop() {
  check_config
  local pid
  if ! pid=$(running_pid); then
    echo "kafka: stopped (port $PORT, state $DIR)"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      echo "kafka: pid $pid did not exit within ${STOP_TIMEOUT}s; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$PIDFILE"
  echo "kafka: stopped (port $PORT, state $DIR)"
}

require_running() {
  running_pid >/dev/null || die "not running (port $PORT, state $DIR): start it with deploy/kafka.sh start"
}

cmd_topics() {
  check_config
  need_kcat
  require_running
  local out
  out=$(kcat -b "$BROKERS" -L -m 10 2>&1) || die "listing topics on $BROKERS failed: $(tail -n 1 <<<"$out")"
  sed -n 's/^  topic "\(.*\)" with .*/\1/p' <<<"$out" | sort
}

cmd_create_topic() {
  check_config
  [[ $# -ge 1 && -n $1 ]] || die "usage: deploy/kafka.sh create-topic NAME [PARTITIONS] [KEY=VALUE ...]"
  local name=$1 partitions=1
  shift
  if [[ $# -ge 1 && $1 =~ ^[0-9]+$ ]]; then
    partitions=$1
    shift
  fi
  local args=() kv
  for kv in "$@"; do
    [[ $kv == ?*=* ]] || die "topic config '$kv' is not KEY=VALUE (e.g. cleanup.policy=compact)"
    args+=(--config "$kv")
  done
  require_running
  find_java
  ensure_libs
  local out rc=0
  out=$(run_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BROKERS" \
    --create --if-not-exists --topic "$name" --partitions "$partitions" \
    --replication-factor 1 "${args[@]}" 2>&1) || rc=$?
  if [[ $rc -ne 0 ]]; then
    local why
    why=$(sed -n 's/^Error while executing topic command *: *//p' <<<"$out" | tail -n 1)
    [[ -n $why ]] || why=$(grep -v -E '^\s|^\[|^WARNING' <<<"$out" | tail -n 1)
    die "create-topic $name failed: ${why:-TopicCommand exited with $rc}"
  fi
  # Drop TopicCommand's notice about '.' and '_' in topic names.
  out=$(grep -v '^WARNING: Due to limitations in metric names' <<<"$out" || true)
  if [[ -n $out ]]; then
    echo "$out"
  else
    echo "kafka: topic $name already exists (left as it is)"
  fi
}

cmd_class() {
  [[ $# -ge 1 ]] || die "usage: deploy/kafka.sh class CLASS [ARGS ...]"
  check_config
  find_java
  ensure_libs
  run_tool "$@"
}

cmd_env() {
  printf 'export B2K_STATE_DIR=%q\n' "$STATE_DIR"
  printf 'export B2K_CACHE_DIR=%q\n' "$CACHE_DIR"
  printf 'export B2K_KAFKA_PORT=%q\n' "$PORT"
  printf 'export B2K_KAFKA_CONTROLLER_PORT=%q\n' "$CPORT"
  printf 'export B2K_KAFKA_BROKERS=%q\n' "$BROKERS"
  printf 'export B2K_KAFKA_LIBS=%q\n' "$LIBS"
}

cmd_reset() {
  cmd_stop
  rm -rf "$DIR"
  echo "kafka: removed $DIR"
}

usage() {
  echo "usage: $0 start|stop|status|topics|env|reset|create-topic NAME [PARTITIONS] [KEY=VALUE ...]|class CLASS [ARGS ...]" >&2
  exit 2
}

[[ $# -ge 1 ]] || usage
adopt_running_ports
cmd=$1
shift
case $cmd in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) check_config && print_status ;;
  topics) cmd_topics ;;
  create-topic) cmd_create_topic "$@" ;;
  class) cmd_class "$@" ;;
  env) cmd_env ;;
  reset) cmd_reset ;;
  *) usage ;;
esac
