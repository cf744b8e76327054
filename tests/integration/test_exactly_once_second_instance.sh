#!/usr/bin/env bash
# A second binlog2kafka with the same name and delivery = exactly-once,
# started while the first runs and the workload writes, is refused (it
# waits for the source lock a few seconds, then stops with an error naming
# the holder) while the first keeps going, unfenced: the producer starts its
# Kafka transactions only once the reader holds the source lock. Consumers
# with read_committed see every change exactly once.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
faults_trap

EO=(--binlog2kafka.delivery=exactly-once)
start_servers
workload_setup
daemon_start_ready "${EO[@]}"
workload_start --seed 5 --rate 100 --duration 45
sleep 8 # the first instance delivers for a while

mkdir -p "$STATE/out" # sanitizer_reports reads the logs there
SECOND_LOG=$STATE/out/second-instance.log
mapfile -t args < <(common_args)
first_pid=$DAEMON_PID
log "starting a second instance named '$SOURCE_NAME' while the first (pid $first_pid) runs"
"$B2K_BINARY" run "${args[@]}" "${EO[@]}" </dev/null >"$SECOND_LOG" 2>&1 &
second_pid=$!
deadline=$((SECONDS + 60))
while kill -0 "$second_pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
second_rc=
if ! kill -0 "$second_pid" 2>/dev/null; then
  second_rc=0
  wait "$second_pid" || second_rc=$?
fi
first_alive=1
daemon_running || first_alive=0
log "second instance: ${second_rc:+exited with status $second_rc}${second_rc:-still running after 60s}; first instance: $([[ $first_alive -eq 1 ]] && echo running || echo exited)"
grep -v ' kafka: ' "$SECOND_LOG" | head -n 5 | sed "s/^/[$TEST_NAME]   second: /"
[[ $first_alive -eq 1 ]] || grep -E 'error' "$DAEMON_LOG" | tail -n 3 | sed "s/^/[$TEST_NAME]   first: /"
problems=()
[[ $first_alive -eq 1 ]] || problems+=("the running instance stopped (fenced by the second)")
if [[ -z $second_rc ]]; then
  problems+=("the second instance was not refused: it runs")
elif [[ $second_rc -eq 0 ]]; then
  problems+=("the second instance exited with status 0")
elif ! grep -q "another binlog2kafka named '$SOURCE_NAME'" "$SECOND_LOG"; then
  problems+=("the second instance's error does not name the running one")
fi
# Whoever runs now delivers the rest; then audit with read_committed.
if [[ $first_alive -eq 0 && -z $second_rc ]]; then
  DAEMON_PID=$second_pid
fi
workload_wait 120
if daemon_running; then
  wait_caught_up 300
  audit --read-committed --max-duplicates 0 --wait 30
  [[ $AUDIT_RC -eq 0 ]] || problems+=("read_committed audit: missing $AUDIT_MISSING, duplicates $AUDIT_DUPLICATES, phantoms $AUDIT_PHANTOMS")
else
  problems+=("no instance is running")
fi
log "SUMMARY exactly_once_second_instance: first=$([[ $first_alive -eq 1 ]] && echo running || echo fenced) second=${second_rc:-running} missing=${AUDIT_MISSING:-?} duplicates=${AUDIT_DUPLICATES:-?} seconds=$((SECONDS - T0))"
# A second instance that still runs besides the first is stopped here.
[[ $DAEMON_PID == "$second_pid" ]] || stop_pid "$second_pid" 30
((${#problems[@]} == 0)) || fail "$(IFS=';'; echo "${problems[*]}")"
daemon_stop
