#!/usr/bin/env bash
# kill -9 at several moments while a writer streams 20,000 numbered rows
# (small transactions plus a few large multi-row ones), each time restarted:
# once caught up, no row is missing from Kafka (duplicates are allowed,
# counted and printed). Then a graceful stop (SIGTERM, status 0) and a restart
# with no new writes to the table sends zero new records.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TABLE=k9
TOPIC=$SOURCE_NAME.demo.$TABLE
MARKER_TOPIC=$SOURCE_NAME.demo.k9_marker
STREAM=$STATE/stream.sql
EXPECT=$STATE/expected.tsv
ROWS=20000
WRITER_PID=

start_servers
sql -e "CREATE TABLE demo.$TABLE (id INT PRIMARY KEY, ver INT NOT NULL DEFAULT 0,
          note VARCHAR(64) NOT NULL) ENGINE=InnoDB;
        CREATE TABLE demo.k9_marker (id INT PRIMARY KEY) ENGINE=InnoDB"
daemon_start_ready

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
log "kill 1 at row $(written)"
daemon_kill9
daemon_start

# 2: right after the 3000-row transaction committed: its rows are in flight.
wait_for 120 "writer reached row 13000" at_least 13000
log "kill 2 at row $(written)"
daemon_kill9
daemon_start

# 3 and 4: at row 14500, then again as soon as the restarted daemon has
# connected to the server (while it catches up).
wait_for 120 "writer reached row 14500" at_least 14500
log "kill 3 at row $(written)"
daemon_kill9
n=$(grep -c 'reader: connected' "$DAEMON_LOG")
daemon_start
wait_for 60 "restarted binlog2kafka connected" connected_since "$n"
log "kill 4 at row $(written), just after the restart connected"
daemon_kill9
daemon_start

# 5: right after the second 2000-row INSERT.
wait_for 120 "writer reached row 18000" at_least 18000
log "kill 5 at row $(written)"
daemon_kill9
daemon_start

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
log "after 5 kills: 0 missing, $duplicates duplicate(s)"

# A graceful stop, then a restart with no new writes to the table: nothing is
# sent again. To know the restarted pipeline has read everything it would
# re-send, write one row to another table and wait until it is committed.
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "binlog2kafka exited with status $DAEMON_RC after SIGTERM, expected 0"
before=$(topic_count "$TOPIC")
daemon_start
sql -e "INSERT INTO demo.k9_marker VALUES (1)"
wait_caught_up 120
[[ $(topic_count "$MARKER_TOPIC") -eq 1 ]] || fail "the marker row is not in $MARKER_TOPIC"
after=$(topic_count "$TOPIC")
[[ $after -eq $before ]] ||
  fail "a restart after a clean stop sent $((after - before)) record(s) again to $TOPIC ($before before, $after after)"
log "restart after a clean stop: 0 new records in $TOPIC ($after)"
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "binlog2kafka exited with status $DAEMON_RC after SIGTERM, expected 0"
log "kill -9 x5: no row lost, $duplicates duplicate(s); no duplicate after a clean stop"
