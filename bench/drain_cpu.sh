#!/usr/bin/env bash
# CPU work of one backlog drain through `binlog2kafka run`, in figures that a
# loaded machine does not distort much (issue 14): CPU seconds (utime+stime
# of the daemon from /proc) per million rows, and with --callgrind the
# instructions per function (valgrind --tool=callgrind, all threads).
# Wall-clock rows/s are printed too: on a shared machine they are noisy.
#
#   bench/drain_cpu.sh --workload=W1|W6 [--rows=N] [--make] [--repeat=3]
#                      [--warmup] [--callgrind=DIR] BINARY...
#
# --make writes the workload at the end of the binlog of the bench MariaDB
# (W1: sysbench oltp_insert prepare of N rows into one table; W6: N rows
# round-robin over 1,000 tables, one INSERT into each per transaction) and
# remembers its range in build-bench/work;
# without --make the last one made is drained again. Each BINARY drains it
# --repeat times (alternating, so that a change of load hits all alike) from
# its first position with a fresh commit-log topic, until the commit log
# says the server's binlog end (the workload must be the last thing in the
# binlog). --warmup runs the first binary once before, uncounted (the first
# drain of W6 has the broker create 1,000 topics). The servers must run: start them once with
#   B2K_BENCH_KEEP=1 bench/drain_cpu.sh --start
# and stop them with --stop. Ports as in bench/lib.sh (B2K_BENCH_*_PORT).
set -euo pipefail
T0=$SECONDS
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WORKLOAD=W1 ROWS=1000000 MAKE=0 WARMUP=0 REPEAT=3 CALLGRIND= ACTION=drain BINARIES=()
for arg in "$@"; do
  case $arg in
    --workload=*) WORKLOAD=${arg#*=} ;;
    --rows=*) ROWS=${arg#*=} ;;
    --make) MAKE=1 ;;
    --warmup) WARMUP=1 ;;
    --repeat=*) REPEAT=${arg#*=} ;;
    --callgrind=*) CALLGRIND=${arg#*=} ;;
    --start) ACTION=start ;;
    --stop) ACTION=stop ;;
    -h | --help) sed -n '2,23p' "$0"; exit 0 ;;
    -*) die "unknown argument $arg" ;;
    *) BINARIES+=("$arg") ;;
  esac
done
mkdir -p "$WORK"

case $ACTION in
  start)
    start_servers
    warm_broker 200000
    exit 0
    ;;
  stop)
    B2K_BENCH_KEEP=0 stop_servers
    exit 0
    ;;
esac

RANGE=$WORK/drain-$WORKLOAD.range
if ((MAKE)); then
  case $WORKLOAD in
    W1)
      sql bench -e "DROP TABLE IF EXISTS sbtest1"
      sql -e "FLUSH BINARY LOGS"
      from=$(master_pos)
      log "W1: sysbench oltp_insert prepare, $ROWS rows"
      # shellcheck disable=SC2046
      sysbench oltp_insert $(sysbench_args) --tables=1 --table-size="$ROWS" prepare \
        >"$WORK/drain-w1-prepare.log" 2>&1
      ;;
    W6)
      tables=1000
      awk -v t="$tables" 'BEGIN { for (i = 1; i <= t; i++)
          printf "CREATE TABLE IF NOT EXISTS w6_%04d (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, k INT NOT NULL, c CHAR(120) NOT NULL, pad CHAR(60) NOT NULL);\n", i }' |
        sql bench
      sql -e "FLUSH BINARY LOGS"
      from=$(master_pos)
      log "W6: $ROWS rows round-robin over $tables tables"
      awk -v n="$((ROWS / tables))" -v t="$tables" 'BEGIN { for (r = 1; r <= n; r++) {
          print "BEGIN;"
          for (i = 1; i <= t; i++)
            printf "INSERT INTO w6_%04d (k, c, pad) VALUES (%d, \"%0119d\", \"%059d\");\n", i, r, r * t + i, i
          print "COMMIT;" } }' | sql bench
      ROWS=$((ROWS / tables * tables))
      ;;
    *) die "unknown workload $WORKLOAD" ;;
  esac
  sql -e "FLUSH BINARY LOGS"
  # The server adds a BINLOG_CHECKPOINT to the new file a moment later.
  end=
  until [[ $end == "$(master_pos)" ]]; do end=$(master_pos); sleep 1; done
  echo "$from $end $ROWS" >"$RANGE"
fi
[[ -r $RANGE ]] || die "no $WORKLOAD made yet: run with --make"
read -r FROM END ROWS <"$RANGE"
[[ $(master_pos) == "$END" ]] ||
  die "the binlog moved past $WORKLOAD's end ($END, now $(master_pos)): --make it again"
log "$WORKLOAD: $ROWS rows, $FROM .. $END"

# Prints the commit log's last position as FILE:POS (empty if none).
committed() {
  kcat -C -b "$BROKERS" -t "$1" -o -1 -e -q -f '%s\n' 2>/dev/null | tail -n 1 |
    sed -n 's/.*"file":"\([^"]*\)".*"pos":\([0-9]*\).*/\1:\2/p'
}

cpu_of() { # PID: utime+stime in seconds
  awk -v t="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) / t }' "/proc/$1/stat"
}

drain() { # BINARY RUN
  local bin=$1 run=$2 name commits start pid cpu wall
  name=drain-$$-$RANDOM
  commits=$name.commits
  local cmd=("$bin" run "--binlog2kafka.name=$name" "--binlog2kafka.topic-prefix=b2k"
    "--binlog2kafka.commit-topic=$commits" "--binlog2kafka.snapshot=never"
    "--binlog2kafka.source=mysql://b2k@127.0.0.1:$MARIADB_PORT"
    "--binlog2kafka.source-password-file=$STATE/mariadb/b2k.password"
    "--binlog2kafka.brokers=$BROKERS" "--binlog2kafka.from=$FROM")
  if [[ -n $CALLGRIND ]]; then
    mkdir -p "$CALLGRIND"
    cmd=(valgrind --tool=callgrind --separate-threads=no
      "--callgrind-out-file=$CALLGRIND/$(basename "$bin")-$WORKLOAD-$run.out" "${cmd[@]}")
  fi
  local kafka_cpu0
  kafka_cpu0=$(cpu_of "$(kafka_pid)")
  start=$(date +%s.%N)
  "${cmd[@]}" >"$WORK/$name.log" 2>&1 &
  pid=$!
  local limit=$((SECONDS + 600))
  # After a FLUSH BINARY LOGS the released position is the new file's start.
  local at
  until at=$(committed "$commits") && [[ $at == "$END" || $at == "${END%%:*}:4" ]]; do
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$WORK/$name.log" >&2; die "$bin exited early"; }
    ((SECONDS < limit)) || { kill "$pid"; die "$bin did not reach $END in 10 min"; }
    sleep 0.1
  done
  wall=$(echo "$(date +%s.%N) - $start" | bc)
  cpu=$(cpu_of "$pid")
  local broker_cpu
  broker_cpu=$(echo "$(cpu_of "$(kafka_pid)") - $kafka_cpu0" | bc)
  # Per thread name: user+system CPU s and voluntary context switches.
  threads=$(for t in /proc/"$pid"/task/*; do
    printf '%s %s %s %s\n' "$(tr ' ' _ <"$t/comm")" \
      "$(awk -v t="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print $12 / t, $13 / t }' "$t/stat")" \
      "$(awk '/^voluntary_ctxt_switches/ { print $2 }' "$t/status")"
  done | awk '{ u[$1] += $2; s[$1] += $3; w[$1] += $4 }
    END { for (n in u) if (u[n] + s[n] >= 0.01) printf "%s:%.2f+%.2f(%dk wake-ups) ", n, u[n], s[n], w[n] / 1000 }')
  kill -TERM "$pid"
  wait "$pid" || true
  awk -v b="$(basename "$bin")" -v w="$WORKLOAD" -v r="$run" -v n="$ROWS" -v c="$cpu" \
    -v s="$wall" -v l="$(cut -d' ' -f1 /proc/loadavg)" -v t="$threads" -v k="$broker_cpu" \
    'BEGIN { printf "%s %s run %d: %d rows, CPU %.2f s = %.2f s per M rows; wall %.2f s = %.0f rows/s (load %s); Kafka broker CPU %.2f s; threads %s\n",
      b, w, r, n, c, c * 1e6 / n, s, n / s, l, k, t }' | tee -a "$WORK/drain-cpu.txt"
}

((${#BINARIES[@]})) || die "name at least one binary"
((WARMUP)) && drain "${BINARIES[0]}" 0
for ((i = 1; i <= REPEAT; i++)); do
  for b in "${BINARIES[@]}"; do drain "$b" "$i"; done
done
