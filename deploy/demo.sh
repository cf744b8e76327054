#!/usr/bin/env bash
# The binlog2kafka demo: README command 1.
#
#   deploy/demo.sh          install what is missing, build, start MariaDB and
#                           Kafka, start binlog2kafka, make a few changes in
#                           demo.customers and show the Kafka records and the
#                           commit-log position. Run it again for more changes.
#   deploy/demo.sh stop     stop binlog2kafka, Kafka and MariaDB
#   deploy/demo.sh status   show what runs
#
# Everything runs on 127.0.0.1 with state in .state/ (MariaDB on 13306, Kafka
# on 19092/19093, as in deploy/binlog2kafka.ini); B2K_STATE_DIR,
# B2K_MARIADB_PORT, B2K_KAFKA_PORT, B2K_KAFKA_CONTROLLER_PORT and
# B2K_HTTP_PORT (the status page, 8585) move them
# (the daemon then gets the matching --binlog2kafka.source/brokers/... on its
# command line, which win over the ini file).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
export B2K_STATE_DIR=${B2K_STATE_DIR:-$REPO/.state}
MARIADB_PORT=${B2K_MARIADB_PORT:-13306}
KAFKA_PORT=${B2K_KAFKA_PORT:-19092}
BROKERS=127.0.0.1:$KAFKA_PORT
BUILD=$REPO/build
BINARY=$BUILD/binlog2kafka
CONFIG=$REPO/deploy/binlog2kafka.ini
LOG=$B2K_STATE_DIR/binlog2kafka.log
PIDFILE=$B2K_STATE_DIR/binlog2kafka.pid
NAME=demo
TABLE=customers
TOPIC=$NAME.demo.$TABLE
# The ini file names the demo servers (its password-file path is relative to
# the repository, where this script runs); when the environment moves them,
# options on the command line, which win over the file, follow.
OPTIONS=(--config-file="$CONFIG")
if [[ $MARIADB_PORT != 13306 || $B2K_STATE_DIR != "$REPO/.state" ]]; then
  OPTIONS+=(--binlog2kafka.source="mysql://b2k@127.0.0.1:$MARIADB_PORT"
            --binlog2kafka.source-password-file="$B2K_STATE_DIR/mariadb/b2k.password")
fi
[[ $KAFKA_PORT == 19092 ]] || OPTIONS+=(--binlog2kafka.brokers="$BROKERS")
HTTP_PORT=${B2K_HTTP_PORT:-8585}
[[ $HTTP_PORT == 8585 ]] || OPTIONS+=(--binlog2kafka.http-listen="127.0.0.1:$HTTP_PORT")

say() { echo "demo: $*"; }
die() {
  echo "demo: error: $*" >&2
  exit 1
}

sql() { deploy/mariadb.sh client -N -B "$@"; }

daemon_pid() {
  [[ -r $PIDFILE ]] || return 1
  local pid
  pid=$(tr -dc '0-9' <"$PIDFILE")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "binlog2kafka run" || return 1
  echo "$pid"
}

# wait_for SECONDS WHAT COMMAND...: polls COMMAND every 0.2 s.
wait_for() {
  local timeout=$1 what=$2
  shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "$what: not within ${timeout}s (binlog2kafka log: $LOG)"
    sleep 0.2
  done
}

position() { "$BINARY" position "${OPTIONS[@]}" 2>&1; }

# Records in the topic (0 while it does not exist).
topic_count() {
  { kcat -b "$BROKERS" -C -t "$TOPIC" -e -q -f 'x\n' 2>/dev/null || true; } | wc -l
}

start_daemon() {
  local pid
  if pid=$(daemon_pid); then
    say "binlog2kafka already running (pid $pid, log $LOG)"
    return 0
  fi

  echo "--- deploy/demo.sh start $(date '+%F %T')" >>"$LOG"
  # Own session: keeps running after this script (and its terminal) ends.
  setsid "$BINARY" run "${OPTIONS[@]}" </dev/null >>"$LOG" 2>&1 &
  pid=$!
  echo "$pid" >"$PIDFILE"
  # Up when it has written its position to the commit log (on the first
  # start: where it starts reading, the server's current binlog end).
  local deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null && ! position >/dev/null; do
    ((SECONDS < deadline)) || die "binlog2kafka wrote no position within 60s; see $LOG"
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "binlog2kafka running (pid $pid, log $LOG)"
    return 0
  fi
  rm -f "$PIDFILE"
  tail -n 5 "$LOG" >&2
  die "binlog2kafka exited during start; see $LOG"
}

stop_daemon() {
  local pid
  if ! pid=$(daemon_pid); then
    say "binlog2kafka not running"
    rm -f "$PIDFILE"
    return 0
  fi
  kill -TERM "$pid"
  local deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      say "binlog2kafka (pid $pid) did not stop within 60s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.1
  done
  rm -f "$PIDFILE"
  say "binlog2kafka stopped ($(tail -n 1 "$LOG" | sed 's/^[0-9T:.-]* //'))"
}

# Prints the records from offset $1 on, one readable line each, and the last
# one in full.
PRETTY=$(cat <<'PY'
import json, sys
last = None
for line in sys.stdin:
    m = json.loads(line)
    head = "  #%-4s key %s" % (m["offset"], m["key"])
    if m["payload"] is None:
        print(head + "  (tombstone)")
        continue
    v = json.loads(m["payload"])
    s = v["source"]
    def image(x):
        return json.dumps(x, ensure_ascii=False, separators=(",", ":"))
    print("%s  op %s  %s:%s row %s" % (head, v["op"], s["file"], s["pos"], s["row"]))
    print("        before " + image(v["before"]))
    print("        after  " + image(v["after"]))
    last = v
if last is not None:
    print("\n  the last record value in full:")
    for l in json.dumps(last, indent=2, ensure_ascii=False).splitlines():
        print("    " + l)
PY
)
show_records() {
  kcat -b "$BROKERS" -C -t "$TOPIC" -o "$1" -e -J -q | python3 -c "$PRETTY"
}

cmd_start() {
  say "1/6 installing missing Debian packages (deploy/install-deps.sh)"
  bash deploy/install-deps.sh

  say "2/6 building build/binlog2kafka (RelWithDebInfo)"
  cmake -S "$REPO" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  ninja -C "$BUILD" -j2 binlog2kafka

  say "3/6 starting MariaDB (127.0.0.1:$MARIADB_PORT) and Kafka ($BROKERS), state in $B2K_STATE_DIR"
  deploy/mariadb.sh start
  deploy/kafka.sh start
  sql -e "CREATE TABLE IF NOT EXISTS demo.$TABLE (
            id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
            name VARCHAR(64) NOT NULL,
            email VARCHAR(128) NOT NULL,
            balance DECIMAL(10,2) NOT NULL DEFAULT 0,
            tier ENUM('basic','gold') NOT NULL DEFAULT 'basic',
            updated DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
                    ON UPDATE CURRENT_TIMESTAMP)"
  # A table from an earlier demo may lack ON UPDATE: add it once.
  if [[ -z $(sql -e "SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'demo'
                     AND TABLE_NAME = '$TABLE' AND COLUMN_NAME = 'updated'
                     AND EXTRA LIKE '%on update%'") ]]; then
    sql -e "ALTER TABLE demo.$TABLE MODIFY updated DATETIME NOT NULL
              DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"
  fi

  # A few rows that exist before binlog2kafka starts: its first start
  # snapshots them (snapshot = initial), as op "r" records.
  if [[ $(sql -e "SELECT COUNT(*) FROM demo.$TABLE") == 0 ]]; then
    sql -e "INSERT INTO demo.$TABLE (name, email, balance) VALUES
              ('Alan Turing', 'alan@example.com', 5.00),
              ('Katherine Johnson', 'katherine@example.com', 7.50),
              ('Margaret Hamilton', 'margaret@example.com', 12.00)"
  fi

  say "4/6 starting binlog2kafka with deploy/binlog2kafka.ini"
  local log_lines=0
  [[ -f $LOG ]] && log_lines=$(wc -l <"$LOG")
  start_daemon
  # (grep -c reads all: grep -q's early exit fails tail under pipefail.)
  if [[ $(tail -n +"$((log_lines + 1))" "$LOG" | grep -c 'snapshot: reading') -gt 0 ]]; then
    wait_for 60 "the snapshot of the existing rows" \
      bash -c "tail -n +$((log_lines + 1)) '$LOG' | grep -q 'snapshot: done'"
    say "the existing rows arrived first, as a snapshot (op r, source.snapshot):"
    show_records 0
    echo
  fi

  say "5/6 changing demo.$TABLE: insert, update, a multi-row transaction, delete"
  local before
  before=$(topic_count)
  # Each statement below is echoed; ids are new on every run (AUTO_INCREMENT).
  local changes
  changes=$(cat <<'EOF'
INSERT INTO demo.customers (name, email, balance) VALUES ('Ada Lovelace', 'ada@example.com', 100.00);
SET @ada = LAST_INSERT_ID();
UPDATE demo.customers SET balance = balance + 25.50, tier = 'gold' WHERE id = @ada;
BEGIN;
INSERT INTO demo.customers (name, email, balance) VALUES
  ('Grace Hopper', 'grace@example.com', 10.00),
  ('Edsger Dijkstra', 'edsger@example.com', 20.00),
  ('Barbara Liskov', 'barbara@example.com', 30.00);
UPDATE demo.customers SET balance = balance * 2 WHERE email IN ('grace@example.com', 'edsger@example.com') AND id > @ada;
COMMIT;
DELETE FROM demo.customers WHERE id = @ada + 2;
EOF
)
  sed 's/^/    /' <<<"$changes"
  sql demo <<<"$changes"
  # 1 insert + 1 update + (3 inserts + 2 updates) + 1 delete = 8 changes,
  # and the delete's tombstone (tombstones = true) makes 9 records.
  local expect=$((before + 9))
  local end
  end=$(sql -e 'SHOW MASTER STATUS' | awk '{print $1 ":" $2}')

  say "6/6 waiting until the 8 changes are in Kafka as 9 records (the delete is followed by its tombstone; topic $TOPIC)"
  wait_for 60 "9 new records in $TOPIC" test_count_at_least "$expect"
  # ... and until the commit log says they are all acknowledged.
  wait_for 60 "commit log at the server's binlog end $end" position_is "$end"
  echo
  say "the new records in $TOPIC (key, op, binlog position, before/after):"
  show_records "$before"
  echo
  say "the commit-log position (build/binlog2kafka position):"
  echo "    $(position)"
  say "  = the server's binlog end (SHOW MASTER STATUS): $end"
  echo
  local MOVED=
  [[ $KAFKA_PORT == 19092 ]] || MOVED=" --binlog2kafka.brokers=$BROKERS"
  cat <<EOF
demo: binlog2kafka keeps running in the background (log: $LOG).
  watch the records:   http://127.0.0.1:$HTTP_PORT/#records=$TOPIC
                       (the status page's records view: the newest records read back
                       from Kafka, updates as a diff of the changed columns, live)
  status page:         http://127.0.0.1:$HTTP_PORT/  (charts, busiest tables, warnings; also /health and /metrics)
  with kcat:           kcat -b $BROKERS -C -t $TOPIC
  the commit log:      kcat -b $BROKERS -C -t $NAME.commits -f '%k %s\\n'
  all topics:          deploy/kafka.sh topics
  make more changes:   deploy/mariadb.sh client demo -e "INSERT INTO customers (name, email) VALUES ('Alan Turing', 'alan@example.com')"
  position:            build/binlog2kafka position --config-file=deploy/binlog2kafka.ini$MOVED
  run the demo again:  deploy/demo.sh
  stop everything:     deploy/demo.sh stop
EOF
}

test_count_at_least() { (($(topic_count) >= $1)); }
position_is() {
  local p
  p=$(position) || return 1
  [[ $(python3 -c 'import json, sys; p = json.loads(sys.argv[1]); print("%s:%s+%s" % (p["file"], p["pos"], p["skip_rows"]))' "$p") == "$1+0" ]]
}

cmd_stop() {
  stop_daemon
  deploy/kafka.sh stop
  deploy/mariadb.sh stop
}

cmd_status() {
  local pid rc=0
  if pid=$(daemon_pid); then
    say "binlog2kafka running (pid $pid, log $LOG)"
  else
    say "binlog2kafka not running"
    rc=1
  fi
  deploy/mariadb.sh status || rc=1
  deploy/kafka.sh status || rc=1
  return $rc
}

case ${1:-start} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *)
    echo "usage: deploy/demo.sh [start|stop|status]" >&2
    exit 2
    ;;
esac
