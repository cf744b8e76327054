#!/usr/bin/env bash
# A randomized fault campaign for N minutes against the audited workload
# (tests/integration/workload.py: inserts, updates, deletes, multi-row,
# rolled-back and XA transactions, one 20,000-row transaction), then one
# audit of everything (tests/integration/cdc_audit.py). Not part of CI.
#
# Two instances with the same name run with standby = true, both reading
# MariaDB through tests/integration/tcp_proxy.py; one is active. Every
# 4 to 20 s (seeded) one fault, by kind, while the workload runs (none is
# begun in its last 30 s, so each one meets it):
#   kill        kill -9 the active instance, started again at once (as a
#               standby if the other one takes the lock first)
#   commit      (exactly-once; a kill in at-least-once) kill -9 the active
#               instance the moment it logs "committing Kafka transaction N",
#               with the broker frozen (SIGSTOP) from before that line until
#               after the kill (tests/integration/kill_on_log.py), so the
#               kill lands inside the commit; counted as inside when
#               "committed Kafka transaction N" never followed. The run
#               fails with fewer than SOAK_MIN_COMMIT_HITS of those
#   takeover    SIGTERM the active instance: the standby must take over;
#               the stopped one is started again as the new standby
#   broker      the Kafka broker stopped (or kill -9, one in two) for 3-10 s
#   mariadb     MariaDB stopped (or kill -9, one in two) for 2-8 s
#   netcut      the proxy cuts every connection, or blackholes them for 3-8 s
# The active instance is the one whose connection holds the source lock
# (MariaDB's IS_USED_LOCK, through the proxy's pairs of ports, to a pid):
# after a cut both may say "running" for a while. After each fault an
# instance must be active again within 180 s, and a (re)started one past its
# start (standby or running) before the next fault. An instance that exits
# by itself is a failure (restarted, counted), unless it was the active one,
# cut off (or its server restarted) and replaced by the standby: it stops
# with one line naming the lock the other one holds, or in exactly-once its
# producer fenced by the other one's. Counted as replaced and started again
# as the new standby (as systemd's Restart= would).
#
# Prints, last, one line of totals:
#   SOAK RESULT OK|FAIL delivery=... minutes=N seconds=N seed=N
#     transactions=N changes=N records=N kills=N commit_kills=N
#     in_commit=N takeovers=N broker=N mariadb=N netcut=N replaced=N
#     unexpected_exits=N missing=N duplicates=N phantoms=N reordered=N
#     wrong_values=N
# exactly-once is audited under read_committed and fails on any duplicate.
#
# Usage (from the repository, after building build-debug/):
#   bench/soak.sh                   30 minutes, exactly-once
#   SOAK_MINUTES=10 SOAK_DELIVERY=at-least-once bench/soak.sh
# Environment: SOAK_MINUTES (30), SOAK_DELIVERY (exactly-once), SOAK_RATE
# (transactions/s of the workload, 150; 0: full speed), SOAK_MIN_COMMIT_HITS
# (exactly-once: kills inside a Kafka commit needed, one per 5 minutes, at
# least 1), B2K_CHAOS_SEED (the
# seed, printed first), B2K_BINARY, B2K_BUILD_DIR (build-debug), and the
# integration tests' B2K_ITEST_* ports (lib.sh; the proxy and the two
# instances' HTTP ports are MARIADB_PORT+1..+3). State and logs under
# $B2K_BUILD_DIR/itest/soak/.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/integration/lib.sh"
faults_trap

SOAK_MINUTES=${SOAK_MINUTES:-30}
SOAK_DELIVERY=${SOAK_DELIVERY:-exactly-once}
SOAK_RATE=${SOAK_RATE:-150}
SOAK_MIN_COMMIT_HITS=${SOAK_MIN_COMMIT_HITS:-$((SOAK_MINUTES / 5 > 0 ? SOAK_MINUTES / 5 : 1))}
[[ $SOAK_DELIVERY == exactly-once ]] || SOAK_MIN_COMMIT_HITS=0
CHAOS_SEED=${B2K_CHAOS_SEED:-$((($(date +%s) * 7919 + $$) % 1000000))}
RANDOM=$CHAOS_SEED
log "seed $CHAOS_SEED (repeat this run with B2K_CHAOS_SEED=$CHAOS_SEED); $SOAK_MINUTES minutes, $SOAK_DELIVERY, workload rate $SOAK_RATE"

PROXY_LISTEN=$((MARIADB_PORT + 1))
HTTP_A=$((MARIADB_PORT + 2))
HTTP_B=$((MARIADB_PORT + 3))
LOCK_TIMEOUT=4
ARGS=(--binlog2kafka.source="mysql://b2k@127.0.0.1:$PROXY_LISTEN"
  --binlog2kafka.delivery="$SOAK_DELIVERY" --binlog2kafka.standby=true
  --binlog2kafka.lock-timeout=${LOCK_TIMEOUT}s)
# (debug: the commit faults follow "committing Kafka transaction N".)
[[ $SOAK_DELIVERY != exactly-once ]] || ARGS+=(--binlog2kafka.log-level=debug)
declare -A PID PORT COUNT
PORT[a]=$HTTP_A
PORT[b]=$HTTP_B
for k in kill commit in_commit takeover broker mariadb netcut replaced unexpected_exits; do COUNT[$k]=0; done

kafka_ctl() { server_env "$B2K_SOURCE_DIR/deploy/kafka.sh" "$@"; }
mariadb_ctl() { server_env "$B2K_SOURCE_DIR/deploy/mariadb.sh" "$@"; }
rand() { echo $(($1 + RANDOM % ($2 - $1 + 1))); }
# The broker (MariaDB) answers; started again if its start gave up and it
# is gone (a start that only timed out leaves it running).
broker_answers() {
  [[ -n $(kafka_pid) ]] || kafka_ctl start >/dev/null 2>&1 || true
  kcat -L -b "$BROKERS" -m 5 >/dev/null 2>&1
}
mariadb_answers() {
  [[ -n $(mariadb_pid) ]] || mariadb_ctl start >/dev/null 2>&1 || true
  sql -e 'SELECT 1' >/dev/null 2>&1
}

start_instance() {
  local x=$1 args
  mapfile -t args < <(common_args)
  echo "--- start $(date '+%F %T')" >>"$STATE/out/instance-$x.log"
  "$B2K_BINARY" run "${args[@]}" "${ARGS[@]}" --binlog2kafka.http-listen=127.0.0.1:${PORT[$x]} \
    </dev/null >>"$STATE/out/instance-$x.log" 2>&1 &
  PID[$x]=$!
}
alive() { [[ -n ${PID[$1]:-} ]] && kill -0 "${PID[$1]}" 2>/dev/null; }
health() { curl -s --max-time 5 "http://127.0.0.1:${PORT[$1]}/health" 2>/dev/null || true; }
is_running() { alive "$1" && [[ $(health "$1") == *'"state":"running"'* ]]; }
# Past its start (the commit-log topic checked): standby or running.
is_up() { alive "$1" && [[ $(health "$1") =~ \"state\":\"(standby|running)\" ]]; }
up_or_gone() { ! alive "$1" || is_up "$1"; }
# The instance (a or b) whose connection holds the source lock, empty if
# none or unknown (MariaDB down): the server's lock holder, its port as the
# proxy's towards MariaDB, the client port the proxy pairs with it, the pid
# that has that port. (Both can say "running" for a while: one cut off and
# reconnecting, the other active.)
lock_holder() {
  local id host client x
  id=$(sql -e "SELECT IS_USED_LOCK('binlog2kafka.$SOURCE_NAME')" 2>/dev/null) || return 0
  [[ $id =~ ^[0-9]+$ ]] || return 0
  host=$(sql -e "SELECT HOST FROM information_schema.PROCESSLIST WHERE ID = $id" 2>/dev/null) || return 0
  [[ $host == *:* ]] || return 0
  client=$(proxy_ctl status | python3 -c 'import json,sys
up = int(sys.argv[1])
print(next((c for c, u in json.load(sys.stdin).get("pairs", []) if u == up), ""))' "${host##*:}") || return 0
  [[ -n $client ]] || return 0
  for x in a b; do
    alive "$x" || continue
    if ss -tnpH "( sport = :$client )" | grep -q "pid=${PID[$x]},"; then
      echo "$x"
      return 0
    fi
  done
}
# The active instance (a or b): it holds the source lock and says running;
# empty if none.
active() {
  local x
  x=$(lock_holder)
  [[ -n $x ]] && is_running "$x" && echo "$x"
  return 0
}
some_active() { [[ -n $(active) ]]; }
other() { [[ $1 == a ]] && echo b || echo a; }
# After a start: wait until the instance is past its start, or gone (then
# check_instances counts it), so no fault meets it in the middle of its start.
wait_up() { wait_for 180 "instance $1 is up (standby or running) or gone" up_or_gone "$1"; }

# An instance that exited without being told to is a failure: counted,
# logged and started again.
check_instances() {
  local x rc why y
  for x in a b; do
    alive "$x" && continue
    rc=0
    wait "${PID[$x]}" 2>/dev/null || rc=$?
    # (The last error since its last start.)
    why=$(awk '/^--- start/ { e = "" } / (error|critical) |^binlog2kafka: error: / { e = $0 } END { print e }' \
      "$STATE/out/instance-$x.log")
    if [[ $why =~ (is\ reading.*holds\ lock|fenced\ by\ a\ newer\ instance) ]]; then
      # An active instance cut off (or its server restarted) for longer than
      # the lock's timeout was replaced by the standby: it stops with one
      # line naming the other one's lock, or its producer fenced by the
      # other one's, as designed.
      COUNT[replaced]=$((COUNT[replaced] + 1))
      log "instance $x (pid ${PID[$x]}) was replaced and stopped: $why"
    else
      COUNT[unexpected_exits]=$((COUNT[unexpected_exits] + 1))
      log "UNEXPECTED: instance $x (pid ${PID[$x]}) exited with status $rc: $why"
    fi
    start_instance "$x"
    wait_up "$x"
  done
}
stop_instances() {
  local x
  for x in a b; do
    if [[ -n ${PID[$x]:-} ]]; then stop_pid "${PID[$x]}" 60; fi
  done
}
trap 'rc=$?; set +e; stop_instances; (exit $rc); faults_cleanup' EXIT

fault_kill() {
  local x
  x=$(active)
  [[ -n $x ]] || return 0
  kill -KILL "${PID[$x]}"
  wait "${PID[$x]}" 2>/dev/null || true
  COUNT[kill]=$((COUNT[kill] + 1))
  log "fault kill: instance $x (pid ${PID[$x]}) killed with SIGKILL"
  start_instance "$x"
  wait_up "$x"
}
fault_takeover() {
  local x y
  x=$(active)
  [[ -n $x ]] || return 0
  y=$(other "$x")
  # Only with a standby to take over: the other one may be on its way out
  # (replaced: it logged its stop line, and exits seconds later under load).
  if ! alive "$y" || [[ $(health "$y") != *'"state":"standby"'* ]]; then
    log "fault takeover: skipped, instance $y is not a standby now"
    return 0
  fi
  kill -TERM "${PID[$x]}"
  local deadline=$((SECONDS + 60))
  while kill -0 "${PID[$x]}" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "instance $x did not stop within 60s of SIGTERM"
    sleep 0.2
  done
  wait "${PID[$x]}" 2>/dev/null || true
  took() { [[ $(active) == "$y" ]]; }
  wait_for $((LOCK_TIMEOUT + 60)) "instance $y takes over from the stopped $x" took
  COUNT[takeover]=$((COUNT[takeover] + 1))
  log "fault takeover: instance $x stopped, $y took over"
  start_instance "$x"
  wait_up "$x"
}
# kill -9 the active instance inside a Kafka transaction commit: the broker
# frozen first, then the kill the moment the instance logs that it commits.
fault_commit() {
  local x pid line rc=0 n offset broker
  x=$(active)
  [[ -n $x ]] || return 0
  pid=${PID[$x]}
  broker=$(kafka_pid)
  [[ -n $broker ]] || return 0
  offset=$(stat -c %s "$STATE/out/instance-$x.log")
  line=$(python3 "$ITEST_DIR/kill_on_log.py" --log "$STATE/out/instance-$x.log" --offset "$offset" \
    --pid "$pid" --pattern 'producer: committing Kafka transaction' --freeze-pid "$broker" \
    --timeout 5) || rc=$?
  if ((rc != 0)); then
    log "fault commit: no Kafka transaction commit of instance $x to kill at: $line"
    return 0
  fi
  wait "$pid" 2>/dev/null || true
  COUNT[kill]=$((COUNT[kill] + 1))
  COUNT[commit]=$((COUNT[commit] + 1))
  n=$(sed -n 's/.*committing Kafka transaction \([0-9]*\) .*/\1/p' <<<"$line")
  # (grep -c reads all: grep -q's early exit fails tail under pipefail.)
  if [[ $(tail -c +$((offset + 1)) "$STATE/out/instance-$x.log" | grep -c "producer: committed Kafka transaction $n\$") -gt 0 ]]; then
    log "fault commit: instance $x (pid $pid) killed with SIGKILL after Kafka transaction $n committed"
  else
    COUNT[in_commit]=$((COUNT[in_commit] + 1))
    log "fault commit: instance $x (pid $pid) killed with SIGKILL inside the commit of Kafka transaction $n ($line)"
  fi
  echo "--- killed with SIGKILL at a Kafka transaction commit $(date '+%F %T')" >>"$STATE/out/instance-$x.log"
  start_instance "$x"
  wait_up "$x"
}
fault_broker() {
  local down pid
  down=$(rand 3 10)
  if ((RANDOM % 2)); then
    pid=$(kafka_pid)
    [[ -n $pid ]] && kill -KILL "$pid"
    while [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    log "fault broker: kill -9 for ${down}s"
  else
    kafka_ctl stop >/dev/null
    log "fault broker: stopped for ${down}s"
  fi
  sleep "$down"
  kafka_ctl start >/dev/null 2>&1 || {
    log "fault broker: not answering within deploy/kafka.sh's start timeout (log recovery on a loaded machine); waiting longer"
    wait_for 900 "the broker answers again" broker_answers
  }
  COUNT[broker]=$((COUNT[broker] + 1))
}
fault_mariadb() {
  local down pid
  down=$(rand 2 8)
  if ((RANDOM % 2)); then
    pid=$(mariadb_pid)
    [[ -n $pid ]] && kill -KILL "$pid"
    while [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    log "fault mariadb: kill -9 for ${down}s"
  else
    mariadb_ctl stop >/dev/null
    log "fault mariadb: stopped for ${down}s"
  fi
  sleep "$down"
  mariadb_ctl start >/dev/null 2>&1 || {
    log "fault mariadb: not answering within deploy/mariadb.sh's start timeout (crash recovery on a loaded machine); waiting longer"
    wait_for 900 "MariaDB answers again" mariadb_answers
  }
  COUNT[mariadb]=$((COUNT[mariadb] + 1))
}
fault_netcut() {
  if ((RANDOM % 2)); then
    proxy_ctl cut >/dev/null
    log "fault netcut: every proxied connection cut"
  else
    local down
    down=$(rand 3 8)
    proxy_ctl blackhole >/dev/null
    log "fault netcut: blackhole for ${down}s"
    sleep "$down"
    proxy_ctl heal >/dev/null
  fi
  COUNT[netcut]=$((COUNT[netcut] + 1))
}

start_servers
mkdir -p "$STATE/out"
workload_setup
proxy_start "$PROXY_LISTEN"
start_instance a
DAEMON_PID=${PID[a]} # committed_position and the cleanup
DAEMON_LOG=$STATE/out/instance-a.log
wait_for 120 "instance a writes its start position" daemon_has_position
start_instance b
DAEMON_PID=
wait_for 60 "instance a is running" is_running a

duration=$((SOAK_MINUTES * 60))
t_start=$SECONDS
workload_start --seed "$CHAOS_SEED" --rate "$SOAK_RATE" --duration "$duration" \
  --xa-percent 3 --rollback-percent 5 --large-rows 20000 --large-at 120 --reconnect-timeout 300
# No fault begins in the workload's last 30 s (the longest takes some 15 s,
# a takeover up to a minute but with the workload still writing meanwhile
# or not, the data is the same): every fault meets the workload.
t_last=$((t_start + duration - 30))
faults=0
while workload_running; do
  pause=$(rand 4 20)
  ((SECONDS + pause < t_last)) || break
  sleep "$pause"
  workload_running || break
  check_instances
  kind=$((RANDOM % 12))
  # Behind the schedule of kills inside a commit (one per SOAK_MINUTES /
  # SOAK_MIN_COMMIT_HITS, the last due 60 s before the end): one now.
  if ((SOAK_MIN_COMMIT_HITS > 0 && COUNT[in_commit] < SOAK_MIN_COMMIT_HITS &&
    (COUNT[in_commit] + 1) * (duration - 60) <= (SECONDS - t_start) * SOAK_MIN_COMMIT_HITS)); then
    kind=10
  fi
  case $kind in
    0 | 1 | 2 | 3) fault_kill ;;
    4 | 5) fault_takeover ;;
    6) fault_broker ;;
    7) fault_mariadb ;;
    8 | 9) fault_netcut ;;
    10 | 11) if [[ $SOAK_DELIVERY == exactly-once ]]; then fault_commit; else fault_kill; fi ;;
  esac
  faults=$((faults + 1))
  wait_for 180 "an instance is running after fault $faults" some_active
done
workload_running || ((SECONDS >= t_last)) ||
  log "UNEXPECTED: the workload ended $((t_start + duration - SECONDS)) s early: $(tail -n 3 "$WORKLOAD_LOG")"
log "faults done: $faults faults, ${COUNT[kill]} kills (${COUNT[commit]} at a Kafka commit, ${COUNT[in_commit]} inside it), ${COUNT[takeover]} takeovers, ${COUNT[broker]} broker, ${COUNT[mariadb]} mariadb, ${COUNT[netcut]} network cuts, ${COUNT[replaced]} replaced"
workload_wait 600
transactions=$(sed -n 's/^workload: done in .*: \([0-9]*\) transactions committed.*/\1/p' "$WORKLOAD_LOG" | tail -n 1)
check_instances
x=$(active)
[[ -n $x ]] || wait_for 180 "an instance is running at the end" some_active
# (XA: MariaDB may write a Binlog_checkpoint after the last transaction,
# which no commit-log position passes.)
wait_for 900 "the active instance caught up with the server's binlog end" caught_up_rows
log "caught up: committed position $(committed_position), SHOW MASTER STATUS $(master_status)"
audit_args=(--wait 120)
[[ $SOAK_DELIVERY != exactly-once ]] || audit_args+=(--read-committed --max-duplicates 0)
audit "${audit_args[@]}"
wrong_values=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"].get("wrong_values", 0))' \
  "$STATE/audit.$AUDIT_N.json" 2>/dev/null || echo '?')
verdict=OK
[[ $AUDIT_RC -eq 0 && ${COUNT[unexpected_exits]} -eq 0 ]] || verdict=FAIL
if ((COUNT[in_commit] < SOAK_MIN_COMMIT_HITS)); then
  log "only ${COUNT[in_commit]} kills inside a Kafka transaction commit (at least $SOAK_MIN_COMMIT_HITS needed)"
  verdict=FAIL
fi
log "SOAK RESULT $verdict delivery=$SOAK_DELIVERY minutes=$SOAK_MINUTES seconds=$((SECONDS - T0)) seed=$CHAOS_SEED transactions=${transactions:-?} changes=$AUDIT_CHANGES records=$AUDIT_RECORDS kills=${COUNT[kill]} commit_kills=${COUNT[commit]} in_commit=${COUNT[in_commit]} takeovers=${COUNT[takeover]} broker=${COUNT[broker]} mariadb=${COUNT[mariadb]} netcut=${COUNT[netcut]} replaced=${COUNT[replaced]} unexpected_exits=${COUNT[unexpected_exits]} missing=$AUDIT_MISSING duplicates=$AUDIT_DUPLICATES phantoms=$AUDIT_PHANTOMS reordered=$AUDIT_OUT_OF_ORDER wrong_values=$wrong_values"
[[ $verdict == OK ]] || fail "the soak failed (seed $CHAOS_SEED)"
