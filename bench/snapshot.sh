#!/usr/bin/env bash
# W5: a snapshot of an existing sysbench-shaped table into Kafka (issue 12):
# rows/s, CPU and peak RSS of `binlog2kafka run --snapshot=initial-only`.
#
#   bench/snapshot.sh [--rows=10000000] [--parallelism=2] [--chunk-rows=8192]
#                     [--use-running]
#
# Starts the bench MariaDB and Kafka (unless --use-running), fills bench.snap
# with N rows from MariaDB's sequence engine, then runs binlog2kafka with an
# empty commit log and snapshot = initial-only, sampling its RSS (and the
# kernel's VmHWM) until the N op "r" records are in Kafka.
set -euo pipefail
T0=$SECONDS
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROWS=10000000 USE_RUNNING=0 LANES=2 CHUNK=8192
for arg in "$@"; do
  case $arg in
    --rows=*) ROWS=${arg#*=} ;;
    --parallelism=*) LANES=${arg#*=} ;;
    --chunk-rows=*) CHUNK=${arg#*=} ;;
    --use-running) USE_RUNNING=1 ;;
    -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
    *) die "unknown argument $arg" ;;
  esac
done
mkdir -p "$WORK"
ensure_binary
ensure_venv
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

NAME=b2k-snap-$$
TOPIC=$NAME.bench.snap
LOGF=$WORK/binlog2kafka-snapshot.log
"$PY" "$BENCH_DIR/tools/monitor.py" --tool binlog2kafka --workload "W5-snapshot-$ROWS" \
  --brokers "$BROKERS" --topics "$TOPIC" --expect "$ROWS" --rows "$ROWS" --timeout 3600 \
  --out "$RESULTS" --log "$LOGF" --field load_at_start="$(load1)" \
  --field parallelism="$LANES" --field chunk_rows="$CHUNK" \
  --pid-of kafka="$(kafka_pid)" --pid-of mariadb="$(mariadb_pid)" -- \
  "$B2K_BIN" run "--binlog2kafka.name=$NAME" \
  "--binlog2kafka.source=mysql://b2k@127.0.0.1:$MARIADB_PORT" \
  "--binlog2kafka.source-password-file=$STATE/mariadb/b2k.password" \
  "--binlog2kafka.brokers=$BROKERS" --binlog2kafka.snapshot=initial-only \
  "--binlog2kafka.snapshot-parallelism=$LANES" "--binlog2kafka.snapshot-chunk-rows=$CHUNK" \
  '--binlog2kafka.include-tables=["bench.snap"]' 2>"$WORK/snapshot-monitor.json" ||
  log "binlog2kafka did not deliver all $ROWS records (see $LOGF)"
tail -n 1 "$WORK/snapshot-monitor.json" | "$PY" -c '
import json, sys
r = json.loads(sys.stdin.read())
print("W5: %s of %s rows in Kafka; %s s from start to the last record, %.0f rows/s; "
      "peak RSS %s MB; CPU %s s; load %s"
      % (format(r["count"], ","), format(r["expect"], ","), r["launch_to_done_s"],
         r.get("rows_per_s", 0), r["peak_rss_mb"], r["cpu_total_s"], r["load1"]))'
sql bench -e "DROP TABLE snap"
