#!/usr/bin/env bash
# The first rows of a table whose topic does not exist yet are read while
# the broker is down, for longer than librdkafka's default
# topic.metadata.propagation.max.ms (30 s). When the broker is back it
# creates the topic on first use; binlog2kafka (which waits up to 10 min for
# a new topic) keeps running and delivers the rows: no exit, and the topic
# read from the start holds every one of the 100 keys with its row (none
# missing, none unexpected, well-formed); duplicates (at-least-once: a
# retried send) are counted and printed apart.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
faults_trap

kafka_ctl() { server_env "$B2K_SOURCE_DIR/deploy/kafka.sh" "$@"; }
TOPIC=$SOURCE_NAME.demo.newt
EXPECT=$STATE/expected.tsv

start_servers
sql -e "CREATE TABLE demo.newt (id INT PRIMARY KEY, ver INT NOT NULL) ENGINE=InnoDB"
daemon_start_ready
kafka_ctl stop
sql -e "INSERT INTO demo.newt SELECT seq, 1 FROM demo.seq_1_to_100"
log "100 rows written to demo.newt (its topic $TOPIC does not exist); broker down for 40s"
sleep 40 # longer than topic.metadata.propagation.max.ms (30 s) on purpose
daemon_running || fail "binlog2kafka exited while the broker was down"
kafka_ctl start
delivered() { [[ $(topic_count "$TOPIC") -ge 100 ]] || ! daemon_running; }
wait_for 120 "100 records in $TOPIC" delivered
if ! daemon_running; then
  rc=0
  wait "$DAEMON_PID" || rc=$?
  DAEMON_PID=
  fail "binlog2kafka exited with status $rc after the broker came back: $(grep -E ' error ' "$DAEMON_LOG" | grep -v ' kafka: ' | tail -n 1)"
fi
wait_caught_up 60
# Each key exactly: a count of 100 could hide a missing row behind a
# duplicate.
for i in $(seq 1 100); do printf '{"id":%d}\tc\t1\n' "$i"; done >"$EXPECT"
rc=0
verify --topic "$TOPIC" --expect "$EXPECT" --tag ver --wait 30 >"$STATE/verify.txt" || rc=$?
sed "s/^/[$TEST_NAME] /" "$STATE/verify.txt"
[[ $rc -eq 0 ]] || fail "$TOPIC does not hold exactly the 100 rows written during the outage"
duplicates=$(sed -n 's/.* duplicates \([0-9]*\),.*/\1/p' "$STATE/verify.txt")
log "SUMMARY broker_outage_new_topic: records=$(topic_count "$TOPIC") keys=100 missing=0 duplicates=$duplicates daemon_restarts=0 seconds=$((SECONDS - T0))"
daemon_stop
