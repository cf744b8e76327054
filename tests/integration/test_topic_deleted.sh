#!/usr/bin/env bash
# A data topic deleted while binlog2kafka writes to it (issue 15 item 2), on
# a broker that does not create topics (auto.create.topics.enable=false):
#  - it stops with one line that names the topic and says it disappeared;
#    the committed position stays before the rows that were not delivered;
#  - a restart before the topic is there stops within about 10 s with one
#    line (does not exist and was not created), instead of waiting 10 min;
#  - created again, a restart goes on, and nothing binlog2kafka had not
#    delivered is lost: the new topic holds every row changed after the
#    committed position with its value in the table, and the other table's
#    topic materializes equal to SELECT. (What the deleted topic held is
#    gone with it: the operator snapshots the table again.)
# Not here: the same with automatic creation on, where the topic is back at
# once (test_topic_recreated.sh).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
faults_trap

kafka_ctl() { server_env "$B2K_SOURCE_DIR/deploy/kafka.sh" "$@"; }
TOPIC=$SOURCE_NAME.demo.t
export B2K_KAFKA_EXTRA_PROPERTIES="auto.create.topics.enable=false"
start_servers
sql <<'SQL'
CREATE TABLE demo.t (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB;
CREATE TABLE demo.u (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB;
SQL
kafka_ctl create-topic "$TOPIC" >/dev/null
kafka_ctl create-topic "$SOURCE_NAME.demo.u" >/dev/null

delete_topic() {
  kafka_ctl class org.apache.kafka.tools.TopicCommand --bootstrap-server "$BROKERS" \
    --delete --topic "$TOPIC" >"$STATE/delete.out" 2>&1 ||
    { cat "$STATE/delete.out" >&2; fail "cannot delete $TOPIC"; }
  wait_for 30 "$TOPIC gone from the metadata" topic_gone
  log "deleted $TOPIC"
}
# (Listing all topics: a metadata request that names the topic would have
# the broker create it again when auto.create.topics.enable is on.)
topic_gone() { ! kafka_ctl topics | has_line -x "$TOPIC"; }

# rows_after_stop FIRST LAST V: with the daemon running, writes rows to
# demo.t (and demo.u) while its topic is gone; expects the stop line.
rows_after_stop() {
  local mark before after
  before=$(committed_position)
  mark=$(wc -l <"$DAEMON_LOG")
  delete_topic
  sql -e "INSERT INTO demo.t SELECT seq, $3 FROM demo.seq_$1_to_$2; UPDATE demo.u SET v = $3 WHERE id <= 5"
  expect_stop "$mark"
  [[ $STOP_LINE == *"topic $TOPIC disappeared while binlog2kafka wrote to it (deleted?"* ]] ||
    fail "the stop line does not say that $TOPIC disappeared"
  after=$(committed_position)
  [[ $after == "$before" ]] || fail "the committed position moved past undelivered rows: $before -> $after"
  log "ok: stopped with one line; committed position still $after"
}

# topic_holds IDS_SQL: the topic, applied by key, holds exactly the rows
# that SELECT ... WHERE IDS_SQL returns (ids and values).
topic_holds() {
  local want got
  want=$(sql -e "SELECT CONCAT('{\"id\":', id, '} ', v) FROM demo.t WHERE $1 ORDER BY id")
  got=$(kcat -b "$BROKERS" -C -t "$TOPIC" -e -q -f '%k\t%s\n' 2>/dev/null | python3 -c '
import json, sys
state = {}
for line in sys.stdin:
    k, _, v = line.rstrip("\n").partition("\t")
    val = json.loads(v) if v else None
    if val is None or val["op"] == "d":
        state.pop(k, None)
    else:
        state[k] = val["after"]["v"]
for k in sorted(state, key=lambda k: json.loads(k)["id"]):
    print(k, state[k])')
  [[ $got == "$want" ]] || { echo "topic: $(wc -l <<<"$got") rows, table: $(wc -l <<<"$want") rows"; return 1; }
}

daemon_start_ready
sql -e "INSERT INTO demo.t SELECT seq, 1 FROM demo.seq_1_to_50; INSERT INTO demo.u SELECT seq, 1 FROM demo.seq_1_to_20"
wait_caught_up 60

# -- auto.create.topics.enable=false --------------------------------------------
rows_after_stop 51 80 2
mark=$(wc -l <"$DAEMON_LOG")
daemon_start
expect_stop "$mark"
[[ $STOP_LINE == *"topic $TOPIC does not exist and was not created"* ]] ||
  fail "a restart without the topic does not say it does not exist"
kafka_ctl create-topic "$TOPIC" >/dev/null
daemon_start_ready
wait_caught_up 60
wait_for 30 "$TOPIC holds the rows written after the deletion" topic_holds "id > 50"
log "ok: created again, the restart sent every row written after the committed position"
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "binlog2kafka exited with $DAEMON_RC after SIGTERM"

python3 "$ITEST_DIR/materialize.py" tables --brokers "$BROKERS" --prefix "$SOURCE_NAME" \
  --defaults-file="$MARIADB_CNF" --user="$(id -un)" demo.u ||
  fail "demo.u's topic differs from the table"
log "SUMMARY topic_deleted: records in the new $TOPIC=$(topic_count "$TOPIC") seconds=$((SECONDS - T0))"
