#!/usr/bin/env bash
# kill -9 at several moments while a writer streams 20,000 numbered rows
# (small transactions plus a few large multi-row ones), each time restarted:
# once caught up, no row is missing from Kafka (duplicates are allowed,
# counted and printed). Kills 1 to 3 come with the broker frozen and must
# hit rows read and not acknowledged (see kill_restart), else the kills
# proved nothing and the test fails. Then a graceful stop (SIGTERM, status
# 0) and a restart with no new writes to the table sends zero new records.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TABLE=k9
TOPIC=$SOURCE_NAME.demo.$TABLE
MARKER_TOPIC=$SOURCE_NAME.demo.k9_marker
STREAM=$STATE/stream.sql
EXPECT=$STATE/expected.tsv
ROWS=20000
WRITER_PID=
HTTP_ARG=--binlog2kafka.http-listen=127.0.0.1:$HTTP_PORT
MIN_INFLIGHT_KILLS=3
KILLS=0
INFLIGHT_KILLS=0
KILL_NOTES=()

start_servers
sql -e "CREATE TABLE demo.$TABLE (id INT PRIMARY KEY, ver INT NOT NULL DEFAULT 0,
          note VARCHAR(64) NOT NULL) ENGINE=InnoDB;
        CREATE TABLE demo.k9_marker (id INT PRIMARY KEY) ENGINE=InnoDB"
CONNECTED_BEFORE=0
daemon_start_ready "$HTTP_ARG"

# Kills 1 to 3 must hit data in flight, and prove it: the broker is frozen
# (SIGSTOP) first, so that nothing is acknowledged any more, and the kill
# waits for a status sample from after the freeze (the reader, watcher and
# producer report once a second: 2.5 s after it) that shows rows read and
# not released (batches waiting, or read beyond the released position):
# those rows are read and unacknowledged at the kill. The broker resumes
# right after it. Kills 4 and 5 come at their moments on a live broker; what
# their last sample showed is printed, not counted (it may be a second old).
# At least MIN_INFLIGHT_KILLS kills must be proven in flight.
FROZEN_PID=
kill9_cleanup() {
  local rc=$?
  [[ -z $FROZEN_PID ]] || kill -CONT "$FROZEN_PID" 2>/dev/null
  (exit "$rc")
  itest_cleanup
}
trap kill9_cleanup EXIT

now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

# frozen_inflight FREEZE_MS: a sample from 2.5 s after FREEZE_MS on shows
# rows in flight.
frozen_inflight() {
  (($(now_ms) >= $1 + 2500)) || { echo "no sample from after the freeze yet"; return 1; }
  local state
  state=$(inflight_state) || { echo "the status page did not answer"; return 1; }
  echo "$state"
  [[ $state == "in flight: "* ]]
}

# kill_restart WHY [frozen]: kill -9 (with the broker frozen: once rows are
# in flight), then start again at once.
kill_restart() {
  local state verdict t pid
  KILLS=$((KILLS + 1))
  if [[ ${2:-} == frozen ]]; then
    # (A daemon that has not connected yet waits for the broker, which
    # holds its commit log: it would read nothing while the broker is
    # frozen.)
    wait_for 60 "binlog2kafka (start $DAEMON_STARTS) connected" reader_connected_since "$CONNECTED_BEFORE"
    pid=$(kafka_pid)
    [[ -n $pid ]] || fail "kill $KILLS: the broker is not running"
    t=$(now_ms)
    kill -STOP "$pid"
    FROZEN_PID=$pid
    wait_for 30 "kill $KILLS: rows read and not acknowledged with the broker frozen" frozen_inflight "$t"
    state=$(inflight_state) || state="the status page did not answer"
    daemon_kill9
    kill -CONT "$pid"
    FROZEN_PID=
    if [[ $state == "in flight: "* ]]; then
      verdict="IN FLIGHT (broker frozen $(($(now_ms) - t)) ms)"
      INFLIGHT_KILLS=$((INFLIGHT_KILLS + 1))
    else
      verdict="not proven in flight (broker frozen)"
    fi
  else
    state=$(inflight_state) || state="the status page did not answer"
    daemon_kill9
    verdict="on a live broker, not counted; last sample"
  fi
  KILL_NOTES+=("kill $KILLS ($1, table at row $(written)): $verdict: $state")
  log "${KILL_NOTES[-1]}"
  CONNECTED_BEFORE=$(connected_count)
  daemon_start "$HTTP_ARG"
}

# The writer's stream: transactions of 1 to 5 rows (a multi-row INSERT or
# single-row INSERTs), a short pause after every 5 of them (so the stream
# lasts long enough to kill the daemon several times), and three large
# transactions: 4001-6000 and 16001-18000 as one 2000-row INSERT each,
# 10001-13000 as 30 INSERTs of 100 rows in one transaction.
awk -v rows="$ROWS" -v expf="$EXPECT" '
  function values(from, to,   i, s) {
    s = ""
    for (i = from; i <= to; i++) {
      s = s (i > from ? "," : "") "(" i ",0,\"n" i "\")"
      printf "{\"id\":%d}\tc\t0\n", i >> expf
    }
    return s
  }
  BEGIN {
    id = 1; tx = 0
    while (id <= rows) {
      if (id == 4001 || id == 16001) {
        print "INSERT INTO demo.k9 VALUES " values(id, id + 1999) ";"
        id += 2000
        continue
      }
      if (id == 10001) {
        print "BEGIN;"
        for (s = id; s < id + 3000; s += 100) print "INSERT INTO demo.k9 VALUES " values(s, s + 99) ";"
        print "COMMIT;"
        id += 3000
        continue
      }
      n = tx % 5 + 1
      if (id + n - 1 > rows) n = rows - id + 1
      for (stop = 4001; stop <= 16001; stop += 6000)
        if (id < stop && id + n > stop) n = stop - id
      if (id < 10001 && id + n > 10001) n = 10001 - id
      if (tx % 2 == 0) {
        print "INSERT INTO demo.k9 VALUES " values(id, id + n - 1) ";"
      } else {
        print "BEGIN;"
        for (i = id; i < id + n; i++) print "INSERT INTO demo.k9 VALUES " values(i, i) ";"
        print "COMMIT;"
      }
      id += n; tx++
      if (tx % 5 == 0) print "DO SLEEP(0.02);"
    }
  }' >"$STREAM"
[[ $(wc -l <"$EXPECT") -eq $ROWS ]] || fail "expected $ROWS expectation lines"

written() { sql -e "SELECT COALESCE(MAX(id), 0) FROM demo.$TABLE"; }
at_least() { (($(written) >= $1)); }
# A restarted daemon has connected to the server (its log says so).
connected_since() { (($(grep -c 'reader: connected' "$DAEMON_LOG") > $1)); }

log "writer: $ROWS rows in $(grep -c '^COMMIT;\|^INSERT' "$STREAM") statements"
t_write=$SECONDS
sql <"$STREAM" &
WRITER_PID=$!

# 1: in the middle of the small transactions.
wait_for 120 "writer reached row 3000" at_least 3000
kill_restart "in the small transactions" frozen

# 2: right after the 3000-row transaction committed: its rows are in flight.
wait_for 120 "writer reached row 13000" at_least 13000
kill_restart "after the 3000-row transaction" frozen

# 3 and 4: at row 14500, then again as soon as the restarted daemon has
# connected to the server (while it catches up).
wait_for 120 "writer reached row 14500" at_least 14500
n=$(grep -c 'reader: connected' "$DAEMON_LOG")
kill_restart "at row 14500" frozen
wait_for 60 "restarted binlog2kafka connected" connected_since "$n"
kill_restart "just after the restart connected"

# 5: right after the second 2000-row INSERT.
wait_for 120 "writer reached row 18000" at_least 18000
kill_restart "after the second 2000-row INSERT"

wait "$WRITER_PID" || fail "the writer (mariadb client) failed"
WRITER_PID=
log "writer done in $((SECONDS - t_write))s: $(sql -e "SELECT COUNT(*) FROM demo.$TABLE") rows; binlog end $(master_status)"
[[ $(sql -e "SELECT COUNT(*) FROM demo.$TABLE") -eq $ROWS ]] || fail "the table does not hold $ROWS rows"

wait_caught_up 300
rc=0
verify --topic "$TOPIC" --expect "$EXPECT" --tag ver --save "$STATE/records.jsonl" \
  >"$STATE/verify.txt" || rc=$?
cat "$STATE/verify.txt"
[[ $rc -eq 0 ]] || fail "rows are missing (or wrong) after kill -9"
duplicates=$(sed -n 's/.* duplicates \([0-9]*\),.*/\1/p' "$STATE/verify.txt")
log "after 5 kills: 0 missing, $duplicates duplicate(s); $INFLIGHT_KILLS kills hit data in flight"
((INFLIGHT_KILLS >= MIN_INFLIGHT_KILLS)) ||
  fail "only $INFLIGHT_KILLS of $KILLS kills hit data in flight (at least $MIN_INFLIGHT_KILLS needed): the kills proved nothing"

# A graceful stop, then a restart with no new writes to the table: nothing is
# sent again. To know the restarted pipeline has read everything it would
# re-send, write one row to another table and wait until it is committed.
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "binlog2kafka exited with status $DAEMON_RC after SIGTERM, expected 0"
before=$(topic_count "$TOPIC")
daemon_start "$HTTP_ARG"
sql -e "INSERT INTO demo.k9_marker VALUES (1)"
wait_caught_up 120
[[ $(topic_count "$MARKER_TOPIC") -eq 1 ]] || fail "the marker row is not in $MARKER_TOPIC"
after=$(topic_count "$TOPIC")
[[ $after -eq $before ]] ||
  fail "a restart after a clean stop sent $((after - before)) record(s) again to $TOPIC ($before before, $after after)"
log "restart after a clean stop: 0 new records in $TOPIC ($after)"
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "binlog2kafka exited with status $DAEMON_RC after SIGTERM, expected 0"
printf '%s\n' "${KILL_NOTES[@]}" | sed "s/^/[$TEST_NAME]   /"
log "SUMMARY kill9: kills=$KILLS in_flight=$INFLIGHT_KILLS missing=0 duplicates=$duplicates seconds=$((SECONDS - T0))"
log "kill -9 x5: no row lost, $duplicates duplicate(s); no duplicate after a clean stop"
