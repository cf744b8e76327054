#!/usr/bin/env bash
# MariaDB goes away twice while workload.py writes for 70 s: a clean stop
# (deploy/mariadb.sh stop) for 10 s, then a kill -9 of mariadbd for 6 s (crash
# recovery, a new binlog file), each time started again. The workload
# reconnects by itself; binlog2kafka must not exit: its reader logs a line per
# reconnection attempt, reconnects by itself once the server is back, and
# resumes from the released position. Once the workload ended and the daemon
# caught up, cdc_audit.py: 0 missing, 0 phantoms, per-key order kept;
# duplicates counted.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
faults_trap

mariadb_ctl() { server_env "$B2K_SOURCE_DIR/deploy/mariadb.sh" "$@"; }
attempt_lines() { grep -c 'reconnecting in' "$DAEMON_LOG" || true; }

OUTAGES=()
# outage HOW SECONDS: stop | kill9 the server for that long, start it again,
# and wait until the reader has reconnected.
outage() {
  local how=$1 secs=$2 attempts0 connected0 t_up
  attempts0=$(attempt_lines)
  connected0=$(connected_count)
  log "MariaDB $how for ${secs}s (workload at $(workload_field tx) tx)"
  if [[ $how == stop ]]; then
    mariadb_ctl stop
  else
    local pid
    pid=$(mariadb_pid)
    [[ -n $pid ]] || fail "no mariadbd pid"
    kill -KILL "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    log "mariadbd (pid $pid) killed with SIGKILL"
  fi
  sleep "$secs"
  daemon_running || fail "binlog2kafka exited while MariaDB was down (see $DAEMON_LOG)"
  local during=$(($(attempt_lines) - attempts0))
  ((during >= 1)) || fail "no reconnection attempt logged during the ${secs}s outage"
  mariadb_ctl start
  t_up=$SECONDS
  wait_for 120 "the reader reconnected after MariaDB's $how" reader_connected_since "$connected0"
  daemon_running || fail "binlog2kafka exited"
  local attempts=$(($(attempt_lines) - attempts0))
  OUTAGES+=("$how ${secs}s: $attempts reconnection attempt line(s) logged ($during while down), reconnected $((SECONDS - t_up))s after the server was up")
  log "${OUTAGES[-1]}"
  grep 'reconnecting in' "$DAEMON_LOG" | tail -n "$attempts" | sed "s/^/[$TEST_NAME]     /"
}

start_servers
workload_setup
daemon_start_ready

workload_start --seed 23 --rate 100 --duration 70 --large-rows 20000 --large-at 30
sleep 8 # the pipeline streams for a while before the first outage
outage stop 10
sleep 8
outage kill9 6
workload_wait 240
daemon_running || fail "binlog2kafka exited"
[[ $DAEMON_STARTS -eq 1 ]] || fail "binlog2kafka was started $DAEMON_STARTS times"
wait_caught_up 300
log "binlog files: $(sql -e 'SHOW BINARY LOGS' | awk '{printf "%s ", $1}')"
audit --wait 60
[[ $AUDIT_RC -eq 0 ]] || fail "the audit failed: missing $AUDIT_MISSING, phantoms $AUDIT_PHANTOMS, out of order $AUDIT_OUT_OF_ORDER"
reconnects=$(($(connected_count) - 1))
workload_reconnects=$(grep -c 'reconnected after' "$WORKLOAD_LOG" || true)
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "binlog2kafka exited with status $DAEMON_RC after SIGTERM, expected 0"
printf '%s\n' "${OUTAGES[@]}" | sed "s/^/[$TEST_NAME]   /"
log "SUMMARY mariadb_restart: outages=2 (stop 10s, kill -9 6s) missing=0 duplicates=$AUDIT_DUPLICATES changes=$AUDIT_CHANGES records=$AUDIT_RECORDS daemon_restarts=0 reader_reconnects=$reconnects attempts_logged=$(attempt_lines) workload_reconnects=$workload_reconnects seconds=$((SECONDS - T0))"
