#!/usr/bin/env bash
# format = avro against a real Confluent-compatible schema registry (issue
# 13 D, ctest label interop): Apicurio Registry 2.4.2.Final's
# /apis/ccompat/v7, built from Maven Central by tests/interop/apicurio/pom.xml
# (cached in $B2K_CACHE_DIR/interop/apicurio), with in-memory storage.
#   1. binlog2kafka writes the interop workload (schema.sql, workload.sql:
#      every column type, NULLs, zero dates, key changes, deletes) twice
#      from the same position: in JSON (value-mode debezium, schemas off)
#      and in Avro with the registry. AvroCheck.java reads the Avro topics
#      with Apache Avro's Java library (schemas fetched from the registry by
#      the ids in the records) and requires every record to equal its JSON
#      twin, the schemas to have Debezium's Avro names and types, and table
#      interop.types materialized from Avro to equal SELECT.
#   2. Snapshots (initial-only) of interop.nokey, a table without a key
#      (one consistent read), and interop.types, in JSON and in Avro: every
#      Avro record equals its JSON twin (read times and positions aside),
#      source.snapshot "first" and "last" included; one record per row;
#      interop.types materialized from the Avro snapshot equals SELECT.
#   3. With the subject's compatibility set to BACKWARD, a column added
#      NULL registers a new version, and a column added NOT NULL (a field
#      without a default) is refused: binlog2kafka stops with one line
#      naming the subject and the registry's message.
#   4. With the registry down, binlog2kafka says so in one line naming the
#      registry and the subject, and retries (it is a connection error).
# Ports: lib.sh's, and the registry's B2K_ITEST_REGISTRY_PORT (default
# B2K_ITEST_CONNECT_PORT + 1; the interop tests never run at once).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"
# shellcheck source=bench/peers/maven.sh
source "$B2K_SOURCE_DIR/bench/peers/maven.sh"

HERE=$B2K_SOURCE_DIR/tests/interop
REGISTRY_PORT=${B2K_ITEST_REGISTRY_PORT:-$((${B2K_ITEST_CONNECT_PORT:-$(itest_port 28083)} + 1))}
REGISTRY=http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7
REGISTRY_BUILD=$B2K_CACHE_DIR/interop/apicurio
AVRO_JARS=$B2K_CACHE_DIR/interop/avro
OUT=$STATE/out
REGISTRY_PID=

stop_registry() {
  stop_pid "$REGISTRY_PID" 20
  REGISTRY_PID=
}
avro_cleanup() {
  local rc=$?
  set +e
  stop_registry
  (exit "$rc")
  itest_cleanup
}
trap avro_cleanup EXIT

# The registry's runnable build, made once per pom and source (stamp: their
# sha256); instances started together share it through a lock.
build_registry() {
  local sum
  sum=$(cat "$HERE/apicurio/pom.xml" "$HERE"/apicurio/src/binlog2kafka/interop/*.java |
    sha256sum | cut -d' ' -f1)
  [[ -f $REGISTRY_BUILD/.stamp && $(cat "$REGISTRY_BUILD/.stamp") == "$sum" ]] && return 0
  command -v mvn >/dev/null 2>&1 ||
    fail "mvn not found: apt-get install -y --no-install-recommends maven"
  mkdir -p "$(dirname "$REGISTRY_BUILD")"
  log "building Apicurio Registry from Maven Central (once; cached in $REGISTRY_BUILD)"
  (
    flock 9
    [[ -f $REGISTRY_BUILD/.stamp && $(cat "$REGISTRY_BUILD/.stamp") == "$sum" ]] && exit 0
    rm -rf "$REGISTRY_BUILD.tmp"
    mvn -B -f "$HERE/apicurio/pom.xml" package -DskipTests \
      "-Dregistry.build.dir=$REGISTRY_BUILD.tmp" >"$B2K_CACHE_DIR/interop/mvn-apicurio.log" 2>&1 ||
      { tail -n 20 "$B2K_CACHE_DIR/interop/mvn-apicurio.log" >&2; exit 1; }
    echo "$sum" >"$REGISTRY_BUILD.tmp/.stamp"
    rm -rf "$REGISTRY_BUILD"
    mv "$REGISTRY_BUILD.tmp" "$REGISTRY_BUILD"
  ) 9>"$REGISTRY_BUILD.lock" || fail "cannot build Apicurio Registry"
}

start_registry() {
  java -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    "-Dquarkus.http.port=$REGISTRY_PORT" -Dquarkus.http.host=127.0.0.1 \
    -jar "$REGISTRY_BUILD/apicurio-registry-build-1-runner.jar" \
    </dev/null >"$STATE/registry.log" 2>&1 &
  REGISTRY_PID=$!
  log "Apicurio Registry starting on 127.0.0.1:$REGISTRY_PORT (pid $REGISTRY_PID, log $STATE/registry.log)"
}

registry_ready() {
  kill -0 "$REGISTRY_PID" 2>/dev/null || { echo "the registry exited"; return 1; }
  curl -sf -m 2 "$REGISTRY/subjects" >/dev/null
}

avro_args=(--binlog2kafka.format=avro "--binlog2kafka.schema-registry-url=$REGISTRY")

# b2k_run NAME [options...]: from the workload's start to the binlog end,
# then a graceful stop.
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

build_registry
mvn_fetch "$HERE/avro-pom.xml" "$AVRO_JARS" "$B2K_CACHE_DIR/interop/mvn-avro.log" ||
  fail "cannot fetch Apache Avro"
start_servers
start_registry
mkdir -p "$OUT" "$STATE/classes"
javac -nowarn -d "$STATE/classes" -cp "$AVRO_JARS/*" "$HERE/AvroCheck.java" ||
  fail "AvroCheck.java does not compile"
sql --default-character-set=utf8mb4 <"$HERE/schema.sql"
read -r start_file start_pos < <(master_status)
sql --default-character-set=utf8mb4 <"$HERE/workload.sql"
# A schema change, for the schema-change topic.
sql -e 'CREATE TABLE interop.avro_ddl (id INT PRIMARY KEY)'
log "workload from $start_file:$start_pos to $(master_status)"

b2k_run b2kJ
wait_for 120 "Apicurio Registry listening" registry_ready
log "registry up after $(grep -o 'started in [0-9.]*s' "$STATE/registry.log" || echo '?')"
b2k_run b2kV "${avro_args[@]}"

log "Apache Avro reads the Avro records (schemas from the registry by id)"
java -cp "$STATE/classes:$AVRO_JARS/*" AvroCheck "$BROKERS" "$REGISTRY" b2kJ b2kV \
  "jdbc:mariadb://127.0.0.1:$MARIADB_PORT/interop" b2k "$PASSWORD_FILE" \
  interop.types interop.zeros interop.keyed interop.daytimes interop.nokey transaction - \
  >"$OUT/avrocheck.txt" 2>&1 || true
cat "$OUT/avrocheck.txt"
grep -q 'avro: RESULT OK' "$OUT/avrocheck.txt" || fail "Apache Avro does not read what JSON says"

log "snapshots in Avro: interop.nokey (no key: one consistent read) and interop.types, beside JSON twins"
sql -e "USE interop; INSERT INTO nokey SELECT seq, CONCAT('r', seq) FROM seq_1_to_250"
# b2k_snapshot NAME [options...]: snapshot = initial-only of the two tables,
# one lane, 100-row pieces (the keyless read goes out in several).
b2k_snapshot() {
  SOURCE_NAME=$1
  shift
  B2K_ITEST_SNAPSHOT=initial-only daemon_start \
    '--binlog2kafka.include-tables=["interop.nokey","interop.types"]' \
    --binlog2kafka.snapshot-parallelism=1 --binlog2kafka.snapshot-chunk-rows=100 "$@"
  wait_for 120 "the snapshot $SOURCE_NAME exits" bash -c "! kill -0 $DAEMON_PID 2>/dev/null"
  DAEMON_RC=0
  wait "$DAEMON_PID" || DAEMON_RC=$?
  DAEMON_PID=
  [[ $DAEMON_RC == 0 ]] || fail "snapshot $SOURCE_NAME exited with $DAEMON_RC"
}
b2k_snapshot b2kSJ
b2k_snapshot b2kSV "${avro_args[@]}"
grep -q 'snapshot: reading interop.nokey (about .* rows) in one consistent read' "$DAEMON_LOG" ||
  fail "interop.nokey was not read in one consistent read"
nokey_rows=$(sql -e 'SELECT COUNT(*) FROM interop.nokey')
markers=$(for t in nokey types; do
  kcat -b "$BROKERS" -C -t "b2kSJ.interop.$t" -e -q -f '%s\n' | grep -o '"snapshot":"[a-z]*"'
done | sort | uniq -c | tr -s ' ' | tr '\n' ';')
log "JSON twin's source.snapshot marks: $markers"
[[ $markers == *' 1 "snapshot":"first";'* && $markers == *' 1 "snapshot":"last";'* ]] ||
  fail "the JSON snapshot does not have one first and one last mark: $markers"
# Read times and positions differ between the twins: left out.
java -Davrocheck.snapshot=true -cp "$STATE/classes:$AVRO_JARS/*" AvroCheck "$BROKERS" "$REGISTRY" \
  b2kSJ b2kSV "jdbc:mariadb://127.0.0.1:$MARIADB_PORT/interop" b2k "$PASSWORD_FILE" \
  interop.nokey interop.types >"$OUT/avrocheck-snapshot.txt" 2>&1 || true
cat "$OUT/avrocheck-snapshot.txt"
grep -q 'avro: RESULT OK' "$OUT/avrocheck-snapshot.txt" ||
  fail "Apache Avro does not read the snapshot as JSON says"
grep -q "avro: b2kSV.interop.nokey: $nokey_rows records read with Avro" "$OUT/avrocheck-snapshot.txt" ||
  fail "b2kSV.interop.nokey does not hold one record per row ($nokey_rows)"

subject=b2kV.interop.keyed-value
curl -sf -m 10 -X PUT -H 'Content-Type: application/json' \
  -d '{"compatibility":"BACKWARD"}' "$REGISTRY/config/$subject" >/dev/null ||
  fail "cannot set $subject's compatibility"
log "a compatible schema change (a NULL column) registers a new version"
sql -e "ALTER TABLE interop.keyed ADD COLUMN note VARCHAR(10) NULL;
  INSERT INTO interop.keyed VALUES ('y', '2024-04-04', 4, 'new', 'noted')"
SOURCE_NAME=b2kV
daemon_start "${avro_args[@]}" '--binlog2kafka.include-databases=["interop"]'
wait_caught_up 120
daemon_stop
[[ $DAEMON_RC == 0 ]] || fail "binlog2kafka b2kV exited with $DAEMON_RC"
versions=$(curl -sf -m 10 "$REGISTRY/subjects/$subject/versions")
log "$subject versions: $versions"
[[ $versions == "[1,2]" ]] || fail "$subject has versions $versions, expected [1,2]"

log "an incompatible schema change (compatibility BACKWARD) stops with one line"
sql -e "ALTER TABLE interop.keyed ADD COLUMN extra INT NOT NULL;
  INSERT INTO interop.keyed VALUES ('z', '2024-05-05', 5, 'new', 'x', 1)"
daemon_start "${avro_args[@]}" '--binlog2kafka.include-databases=["interop"]'
daemon_exited() { ! daemon_running; }
wait_for 60 "binlog2kafka stopping at the refused schema" daemon_exited
DAEMON_RC=0
wait "$DAEMON_PID" || DAEMON_RC=$?
DAEMON_PID=
((DAEMON_RC != 0)) || fail "binlog2kafka exited with 0 after the registry refused a schema"
refused=$(grep -c "subject '$subject': refused (HTTP 409): Incompatible" "$DAEMON_LOG" || true)
grep "subject '$subject': refused" "$DAEMON_LOG" | tail -n 1
[[ $refused -ge 1 ]] || fail "no line naming $subject and the registry's refusal"

log "the registry down: one line naming it and the subject, then retries"
stop_registry
SOURCE_NAME=b2kD
daemon_start "--binlog2kafka.from=$start_file:$start_pos" \
  '--binlog2kafka.include-databases=["interop"]' "${avro_args[@]}"
down_line() {
  grep -E "schema registry $REGISTRY: subject '[^']+': cannot register the schema: " \
    "$DAEMON_LOG" | has_line 'reconnecting in'
}
wait_for 60 "a line saying the registry cannot be reached" down_line
grep -E "schema registry $REGISTRY: subject" "$DAEMON_LOG" | tail -n 1
daemon_running || fail "binlog2kafka stopped instead of retrying the registry"
daemon_stop
