# shellcheck shell=bash
# The tools under test: how each is installed (into $CACHE, by its own
# package manager) and the command line a user would run, pointed at the
# bench's loopback MariaDB and Kafka. Sourced by bench/run.sh after lib.sh.
#
# tool_cmd TOOL FROM sets the array CMD: run TOOL reading the binlog from
# FROM (FILE:POS). Debezium keeps its own offsets and resumes from them
# (it was primed before the first workload, see prime_debezium).
#
# Settings that differ from each tool's defaults are listed in
# tool_settings, which the results file prints.

TOOLS_ALL=(binlog2kafka canal debezium maxwell)
declare -A TOOL_TOPIC_PREFIX=([binlog2kafka]=b2k [canal]=canal [debezium]=dbz [maxwell]=mx)
# Records per deleted row: the row's delete record plus, where the tool
# writes one by default, a tombstone.
declare -A TOOL_PER_DELETE=([binlog2kafka]=2 [canal]=1 [debezium]=2 [maxwell]=1)
declare -A TOOL_UNAVAILABLE=()
declare -A TOOL_VERSION=()

# 3.5.0.Final: see tests/interop/test_interop.sh for why not 3.6.1.
DEBEZIUM_VERSION=3.5.0.Final
CONNECT_VERSION=4.1.1
MAXWELL_VERSION=1.22.6
GO_MYSQL_VERSION=v1.12.0
FRANZ_GO_VERSION=v1.22.3

# A stamp file holding the sha256 of the files that define an install.
stamp_ok() { [[ -f $1 ]] && [[ $(cat "$1") == "$2" ]]; }
sum_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

# mvn_fetch POM OUTDIR LOG [MVN_ARGS...]
source "$BENCH_DIR/peers/maven.sh"

setup_tool() {
  local t=$1
  case $t in
    binlog2kafka)
      TOOL_VERSION[$t]="$("$B2K_BIN" --version 2>/dev/null | head -n 1 || true) (commit ${B2K_BIN_COMMIT:-$(git -C "$REPO" rev-parse --short HEAD)})"
      ;;
    canal)
      need_cmd go golang-go
      local sum
      sum=$(sum_of "$BENCH_DIR/peers/canal/main.go" "$BENCH_DIR/peers/canal/go.mod" "$BENCH_DIR/peers/canal/go.sum")
      if ! stamp_ok "$CACHE/canal/.sha256" "$sum" || [[ ! -x $CACHE/canal/canal-kafka ]]; then
        log "building the go-mysql canal driver (Go module proxy) into $CACHE/canal"
        mkdir -p "$CACHE/canal"
        (cd "$BENCH_DIR/peers/canal" &&
          GOPATH=$CACHE/go GOMODCACHE=$CACHE/go/mod GOCACHE=$CACHE/go/build GOFLAGS=-mod=mod \
            go build -o "$CACHE/canal/canal-kafka" . >"$CACHE/canal/build.log" 2>&1) ||
          { tail -n 15 "$CACHE/canal/build.log" >&2; return 1; }
        echo "$sum" >"$CACHE/canal/.sha256"
      fi
      TOOL_VERSION[$t]="go-mysql $GO_MYSQL_VERSION canal + franz-go $FRANZ_GO_VERSION ($(go env GOVERSION))"
      ;;
    debezium)
      log "Debezium $DEBEZIUM_VERSION MariaDB connector + Kafka Connect $CONNECT_VERSION (Maven Central) into $CACHE/debezium"
      mkdir -p "$CACHE/debezium/plugins"
      mvn_fetch "$BENCH_DIR/peers/debezium/connect-pom.xml" "$CACHE/debezium/connect" "$CACHE/debezium/mvn-connect.log" || return 1
      mvn_fetch "$BENCH_DIR/peers/debezium/plugin-pom.xml" "$CACHE/debezium/plugins/debezium-connector-mariadb" "$CACHE/debezium/mvn-plugin.log" || return 1
      TOOL_VERSION[$t]="Debezium $DEBEZIUM_VERSION (debezium-connector-mariadb) on Kafka Connect $CONNECT_VERSION standalone, $(java_version)"
      ;;
    maxwell)
      log "Maxwell $MAXWELL_VERSION (Maven Central) into $CACHE/maxwell"
      mkdir -p "$CACHE/maxwell"
      mvn_fetch "$BENCH_DIR/peers/maxwell/pom.xml" "$CACHE/maxwell/lib" "$CACHE/maxwell/mvn.log" || return 1
      # Maxwell 1.22.6 checks every value with `instanceof
      # jdk.nashorn.api.scripting.ScriptObjectMirror` (for its JavaScript
      # filters); Java 15+ has no Nashorn and no older Java is packaged
      # here, so an empty class of that name stands in (no filter is used).
      if [[ ! -f $CACHE/maxwell/shim/jdk/nashorn/api/scripting/ScriptObjectMirror.class ]]; then
        need_cmd javac openjdk-17-jdk-headless
        mkdir -p "$CACHE/maxwell/shim-src/jdk/nashorn/api/scripting"
        printf 'package jdk.nashorn.api.scripting;\npublic class ScriptObjectMirror {}\n' \
          >"$CACHE/maxwell/shim-src/jdk/nashorn/api/scripting/ScriptObjectMirror.java"
        javac -d "$CACHE/maxwell/shim" \
          "$CACHE/maxwell/shim-src/jdk/nashorn/api/scripting/ScriptObjectMirror.java" || return 1
      fi
      TOOL_VERSION[$t]="Maxwell $MAXWELL_VERSION (newest on Maven Central), $(java_version)"
      ;;
  esac
}

java_version() { java -version 2>&1 | head -n 1 | sed 's/.*version "\([^"]*\)".*/Java \1/'; }

# The settings each tool runs with that are not its defaults (besides
# where to connect, the user, the password and the topic names).
tool_settings() {
  case $1 in
    binlog2kafka) echo "none (defaults: acks=all, idempotence, lz4, linger.ms=1; start position given with from=FILE:POS)" ;;
    canal) echo "canal: Dump.ExecutionPath=\"\" (no mysqldump), IncludeTableRegex bench\\..*, RunFrom(FILE:POS); franz-go: acks=all and idempotence (its defaults), lz4, linger 5 ms, sticky key partitioner; JSON envelope via encoding/json" ;;
    debezium) echo "worker: JsonConverter with schemas.enable=false (key and value), producer.acks=all, producer.enable.idempotence=true, JVM options of connect-standalone.sh (-Xms256M -Xmx2G, G1); connector: snapshot.mode=no_data (then binlog only), database.include.list=bench, Kafka schema history" ;;
    maxwell) echo "on Java 17 with an empty stand-in class for jdk.nashorn.api.scripting.ScriptObjectMirror (Java 15+ has no Nashorn; see peers.sh) and MariaDB's old_mode without UTF8_IS_UTF8MB3 (see lib.sh); log_level=error (at its default, info, it logs every MariaDB annotate event that the server replaces by a padded dummy event for it: 19 MB of log per 100,000 rows); producer=kafka, kafka_topic=mx.%{database}.%{table}, kafka.acks=all, kafka.enable.idempotence=true, kafka.retries=2147483647, kafka.max.in.flight.requests.per.connection=5, started once before the workloads and resumed from its stored position (see prime_tool)" ;;
  esac
}

write_debezium_config() {
  local d=$WORK/debezium
  mkdir -p "$d"
  cat >"$d/worker.properties" <<EOF
bootstrap.servers=$BROKERS
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=false
value.converter.schemas.enable=false
offset.storage.file.filename=$d/offsets.dat
plugin.path=$CACHE/debezium/plugins
listeners=http://127.0.0.1:$CONNECT_PORT
producer.acks=all
producer.enable.idempotence=true
EOF
  cat >"$d/connector.properties" <<EOF
name=dbz-bench
connector.class=io.debezium.connector.mariadb.MariaDbConnector
tasks.max=1
database.hostname=127.0.0.1
database.port=$MARIADB_PORT
database.user=dbz
database.password=$PW
database.server.id=5401
topic.prefix=dbz
database.include.list=bench
schema.history.internal.kafka.bootstrap.servers=$BROKERS
schema.history.internal.kafka.topic=dbz.schemahistory
snapshot.mode=no_data
EOF
  cat >"$d/log4j.properties" <<EOF
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.org.apache.kafka.clients=WARN
log4j.logger.org.apache.kafka.common=WARN
EOF
}

write_maxwell_config() {
  local d=$WORK/maxwell
  mkdir -p "$d"
  cat >"$d/config.properties" <<EOF
log_level=error
producer=kafka
host=127.0.0.1
port=$MARIADB_PORT
user=maxwell
password=$PW
replica_server_id=5402
kafka.bootstrap.servers=$BROKERS
kafka_topic=mx.%{database}.%{table}
kafka.acks=all
kafka.enable.idempotence=true
kafka.retries=2147483647
kafka.max.in.flight.requests.per.connection=5
EOF
}


# CMD for TOOL reading from FROM (FILE:POS).
tool_cmd() {
  local t=$1 from=$2
  case $t in
    binlog2kafka)
      CMD=("$B2K_BIN" run --binlog2kafka.name=b2k
        "--binlog2kafka.source=mysql://b2k@127.0.0.1:$MARIADB_PORT"
        "--binlog2kafka.source-password-file=$STATE/mariadb/b2k.password"
        "--binlog2kafka.brokers=$BROKERS" "--binlog2kafka.from=$from")
      ;;
    canal)
      CMD=("$CACHE/canal/canal-kafka" -addr "127.0.0.1:$MARIADB_PORT" -user canal
        -password-file "$STATE/passwords/canal" -brokers "$BROKERS" -prefix canal
        -from "$from" -include 'bench\..*')
      ;;
    debezium)
      # As bin/connect-standalone.sh runs it (its heap and GC options).
      CMD=(java -Xms256M -Xmx2G -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20
        -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent
        -XX:MaxInlineLevel=15 -Djava.awt.headless=true
        "-Dlog4j.configuration=file:$WORK/debezium/log4j.properties"
        -cp "$CACHE/debezium/connect/*" org.apache.kafka.connect.cli.ConnectStandalone
        "$WORK/debezium/worker.properties" "$WORK/debezium/connector.properties")
      ;;
    maxwell)
      # As bin/maxwell runs it (log4j2's static shutdown registry).
      CMD=(java -Dlog4j.shutdownCallbackRegistry=com.djdch.log4j.StaticShutdownCallbackRegistry
        -cp "$CACHE/maxwell/lib/*:$CACHE/maxwell/shim" com.zendesk.maxwell.Maxwell
        "--config=$WORK/maxwell/config.properties")
      ;;
  esac
}

# Debezium and Maxwell keep their position themselves (Debezium in its
# offsets file, Maxwell in the maxwell database) and track the schema through
# the DDL they read (Maxwell refuses to replay a CREATE TABLE of a table it
# already captured, so it cannot be started at an old position of a table
# that exists now). So they are started once before the first workload
# (Debezium: snapshot.mode=no_data, the schema and the binlog end, no rows;
# Maxwell: its initial schema capture) and stopped, and every later start
# resumes from where the previous one stopped, as a restarted connector does.
# The other tools are given the same position explicitly.
TOOLS_RESUMING=(debezium maxwell)
prime_tool() {
  local t=$1 until
  case $t in
    debezium)
      write_debezium_config
      rm -f "$WORK/debezium/offsets.dat"
      until='Connected to binlog at|Keepalive thread is running|[Ss]treaming.*started' ;;
    maxwell)
      write_maxwell_config
      sql -e "DROP DATABASE IF EXISTS maxwell"
      until='Binlog connected' ;;
  esac
  tool_cmd "$t" ""
  # A new log: the monitor appends, and would find the last run's line.
  rm -f "$WORK/$t-prime.log"
  # Maxwell says it is connected at log level info only.
  [[ $t == maxwell ]] && CMD+=(--log_level=info)
  "$PY" "$BENCH_DIR/tools/monitor.py" --tool "$t" --workload prime --brokers "$BROKERS" \
    --out "$WORK/prime.jsonl" --log "$WORK/$t-prime.log" --timeout 240 \
    --until-log "$until" -- "${CMD[@]}" || return 1
  if [[ $t == debezium && ! -s $WORK/debezium/offsets.dat ]]; then
    log "debezium: no offsets written by the priming run"
    return 1
  fi
}
