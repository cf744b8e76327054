#!/usr/bin/env bash
# Failover to a replica (failure mode 18): binlog2kafka reads a primary;
# the primary goes away after more writes, and the pipeline is pointed at
# its GTID replica, whose binlog files are other files with other offsets.
# It must notice the other server id and resume by GTID: every row exactly
# once, none skipped, none sent twice, and rows written on the replica after
# the failover follow.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REPLICA_PORT=${B2K_ITEST_REPLICA_PORT:-$(itest_port 23307)}
REPLICA_STATE=$STATE/replica
TABLE=fo
TOPIC=$SOURCE_NAME.demo.$TABLE

replica() {
  env B2K_STATE_DIR="$REPLICA_STATE" B2K_MARIADB_PORT="$REPLICA_PORT" \
    B2K_MARIADB_EXTRA_CNF=$'server_id=2\nlog_slave_updates=ON' \
    "$B2K_SOURCE_DIR/deploy/mariadb.sh" "$@"
}
replica_sql() { mariadb --defaults-file="$REPLICA_STATE/mariadb/my.cnf" -u "$(id -un)" -N -B "$@"; }
cleanup_replica() { replica stop >/dev/null 2>&1 || true; }
exit_trap_first cleanup_replica

start_servers
mkdir -p "$REPLICA_STATE"
replica start >/dev/null
# Replicate from here on (both servers made their own users and databases).
replica_sql -e "SET GLOBAL gtid_slave_pos = '$(sql -e 'SELECT @@gtid_current_pos')';
  CHANGE MASTER TO master_host='127.0.0.1', master_port=$MARIADB_PORT,
    master_user='b2k', master_password='$(cat "$PASSWORD_FILE")',
    master_use_gtid=slave_pos;
  START SLAVE"
sql -e "CREATE TABLE demo.$TABLE (id INT PRIMARY KEY, v INT)"
replica_has() { [[ $(replica_sql -e "SELECT COUNT(*) FROM demo.$TABLE" 2>/dev/null) == "$1" ]]; }

insert_rows() { # FROM TO, on the primary (sql) or the replica (replica_sql)
  local run=$1 i
  for ((i = $2; i <= $3; i += 25)); do
    $run demo -e "INSERT INTO $TABLE SELECT seq, seq FROM seq_${i}_to_$((i + 24))"
  done
}

daemon_start_ready
insert_rows sql 1 500
wait_caught_up
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "SIGTERM: exit status $DAEMON_RC"

# More writes the pipeline has not read, replicated, then the primary goes.
insert_rows sql 501 1000
wait_for 60 "the replica has all 1000 rows" replica_has 1000
server_env "$B2K_SOURCE_DIR/deploy/mariadb.sh" stop >/dev/null
replica_sql -e "STOP SLAVE; RESET SLAVE ALL"

# The same pipeline, now pointed at the replica.
daemon_start --binlog2kafka.source=mysql://b2k@127.0.0.1:$REPLICA_PORT \
  --binlog2kafka.source-password-file="$REPLICA_STATE/mariadb/b2k.password"
wait_for 60 "the pipeline resumes by GTID on the replica" \
  grep -q "server id changed from 1 to 2 (a failover?): resuming by GTID" "$DAEMON_LOG"
insert_rows replica_sql 1001 1250
replica_end() { replica_sql -e 'SHOW MASTER STATUS' | awk '{print $1, $2}'; }
caught_up_on_replica() {
  local end committed
  end=$(replica_end)
  committed=$(committed_position | awk '{print $1, $2}') || return 1
  [[ $committed == "$end" ]]
}
wait_for 120 "the pipeline caught up with the replica" caught_up_on_replica
daemon_running || fail "binlog2kafka exited after the failover"

for ((id = 1; id <= 1250; id++)); do
  printf '{"id":%d}\tc\t%d\n' "$id" "$id"
done >"$STATE/expected.tsv"
verify --topic "$TOPIC" --expect "$STATE/expected.tsv" --tag v --max-duplicates 0 \
  || fail "the topic does not hold every row exactly once across the failover"
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "SIGTERM: exit status $DAEMON_RC"
log "failover: 1250 rows exactly once, resumed by GTID on the replica"
