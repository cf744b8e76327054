#!/usr/bin/env bash
# One 10-million-row transaction through the pipeline (issue 5): memory must
# stay bounded (target: peak RSS < 200 MB) whatever the transaction's size.
#
#   bench/big_transaction.sh [--rows=10000000] [--use-running]
#
# Starts the bench MariaDB and Kafka (unless --use-running), writes one
# INSERT ... SELECT of N sysbench-shaped rows from MariaDB's sequence engine
# (seq_1_to_N) in a single transaction, then runs `binlog2kafka run` with
# default settings from the binlog position before it, samples its RSS every
# 100 ms (and reads the kernel's VmHWM at the end) until the N records are
# in Kafka (topic end offsets), and prints the peak RSS and the time.
set -euo pipefail
T0=$SECONDS
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROWS=10000000 USE_RUNNING=0
for arg in "$@"; do
  case $arg in
    --rows=*) ROWS=${arg#*=} ;;
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

log "one transaction inserting $ROWS rows into bench.big"
sql bench -e "DROP TABLE IF EXISTS big;
  CREATE TABLE big (id INT NOT NULL PRIMARY KEY, k INT NOT NULL,
    c CHAR(120) NOT NULL, pad CHAR(60) NOT NULL)"
sql -e "FLUSH BINARY LOGS"
FROM=$(master_pos)
t=$SECONDS
sql bench -e "INSERT INTO big (id, k, c, pad)
  SELECT seq, (seq * 2654435761) % 1000000,
    LEFT(REPEAT(CONCAT(LPAD(seq, 11, '0'), '-'), 10), 119),
    LEFT(REPEAT(CONCAT(LPAD(seq * 7, 11, '0'), '-'), 5), 59)
  FROM seq_1_to_$ROWS"
log "inserted in $((SECONDS - t)) s; binlog $(du -m "$(binlog_path "${FROM%%:*}")" | cut -f1) MB"
sql -e "FLUSH BINARY LOGS"

# A data topic of its own (the table's), counted from its end offset now.
TOPIC=b2k.bench.big
LOGF=$WORK/binlog2kafka-big.log
"$PY" "$BENCH_DIR/tools/monitor.py" --tool binlog2kafka --workload "big-$ROWS" \
  --brokers "$BROKERS" --topics "$TOPIC" --expect "$ROWS" --rows "$ROWS" --timeout 3600 \
  --out "$RESULTS" --log "$LOGF" --field load_at_start="$(load1)" \
  --pid-of kafka="$(kafka_pid)" --pid-of mariadb="$(mariadb_pid)" -- \
  "$B2K_BIN" run --binlog2kafka.name=b2k \
  "--binlog2kafka.source=mysql://b2k@127.0.0.1:$MARIADB_PORT" \
  "--binlog2kafka.source-password-file=$STATE/mariadb/b2k.password" \
  "--binlog2kafka.brokers=$BROKERS" "--binlog2kafka.from=$FROM" 2>"$WORK/big-monitor.json" ||
  log "binlog2kafka did not deliver all $ROWS records (see $LOGF)"
tail -n 1 "$WORK/big-monitor.json" | "$PY" -c '
import json, sys
r = json.loads(sys.stdin.read())
print("%s of %s records in Kafka; peak RSS %s MB (target < 200 MB); %s s from start to the "
      "last record, %.0f rows/s; CPU %s s; load %s"
      % (format(r["count"], ","), format(r["expect"], ","), r["peak_rss_mb"],
         r["launch_to_done_s"], r.get("rows_per_s", 0), r["cpu_total_s"], r["load1"]))'
sql bench -e "DROP TABLE big"
