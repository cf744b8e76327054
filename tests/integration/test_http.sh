#!/usr/bin/env bash
# The HTTP endpoint on a running pipeline: /health turns ready, /metrics
# counts the rows that went through (valid Prometheus text), /status.json
# holds the released position, the charts' history, the table's counts and
# the warnings, /records reads the topic back from Kafka, the status page
# renders in headless Chromium (from Debian) with the live state, and a
# second daemon on the same port fails with one clear line instead of
# sharing it. The page itself is driven by status_page.js (playwright-core
# from npm, cached in $B2K_CACHE_DIR/playwright, on Debian's Chromium): its
# charts draw, its records view shows a change made while it is open, and
# it fits a phone's width in dark mode, and a snapshot started last shows
# its progress (a bar, rate, time left); screenshots in
# $STATE/out/screenshots, checked there.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

URL=http://127.0.0.1:$HTTP_PORT
CHROMIUM=${B2K_CHROMIUM:-chromium}
PLAYWRIGHT_VERSION=1.65.1
PLAYWRIGHT_DIR=$B2K_CACHE_DIR/playwright-$PLAYWRIGHT_VERSION

# playwright-core drives Debian's Chromium (it downloads no browser); npm
# fetches it once into the cache.
command -v node >/dev/null && command -v npm >/dev/null ||
  fail "node and npm not found (deploy/install-deps.sh installs them)"
if [[ ! -f $PLAYWRIGHT_DIR/node_modules/playwright-core/package.json ]]; then
  log "installing playwright-core $PLAYWRIGHT_VERSION into $PLAYWRIGHT_DIR"
  mkdir -p "$PLAYWRIGHT_DIR"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$PLAYWRIGHT_DIR" \
    --no-audit --no-fund --loglevel=error "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null ||
    fail "npm install playwright-core@$PLAYWRIGHT_VERSION failed"
fi

start_servers
mkdir -p "$STATE/out"
sql -e "CREATE TABLE demo.web (id INT PRIMARY KEY, v VARCHAR(20));
  CREATE TABLE demo.bulk (id INT PRIMARY KEY, v INT NOT NULL);
  USE demo; INSERT INTO demo.bulk SELECT seq, 0 FROM seq_1_to_40000; ANALYZE TABLE demo.bulk" >/dev/null
# One row a chunk: the page's snapshot of demo.bulk (last) takes a while.
daemon_start_ready --binlog2kafka.http-listen=127.0.0.1:$HTTP_PORT \
  --binlog2kafka.snapshot-chunk-rows=1
# `binlog2kafka snapshot` reads the pipeline's config file.
CONFIG=$STATE/b2k.ini
write_cli_config "$CONFIG"

health_is() { [[ $(curl -s "$URL/health") == *"\"status\":\"$1\""* ]]; }
wait_for 30 "/health says ready" health_is ready

sql -e "INSERT INTO demo.web VALUES (1,'a'),(2,'b'),(3,'c'); UPDATE demo.web SET v='z' WHERE id=2"
wait_caught_up

acked_at_least() { local n; n=$(daemon_metric records_acknowledged_total); [[ ${n:-0} -ge $1 ]]; }
wait_for 30 "/metrics counts 4 acknowledged records" acked_at_least 4
curl -s "$URL/metrics" >"$STATE/out/metrics.txt"
python3 - "$STATE/out/metrics.txt" <<'PY' || fail "/metrics is not valid Prometheus text"
import re, sys
typed, samples = set(), 0
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith("# HELP "):
        continue
    m = re.match(r"# TYPE (\S+) (counter|gauge)$", line)
    if m:
        typed.add(m.group(1)); continue
    m = re.match(r'(\w+)\{source="itest"(,\w+="[^"]*")*\} (-?[0-9.e+]+)$', line)
    if not m or m.group(1) not in typed:
        sys.exit("bad line: " + line)
    samples += 1
if samples < 15:
    sys.exit("only %d samples" % samples)
PY
rows=$(daemon_metric rows_read_total) || fail "/metrics has no binlog2kafka_rows_read_total"
[[ $rows -eq 4 ]] || fail "rows_read_total is $rows, expected 4"
log "ok /metrics: valid, rows_read_total=$rows"

read -r file pos _ < <(committed_position)
status_json=$(curl -s "$URL/status.json")
python3 -c '
import json, sys
s = json.loads(sys.argv[1])
assert s["state"] == "running", s["state"]
assert s["watcher"]["released"]["file"] == sys.argv[2], s["watcher"]["released"]
assert s["watcher"]["released"]["pos"] == int(sys.argv[3]), s["watcher"]["released"]
assert s["reader"]["rows"] == 4
' "$status_json" "$file" "$pos" || fail "/status.json does not hold the released position $file:$pos"
log "ok /status.json: running, released $file:$pos"
# Nothing secret: the source is host:port, never its user or password.
password=$(cat "$PASSWORD_FILE")
[[ -n $password ]] || fail "no password in $PASSWORD_FILE"
for what in status.json metrics; do
  body=$(curl -s "$URL/$what")
  [[ $body != *"$password"* && $body != *"b2k@"* ]] || fail "/$what shows the source's user or password"
done
[[ $status_json == *"\"source\":\"127.0.0.1:$MARIADB_PORT\""* ]] ||
  fail "/status.json does not show the source as host:port"

# The page, rendered by a real browser: its script must have filled in the
# state and the released position from /status.json.
"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$STATE/chromium" --virtual-time-budget=5000 \
  --dump-dom "$URL/" >"$STATE/out/page.html" 2>"$STATE/chromium.log" \
  || fail "chromium could not load the status page (see $STATE/chromium.log)"
grep -q 'id="state" class="state running">running<' "$STATE/out/page.html" \
  || fail "the status page does not show the running state"
grep -q "from 127.0.0.1:$MARIADB_PORT<" "$STATE/out/page.html" \
  || fail "the status page does not show the source as host:port"
! grep -qF -e "$password" -e "b2k@" "$STATE/out/page.html" \
  || fail "the status page shows the source's user or password"
# The page shows the GTID after the position when the server has one.
grep -Eq "id=\"released\">$file:$pos( \([0-9-]+\))?<" "$STATE/out/page.html" \
  || fail "the status page does not show the released position $file:$pos"
log "ok status page in Chromium: running, released $file:$pos"

# The page in a real browser, at desktop and phone width, light and dark.
sql_argv=$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' \
  mariadb --defaults-file="$MARIADB_CNF" -u "$(id -un)" demo)
snapshot_argv=$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' \
  "$B2K_BINARY" snapshot --config-file="$CONFIG" --tables='demo\.bulk')
PLAYWRIGHT=$PLAYWRIGHT_DIR/node_modules/playwright-core CHROMIUM=$(command -v "$CHROMIUM") \
  URL=$URL OUT=$STATE/out/screenshots TOPIC=itest.demo.web TABLE=demo.web \
  SQL=$sql_argv CHANGE="UPDATE web SET v = 'changed' WHERE id = 1" \
  SNAPSHOT=$snapshot_argv SNAPSHOT_TABLE=demo.bulk \
  timeout 300 node "$ITEST_DIR/status_page.js" || fail "the status page in Chromium (see above; screenshots in $STATE/out/screenshots)"
log "ok status page in Chromium via playwright: charts, tables, records view, phone and dark mode, snapshot progress"
# The snapshot need not end: cancel it.
snapshot_id=$(cat "$STATE/out/screenshots/snapshot-id")
"$B2K_BINARY" snapshot --config-file="$CONFIG" --cancel="$snapshot_id" --wait >"$STATE/out/cancel.out" 2>&1 ||
  fail "cancelling snapshot $snapshot_id: $(cat "$STATE/out/cancel.out")"

# A second daemon on the same port must refuse, not share the port.
mapfile -t args < <(common_args)
rc=0
"$B2K_BINARY" run "${args[@]}" --binlog2kafka.name=second \
  --binlog2kafka.http-listen=127.0.0.1:$HTTP_PORT >"$STATE/out/second.out" 2>"$STATE/out/second.err" || rc=$?
[[ $rc -ne 0 ]] || fail "a second daemon on port $HTTP_PORT started"
grep -q "http-listen: cannot listen on 127.0.0.1:$HTTP_PORT" "$STATE/out/second.err" \
  || fail "the second daemon's error does not name the port: $(cat "$STATE/out/second.err")"
log "ok second daemon on the same port: $(tail -n 1 "$STATE/out/second.err")"

daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "SIGTERM: exit status $DAEMON_RC"
