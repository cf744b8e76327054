#!/usr/bin/env bash
# XA transactions (design.md "XA transactions", failure mode 17). MariaDB
# 10.11 writes an XA transaction's rows to the binlog at XA PREPARE; its XA
# COMMIT or XA ROLLBACK comes later as an event of its own. Rows of a
# prepared transaction are sent only when its commit is read, a rollback
# drops them, and the released position never passes the XA PREPARE of an
# undecided transaction. Cases (each XA transaction inserts one cdc.items
# row, ids 5000001..; the audit triggers record the committed ones):
#   rb1   XA PREPARE, XA ROLLBACK                  -> no record (phantom)
#   c1    XA PREPARE, XA COMMIT                    -> one record
#   op1   XA COMMIT ONE PHASE                      -> one record
#   rot1  XA PREPARE, FLUSH BINARY LOGS, a plain insert, XA COMMIT
#                                                  -> one record
#   k1    XA PREPARE, a plain insert delivered: the committed position must
#         not pass k1's XA START; kill -9 binlog2kafka, restart, XA COMMIT
#                                                  -> one record (not skipped)
#   k2    XA PREPARE, kill -9, restart, XA ROLLBACK -> no record
# Then cdc_audit.py: 0 missing, 0 phantoms.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
faults_trap

PROBLEMS=()
problem() {
  PROBLEMS+=("$*")
  log "PROBLEM: $*"
}

# xa_prepare XID ID: XA START..END..PREPARE of an insert of cdc.items ID (its
# own connection: a prepared XA transaction outlives it on MariaDB 10.5+).
xa_prepare() {
  sql -e "XA START '$1'; INSERT INTO cdc.items (id, ver, name, qty, note) VALUES ($2, 1, 'xa $1', 0, 'xa');
          XA END '$1'; XA PREPARE '$1'"
}
items_record() {
  [[ $(last_value_for_key "$SOURCE_NAME.cdc.items" "{\"id\":$1}") != "" ]]
}
# marker N: a plain row in another table, delivered and committed (the
# pipeline read everything before it).
marker() {
  sql -e "INSERT INTO demo.xa_marker VALUES ($1)"
  marker_in() { [[ $(topic_count "$SOURCE_NAME.demo.xa_marker") -ge $1 ]]; }
  wait_for 120 "marker row $1 in Kafka" marker_in "$1"
  wait_for 120 "every transaction of the binlog committed" caught_up_rows
}
# "FILE POS" -> a number that orders positions (file sequence, offset).
pos_key() { awk '{ split($1, f, "."); printf "%d%012d\n", f[2], $2 }' <<<"$1"; }

start_servers
workload_setup
sql -e "CREATE TABLE demo.xa_marker (id INT PRIMARY KEY) ENGINE=InnoDB"
daemon_start_ready

xa_prepare rb1 5000001
sql -e "XA ROLLBACK 'rb1'"
xa_prepare c1 5000002
sql -e "XA COMMIT 'c1'"
sql -e "XA START 'op1'; INSERT INTO cdc.items (id, ver, name, qty, note) VALUES (5000003, 1, 'xa op1', 0, 'xa');
        XA END 'op1'; XA COMMIT 'op1' ONE PHASE"
xa_prepare rot1 5000004
sql -e "FLUSH BINARY LOGS; INSERT INTO cdc.items (id, ver, name, qty, note) VALUES (5000005, 1, 'plain', 0, '')"
sql -e "XA COMMIT 'rot1'"
marker 1

# k1: undecided while later transactions are delivered.
before_k1=$(master_status)
xa_prepare k1 5000006
sql -e "INSERT INTO cdc.items (id, ver, name, qty, note) VALUES (5000007, 1, 'plain', 0, '')"
wait_for 60 "the plain row 5000007 in Kafka" items_record 5000007
pos_after=$(master_status)
# Ten commit intervals (200 ms each) pass on purpose: time for the watcher
# to release and commit everything it (wrongly) could.
sleep 2
committed=$(committed_position)
log "k1 prepared at $before_k1; binlog end $pos_after; committed $committed"
if (($(pos_key "$committed") > $(pos_key "$before_k1"))); then
  problem "the committed position $committed passed the XA START of the undecided k1 ($before_k1)"
fi
if items_record 5000006; then
  problem "k1's row (id 5000006) is in Kafka while k1 is only prepared"
fi
daemon_kill9
n=$(connected_count)
daemon_start
wait_for 60 "the restarted binlog2kafka connected" reader_connected_since "$n"
sql -e "XA COMMIT 'k1'"

# k2: prepared and read by the daemon, which is then killed; rolled back.
xa_prepare k2 5000008
sleep 1 # the reader reads k2's XA PREPARE (time passes on purpose)
daemon_kill9
n=$(connected_count)
daemon_start
wait_for 60 "the restarted binlog2kafka connected" reader_connected_since "$n"
sql -e "XA ROLLBACK 'k2'"
marker 2
log "XA transactions still prepared: $(sql -e 'XA RECOVER' | wc -l)"

audit --wait 30
[[ $AUDIT_MISSING -eq 0 ]] || problem "missing $AUDIT_MISSING committed XA change(s) (not sent, or skipped after the restart)"
[[ $AUDIT_PHANTOMS -eq 0 ]] || problem "$AUDIT_PHANTOMS record(s) of rolled-back XA transactions (phantoms)"
for id in 5000001 5000008; do
  ! items_record "$id" || problem "row $id of a rolled-back XA transaction is in Kafka"
done
for id in 5000002 5000003 5000004 5000006; do
  items_record "$id" || problem "row $id of a committed XA transaction is not in Kafka"
done
daemon_stop
log "SUMMARY xa: problems=${#PROBLEMS[@]} missing=$AUDIT_MISSING phantoms=$AUDIT_PHANTOMS duplicates=$AUDIT_DUPLICATES seconds=$((SECONDS - T0))"
((${#PROBLEMS[@]} == 0)) || fail "${#PROBLEMS[@]} problem(s): $(printf '%s; ' "${PROBLEMS[@]}")"
