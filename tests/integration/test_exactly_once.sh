#!/usr/bin/env bash
# delivery = exactly-once under the kill -9 chaos of test_chaos_kill9: at
# least 12 kills at seeded random moments while workload.py writes for 60 s
# (80 transactions/s for 35 s, then as fast as one connection goes, XA
# transactions among them); 3 of the kills come the moment the daemon logs
# that it commits a Kafka transaction (kill_on_log.py), the first and the
# third with the broker frozen (SIGSTOP) from before that line until after
# the kill, and at least 2 of them must land inside the commit (its end
# never logged; the test fails otherwise); at least 3 kills
# must hit data in flight; through tcp_proxy.py, kills when rows 20,000 and
# 36,000 of its 40,000-row transaction pass (the second while the restart
# reads it again). Then, with a second workload at full speed, the broker is
# stopped and started again, and MariaDB too.
# Audited with isolation.level=read_committed: every committed change exactly
# once (0 missing, 0 duplicates, 0 phantoms, per-key order kept, every
# column as committed). Then SIGTERM (status 0) and a restart with no new
# writes: the data topics' end offsets do not move (no record, committed or
# aborted).
#
# B2K_CHAOS_SEED=N repeats a run's kill schedule; B2K_CHAOS_KILLS sets the
# least number of kills, B2K_CHAOS_SECONDS the workload's length.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
faults_trap

CHAOS_SEED=${B2K_CHAOS_SEED:-$((($(date +%s) * 7919 + $$) % 1000000))}
RANDOM=$CHAOS_SEED
CHAOS_MIN_KILLS=${B2K_CHAOS_KILLS:-12}
CHAOS_COMMIT_KILLS=3
CHAOS_SECONDS=${B2K_CHAOS_SECONDS:-60}
CHAOS_LARGE_ROWS=40000
log "seed $CHAOS_SEED (repeat this run with B2K_CHAOS_SEED=$CHAOS_SEED)"

PROXY_LISTEN=${B2K_ITEST_PROXY_PORT:-$((MARIADB_PORT + 1))}
CHAOS_DAEMON_ARGS=(--binlog2kafka.source="mysql://b2k@127.0.0.1:$PROXY_LISTEN" --binlog2kafka.delivery=exactly-once
  "$CHAOS_HTTP_ARG" --binlog2kafka.log-level=debug)

start_servers
workload_setup
# The daemon reads MariaDB through the TCP proxy, which kills it in the
# middle of the large transaction (chaos_kill_loop).
proxy_start "$PROXY_LISTEN"
daemon_start_ready "${CHAOS_DAEMON_ARGS[@]}"

workload_start --seed "$CHAOS_SEED" --rate 80 --duration "$CHAOS_SECONDS" \
  --full-speed-after $((CHAOS_SECONDS * 7 / 12)) --xa-percent 3 \
  --large-rows "$CHAOS_LARGE_ROWS" --large-at 20
chaos_kill_loop
workload_wait 120
daemon_running || fail "binlog2kafka exited by itself after the last restart (see $DAEMON_LOG)"

# A broker restart and a MariaDB restart under a workload at full speed.
kafka_ctl() { server_env "$B2K_SOURCE_DIR/deploy/kafka.sh" "$@"; }
mariadb_ctl() { server_env "$B2K_SOURCE_DIR/deploy/mariadb.sh" "$@"; }
workload_start --seed $((CHAOS_SEED + 1)) --rate 0 --duration 40 --xa-percent 3
read_beyond() { local p; p=$(reader_position) && (($(pos_key "$p") > $(pos_key "$1"))); }
mark=$(master_status)
wait_for 60 "the reader reads the second workload" read_beyond "$mark"
kafka_ctl stop >/dev/null
log "broker stopped for 8s"
sleep 8 # an outage, on purpose
kafka_ctl start >/dev/null
log "broker started again"
read_to() { local p; p=$(reader_position) && (($(pos_key "$p") >= $(pos_key "$1"))); }
mark=$(master_status)
wait_for 180 "the reader reads on after the broker's return (to $mark)" read_to "$mark"
mariadb_ctl stop >/dev/null
log "MariaDB stopped for 5s"
sleep 5 # an outage, on purpose
mariadb_ctl start >/dev/null
log "MariaDB started again"
workload_wait 300
daemon_running || fail "binlog2kafka exited during the broker or MariaDB restart (see $DAEMON_LOG)"
wait_caught_up 300
audit --read-committed --max-duplicates 0 --wait 60
[[ $AUDIT_RC -eq 0 ]] ||
  fail "exactly-once after $CHAOS_KILLS kills (seed $CHAOS_SEED): missing $AUDIT_MISSING, duplicates $AUDIT_DUPLICATES, phantoms $AUDIT_PHANTOMS, out of order $AUDIT_OUT_OF_ORDER (read_committed)"
chaos_changes=$AUDIT_CHANGES
log "after $CHAOS_KILLS kills: $AUDIT_CHANGES changes, each exactly once under read_committed"

# A graceful stop and a restart with no new writes to the audited tables (a
# marker row in another table shows the restart read everything): the data
# topics' end offsets do not move (no record, committed or aborted, and no
# transaction marker).
end_offsets() {
  local t sum=0
  for t in items accounts lines bulk; do
    sum=$((sum + $(topic_end_offset "$SOURCE_NAME.cdc.$t")))
  done
  echo "$sum"
}
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "binlog2kafka exited with status $DAEMON_RC after SIGTERM, expected 0"
offsets=$(end_offsets)
sql -e "CREATE TABLE demo.eo_marker (id INT PRIMARY KEY) ENGINE=InnoDB"
daemon_start_ready "${CHAOS_DAEMON_ARGS[@]}"
sql -e "INSERT INTO demo.eo_marker VALUES (1)"
marker_in() { [[ $(topic_count "$SOURCE_NAME.demo.eo_marker") -ge 1 ]]; }
wait_for 120 "the marker row in $SOURCE_NAME.demo.eo_marker" marker_in
wait_caught_up 120
[[ $(end_offsets) -eq $offsets ]] ||
  fail "a restart after a clean stop moved the data topics' end offsets from $offsets to $(end_offsets)"
log "restart after a clean stop: the data topics' end offsets stay at $offsets in total"
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "binlog2kafka exited with status $DAEMON_RC after SIGTERM, expected 0"
printf '%s\n' "${CHAOS_NOTES[@]}" | sed "s/^/[$TEST_NAME]   /"
log "SUMMARY exactly_once: seed=$CHAOS_SEED kills=$CHAOS_KILLS in_flight=$CHAOS_INFLIGHT_KILLS in_commit=$CHAOS_COMMIT_HITS restarts=$((DAEMON_STARTS - 1)) changes=$chaos_changes records=$AUDIT_RECORDS missing=0 duplicates=0 (read_committed) seconds=$((SECONDS - T0))"
