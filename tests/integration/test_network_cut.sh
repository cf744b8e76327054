#!/usr/bin/env bash
# The network between binlog2kafka and MariaDB breaks while workload.py writes
# for 80 s. binlog2kafka reaches MariaDB through tcp_proxy.py (loopback), with
# heartbeat 1s and read-timeout 5s:
#   1. cut: every connection closed at once; the reader must reconnect by
#      itself;
#   2. cut again when row 10,000 of the workload's 20,000-row transaction
#      passes the proxy (its value 'bulk-10000-'): a binlog connection
#      dropped in the middle of a transaction (failure mode 3);
#   3. blackhole for 30 s: connections stay open but silent and new ones are
#      accepted and never answered (a half-open or frozen server: failure
#      mode 4). The reader must notice within read-timeout (5 s, 15 s
#      allowed) and keep trying (a log line per attempt) instead of hanging;
#      after heal it reconnects.
# binlog2kafka must not exit. Once the workload ended and the daemon caught
# up, cdc_audit.py: 0 missing, 0 phantoms, per-key order kept.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
faults_trap

PROXY_LISTEN=${B2K_ITEST_PROXY_PORT:-$((MARIADB_PORT + 1))}
READ_TIMEOUT=5
NOTICE_LIMIT=15
BLACKHOLE_SECS=30
LARGE_ROWS=20000

attempt_lines() { grep -c 'reconnecting in' "$DAEMON_LOG" || true; }
attempts_since() { (($(attempt_lines) > $1)); }
proxy_cuts() { proxy_ctl status | python3 -c 'import json,sys; print(json.load(sys.stdin)["cuts"])'; }
cuts_above() { (($(proxy_cuts) > $1)); }

RESULTS=()
# cut_and_reconnect WHY [PROXY_COMMAND]: cut every connection (or arm
# cut-after); the reader must reconnect.
cut_and_reconnect() {
  local connected0 attempts0 t0=$SECONDS cuts0
  connected0=$(connected_count)
  attempts0=$(attempt_lines)
  cuts0=$(proxy_cuts)
  log "${2:-cut} ($1): $(proxy_ctl "${2:-cut}")"
  wait_for 90 "the proxy cut the connections" cuts_above "$cuts0"
  t0=$SECONDS
  wait_for 60 "the reader noticed the cut" attempts_since "$attempts0"
  wait_for 90 "the reader reconnected after the cut" reader_connected_since "$connected0"
  daemon_running || fail "binlog2kafka exited after the cut"
  RESULTS+=("cut ($1): reconnected after $((SECONDS - t0))s, $(($(attempt_lines) - attempts0)) attempt line(s)")
  log "${RESULTS[-1]}"
}

start_servers
workload_setup
proxy_start "$PROXY_LISTEN"
daemon_start_ready --binlog2kafka.source="mysql://b2k@127.0.0.1:$PROXY_LISTEN" \
  --binlog2kafka.heartbeat=1s --binlog2kafka.read-timeout=${READ_TIMEOUT}s

workload_start --seed 31 --rate 100 --duration 80 --large-rows "$LARGE_ROWS" --large-at 25
sleep 8 # the pipeline streams for a while before the first fault
cut_and_reconnect "while small transactions stream"

# Armed before the large transaction starts (it streams in a second or two).
cut_and_reconnect "at row 10000 of the large transaction" "cut-on bulk-10000-"
log "proxy: $(grep 'cut-on: .* passed' "$STATE/proxy.log" | tail -n 1)"
log "resumed: $(grep 'reader: connected' "$DAEMON_LOG" | tail -n 1)"

# Blackhole: the reader must notice a silent server by its read timeout.
attempts0=$(attempt_lines)
connected0=$(connected_count)
t_black=$SECONDS
log "blackhole for ${BLACKHOLE_SECS}s: $(proxy_ctl blackhole)"
deadline=$((SECONDS + NOTICE_LIMIT))
until attempts_since "$attempts0"; do
  if ((SECONDS >= deadline)); then
    log "daemon log since the blackhole:" >&2
    tail -n 5 "$DAEMON_LOG" >&2
    proxy_ctl heal >/dev/null
    fail "the reader did not notice a silent (blackholed) server within ${NOTICE_LIMIT}s (read-timeout ${READ_TIMEOUT}s)"
  fi
  sleep 0.2
done
noticed=$((SECONDS - t_black))
log "the reader noticed the silent server after ${noticed}s: $(grep 'reconnecting in' "$DAEMON_LOG" | tail -n 1)"
sleep $((BLACKHOLE_SECS - noticed))
during=$(($(attempt_lines) - attempts0))
log "attempts logged during the ${BLACKHOLE_SECS}s blackhole: $during"
grep 'reconnecting in' "$DAEMON_LOG" | tail -n "$during" | sed "s/^/[$TEST_NAME]     /"
((during >= 2)) || fail "only $during attempt line(s) during a ${BLACKHOLE_SECS}s blackhole: the reader hangs on a silent server instead of retrying"
daemon_running || fail "binlog2kafka exited during the blackhole"
t_heal=$SECONDS
log "heal: $(proxy_ctl heal)"
wait_for 120 "the reader reconnected after heal" reader_connected_since "$connected0"
RESULTS+=("blackhole ${BLACKHOLE_SECS}s: noticed after ${noticed}s, $during attempt line(s) while blackholed, reconnected $((SECONDS - t_heal))s after heal")
log "${RESULTS[-1]}"

workload_wait 240
daemon_running || fail "binlog2kafka exited"
[[ $DAEMON_STARTS -eq 1 ]] || fail "binlog2kafka was started $DAEMON_STARTS times"
wait_caught_up 300
audit --wait 60
[[ $AUDIT_RC -eq 0 ]] || fail "the audit failed: missing $AUDIT_MISSING, phantoms $AUDIT_PHANTOMS, out of order $AUDIT_OUT_OF_ORDER"
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "binlog2kafka exited with status $DAEMON_RC after SIGTERM, expected 0"
printf '%s\n' "${RESULTS[@]}" | sed "s/^/[$TEST_NAME]   /"
log "SUMMARY network_cut: faults=3 (cut, cut mid-transaction, blackhole ${BLACKHOLE_SECS}s) missing=0 duplicates=$AUDIT_DUPLICATES changes=$AUDIT_CHANGES records=$AUDIT_RECORDS daemon_restarts=0 reader_reconnects=$(($(connected_count) - 1)) attempts_logged=$(attempt_lines) blackhole_noticed_s=$noticed seconds=$((SECONDS - T0))"
