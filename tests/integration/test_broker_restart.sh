#!/usr/bin/env bash
# The Kafka broker goes away twice while workload.py writes for 75 s: first a
# clean stop (deploy/kafka.sh stop) for 20 s, during which the workload's
# 50,000-row transaction commits, then a kill -9 of the broker for 15 s. Each
# time the broker is started again. binlog2kafka (max-inflight-bytes = 8 MiB)
# must not exit, must keep its memory bounded during the outages (VmRSS
# sampled every 0.5 s stays below 300 MB), and must resume by itself (its
# committed position moves again without a restart). Once the workload ended
# and the daemon caught up, cdc_audit.py: 0 missing, 0 phantoms, per-key order
# kept; duplicates counted. (The data topics are created beforehand: a
# topic created by its first record during an outage is
# test_broker_outage_new_topic.sh's case.) The reader's credit is checked by
# the actors.reader unit suite: the 300 MB bound here would hold even
# without it.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
faults_trap

INFLIGHT=8388608
RSS_LIMIT_KB=$((300 * 1024))
RSS_PEAK_KB=0
LARGE_ROWS=50000

# ASan keeps freed memory in a quarantine (256 MB by default) that would
# count in VmRSS: keep it small here, so that RSS measures what the daemon
# holds.
[[ $ASAN_OPTIONS == *quarantine_size_mb* ]] || export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=16"

kafka_ctl() { server_env "$B2K_SOURCE_DIR/deploy/kafka.sh" "$@"; }

# sample_rss SECONDS: samples the daemon's VmRSS every 0.5 s for that long,
# failing if the daemon exits; keeps the peak in RSS_PEAK_KB.
sample_rss() {
  local end=$((SECONDS + $1)) rss peak=0
  while ((SECONDS < end)); do
    check_running "while the broker was down"
    rss=$(rss_kb "$DAEMON_PID")
    [[ -z $rss ]] || ((rss <= peak)) || peak=$rss
    sleep 0.5
  done
  ((peak <= RSS_PEAK_KB)) || RSS_PEAK_KB=$peak
  log "outage: binlog2kafka VmRSS peak $((peak / 1024)) MB; workload at $(workload_field tx) tx, large transaction $(workload_field large)"
}

# resumed_from POS: the committed position is no longer POS (or the daemon
# is gone: checked by the caller).
resumed_from() {
  daemon_running || return 0
  local now
  now=$(committed_position) || return 1
  [[ $now != "$1" ]]
}

# The daemon must still run; else fail with its error line.
check_running() {
  daemon_running && return 0
  local rc=0
  wait "$DAEMON_PID" || rc=$?
  DAEMON_PID=
  fail "binlog2kafka exited with status $rc $1: $(grep -E ' (error|critical) ' "$DAEMON_LOG" | grep -v ' kafka: ' | tail -n 1)"
}

# outage HOW SECONDS: takes the broker away (stop | kill9) for that long,
# then starts it and waits until the daemon commits again.
OUTAGES=()
outage() {
  local how=$1 secs=$2 before t_up
  before=$(committed_position)
  log "broker $how for ${secs}s (committed position $before)"
  if [[ $how == stop ]]; then
    kafka_ctl stop
  else
    local pid
    pid=$(kafka_pid)
    [[ -n $pid ]] || fail "no broker pid"
    kill -KILL "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    log "broker (pid $pid) killed with SIGKILL"
  fi
  sample_rss "$secs"
  kafka_ctl start
  t_up=$SECONDS
  daemon_running || fail "binlog2kafka exited while the broker was down"
  wait_for 180 "binlog2kafka commits again after the broker's $how" resumed_from "$before"
  check_running "after the broker's $how"
  OUTAGES+=("$how ${secs}s: resumed $((SECONDS - t_up))s after the broker was up")
  log "binlog2kafka resumed by itself $((SECONDS - t_up))s after the broker came back: $(committed_position)"
}

start_servers
workload_setup
# The data topics exist before the outages (a topic created during one is
# test_broker_outage_new_topic.sh's case).
for t in items accounts lines bulk; do
  kafka_ctl create-topic "$SOURCE_NAME.cdc.$t" >/dev/null
done
daemon_start_ready --binlog2kafka.max-inflight-bytes=$INFLIGHT
RSS_START_KB=$(rss_kb "$DAEMON_PID")
log "binlog2kafka VmRSS at start: $((RSS_START_KB / 1024)) MB; limit during outages $((RSS_LIMIT_KB / 1024)) MB"

workload_start --seed 11 --rate 100 --duration 75 --large-rows "$LARGE_ROWS" --large-at 12
sleep 6 # let the pipeline stream for a while before the first outage
outage stop 20
sleep 5
outage kill9 15
workload_wait 180
check_running "after the outages"
wait_caught_up 300
[[ $DAEMON_STARTS -eq 1 ]] || fail "binlog2kafka was started $DAEMON_STARTS times"
((RSS_PEAK_KB < RSS_LIMIT_KB)) ||
  fail "binlog2kafka used $((RSS_PEAK_KB / 1024)) MB during an outage (limit $((RSS_LIMIT_KB / 1024)) MB with max-inflight-bytes=$INFLIGHT)"

audit --wait 60
[[ $AUDIT_RC -eq 0 ]] || fail "the audit failed: missing $AUDIT_MISSING, phantoms $AUDIT_PHANTOMS, out of order $AUDIT_OUT_OF_ORDER"
reconnects=$(grep -c 'reader: connected' "$DAEMON_LOG" || true)
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "binlog2kafka exited with status $DAEMON_RC after SIGTERM, expected 0"
printf '%s\n' "${OUTAGES[@]}" | sed "s/^/[$TEST_NAME]   /"
log "SUMMARY broker_restart: outages=2 (stop 20s, kill -9 15s) missing=0 duplicates=$AUDIT_DUPLICATES changes=$AUDIT_CHANGES records=$AUDIT_RECORDS daemon_restarts=0 reader_connects=$reconnects rss_start_mb=$((RSS_START_KB / 1024)) rss_peak_mb=$((RSS_PEAK_KB / 1024)) seconds=$((SECONDS - T0))"
