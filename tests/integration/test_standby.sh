#!/usr/bin/env bash
# standby = true: two instances with the same name, exactly-once, while the
# audited workload writes.
#  1. The second waits (its /health says "standby", status 200) while the
#     first runs.
#  2. kill -9 of the active one: the standby takes over (within the lock
#     timeout), resumes from the commit log.
#  3. The killed one comes back as the new standby. The active one is
#     paused with SIGSTOP for longer than lock-timeout (a zombie): the
#     standby takes over; on SIGCONT the zombie notices, writes nothing and
#     exits with one line.
# Audited with read_committed: 0 missing, 0 duplicates.
#  4. At-least-once: a second pair (its own name and topics, reading from
#     the oldest binlog) while the workload writes again; kill -9 of the
#     active one: the standby takes over; 0 missing, duplicates counted.
#
# B2K_CHAOS_SEED=N repeats a run (the workload and the kill moments).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
faults_trap

CHAOS_SEED=${B2K_CHAOS_SEED:-$((($(date +%s) * 7919 + $$) % 1000000))}
RANDOM=$CHAOS_SEED
log "seed $CHAOS_SEED (repeat this run with B2K_CHAOS_SEED=$CHAOS_SEED)"
LOCK_TIMEOUT=4
HTTP_A=${B2K_ITEST_HTTP_PORT:-$((MARIADB_PORT + 2))}
HTTP_B=$((HTTP_A + 1))
ARGS=(--binlog2kafka.delivery=exactly-once --binlog2kafka.standby=true
  --binlog2kafka.lock-timeout=${LOCK_TIMEOUT}s)

declare -A PID LOG
# start_instance X PORT: instance X (a or b) with its own log and HTTP port.
start_instance() {
  local x=$1 port=$2 args
  mapfile -t args < <(common_args)
  LOG[$x]=$STATE/out/instance-$x.log
  echo "--- start $(date '+%F %T')" >>"${LOG[$x]}"
  "$B2K_BINARY" run "${args[@]}" "${ARGS[@]}" --binlog2kafka.http-listen=127.0.0.1:$port \
    </dev/null >>"${LOG[$x]}" 2>&1 &
  PID[$x]=$!
  log "instance $x started (pid ${PID[$x]}, http $port)"
}
alive() { kill -0 "${PID[$1]}" 2>/dev/null; }
health() { curl -s -o /dev/null -w '%{http_code} ' "http://127.0.0.1:$1/health" && curl -s "http://127.0.0.1:$1/health"; }
is_standby() { [[ $(health "$1") == '200 '*'"status":"standby"'* ]]; }
is_ready() { [[ $(health "$1") == '200 '*'"state":"running"'* ]]; }
took_over() { grep -q 'standby: took the source lock' "${LOG[$1]}"; }
stop_instances() {
  local x
  for x in a b; do
    if [[ -n ${PID[$x]:-} ]]; then stop_pid "${PID[$x]}" 30; fi
  done
}
exit_trap_first stop_instances faults_cleanup

start_servers
mkdir -p "$STATE/out" # sanitizer_reports reads the logs there
workload_setup
start_instance a "$HTTP_A"
DAEMON_PID=${PID[a]} # for committed_position and the cleanup
wait_for 60 "instance a writes its start position" daemon_has_position
start_instance b "$HTTP_B"
wait_for 60 "instance b reports standby on /health" is_standby "$HTTP_B"
is_ready "$HTTP_A" || fail "instance a is not running: $(health "$HTTP_A")"
log "instance a active, instance b standby: $(health "$HTTP_B")"

workload_start --seed "$CHAOS_SEED" --rate 400 --duration 30
sleep "0.$((RANDOM % 9 + 1))"
wait_for 30 "some changes are read" bash -c "[[ \$(curl -s http://127.0.0.1:$HTTP_A/metrics | awk '/^binlog2kafka_rows_read_total/ {print \$2}' | cut -d. -f1) -gt 500 ]]"

# 2. kill -9 of the active instance.
t_kill=$SECONDS
kill -KILL "${PID[a]}"
wait "${PID[a]}" 2>/dev/null || true
log "instance a (pid ${PID[a]}) killed with SIGKILL"
wait_for $((LOCK_TIMEOUT + 20)) "instance b takes over" took_over b
log "instance b took over $((SECONDS - t_kill)) s after the kill"
wait_for 30 "instance b is running" is_ready "$HTTP_B"

# 3. a comes back as standby; b is paused until a takes over.
start_instance a "$HTTP_A"
wait_for 60 "instance a reports standby" is_standby "$HTTP_A"
sleep "0.$((RANDOM % 9 + 1))"
kill -STOP "${PID[b]}"
t_stop=$SECONDS
log "instance b (pid ${PID[b]}) paused with SIGSTOP"
wait_for $((LOCK_TIMEOUT * 3 + 20)) "instance a takes over from the paused b" took_over a
log "instance a took over $((SECONDS - t_stop)) s after b was paused"
sleep 2 # a delivers for a while; b's lock and lease are long gone
kill -CONT "${PID[b]}"
log "instance b continued with SIGCONT"
wait_for 60 "the resumed instance b stops" bash -c "! kill -0 ${PID[b]} 2>/dev/null"
b_rc=0
wait "${PID[b]}" || b_rc=$?
PID[b]=
tail -n 3 "${LOG[b]}" | sed "s/^/[$TEST_NAME]   b: /"
[[ $b_rc -ne 0 ]] || fail "the resumed zombie exited with status 0"
grep -qE 'error.*(source lock|fenced|transactional)' "${LOG[b]}" ||
  fail "the resumed zombie did not say why it stopped (see ${LOG[b]})"

DAEMON_PID=${PID[a]}
workload_wait 120
alive a || fail "instance a stopped (see ${LOG[a]})"
DAEMON_LOG=${LOG[a]}
wait_caught_up 300
audit --read-committed --max-duplicates 0 --wait 60
[[ $AUDIT_RC -eq 0 ]] ||
  fail "after a kill -9 takeover and a zombie (seed $CHAOS_SEED): missing $AUDIT_MISSING, duplicates $AUDIT_DUPLICATES, phantoms $AUDIT_PHANTOMS (read_committed)"
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "instance a exited with status $DAEMON_RC after SIGTERM"
PID[a]=
eos_changes=$AUDIT_CHANGES

# 4. At-least-once, a pair of its own.
SOURCE_NAME=itest_alo
ARGS=(--binlog2kafka.standby=true --binlog2kafka.lock-timeout=${LOCK_TIMEOUT}s
  --binlog2kafka.initial=start)
start_instance a "$HTTP_A"
DAEMON_PID=${PID[a]}
DAEMON_LOG=${LOG[a]}
wait_for 60 "at-least-once instance a writes its start position" daemon_has_position
start_instance b "$HTTP_B"
wait_for 60 "at-least-once instance b reports standby" is_standby "$HTTP_B"
workload_start --seed "$((CHAOS_SEED + 1))" --rate 400 --duration 15
sleep "$((RANDOM % 3 + 1)).$((RANDOM % 10))"
t_kill=$SECONDS
kill -KILL "${PID[a]}"
wait "${PID[a]}" 2>/dev/null || true
PID[a]=
log "at-least-once instance a killed with SIGKILL"
wait_for $((LOCK_TIMEOUT + 20)) "at-least-once instance b takes over" took_over b
log "at-least-once instance b took over $((SECONDS - t_kill)) s after the kill"
DAEMON_PID=${PID[b]}
DAEMON_LOG=${LOG[b]}
workload_wait 120
wait_caught_up 300
audit --wait 60 --max-duplicates 1000000
[[ $AUDIT_RC -eq 0 ]] ||
  fail "at-least-once takeover (seed $CHAOS_SEED): missing $AUDIT_MISSING, phantoms $AUDIT_PHANTOMS, out of order $AUDIT_OUT_OF_ORDER"
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "instance b exited with status $DAEMON_RC after SIGTERM"
PID[b]=
log "SUMMARY standby: seed=$CHAOS_SEED lock_timeout=${LOCK_TIMEOUT}s exactly-once: changes=$eos_changes missing=0 duplicates=0 (read_committed) zombie_exit=$b_rc; at-least-once: changes=$AUDIT_CHANGES missing=0 duplicates=$AUDIT_DUPLICATES; seconds=$((SECONDS - T0))"
