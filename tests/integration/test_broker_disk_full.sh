#!/usr/bin/env bash
# A broker whose log directory fills up (issue 15 item 2). The broker's
# log.dirs is a tmpfs of its own (mounted by the test, as root); once
# binlog2kafka runs, a filler file leaves FREE_KB free on it, and rows with
# large incompressible values are written until the broker cannot store
# them. Then:
#  - Kafka 3.9: the write fails (IOException, no space left), the log
#    directory goes offline, and as it is the broker's only one the broker
#    halts (checked: the process exits, its log says so);
#  - binlog2kafka does not exit: it waits as for any broker outage, with
#    librdkafka's warnings (connection refused, brokers down) and no line of
#    its own about the disk; its committed position covers only rows that
#    Kafka holds (checked with binlog2kafka frozen by SIGSTOP while the
#    broker starts again, so it cannot send what waited first);
#  - the filler removed and the broker started again, binlog2kafka (not
#    restarted) delivers what waited and catches up; the topics materialize
#    equal to SELECT of the tables.
# Without a way to mount a tmpfs (not root) the test says so on one line
# and exits 77 (skipped).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TMPFS_MB=64
FREE_KB=1024
ROWS=80
ROW_BYTES=64000 # base64 of random bytes: lz4 gains nothing
MNT=$STATE/kafka-logs
kafka_ctl() { server_env "$B2K_SOURCE_DIR/deploy/kafka.sh" "$@"; }

skip() {
  trap - EXIT
  echo "[$TEST_NAME] SKIP: $*"
  exit 77
}

# Can this machine mount a tmpfs? (Probed before any server starts.)
probe=$(mktemp -d)
if ! err=$(mount -t tmpfs -o size=1m b2k-probe "$probe" 2>&1); then
  rmdir "$probe"
  skip "cannot mount a tmpfs for the broker's log.dirs (uid $(id -u)): ${err:-mount failed}"
fi
umount "$probe"
rmdir "$probe"

# The broker stops before its file system goes; a run killed before its
# clean-up leaves a mount that start_servers_prepared could not remove.
unmount_logs() {
  mountpoint -q "$MNT" 2>/dev/null || return 0
  kafka_ctl stop >/dev/null 2>&1 || true
  umount "$MNT" 2>/dev/null || umount -l "$MNT"
}
disk_full_cleanup() {
  local rc=$?
  set +e
  if [[ ${B2K_ITEST_KEEP:-0} == 1 ]]; then
    mountpoint -q "$MNT" && log "B2K_ITEST_KEEP=1: $MNT stays mounted (umount $MNT)"
  else
    unmount_logs
  fi
  (exit "$rc")
  itest_cleanup
}
trap disk_full_cleanup EXIT
unmount_logs

mount_logs() {
  mkdir -p "$MNT"
  mount -t tmpfs -o "size=${TMPFS_MB}m,mode=0755" b2k-kafka-logs "$MNT"
}
export B2K_KAFKA_EXTRA_PROPERTIES="log.dirs=$MNT"
start_servers_prepared mount_logs
avail_kb() { df -k --output=avail "$MNT" | tail -n 1 | tr -d ' '; }
log "broker log.dirs=$MNT: tmpfs of ${TMPFS_MB} MB, $(avail_kb) kB free"

sql <<'SQL'
CREATE TABLE demo.t (id INT PRIMARY KEY, v MEDIUMTEXT NOT NULL) ENGINE=InnoDB;
CREATE TABLE demo.u (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB;
SQL
daemon_start_ready "--binlog2kafka.http-listen=127.0.0.1:$HTTP_PORT"
sql -e "INSERT INTO demo.t SELECT seq, 'small' FROM demo.seq_1_to_20; INSERT INTO demo.u SELECT seq, 1 FROM demo.seq_1_to_20"
wait_caught_up 60

# -- fill ------------------------------------------------------------------
fill_kb=$(($(avail_kb) - FREE_KB))
fallocate -l "${fill_kb}k" "$MNT/filler" || dd if=/dev/zero of="$MNT/filler" bs=1k count="$fill_kb" status=none
before=$(committed_position)
mark=$(wc -l <"$DAEMON_LOG")
kmark=$(stat -c %s "$STATE/kafka/kafka.log")
log "filler of $((fill_kb / 1024)) MB leaves $(avail_kb) kB free; committed position $before"

# Each row its own transaction; after each, the binlog end it committed at.
python3 - "$ROWS" "$ROW_BYTES" >"$STATE/rows.sql" <<'PY'
import base64, os, sys
rows, size = int(sys.argv[1]), int(sys.argv[2])
for i in range(1, rows + 1):
    v = base64.b64encode(os.urandom(size * 3 // 4)).decode()
    print(f"INSERT INTO demo.t VALUES ({1000 + i}, '{v}');")
    print(f"UPDATE demo.u SET v = v + 1 WHERE id = {1 + i % 20};")
    print("SHOW MASTER STATUS;")
PY
sql <"$STATE/rows.sql" | awk '{print $1, $2}' >"$STATE/row_ends.txt"
log "wrote $ROWS rows of $ROW_BYTES bytes to demo.t (and $ROWS updates of demo.u)"

broker_gone() { [[ -z $(kafka_pid) ]] || { echo "broker pid $(kafka_pid) runs"; return 1; }; }
wait_for 120 "the broker halts once its only log directory failed" broker_gone
klog=$(tail -c +$((kmark + 1)) "$STATE/kafka/kafka.log")
ioerr=$(grep -m 1 -E 'IOException' <<<"$klog" || true)
halt=$(grep -m 1 -E 'Shutdown broker because all log dirs' <<<"$klog" || true)
log "broker log: $(grep -m 1 -E 'Error while appending' <<<"$klog" | cut -c 1-200)"
log "broker log: $ioerr"
log "broker log: $halt"
[[ $ioerr == *"No space left on device"* ]] || fail "the broker's log has no 'No space left on device'"
[[ -n $halt ]] || fail "the broker exited without 'Shutdown broker because all log dirs ... have failed'"
# binlog2kafka waits (the status page answers without the broker).
broker_down_said() { log_since "$mark" ' warning kafka: FAIL: .*Connection refused' | has_line .; }
wait_for 30 "binlog2kafka's warning that the broker refuses connections" broker_down_said
daemon_running || fail "binlog2kafka exited when the broker's disk filled: $(log_since "$mark" "$ERRLINE")"
status=$(curl -s --max-time 5 "http://127.0.0.1:$HTTP_PORT/status.json") || fail "no status page"
python3 -c 'import json,sys; s=json.loads(sys.argv[1]); print(s["state"], s["producer"], s["watcher"]["released"])' "$status" | sed "s/^/[$TEST_NAME] status: /"
log "binlog2kafka's warning/error lines since the fill:"
log_since "$mark" ' (warning|error|critical) ' | sed -E 's/^[^ ]+ //; s/[0-9]+ms/Nms/g' | cut -c 1-220 | sort | uniq -c | sed "s/^/[$TEST_NAME]   /"
daemon_running || fail "binlog2kafka exited while the broker was down"

# -- free, restart the broker with binlog2kafka frozen -------------------------
# Frozen (SIGSTOP), binlog2kafka cannot send what waited: what the topic holds
# when the broker is back is what Kafka kept, and the committed position must
# cover no row that is not in it.
kill -STOP "$DAEMON_PID"
rm -f "$MNT/filler"
log "binlog2kafka frozen; filler removed: $(avail_kb) kB free; starting the broker again"
kafka_ctl start
committed=$(committed_position)
kcat -b "$BROKERS" -C -t "$SOURCE_NAME.demo.t" -e -q -f '%k\n' >"$STATE/keys_at_restart.txt"
python3 - "$committed" "$STATE/row_ends.txt" "$STATE/keys_at_restart.txt" <<'PY' || fail "the committed position covers rows Kafka does not hold"
import json, sys
file, pos, _ = sys.argv[1].split()
def key(f, p): return (int(f.rsplit(".", 1)[1]), int(p))
at = key(file, pos)
ends = [l.split() for l in open(sys.argv[2]) if l.strip()]
have = {json.loads(l)["id"] for l in open(sys.argv[3]) if l.strip()}
covered = [1001 + i for i, (f, p) in enumerate(ends) if key(f, p) <= at]
new_in_topic = sorted(i for i in have if i > 1000)
missing = [i for i in covered if i not in have]
print(f"committed {file}:{pos}: covers {len(covered)} of the {len(ends)} large rows; "
      f"the topic holds {len(new_in_topic)} of them; covered and missing: {missing}")
if missing:
    sys.exit(1)
if len(covered) == len(ends) or len(new_in_topic) == len(ends):
    print("no row waited: the fill proved nothing")
    sys.exit(1)
PY
kill -CONT "$DAEMON_PID"
log "binlog2kafka resumed (SIGCONT)"

wait_caught_up 180
daemon_running || fail "binlog2kafka exited"
python3 "$ITEST_DIR/materialize.py" tables --brokers "$BROKERS" --prefix "$SOURCE_NAME" \
  --defaults-file="$MARIADB_CNF" --user="$(id -un)" demo.t demo.u ||
  fail "the topics differ from the tables"
[[ $DAEMON_STARTS -eq 1 ]] || fail "binlog2kafka was started $DAEMON_STARTS times"
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "binlog2kafka exited with $DAEMON_RC after SIGTERM"
log "SUMMARY broker_disk_full: tmpfs=${TMPFS_MB}MB free_at_fill=${FREE_KB}kB rows=$ROWS row_bytes=$ROW_BYTES committed_at_restart=\"$committed\" daemon_restarts=0 seconds=$((SECONDS - T0))"
