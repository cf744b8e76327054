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
#                       test ports (default 23306, 29092, 29093; +100 in
#                       ctest's second servers slot)
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
# shellcheck source=tests/integration/ports.sh
source "$ITEST_DIR/ports.sh"
MARIADB_PORT=${B2K_ITEST_MARIADB_PORT:-$(itest_port 23306)}
KAFKA_PORT=${B2K_ITEST_KAFKA_PORT:-$(itest_port 29092)}
KAFKA_CONTROLLER_PORT=${B2K_ITEST_KAFKA_CONTROLLER_PORT:-$(itest_port 29093)}
BROKERS=127.0.0.1:$KAFKA_PORT
STATE=$B2K_BUILD_DIR/itest/$TEST_NAME
MARIADB_CNF=$STATE/mariadb/my.cnf
PASSWORD_FILE=$STATE/mariadb/b2k.password
SOURCE_URL=mysql://b2k@127.0.0.1:$MARIADB_PORT
HTTP_PORT=${B2K_ITEST_HTTP_PORT:-$(itest_port 28585)}
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

# The tests written before snapshots existed expect changes only: they run
# with snapshot = never unless B2K_ITEST_SNAPSHOT says otherwise.
common_args() {
  printf '%s\n' \
    "--binlog2kafka.name=$SOURCE_NAME" \
    "--binlog2kafka.source=$SOURCE_URL" \
    "--binlog2kafka.source-password-file=$PASSWORD_FILE" \
    "--binlog2kafka.brokers=$BROKERS" \
    "--binlog2kafka.server-id=${B2K_ITEST_SERVER_ID:-4343}" \
    "--binlog2kafka.progress-interval=5s" \
    "--binlog2kafka.snapshot=${B2K_ITEST_SNAPSHOT:-never}"
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

# write_cli_config FILE: the pipeline's settings as a config file, for
# commands such as `binlog2kafka snapshot` that read one.
write_cli_config() {
  cat >"$1" <<EOF
[binlog2kafka]
name = "$SOURCE_NAME"
source = "$SOURCE_URL"
source-password-file = "$PASSWORD_FILE"
brokers = "$BROKERS"
EOF
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

# -- stops (test_source_settings, test_kafka_acl, test_topic_deleted) ---------

# A line of the daemon's log at error level or above.
ERRLINE='^[0-9T:.-]+ (error|critical) '

# Lines of the daemon's log after line $1 that match $2.
log_since() { tail -n +$(($1 + 1)) "$DAEMON_LOG" | grep -E "$2" || true; }

# has_line [GREP OPTIONS] PATTERN: a line of stdin matches. Unlike `grep -q`
# it reads all of stdin: grep's exit at the first match cuts off the writer
# (tail's SIGPIPE, curl's write error 23), and pipefail then turns a match
# into a failure.
has_line() { local n; n=$(grep -c "$@") || true; [[ ${n:-0} -gt 0 ]]; }
export -f has_line

# expect_stop MARK: the daemon exits by itself within 60 s, non-zero, with
# exactly one error line after log line MARK; sets STOP_LINE to it.
expect_stop() {
  local deadline=$((SECONDS + 60)) rc=0
  while daemon_running && ((SECONDS < deadline)); do sleep 0.2; done
  daemon_running && fail "binlog2kafka still runs 60s after the change"
  wait "$DAEMON_PID" || rc=$?
  DAEMON_PID=
  STOP_LINE=$(log_since "$1" "$ERRLINE")
  log "exit status $rc; error line: $STOP_LINE"
  [[ $rc -ne 0 ]] || fail "binlog2kafka exited with status 0"
  [[ -n $STOP_LINE ]] || fail "no error line in the log"
  [[ $(wc -l <<<"$STOP_LINE") -eq 1 ]] || fail "$(wc -l <<<"$STOP_LINE") error lines, expected one"
}

# -- Kafka with SASL users and an authorizer (test_kafka_acl) ------------------

# kafka_sasl_acl_properties SASL_PORT USER PASSWORD: server.properties lines
# for B2K_KAFKA_EXTRA_PROPERTIES (start_servers_prepared) that add a
# SASL_PLAINTEXT listener on 127.0.0.1:SASL_PORT with the SASL/PLAIN user
# USER, and KRaft's StandardAuthorizer. The PLAINTEXT listener and the
# controller stay for the test's own tools (kcat, kafka.sh): their principal,
# User:ANONYMOUS, is a super user; USER may do what ACLs allow (kafka_acl).
kafka_sasl_acl_properties() {
  local port=$1 user=$2 password=$3
  printf '%s\n' \
    "listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,SASL_PLAINTEXT://127.0.0.1:$port" \
    "advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL_PLAINTEXT://127.0.0.1:$port" \
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT" \
    "listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN" \
    "listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$user=\"$password\";" \
    "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer" \
    "super.users=User:ANONYMOUS"
}

# kafka_acl ARGS...: kafka-acls.sh (kafka.admin.AclCommand) on the PLAINTEXT
# listener, e.g. kafka_acl --add --deny-principal User:b2k --operation Write
# --topic T; output in $STATE/acl.log.
kafka_acl() {
  echo "--- kafka-acls $*" >>"$STATE/acl.log"
  server_env "$B2K_SOURCE_DIR/deploy/kafka.sh" class kafka.admin.AclCommand \
    --bootstrap-server "$BROKERS" --force "$@" >>"$STATE/acl.log" 2>&1 ||
    { tail -n 5 "$STATE/acl.log" >&2; fail "kafka-acls $* failed"; }
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

# exit_trap_first CLEANUP [LAST]: on exit, CLEANUP (the test's own
# processes) and then LAST (itest_cleanup by default), which reads the test's
# exit status from $?. `set +e` first: under set -e, handing the status on
# with `(exit $rc)` ends the trap right there when the test failed.
exit_trap_first() {
  trap "rc=\$?; set +e; $1; (exit \$rc); ${2:-itest_cleanup}" EXIT
}
trap 'exit 143' TERM

# -- fault tests: workload, audit, faults (new functions; the fault tests
# test_chaos_kill9, test_broker_restart, test_mariadb_restart,
# test_network_cut, test_exactly_once, test_purged_position use them) --------
#
# faults_trap replaces the EXIT trap with faults_cleanup, which stops the
# workload and the TCP proxy (by their pids) and then runs itest_cleanup with
# the test's exit status.

WORKLOAD_PID=
WORKLOAD_LOG=$STATE/workload.log
WORKLOAD_STATUS=$STATE/workload.status
PROXY_PID=
PROXY_PORT=
PROXY_CONTROL=$STATE/proxy.sock
# Set by audit(): the counts of the last audit's RESULT line.
AUDIT_RC=
AUDIT_MISSING=
AUDIT_DUPLICATES=
AUDIT_PHANTOMS=
AUDIT_OUT_OF_ORDER=
AUDIT_CHANGES=
AUDIT_RECORDS=

# stop_pid PID [TIMEOUT]: SIGTERM, then SIGKILL after TIMEOUT seconds (5).
stop_pid() {
  local pid=$1 timeout=${2:-5}
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + timeout))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

faults_cleanup() {
  local rc=$?
  set +e
  stop_pid "$WORKLOAD_PID"
  WORKLOAD_PID=
  stop_pid "$PROXY_PID"
  PROXY_PID=
  (exit "$rc")
  itest_cleanup
}

faults_trap() {
  trap faults_cleanup EXIT
}

# workload_setup: audit.changes and the cdc.* tables with their audit
# triggers (tests/integration/workload.py).
workload_setup() {
  python3 "$ITEST_DIR/workload.py" setup --defaults-file="$MARIADB_CNF" --user="$(id -un)"
}

# workload_start [workload.py run options...]: in the background, output to
# $WORKLOAD_LOG; $WORKLOAD_PID is its pid.
workload_start() {
  rm -f "$WORKLOAD_STATUS"
  python3 "$ITEST_DIR/workload.py" run --defaults-file="$MARIADB_CNF" --user="$(id -un)" \
    --status-file="$WORKLOAD_STATUS" "$@" >>"$WORKLOAD_LOG" 2>&1 &
  WORKLOAD_PID=$!
  log "workload started (pid $WORKLOAD_PID): $*"
}

workload_running() {
  [[ -n $WORKLOAD_PID ]] && kill -0 "$WORKLOAD_PID" 2>/dev/null
}

# workload_field NAME: a field of the workload's status file (empty if none).
workload_field() {
  python3 -c 'import json,sys
try:
    print(json.load(open(sys.argv[1]))[sys.argv[2]])
except Exception:
    print("")' "$WORKLOAD_STATUS" "$1"
}

# workload_wait [TIMEOUT]: waits for the workload to end (default 600 s);
# fails the test if it exits non-zero.
workload_wait() {
  local timeout=${1:-600} rc=0
  local deadline=$((SECONDS + timeout))
  while workload_running; do
    ((SECONDS < deadline)) || fail "the workload did not end within ${timeout}s"
    sleep 0.2
  done
  wait "$WORKLOAD_PID" || rc=$?
  WORKLOAD_PID=
  tail -n 1 "$WORKLOAD_LOG" | sed "s/^/[$TEST_NAME] /"
  [[ $rc -eq 0 ]] || { tail -n 20 "$WORKLOAD_LOG" >&2; fail "the workload exited with status $rc"; }
}

# audit [cdc_audit.py options...]: audits the workload's tables against their
# topics; output in $STATE/audit.N.txt and on stdout; sets AUDIT_RC and the
# AUDIT_* counts. Does not fail the test by itself.
AUDIT_N=0
# shellcheck disable=SC2034 # the AUDIT_* counts are for the tests
audit() {
  AUDIT_N=$((AUDIT_N + 1))
  local out=$STATE/audit.$AUDIT_N.txt
  AUDIT_RC=0
  AUDIT_MISSING='?' AUDIT_DUPLICATES='?' AUDIT_PHANTOMS='?' AUDIT_OUT_OF_ORDER='?' AUDIT_CHANGES='?' AUDIT_RECORDS='?'
  python3 "$ITEST_DIR/cdc_audit.py" --defaults-file="$MARIADB_CNF" --user="$(id -un)" \
    --brokers "$BROKERS" --prefix "$SOURCE_NAME" --json "$STATE/audit.$AUDIT_N.json" "$@" \
    >"$out" 2>&1 || AUDIT_RC=$?
  sed "s/^/[$TEST_NAME] /" "$out"
  local result
  result=$(grep '^cdc_audit: RESULT' "$out" | tail -n 1)
  if [[ -z $result ]]; then # cdc_audit.py could not audit (status 2)
    ((AUDIT_RC != 0)) || AUDIT_RC=2
    return 0
  fi
  _audit_count() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$result"; }
  AUDIT_MISSING=$(_audit_count missing)
  AUDIT_DUPLICATES=$(_audit_count duplicates)
  AUDIT_PHANTOMS=$(_audit_count phantoms)
  AUDIT_OUT_OF_ORDER=$(_audit_count out_of_order)
  AUDIT_CHANGES=$(_audit_count changes)
  AUDIT_RECORDS=$(_audit_count records)
}

# What the daemon (started with --binlog2kafka.http-listen=127.0.0.1:$HTTP_PORT)
# holds in flight, from one status sample (taken once a second): "in flight:
# ..." when read batches wait for release or the reader read beyond the
# released position, else "nothing in flight: ..."; fails when it does not
# answer.
inflight_state() {
  curl -s --max-time 5 "http://127.0.0.1:$HTTP_PORT/status.json" 2>/dev/null |
    python3 -c 'import json,sys
s = json.load(sys.stdin)
r, w = s["reader"]["position"], s["watcher"]
rel = w["released"]
def key(p): return (int((p.get("file") or ".0").rsplit(".", 1)[1]), p.get("pos") or 0)
waiting = w["waiting_batches"]
what = "%d batches waiting, read up to %s:%s, released %s:%s" % (
    waiting, r.get("file"), r.get("pos"), rel.get("file"), rel.get("pos"))
busy = w["waiting_batches"] > 0 or (r.get("file") and key(r) > key(rel))
print(("in flight: " if busy else "nothing in flight: ") + what)' 2>/dev/null
}

# daemon_metric NAME: the value of binlog2kafka_NAME on /metrics of the
# daemon started with --binlog2kafka.http-listen=127.0.0.1:$HTTP_PORT
# (sampled once a second); fails when it does not answer or has no such
# metric.
daemon_metric() {
  local v
  v=$(curl -s --max-time 5 "http://127.0.0.1:$HTTP_PORT/metrics" 2>/dev/null |
    awk -v m="binlog2kafka_$1" '!found && $1 ~ "^" m "[{]" { print $2; found = 1 }')
  [[ -n $v ]] && echo "$v"
}

# "FILE POS" the reader has read up to (status page, sampled once a second).
reader_position() {
  curl -s --max-time 5 "http://127.0.0.1:$HTTP_PORT/status.json" 2>/dev/null |
    python3 -c 'import json,sys
p = json.load(sys.stdin)["reader"]["position"]
print(p["file"], p["pos"]) if p.get("file") else sys.exit(1)' 2>/dev/null
}

# "FILE POS" -> a number that orders positions (file sequence, offset).
pos_key() { awk '{ split($1, f, "."); printf "%d%012d\n", f[2], $2 }' <<<"$1"; }

# Number of "reader: connected" lines in the daemon's log so far.
connected_count() {
  grep -c 'reader: connected' "$DAEMON_LOG" 2>/dev/null || true
}

# reader_connected_since N: the log has more than N "reader: connected" lines.
reader_connected_since() {
  (($(connected_count) > $1))
}

# Resident set size of a process in kB (empty if it is gone).
rss_kb() {
  awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || true
}

# The end offset (next offset to be written) of partition 0 of a topic; 0 if
# the topic does not exist yet.
topic_end_offset() {
  local out
  out=$(kcat -b "$BROKERS" -Q -t "$1:0:-1" 2>/dev/null) || { echo 0; return 0; }
  sed -n 's/.* offset \([0-9]*\)$/\1/p' <<<"$out" | grep . || echo 0
}

# kafka_pid: the broker's pid (empty if it is not running).
kafka_pid() {
  local f=$STATE/kafka/kafka.pid
  [[ -r $f ]] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"
  return 0
}

# mariadb_pid: mariadbd's pid (empty if it is not running).
mariadb_pid() {
  local f=$STATE/mariadb/mariadb.pid
  [[ -r $f ]] && kill -0 "$(tr -dc '0-9' <"$f")" 2>/dev/null && tr -dc '0-9' <"$f"
  return 0
}

# proxy_start LISTEN_PORT: tests/integration/tcp_proxy.py from LISTEN_PORT
# to MariaDB, controlled through $PROXY_CONTROL (proxy_ctl).
proxy_start() {
  PROXY_PORT=$1
  rm -f "$PROXY_CONTROL"
  python3 "$ITEST_DIR/tcp_proxy.py" --listen "127.0.0.1:$PROXY_PORT" \
    --target "127.0.0.1:$MARIADB_PORT" --control "$PROXY_CONTROL" >>"$STATE/proxy.log" 2>&1 &
  PROXY_PID=$!
  wait_for 20 "the TCP proxy listens on $PROXY_PORT" proxy_ctl status
  log "TCP proxy 127.0.0.1:$PROXY_PORT -> 127.0.0.1:$MARIADB_PORT started (pid $PROXY_PID)"
}

# proxy_ctl COMMAND: a tcp_proxy.py command (cut, cut-after N, cut-on TEXT,
# kill-on PID TEXT, disarm, blackhole, heal, status); prints the reply.
proxy_ctl() {
  python3 "$ITEST_DIR/tcp_proxy.py" --control "$PROXY_CONTROL" --send "$1"
}

# -- kill -9 chaos (test_chaos_kill9, test_exactly_once) ----------------------
#
# chaos_kill_loop: while the workload runs (and until CHAOS_MIN_KILLS kills),
# kill -9 binlog2kafka at random moments and start it again at once with
# "${CHAOS_DAEMON_ARGS[@]}", which must hold "$CHAOS_HTTP_ARG" (the loop
# reads the status page). The moments come from bash's RANDOM, seeded with
# the caller's seed (RANDOM=$CHAOS_SEED). A quarter of the kills wait
# for the previous restart to connect (a kill during the catch-up).
# Every kill must prove itself: a kill counts as "in flight" when the status
# sample just before it (at most a second old) shows records read and not
# yet released (batches waiting, or read beyond the released position); the
# loop fails with fewer than CHAOS_MIN_INFLIGHT such kills.
# With CHAOS_LARGE_ROWS > 0 the daemon must read MariaDB through the TCP
# proxy (proxy_start, and --binlog2kafka.source pointing at it): the proxy
# kills it (kill-on) when row CHAOS_LARGE_ROWS/2 of the workload's large
# transaction passes, i.e. in the middle of that transaction however fast it
# streams, and again when row 9/10 of it passes while the restart reads it
# again; the loop goes on until both happened and fails if they did not.
# With CHAOS_COMMIT_KILLS > 0 (exactly-once, CHAOS_DAEMON_ARGS with
# --binlog2kafka.log-level=debug) that many kills, while the workload runs,
# come the moment the daemon logs "committing Kafka transaction N"
# (tests/integration/kill_on_log.py); one counts as inside the commit when
# "committed Kafka transaction N" never followed. The first, third, ... of
# them freeze the broker (SIGSTOP) before the line and until after the kill,
# so the EndTxn cannot be answered first however slowly a loaded machine
# lets the kill follow; the others kill on a live broker, where the commit
# often ends first (it takes some 10-90 ms; the kill may lag that much under
# load). The loop fails if fewer than CHAOS_COMMIT_KILLS were done before
# the workload ended, or fewer than CHAOS_MIN_COMMIT_HITS landed inside the
# commit (default: the number of frozen ones, which cannot miss).
# Sets CHAOS_KILLS, CHAOS_INFLIGHT_KILLS, CHAOS_COMMIT_HITS and CHAOS_NOTES
# (one line per kill).
CHAOS_MIN_KILLS=10
CHAOS_MIN_INFLIGHT=3
CHAOS_LARGE_ROWS=0
CHAOS_COMMIT_KILLS=0
CHAOS_MIN_COMMIT_HITS=
CHAOS_HTTP_ARG=--binlog2kafka.http-listen=127.0.0.1:$HTTP_PORT
CHAOS_DAEMON_ARGS=()
CHAOS_KILLS=0
CHAOS_INFLIGHT_KILLS=0
CHAOS_COMMIT_DONE=0
CHAOS_COMMIT_HITS=0
CHAOS_LAST_INFLIGHT=
CHAOS_NOTES=()
CHAOS_LARGE_STAGE=0 # 0: kill at row 1/2, 1: kill at row 9/10 on re-read, 2: done
CHAOS_CONNECTED_BEFORE=0

# chaos_rand_ms LOW HIGH: a random number of milliseconds in [LOW, HIGH].
chaos_rand_ms() { echo $(($1 + RANDOM % ($2 - $1 + 1))); }

chaos_large_pattern() {
  case $CHAOS_LARGE_STAGE in
    0) echo "bulk-$((CHAOS_LARGE_ROWS / 2))-" ;;
    1) echo "bulk-$((CHAOS_LARGE_ROWS * 9 / 10))-" ;;
  esac
}

chaos_arm() {
  ((CHAOS_LARGE_ROWS > 0 && CHAOS_LARGE_STAGE < 2)) || return 0
  [[ -n $PROXY_PID ]] || fail "chaos_kill_loop: CHAOS_LARGE_ROWS needs the TCP proxy (proxy_start)"
  proxy_ctl "kill-on $DAEMON_PID $(chaos_large_pattern)" >/dev/null
}

chaos_restart() {
  CHAOS_CONNECTED_BEFORE=$(connected_count)
  daemon_start "${CHAOS_DAEMON_ARGS[@]}"
  chaos_arm
}

chaos_note() {
  CHAOS_NOTES+=("kill $CHAOS_KILLS at +$((SECONDS - T0))s ($1): $CHAOS_LAST_INFLIGHT; workload at $(workload_field tx) tx, large transaction $(workload_field large)")
  log "${CHAOS_NOTES[-1]}"
}

# chaos_kill_restart WHY: kill -9, then start again at once. The status
# sample just before the kill tells whether data was in flight.
chaos_kill_restart() {
  chaos_check_alive
  local state
  state=$(inflight_state) || state="status page did not answer"
  if ! daemon_running; then
    # The proxy killed it while the status was read (seconds on a busy
    # machine): that kill is this round's.
    chaos_check_alive
    return 0
  fi
  CHAOS_KILLS=$((CHAOS_KILLS + 1))
  daemon_kill9
  [[ $state != "in flight: "* ]] || CHAOS_INFLIGHT_KILLS=$((CHAOS_INFLIGHT_KILLS + 1))
  CHAOS_LAST_INFLIGHT=$state
  chaos_note "$1"
  chaos_restart
}

# chaos_kill_in_commit: kill -9 the moment the daemon logs that it commits a
# Kafka transaction (skipping 0-2 of them; every other time with the broker
# frozen from before that line until after the kill), then start it again.
chaos_kill_in_commit() {
  chaos_check_alive
  local offset line rc=0 pid=$DAEMON_PID n freeze=() how="on a live broker"
  if ((CHAOS_COMMIT_DONE % 2 == 0)); then
    freeze=(--freeze-pid "$(kafka_pid)")
    [[ -n ${freeze[1]} ]] || fail "chaos_kill_in_commit: the broker is not running"
    how="with the broker frozen"
  fi
  offset=$(stat -c %s "$DAEMON_LOG")
  # (Frozen: no skip, and a short timeout, as a commit under way when the
  # broker froze holds back the next one.)
  line=$(python3 "$ITEST_DIR/kill_on_log.py" --log "$DAEMON_LOG" --offset "$offset" --pid "$pid" \
    --pattern 'producer: committing Kafka transaction' "${freeze[@]}" \
    --skip $((${#freeze[@]} ? 0 : RANDOM % 3)) --timeout $((${#freeze[@]} ? 5 : 30))) || rc=$?
  if ((rc != 0)); then
    log "no Kafka transaction commit to kill at ($how): $line"
    chaos_check_alive # the proxy may have killed it meanwhile
    return 0
  fi
  wait "$pid" 2>/dev/null || true
  echo "--- killed with SIGKILL at a Kafka transaction commit ($how) $(date '+%F %T')" >>"$DAEMON_LOG"
  DAEMON_PID=
  CHAOS_KILLS=$((CHAOS_KILLS + 1))
  CHAOS_COMMIT_DONE=$((CHAOS_COMMIT_DONE + 1))
  n=$(sed -n 's/.*committing Kafka transaction \([0-9]*\) .*/\1/p' <<<"$line")
  if tail -c +$((offset + 1)) "$DAEMON_LOG" | has_line "producer: committed Kafka transaction $n\$"; then
    CHAOS_LAST_INFLIGHT="Kafka transaction $n had committed already"
  else
    CHAOS_COMMIT_HITS=$((CHAOS_COMMIT_HITS + 1))
    CHAOS_INFLIGHT_KILLS=$((CHAOS_INFLIGHT_KILLS + 1))
    CHAOS_LAST_INFLIGHT="inside the commit of Kafka transaction $n (its end never logged)"
  fi
  log "log line at the kill: $line"
  chaos_note "at a Kafka transaction commit, $how"
  chaos_restart
}

# Fails if the daemon died, unless the proxy killed it (then counts the kill
# and restarts it).
chaos_check_alive() {
  daemon_running && return 0
  local pid=$DAEMON_PID i by_proxy=0
  # (The proxy logs right after its kill; give the line up to 5 s on a busy
  # machine.)
  for ((i = 0; i < 50; i++)); do
    grep -q "sent SIGKILL to pid $pid\b" "$STATE/proxy.log" 2>/dev/null && { by_proxy=1; break; }
    sleep 0.1
  done
  if ((by_proxy)); then
    wait "$pid" 2>/dev/null || true
    echo "--- killed with SIGKILL by the TCP proxy $(date '+%F %T')" >>"$DAEMON_LOG"
    DAEMON_PID=
    CHAOS_KILLS=$((CHAOS_KILLS + 1))
    # The proxy kills as a row of the large transaction passes: read and,
    # the transaction being unfinished, not committed.
    CHAOS_INFLIGHT_KILLS=$((CHAOS_INFLIGHT_KILLS + 1))
    CHAOS_LAST_INFLIGHT="in flight: inside the large transaction"
    if ((CHAOS_LARGE_STAGE == 0)); then
      chaos_note "by the proxy, as row $((CHAOS_LARGE_ROWS / 2)) of the large transaction passed"
    else
      chaos_note "by the proxy, as row $((CHAOS_LARGE_ROWS * 9 / 10)) of the large transaction passed again"
    fi
    CHAOS_LARGE_STAGE=$((CHAOS_LARGE_STAGE + 1))
    chaos_restart
    return 0
  fi
  fail "binlog2kafka (pid $pid) exited by itself during the chaos (see $DAEMON_LOG)"
}

# chaos_wait_ms MS: lets MS milliseconds pass, restarting the daemon at once
# if the proxy kills it meanwhile.
chaos_wait_ms() {
  local deadline=$((${EPOCHREALTIME/./} / 1000 + $1))
  while ((${EPOCHREALTIME/./} / 1000 < deadline)); do
    chaos_check_alive
    sleep 0.1
  done
  chaos_check_alive
}

# Waits (60 s at most) for the restarted daemon to connect.
chaos_wait_connected() {
  local deadline=$((SECONDS + 60))
  until reader_connected_since "$CHAOS_CONNECTED_BEFORE"; do
    chaos_check_alive
    ((SECONDS < deadline)) || fail "the restarted binlog2kafka did not connect within 60s"
    sleep 0.1
  done
}

chaos_large_pending() { ((CHAOS_LARGE_ROWS > 0 && CHAOS_LARGE_STAGE < 2)); }

chaos_kill_loop() {
  local t_start=$SECONDS
  [[ " ${CHAOS_DAEMON_ARGS[*]} " == *" $CHAOS_HTTP_ARG "* ]] ||
    fail "chaos_kill_loop: CHAOS_DAEMON_ARGS must hold $CHAOS_HTTP_ARG (the loop reads the status page)"
  # The running daemon has connected already (daemon_start_ready).
  CHAOS_CONNECTED_BEFORE=$(($(connected_count) - 1))
  chaos_arm
  while workload_running || ((CHAOS_KILLS < CHAOS_MIN_KILLS)) || chaos_large_pending; do
    ((SECONDS - t_start < 600)) || fail "chaos did not finish within 600s ($CHAOS_KILLS kills, proxy kills in the large transaction $CHAOS_LARGE_STAGE of 2)"
    if workload_running; then
      chaos_wait_ms "$(chaos_rand_ms 1500 4500)"
    else
      # The workload ended before enough kills: kill during the catch-up.
      chaos_wait_ms "$(chaos_rand_ms 300 2000)"
    fi
    if ((CHAOS_COMMIT_DONE < CHAOS_COMMIT_KILLS)) && workload_running && ((RANDOM % 2 == 0)); then
      chaos_kill_in_commit
    elif ((RANDOM % 4 == 0)); then
      chaos_wait_connected
      chaos_wait_ms "$(chaos_rand_ms 0 500)"
      chaos_kill_restart "just after the restart connected"
    else
      chaos_kill_restart "at a random moment"
    fi
  done
  log "chaos: $CHAOS_KILLS kills, $CHAOS_INFLIGHT_KILLS with data in flight, proxy kills in the large transaction $CHAOS_LARGE_STAGE, kills inside a Kafka transaction commit $CHAOS_COMMIT_HITS of $CHAOS_COMMIT_DONE timed at one"
  ((CHAOS_INFLIGHT_KILLS >= CHAOS_MIN_INFLIGHT)) ||
    fail "only $CHAOS_INFLIGHT_KILLS of $CHAOS_KILLS kills hit data in flight (at least $CHAOS_MIN_INFLIGHT needed): the kills proved nothing"
  ((CHAOS_COMMIT_DONE >= CHAOS_COMMIT_KILLS)) ||
    fail "only $CHAOS_COMMIT_DONE of $CHAOS_COMMIT_KILLS kills at a Kafka transaction commit were done before the workload ended"
  local min_hits=${CHAOS_MIN_COMMIT_HITS:-$(((CHAOS_COMMIT_KILLS + 1) / 2))}
  ((CHAOS_COMMIT_HITS >= min_hits)) ||
    fail "only $CHAOS_COMMIT_HITS kills of $CHAOS_COMMIT_DONE landed inside a Kafka transaction commit (at least $min_hits needed)"
}

# caught_up_rows: like caught_up, but events that belong to no transaction
# (Binlog_checkpoint, Format_desc, Gtid_list, Rotate, Stop) may follow the
# committed position: MariaDB writes a Binlog_checkpoint on its own, e.g.
# after the XA COMMIT of a transaction prepared in an earlier binlog file, and
# binlog2kafka's position does not move past it until the next transaction.
caught_up_rows() {
  local pos file off
  pos=$(committed_position) || { echo "no committed position: $pos"; return 1; }
  read -r file off _ <<<"$pos"
  [[ $(awk '{print $3}' <<<"$pos") == 0 ]] || { echo "committed $pos is inside a transaction"; return 1; }
  local f others=
  for f in $(sql -e "SHOW BINARY LOGS" | awk '{print $1}'); do
    [[ $f < $file ]] && continue
    if [[ $f == "$file" ]]; then
      others+=$(sql -e "SHOW BINLOG EVENTS IN '$f' FROM $off" | awk -F '\t' '$3 !~ /^(Binlog_checkpoint|Format_desc|Gtid_list|Rotate|Stop)$/ {print $3 "@" $2 " "}')
    else
      others+=$(sql -e "SHOW BINLOG EVENTS IN '$f'" | awk -F '\t' -v f="$f" '$3 !~ /^(Binlog_checkpoint|Format_desc|Gtid_list|Rotate|Stop)$/ {print f ":" $3 "@" $2 " "}')
    fi
  done
  [[ -z $others ]] || { echo "committed $pos; events after it: $(head -c 300 <<<"$others")"; return 1; }
}
