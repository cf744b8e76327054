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
#   k2    XA PREPARE, read by the daemon (its /metrics count XA_PREPARE
#         events), kill -9, restart, XA ROLLBACK    -> no record
# Then cdc_audit.py: 0 missing, 0 phantoms, 0 duplicates, per-key order, every
# column as committed. Last, the auditor itself must fail on a record copied
# into another table's topic, on a record with a wrong column value and on an
# empty audit window.
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
HTTP_ARG=--binlog2kafka.http-listen=127.0.0.1:$HTTP_PORT
daemon_start_ready "$HTTP_ARG"

xa_prepare rb1 5000001
sql -e "XA ROLLBACK 'rb1'"
xa_prepare c1 5000002
sql -e "XA COMMIT 'c1'"
sql -e "XA START 'op1'; INSERT INTO cdc.items (id, ver, name, qty, note) VALUES (5000003, 1, 'xa op1', 0, 'xa');
        XA END 'op1'; XA COMMIT 'op1' ONE PHASE"
xa_prepare rot1 5000004
sql -e "FLUSH BINARY LOGS; INSERT INTO cdc.items (id, ver, name, qty, note) VALUES (5000005, 1, 'plain', 0, '')"
sql -e "XA COMMIT 'rot1'"
# Plain changes of two tables (DECIMAL, DATETIME(3), an update's before
# image) for the auditor's column comparison.
sql -e "INSERT INTO cdc.accounts (id, ver, balance, updated) VALUES (1, 1, -12.34, NOW(3));
        UPDATE cdc.accounts SET ver = 2, balance = balance + 100.05, updated = NOW(3) WHERE id = 1;
        UPDATE cdc.items SET ver = 2, qty = qty + 1, note = NULL WHERE id = 5000005"
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
daemon_start "$HTTP_ARG"
wait_for 60 "the restarted binlog2kafka connected" reader_connected_since "$n"
sql -e "XA COMMIT 'k1'"
marker 2

# k2: prepared and read by the daemon, which is then killed; rolled back.
xa_prepares() {
  curl -s --max-time 5 "http://127.0.0.1:$HTTP_PORT/metrics" |
    awk '!found && /^binlog2kafka_events_total[{].*type="XA_PREPARE"/ {print $2; found = 1}' | cut -d. -f1
}
prepares_before=$(xa_prepares)
[[ -n $prepares_before ]] || fail "no XA_PREPARE count on /metrics (port $HTTP_PORT)"
xa_prepare k2 5000008
prepares_past() { [[ $(xa_prepares) -gt $1 ]]; }
wait_for 60 "the reader read k2's XA PREPARE (XA_PREPARE events > $prepares_before)" prepares_past "$prepares_before"
daemon_kill9
n=$(connected_count)
daemon_start "$HTTP_ARG"
wait_for 60 "the restarted binlog2kafka connected" reader_connected_since "$n"
sql -e "XA ROLLBACK 'k2'"
marker 3
log "XA transactions still prepared: $(sql -e 'XA RECOVER' | wc -l)"

audit --wait 30
[[ $AUDIT_MISSING -eq 0 ]] || problem "missing $AUDIT_MISSING committed XA change(s) (not sent, or skipped after the restart)"
[[ $AUDIT_PHANTOMS -eq 0 ]] || problem "$AUDIT_PHANTOMS record(s) of rolled-back XA transactions (phantoms)"
[[ $AUDIT_DUPLICATES -eq 0 ]] || problem "$AUDIT_DUPLICATES duplicate record(s) (an XA row sent twice)"
[[ $AUDIT_OUT_OF_ORDER -eq 0 ]] || problem "$AUDIT_OUT_OF_ORDER record(s) out of per-key order"
[[ $AUDIT_RC -eq 0 ]] || problem "cdc_audit.py failed (status $AUDIT_RC)"
[[ $AUDIT_CHANGES -ge 8 ]] || problem "the audit saw $AUDIT_CHANGES changes, expected at least 8"
for id in 5000001 5000008; do
  ! items_record "$id" || problem "row $id of a rolled-back XA transaction is in Kafka"
done
for id in 5000002 5000003 5000004 5000006; do
  items_record "$id" || problem "row $id of a committed XA transaction is not in Kafka"
done
daemon_stop

# The auditor must catch what it exists for: a copy of a cdc.items record in
# cdc.accounts' topic, a record of a committed change with one column wrong,
# and an empty audit window.
python3 - "$BROKERS" "$SOURCE_NAME" <<'PY' || fail "could not write the auditor's bad records"
import json, subprocess, sys
brokers, prefix = sys.argv[1:]
out = subprocess.run(["kcat", "-b", brokers, "-C", "-t", f"{prefix}.cdc.items", "-e", "-q", "-J"],
                     check=True, capture_output=True, text=True).stdout
rec = next(m for m in map(json.loads, out.splitlines())
           if m.get("key") == '{"id":5000002}' and m.get("payload"))
value = json.loads(rec["payload"])
def produce(topic, key, value):
    subprocess.run(["kcat", "-b", brokers, "-P", "-t", topic, "-K", "\t"], check=True,
                   input=f"{key}\t{json.dumps(value, separators=(',', ':'))}\n", text=True)
produce(f"{prefix}.cdc.accounts", rec["key"], value)
value["after"]["qty"] += 1
produce(f"{prefix}.cdc.items", rec["key"], value)
PY
audit
log "auditor on the bad records: status $AUDIT_RC, $(tail -n 1 "$STATE/audit.$AUDIT_N.txt")"
grep -q 'cdc_audit: RESULT FAIL .*wrong_values=1 wrong_topic=1' "$STATE/audit.$AUDIT_N.txt" ||
  problem "cdc_audit.py did not report the wrong value and the wrong topic"
audit --since-change-id "$(sql -e 'SELECT MAX(change_id) FROM audit.changes')"
[[ $AUDIT_RC -eq 1 && $AUDIT_CHANGES == 0 ]] || problem "cdc_audit.py passed an empty audit window (status $AUDIT_RC)"

log "SUMMARY xa: problems=${#PROBLEMS[@]} missing=$AUDIT_MISSING phantoms=$AUDIT_PHANTOMS duplicates=$AUDIT_DUPLICATES seconds=$((SECONDS - T0))"
((${#PROBLEMS[@]} == 0)) || fail "${#PROBLEMS[@]} problem(s): $(printf '%s; ' "${PROBLEMS[@]}")"
