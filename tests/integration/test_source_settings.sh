#!/usr/bin/env bash
# The source's settings changed while binlog2kafka runs (issue 15 item 3),
# on one MariaDB and one Kafka:
#  1. binlog_row_image MINIMAL, then NOBLOB: the partial images are sent
#     (missing columns left out of before/after) with one warning per table;
#  2. binlog_format STATEMENT: DDL and a statement on an excluded table pass;
#     an INSERT on an included table stops it with one line naming the
#     table and the position, nothing before it lost, exit 1; a restart with
#     binlog_format=ROW again stops at the same place; from= past it goes on;
#  3. binlog_row_metadata MINIMAL: a table map without column names stops it
#     the same way (one line, exit 1, again after a restart, from= goes on);
#  4. REPLICATION SLAVE revoked, then its connection killed: the reconnect
#     stops with one line naming the privilege; granted again, a restart
#     sends what was written in between;
#  5. binlogs purged while it is stopped, snapshot = when-needed: every table
#     is read again, and the topics materialize equal to SELECT;
#  6. SELECT revoked and a snapshot to make: one line naming the privilege.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
faults_trap

EXCLUDE='--binlog2kafka.exclude-tables=["demo\\.skip"]'

# "FILE:POS" of the position a stop line says the bad event ends at.
event_end() { sed -nE 's/.*this one ends at ([^)]+)\).*/\1/p' <<<"$1"; }

start_servers
sql <<'EOF'
CREATE TABLE demo.ss (id INT PRIMARY KEY, name VARCHAR(20), n INT) ENGINE=InnoDB;
CREATE TABLE demo.img (id INT PRIMARY KEY, name VARCHAR(20), n INT, doc TEXT) ENGINE=InnoDB;
CREATE TABLE demo.skip (id INT PRIMARY KEY) ENGINE=InnoDB;
EOF
daemon_start_ready "$EXCLUDE"
sql -e "INSERT INTO demo.ss SELECT seq, 'row', 0 FROM demo.seq_1_to_100;
        INSERT INTO demo.img VALUES (1, 'a', 0, 'blob1'), (2, 'b', 0, 'blob2'), (3, 'c', 0, 'blob3')"
wait_caught_up 120

# -- 1. partial row images -----------------------------------------------------
mark=$(wc -l <"$DAEMON_LOG")
sql -e "SET GLOBAL binlog_row_image = MINIMAL"
sql -e "UPDATE demo.img SET n = 1 WHERE id = 1; UPDATE demo.img SET n = 2 WHERE id = 2"
sql -e "SET GLOBAL binlog_row_image = NOBLOB"
sql -e "UPDATE demo.img SET name = 'nb' WHERE id = 3"
sql -e "SET GLOBAL binlog_row_image = FULL"
wait_caught_up 60
img_last() { last_value_for_key "$SOURCE_NAME.demo.img" "{\"id\":$1}"; }
images() { python3 -c 'import json,sys; v=json.loads(sys.argv[1]); print(",".join(sorted(v["before"])), ",".join(sorted(v["after"])))' "$1"; }
minimal=$(images "$(img_last 1)")
noblob=$(images "$(img_last 3)")
log "MINIMAL update: before/after columns $minimal; NOBLOB update: $noblob"
[[ $minimal == "id n" ]] || fail "MINIMAL: expected before {id} and after {n}, got '$minimal'"
[[ $noblob == "id,n,name id,n,name" ]] || fail "NOBLOB: expected no doc in either image, got '$noblob'"
warnings=$(log_since "$mark" 'partial row images')
[[ $(wc -l <<<"$warnings") -eq 1 && $warnings == *"table demo.img has partial row images"* ]] ||
  fail "expected one warning naming demo.img, got: $warnings"

# -- 2. binlog_format STATEMENT ------------------------------------------------
mark=$(wc -l <"$DAEMON_LOG")
sql -e "SET GLOBAL binlog_format = STATEMENT"
sql -e "CREATE TABLE demo.ddl_ok (id INT PRIMARY KEY); INSERT INTO demo.skip VALUES (1)"
wait_caught_up 60
daemon_running || fail "DDL or a statement on an excluded table stopped binlog2kafka"
before=$(master_status)
committed=$(committed_position)
sql -e "INSERT INTO demo.ss VALUES (1001, 'statement', 0)"
expect_stop "$mark"
first_stop=$STOP_LINE
[[ $STOP_LINE == *"a change of demo.ss was logged as a statement"* ]] || fail "the line does not name demo.ss and the cause"
[[ $STOP_LINE =~ at\ offset\ [0-9]+ ]] || fail "the line does not name the position"
[[ $(committed_position) == "$committed" ]] || fail "the committed position moved past the statement"
[[ $committed == "$before 0" ]] || fail "committed $committed, expected everything before the statement ($before)"
[[ $(topic_count "$SOURCE_NAME.demo.ss") -eq 100 ]] || fail "expected the 100 rows before the statement in the topic"
sql -e "SET GLOBAL binlog_format = ROW"
mark=$(wc -l <"$DAEMON_LOG")
daemon_start "$EXCLUDE"
expect_stop "$mark"
[[ ${STOP_LINE#* error } == "${first_stop#* error }" ]] || fail "a restart stopped elsewhere: $STOP_LINE"
past=$(event_end "$STOP_LINE")
[[ -n $past ]] || fail "the line does not say where the event ends"
log "moving past it by hand: from=$past"
daemon_start_ready "$EXCLUDE" "--binlog2kafka.from=$past"
sql -e "INSERT INTO demo.ss SELECT seq, 'row', 0 FROM demo.seq_101_to_150; DELETE FROM demo.ss WHERE id = 1001"
wait_caught_up 60
daemon_stop

# -- 3. binlog_row_metadata MINIMAL --------------------------------------------
mark=$(wc -l <"$DAEMON_LOG")
daemon_start_ready "$EXCLUDE"
committed=$(committed_position)
sql -e "SET GLOBAL binlog_row_metadata = MINIMAL"
sql -e "INSERT INTO demo.ss VALUES (2001, 'minimal', 0)"
expect_stop "$mark"
first_stop=$STOP_LINE
[[ $STOP_LINE == *"TABLE_MAP of demo.ss holds no column names (binlog_row_metadata"* ]] ||
  fail "the line does not name demo.ss and the cause"
[[ $(committed_position) == "$committed" ]] || fail "the committed position moved past the table map"
sql -e "SET GLOBAL binlog_row_metadata = FULL"
mark=$(wc -l <"$DAEMON_LOG")
daemon_start "$EXCLUDE"
expect_stop "$mark"
[[ ${STOP_LINE#* error } == "${first_stop#* error }" ]] || fail "a restart stopped elsewhere: $STOP_LINE"
read -r file pos <<<"$(master_status)"
daemon_start_ready "$EXCLUDE" "--binlog2kafka.from=$file:$pos"
sql -e "DELETE FROM demo.ss WHERE id = 2001"
wait_caught_up 60

# -- 4. REPLICATION SLAVE revoked ----------------------------------------------
mark=$(wc -l <"$DAEMON_LOG")
sql -e "REVOKE REPLICATION SLAVE ON *.* FROM 'b2k'@'127.0.0.1'"
dump_ids() { sql -e "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'b2k' AND COMMAND LIKE 'Binlog Dump%'"; }
[[ -n $(dump_ids) ]] || fail "no binlog dump connection of b2k"
for id in $(dump_ids); do sql -e "KILL CONNECTION $id"; done
sql -e "INSERT INTO demo.ss SELECT seq, 'row', 0 FROM demo.seq_151_to_160"
expect_stop "$mark"
[[ $STOP_LINE == *"REPLICATION SLAVE"* ]] || fail "the line does not name the missing privilege"
sql -e "GRANT REPLICATION SLAVE ON *.* TO 'b2k'@'127.0.0.1'"
daemon_start_ready "$EXCLUDE"
wait_caught_up 60
[[ $(sql -e "SELECT COUNT(*) FROM demo.ss") -eq 160 ]] || fail "demo.ss does not hold 160 rows"
daemon_stop

# -- 5. purged while stopped, snapshot = when-needed ---------------------------
committed=$(committed_position)
read -r cfile _ <<<"$committed"
sql -e "INSERT INTO demo.ss SELECT seq, 'row', 0 FROM demo.seq_161_to_200; FLUSH BINARY LOGS"
last=$(master_status | awk '{print $1}')
purged() {
  sql -e "PURGE BINARY LOGS TO '$last'"
  ! sql -e "SHOW BINARY LOGS" | has_line "^${cfile}[[:space:]]"
}
wait_for 30 "the server purged $cfile" purged
mark=$(wc -l <"$DAEMON_LOG")
daemon_start "$EXCLUDE" --binlog2kafka.snapshot=when-needed
wait_for 120 "the snapshot is done" bash -c "tail -n +$((mark + 1)) '$DAEMON_LOG' | has_line 'snapshot: done'"
[[ -n $(log_since "$mark" 'was purged from the server .*snapshot = when-needed') ]] ||
  fail "no line says the position was purged and every table is read again"
sql -e "INSERT INTO demo.ss SELECT seq, 'row', 0 FROM demo.seq_201_to_210"
wait_caught_up 60
python3 "$ITEST_DIR/materialize.py" tables --brokers "$BROKERS" --prefix "$SOURCE_NAME" \
  --defaults-file="$MARIADB_CNF" --user="$(id -un)" demo.ss demo.img ||
  fail "materialized topics differ from the tables"
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "graceful stop exited with $DAEMON_RC"

# -- 6. SELECT revoked, a snapshot to make -------------------------------------
# information_schema then lists no table: without the check the snapshot
# would read nothing and say nothing.
sql -e "REVOKE SELECT ON *.* FROM 'b2k'@'127.0.0.1'"
SOURCE_NAME=noselect
mark=$(wc -l <"$DAEMON_LOG")
daemon_start "$EXCLUDE" --binlog2kafka.snapshot=initial
expect_stop "$mark"
[[ $STOP_LINE == *"lacks the SELECT privilege"* ]] || fail "the line does not name the missing privilege"
[[ $(topic_count noselect.demo.ss) -eq 0 ]] || fail "records were sent without SELECT"
sql -e "GRANT SELECT ON *.* TO 'b2k'@'127.0.0.1'"
log "SUMMARY source_settings: partial images warned once, statement/metadata stops at the same place twice, privileges named, purge re-snapshotted seconds=$((SECONDS - T0))"
