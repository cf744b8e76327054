#!/usr/bin/env bash
# binlog2kafka beside Debezium, Maxwell and go-mysql canal, on the same data,
# broker and machine, in one command (issue 7).
#
#   bench/run.sh [--quick] [--tools=binlog2kafka,canal,debezium,maxwell]
#                [--no-big] [--no-readme] [--max-load=1.5] [--load-wait=120]
#                [--repeat=3] [--pin=both|on|off]
#                [--only=W1,W2,W3,W4,W6,decode,cpu,big] [--cpu-only=b2k,kcat-b2kconf,...]
#
# Each backlog drain runs --repeat times per tool (the report gives the
# median and the spread; Debezium and Maxwell resume from their own offsets
# and drain each backlog once). --pin=on puts the broker and MariaDB on core
# 0 and the tool under test on core 1 (taskset) during the drain, so that
# they do not compete for one core; off leaves all on every core; both (the
# default) measures each way, bench/producer_cpu.sh (the kcat -P yardstick)
# too. --only runs a part (the others are left out); --cpu-only some of
# producer_cpu.sh's runs.
#
# Before each measurement it waits (at most --load-wait seconds) for the
# 1-minute load average to drop below --max-load, and records the load.
# B2K_BIN=path runs a binary built elsewhere (B2K_BIN_COMMIT names its commit).
#
# Sets everything up (builds binlog2kafka in build-bench/, installs the peers
# with Maven, the Go module proxy and pip into bench/.cache or
# $B2K_CACHE_DIR), starts a private MariaDB and Kafka on loopback
# (33316, 39192/39193; state in build-bench/state, wiped at the start), makes
# the workloads with sysbench, runs every tool as a user would, measures from
# the outside (records in Kafka, /proc), and writes
# bench/results/<date>[-quick].md, its PNG chart, and the README's
# performance section. Full run: 1M-row workloads and the 10M-row
# transaction, ~30-50 min; --quick: 100k rows, a few minutes.
#
# Workloads (each tool drains each backlog from the same binlog position):
#   W1 backlog: sysbench oltp_insert prepare (N rows) written before the
#      tool starts; rows/s from the records counted in Kafka;
#   W2 steady 1,000 single-row insert transactions per second
#      (bench/workloads/probe.lua under sysbench --rate=1000), latency
#      commit -> broker append time, p50/p95/p99;
#   W3 mixed writes: sysbench oltp_write_only (updates, deletes, inserts);
#   W4 one transaction that updates every row of the W1 table (N rows);
#   W6 1,000 tables written round-robin (N rows: N/1,000 transactions of one
#      insert into each table), one topic each (created beforehand).
# Plus the decoders alone on the W1 binlog file (bench/decode.sh) and one
# 10-million-row transaction through binlog2kafka (bench/big_transaction.sh).
set -euo pipefail
T0=$SECONDS
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$BENCH_DIR/peers.sh"

# All in a function: bash reads a script as it runs it, so an edit of this
# file during a run would otherwise change the running one.
main() {

QUICK=0
BIG=1
README=1
MAX_LOAD=1.5
LOAD_WAIT=120
TOOLS=("${TOOLS_ALL[@]}")
REPEAT=3
PIN=both
ONLY=,W1,W2,W3,W4,W6,decode,cpu,big,
CPU_ONLY=
for arg in "$@"; do
  case $arg in
    --quick) QUICK=1 ;;
    --no-big) BIG=0 ;;
    --no-readme) README=0 ;;
    --max-load=*) MAX_LOAD=${arg#*=} ;;
    --load-wait=*) LOAD_WAIT=${arg#*=} ;;
    --tools=*) IFS=, read -r -a TOOLS <<<"${arg#*=}" ;;
    --repeat=*) REPEAT=${arg#*=} ;;
    --pin=*) PIN=${arg#*=} ;;
    --only=*) ONLY=",${arg#*=}," ;;
    --cpu-only=*) CPU_ONLY=${arg#*=} ;;
    -h | --help) sed -n '2,42p' "$0"; exit 0 ;;
    *) die "unknown argument $arg (see --help)" ;;
  esac
done

if ((QUICK)); then
  N=100000 W3_EVENTS=25000 W2_SECONDS=10 BIG_ROWS=1000000 TIMEOUT=300 MODE=quick
else
  N=1000000 W3_EVENTS=50000 W2_SECONDS=30 BIG_ROWS=10000000 TIMEOUT=1200 MODE=full
fi
W2_RATE=1000
case $PIN in
  both) PIN_MODES=(0 1) ;;
  on) PIN_MODES=(1) ;;
  off) PIN_MODES=(0) ;;
  *) die "--pin=$PIN: both, on or off" ;;
esac
((REPEAT >= 1)) || die "--repeat=$REPEAT: at least 1"
want() { [[ $ONLY == *",$1,"* ]]; }

rm -rf "$WORK"
mkdir -p "$WORK"
RESULTS=$WORK/results.jsonl
: >"$RESULTS"

cleanup() {
  local rc=$?
  # Anything the monitor started is in its own session and stopped by it;
  # the servers are ours.
  stop_servers
  if [[ ${B2K_BENCH_KEEP:-0} != 1 ]]; then
    srv "$REPO/deploy/kafka.sh" reset >/dev/null 2>&1 || true
    srv "$REPO/deploy/mariadb.sh" reset >/dev/null 2>&1 || true
  fi
  exit $rc
}
trap cleanup EXIT

ensure_binary
ensure_venv
for t in "${TOOLS[@]}"; do
  setup_tool "$t" || { TOOL_UNAVAILABLE[$t]="installation failed (see $CACHE)"; log "$t: not available"; }
done

log "fresh servers: MariaDB 127.0.0.1:$MARIADB_PORT, Kafka $BROKERS (state $STATE)"
srv "$REPO/deploy/kafka.sh" reset >/dev/null 2>&1 || true
srv "$REPO/deploy/mariadb.sh" reset >/dev/null 2>&1 || true
start_servers

# The W2 probe table and its topics: one partition, broker append time.
sql bench -e "CREATE TABLE probe (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  ts_us BIGINT NOT NULL, k INT NOT NULL, c CHAR(120) NOT NULL, pad CHAR(60) NOT NULL)"
for t in "${TOOLS[@]}"; do
  srv "$REPO/deploy/kafka.sh" create-topic "${TOOL_TOPIC_PREFIX[$t]}.bench.probe" 1 \
    message.timestamp.type=LogAppendTime >/dev/null
done
run_tool() { # TOOL WORKLOAD FROM EXPECT ROWS TOPIC [PINNED RUN]
  local t=$1 w=$2 from=$3 expect=$4 rows=$5 topic=$6 pinned=${7:-0} run=${8:-1}
  if [[ -n ${TOOL_UNAVAILABLE[$t]:-} ]]; then
    record kind=missing tool="$t" workload="$w" reason="${TOOL_UNAVAILABLE[$t]}"
    return
  fi
  tool_cmd "$t" "$from"
  pin_servers "$pinned"
  ((pinned)) && CMD=(taskset -c 1 "${CMD[@]}")
  local shown=$topic
  [[ $topic == *,* ]] && shown="${topic%%,*} and $(tr -cd , <<<"$topic" | wc -c) more topics"
  log "$w: $t from $from, waiting for $expect records in $shown (pinned=$pinned, run $run)"
  "$PY" "$BENCH_DIR/tools/monitor.py" --tool "$t" --workload "$w" --brokers "$BROKERS" \
    --topics "$topic" --expect "$expect" --rows "$rows" --timeout "$TIMEOUT" \
    --out "$RESULTS" --log "$WORK/$t-$w-p$pinned-$run.log" --field load_at_start="$(load1)" \
    --field pinned="$pinned" --field run="$run" \
    --pid-of kafka="$(kafka_pid)" --pid-of mariadb="$(mariadb_pid)" -- "${CMD[@]}" ||
    log "$w: $t did not complete (see $WORK/$t-$w-p$pinned-$run.log)"
  pin_servers 0
}

# Row changes between binlog files $1..$2: "rows deletes".
count_rows() {
  local f files=()
  for f in $(binlog_range "$1" "$2"); do files+=("$(binlog_path "$f")"); done
  mariadb-binlog -v --base64-output=decode-rows "${files[@]}" 2>/dev/null |
    awk '/^### INSERT INTO `bench`\.`sbtest1`/ {r++} /^### UPDATE `bench`\.`sbtest1`/ {r++}
         /^### DELETE FROM `bench`\.`sbtest1`/ {r++; d++} END {print r+0, d+0}'
}

drain_all() { # WORKLOAD FROM ROWS DELETES [TABLES (a,b,..; default sbtest1) EXPECT]
  local w=$1 from=$2 rows=$3 deletes=$4 tables=${5:-sbtest1} t p i n expect topics
  for t in "${TOOLS[@]}"; do
    n=$REPEAT
    # They resume from their own offsets: one drain per backlog.
    [[ " ${TOOLS_RESUMING[*]} " == *" $t "* ]] && n=1
    expect=${6:-$((rows + deletes * (TOOL_PER_DELETE[$t] - 1)))}
    topics=$(sed "s/[^,][^,]*/${TOOL_TOPIC_PREFIX[$t]}.bench.&/g" <<<"$tables")
    for p in "${PIN_MODES[@]}"; do
      for ((i = 1; i <= n; i++)); do
        wait_quiet "$MAX_LOAD" "$LOAD_WAIT"
        run_tool "$t" "$w" "$from" "$expect" "$rows" "$topics" "$p" "$i"
      done
      if [[ $n == 1 ]]; then break; fi
    done
  done
}

for t in "${TOOLS_RESUMING[@]}"; do
  if [[ " ${TOOLS[*]} " == *" $t "* && -z ${TOOL_UNAVAILABLE[$t]:-} ]]; then
    log "priming $t (start at the binlog end, then stop: later runs resume from its own position)"
    prime_tool "$t" || TOOL_UNAVAILABLE[$t]="did not start (see $WORK/$t-prime.log)"
  fi
done

warm_broker "$N"

# -- W1: backlog of N inserted rows -------------------------------------------
wait_quiet "$MAX_LOAD" "$LOAD_WAIT"
sql -e "FLUSH BINARY LOGS"
W1_FROM=$(master_pos)
W1_FILE=${W1_FROM%%:*}
log "W1: sysbench oltp_insert prepare, $N rows (binlog $W1_FILE)"
# shellcheck disable=SC2046
sysbench oltp_insert $(sysbench_args) --tables=1 --table-size="$N" prepare >"$WORK/w1-prepare.log" 2>&1
sql -e "FLUSH BINARY LOGS"
read -r W1_ROWS W1_DEL < <(count_rows "$W1_FILE" "$W1_FILE")
log "W1: $W1_ROWS rows in $W1_FILE ($(du -m "$(binlog_path "$W1_FILE")" | cut -f1) MB)"
record kind=workload workload=W1 rows="$W1_ROWS" deletes="$W1_DEL" \
  binlog_mb="$(du -m "$(binlog_path "$W1_FILE")" | cut -f1)"

# The decoders alone, on the W1 binlog file.
if want decode; then
  wait_quiet "$MAX_LOAD" "$LOAD_WAIT"
  RESULTS=$RESULTS B2K_BIN=$B2K_BIN "$BENCH_DIR/decode.sh" --use-running \
    --file="$(binlog_path "$W1_FILE")" --rows="$W1_ROWS" --python
fi

want W1 && drain_all W1 "$W1_FROM" "$W1_ROWS" "$W1_DEL"

# -- W3: mixed writes -------------------------------------------------------------
if want W3; then
sql -e "FLUSH BINARY LOGS"
W3_FROM=$(master_pos)
log "W3: sysbench oltp_write_only, $W3_EVENTS transactions"
# shellcheck disable=SC2046
sysbench oltp_write_only $(sysbench_args) --tables=1 --table-size="$N" --threads=2 \
  --events="$W3_EVENTS" --time=0 --report-interval=0 run >"$WORK/w3-run.log" 2>&1
sql -e "FLUSH BINARY LOGS"
read -r W3_ROWS W3_DEL < <(count_rows "${W3_FROM%%:*}" "$(master_file)")
record kind=workload workload=W3 rows="$W3_ROWS" deletes="$W3_DEL" transactions="$W3_EVENTS"
log "W3: $W3_ROWS row changes ($W3_DEL deletes)"
drain_all W3 "$W3_FROM" "$W3_ROWS" "$W3_DEL"
fi

# -- W4: one transaction updating N rows ---------------------------------------------
if want W4; then
sql -e "FLUSH BINARY LOGS"
W4_FROM=$(master_pos)
log "W4: one UPDATE of all $N rows"
sql bench -e "UPDATE sbtest1 SET k = k + 1"
sql -e "FLUSH BINARY LOGS"
read -r W4_ROWS W4_DEL < <(count_rows "${W4_FROM%%:*}" "$(master_file)")
record kind=workload workload=W4 rows="$W4_ROWS" deletes="$W4_DEL"
drain_all W4 "$W4_FROM" "$W4_ROWS" "$W4_DEL"
fi

# -- W6: 1,000 tables written round-robin, one topic each ------------------------------
if want W6; then
W6_TABLES=1000
log "W6: $W6_TABLES tables like sbtest1, their topics (1 partition each)"
awk -v t="$W6_TABLES" 'BEGIN { for (i = 1; i <= t; i++)
    printf "CREATE TABLE w6_%04d (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, k INT NOT NULL, c CHAR(120) NOT NULL, pad CHAR(60) NOT NULL);\n", i }' |
  sql bench
W6_LIST=$(seq -f 'w6_%04g' -s , 1 "$W6_TABLES")
# Created beforehand (one request): the drain measures the tool's cost per
# topic, not the broker creating 1,000 topics on first use.
"$PY" -c 'import sys
from confluent_kafka.admin import AdminClient, NewTopic
a = AdminClient({"bootstrap.servers": sys.argv[1]})
fs = a.create_topics([NewTopic(t, 1, 1) for t in sys.argv[2:]], request_timeout=120)
for t, f in fs.items():
    f.result()' "$BROKERS" $(for t in "${TOOLS[@]}"; do
    sed "s/[^,][^,]*/${TOOL_TOPIC_PREFIX[$t]}.bench.&/g; s/,/ /g" <<<"$W6_LIST"; done)
sql -e "FLUSH BINARY LOGS"
W6_FROM=$(master_pos)
W6_ROWS=$((N / W6_TABLES * W6_TABLES))
log "W6: $W6_ROWS rows round-robin over $W6_TABLES tables, $((N / W6_TABLES)) transactions"
awk -v n="$((N / W6_TABLES))" -v t="$W6_TABLES" 'BEGIN { for (r = 1; r <= n; r++) {
    print "BEGIN;"
    for (i = 1; i <= t; i++)
      printf "INSERT INTO w6_%04d (k, c, pad) VALUES (%d, \"%0119d\", \"%059d\");\n", i, r, r * t + i, i
    print "COMMIT;" } }' | sql bench
sql -e "FLUSH BINARY LOGS"
record kind=workload workload=W6 rows="$W6_ROWS" deletes=0 tables="$W6_TABLES"
drain_all W6 "$W6_FROM" "$W6_ROWS" 0 "$W6_LIST"
fi

# -- W2: steady 1,000 tx/s, latency --------------------------------------------------------
W2_EVENTS=$((W2_RATE * W2_SECONDS))
high_offset() {
  "$PY" -c 'import sys
from confluent_kafka import Consumer, TopicPartition
c = Consumer({"bootstrap.servers": sys.argv[1], "group.id": "bench-offsets"})
print(c.get_watermark_offsets(TopicPartition(sys.argv[2], 0), timeout=10)[1])' "$BROKERS" "$1"
}
# Debezium and Maxwell resume from their own positions (the end of W4), so
# the probe rows of the runs before theirs would come first and be counted
# as theirs, with their age as latency: the first of them runs first, the
# other is primed again (started at the binlog end, then stopped) just before
# its run.
W2_TOOLS=()
if want W2; then
  for t in "${TOOLS_RESUMING[@]}"; do [[ " ${TOOLS[*]} " == *" $t "* ]] && W2_TOOLS+=("$t"); done
  for t in "${TOOLS[@]}"; do [[ " ${TOOLS_RESUMING[*]} " == *" $t "* ]] || W2_TOOLS+=("$t"); done
fi
for t in "${W2_TOOLS[@]}"; do
  if [[ -z ${TOOL_UNAVAILABLE[$t]:-} && $t != "${W2_TOOLS[0]}" &&
    " ${TOOLS_RESUMING[*]} " == *" $t "* ]]; then
    log "W2: priming $t again at the binlog end"
    prime_tool "$t" || TOOL_UNAVAILABLE[$t]="did not start (see $WORK/$t-prime.log)"
  fi
  if [[ -n ${TOOL_UNAVAILABLE[$t]:-} ]]; then
    record kind=missing tool="$t" workload=W2 reason="${TOOL_UNAVAILABLE[$t]}"
    continue
  fi
  wait_quiet "$MAX_LOAD" "$LOAD_WAIT"
  topic=${TOOL_TOPIC_PREFIX[$t]}.bench.probe
  base=$(high_offset "$topic")
  from=$(master_pos)
  tool_cmd "$t" "$from"
  progress=$WORK/$t-W2.progress
  rm -f "$progress"
  log "W2: $t, $W2_EVENTS single-row transactions at $W2_RATE/s"
  "$PY" "$BENCH_DIR/tools/monitor.py" --tool "$t" --workload W2 --brokers "$BROKERS" \
    --topics "$topic" --expect $((W2_EVENTS + 1)) --rows $((W2_EVENTS + 1)) \
    --timeout $((TIMEOUT + W2_SECONDS)) --out "$RESULTS" --log "$WORK/$t-W2.log" \
    --progress "$progress" --field load_at_start="$(load1)" \
    --pid-of kafka="$(kafka_pid)" --pid-of mariadb="$(mariadb_pid)" -- "${CMD[@]}" &
  mon=$!
  # One warm-up row: the tool is streaming once it is in Kafka.
  sql bench -e "INSERT INTO probe (ts_us, k, c, pad) VALUES (0, 0, 'warm-up', '')"
  deadline=$((SECONDS + 240))
  until [[ -s $progress && $(cat "$progress") -ge 1 ]] || ((SECONDS > deadline)) ||
    ! kill -0 "$mon" 2>/dev/null; do
    sleep 0.2
  done
  if [[ -s $progress && $(cat "$progress") -ge 1 ]]; then
    # shellcheck disable=SC2046
    sysbench "$BENCH_DIR/workloads/probe.lua" $(sysbench_args) --threads=2 \
      --rate="$W2_RATE" --events="$W2_EVENTS" --time=0 run >"$WORK/$t-W2-sysbench.log" 2>&1
    wait "$mon" || true
    "$PY" "$BENCH_DIR/tools/latency.py" --brokers "$BROKERS" --topic "$topic" \
      --offset "$base" --count $((W2_EVENTS + 1)) --skip 1 --tool "$t" --out "$RESULTS" \
      --field rate="$W2_RATE" --field load="$(load1)" ||
      log "W2: latency of $t not measured"
  else
    log "W2: $t did not deliver the warm-up row within 240 s"
    wait "$mon" || true
  fi
done

# -- where binlog2kafka's producer CPU goes (beside kcat -P) -----------------------------------
if want cpu && [[ " ${TOOLS[*]} " == *" binlog2kafka "* ]]; then
  CPU_RESULTS=$WORK/producer-cpu.jsonl LOAD_WAIT=$LOAD_WAIT MAX_LOAD=$MAX_LOAD B2K_BIN=$B2K_BIN \
    "$BENCH_DIR/producer_cpu.sh" --use-running --rows="$N" --perf --repeat="$REPEAT" \
    --pin="$PIN" ${CPU_ONLY:+--only="$CPU_ONLY"} ||
    log "producer_cpu.sh failed"
fi

# -- the 10-million-row transaction (binlog2kafka only) ------------------------------------
if ((BIG)) && want big && [[ " ${TOOLS[*]} " == *" binlog2kafka "* ]]; then
  wait_quiet "$MAX_LOAD" "$LOAD_WAIT"
  RESULTS=$RESULTS B2K_BIN=$B2K_BIN "$BENCH_DIR/big_transaction.sh" --use-running --rows="$BIG_ROWS"
fi

# -- report -----------------------------------------------------------------------------------------
META=$WORK/meta.json
{
  printf '{"mode": "%s", "n": %d, "w3_events": %d, "w2_rate": %d, "w2_seconds": %d,' \
    "$MODE" "$N" "$W3_EVENTS" "$W2_RATE" "$W2_SECONDS"
  printf ' "commit": "%s", "kafka": "3.9.1 (deploy/kafka.sh, single KRaft node)",' \
    "${B2K_BIN_COMMIT:-$(git -C "$REPO" rev-parse --short HEAD)}"
  printf ' "mariadb": "%s", "sysbench": "%s", "tools": {' \
    "$(mariadbd --version | sed 's/.*Ver //; s/ for .*//')" "$(sysbench --version)"
  sep=
  for t in "${TOOLS[@]}"; do
    printf '%s"%s": {"version": %s, "settings": %s, "unavailable": %s}' "$sep" "$t" \
      "$("$PY" -c 'import json,sys; print(json.dumps(sys.argv[1]))' "${TOOL_VERSION[$t]:-}")" \
      "$("$PY" -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$(tool_settings "$t")")" \
      "$("$PY" -c 'import json,sys; print(json.dumps(sys.argv[1]))' "${TOOL_UNAVAILABLE[$t]:-}")"
    sep=", "
  done
  printf '}}\n'
} >"$META"
cp "$RESULTS" "$WORK/results-final.jsonl"
args=()
((README)) && args+=(--readme "$REPO/README.md")
[[ -f $WORK/producer-cpu.jsonl ]] && args+=(--producer-cpu "$WORK/producer-cpu.jsonl")
[[ -f $WORK/perf-b2k-threads.txt ]] && args+=(--perf-threads "$WORK/perf-b2k-threads.txt")
"$PY" "$BENCH_DIR/tools/report.py" --results "$RESULTS" --meta "$META" \
  --outdir "$BENCH_DIR/results" "${args[@]}"
log "done in $((SECONDS - T0)) s"
}

main "$@"
