# shellcheck shell=bash
# Shared functions of the integration tests (tests/integration/test_*.sh).
# Sourced, not run. Each test gets a private MariaDB and Kafka on test ports
# with their state under $B2K_BUILD_DIR/itest/<test>/, so a running demo
# (ports 13306/19092, state .state/) is never disturbed.
#
# ctest sets B2K_BINARY, B2K_SOURCE_DIR and B2K_BUILD_DIR (tests/CMakeLists.txt).
# To run one test by hand from a build directory:
#   B2K_BUILD_DIR=$PWD bash ../tests/integration/test_end_to_end.sh
# Other knobs:
#   B2K_ITEST_MARIADB_PORT, B2K_ITEST_KAFKA_PORT, B2K_ITEST_KAFKA_CONTROLLER_PORT
#                       test ports (default 23306, 29092, 29093)
#   B2K_ITEST_KEEP=1    leave the servers running after the test (debugging)
#   B2K_CACHE_DIR       Kafka jar cache (default <source>/.cache, shared with
#                       the demo so the jars are fetched once)
set -euo pipefail

ITEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
B2K_SOURCE_DIR=${B2K_SOURCE_DIR:-$(cd "$ITEST_DIR/../.." && pwd)}
B2K_BUILD_DIR=${B2K_BUILD_DIR:-$B2K_SOURCE_DIR/build-debug}
B2K_BINARY=${B2K_BINARY:-$B2K_BUILD_DIR/binlog2kafka}
export B2K_CACHE_DIR=${B2K_CACHE_DIR:-$B2K_SOURCE_DIR/.cache}

TEST_NAME=$(basename "$0" .sh)
TEST_NAME=${TEST_NAME#test_}
MARIADB_PORT=${B2K_ITEST_MARIADB_PORT:-23306}
KAFKA_PORT=${B2K_ITEST_KAFKA_PORT:-29092}
KAFKA_CONTROLLER_PORT=${B2K_ITEST_KAFKA_CONTROLLER_PORT:-29093}
BROKERS=127.0.0.1:$KAFKA_PORT
STATE=$B2K_BUILD_DIR/itest/$TEST_NAME
MARIADB_CNF=$STATE/mariadb/my.cnf
PASSWORD_FILE=$STATE/mariadb/b2k.password
SOURCE_URL=mysql://b2k@127.0.0.1:$MARIADB_PORT
DAEMON_LOG=$STATE/binlog2kafka.log
SOURCE_NAME=itest
DAEMON_PID=
DAEMON_STARTS=0
SERVERS_STARTED=0
T0=$SECONDS

# ASAN/UBSAN/LSAN_OPTIONS for the binary under test, unless already set.
source "$B2K_SOURCE_DIR/tests/sanitizers/options.sh"

log() { echo "[$TEST_NAME +$((SECONDS - T0))s] $*"; }

fail() {
  log "FAIL: $*" >&2
  exit 1
}

# wait_for TIMEOUT_SECONDS DESCRIPTION COMMAND [ARGS...]
# Runs COMMAND every 0.2 s until it succeeds; fails the test naming
# DESCRIPTION (and showing the command's last output) after the timeout.
wait_for() {
  local timeout=$1 what=$2
  shift 2
  local deadline=$((SECONDS + timeout)) out=
  while :; do
    if out=$("$@" 2>&1); then
      return 0
    fi
    if ((SECONDS >= deadline)); then
      log "timed out after ${timeout}s waiting for: $what" >&2
      [[ -z $out ]] || log "last output of '$*': $(tail -n 5 <<<"$out")" >&2
      if [[ -n $DAEMON_PID ]] && [[ -f $DAEMON_LOG ]]; then
        log "last lines of $DAEMON_LOG:" >&2
        tail -n 15 "$DAEMON_LOG" >&2
      fi
      fail "$what (not within ${timeout}s)"
    fi
    sleep 0.2
  done
}

# -- servers ------------------------------------------------------------------

server_env() {
  env B2K_STATE_DIR="$STATE" B2K_MARIADB_PORT="$MARIADB_PORT" \
    B2K_KAFKA_PORT="$KAFKA_PORT" B2K_KAFKA_CONTROLLER_PORT="$KAFKA_CONTROLLER_PORT" \
    B2K_CACHE_DIR="$B2K_CACHE_DIR" "$@"
}

# Fresh MariaDB and Kafka for this test: any state of an earlier run is
# removed first (servers left running by B2K_ITEST_KEEP=1 are stopped).
start_servers() {
  [[ -x $B2K_BINARY ]] || fail "B2K_BINARY=$B2K_BINARY is not an executable: build it first"
  command -v kcat >/dev/null || fail "kcat not found (deploy/install-deps.sh installs it)"
  command -v python3 >/dev/null || fail "python3 not found (deploy/install-deps.sh installs it)"
  if [[ -d $STATE ]]; then
    server_env "$B2K_SOURCE_DIR/deploy/mariadb.sh" stop >/dev/null || true
    server_env "$B2K_SOURCE_DIR/deploy/kafka.sh" stop >/dev/null || true
    rm -rf "$STATE"
  fi
  mkdir -p "$STATE"
  SERVERS_STARTED=1
  log "starting MariaDB on 127.0.0.1:$MARIADB_PORT and Kafka on $BROKERS (state $STATE)"
  server_env "$B2K_SOURCE_DIR/deploy/mariadb.sh" start
  server_env "$B2K_SOURCE_DIR/deploy/kafka.sh" start
}

stop_servers() {
  server_env "$B2K_SOURCE_DIR/deploy/kafka.sh" stop || true
  server_env "$B2K_SOURCE_DIR/deploy/mariadb.sh" stop || true
}

# sql [mariadb args...] : runs SQL (from args or stdin) as the server's admin
# (unix socket), batch mode without column names.
sql() {
  mariadb --defaults-file="$MARIADB_CNF" -u "$(id -un)" -N -B "$@"
}

# "FILE POS" of the server's binlog end.
master_status() {
  sql -e 'SHOW MASTER STATUS' | awk '{print $1, $2}'
}

# -- binlog2kafka -------------------------------------------------------------

common_args() {
  printf '%s\n' \
    "--binlog2kafka.name=$SOURCE_NAME" \
    "--binlog2kafka.source=$SOURCE_URL" \
    "--binlog2kafka.source-password-file=$PASSWORD_FILE" \
    "--binlog2kafka.brokers=$BROKERS" \
    "--binlog2kafka.server-id=4343" \
    "--binlog2kafka.progress-interval=5s"
}

daemon_running() {
  [[ -n $DAEMON_PID ]] && kill -0 "$DAEMON_PID" 2>/dev/null
}

# daemon_start [extra run options...]: starts `binlog2kafka run` in the
# background, appending to $DAEMON_LOG; $DAEMON_PID is its pid.
daemon_start() {
  daemon_running && fail "daemon_start: binlog2kafka is already running (pid $DAEMON_PID)"
  local args
  mapfile -t args < <(common_args)
  DAEMON_STARTS=$((DAEMON_STARTS + 1))
  echo "--- start $DAEMON_STARTS $(date '+%F %T')" >>"$DAEMON_LOG"
  "$B2K_BINARY" run "${args[@]}" "$@" </dev/null >>"$DAEMON_LOG" 2>&1 &
  DAEMON_PID=$!
  log "binlog2kafka started (pid $DAEMON_PID, start $DAEMON_STARTS)"
}

# Prints the committed position as "FILE POS SKIP_ROWS"; fails (status 1)
# when there is none yet.
committed_position() {
  local args out
  mapfile -t args < <(common_args)
  out=$("$B2K_BINARY" position "${args[@]}" 2>&1) || { echo "$out"; return 1; }
  position_fields "$out"
}

# "FILE POS SKIP_ROWS" of a commit-log value (JSON).
position_fields() {
  python3 -c 'import json,sys; p=json.loads(sys.argv[1]); print(p["file"], p["pos"], p["skip_rows"])' "$1"
}

# Succeeds when the daemon is alive and has written a position (the first
# start from an empty commit log writes where it starts).
daemon_has_position() {
  daemon_running || { echo "binlog2kafka (pid $DAEMON_PID) is not running"; return 1; }
  committed_position >/dev/null
}

# Starts the daemon and waits until it committed its start position, so that
# writes made after this returns are read.
daemon_start_ready() {
  daemon_start "$@"
  local deadline=$((SECONDS + 60))
  until daemon_has_position >/dev/null 2>&1; do
    if ! daemon_running; then
      local rc=0
      wait "$DAEMON_PID" || rc=$?
      DAEMON_PID=
      tail -n 20 "$DAEMON_LOG" >&2
      fail "binlog2kafka exited with status $rc during start"
    fi
    ((SECONDS < deadline)) || fail "binlog2kafka wrote no start position within 60s"
    sleep 0.2
  done
  log "binlog2kafka is up: committed position $(committed_position)"
}

daemon_kill9() {
  daemon_running || fail "daemon_kill9: binlog2kafka is not running"
  kill -KILL "$DAEMON_PID"
  wait "$DAEMON_PID" 2>/dev/null || true
  echo "--- killed with SIGKILL $(date '+%F %T')" >>"$DAEMON_LOG"
  log "binlog2kafka (pid $DAEMON_PID) killed with SIGKILL"
  DAEMON_PID=
}

# daemon_stop [TIMEOUT]: SIGTERM and wait; sets DAEMON_RC to the exit status
# (fails the test if it does not exit within TIMEOUT seconds, default 60).
daemon_stop() {
  local timeout=${1:-60}
  daemon_running || fail "daemon_stop: binlog2kafka is not running"
  kill -TERM "$DAEMON_PID"
  local deadline=$((SECONDS + timeout))
  while kill -0 "$DAEMON_PID" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      kill -KILL "$DAEMON_PID" 2>/dev/null || true
      fail "binlog2kafka (pid $DAEMON_PID) did not exit within ${timeout}s of SIGTERM"
    fi
    sleep 0.1
  done
  DAEMON_RC=0
  wait "$DAEMON_PID" || DAEMON_RC=$?
  log "binlog2kafka (pid $DAEMON_PID) exited with status $DAEMON_RC after SIGTERM"
  DAEMON_PID=
}

# Succeeds when the committed position is the server's binlog end (every
# row written so far is acknowledged by Kafka).
caught_up() {
  local pos end
  pos=$(committed_position) || { echo "no committed position: $pos"; return 1; }
  end=$(master_status)
  [[ "$pos" == "$end 0" ]] || { echo "committed $pos, server at $end"; return 1; }
}

wait_caught_up() {
  local timeout=${1:-120}
  wait_for "$timeout" "binlog2kafka caught up with the server's binlog end" caught_up
  log "caught up: committed position $(committed_position) = SHOW MASTER STATUS $(master_status)"
}

# Number of records in a topic (all partitions), 0 if it does not exist.
topic_count() {
  python3 "$ITEST_DIR/verify_topic.py" --brokers "$BROKERS" --topic "$1" --count
}

# The value of the last record of a topic with key $2 (empty if none).
last_value_for_key() {
  kcat -b "$BROKERS" -C -t "$1" -e -q -f '%k\t%s\n' 2>/dev/null |
    awk -F '\t' -v k="$2" '$1 == k { v = $2 } END { print v }'
}

verify() {
  python3 "$ITEST_DIR/verify_topic.py" --brokers "$BROKERS" "$@"
}

# -- TLS and prepared servers (test_tls_sasl) ----------------------------------

# start_servers_prepared SETUP [ARGS...]: like start_servers, but runs SETUP
# (e.g. one that writes certificates under $STATE) after the state of an
# earlier run is removed and before the servers start; the servers get
# B2K_MARIADB_EXTRA_CNF and B2K_KAFKA_EXTRA_PROPERTIES from the environment.
start_servers_prepared() {
  [[ -x $B2K_BINARY ]] || fail "B2K_BINARY=$B2K_BINARY is not an executable: build it first"
  command -v kcat >/dev/null || fail "kcat not found (deploy/install-deps.sh installs it)"
  command -v python3 >/dev/null || fail "python3 not found (deploy/install-deps.sh installs it)"
  if [[ -d $STATE ]]; then
    server_env "$B2K_SOURCE_DIR/deploy/mariadb.sh" stop >/dev/null || true
    server_env "$B2K_SOURCE_DIR/deploy/kafka.sh" stop >/dev/null || true
    rm -rf "$STATE"
  fi
  mkdir -p "$STATE"
  "$@"
  SERVERS_STARTED=1
  log "starting MariaDB on 127.0.0.1:$MARIADB_PORT and Kafka on $BROKERS (state $STATE)"
  server_env "$B2K_SOURCE_DIR/deploy/mariadb.sh" start
  server_env "$B2K_SOURCE_DIR/deploy/kafka.sh" start
}

# pki_ca DIR NAME: a throwaway CA, DIR/NAME.key and DIR/NAME.pem (2 days).
pki_ca() {
  command -v openssl >/dev/null || fail "openssl not found: apt-get install -y openssl"
  mkdir -p "$1"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=binlog2kafka test $2" \
    -keyout "$1/$2.key" -out "$1/$2.pem" >/dev/null 2>&1 || fail "openssl: cannot make the CA $2"
}

# pki_cert DIR CA NAME SUBJECT_ALT_NAMES [CLIENT]: a certificate signed by
# DIR/CA.pem for SUBJECT_ALT_NAMES (e.g. "DNS:localhost,IP:127.0.0.1"):
# DIR/NAME.key (PKCS#8, unencrypted) and DIR/NAME.pem. With CLIENT, a
# client certificate (extendedKeyUsage clientAuth).
pki_cert() {
  local dir=$1 ca=$2 name=$3 san=$4 usage=serverAuth
  [[ ${5:-} != client ]] || usage=clientAuth
  printf 'subjectAltName=%s\nextendedKeyUsage=%s\nbasicConstraints=CA:FALSE\n' "$san" "$usage" \
    >"$dir/$name.ext"
  if ! openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout "$dir/$name.key" \
      -out "$dir/$name.csr" >/dev/null 2>&1 ||
    ! openssl x509 -req -in "$dir/$name.csr" -CA "$dir/$ca.pem" -CAkey "$dir/$ca.key" \
      -CAcreateserial -days 2 -extfile "$dir/$name.ext" -out "$dir/$name.pem" >/dev/null 2>&1; then
    fail "openssl: cannot make the certificate $name"
  fi
  chmod 600 "$dir/$name.key"
}

# -- cleanup ------------------------------------------------------------------

# Sanitizer reports in the daemon's log or in the outputs of commands that a
# test keeps in $STATE/out/: prints the files that hold one.
sanitizer_reports() {
  local files=("$DAEMON_LOG" "$STATE"/out/*)
  grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "${files[@]}" 2>/dev/null
}

itest_cleanup() {
  local rc=$?
  set +e
  if daemon_running; then
    kill -KILL "$DAEMON_PID" 2>/dev/null
    wait "$DAEMON_PID" 2>/dev/null
  fi
  local reports
  mapfile -t reports < <(sanitizer_reports)
  if [[ ${#reports[@]} -gt 0 ]]; then
    log "FAIL: sanitizer reports in: ${reports[*]}" >&2
    grep -h -A 5 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "${reports[@]}" | head -n 40 >&2
    [[ $rc -ne 0 ]] || rc=1
  fi
  if [[ $rc -ne 0 && -f $DAEMON_LOG ]]; then
    echo "[$TEST_NAME] last lines of $DAEMON_LOG:" >&2
    tail -n 30 "$DAEMON_LOG" >&2
  fi
  if [[ $SERVERS_STARTED -eq 1 ]]; then
    if [[ ${B2K_ITEST_KEEP:-0} == 1 ]]; then
      log "B2K_ITEST_KEEP=1: servers left running; stop them with:"
      log "  B2K_STATE_DIR=$STATE deploy/kafka.sh stop; B2K_STATE_DIR=$STATE deploy/mariadb.sh stop"
    else
      stop_servers >/dev/null 2>&1
    fi
  fi
  if [[ $rc -eq 0 ]]; then
    log "PASS (${SECONDS}s)"
  else
    log "FAILED with status $rc (${SECONDS}s); state and logs in $STATE" >&2
  fi
  exit "$rc"
}
trap itest_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
