#!/usr/bin/env bash
# binlog2kafka's records against the real consumers (issue 13, ctest label
# interop), on ONE MariaDB and ONE Kafka:
#   1. Debezium's MariaDB connector on Kafka Connect standalone and
#      binlog2kafka read the same workload (tests/interop/schema.sql and
#      workload.sql: every column type, NULLs, zero dates, TIME out of the
#      day, BIT widths, unsigned extremes, latin1/utf8mb4, JSON, key changes,
#      deletes), twice: with Debezium's defaults and schemas off, and with
#      other option values and JsonConverter schemas on. compare.py compares
#      them record by record (key, op, before, after, transaction, headers,
#      tombstones, order per key, and the schemas) and fails on any
#      difference that README.md does not list.
#   2. Kafka's JsonConverter (connect-json) reads every record binlog2kafka
#      wrote with schemas into a Connect Struct whose field types match the
#      columns (JsonConverterCheck.java).
#   3. Flink SQL's debezium-json format reads the readable-mode topics into
#      tables declared as a user would, with cdc-events-duplicate off and
#      on; the materialized tables equal SELECT (FlinkCheck.java).
# Jars come from Maven Central once, into $B2K_CACHE_DIR (git-ignored):
# Kafka Connect and Debezium as bench/peers.sh installs them, Flink and
# connect-json by tests/interop/pom.xml.
#
# Ports: B2K_ITEST_MARIADB_PORT, B2K_ITEST_KAFKA_PORT,
# B2K_ITEST_KAFKA_CONTROLLER_PORT (lib.sh) and B2K_ITEST_CONNECT_PORT
# (Kafka Connect's REST listener, default 28083).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"
# shellcheck source=bench/peers/maven.sh
source "$B2K_SOURCE_DIR/bench/peers/maven.sh"

HERE=$B2K_SOURCE_DIR/tests/interop
CONNECT_PORT=${B2K_ITEST_CONNECT_PORT:-$(itest_port 28083)}
# Debezium's MariaDB connector: 3.5.0.Final is the newest Maven Central
# serves here (3.6 adds no value change but one, see compare.py). 3.6.1:
# debezium-connector-mariadb is not found; debezium-connector-mysql is, but
# refuses MariaDB ("MySQL version 10.11.19-MariaDB... should support SHOW
# BINARY LOG STATUS but it failed").
DEBEZIUM_VERSION=3.5.0.Final
CONNECT_JARS=$B2K_CACHE_DIR/debezium/connect
FLINK_JARS=$B2K_CACHE_DIR/interop/flink
PLUGINS=$B2K_CACHE_DIR/debezium/plugins-$DEBEZIUM_VERSION
OUT=$STATE/out
CONNECT_PID=
TABLES=(interop.types interop.zeros interop.keyed interop.daytimes interop.nokey)
# The option values of Debezium's connectors dbzB and dbzC, and the same as
# binlog2kafka's options (run b2kB and b2kC).
DBZ_B=(decimal.handling.mode=string bigint.unsigned.handling.mode=precise
  binary.handling.mode=hex tombstones.on.delete=false)
B2K_B=(--binlog2kafka.decimal-handling-mode=string
  --binlog2kafka.bigint-unsigned-handling-mode=precise
  --binlog2kafka.binary-handling-mode=hex --binlog2kafka.tombstones=false
  --binlog2kafka.schemas=true)
DBZ_C=(decimal.handling.mode=double time.precision.mode=connect
  binary.handling.mode=base64-url-safe)
B2K_C=(--binlog2kafka.decimal-handling-mode=double
  --binlog2kafka.time-precision-mode=connect
  --binlog2kafka.binary-handling-mode=base64-url-safe
  '--binlog2kafka.exclude-tables=["interop\\.zeros"]'
  --binlog2kafka.schemas=true)
WITH_SCHEMAS=(key.converter=org.apache.kafka.connect.json.JsonConverter
  key.converter.schemas.enable=true
  value.converter=org.apache.kafka.connect.json.JsonConverter
  value.converter.schemas.enable=true)

stop_connect() {
  stop_pid "$CONNECT_PID" 20
  CONNECT_PID=
}
interop_cleanup() {
  local rc=$?
  set +e
  stop_connect
  (exit "$rc")
  itest_cleanup
}
trap interop_cleanup EXIT

fetch_jars() {
  log "fetching Kafka Connect and Debezium $DEBEZIUM_VERSION (cached in $B2K_CACHE_DIR)"
  mvn_fetch "$B2K_SOURCE_DIR/bench/peers/debezium/connect-pom.xml" "$CONNECT_JARS" \
    "$B2K_CACHE_DIR/debezium/mvn-connect.log" || fail "cannot fetch the Kafka Connect jars"
  mvn_fetch "$B2K_SOURCE_DIR/bench/peers/debezium/plugin-pom.xml" \
    "$PLUGINS/debezium-connector-mariadb" "$B2K_CACHE_DIR/debezium/mvn-plugin.log" \
    "-Ddebezium.version=$DEBEZIUM_VERSION" || fail "cannot fetch Debezium"
  log "fetching Flink (cached in $B2K_CACHE_DIR)"
  mvn_fetch "$HERE/flink-pom.xml" "$FLINK_JARS" "$B2K_CACHE_DIR/interop/mvn-flink.log" ||
    fail "cannot fetch Flink"
}

# The checkers, compiled against the jars they run with.
compile_checks() {
  mkdir -p "$STATE/classes"
  javac -nowarn -d "$STATE/classes" -cp "$CONNECT_JARS/*" "$HERE/JsonConverterCheck.java" ||
    fail "JsonConverterCheck.java does not compile"
  javac -nowarn -d "$STATE/classes" -cp "$FLINK_JARS/*" "$HERE/FlinkCheck.java" ||
    fail "FlinkCheck.java does not compile"
}

# connector NAME PREFIX SERVER_ID [extra properties...]
connector_config() {
  local name=$1 prefix=$2 server_id=$3
  shift 3
  cat <<PROPS
name=$name
connector.class=io.debezium.connector.mariadb.MariaDbConnector
tasks.max=1
database.hostname=127.0.0.1
database.port=$MARIADB_PORT
database.user=b2k
database.password=$(cat "$PASSWORD_FILE")
database.server.id=$server_id
topic.prefix=$prefix
database.include.list=interop
schema.history.internal.kafka.bootstrap.servers=$BROKERS
schema.history.internal.kafka.topic=$prefix.history
snapshot.mode=no_data
provide.transaction.metadata=true
PROPS
  printf '%s\n' "$@"
}

start_connect() {
  local d=$STATE/connect
  mkdir -p "$d"
  cat >"$d/worker.properties" <<PROPS
bootstrap.servers=$BROKERS
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=false
value.converter.schemas.enable=false
offset.storage.file.filename=$d/offsets.dat
offset.flush.interval.ms=1000
plugin.path=$PLUGINS
listeners=http://127.0.0.1:$CONNECT_PORT
PROPS
  # dbzA: Debezium's defaults. dbzB and dbzC: the other option values,
  # with schemas. dbzC leaves out table zeros: with
  # time.precision.mode=connect Debezium stops at a NOT NULL TIME out of
  # the day.
  connector_config dbzA dbzA 5501 >"$d/dbzA.properties"
  connector_config dbzB dbzB 5502 "${DBZ_B[@]}" "${WITH_SCHEMAS[@]}" >"$d/dbzB.properties"
  connector_config dbzC dbzC 5503 table.exclude.list=interop.zeros "${DBZ_C[@]}" \
    "${WITH_SCHEMAS[@]}" >"$d/dbzC.properties"
  cat >"$d/log4j.properties" <<PROPS
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.org.apache.kafka.clients=WARN
log4j.logger.org.apache.kafka.common=WARN
PROPS
  java -Xms128M -Xmx1G -XX:+UseSerialGC -Djava.awt.headless=true \
    "-Dlog4j.configuration=file:$d/log4j.properties" \
    -cp "$CONNECT_JARS/*" org.apache.kafka.connect.cli.ConnectStandalone \
    "$d/worker.properties" "$d/dbzA.properties" "$d/dbzB.properties" "$d/dbzC.properties" \
    </dev/null >"$d/connect.log" 2>&1 &
  CONNECT_PID=$!
  log "Kafka Connect with Debezium $DEBEZIUM_VERSION started (pid $CONNECT_PID, log $d/connect.log)"
}

# Both connectors took their schema snapshot and stream the binlog.
connectors_streaming() {
  kill -0 "$CONNECT_PID" 2>/dev/null || { echo "Kafka Connect exited"; return 1; }
  local n
  n=$(grep -c 'Keepalive thread is running' "$STATE/connect/connect.log" || true)
  ((n >= 3)) || { echo "$n of 3 connectors streaming"; return 1; }
}

# topics_of PREFIX: the table topics of a tool.
capture() { # TOPIC FILE: every record of TOPIC as kcat's JSON lines
  kcat -b "$BROKERS" -C -t "$1" -o beginning -e -q -J >"$2" 2>/dev/null || : >"$2"
}

fetch_jars
start_servers
mkdir -p "$OUT"
compile_checks
sql --default-character-set=utf8mb4 <"$HERE/schema.sql"
start_connect
wait_for 180 "Debezium's three connectors streaming" connectors_streaming
read -r start_file start_pos < <(master_status)
log "workload from $start_file:$start_pos"
sql --default-character-set=utf8mb4 <"$HERE/workload.sql"
read -r end_file end_pos < <(master_status)
log "workload written up to $end_file:$end_pos"
last_gtid=$(sql -e 'SELECT @@gtid_binlog_pos')

# b2k_run NAME [options...]: binlog2kafka from the workload's start to the
# binlog end, then a graceful stop.
b2k_run() {
  SOURCE_NAME=$1
  shift
  daemon_start "--binlog2kafka.from=$start_file:$start_pos" \
    '--binlog2kafka.include-databases=["interop"]' \
    "--binlog2kafka.transaction-topic={prefix}.transaction" "$@"
  wait_caught_up 120
  daemon_stop
  [[ $DAEMON_RC == 0 ]] || fail "binlog2kafka $SOURCE_NAME exited with $DAEMON_RC"
}
b2k_run b2kA
b2k_run b2kB "${B2K_B[@]}"
b2k_run b2kC "${B2K_C[@]}"
b2k_run b2kR --binlog2kafka.value-mode=readable
SOURCE_NAME=itest

# Debezium is done when each connector wrote the END of the workload's last
# transaction and its table topics stopped growing.
debezium_done() {
  local c t n counts=
  for c in dbzA dbzB dbzC; do
    kcat -b "$BROKERS" -C -t "$c.transaction" -o beginning -e -q 2>/dev/null |
      grep -q "\"status\":\"END\",\"id\":\"$last_gtid\"" ||
      { echo "$c: no END of $last_gtid yet"; return 1; }
    for t in "${TABLES[@]}"; do
      n=$(kcat -b "$BROKERS" -C -t "$c.$t" -o beginning -e -q -f 'x\n' 2>/dev/null | wc -l)
      counts+="$c.$t=$n "
    done
  done
  # (wait_for runs this in a subshell: the last counts are kept in a file)
  [[ $counts == "$(cat "$STATE/debezium.counts" 2>/dev/null)" ]] ||
    { echo "$counts" >"$STATE/debezium.counts"; echo "still growing: $counts"; return 1; }
}
wait_for 180 "Debezium's records of the workload" debezium_done
stop_connect

for t in $(kcat -b "$BROKERS" -L | grep -o 'topic "\(dbz\|b2k\)[A-Z][^"]*"' | cut -d'"' -f2); do
  capture "$t" "$OUT/$t.jsonl"
done
log "comparing binlog2kafka's records with Debezium's"
for pair in "b2kA dbzA" "b2kB dbzB" "b2kC dbzC"; do
  # shellcheck disable=SC2086
  python3 "$HERE/compare.py" "$OUT" $pair "${TABLES[@]}" | tee "$OUT/compare-${pair// /-}.txt"
  grep -q 'RESULT OK' "$OUT/compare-${pair// /-}.txt" || fail "records differ from Debezium's ($pair)"
done

log "Kafka Connect's JsonConverter reads the records with schemas"
java -cp "$STATE/classes:$CONNECT_JARS/*" JsonConverterCheck "$OUT" \
  "$HERE/connect_types.json" b2kB b2kC | tee "$OUT/jsonconverter.txt" | grep -v ' records read$'
grep -q 'RESULT OK' "$OUT/jsonconverter.txt" || fail "JsonConverter cannot read every record"

log "Flink SQL's debezium-json format reads the tables (readable mode, and with schemas)"
mariadb_jar=$(ls "$PLUGINS"/debezium-connector-mariadb/mariadb-java-client-*.jar)
java -Xmx768m -cp "$STATE/classes:$FLINK_JARS/*:$mariadb_jar" FlinkCheck "$BROKERS" \
  "jdbc:mariadb://127.0.0.1:$MARIADB_PORT/interop?useServerPrepStmts=true" b2k "$PASSWORD_FILE" \
  >"$OUT/flink.log" 2>&1 || true
grep '^flink: ' "$OUT/flink.log" | tee "$OUT/flink.txt"
grep -q 'RESULT OK' "$OUT/flink.txt" || { tail -n 30 "$OUT/flink.log"; fail "Flink's tables differ from SELECT"; }
