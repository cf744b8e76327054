# shellcheck shell=bash
# Shared functions of the benchmark scripts (bench/run.sh, bench/decode.sh,
# bench/big_transaction.sh). Sourced, not run.
#
# Servers: a private MariaDB and a single-node Kafka (deploy/mariadb.sh,
# deploy/kafka.sh) on their own loopback ports, state under build-bench/state,
# so a running demo (13306/19092) or test (23306/29092) is never disturbed.
#
# Environment (all optional):
#   B2K_BIN               binlog2kafka binary (default: build it in build-bench/)
#   B2K_CACHE_DIR         cache for the peers (and, as in deploy/, the Kafka
#                         jars); default bench/.cache for the peers, and
#                         deploy/'s default for the broker's jars
#   B2K_BENCH_MARIADB_PORT, B2K_BENCH_KAFKA_PORT, B2K_BENCH_KAFKA_CONTROLLER_PORT,
#   B2K_BENCH_CONNECT_PORT  ports (default 33316, 39192, 39193, 39194)
#   B2K_BENCH_KEEP=1      leave the servers running at the end
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
BUILD=$REPO/build-bench
STATE=$BUILD/state
WORK=$BUILD/work
CACHE=${B2K_CACHE_DIR:-$BENCH_DIR/.cache}
MARIADB_PORT=${B2K_BENCH_MARIADB_PORT:-33316}
KAFKA_PORT=${B2K_BENCH_KAFKA_PORT:-39192}
KAFKA_CPORT=${B2K_BENCH_KAFKA_CONTROLLER_PORT:-39193}
CONNECT_PORT=${B2K_BENCH_CONNECT_PORT:-39194}
BROKERS=127.0.0.1:$KAFKA_PORT
VENV=$CACHE/venv
PY=$VENV/bin/python
PW=bench-secret
RESULTS=${RESULTS:-$WORK/results.jsonl}
T0=${T0:-$SECONDS}

log() { printf '[bench +%ds] %s\n' "$((SECONDS - T0))" "$*" >&2; }
die() { log "error: $*"; exit 1; }

srv() {
  env B2K_STATE_DIR="$STATE" B2K_MARIADB_PORT="$MARIADB_PORT" \
    B2K_KAFKA_PORT="$KAFKA_PORT" B2K_KAFKA_CONTROLLER_PORT="$KAFKA_CPORT" \
    ${B2K_CACHE_DIR:+B2K_CACHE_DIR="$B2K_CACHE_DIR"} "$@"
}

# Root over the socket (unix_socket auth).
sql() { srv "$REPO/deploy/mariadb.sh" client "$@"; }

# -- building and installing --------------------------------------------------

ensure_binary() {
  if [[ -n ${B2K_BIN:-} ]]; then
    [[ -x $B2K_BIN ]] || die "B2K_BIN=$B2K_BIN is not an executable"
    return
  fi
  log "building binlog2kafka (RelWithDebInfo) in $BUILD"
  cmake -S "$REPO" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$BUILD.cmake.log" 2>&1 ||
    { tail -n 20 "$BUILD.cmake.log" >&2; die "cmake failed"; }
  ninja -C "$BUILD" -j2 binlog2kafka >"$BUILD.ninja.log" 2>&1 ||
    { tail -n 30 "$BUILD.ninja.log" >&2; die "build failed"; }
  B2K_BIN=$BUILD/binlog2kafka
}

need_cmd() {
  command -v "$1" >/dev/null 2>&1 ||
    die "$1 not found: apt-get install -y --no-install-recommends $2"
}

# Python with matplotlib (chart), confluent-kafka (offsets, a librdkafka
# client) and mysql-replication (the decode-only peer), from PyPI.
ensure_venv() {
  local want="matplotlib==3.11.* confluent-kafka==2.16.* mysql-replication==1.0.* PyMySQL==1.2.*"
  local stamp=$VENV/.bench-packages
  if [[ -x $PY && -f $stamp && $(cat "$stamp") == "$want" ]]; then
    return
  fi
  log "installing the Python packages into $VENV (PyPI)"
  mkdir -p "$CACHE"
  python3 -m venv "$VENV"
  # shellcheck disable=SC2086
  "$VENV/bin/pip" install -q $want >"$CACHE/pip.log" 2>&1 ||
    { tail -n 20 "$CACHE/pip.log" >&2; die "pip install failed"; }
  echo "$want" >"$stamp"
}

# -- servers --------------------------------------------------------------------

start_servers() {
  need_cmd sysbench sysbench
  need_cmd kcat kcat
  need_cmd mariadb-binlog mariadb-client
  mkdir -p "$STATE" "$WORK"
  # Server settings for generating the workloads quickly (a 10-million-row
  # transaction); none of them changes what the binlog holds. old_mode
  # without UTF8_IS_UTF8MB3 (MariaDB 10.6+'s default has it) makes "utf8"
  # in DDL mean utf8mb4: Maxwell 1.22.6 (the newest on Maven Central)
  # predates the name utf8mb3 and stops on a row of a utf8mb3 column, which
  # its own tables (created "DEFAULT CHARSET=utf8") would otherwise be.
  export B2K_MARIADB_EXTRA_CNF="innodb_buffer_pool_size = 2G
innodb_log_file_size = 1G
max_binlog_size = 1G
max_connections = 200
old_mode = \"\""
  srv "$REPO/deploy/mariadb.sh" start >&2
  # Records keep the broker's append time: monitor.py times a drain by the
  # first and last record's, to the millisecond (its samples are 100 ms
  # apart, longer than a quick run's drains).
  local kafka_extra=${B2K_KAFKA_EXTRA_PROPERTIES:-}
  export B2K_KAFKA_EXTRA_PROPERTIES="${kafka_extra:+$kafka_extra
}log.message.timestamp.type=LogAppendTime"
  srv "$REPO/deploy/kafka.sh" start >&2
  if [[ -n $kafka_extra ]]; then B2K_KAFKA_EXTRA_PROPERTIES=$kafka_extra; else unset B2K_KAFKA_EXTRA_PROPERTIES; fi
  unset B2K_MARIADB_EXTRA_CNF
  provision_users
}

stop_servers() {
  [[ ${B2K_BENCH_KEEP:-0} == 1 ]] && { log "servers left running (B2K_BENCH_KEEP=1)"; return; }
  srv "$REPO/deploy/kafka.sh" stop >&2 || true
  srv "$REPO/deploy/mariadb.sh" stop >&2 || true
}

# The users each tool's documentation asks for, one password file each.
provision_users() {
  mkdir -p "$STATE/passwords"
  local u
  for u in bench dbz maxwell canal; do
    (umask 077 && printf '%s' "$PW" >"$STATE/passwords/$u")
  done
  sql <<EOF
CREATE DATABASE IF NOT EXISTS bench;
CREATE USER IF NOT EXISTS 'bench'@'127.0.0.1' IDENTIFIED BY '$PW';
GRANT ALL ON bench.* TO 'bench'@'127.0.0.1';
-- Debezium's MariaDB connector documentation:
CREATE USER IF NOT EXISTS 'dbz'@'127.0.0.1' IDENTIFIED BY '$PW';
GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, LOCK TABLES ON *.* TO 'dbz'@'127.0.0.1';
-- Maxwell's quickstart:
CREATE USER IF NOT EXISTS 'maxwell'@'127.0.0.1' IDENTIFIED BY '$PW';
GRANT ALL ON maxwell.* TO 'maxwell'@'127.0.0.1';
GRANT SELECT, REPLICATION CLIENT, REPLICATION SLAVE ON *.* TO 'maxwell'@'127.0.0.1';
-- go-mysql canal: replication and reading table schemas:
CREATE USER IF NOT EXISTS 'canal'@'127.0.0.1' IDENTIFIED BY '$PW';
GRANT SELECT, REPLICATION CLIENT, REPLICATION SLAVE ON *.* TO 'canal'@'127.0.0.1';
EOF
}

# A fresh broker JVM compiles its produce path while the first tool runs,
# and the first tool measured then pays for it (up to 2x slower in W1):
# feed it $1 records, shaped and compressed like a tool's, first.
warm_broker() {
  local n=${1:-1000000}
  log "warming the broker with $n records (kcat, lz4, acks=all, idempotence)"
  awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++)
      printf "{\"before\":null,\"after\":{\"id\":%d,\"k\":%d,\"c\":\"%0119d\",\"pad\":\"%059d\"},\"op\":\"c\"}\n", i, i * 7, i * 13, i }' |
    kcat -P -b "$BROKERS" -t bench.warmup -z lz4 -X enable.idempotence=true \
      -X acks=all -X linger.ms=1 ||
    die "warming the broker failed (kcat -P)"
}

# FILE:POS of the server's binlog end.
master_pos() { sql -N -e "SHOW MASTER STATUS" | awk '{print $1":"$2}'; }
master_file() { sql -N -e "SHOW MASTER STATUS" | awk '{print $1}'; }

# Path of a binlog file of our server.
binlog_path() { echo "$STATE/mariadb/data/$1"; }

# Binlog files from $1 to $2 (names), in order.
binlog_range() {
  local a=${1#binlog.} b=${2#binlog.} i
  for ((i = 10#$a; i <= 10#$b; i++)); do printf 'binlog.%06d\n' "$i"; done
}

sysbench_args() {
  echo --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$MARIADB_PORT" \
    --mysql-user=bench --mysql-password="$PW" --mysql-db=bench
}

# -- measuring --------------------------------------------------------------------

kafka_pid() { cat "$STATE/kafka/kafka.pid"; }
mariadb_pid() { tr -dc '0-9' <"$STATE/mariadb/mariadb.pid"; }

# Appends one JSON object (python dict literal from the arguments) to RESULTS.
record() { "$PY" "$BENCH_DIR/tools/record.py" "$RESULTS" "$@"; }

# 1: the broker and MariaDB (every thread) on core 0, where the tool under
# test (run with taskset -c 1) does not go; 0: back on every core.
pin_servers() {
  local cpus=0-$(($(nproc) - 1)) pid
  (($1)) && cpus=0
  for pid in "$(kafka_pid)" "$(mariadb_pid)"; do
    taskset -a -p -c "$cpus" "$pid" >/dev/null || log "taskset of pid $pid failed"
  done
}

# Current load average (1 min).
load1() { cut -d' ' -f1 /proc/loadavg; }

# Waits (up to $2 s) until the 1-minute load is below $1; returns anyway.
wait_quiet() {
  local max=${1:-1.5} limit=${2:-300} start=$SECONDS
  while awk -v l="$(load1)" -v m="$max" 'BEGIN { exit !(l > m) }' && ((SECONDS - start < limit)); do
    sleep 10
  done
  log "load average $(load1) (waited $((SECONDS - start)) s for < $max)"
}
