#!/usr/bin/env bash
# The binlog is purged past the committed position while binlog2kafka is
# down (failure mode 6): stop the daemon, write rows it has not read, FLUSH
# BINARY LOGS, PURGE BINARY LOGS TO the new file, start it again. It must
# exit non-zero (within 60 s) with an error line giving the cause, and it must
# never jump ahead: no record of the rows written after the stop (nor of rows
# written after the purge) reaches Kafka, and the commit log still holds the
# old position.
#
# The error must be one line that names the committed position and says it
# was purged.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
faults_trap

TOPIC=$SOURCE_NAME.demo.purge

start_servers
sql -e "CREATE TABLE demo.purge (id INT PRIMARY KEY, ver INT NOT NULL) ENGINE=InnoDB"
daemon_start_ready
sql -e "INSERT INTO demo.purge SELECT seq, 1 FROM demo.seq_1_to_100"
wait_caught_up 120
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "binlog2kafka exited with status $DAEMON_RC after SIGTERM, expected 0"
committed=$(committed_position)
read -r cfile cpos _ <<<"$committed"
[[ $(topic_count "$TOPIC") -eq 100 ]] || fail "expected the 100 first rows in $TOPIC"
log "stopped at $cfile:$cpos with 100 rows in $TOPIC"

# Rows the daemon never read, then the purge of the file that holds them.
sql -e "INSERT INTO demo.purge SELECT seq, 1 FROM demo.seq_101_to_200; FLUSH BINARY LOGS"
last=$(master_status | awk '{print $1}')
purged() {
  sql -e "PURGE BINARY LOGS TO '$last'"
  ! sql -e "SHOW BINARY LOGS" | has_line "^${cfile}[[:space:]]"
}
wait_for 30 "the server purged $cfile" purged
# And rows after the purge, which a daemon that jumped ahead would send.
sql -e "INSERT INTO demo.purge SELECT seq, 1 FROM demo.seq_201_to_300"
log "purged up to $last (binary logs now: $(sql -e 'SHOW BINARY LOGS' | awk '{printf "%s ", $1}'))"

lines_before=$(wc -l <"$DAEMON_LOG")
t_start=$SECONDS
daemon_start
deadline=$((SECONDS + 60))
while daemon_running && ((SECONDS < deadline)); do sleep 0.2; done
daemon_running && fail "binlog2kafka still runs 60s after starting at a purged position"
rc=0
wait "$DAEMON_PID" || rc=$?
DAEMON_PID=
secs=$((SECONDS - t_start))
errors=$(tail -n +$((lines_before + 1)) "$DAEMON_LOG" | grep -E '^[0-9T:.-]+ (error|critical) ' || true)
log "exit status $rc after ${secs}s; error lines:"
sed "s/^/[$TEST_NAME]     /" <<<"$errors"
[[ $rc -ne 0 ]] || fail "binlog2kafka exited with status 0 at a purged position"
[[ -n $errors ]] || fail "no error line in the log"
grep -qiE 'purged|Could not find first log file' <<<"$errors" || fail "no error line gives the cause (a purged binlog)"
[[ $(wc -l <<<"$errors") -eq 1 ]] || fail "$(wc -l <<<"$errors") error lines, expected one"
grep -qF "$cfile:$cpos" <<<"$errors" || fail "the error line does not name the position $cfile:$cpos"
grep -qiE 'purged' <<<"$errors" || fail "the error line does not say the position was purged"

# Never ahead: nothing of rows 101-300 was sent, the commit log is unchanged.
count=$(topic_count "$TOPIC")
[[ $count -eq 100 ]] || fail "$TOPIC holds $count records, expected the 100 sent before the purge (it jumped ahead)"
[[ $(committed_position) == "$committed" ]] ||
  fail "the committed position moved from $committed to $(committed_position)"
log "SUMMARY purged_position: exit_status=$rc seconds_to_exit=$secs error_lines=$(wc -l <<<"$errors") records_after=100 (rows 101-300 not sent) committed_position='$committed' unchanged seconds=$((SECONDS - T0))"
