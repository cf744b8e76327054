#!/usr/bin/env bash
# W5: a snapshot of an existing sysbench-shaped table into Kafka (issue 12),
# beside Debezium's initial snapshot and Maxwell's bootstrap of the same
# table: rows/s, CPU and peak RSS of each tool, and the latency of changes
# written while the snapshot runs (commit -> broker append, p50/p95/p99).
#
#   bench/snapshot.sh [--rows=10000000] [--parallelism=2] [--chunk-rows=8192]
#                     [--tools=binlog2kafka,debezium,maxwell]
#                     [--probe-rate=200] [--probe-events=2000] [--use-running]
#
# Starts the bench MariaDB and Kafka (unless --use-running), fills bench.snap
# with N rows from MariaDB's sequence engine, then, for each tool, starts it
# on an empty position with bench.snap and bench.probe included: binlog2kafka
# with snapshot = initial, Debezium with snapshot.mode=initial (its
# default), Maxwell streaming with a bootstrap of bench.snap requested in
# maxwell.bootstrap. Once the first snapshot record is in Kafka, sysbench
# writes --probe-events single-row transactions into bench.probe at
# --probe-rate per second (bench/workloads/probe.lua); the tool is done when
# all N snapshot records and every probe row are in Kafka.
set -euo pipefail
T0=$SECONDS
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$BENCH_DIR/peers.sh"

ROWS=10000000 USE_RUNNING=0 LANES=2 CHUNK=8192
SNAP_TOOLS=binlog2kafka,debezium,maxwell PROBE_RATE=200 PROBE_EVENTS=2000
for arg in "$@"; do
  case $arg in
    --rows=*) ROWS=${arg#*=} ;;
    --parallelism=*) LANES=${arg#*=} ;;
    --chunk-rows=*) CHUNK=${arg#*=} ;;
    --tools=*) SNAP_TOOLS=${arg#*=} ;;
    --probe-rate=*) PROBE_RATE=${arg#*=} ;;
    --probe-events=*) PROBE_EVENTS=${arg#*=} ;;
    --use-running) USE_RUNNING=1 ;;
    -h | --help) sed -n '2,19p' "$0"; exit 0 ;;
    *) die "unknown argument $arg" ;;
  esac
done
IFS=, read -r -a TOOLS <<<"$SNAP_TOOLS"
mkdir -p "$WORK"
ensure_binary
ensure_venv
for t in "${TOOLS[@]}"; do
  [[ $t == binlog2kafka || $t == debezium || $t == maxwell ]] ||
    die "--tools: $t has no snapshot here (binlog2kafka, debezium, maxwell)"
  setup_tool "$t" || die "$t could not be installed"
done
if ((!USE_RUNNING)); then
  start_servers
  trap 'stop_servers' EXIT
fi

log "filling bench.snap with $ROWS rows"
sql bench -e "DROP TABLE IF EXISTS snap;
  CREATE TABLE snap (id INT NOT NULL PRIMARY KEY, k INT NOT NULL,
    c CHAR(120) NOT NULL, pad CHAR(60) NOT NULL)"
t=$SECONDS
sql bench -e "INSERT INTO snap (id, k, c, pad)
  SELECT seq, (seq * 2654435761) % 1000000,
    LEFT(REPEAT(CONCAT(LPAD(seq, 11, '0'), '-'), 10), 119),
    LEFT(REPEAT(CONCAT(LPAD(seq * 7, 11, '0'), '-'), 5), 59)
  FROM seq_1_to_$ROWS"
log "filled in $((SECONDS - t)) s"

sql bench -e "DROP TABLE IF EXISTS probe;
  CREATE TABLE probe (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    ts_us BIGINT NOT NULL, k INT NOT NULL, c CHAR(120) NOT NULL, pad CHAR(60) NOT NULL)"

high_offset() {
  "$PY" -c 'import sys
from confluent_kafka import Consumer, TopicPartition
c = Consumer({"bootstrap.servers": sys.argv[1], "group.id": "bench-offsets"})
print(max(c.get_watermark_offsets(TopicPartition(sys.argv[2], 0), timeout=10)[1], 0))' "$BROKERS" "$1"
}

# CMD and the snapshot's record count for TOOL, started with an empty
# position; TOPIC_PREFIX names its topics.
snapshot_cmd() {
  local t=$1
  case $t in
    binlog2kafka)
      TOPIC_PREFIX=b2k-snap-$$ EXTRA_RECORDS=0
      CMD=("$B2K_BIN" run "--binlog2kafka.name=$TOPIC_PREFIX"
        "--binlog2kafka.source=mysql://b2k@127.0.0.1:$MARIADB_PORT"
        "--binlog2kafka.source-password-file=$STATE/mariadb/b2k.password"
        "--binlog2kafka.brokers=$BROKERS" --binlog2kafka.snapshot=initial
        "--binlog2kafka.snapshot-parallelism=$LANES" "--binlog2kafka.snapshot-chunk-rows=$CHUNK"
        '--binlog2kafka.include-tables=["bench.snap","bench.probe"]')
      ;;
    debezium)
      TOPIC_PREFIX=dbzsnap$$ EXTRA_RECORDS=0
      write_debezium_config
      rm -f "$WORK/debezium/offsets.dat"
      sed -i -e "s/^topic.prefix=.*/topic.prefix=$TOPIC_PREFIX/" \
        -e "s/^schema.history.internal.kafka.topic=.*/schema.history.internal.kafka.topic=$TOPIC_PREFIX.schemahistory/" \
        -e "s/^snapshot.mode=.*/snapshot.mode=initial/" "$WORK/debezium/connector.properties"
      echo "table.include.list=bench.snap,bench.probe" >>"$WORK/debezium/connector.properties"
      tool_cmd debezium ""
      ;;
    maxwell)
      # Maxwell names topics by its kafka_topic pattern; bootstrap-start and
      # bootstrap-complete records come with the rows.
      TOPIC_PREFIX=mx EXTRA_RECORDS=2
      write_maxwell_config
      sql -e "DROP DATABASE IF EXISTS maxwell"
      tool_cmd maxwell ""
      ;;
  esac
}

for t in "${TOOLS[@]}"; do
  snapshot_cmd "$t"
  snap_topic=$TOPIC_PREFIX.bench.snap probe_topic=$TOPIC_PREFIX.bench.probe
  srv "$REPO/deploy/kafka.sh" create-topic "$probe_topic" 1 \
    message.timestamp.type=LogAppendTime >/dev/null 2>&1 || true
  sql bench -e "TRUNCATE TABLE probe"
  base=$(high_offset "$probe_topic")
  expect=$((ROWS + EXTRA_RECORDS + PROBE_EVENTS))
  progress=$WORK/$t-W5.progress
  rm -f "$progress"
  wait_quiet 3 120
  log "W5: $t snapshots bench.snap ($ROWS rows) while $PROBE_EVENTS probe rows are written at $PROBE_RATE/s"
  "$PY" "$BENCH_DIR/tools/monitor.py" --tool "$t" --workload "W5-snapshot-$ROWS" \
    --brokers "$BROKERS" --topics "$snap_topic,$probe_topic" --expect "$expect" \
    --rows "$((ROWS + PROBE_EVENTS))" --timeout 7200 --progress "$progress" \
    --out "$RESULTS" --log "$WORK/$t-W5.log" --field load_at_start="$(load1)" \
    --field parallelism="$LANES" --field chunk_rows="$CHUNK" \
    --pid-of kafka="$(kafka_pid)" --pid-of mariadb="$(mariadb_pid)" -- "${CMD[@]}" \
    2>"$WORK/$t-W5-monitor.err" &
  mon=$!
  if [[ $t == maxwell ]]; then
    deadline=$((SECONDS + 240))
    until grep -q 'Binlog connected\|BinlogConnectorReplicator' "$WORK/$t-W5.log" 2>/dev/null ||
      ((SECONDS > deadline)) || ! kill -0 "$mon" 2>/dev/null; do sleep 0.5; done
    # The bootstrap table exists once Maxwell has set up its schema.
    until sql -e "INSERT INTO maxwell.bootstrap (database_name, table_name) VALUES ('bench', 'snap')" 2>/dev/null ||
      ((SECONDS > deadline)) || ! kill -0 "$mon" 2>/dev/null; do sleep 0.5; done
  fi
  # The probe writes once the snapshot has begun.
  deadline=$((SECONDS + 600))
  until [[ -s $progress && $(cat "$progress") -ge 1 ]] || ((SECONDS > deadline)) ||
    ! kill -0 "$mon" 2>/dev/null; do sleep 0.1; done
  # shellcheck disable=SC2046
  sysbench "$BENCH_DIR/workloads/probe.lua" $(sysbench_args) --threads=1 \
    --rate="$PROBE_RATE" --events="$PROBE_EVENTS" --time=0 run >"$WORK/$t-W5-probe.log" 2>&1 ||
    log "W5: the probe writer failed (see $WORK/$t-W5-probe.log)"
  probe_done_at=$(cat "$progress" 2>/dev/null || echo 0)
  wait "$mon" || log "W5: $t did not deliver all $expect records (see $WORK/$t-W5.log)"
  tail -n 1 "$RESULTS" | "$PY" -c '
import json, sys
r = json.loads(sys.stdin.read())
print("W5 %s: %s of %s records in Kafka; %s s from start to the last, %.0f rows/s; "
      "peak RSS %s MB; CPU %s s; load %s"
      % (r["tool"], format(r["count"], ","), format(r["expect"], ","), r["launch_to_done_s"],
         r.get("rows_per_s", 0), r["peak_rss_mb"], r["cpu_total_s"], r["load1"]))'
  log "W5: $t had $probe_done_at of $expect records in Kafka when the probe ended" \
    "(the probe ran inside the snapshot if that is below $ROWS)"
  "$PY" "$BENCH_DIR/tools/latency.py" --brokers "$BROKERS" --topic "$probe_topic" \
    --offset "$base" --count "$PROBE_EVENTS" --tool "$t" --out "$RESULTS" \
    --field workload=W5-probe --field rate="$PROBE_RATE" \
    --field inside_snapshot="$((probe_done_at < ROWS))" ||
    log "W5: latency of $t not measured"
done
sql bench -e "DROP TABLE snap; DROP TABLE probe"
