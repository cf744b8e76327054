#!/usr/bin/env bash
# Records on real servers (docs/records.md): binlog2kafka run with filters
# (include-databases, exclude-tables, exclude-columns), tombstones, the
# transaction topic and the schema-change topic on, against a workload that
# touches included, excluded and filtered tables and databases, then checks
# every topic with kcat:
#   - exact record counts per topic, no topic for filtered tables;
#   - a primary-key change as a delete (header __debezium.newkey), its
#     tombstone and a create (header __debezium.oldkey), in Kafka and dump;
#   - a tombstone (same key, null value) right after each delete of a keyed
#     table, none for a keyless one; excluded columns never in a value;
#   - BEGIN/END on <name>.transaction, END with its exact counts per table;
#   - the schema changes of the included databases, a latin1 statement as
#     UTF-8;
#   - `binlog2kafka dump` with the same options shows exactly what run sent;
#   - after a graceful stop, changes made while stopped arrive on restart,
#     nothing is sent twice.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=$STATE/out
CHECK=$STATE/check_records.py
RECORD_OPTIONS=(
  "--binlog2kafka.transaction-topic={prefix}.transaction"
  '--binlog2kafka.include-databases=["shop", "other"]'
  '--binlog2kafka.exclude-tables=["other\\.secrets"]'
  '--binlog2kafka.exclude-columns=["shop\\.customers\\.password_hash"]'
)
# The same for dump (one pattern per flag).
DUMP_OPTIONS=(
  "--name=$SOURCE_NAME" "--transaction-topic={prefix}.transaction"
  "--include-databases=shop" "--include-databases=other"
  '--exclude-tables=other\.secrets'
  '--exclude-columns=shop\.customers\.password_hash'
)

start_servers
mkdir -p "$OUT"
daemon_start_ready "${RECORD_OPTIONS[@]}"
read -r start_file start_pos _ < <(committed_position)

# Every statement at 2023-11-14 22:13:20 UTC: ts_ms is 1700000000000.
{
  echo "SET TIMESTAMP = 1700000000;"
  echo "CREATE DATABASE shop; CREATE DATABASE other; CREATE DATABASE ignored;"
  echo "CREATE TABLE shop.customers (id INT PRIMARY KEY, name VARCHAR(40),"
  echo "  password_hash VARCHAR(60));"
  echo "CREATE TABLE shop.audit (at INT, what VARCHAR(40));"
  echo "CREATE TABLE other.secrets (id INT PRIMARY KEY, s VARCHAR(20));"
  echo "CREATE TABLE other.t (id INT PRIMARY KEY);"
  echo "CREATE TABLE ignored.t (id INT PRIMARY KEY);"
  echo "BEGIN;"
  printf "INSERT INTO shop.customers VALUES "
  for i in $(seq 1 100); do
    printf "%s(%d, 'c%d', 'hash%d')" "$([[ $i == 1 ]] || echo ,)" "$i" "$i" "$i"
  done
  echo ";"
  echo "INSERT INTO shop.audit VALUES (1, 'hundred customers');"
  echo "INSERT INTO other.secrets VALUES (1, 'pssst');"
  echo "INSERT INTO other.t VALUES (1);"
  echo "INSERT INTO ignored.t VALUES (1);"
  echo "COMMIT;"
  echo "UPDATE shop.customers SET name = CONCAT(name, '!') WHERE id <= 10;"
  echo "DELETE FROM shop.customers WHERE id > 90;"
  echo "DELETE FROM shop.audit;"
  echo "UPDATE shop.customers SET id = 1000 WHERE id = 5;"
} >"$STATE/workload.sql"
sql <"$STATE/workload.sql"
# A statement in latin1: the binlog keeps its bytes (é is 0xE9).
printf "SET TIMESTAMP = 1700000000;\nALTER TABLE shop.customers COMMENT 'caf\xe9';\n" |
  sql --default-character-set=latin1
wait_caught_up 120

cat >"$CHECK" <<'PY'
import json, subprocess, sys

brokers, prefix, phase, dump_file = sys.argv[1:5]
TS = 1700000000000

def topics():
    out = subprocess.run(["kcat", "-b", brokers, "-L"], capture_output=True,
                         text=True, check=True).stdout
    return sorted(l.split('"')[1] for l in out.splitlines()
                  if l.startswith('  topic "'))

def read(topic, with_headers=False):
    out = subprocess.run(["kcat", "-b", brokers, "-C", "-t", topic, "-o",
                          "beginning", "-e", "-J", "-q"],
                         capture_output=True, text=True, check=True).stdout
    recs = []
    for line in out.splitlines():
        m = json.loads(line)
        key = None if m.get("key") is None else json.loads(m["key"])
        value = None if m.get("payload") is None else json.loads(m["payload"])
        h = m.get("headers") or []
        headers = {h[i]: h[i + 1] for i in range(0, len(h), 2)}
        recs.append((key, value, headers) if with_headers else (key, value))
    return recs

failed = []
def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failed.append(what)

p = prefix
want_topics = sorted([p + ".commits", p + ".signals", p, p + ".transaction",
                      p + ".shop.customers", p + ".shop.audit", p + ".other.t"])
got_topics = [t for t in topics() if t == p or t.startswith(p + ".")]
check(got_topics == want_topics,
      f"topics {got_topics} are {want_topics} (none for other.secrets, ignored.t)")

extra = 1 if phase == "restarted" else 0
customers = read(p + ".shop.customers")
ops = [v["op"] if v else None for _, v in customers]
check(len(customers) == 133 + 2 * extra,
      f"{p}.shop.customers holds {len(customers)} records, want {133 + 2 * extra}"
      " (100 c, 10 u, 10 d + 10 tombstones, a key change as d + tombstone + c;"
      " after the restart 1 d + 1 tombstone more)")
check(ops.count("c") == 101 and ops.count("u") == 10
      and ops.count("d") == 11 + extra and ops.count(None) == 11 + extra,
      "c/u/d/tombstone counts of shop.customers")
moved = [(k, v["op"] if v else None, h)
         for k, v, h in read(p + ".shop.customers", True) if h]
check(moved == [({"id": 5}, "d", {"__debezium.newkey": '{"id":1000}'}),
                ({"id": 5}, None, {"__debezium.newkey": '{"id":1000}'}),
                ({"id": 1000}, "c", {"__debezium.oldkey": '{"id":5}'})],
      f"the key change 5 -> 1000: delete, tombstone, create with their headers: {moved}")
follows = all(customers[i + 1] == (customers[i][0], None)
              for i, (_, v) in enumerate(customers) if v and v["op"] == "d")
check(follows, "each delete is followed by a tombstone with its key")
check(all(v is None or "password_hash" not in json.dumps(v) for _, v in customers),
      "password_hash (exclude-columns) is in no value")
deletes = [k for k, v in customers if v and v["op"] == "d"]
check(deletes[:10] == [{"id": i} for i in range(91, 101)], "deletes of ids 91..100, in order")
first_update = next(v for _, v in customers if v and v["op"] == "u")
check(first_update["before"] == {"id": 1, "name": "c1"}
      and first_update["after"] == {"id": 1, "name": "c1!"}
      and first_update["ts_ms"] == TS
      and first_update["source"]["connector"] == "mysql"
      and first_update["source"]["db"] == "shop"
      and first_update["source"]["table"] == "customers"
      and first_update["transaction"]["total_order"] == 1
      and first_update["transaction"]["data_collection_order"] == 1,
      "the update of id 1: images without password_hash, source, transaction")

audit = read(p + ".shop.audit")
check([(k, v["op"] if v else None) for k, v in audit] == [(None, "c"), (None, "d")],
      f"{p}.shop.audit: an insert and a delete with null keys, no tombstone")
check(len(read(p + ".other.t")) == 1, f"{p}.other.t holds its one insert")

ddl = read(p)
statements = [v["ddl"] for _, v in ddl]
check(statements == [
    "CREATE DATABASE shop", "CREATE DATABASE other",
    "CREATE TABLE shop.customers (id INT PRIMARY KEY, name VARCHAR(40),\n"
    "  password_hash VARCHAR(60))",
    "CREATE TABLE shop.audit (at INT, what VARCHAR(40))",
    "CREATE TABLE other.secrets (id INT PRIMARY KEY, s VARCHAR(20))",
    "CREATE TABLE other.t (id INT PRIMARY KEY)",
    "ALTER TABLE shop.customers COMMENT 'café'"],
    f"the schema topic holds the 7 statements of shop and other: {statements}")
key, value = ddl[-1]
check(key == {"databaseName": "shop"} and value["databaseName"] == "shop"
      and value["ts_ms"] == TS and value["source"]["db"] == "shop"
      and value["source"]["table"] is None and value["tableChanges"] == [],
      "the latin1 ALTER TABLE: key, databaseName, source")

txn = read(p + ".transaction")
status = [v["status"] for _, v in txn]
check(status == ["BEGIN", "END"] * (5 + extra),
      f"{p}.transaction holds BEGIN/END for the {5 + extra} transactions: {status}")
check(txn[9][1]["event_count"] == 2,
      f"the key change's transaction counts a delete and a create: {txn[9][1]}")
big_id = txn[0][1]["id"]
check(txn[1] == ({"id": big_id}, {
    "status": "END", "id": big_id, "event_count": 102,
    "data_collections": [
        {"data_collection": "shop.customers", "event_count": 100},
        {"data_collection": "shop.audit", "event_count": 1},
        {"data_collection": "other.t", "event_count": 1}],
    "ts_ms": TS}), f"the END of the first transaction: {txn[1]}")
inserts = [v for _, v in customers if v and v["op"] == "c"]
check([v["transaction"]["total_order"] for v in inserts[:100]] == list(range(1, 101))
      and all(v["transaction"]["id"] == big_id for v in inserts[:100]),
      "the inserts carry total_order 1..100 of the first transaction")

# dump with the same options: the same records, topic by topic.
dumped = {}
for line in open(dump_file):
    r = json.loads(line)
    dumped.setdefault(r["topic"], []).append((r["key"], r["value"],
                                              r.get("headers", {})))
for topic in want_topics:
    if topic in (p + ".commits", p + ".signals"):
        continue
    check(dumped.get(topic, []) == read(topic, True),
          f"dump shows what run sent to {topic}, headers included")
check(sorted(dumped) == sorted(t for t in want_topics
                              if t not in (p + ".commits", p + ".signals")),
      f"dump shows no other topic: {sorted(dumped)}")
sys.exit(1 if failed else 0)
PY

check_topics() {
  local phase=$1
  "$B2K_BINARY" dump --source="$SOURCE_URL" --password-file="$PASSWORD_FILE" \
    --from="$start_file:$start_pos" "${DUMP_OPTIONS[@]}" >"$OUT/dump-$phase.jsonl" \
    2>"$OUT/dump-$phase.err" || fail "dump failed: $(cat "$OUT/dump-$phase.err")"
  python3 "$CHECK" "$BROKERS" "$SOURCE_NAME" "$phase" "$OUT/dump-$phase.jsonl" \
    | tee "$OUT/check-$phase.txt"
  [[ ${PIPESTATUS[0]} -eq 0 ]] || fail "the topics do not hold the records expected ($phase)"
}

check_topics first
daemon_stop 60
[[ $DAEMON_RC -eq 0 ]] || fail "binlog2kafka exited with status $DAEMON_RC after SIGTERM"

# Stopped: one more delete; the restart resumes from the commit log.
sql -e "SET TIMESTAMP = 1700000000; DELETE FROM shop.customers WHERE id = 50"
daemon_start_ready "${RECORD_OPTIONS[@]}"
wait_caught_up 120
check_topics restarted
daemon_stop 60
[[ $DAEMON_RC -eq 0 ]] || fail "binlog2kafka exited with status $DAEMON_RC after SIGTERM"
log "records: filters, tombstones, transaction and schema topics as run and dump show them"
