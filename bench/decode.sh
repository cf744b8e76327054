#!/usr/bin/env bash
# Decode-only speed (issue 4): `binlog2kafka dump --file` beside
# `mariadb-binlog -v` on the same binlog file, in the same run, as a ratio;
# with --python also python-mysql-replication streaming the same file from
# the server (it reads binlogs only through a replica connection).
#
#   bench/decode.sh [--rows=1000000] [--repeat=3] [--python]
#   bench/decode.sh --file=BINLOG --rows=N [--use-running] [--python]
#
# Without --file it starts the bench MariaDB (127.0.0.1:33316, state in
# build-bench/state), writes N sysbench-shaped rows (oltp_insert prepare:
# id, k, c CHAR(120), pad CHAR(60)) into a binlog file of their own, and
# measures that file. Each decoder runs pinned to one core (taskset -c 1),
# output to /dev/null, --repeat times; the median wall time counts.
# Target: >= 2,000,000 rows/s for binlog2kafka on one core.
set -euo pipefail
T0=$SECONDS
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FILE= ROWS=1000000 REPEAT=3 PYTHON=0 USE_RUNNING=0
for arg in "$@"; do
  case $arg in
    --file=*) FILE=${arg#*=} ;;
    --rows=*) ROWS=${arg#*=} ;;
    --repeat=*) REPEAT=${arg#*=} ;;
    --python) PYTHON=1 ;;
    --use-running) USE_RUNNING=1 ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    *) die "unknown argument $arg" ;;
  esac
done
mkdir -p "$WORK"
ensure_binary
((PYTHON)) && ensure_venv
[[ -x $PY ]] || ensure_venv # record.py

STARTED=0
if [[ -z $FILE ]] || ((PYTHON)) && ((!USE_RUNNING)); then
  need_cmd sysbench sysbench
  mkdir -p "$STATE"
  srv "$REPO/deploy/mariadb.sh" start >&2
  STARTED=1
  provision_users
  trap '((STARTED)) && [[ ${B2K_BENCH_KEEP:-0} != 1 ]] && srv "$REPO/deploy/mariadb.sh" stop >&2' EXIT
fi
if [[ -z $FILE ]]; then
  log "writing $ROWS sysbench rows into a binlog file of their own"
  sql -e "DROP DATABASE IF EXISTS bench_decode; CREATE DATABASE bench_decode;
    GRANT ALL ON bench_decode.* TO 'bench'@'127.0.0.1'; FLUSH BINARY LOGS"
  f=$(master_file)
  # shellcheck disable=SC2046
  sysbench oltp_insert $(sysbench_args | sed 's/--mysql-db=bench/--mysql-db=bench_decode/') \
    --tables=1 --table-size="$ROWS" prepare >"$WORK/decode-prepare.log" 2>&1
  sql -e "FLUSH BINARY LOGS"
  FILE=$(binlog_path "$f")
fi
[[ -r $FILE ]] || die "cannot read $FILE"
MB=$(du -m "$FILE" | cut -f1)

# median_run NAME CMD...: runs CMD REPEAT times on core 1; prints
# "median_wall user sys maxrss_kb" of the run with the median wall time.
median_run() {
  local i out=() line
  shift # the name
  for ((i = 0; i < REPEAT; i++)); do
    /usr/bin/time -o "$WORK/time.out" -f '%e %U %S %M' taskset -c 1 "$@" >/dev/null 2>"$WORK/decode.err" ||
      { tail -n 3 "$WORK/decode.err" >&2; die "$* failed"; }
    out+=("$(tail -n 1 "$WORK/time.out")")
  done
  printf '%s\n' "${out[@]}" | sort -n | sed -n "$(((REPEAT + 1) / 2))p"
}

log "decoding $FILE ($MB MB, $ROWS rows), $REPEAT runs each, pinned to core 1"
read -r b_wall b_user b_sys b_rss < <(median_run b2k "$B2K_BIN" dump --file="$FILE")
read -r m_wall m_user m_sys m_rss < <(median_run mariadb-binlog mariadb-binlog -v "$FILE")
rate() { awk -v r="$ROWS" -v t="$1" 'BEGIN { printf "%.0f", r / (t > 0 ? t : 0.01) }'; }
b_rate=$(rate "$b_wall")
m_rate=$(rate "$m_wall")
ratio=$(awk -v a="$b_rate" -v b="$m_rate" 'BEGIN { printf "%.2f", a / b }')
L=$(load1)
record kind=decode tool=binlog2kafka rows="$ROWS" binlog_mb="$MB" wall_s="$b_wall" \
  cpu_s="$(awk -v u="$b_user" -v s="$b_sys" 'BEGIN{print u+s}')" rows_per_s="$b_rate" \
  peak_rss_mb="$((b_rss / 1024))" load="$L" command="binlog2kafka dump --file (taskset -c 1)"
record kind=decode tool=mariadb-binlog rows="$ROWS" binlog_mb="$MB" wall_s="$m_wall" \
  cpu_s="$(awk -v u="$m_user" -v s="$m_sys" 'BEGIN{print u+s}')" rows_per_s="$m_rate" \
  peak_rss_mb="$((m_rss / 1024))" load="$L" command="mariadb-binlog -v (taskset -c 1)"

printf '%-28s %10s %12s %8s\n' decoder "wall s" "rows/s" ratio
printf '%-28s %10s %12s %8s\n' "binlog2kafka dump --file" "$b_wall" "$b_rate" "1.00"
printf '%-28s %10s %12s %8s\n' "mariadb-binlog -v" "$m_wall" "$m_rate" \
  "$(awk -v a="$m_rate" -v b="$b_rate" 'BEGIN { printf "%.2f", a / b }')"
echo "binlog2kafka dump / mariadb-binlog -v = ${ratio}x (target: >= 2,000,000 rows/s on one core; load $L)"

if ((PYTHON)); then
  log "python-mysql-replication: streaming $(basename "$FILE") from the server"
  taskset -c 1 "$PY" "$BENCH_DIR/tools/pydecode.py" --port "$MARIADB_PORT" --user canal \
    --password-file "$STATE/passwords/canal" --file "$(basename "$FILE")" --rows "$ROWS" \
    --out "$RESULTS" --field load="$(load1)" ||
    log "python-mysql-replication failed"
fi
