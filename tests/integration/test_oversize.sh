#!/usr/bin/env bash
# Records larger than Kafka takes (issue 15 item 1), on a broker with its
# default limits (message.max.bytes 1 MB): a 3 MB LONGBLOB row between small
# rows of another table, in at-least-once and in exactly-once:
#   - oversize = fail (the default): the daemon exits non-zero with one line
#     naming the table, the key, the size, the limit and both settings; the
#     commit log stays before the row;
#   - a restart with oversize = dead-letter goes past it: its key, table,
#     position and size (no value) on <name>.dead-letter, a warning line,
#     binlog2kafka_records_dead_letter_total 1 in /metrics;
#   - oversize = truncate-columns: another 3 MB row arrives with its blob as
#     {"__binlog2kafka_truncated":{"bytes":N}};
#   - an on-demand snapshot of the blobs table (truncate-columns): its two
#     3 MB rows arrive truncated the same way;
#   - every other row arrives (read back from the topics with
#     read_committed; exactly-once: each exactly once).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BIG=$((3 * 1024 * 1024))
CHECK=$STATE/check_oversize.py

start_servers
sql -e "CREATE DATABASE shop;
  CREATE TABLE shop.blobs (id INT PRIMARY KEY, b LONGBLOB);
  CREATE TABLE shop.small (id INT PRIMARY KEY, v VARCHAR(20));"

cat >"$CHECK" <<'PY'
import json, subprocess, sys

brokers, name, delivery, big = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

def records(topic):
    out = subprocess.run(
        ["kcat", "-b", brokers, "-C", "-t", topic, "-e", "-q",
         "-X", "isolation.level=read_committed", "-f", "%k\t%S\t%s\n"],
        capture_output=True, text=True, check=True).stdout
    result = []
    for line in out.splitlines():
        key, size, value = line.split("\t", 2)
        result.append((json.loads(key), int(size), value))
    return result

def keys(rs):
    return [k["payload"]["id"] if "payload" in k else k["id"] for k, _, _ in rs]

failures = []
def expect(ok, what):
    if not ok:
        failures.append(what)

small = records(f"{name}.shop.small")
blobs_all = records(f"{name}.shop.blobs")
# The on-demand snapshot's records (op "r") apart from the streamed ones.
snapshot = [r for r in blobs_all if json.loads(r[2])["op"] == "r"]
blobs = [r for r in blobs_all if json.loads(r[2])["op"] != "r"]
dead = records(f"{name}.dead-letter")
exact = delivery == "exactly-once"
for topic, got, want in (("shop.small", keys(small), [1, 2, 3]),
                         ("shop.blobs", keys(blobs), [2, 3]),
                         ("shop.blobs snapshot", keys(snapshot), [1, 2, 3])):
    ok = got == want if exact else sorted(set(got)) == want
    expect(ok, f"{topic}: keys {got}, expected {want}")
expect(all(size < 1000000 for _, size, _ in small + blobs + dead),
       "a record over 1 MB is in Kafka")
# The dead letter: key, table, position and size, never the value.
expect(len(dead) == 1 if exact else len(dead) >= 1,
       f"{len(dead)} dead-letter records")
if dead:
    key, size, value = dead[0]
    d = json.loads(value)
    expect(key == {"id": 1}, f"dead-letter key {key}")
    expect(d["table"] == "shop.blobs" and d["topic"] == f"{name}.shop.blobs",
           f"dead-letter table/topic {d}")
    expect(d["size"] > big and d["limit"] < 1000000, f"dead-letter size {d}")
    expect(d["source"]["file"].startswith("binlog.") and d["source"]["pos"] > 0,
           f"dead-letter position {d['source']}")
    expect(size < 1000, f"dead-letter record of {size} bytes")
# The truncated row: its blob is the marker, the rest as it was.
for key, size, value in blobs:
    v = json.loads(value)
    if key == {"id": 3}:
        marker = v["after"]["b"]
        expect(isinstance(marker, dict)
               and marker["__binlog2kafka_truncated"]["bytes"] > big,
               f"id 3's blob is {str(marker)[:80]}")
        expect(v["after"]["id"] == 3 and v["op"] == "c", f"id 3: {value[:200]}")
    else:
        expect(v["after"]["b"] == "c21hbGw=", f"id 2's blob {v['after']['b']}")
# The snapshot's 3 MB rows (1 and 3) are truncated as streamed ones are.
for key, size, value in snapshot:
    v = json.loads(value)
    expect(v["source"]["snapshot"] == "incremental",
           f"snapshot record {key}: source.snapshot {v['source']['snapshot']}")
    if key == {"id": 2}:
        expect(v["after"]["b"] == "c21hbGw=", f"snapshot id 2's blob {v['after']['b']}")
    else:
        marker = v["after"]["b"]
        expect(isinstance(marker, dict)
               and marker["__binlog2kafka_truncated"]["bytes"] > big,
               f"snapshot {key}'s blob is {str(marker)[:80]}")
for f in failures:
    print("FAIL", f)
print(f"{delivery}: small {keys(small)}, blobs {keys(blobs)}, "
      f"snapshot {keys(snapshot)}, dead letters {len(dead)}")
sys.exit(1 if failures else 0)
PY

metric() {
  curl -sf "http://127.0.0.1:$HTTP_PORT/metrics" | awk -v m="$1" '$1 ~ "^"m"[{]" {print $2}'
}

for delivery in at-least-once exactly-once; do
  SOURCE_NAME=os_${delivery//-/_}
  log "== $delivery ($SOURCE_NAME)"
  sql -e "DELETE FROM shop.small; DELETE FROM shop.blobs;"
  daemon_start_ready --binlog2kafka.delivery=$delivery
  start=$(committed_position)
  sql -e "INSERT INTO shop.small VALUES (1, 'before');
    INSERT INTO shop.blobs VALUES (1, REPEAT('x', $BIG));
    INSERT INTO shop.small VALUES (2, 'after');
    INSERT INTO shop.blobs VALUES (2, 'small');"

  # fail: one line, non-zero, the commit log before the row.
  deadline=$((SECONDS + 120))
  while daemon_running && ((SECONDS < deadline)); do sleep 0.2; done
  daemon_running && fail "binlog2kafka still runs 120 s after the 3 MB row"
  rc=0
  wait "$DAEMON_PID" || rc=$?
  DAEMON_PID=
  ((rc != 0)) || fail "oversize = fail: exit status 0"
  errors=$(sed -n "/^--- start $DAEMON_STARTS /,\$p" "$DAEMON_LOG" | grep -E '^[0-9T:.-]+ (error|critical) ' | grep -F 'shop.blobs' || true)
  [[ $(wc -l <<<"$errors") == 1 && -n $errors ]] || { tail -n 20 "$DAEMON_LOG"; fail "expected one error line naming shop.blobs, got: $errors"; }
  line=$errors
  for part in 'a record of shop.blobs with key {"id":1}' "over the limit of 999960" \
    "message.max.bytes = 1000000" "max.message.bytes = " "oversize = dead-letter"; do
    [[ $line == *"$part"* ]] || fail "the error line lacks '$part': $line"
  done
  [[ $line =~ \ is\ ([0-9]+)\ bytes ]] && ((BASH_REMATCH[1] > BIG)) ||
    fail "the error line does not give the record's size: $line"
  log "fail: exit status $rc, line: ${line:0:160}..."
  [[ $(committed_position) != "$(master_status) 0" ]] ||
    fail "the commit log passed the refused row"

  # dead-letter: past it, a warning and a counter.
  daemon_start_ready --binlog2kafka.delivery=$delivery --binlog2kafka.oversize=dead-letter \
    --binlog2kafka.http-listen=127.0.0.1:$HTTP_PORT
  wait_caught_up 120
  grep -q 'warning.*shop.blobs.*sent its key and position to '"$SOURCE_NAME"'.dead-letter' "$DAEMON_LOG" ||
    grep -q 'sent its key and position to '"$SOURCE_NAME"'.dead-letter' "$DAEMON_LOG" ||
    fail "no warning line for the dead letter"
  wait_for 10 "/metrics counts one dead letter" \
    bash -c "[[ \$(curl -sf http://127.0.0.1:$HTTP_PORT/metrics | grep '^binlog2kafka_records_dead_letter_total' | awk '{print \$2}') == 1 ]]"
  # The status page's Kafka transaction: its state and commits in
  # exactly-once, none in at-least-once.
  txn=$(curl -sf "http://127.0.0.1:$HTTP_PORT/status.json" | python3 -c 'import json, sys
t = json.load(sys.stdin)["producer"]["transaction"]
print("none" if t is None else "%s %d" % (t["state"], t["committed"]))')
  if [[ $delivery == exactly-once ]]; then
    [[ $txn =~ ^[a-z-]+\ ([0-9]+)$ ]] && ((BASH_REMATCH[1] > 0)) ||
      fail "/status.json has no Kafka transaction with commits in exactly-once: $txn"
  else
    [[ $txn == none ]] || fail "/status.json has a Kafka transaction in at-least-once: $txn"
  fi
  log "status.json Kafka transaction: $txn"
  daemon_stop

  # truncate-columns: another 3 MB row arrives with its blob as a marker.
  daemon_start_ready --binlog2kafka.delivery=$delivery --binlog2kafka.oversize=truncate-columns
  sql -e "INSERT INTO shop.blobs VALUES (3, REPEAT('y', $BIG));
    INSERT INTO shop.small VALUES (3, 'last');"
  wait_caught_up 120
  grep -q 'truncated columns after.b' "$DAEMON_LOG" || fail "no warning line for the truncation"
  # An on-demand snapshot of shop.blobs: its 3 MB rows (1 and 3) are
  # truncated too, and the pipeline goes on.
  write_cli_config "$STATE/b2k.ini"
  "$B2K_BINARY" snapshot --config-file="$STATE/b2k.ini" --tables='shop\.blobs' --wait \
    >"$STATE/snapshot.out" 2>&1 || { cat "$STATE/snapshot.out"; fail "snapshot of shop.blobs failed"; }
  wait_caught_up 60
  daemon_running || fail "the pipeline stopped after the snapshot of shop.blobs"
  daemon_stop
  [[ $DAEMON_RC == 0 ]] || fail "graceful stop exited with $DAEMON_RC"

  python3 "$CHECK" "$BROKERS" "$SOURCE_NAME" "$delivery" "$BIG" || fail "topics of $delivery"
done
log "PASS oversize in $((SECONDS - T0)) s"
