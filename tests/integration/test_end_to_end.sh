#!/usr/bin/env bash
# End to end on real servers: 10,000 inserted rows (single-row and multi-row
# transactions), updates of the same keys (several versions of a key in one
# transaction too), deletes and a re-insert arrive in Kafka exactly once, in
# order per key; once the daemon has caught up, the commit log (the last
# record of <name>.commits and `binlog2kafka position`) holds the server's
# binlog end (SHOW MASTER STATUS); SIGTERM stops it with status 0.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TABLE=e2e
TOPIC=$SOURCE_NAME.demo.$TABLE
SQL=$STATE/writes.sql
EXPECT=$STATE/expected.tsv

start_servers
sql -e "CREATE TABLE demo.$TABLE (
  id INT PRIMARY KEY, ver INT NOT NULL, note VARCHAR(64) NOT NULL,
  amount BIGINT NULL) ENGINE=InnoDB"
daemon_start_ready

# The writes, and one expectation line per row change (KEY, OP, ver) in
# commit order, generated together so they cannot disagree.
awk -v sql="$SQL" -v expf="$EXPECT" '
  function row(id) {
    printf "%s(%d,0,%s,%d)", sep, id, "\"row " id " é\"", id * 1000 - 7 >> sql
    sep = ","
    printf "{\"id\":%d}\tc\t0\n", id >> expf
  }
  function insert(from, to,   i) {
    sep = ""
    printf "INSERT INTO demo.e2e (id,ver,note,amount) VALUES " >> sql
    for (i = from; i <= to; i++) row(i)
    print ";" >> sql
  }
  function update(from, to, times,   i, t) {
    for (t = 1; t <= times; t++) {
      printf "UPDATE demo.e2e SET ver = ver + 1, note = CONCAT(\"v\", ver) WHERE id BETWEEN %d AND %d;\n", from, to >> sql
      for (i = from; i <= to; i++) version[i]++
      for (i = from; i <= to; i++) printf "{\"id\":%d}\tu\t%d\n", i, version[i] >> expf
    }
  }
  BEGIN {
    # 1..200: one autocommit single-row INSERT each.
    for (i = 1; i <= 200; i++) insert(i, i)
    # 201..400: 20 transactions of 10 single-row INSERTs.
    for (t = 0; t < 20; t++) {
      print "BEGIN;" >> sql
      for (i = 201 + t * 10; i < 211 + t * 10; i++) insert(i, i)
      print "COMMIT;" >> sql
    }
    # 401..3400: one transaction of three 1000-row INSERTs.
    print "BEGIN;" >> sql
    for (s = 401; s < 3401; s += 1000) insert(s, s + 999)
    print "COMMIT;" >> sql
    # 3401..10000: 66 autocommit 100-row INSERTs.
    for (s = 3401; s <= 10000; s += 100) insert(s, s + 99)
    # Versions: keys 1..50 five single-row updates each (autocommit),
    # interleaved over the keys; keys 5001..5100 three multi-row updates in
    # one transaction; keys 9901..9950 deleted, 9901 inserted again.
    for (t = 1; t <= 5; t++)
      for (i = 1; i <= 50; i++) update(i, i, 1)
    print "BEGIN;" >> sql
    update(5001, 5100, 3)
    print "COMMIT;" >> sql
    print "DELETE FROM demo.e2e WHERE id BETWEEN 9901 AND 9950;" >> sql
    for (i = 9901; i <= 9950; i++) printf "{\"id\":%d}\td\t0\n", i >> expf
    print "INSERT INTO demo.e2e (id,ver,note,amount) VALUES (9901,100,\"back\",NULL);" >> sql
    print "{\"id\":9901}\tc\t100" >> expf
  }'
log "writing: $(grep -c . "$SQL") statements, $(wc -l <"$EXPECT") row changes"
t_write=$SECONDS
sql <"$SQL"
[[ $(sql -e "SELECT COUNT(*) FROM demo.$TABLE") == 9951 ]] || fail "the table does not hold 9951 rows"
log "written in $((SECONDS - t_write))s; server binlog end $(master_status)"

wait_caught_up 180
verify --topic "$TOPIC" --expect "$EXPECT" --tag ver --max-duplicates 0 \
  --save "$STATE/records.jsonl" || fail "the data topic does not hold every change exactly once, in order"

# The last commit-log record for our key is the same position.
end=$(master_status)
last=$(last_value_for_key "$SOURCE_NAME.commits" "$SOURCE_NAME")
commit=$(position_fields "$last")
[[ $commit == "$end 0" ]] || fail "last record of $SOURCE_NAME.commits is $last, server end is $end"
log "last record of $SOURCE_NAME.commits: $last"

# Only the table's own topic got records (no stray topic for the schema);
# beside it the commit log and the signal topic (on-demand snapshots).
topics=$(kcat -b "$BROKERS" -L 2>/dev/null | sed -n 's/^  topic "\([^"]*\)".*/\1/p' | grep "^$SOURCE_NAME\." | sort | tr '\n' ' ')
[[ $topics == "$SOURCE_NAME.commits $TOPIC $SOURCE_NAME.signals " ]] || fail "unexpected topics: $topics"

daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "binlog2kafka exited with status $DAEMON_RC after SIGTERM, expected 0"
log "end to end: 10,000 rows + updates/deletes exactly once and in order; commit log at the binlog end"
