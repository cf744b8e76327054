#!/usr/bin/env bash
# A snapshot of a table whose rows are large (issue 12, item 7): memory must
# stay bounded by max-inflight-bytes however many rows snapshot-chunk-rows
# says a chunk may hold.
#
#   bench/wide_rows.sh [--rows=400] [--row-bytes=600000] [--use-running]
#
# Starts the bench MariaDB and Kafka (unless --use-running), fills
# bench.wide with N rows of a LONGBLOB of B bytes, then runs `binlog2kafka
# run` with default settings and snapshot = initial-only, measured from the
# outside by bench/tools/monitor.py (the kernel's peak RSS, the records in
# Kafka), and prints rows/s, MB/s of row data and the peak RSS.
set -euo pipefail
T0=$SECONDS
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROWS=400 ROW_BYTES=600000 USE_RUNNING=0
for arg in "$@"; do
  case $arg in
    --rows=*) ROWS=${arg#*=} ;;
    --row-bytes=*) ROW_BYTES=${arg#*=} ;;
    --use-running) USE_RUNNING=1 ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
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

log "filling bench.wide with $ROWS rows of $ROW_BYTES bytes"
sql bench -e "DROP TABLE IF EXISTS wide;
  CREATE TABLE wide (id INT NOT NULL PRIMARY KEY, b LONGBLOB NOT NULL)"
sql bench -e "INSERT INTO wide SELECT seq, REPEAT(CHAR(65 + seq MOD 26), $ROW_BYTES)
  FROM seq_1_to_$ROWS"

NAME=b2k-wide-$$
TOPIC=$NAME.bench.wide
LOGF=$WORK/binlog2kafka-wide.log
"$PY" "$BENCH_DIR/tools/monitor.py" --tool binlog2kafka --workload "wide-$ROWS-$ROW_BYTES" \
  --brokers "$BROKERS" --topics "$TOPIC" --expect "$ROWS" --rows "$ROWS" --timeout 1800 \
  --out "$RESULTS" --log "$LOGF" --field load_at_start="$(load1)" \
  --field row_bytes="$ROW_BYTES" \
  --pid-of kafka="$(kafka_pid)" --pid-of mariadb="$(mariadb_pid)" -- \
  "$B2K_BIN" run "--binlog2kafka.name=$NAME" \
  "--binlog2kafka.source=mysql://b2k@127.0.0.1:$MARIADB_PORT" \
  "--binlog2kafka.source-password-file=$STATE/mariadb/b2k.password" \
  "--binlog2kafka.brokers=$BROKERS" --binlog2kafka.snapshot=initial-only \
  --binlog2kafka.include-tables=bench.wide 2>"$WORK/wide-monitor.json" ||
  log "binlog2kafka did not deliver all $ROWS records (see $LOGF)"
tail -n 1 "$RESULTS" | "$PY" -c '
import json, sys
r = json.loads(sys.stdin.read())
mb = int(sys.argv[1]) * int(sys.argv[2]) / 1e6
print("wide rows: %s of %s records; %.0f rows/s (%.1f MB/s of row data); peak RSS %s MB; "
      "CPU %s s; %s"
      % (format(r["count"], ","), format(r["expect"], ","), r.get("rows_per_s", 0),
         r.get("rows_per_s", 0) * mb / max(r["expect"], 1), r["peak_rss_mb"],
         r["cpu_total_s"], "complete" if r["complete"] else "INCOMPLETE"))' "$ROWS" "$ROW_BYTES"
grep -o 'snapshot: bench.wide done: .*' "$LOGF" | tail -n 1 >&2 || true
sql bench -e "DROP TABLE wide"
