#!/usr/bin/env bash
# A data topic deleted and created again at once while binlog2kafka writes
# to it (issue 15 item 2), on a broker that creates topics on first use
# (auto.create.topics.enable=true, Kafka's default), at least once and
# exactly once. The test creates the topic again itself right after the
# deletion (kafka.sh create-topic), not waiting for the race between the
# broker creating it for some client's metadata request and librdkafka
# seeing it gone. One of two outcomes, each accepted, and the log says
# which:
#  - "warned": the producer went on into the new topic without an error;
#    one warning line names the topic and partition, says it was deleted
#    and created again and that what it held is gone, and says to snapshot
#    the table again; binlog2kafka still runs, catches up, and
#    binlog2kafka_partitions_recreated_total is 1;
#  - "stopped": librdkafka saw the partition gone first; it stops with the
#    one line 'topic ... disappeared while binlog2kafka wrote to it
#    (deleted?', and a restart goes on.
# Either way the new topic holds every row changed after the deletion with
# its value in the table (read_committed), and the other table's topic
# materializes equal to SELECT. Nothing here is random.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
faults_trap

kafka_ctl() { server_env "$B2K_SOURCE_DIR/deploy/kafka.sh" "$@"; }
export B2K_KAFKA_EXTRA_PROPERTIES="auto.create.topics.enable=true"
start_servers
sql <<'SQL'
CREATE TABLE demo.t (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB;
CREATE TABLE demo.u (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB;
SQL

# (Listing all topics: a metadata request that names the topic would have
# the broker create it again.)
topic_listed() { kafka_ctl topics | has_line -x "$TOPIC"; }
# Creates the topic unless the broker already did for someone (create-topic
# passes --if-not-exists); fails while the deletion is still under way.
create_again() { kafka_ctl create-topic "$TOPIC" >/dev/null && topic_listed; }

# topic_holds IDS_SQL: the topic, applied by key (committed records only),
# holds exactly the rows that SELECT ... WHERE IDS_SQL returns.
topic_holds() {
  local want got
  want=$(sql -e "SELECT CONCAT('{\"id\":', id, '} ', v) FROM demo.t WHERE $1 ORDER BY id")
  got=$(kcat -b "$BROKERS" -X isolation.level=read_committed -C -t "$TOPIC" -e -q \
    -f '%k\t%s\n' 2>/dev/null | python3 -c '
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

RECREATED="was deleted and created again while binlog2kafka wrote to it"
# The warning after log line MARK, or the daemon gone.
warned_or_stopped() {
  [[ -n $(log_since "$MARK" "$RECREATED") ]] || ! daemon_running
}

SUMMARY=
for delivery in at-least-once exactly-once; do
  SOURCE_NAME=tr_${delivery//-/_}
  TOPIC=$SOURCE_NAME.demo.t
  log "== $delivery ($TOPIC)"
  sql -e "DELETE FROM demo.t; DELETE FROM demo.u"
  args=(--binlog2kafka.delivery=$delivery --binlog2kafka.http-listen=127.0.0.1:$HTTP_PORT)
  daemon_start_ready "${args[@]}"
  sql -e "INSERT INTO demo.t SELECT seq, 1 FROM demo.seq_1_to_50; INSERT INTO demo.u SELECT seq, 1 FROM demo.seq_1_to_20"
  wait_caught_up 60
  MARK=$(wc -l <"$DAEMON_LOG")

  kafka_ctl class org.apache.kafka.tools.TopicCommand --bootstrap-server "$BROKERS" \
    --delete --topic "$TOPIC" >"$STATE/delete.out" 2>&1 ||
    { cat "$STATE/delete.out" >&2; fail "cannot delete $TOPIC"; }
  wait_for 60 "$TOPIC created again" create_again
  log "deleted $TOPIC and created it again"
  # Rows changed after the deletion: new ones, and old ones updated.
  sql -e "INSERT INTO demo.t SELECT seq, 2 FROM demo.seq_51_to_80; UPDATE demo.t SET v = 2 WHERE id <= 10; UPDATE demo.u SET v = 2 WHERE id <= 5"
  wait_for 60 "a warning that $TOPIC was created again, or a stop" warned_or_stopped

  if daemon_running; then
    outcome=warned
    # More rows into the new topic: still one line.
    sql -e "INSERT INTO demo.t SELECT seq, 3 FROM demo.seq_81_to_90; UPDATE demo.t SET v = 3 WHERE id = 11"
    wait_caught_up 60
    daemon_running || fail "binlog2kafka stopped after the warning"
    lines=$(log_since "$MARK" "$RECREATED")
    log "warning: $lines"
    [[ $(wc -l <<<"$lines") -eq 1 ]] || fail "$(wc -l <<<"$lines") warnings, expected one"
    for part in " warning " "topic $TOPIC $RECREATED (partition 0 took a record at offset 0, after one at offset " \
      "what it held before is gone" "snapshot the table again" "binlog2kafka snapshot --config-file="; do
      [[ $lines == *"$part"* ]] || fail "the warning lacks '$part'"
    done
    [[ -z $(log_since "$MARK" "$ERRLINE") ]] || fail "error lines: $(log_since "$MARK" "$ERRLINE")"
    wait_for 10 "binlog2kafka_partitions_recreated_total 1" \
      bash -c "[[ \$(curl -sf http://127.0.0.1:$HTTP_PORT/metrics | grep '^binlog2kafka_partitions_recreated_total' | awk '{print \$2}') == 1 ]]"
  else
    outcome=stopped
    expect_stop "$MARK"
    [[ $STOP_LINE == *"topic $TOPIC disappeared while binlog2kafka wrote to it (deleted?"* ]] ||
      fail "the stop line does not say that $TOPIC disappeared"
    sql -e "INSERT INTO demo.t SELECT seq, 3 FROM demo.seq_81_to_90; UPDATE demo.t SET v = 3 WHERE id = 11"
    daemon_start_ready "${args[@]}"
    wait_caught_up 60
  fi
  log "$delivery: outcome $outcome"
  wait_for 30 "$TOPIC holds every row changed after the deletion" topic_holds "id > 50 OR id <= 11"
  log "ok: $TOPIC holds every row changed after the deletion"
  daemon_stop
  [[ $DAEMON_RC -eq 0 ]] || fail "binlog2kafka exited with $DAEMON_RC after SIGTERM"
  python3 "$ITEST_DIR/materialize.py" tables --brokers "$BROKERS" --prefix "$SOURCE_NAME" \
    --defaults-file="$MARIADB_CNF" --user="$(id -un)" --read-committed demo.u ||
    fail "demo.u's topic differs from the table"
  SUMMARY+=" $delivery=$outcome"
done
log "SUMMARY topic_recreated:$SUMMARY seconds=$((SECONDS - T0))"
