#!/usr/bin/env bash
# kill -9 binlog2kafka at random moments, at least 10 times, while workload.py
# writes numbered changes for 60 s (inserts, updates, deletes, multi-row
# transactions, rolled-back transactions, and one 50,000-row transaction):
# 100 transactions/s for 35 s, then as fast as one connection goes. Each time
# it is restarted at once. The daemon reads MariaDB through tcp_proxy.py,
# which also kills it when row 25,000 of the large transaction passes, and
# again when row 45,000 passes while the restart reads it again; both must
# happen, and at least 3 kills must hit data in flight (read beyond the
# committed position: lib.sh chaos_kill_loop). Once the workload ended and
# the daemon caught up, cdc_audit.py compares audit.changes with Kafka: 0
# missing, 0 phantoms, per-key order kept, every column as committed;
# duplicates counted and printed. Then SIGTERM (status 0) and a restart with
# no new writes to the audited tables: 0 new records.
#
# The kill moments come from a seeded RNG: B2K_CHAOS_SEED=N repeats a run's
# schedule (the seed is printed first); B2K_CHAOS_KILLS sets the least number
# of kills, B2K_CHAOS_SECONDS the workload's length (a heavier variant).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
faults_trap

CHAOS_SEED=${B2K_CHAOS_SEED:-$((($(date +%s) * 7919 + $$) % 1000000))}
RANDOM=$CHAOS_SEED
CHAOS_MIN_KILLS=${B2K_CHAOS_KILLS:-10}
CHAOS_LARGE_ROWS=50000
MARKER_TOPIC=$SOURCE_NAME.demo.chaos_marker
log "seed $CHAOS_SEED (repeat this run with B2K_CHAOS_SEED=$CHAOS_SEED)"

PROXY_LISTEN=${B2K_ITEST_PROXY_PORT:-$((MARIADB_PORT + 1))}
CHAOS_DAEMON_ARGS=(--binlog2kafka.source="mysql://b2k@127.0.0.1:$PROXY_LISTEN" "$CHAOS_HTTP_ARG")
CHAOS_SECONDS=${B2K_CHAOS_SECONDS:-60}

start_servers
workload_setup
# The daemon reads MariaDB through the TCP proxy, which kills it in the
# middle of the large transaction (chaos_kill_loop).
proxy_start "$PROXY_LISTEN"
sql -e "CREATE TABLE demo.chaos_marker (id INT PRIMARY KEY) ENGINE=InnoDB"
daemon_start_ready "${CHAOS_DAEMON_ARGS[@]}"

workload_start --seed "$CHAOS_SEED" --rate 100 --duration "$CHAOS_SECONDS" \
  --full-speed-after $((CHAOS_SECONDS * 7 / 12)) \
  --large-rows "$CHAOS_LARGE_ROWS" --large-at 20
chaos_kill_loop
workload_wait 120
log "workload done after $CHAOS_KILLS kills; audit.changes holds $(sql -e 'SELECT COUNT(*) FROM audit.changes') changes"

daemon_running || fail "binlog2kafka exited by itself after the last restart (see $DAEMON_LOG)"
wait_caught_up 300
audit --wait 60
[[ $AUDIT_RC -eq 0 ]] || fail "the audit failed after $CHAOS_KILLS kills (seed $CHAOS_SEED): missing $AUDIT_MISSING, phantoms $AUDIT_PHANTOMS, out of order $AUDIT_OUT_OF_ORDER"
[[ $AUDIT_MISSING -eq 0 ]] || fail "missing $AUDIT_MISSING"
duplicates=$AUDIT_DUPLICATES
records=$AUDIT_RECORDS
changes=$AUDIT_CHANGES
log "after $CHAOS_KILLS kills: $changes changes, $records records, 0 missing, $duplicates duplicates"

# A graceful stop, then a restart with no new writes to the audited tables:
# nothing is sent again. A marker row in another table, once in Kafka and
# committed, shows that the restarted pipeline read everything it would
# re-send.
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "binlog2kafka exited with status $DAEMON_RC after SIGTERM, expected 0"
daemon_start_ready "${CHAOS_DAEMON_ARGS[@]}"
sql -e "INSERT INTO demo.chaos_marker VALUES (1)"
marker_in() { [[ $(topic_count "$MARKER_TOPIC") -ge 1 ]]; }
wait_for 120 "the marker row in $MARKER_TOPIC" marker_in
wait_caught_up 120
audit
[[ $AUDIT_RC -eq 0 ]] || fail "the audit after the clean restart failed"
new=$((AUDIT_RECORDS - records))
[[ $new -eq 0 ]] || fail "a restart after a clean stop sent $new record(s) again ($records before, $AUDIT_RECORDS after)"
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "binlog2kafka exited with status $DAEMON_RC after SIGTERM, expected 0"
printf '%s\n' "${CHAOS_NOTES[@]}" | sed "s/^/[$TEST_NAME]   /"
log "SUMMARY chaos_kill9: seed=$CHAOS_SEED kills=$CHAOS_KILLS in_flight=$CHAOS_INFLIGHT_KILLS restarts=$((DAEMON_STARTS - 1)) changes=$changes records=$records missing=0 duplicates=$duplicates phantoms=0 new_after_clean_restart=0 seconds=$((SECONDS - T0))"
