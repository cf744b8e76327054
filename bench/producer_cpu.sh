#!/usr/bin/env bash
# Where binlog2kafka's producer CPU goes: the same records produced by
# `binlog2kafka run` and by `kcat -P` (librdkafka alone), with the same
# librdkafka settings and with variations, each counted in Kafka and timed
# from the outside (bench/tools/monitor.py: tool CPU, broker CPU, rows/s).
#
#   bench/producer_cpu.sh [--rows=1000000] [--use-running] [--perf]
#                         [--repeat=1] [--pin=off|on|both] [--only=b2k,kcat-smallq,...]
#
# Writes N sysbench rows (oltp_insert prepare) into a binlog file of their
# own, turns `binlog2kafka dump` of it into key<TAB>value lines for kcat,
# then runs, one after the other, each into a topic of its own:
#   b2k            binlog2kafka run, defaults (kafka/client.cpp)
#   b2k-nolz4      binlog2kafka run, kafka = ["compression.type=none"]
#   b2k-linger50   binlog2kafka run, kafka = ["linger.ms=50"]
#   b2k-linger20   binlog2kafka run, kafka = ["linger.ms=20"]
#   kcat-b2kconf   kcat -P with binlog2kafka's librdkafka defaults
#   kcat-nolz4     the same without compression
#   kcat-smallq    kcat -P, binlog2kafka's settings, a 20,000-message queue
#   b2k-again      binlog2kafka run, defaults, once more (order effects)
#   kcat-defaults  kcat -P with librdkafka's defaults (+ acks=all, idempotence)
#   b2k-w1, kcat-w1  binlog2kafka run and kcat-b2kconf again, taking turns
#                  run by run (the yardstick of issue 14)
#   b2k-w4, kcat-w4  the same with W4-shaped records (one UPDATE of every
#                  row: before and after images)
# For each: rows/s, the process's CPU, its librdkafka broker threads' CPU
# and wake-ups (voluntary context switches), and the broker's CPU.
# With --perf, `perf record` samples the b2k run (all threads) and the report
# by thread and symbol goes to build-bench/work/perf-b2k.txt. --pin=on runs
# the tool on core 1 and the broker and MariaDB on core 0 (as bench/run.sh
# does), both: each way; --repeat runs each that often; --only some runs.
set -euo pipefail
T0=$SECONDS
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROWS=1000000 USE_RUNNING=0 PERF=0 REPEAT=1 PIN=off ONLY=
for arg in "$@"; do
  case $arg in
    --rows=*) ROWS=${arg#*=} ;;
    --repeat=*) REPEAT=${arg#*=} ;;
    --pin=*) PIN=${arg#*=} ;;
    --only=*) ONLY=",${arg#*=}," ;;
    --use-running) USE_RUNNING=1 ;;
    --perf) PERF=1 ;;
    -h | --help) sed -n '2,31p' "$0"; exit 0 ;;
    *) die "unknown argument $arg" ;;
  esac
done
case $PIN in
  both) PIN_MODES=(0 1) ;;
  on) PIN_MODES=(1) ;;
  off) PIN_MODES=(0) ;;
  *) die "--pin=$PIN: both, on or off" ;;
esac
mkdir -p "$WORK"
RESULTS=${CPU_RESULTS:-$WORK/producer-cpu.jsonl}
: >"$RESULTS"
ensure_binary
ensure_venv
if ((!USE_RUNNING)); then
  start_servers
  trap 'stop_servers' EXIT
fi

sql -e "DROP DATABASE IF EXISTS bench_cpu; CREATE DATABASE bench_cpu;
  GRANT ALL ON bench_cpu.* TO 'bench'@'127.0.0.1'; FLUSH BINARY LOGS"
FILE=$(master_file)
# shellcheck disable=SC2046
sysbench oltp_insert $(sysbench_args | sed 's/--mysql-db=bench/--mysql-db=bench_cpu/') \
  --tables=1 --table-size="$ROWS" prepare >"$WORK/cpu-prepare.log" 2>&1
sql -e "FLUSH BINARY LOGS"
KV=$WORK/cpu-records.kv
# `binlog2kafka dump` lines -> key<TAB>value lines of the table's records.
kv_lines() {
  "$PY" -c '
import json, sys
out = sys.stdout
for line in sys.stdin:
    r = json.loads(line)
    if r.get("value") is None or not r["topic"].endswith(".bench_cpu.sbtest1"):
        continue
    out.write(json.dumps(r["key"], separators=(",", ":")) + "\t"
              + json.dumps(r["value"], separators=(",", ":")) + "\n")'
}
"$B2K_BIN" dump --file="$(binlog_path "$FILE")" | kv_lines >"$KV"
log "$(wc -l <"$KV") records, $(du -m "$KV" | cut -f1) MB of key+value"

B2K_CONF=(-X enable.idempotence=true -X acks=all -X message.timeout.ms=0 -X linger.ms=1
  -X batch.num.messages=10000 -X batch.size=1000000 -X compression.type=lz4
  -X queue.buffering.max.messages=2000000 -X queue.buffering.max.kbytes=2097151)

# One run of CMD, counted in TOPIC as NAME's run I, pinned when P is 1.
measure_once() { # NAME TOPIC P I -- CMD...
  local name=$1 topic=$2 p=$3 i=$4 cmd
  shift 5
  cmd=("$@")
  ((p)) && cmd=(taskset -c 1 "${cmd[@]}")
  wait_quiet "${MAX_LOAD:-1.5}" "${LOAD_WAIT:-120}"
  pin_servers "$p"
  "$PY" "$BENCH_DIR/tools/monitor.py" --tool "$name" --workload cpu --brokers "$BROKERS" \
    --topics "$topic" --expect "$ROWS" --rows "$ROWS" --timeout 600 --out "$RESULTS" \
    --log "$WORK/cpu-$name-p$p-$i.log" --field load_at_start="$(load1)" \
    --field pinned="$p" --field run="$i" \
    --pid-of kafka="$(kafka_pid)" -- "${cmd[@]}" 2>/dev/null || log "$name did not complete"
  pin_servers 0
}

wanted() { [[ -z $ONLY || $ONLY == *",$1,"* ]]; }

measure() { # NAME TOPIC -- CMD...
  local name=$1 topic=$2 p i
  shift 3
  wanted "$name" || return 0
  for p in "${PIN_MODES[@]}"; do
    for ((i = 1; i <= REPEAT; i++)); do
      measure_once "$name" "$topic" "$p" "$i" -- "$@"
    done
  done
}

b2k_run() { # NAME [kafka property]
  local name=$1 extra=()
  [[ -n ${2:-} ]] && extra=("--binlog2kafka.kafka=[\"$2\"]")
  CMD=("$B2K_BIN" run "--binlog2kafka.name=$name"
    "--binlog2kafka.source=mysql://b2k@127.0.0.1:$MARIADB_PORT"
    "--binlog2kafka.source-password-file=$STATE/mariadb/b2k.password"
    "--binlog2kafka.brokers=$BROKERS" "--binlog2kafka.from=$FILE:4" "${extra[@]}")
}

b2k_run cpu-b2k
if ((PERF)) && [[ -z $ONLY || $ONLY == *",b2k,"* ]]; then
  need_cmd perf linux-perf
  ( pid=
    for _ in $(seq 600); do
      pid=$(pgrep -n -f -- "^$B2K_BIN run --binlog2kafka.name=cpu-b2k " || true)
      [[ -n $pid ]] && break
      sleep 0.1
    done
    sleep 1
    [[ -n $pid ]] && perf record -F 997 -g -o "$WORK/perf-b2k.data" -p "$pid" -- sleep 4 \
      >/dev/null 2>&1 ) &
fi
measure b2k cpu-b2k.bench_cpu.sbtest1 -- "${CMD[@]}"
wait
b2k_run cpu-b2k-nolz4 compression.type=none
measure b2k-nolz4 cpu-b2k-nolz4.bench_cpu.sbtest1 -- "${CMD[@]}"
b2k_run cpu-b2k-linger50 linger.ms=50
measure b2k-linger50 cpu-b2k-linger50.bench_cpu.sbtest1 -- "${CMD[@]}"
b2k_run cpu-b2k-linger20 linger.ms=20
measure b2k-linger20 cpu-b2k-linger20.bench_cpu.sbtest1 -- "${CMD[@]}"
measure kcat-b2kconf cpu-kcat-b2kconf -- kcat -P -b "$BROKERS" -t cpu-kcat-b2kconf -K $'\t' \
  "${B2K_CONF[@]}" -l "$KV"
measure kcat-nolz4 cpu-kcat-nolz4 -- kcat -P -b "$BROKERS" -t cpu-kcat-nolz4 -K $'\t' \
  "${B2K_CONF[@]}" -X compression.type=none -l "$KV"
# kcat reads the whole file into librdkafka's queue at once (it holds 2M
# messages): this one holds 20,000, so kcat keeps enqueueing while batches
# are in flight, as binlog2kafka does under credit.
measure kcat-smallq cpu-kcat-smallq -- kcat -P -b "$BROKERS" -t cpu-kcat-smallq -K $'\t' \
  "${B2K_CONF[@]}" -X queue.buffering.max.messages=20000 -l "$KV"
b2k_run cpu-b2k-again
measure b2k-again cpu-b2k-again.bench_cpu.sbtest1 -- "${CMD[@]}"
measure kcat-defaults cpu-kcat-defaults -- kcat -P -b "$BROKERS" -t cpu-kcat-defaults -K $'\t' \
  -X enable.idempotence=true -X acks=all -l "$KV"

# NAME_A and NAME_B (commands A_CMD and B_CMD) taking turns run by run, so
# that both meet the broker in the same state: it gets faster as a bench run
# goes on, and the runs above are minutes apart.
take_turns() { # NAME_A TOPIC_A NAME_B TOPIC_B
  local p i
  for p in "${PIN_MODES[@]}"; do
    for ((i = 1; i <= REPEAT; i++)); do
      wanted "$1" && measure_once "$1" "$2" "$p" "$i" -- "${A_CMD[@]}"
      wanted "$3" && measure_once "$3" "$4" "$p" "$i" -- "${B_CMD[@]}"
    done
  done
}

b2k_run cpu-b2k-w1
A_CMD=("${CMD[@]}")
B_CMD=(kcat -P -b "$BROKERS" -t cpu-kcat-w1 -K $'\t' "${B2K_CONF[@]}" -l "$KV")
take_turns b2k-w1 cpu-b2k-w1.bench_cpu.sbtest1 kcat-w1 cpu-kcat-w1

# W4-shaped records: one transaction updating every row (before and after
# images, about twice W1's bytes). Last, as its binlog file would otherwise
# be read by the W1-shaped runs above, which start at $FILE and read on.
if wanted b2k-w4 || wanted kcat-w4; then
  W4_FILE=$(master_file)
  sql bench_cpu -e "UPDATE sbtest1 SET k = k + 1"
  sql -e "FLUSH BINARY LOGS"
  KV4=$WORK/cpu-records-w4.kv
  "$B2K_BIN" dump --file="$(binlog_path "$W4_FILE")" | kv_lines >"$KV4"
  log "W4-shaped: $(wc -l <"$KV4") records, $(du -m "$KV4" | cut -f1) MB of key+value"
  FILE=$W4_FILE
  b2k_run cpu-b2k-w4
  A_CMD=("${CMD[@]}")
  B_CMD=(kcat -P -b "$BROKERS" -t cpu-kcat-w4 -K $'\t' "${B2K_CONF[@]}" -l "$KV4")
  take_turns b2k-w4 cpu-b2k-w4.bench_cpu.sbtest1 kcat-w4 cpu-kcat-w4
  rm -f "$KV4"
fi

"$PY" - "$RESULTS" <<'EOF'
import json, sys
print(f"{'run':<14} {'pin':>3} {'rows/s':>9} {'tool CPU s/M':>13} {'rdk:broker CPU s/M':>19} {'rdk:broker wakeups/M':>21} {'Kafka CPU s/M':>14} {'peak RSS MB':>12} {'load':>5}")
for l in open(sys.argv[1]):
    r = json.loads(l)
    n = r.get("rows") or 1
    per = lambda k: (r.get(k) or 0) / n * 1e6
    bt = r.get("rdk_broker_threads") or {}
    print(f"{r['tool']:<14} {r.get('pinned', 0):>3} {r.get('rows_per_s', 0):>9,.0f} {per('cpu_window_s'):>13.2f} "
          f"{(bt.get('cpu_s') or 0) / n * 1e6:>19.2f} {(bt.get('wakeups') or 0) / n * 1e6:>21,.0f} "
          f"{per('kafka_cpu_window_s'):>14.2f} {r['peak_rss_mb']:>12} {r['load_at_start']:>5}")
EOF
if ((PERF)) && [[ -f $WORK/perf-b2k.data ]]; then
  perf report -i "$WORK/perf-b2k.data" --no-children --sort comm,dso,sym --percent-limit 0.7 \
    --stdio 2>/dev/null | grep -v '^$' | head -n 120 >"$WORK/perf-b2k.txt" || true # SIGPIPE from head
  perf report -i "$WORK/perf-b2k.data" --no-children --sort pid -g none --stdio 2>/dev/null |
    grep '%' >"$WORK/perf-b2k-threads.txt" || true
  log "perf: $WORK/perf-b2k.txt, $WORK/perf-b2k-threads.txt"
fi
sql -e "DROP DATABASE bench_cpu"
rm -f "$KV"
