#!/usr/bin/env bash
# On-demand snapshots (issue 12 items 2 and 8, issue 15 item 4) against a
# real MariaDB and Kafka, with a pipeline that started with snapshot = never
# over tables that already hold rows:
#  1. bad input: a --tables pattern that matches nothing, or does not
#     compile, is one line and a non-zero exit; malformed and unknown
#     signals written straight to the signal topic are one warning each and
#     ignored (the pipeline keeps running);
#  2. `binlog2kafka snapshot --tables=od\.a --tables=od\.b --wait` while a
#     writer changes all three tables: op "r" records ("incremental") arrive
#     for exactly those two tables, and reading their topics from the start
#     and applying by key gives exactly SELECT (materialize.py);
#  3. HTTP: with no token configured POST /snapshots is refused (403);
#  4. a snapshot of a larger table cancelled with `snapshot --cancel=ID`;
#  5. another one killed with kill -9 half-way: the restart goes on with it
#     (not from the start, and the signal is not taken again), it ends, and
#     the table materializes equal;
#  6. HTTP with a token: POST without/with a wrong token is 401, with the
#     token 202 and the snapshot runs; GET /snapshots lists it; DELETE of an
#     unknown id is 404;
#  7. `snapshot --wait` on a terminal (script(1)) draws a progress line
#     (rows, rate, percent, time left) and ends it with a summary.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
faults_trap

SEED=${B2K_SEED:-$RANDOM}
log "seed $SEED (rerun with B2K_SEED=$SEED)"
URL=http://127.0.0.1:$HTTP_PORT

start_servers
sql <<'SQL'
CREATE DATABASE od;
USE od;
CREATE TABLE od.a (id INT PRIMARY KEY, v INT NOT NULL);
CREATE TABLE od.b (x INT NOT NULL, y VARCHAR(10) NOT NULL, v INT NOT NULL,
  PRIMARY KEY (x, y));
CREATE TABLE od.c (id INT PRIMARY KEY, v INT NOT NULL);
CREATE TABLE od.big (id INT PRIMARY KEY, v INT NOT NULL, pad CHAR(50));
INSERT INTO od.a SELECT seq, 0 FROM seq_1_to_5000;
INSERT INTO od.b SELECT seq DIV 5, CONCAT('y', seq MOD 5), 0 FROM seq_0_to_2999;
INSERT INTO od.c SELECT seq, 0 FROM seq_1_to_1000;
INSERT INTO od.big SELECT seq, 0, 'p' FROM seq_1_to_200000;
SQL

# The CLI reads the pipeline's config file.
CONFIG=$STATE/b2k.ini
write_cli_config "$CONFIG"
cli() { "$B2K_BINARY" snapshot --config-file="$CONFIG" "$@"; }

RUN_ARGS=(--binlog2kafka.snapshot-chunk-rows=100
  --binlog2kafka.http-listen=127.0.0.1:$HTTP_PORT)
daemon_start_ready "${RUN_ARGS[@]}"

# -- 1. bad input ------------------------------------------------------------
rc=0
cli --tables='od\.nothing' >"$STATE/nothing.out" 2>"$STATE/nothing.err" || rc=$?
[[ $rc -ne 0 ]] || fail "a pattern that matches nothing exited 0"
[[ $(wc -l <"$STATE/nothing.err") -eq 1 ]] && grep -q "matches no table" "$STATE/nothing.err" ||
  { cat "$STATE/nothing.err"; fail "a pattern that matches nothing is not one clear line"; }
rc=0
cli --tables='od\.(' >/dev/null 2>"$STATE/bad.err" || rc=$?
[[ $rc -eq 2 ]] && grep -q "not a regular expression" "$STATE/bad.err" ||
  { cat "$STATE/bad.err"; fail "a pattern that does not compile: exit $rc"; }
log "bad patterns: one line each, non-zero exit"
printf '%s\n' 'not json at all' '{"type":"drop-database","id":"x"}' \
  '{"type":"execute-snapshot","id":"ok","tables":["(("]}' |
  kcat -b "$BROKERS" -P -t "$SOURCE_NAME.signals" -p 0
ignored() { [[ $(grep -c 'signals: ignored the message at offset' "$DAEMON_LOG") -ge 3 ]]; }
wait_for 30 "the malformed signals are ignored" ignored
[[ $(grep -c 'signals: ignored the message at offset' "$DAEMON_LOG") -eq 3 ]] ||
  fail "a malformed signal was warned about more than once"
grep -q 'unknown type "drop-database"' "$DAEMON_LOG" || fail "the unknown type is not named"
daemon_running || fail "the pipeline stopped after malformed signals"
log "malformed signals: one warning each, pipeline running"

# -- 2. a snapshot of two tables under writes ---------------------------------
writer_sql() {
  python3 - "$SEED" "$1" <<'PY'
import random, sys
rnd = random.Random(int(sys.argv[1]))
out = []
for _ in range(int(sys.argv[2])):
    out.append("BEGIN;")
    for _ in range(rnd.randint(1, 3)):
        r, i = rnd.random(), rnd.randint(1, 6000)
        if r < 0.3:
            out.append(f"UPDATE od.a SET v = v + 1 WHERE id = {i};")
        elif r < 0.4:
            out.append(f"DELETE FROM od.a WHERE id = {i};")
        elif r < 0.5:
            out.append(f"INSERT INTO od.a VALUES ({i}, 9) ON DUPLICATE KEY UPDATE v = v + 1;")
        elif r < 0.7:
            out.append(f"UPDATE od.b SET v = v + 1 WHERE x = {i % 600};")
        elif r < 0.8:
            out.append(f"DELETE FROM od.b WHERE x = {i % 600} AND y = 'y{i % 5}';")
        else:
            out.append(f"UPDATE od.c SET v = v + 1 WHERE id = {i % 1000};")
    out.append("COMMIT;")
print("\n".join(out))
PY
}
writer_sql 3000 >"$STATE/writer.sql"
sql <"$STATE/writer.sql" &
WORKLOAD_PID=$!
t0=$SECONDS
cli --tables='od\.a' --tables='od\.b' --wait >"$STATE/ab.out" 2>"$STATE/ab.err" ||
  { cat "$STATE/ab.err"; fail "snapshot --wait of od.a and od.b failed"; }
AB_ID=$(head -n 1 "$STATE/ab.out")
log "snapshot $AB_ID of od.a, od.b done in $((SECONDS - t0)) s: $(tail -n 1 "$STATE/ab.out")"
# Not a terminal: no progress line, only the id and the summary.
grep -q $'\r' "$STATE/ab.err" && fail "snapshot --wait drew a progress line without a terminal"
wait "$WORKLOAD_PID" || fail "the writer failed"
WORKLOAD_PID=
wait_caught_up 120
reads() { kcat -b "$BROKERS" -C -t "$1" -e -q -f '%s\n' 2>/dev/null | grep -c '"op":"r"' || true; }
[[ $(reads "$SOURCE_NAME.od.c") -eq 0 ]] || fail "od.c was snapshotted without being asked for"
[[ $(reads "$SOURCE_NAME.od.a") -gt 0 && $(reads "$SOURCE_NAME.od.b") -gt 0 ]] ||
  fail "no op r records for od.a or od.b"
kcat -b "$BROKERS" -C -t "$SOURCE_NAME.od.a" -e -q -f '%s\n' | grep '"op":"r"' |
  grep -vq '"snapshot":"incremental"' && fail "an on-demand record is not marked incremental"
python3 "$ITEST_DIR/materialize.py" tables --brokers "$BROKERS" --prefix "$SOURCE_NAME" \
  --defaults-file="$MARIADB_CNF" --user="$(id -un)" od.a od.b ||
  fail "od.a, od.b: materialized topics differ from the tables (seed $SEED)"
log "od.a, od.b: materialized equal; od.c untouched"

# -- 3. HTTP without a token ---------------------------------------------------
code=$(curl -s -o "$STATE/post.out" -w '%{http_code}' -X POST -d '{"tables":["od\\.c"]}' "$URL/snapshots")
[[ $code == 403 ]] && grep -q 'no token is configured' "$STATE/post.out" ||
  fail "POST /snapshots without a configured token: $code $(cat "$STATE/post.out")"

# -- 4. cancel -----------------------------------------------------------------
listed() { cli --list | has_line "^$1"$'\t'"$2"; }
# At once: the snapshot takes seconds; the cancel may find it asked for,
# queued or running.
BIG_ID=$(cli --tables='od\.big')
cli --cancel="$BIG_ID" --wait >"$STATE/cancel.out" 2>&1 ||
  { cat "$STATE/cancel.out"; fail "snapshot --cancel=$BIG_ID --wait failed"; }
grep -q "snapshot $BIG_ID: cancelled" "$DAEMON_LOG" || fail "no log line says $BIG_ID was cancelled"
listed "$BIG_ID" cancelled || fail "--list does not show $BIG_ID as cancelled"
rc=0
cli --cancel="$BIG_ID" >/dev/null 2>"$STATE/again.err" || rc=$?
[[ $rc -ne 0 ]] && grep -q "it is cancelled" "$STATE/again.err" ||
  fail "cancelling an ended snapshot again: exit $rc $(cat "$STATE/again.err")"
log "snapshot $BIG_ID cancelled"

# -- 5. kill -9 during an on-demand snapshot ------------------------------------
KILL_ID=$(cli --tables='od\.big')
half_way() {
  local out
  out=$("$B2K_BINARY" position --config-file="$CONFIG" 2>/dev/null) || return 1
  python3 -c 'import json, sys
p = json.loads(sys.argv[1]).get("snapshot") or {}
rows = sum(r[0] for r in (p.get("rows") or {}).values())
sys.exit(0 if p.get("id") == sys.argv[2] and not p.get("done") and rows >= 5000 else 1)' "$out" "$KILL_ID"
}
wait_for 60 "snapshot $KILL_ID half-way in the commit log" half_way
daemon_kill9
mark=$(wc -l <"$DAEMON_LOG")
echo "t0ken-$SEED" >"$STATE/token"
RUN_ARGS+=(--binlog2kafka.http-token-file="$STATE/token")
daemon_start "${RUN_ARGS[@]}"
wait_for 60 "the restart goes on with $KILL_ID" \
  bash -c "tail -n +$((mark + 1)) '$DAEMON_LOG' | has_line 'snapshot: going on where it stopped'"
wait_for 60 "snapshot $KILL_ID ends" listed "$KILL_ID" done
tail -n +"$((mark + 1))" "$DAEMON_LOG" | has_line "snapshot $KILL_ID: reading" &&
  fail "the restart took the signal of $KILL_ID again"
wait_caught_up 60
python3 "$ITEST_DIR/materialize.py" tables --brokers "$BROKERS" --prefix "$SOURCE_NAME" \
  --defaults-file="$MARIADB_CNF" --user="$(id -un)" od.big ||
  fail "od.big: materialized topic differs from the table after kill -9"
log "kill -9 during $KILL_ID: resumed, done, materialized equal"

# -- 6. HTTP with a token --------------------------------------------------------
post() { curl -s -o "$STATE/post.out" -w '%{http_code}' -X POST "$@" -d '{"tables":["od\\.c"]}' "$URL/snapshots"; }
[[ $(post) == 401 ]] || fail "POST /snapshots without the token was not 401"
[[ $(post -H "Authorization: Bearer wrong") == 401 ]] || fail "POST /snapshots with a wrong token was not 401"
code=$(post -H "Authorization: Bearer t0ken-$SEED")
[[ $code == 202 ]] || fail "POST /snapshots with the token: $code $(cat "$STATE/post.out")"
HTTP_ID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$STATE/post.out")
wait_for 60 "snapshot $HTTP_ID over HTTP ends" listed "$HTTP_ID" done
[[ $(reads "$SOURCE_NAME.od.c") -ge 1000 ]] || fail "POST /snapshots did not snapshot od.c"
[[ $(curl -s "$URL/snapshots") == *"\"$HTTP_ID\""* ]] || fail "GET /snapshots does not list $HTTP_ID"
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H "Authorization: Bearer t0ken-$SEED" "$URL/snapshots/nope")
[[ $code == 404 ]] || fail "DELETE /snapshots/nope was $code, not 404"
log "HTTP: 403 without a configured token, 401 without or with a wrong one, 202 with it"

# -- 7. snapshot --wait on a terminal: a progress line -------------------------
# stderr a pty (script(1)), stdout a file: the line redrawn in place (rows,
# rate, percent of the table, time left), then a summary ending in 100%.
command -v script >/dev/null || fail "script(1) not found (util-linux)"
cmd=$(printf '%q ' "$B2K_BINARY" snapshot --config-file="$CONFIG" --tables='od\.big' --wait)
script -qec "$cmd >$(printf '%q' "$STATE/tty.out")" "$STATE/tty.typescript" >/dev/null </dev/null ||
  fail "snapshot --wait on a terminal failed: $(tail -c 300 "$STATE/tty.typescript")"
TTY_ID=$(head -n 1 "$STATE/tty.out")
python3 - "$STATE/tty.typescript" "$TTY_ID" <<'PY' || fail "no progress line for snapshot --wait on a terminal (see $STATE/tty.typescript)"
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace", newline="").read()
label = "snapshot " + sys.argv[2] + ": "
draws = [d for d in text.split("\r") if d.startswith(label)]
assert draws, repr(text[:300])
# While it runs: rows, the rate, the percent of the table and the time left.
running = [d for d in draws
           if re.match(re.escape(label) + r"[0-9,]+ rows \([0-9,]+ rows/s\), [0-9]+%(, [0-9]+ s left)?\x1b\[K$", d)]
assert running, "no line drawn while it ran: " + repr(draws[:3])
# The summary ends the line (the terminal shows \n as \r\n).
last = draws[-1]
assert re.match(re.escape(label) + r"200,000 rows in [0-9.]+ s \([0-9,]+ rows/s\), 100%\x1b\[K$", last), repr(last)
assert "100%\x1b[K\r\n" in text, "the summary does not end the line"
print("snapshot --wait progress: %d draws, e.g. %s" % (len(draws), running[-1][:-3]))
PY
grep -q "^snapshot $TTY_ID: done: 200,000 rows of 1 tables" "$STATE/tty.out" ||
  fail "snapshot --wait on a terminal: stdout has no summary: $(cat "$STATE/tty.out")"
log "snapshot --wait on a terminal: progress line, then the summary"

daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "graceful stop exited with $DAEMON_RC"
log "SUMMARY on-demand snapshots: $AB_ID (2 tables, under writes), $BIG_ID cancelled, $KILL_ID resumed after kill -9, $HTTP_ID over HTTP, $TTY_ID with a progress line"
