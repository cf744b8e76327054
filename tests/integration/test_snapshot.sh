#!/usr/bin/env bash
# Snapshots (design.md, "Snapshots"; issue 12), against a real MariaDB and
# Kafka:
#  1. materialized equality under writes and kill -9: four tables with
#     different key shapes (int, composite, case-insensitive VARCHAR, a
#     promoted UNIQUE NOT NULL BIGINT with negative values), 290k rows; a
#     writer changes them at full speed (updates, deletes, inserts, key
#     changes) while pipeline `itest` (at-least-once, 2 lanes, small chunks)
#     snapshots them and is killed with SIGKILL twice mid-snapshot. At the
#     end, applying every record by key gives exactly SELECT of each table.
#  2. the same tables snapshotted by pipeline `calm` (exactly-once, 1 lane,
#     read back read_committed), after the writes: equal too.
#  3. snapshot = initial-only: one op "r" per row, then exit 0; a second run
#     with the same commit log sends nothing and exits 0.
#  4. every column type: the op "r" image of a row equals the op "c" image
#     that streaming sent for the same row (same encoder, same values).
#  5. bad input: an unknown snapshot mode is one line and exit 2.
#  6. key shapes: case- and accent-insensitive VARCHAR, BINARY, DECIMAL,
#     DATETIME, negative and unsigned BIGINT and composite keys, a table
#     without a key (one consistent read, duplicate rows) and one whose
#     FLOAT key cannot be chunked (also one consistent read), ~2,000 rows
#     each in ~20 chunks, under a concurrent writer, with 1 and with 4
#     lanes, as a user that may not SELECT one table: every row exactly
#     once (materialized equality, the keyless ones as multisets); the
#     unreadable table and the FLOAT key are one line each; one record is
#     "first"; a table dropped during the (1-lane) snapshot is one line.
#     Then snapshot = when-needed at a purged position: one line, a new
#     snapshot, equal again.
#  7. MariaDB stops and starts again during a snapshot: the pipeline
#     reconnects by itself (no restart of the process), the snapshot ends,
#     and the table materializes equal.
#  8. rows of 600 kB (a keyed table and one without a key) with 8 MiB in
#     flight: chunks end at their byte budget (a few rows each, not
#     snapshot-chunk-rows), and the topics materialize equal.
# The writer's seed is printed; B2K_SEED=N reruns with it.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
faults_trap

SEED=${B2K_SEED:-$RANDOM}
# B2K_SNAPSHOT_PHASES=45 runs only phases 4 and 5 (debugging).
PHASES=${B2K_SNAPSHOT_PHASES:-12345678}
log "seed $SEED (rerun with B2K_SEED=$SEED)"
TABLES="snap.s_int snap.s_comp snap.s_ci snap.s_uniq"

start_servers
sql <<'SQL'
CREATE DATABASE snap;
USE snap;
CREATE TABLE snap.s_int (id INT PRIMARY KEY, v INT NOT NULL, note VARCHAR(40));
CREATE TABLE snap.s_comp (a INT NOT NULL, b VARCHAR(20) NOT NULL, v INT NOT NULL,
  PRIMARY KEY (a, b));
CREATE TABLE snap.s_ci (k VARCHAR(40) COLLATE utf8mb4_general_ci PRIMARY KEY,
  v INT NOT NULL);
CREATE TABLE snap.s_uniq (u BIGINT NOT NULL, v INT NOT NULL, UNIQUE KEY (u));
CREATE TABLE snap.s_nokey (v INT);
INSERT INTO snap.s_int SELECT seq, 0, CONCAT('n', seq) FROM seq_1_to_200000;
INSERT INTO snap.s_comp SELECT seq DIV 10, CONCAT('b', seq MOD 10), 0 FROM seq_0_to_49999;
INSERT INTO snap.s_ci SELECT CONCAT(IF(seq MOD 2, 'K', 'k'), seq), 0 FROM seq_1_to_20000;
INSERT INTO snap.s_uniq SELECT CAST(seq AS SIGNED) - 10000, 0 FROM seq_0_to_19999;
INSERT INTO snap.s_nokey SELECT seq FROM seq_1_to_100;
SQL
log "seeded: 290,100 rows in 5 tables"

# The writer: transactions of 1-4 statements at full speed on one
# connection, inside and outside the chunks being read.
writer_sql() {
  python3 - "$SEED" "$1" <<'PY'
import random, sys
rnd = random.Random(int(sys.argv[1]))
n = int(sys.argv[2])
out = []
for t in range(n):
    out.append("BEGIN;")
    for _ in range(rnd.randint(1, 4)):
        r = rnd.random()
        i = rnd.randint(1, 200000)
        if r < 0.35:
            out.append(f"UPDATE snap.s_int SET v = v + 1 WHERE id = {i};")
        elif r < 0.45:
            out.append(f"DELETE FROM snap.s_int WHERE id = {i};")
        elif r < 0.55:
            out.append(f"INSERT INTO snap.s_int VALUES ({i}, 7, 'again') ON DUPLICATE KEY UPDATE v = v + 1;")
        elif r < 0.60:
            out.append(f"UPDATE IGNORE snap.s_int SET id = id + 300000 WHERE id = {i};")
        elif r < 0.70:
            out.append(f"UPDATE snap.s_comp SET v = v + 1 WHERE a = {i % 5000} AND b = 'b{i % 10}';")
        elif r < 0.75:
            out.append(f"DELETE FROM snap.s_comp WHERE a = {i % 5000};")
        elif r < 0.85:
            k = f"{'kK'[i % 2]}{i % 20000}"
            out.append(f"INSERT INTO snap.s_ci VALUES ('{k.swapcase()}', 1) ON DUPLICATE KEY UPDATE v = v + 1, k = '{k.swapcase()}';")
        elif r < 0.95:
            out.append(f"UPDATE snap.s_uniq SET v = v + 1 WHERE u = {i % 20000 - 10000};")
        else:
            out.append(f"UPDATE IGNORE snap.s_uniq SET u = u + 100000 WHERE u = {i % 20000 - 10000};")
    out.append("ROLLBACK;" if rnd.random() < 0.05 else "COMMIT;")
print("\n".join(out))
PY
}

# log_since N PATTERN: the daemon's log after its first N lines matches.
log_since() { tail -n +"$(($1 + 1))" "$DAEMON_LOG" | has_line "$2"; }
snapshot_done() { grep -q 'snapshot: done' "$DAEMON_LOG"; }
snapshot_rows_sent() { grep -c 'snapshot: .* done: ' "$DAEMON_LOG" || true; }
chunks_sent() { grep -c '' "$DAEMON_LOG"; }

# -- 1. under writes and kill -9 ----------------------------------------------
if [[ $PHASES == *1* ]]; then
export B2K_ITEST_SNAPSHOT=initial
SNAP_ARGS=(--binlog2kafka.snapshot-chunk-rows=500 --binlog2kafka.snapshot-parallelism=2)
writer_sql 8000 >"$STATE/writer.sql"
sql <"$STATE/writer.sql" &
WORKLOAD_PID=$!
# Progress of an unfinished snapshot is in the commit log (a chunk went out
# and Kafka acknowledged it), or the snapshot is done.
progress_committed() {
  local out args
  mapfile -t args < <(common_args)
  out=$("$B2K_BINARY" position "${args[@]}" 2>/dev/null) || return 1
  python3 -c 'import json, sys
p = json.loads(sys.argv[1]).get("snapshot") or {}
sys.exit(0 if p.get("after") or p.get("finished") or p.get("done") else 1)' "$out"
}
daemon_start "${SNAP_ARGS[@]}"
# Kill 1 once progress is committed, so that the restart must go on from it;
# kill 2 a moment (from the seed) into the restarted snapshot.
kills=0
wait_for 120 "snapshot progress in the commit log" progress_committed
snapshot_done && fail "the snapshot finished before the first kill: make it larger"
daemon_kill9
kills=1
mark=$(wc -l <"$DAEMON_LOG")
daemon_start "${SNAP_ARGS[@]}"
wait_for 60 "the restart goes on with the snapshot" log_since "$mark" 'snapshot: going on where it stopped'
pause=$((SEED % 1500))
deadline=$((SECONDS * 1000 + pause))
while ((SECONDS * 1000 < deadline)) && ! snapshot_done; do sleep 0.05; done
if snapshot_done; then
  log "the snapshot finished before kill 2"
else
  daemon_kill9
  kills=2
  daemon_start "${SNAP_ARGS[@]}"
fi
wait_for 300 "the snapshot is done" snapshot_done
workload_running && log "the writer is still writing"
wait "$WORKLOAD_PID" || fail "the writer failed"
WORKLOAD_PID=
wait_caught_up 180
log "kills during the snapshot: $kills; resumed: $(grep -c 'snapshot: going on where it stopped' "$DAEMON_LOG")"
if ((kills > 0)); then
  grep -q 'snapshot: going on where it stopped' "$DAEMON_LOG" ||
    fail "a restart after kill -9 did not go on with the snapshot"
fi
# shellcheck disable=SC2086
python3 "$ITEST_DIR/materialize.py" tables --brokers "$BROKERS" --prefix itest \
  --defaults-file="$MARIADB_CNF" --user="$(id -un)" $TABLES ||
  fail "materialized topics differ from the tables (seed $SEED)"
grep -q 'snapshot: reading snap.s_nokey .* in one consistent read' "$DAEMON_LOG" ||
  fail "no line says that the keyless table is read in one consistent read"
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "graceful stop exited with $DAEMON_RC"
# After a graceful stop and a restart, nothing of the snapshot is sent again.
before=$(topic_end_offset itest.snap.s_int)
daemon_start_ready "${SNAP_ARGS[@]}"
wait_caught_up 60
daemon_stop
after=$(topic_end_offset itest.snap.s_int)
[[ $before == "$after" ]] || fail "a restart after the snapshot sent $((after - before)) records again"
fi

# -- 2. exactly-once, one lane ------------------------------------------------
if [[ $PHASES == *2* ]]; then
SOURCE_NAME=calm
export B2K_ITEST_SERVER_ID=4344
mark=$(wc -l <"$DAEMON_LOG")
daemon_start --binlog2kafka.delivery=exactly-once --binlog2kafka.snapshot-parallelism=1
wait_for 300 "calm's snapshot is done" log_since "$mark" 'snapshot: done'
wait_caught_up 120
# shellcheck disable=SC2086
python3 "$ITEST_DIR/materialize.py" tables --brokers "$BROKERS" --prefix calm --read-committed \
  --defaults-file="$MARIADB_CNF" --user="$(id -un)" $TABLES snap.s_nokey ||
  fail "calm: materialized topics differ from the tables"
daemon_stop
fi

# -- 3. initial-only ----------------------------------------------------------
if [[ $PHASES == *3* ]]; then
SOURCE_NAME=once
export B2K_ITEST_SNAPSHOT=initial-only B2K_ITEST_SERVER_ID=4345
mark=$(wc -l <"$DAEMON_LOG")
daemon_start --binlog2kafka.include-tables=snap.s_uniq
wait_for 120 "initial-only exits" bash -c "! kill -0 $DAEMON_PID 2>/dev/null"
rc=0
wait "$DAEMON_PID" || rc=$?
DAEMON_PID=
[[ $rc -eq 0 ]] || { tail -n 20 "$DAEMON_LOG"; fail "initial-only exited with status $rc"; }
rows=$(sql -e 'SELECT COUNT(*) FROM snap.s_uniq')
reads=$(kcat -b "$BROKERS" -C -t once.snap.s_uniq -e -q -f '%s\n' | grep -c '"op":"r"' || true)
[[ $reads -eq $rows ]] || fail "initial-only sent $reads op r records for $rows rows"
log "initial-only: $reads op r records for $rows rows, exit 0"
# As Debezium marks them: the first record "first", the last "last".
markers=$(kcat -b "$BROKERS" -C -t once.snap.s_uniq -e -q -f '%s\n' | grep '"op":"r"' |
  grep -o '"snapshot":"[a-z]*"' | cut -d'"' -f4)
[[ $(head -n 1 <<<"$markers") == first && $(tail -n 1 <<<"$markers") == last &&
   $(grep -c '^last$' <<<"$markers") -eq 1 ]] ||
  fail "initial-only: source.snapshot is not first ... last (first $(head -n 1 <<<"$markers"), last $(tail -n 1 <<<"$markers"))"
daemon_start --binlog2kafka.include-tables=snap.s_uniq
wait_for 60 "a second initial-only run exits" bash -c "! kill -0 $DAEMON_PID 2>/dev/null"
rc=0
wait "$DAEMON_PID" || rc=$?
DAEMON_PID=
[[ $rc -eq 0 ]] || fail "the second initial-only run exited with status $rc"
again=$(kcat -b "$BROKERS" -C -t once.snap.s_uniq -e -q -f '%s\n' | grep -c '"op":"r"' || true)
[[ $again -eq $reads ]] || fail "the second initial-only run sent $((again - reads)) records again"
log_since "$mark" 'nothing to do' || fail "the second initial-only run did not say why it stopped"
# A table added to the filters is read on the next start, and only it.
mark=$(wc -l <"$DAEMON_LOG")
daemon_start '--binlog2kafka.include-tables=["snap.s_uniq","snap.s_ci"]'
wait_for 120 "the run with a new table exits" bash -c "! kill -0 $DAEMON_PID 2>/dev/null"
rc=0
wait "$DAEMON_PID" || rc=$?
DAEMON_PID=
[[ $rc -eq 0 ]] || fail "the run with a new table exited with status $rc"
log_since "$mark" 'the table filters changed' || fail "no line says that the filters changed"
ci_rows=$(sql -e 'SELECT COUNT(*) FROM snap.s_ci')
ci_reads=$(kcat -b "$BROKERS" -C -t once.snap.s_ci -e -q -f '%s\n' | grep -c '"snapshot":"incremental"' || true)
[[ $ci_reads -eq $ci_rows ]] || fail "the added table sent $ci_reads incremental op r records for $ci_rows rows"
third=$(kcat -b "$BROKERS" -C -t once.snap.s_uniq -e -q -f '%s\n' | grep -c '"op":"r"' || true)
[[ $third -eq $reads ]] || fail "the table read before was read again ($((third - reads)) records)"
log "a table added to include-tables: $ci_reads incremental op r records, none again for the others"
fi

# -- 4. every column type: op "r" equals op "c" --------------------------------
if [[ $PHASES == *4* ]]; then
sql <<'SQL'
CREATE TABLE snap.types (
  id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, mi MEDIUMINT,
  bi BIGINT, bu BIGINT UNSIGNED, f FLOAT, d DOUBLE, dec1 DECIMAL(10,3),
  dec2 DECIMAL(65,30), dt DATE, dtm DATETIME, dtm6 DATETIME(6), ts TIMESTAMP(3) NULL,
  tm TIME, tm2 TIME(2), y YEAR, c CHAR(5), vc VARCHAR(300), l1 VARCHAR(10) CHARACTER SET latin1,
  bn BINARY(4), vb VARBINARY(10), tx TEXT, bl BLOB, lb LONGBLOB, e ENUM('a','b','c d'),
  st SET('x','y','z'), b1 BIT(1), b9 BIT(9), js JSON, g POINT NULL, bo BOOLEAN);
SQL
export B2K_ITEST_SNAPSHOT=never B2K_ITEST_SERVER_ID=4346
SOURCE_NAME=stream
daemon_start_ready
sql <<'SQL'
INSERT INTO snap.types VALUES
 (1, -128, 255, -32768, -8388608, -9223372036854775808, 18446744073709551615, 3.25, 0.1,
  -1234567.891, -12345678901234567890123456789012345.123456789012345678901234567891,
  '2024-02-29', '1999-12-31 23:59:59', '2024-01-02 03:04:05.123456', '2024-06-01 12:00:00.125',
  '-838:59:59', '12:34:56.78', 2155, 'ab', REPEAT('é', 150), 'café', 'ab', X'780079', 'text ✓',
  'blob', REPEAT('z', 300000), 'c d', 'x,z', b'1', b'101010101', '{"a": [1, 2.5, null]}',
  ST_GeomFromText('POINT(1 2)'), TRUE),
 (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL),
 (3, 0, 0, 0, 0, 0, 0, -0.5, 1e300, 0, 0.000000000000000000000000000001, '0000-00-00',
  '0000-00-00 00:00:00', '1970-01-01 00:00:00.000001', '1970-01-01 00:00:01.5', '00:00:00',
  '-00:00:00.01', 0, '', '', '', '', '', '', '', '', 'a', '', b'0', b'0', '[]', NULL, FALSE);
SQL
wait_caught_up 60
daemon_stop
SOURCE_NAME=read
export B2K_ITEST_SNAPSHOT=initial-only B2K_ITEST_SERVER_ID=4347
daemon_start --binlog2kafka.include-tables=snap.types
wait_for 60 "the types snapshot exits" bash -c "! kill -0 $DAEMON_PID 2>/dev/null"
wait "$DAEMON_PID" || fail "the types snapshot failed"
DAEMON_PID=
python3 "$ITEST_DIR/materialize.py" same-after --brokers "$BROKERS" \
  stream.snap.types read.snap.types || fail "op r images differ from op c images"
fi

# -- 5. bad input -------------------------------------------------------------
if [[ $PHASES == *5* ]]; then
out=$("$B2K_BINARY" run --binlog2kafka.source="$SOURCE_URL" --binlog2kafka.snapshot=sometimes 2>&1) && rc=0 || rc=$?
[[ $rc -eq 2 && $(wc -l <<<"$out") -eq 1 && $out == *"snapshot: must be initial, never, initial-only or when-needed"* ]] ||
  fail "an unknown snapshot mode gave status $rc: $out"
fi

# -- 6. key shapes, keyless tables, 1 and 4 lanes, bad input, when-needed -----
if [[ $PHASES == *6* ]]; then
SHAPES="shape.k_ci shape.k_ai shape.k_bin shape.k_dec shape.k_dt shape.k_neg shape.k_uns shape.k_comp shape.k_none shape.k_float"
sql <<'SQL'
CREATE DATABASE shape;
USE shape;
CREATE TABLE shape.k_ci (k VARCHAR(20) COLLATE utf8mb4_general_ci PRIMARY KEY, v INT NOT NULL);
CREATE TABLE shape.k_ai (k VARCHAR(20) COLLATE utf8mb4_unicode_ci PRIMARY KEY, v INT NOT NULL);
CREATE TABLE shape.k_bin (k BINARY(3) PRIMARY KEY, v INT NOT NULL);
CREATE TABLE shape.k_dec (k DECIMAL(12,3) PRIMARY KEY, v INT NOT NULL);
CREATE TABLE shape.k_dt (k DATETIME(3) PRIMARY KEY, v INT NOT NULL);
CREATE TABLE shape.k_neg (k BIGINT PRIMARY KEY, v INT NOT NULL);
CREATE TABLE shape.k_uns (k BIGINT UNSIGNED PRIMARY KEY, v INT NOT NULL);
CREATE TABLE shape.k_comp (g VARCHAR(8) COLLATE utf8mb4_general_ci NOT NULL, d DATE NOT NULL,
  n INT NOT NULL, v INT NOT NULL, PRIMARY KEY (g, d, n));
CREATE TABLE shape.k_none (a INT, b VARCHAR(10));
CREATE TABLE shape.k_float (k FLOAT PRIMARY KEY, v INT NOT NULL);
CREATE TABLE shape.k_secret (id INT PRIMARY KEY, v INT NOT NULL);
-- Orders where the collation differs from the bytes: 'a' < 'B' < 'c',
-- 'e' = 'é' = 'É' < 'F'.
INSERT INTO shape.k_ci SELECT CONCAT(ELT(1 + seq MOD 4, 'a', 'B', 'c', 'D'), seq), 0 FROM seq_1_to_2000;
INSERT INTO shape.k_ai SELECT CONCAT(ELT(1 + seq MOD 4, 'e', 'É', 'é', 'F'), seq), 0 FROM seq_1_to_2000;
-- 8191 is odd: a bijection of 24-bit values, bytes 0x00 to 0xff.
INSERT INTO shape.k_bin SELECT UNHEX(LPAD(HEX((seq * 8191) MOD 16777216), 6, '0')), 0 FROM seq_0_to_1999;
INSERT INTO shape.k_dec SELECT (CAST(seq AS SIGNED) - 1000) * 1.125, 0 FROM seq_1_to_2000;
INSERT INTO shape.k_dt SELECT TIMESTAMPADD(MICROSECOND, seq * 1000 + seq * 7777000000, '1990-01-01'), 0 FROM seq_1_to_2000;
INSERT INTO shape.k_neg SELECT (CAST(seq AS SIGNED) - 1000) * 9007199254740993, 0 FROM seq_1_to_1999;
INSERT INTO shape.k_neg VALUES (-9223372036854775808, 0), (9223372036854775807, 0);
INSERT INTO shape.k_uns SELECT seq * 9000000000000000 + 1, 0 FROM seq_1_to_1999;
INSERT INTO shape.k_uns VALUES (0, 0), (18446744073709551615, 0);
INSERT INTO shape.k_comp SELECT ELT(1 + seq MOD 3, 'x', 'Y', 'z'), '2024-01-01' + INTERVAL seq MOD 7 DAY,
  CAST(seq DIV 21 AS SIGNED) - 50, 0 FROM seq_0_to_1999;
-- Duplicate rows: a table without a key may have them.
INSERT INTO shape.k_none SELECT seq MOD 500, 'x' FROM seq_1_to_2000;
-- Quarters: exact in a FLOAT, so that SELECT prints what the topic holds.
INSERT INTO shape.k_float SELECT seq / 4, 0 FROM seq_1_to_2000;
INSERT INTO shape.k_secret SELECT seq, 0 FROM seq_1_to_100;
-- Read last by one lane (tables go in name order), dropped while the
-- snapshot reads the first.
CREATE TABLE shape.z_gone (id INT PRIMARY KEY, v INT NOT NULL);
INSERT INTO shape.z_gone SELECT seq, 0 FROM seq_1_to_500;
-- A user that may read every table but k_secret (which it may only
-- INSERT into: it sees it, but cannot SELECT it).
CREATE USER b2k_lim@'127.0.0.1' IDENTIFIED BY 'b2k-secret';
GRANT RELOAD, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO b2k_lim@'127.0.0.1';
GRANT INSERT ON shape.k_secret TO b2k_lim@'127.0.0.1';
SQL
for t in $SHAPES shape.z_gone; do sql -e "GRANT SELECT ON $t TO b2k_lim@'127.0.0.1'"; done
log "seeded: key shapes, ~2,000 rows each"
shape_writer() {
  python3 - "$1" "$2" <<'PY'
import random, sys
rnd = random.Random(int(sys.argv[1]))
out = []
for t in range(int(sys.argv[2])):
    out.append("BEGIN;")
    for _ in range(rnd.randint(1, 3)):
        i = rnd.randint(1, 2000)
        r = rnd.random()
        k = rnd.choice(["k_ci", "k_ai", "k_bin", "k_dec", "k_dt", "k_neg", "k_uns", "k_comp", "k_none", "k_float"])
        key = {
            "k_ci": f"k = CONCAT(ELT(1 + {i} MOD 4, 'A', 'b', 'C', 'd'), {i})",
            "k_ai": f"k = CONCAT(ELT(1 + {i} MOD 4, 'É', 'e', 'E', 'f'), {i})",
            "k_bin": f"k = UNHEX(LPAD(HEX(({i} * 8191) MOD 16777216), 6, '0'))",
            "k_dec": f"k = ({i} - 1000) * 1.125",
            "k_dt": f"k = TIMESTAMPADD(MICROSECOND, {i} * 1000 + {i} * 7777000000, '1990-01-01')",
            "k_neg": f"k = ({i} - 1000) * 9007199254740993",
            "k_uns": f"k = CAST({i} AS UNSIGNED) * 9000000000000000 + 1",
            "k_comp": f"g = ELT(1 + {i} MOD 3, 'X', 'y', 'Z') AND d = '2024-01-01' + INTERVAL {i} MOD 7 DAY AND n = ({i} DIV 21) - 50",
            "k_none": f"a = {i % 500}",
            "k_float": f"k = {i} / 4",
        }[k]
        if r < 0.6:
            lim = " LIMIT 1" if k == "k_none" else ""
            col = "b = CONCAT(b, 'u')" if k == "k_none" else "v = v + 1"
            out.append(f"UPDATE shape.{k} SET {col} WHERE {key}{lim};")
        elif r < 0.8:
            lim = " LIMIT 1" if k == "k_none" else ""
            out.append(f"DELETE FROM shape.{k} WHERE {key}{lim};")
        else:
            j = rnd.randint(2001, 4000)
            new = {
                "k_ci": f"CONCAT('n', {j}), 1",
                "k_ai": f"CONCAT('ñ', {j}), 1",
                "k_bin": f"UNHEX(LPAD(HEX(({j} * 8191) MOD 16777216), 6, '0')), 1",
                "k_dec": f"-{j} * 1.125, 1",
                "k_dt": f"TIMESTAMPADD(MICROSECOND, {j} * 1000 + {j} * 7777000000, '1990-01-01'), 1",
                "k_neg": f"-{j} * 9007199254740, 1",
                "k_uns": f"CAST({j} AS UNSIGNED) * 4000000000000000 + 3, 1",
                "k_comp": f"'q', '2024-02-02', {j}, 1",
                "k_none": f"{i % 500}, 'new'",
                "k_float": f"{j} / 4, 1",
            }[k]
            out.append(f"INSERT IGNORE INTO shape.{k} VALUES ({new});")
    out.append("ROLLBACK;" if rnd.random() < 0.05 else "COMMIT;")
print("\n".join(out))
PY
}
# shape_run NAME LANES: a snapshot of the shapes by pipeline NAME with
# LANES lanes as b2k_lim, under the writer; every table equal at the end.
shape_run() {
  SOURCE_NAME=$1
  export B2K_ITEST_SNAPSHOT=initial B2K_ITEST_SERVER_ID=$3
  local mark t0
  touch "$DAEMON_LOG"
  mark=$(wc -l <"$DAEMON_LOG")
  shape_writer "$((SEED + $2))" 3000 >"$STATE/shape_writer.sql"
  sql <"$STATE/shape_writer.sql" &
  WORKLOAD_PID=$!
  t0=$SECONDS
  daemon_start --binlog2kafka.source="mysql://b2k_lim@127.0.0.1:$MARIADB_PORT" \
    --binlog2kafka.include-databases=shape --binlog2kafka.snapshot-chunk-rows=97 \
    --binlog2kafka.snapshot-parallelism="$2" --binlog2kafka.value-mode=readable
  if sql -e 'SHOW TABLES FROM shape' | has_line -x z_gone; then
    wait_for 60 "$1 reads its first table" log_since "$mark" 'snapshot: reading shape.k_ai'
    sql -e 'DROP TABLE shape.z_gone'
  fi
  wait_for 120 "$1's snapshot is done" log_since "$mark" 'snapshot: done'
  workload_running && log "$1: the writer was still writing when the snapshot was done ($((SECONDS - t0)) s)"
  wait "$WORKLOAD_PID" || fail "the shape writer failed"
  WORKLOAD_PID=
  wait_caught_up 120
  # shellcheck disable=SC2086
  python3 "$ITEST_DIR/materialize.py" tables --brokers "$BROKERS" --prefix "$1" --readable \
    --defaults-file="$MARIADB_CNF" --user="$(id -un)" $SHAPES ||
    fail "$1 ($2 lanes): materialized topics differ from the tables (seed $SEED)"
  [[ $(tail -n +"$((mark + 1))" "$DAEMON_LOG" | grep -c 'shape.k_secret is not snapshotted') -eq 1 ]] ||
    fail "$1: not one line says that shape.k_secret (no SELECT) is not snapshotted"
  [[ $(tail -n +"$((mark + 1))" "$DAEMON_LOG" | grep -c 'shape.k_float cannot be read in chunks') -eq 1 ]] ||
    fail "$1: not one line says that the FLOAT key of shape.k_float cannot be chunked"
  log_since "$mark" 'snapshot: reading shape.k_none .* in one consistent read' ||
    fail "$1: no line says that shape.k_none is read in one consistent read"
  # The first record out of all lanes and key ranges is "first"; "last"
  # may be missing (README) but is never on two records.
  local marks
  marks=$(for t in $SHAPES; do
    kcat -b "$BROKERS" -C -t "$1.$t" -e -q -f '%s\n' | grep -o '"snapshot":"\(first\|last\)"' || true
  done)
  [[ $(grep -c first <<<"$marks") -eq 1 && $(grep -c last <<<"$marks") -le 1 ]] ||
    fail "$1: not one first and at most one last mark: $(tr '\n' ' ' <<<"$marks")"
}
shape_run shape1 1 4351
log_since 0 'snapshot: shape.z_gone is gone (dropped or renamed): skipped' ||
  fail "shape1: no line says that shape.z_gone, dropped during the snapshot, is skipped"
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "shape1: graceful stop exited with $DAEMON_RC"
shape_run shape4 4 4352
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "shape4: graceful stop exited with $DAEMON_RC"

# when-needed: shape4's position purged from the server.
read -r cfile _ _ <<<"$(committed_position)"
sql -e "UPDATE shape.k_ci SET v = v + 100 LIMIT 50; FLUSH BINARY LOGS"
last=$(master_status | awk '{print $1}')
purged() {
  sql -e "PURGE BINARY LOGS TO '$last'"
  ! sql -e "SHOW BINARY LOGS" | has_line "^${cfile}[[:space:]]"
}
wait_for 30 "the server purged $cfile" purged
export B2K_ITEST_SNAPSHOT=when-needed
mark=$(wc -l <"$DAEMON_LOG")
daemon_start --binlog2kafka.source="mysql://b2k_lim@127.0.0.1:$MARIADB_PORT" \
  --binlog2kafka.include-databases=shape --binlog2kafka.snapshot-chunk-rows=97 \
  --binlog2kafka.value-mode=readable
wait_for 120 "the snapshot after the purge is done" log_since "$mark" 'snapshot: done'
[[ $(tail -n +"$((mark + 1))" "$DAEMON_LOG" | grep -c 'was purged from the server .* snapshot = when-needed') -eq 1 ]] ||
  fail "not one line says that the purged position is snapshotted again"
wait_caught_up 60
# Keyed tables only: a table without a key read again has its rows twice.
# shellcheck disable=SC2086
python3 "$ITEST_DIR/materialize.py" tables --brokers "$BROKERS" --prefix shape4 --readable \
  --defaults-file="$MARIADB_CNF" --user="$(id -un)" ${SHAPES/shape.k_none /} ||
  fail "shape4 after when-needed: materialized topics differ from the tables"
daemon_stop
fi

# -- 7. the source restarts during the snapshot ---------------------------------
if [[ $PHASES == *7* ]]; then
mariadb_ctl() { server_env "$B2K_SOURCE_DIR/deploy/mariadb.sh" "$@"; }
SOURCE_NAME=restart
export B2K_ITEST_SNAPSHOT=initial B2K_ITEST_SERVER_ID=4353
starts=$DAEMON_STARTS
touch "$DAEMON_LOG"
mark=$(wc -l <"$DAEMON_LOG")
daemon_start --binlog2kafka.include-tables=snap.s_int --binlog2kafka.snapshot-chunk-rows=500
wait_for 60 "the restart pipeline reads snap.s_int" log_since "$mark" 'snapshot: .*snap.s_int'
snapshot_done_since() { log_since "$mark" 'snapshot: done'; }
snapshot_done_since && fail "the snapshot finished before MariaDB stopped: make it larger"
mariadb_ctl stop
log "MariaDB stopped during the snapshot"
sleep 3
daemon_running || fail "binlog2kafka exited while MariaDB was down"
mariadb_ctl start
wait_for 180 "the snapshot is done after MariaDB's restart" snapshot_done_since
daemon_running || fail "binlog2kafka exited"
[[ $DAEMON_STARTS -eq $((starts + 1)) ]] || fail "binlog2kafka was started again by the test"
# Where it goes on depends on what Kafka acknowledged before the stop.
log "after the restart: $(tail -n +"$((mark + 1))" "$DAEMON_LOG" |
  grep -o 'snapshot: going on where it stopped.*\|snapshot: reading every included table' | tail -n 1)"
wait_caught_up 60
python3 "$ITEST_DIR/materialize.py" tables --brokers "$BROKERS" --prefix restart \
  --defaults-file="$MARIADB_CNF" --user="$(id -un)" snap.s_int ||
  fail "restart: snap.s_int differs from its table after MariaDB restarted mid-snapshot"
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "restart: graceful stop exited with $DAEMON_RC"
fi

# -- 8. rows of half a megabyte: chunks end at their byte budget --------------
if [[ $PHASES == *8* ]]; then
sql <<'SQL'
USE snap;
CREATE TABLE snap.big (id INT PRIMARY KEY, b LONGBLOB NOT NULL);
CREATE TABLE snap.big_nokey (n INT NOT NULL, b LONGBLOB NOT NULL);
INSERT INTO snap.big SELECT seq, REPEAT(CHAR(65 + seq MOD 26), 600000) FROM seq_1_to_40;
INSERT INTO snap.big_nokey SELECT seq, REPEAT(CHAR(97 + seq MOD 26), 600000) FROM seq_1_to_12;
SQL
SOURCE_NAME=big
export B2K_ITEST_SNAPSHOT=initial-only B2K_ITEST_SERVER_ID=4354
touch "$DAEMON_LOG"
mark=$(wc -l <"$DAEMON_LOG")
# 8 MiB in flight and 2 lanes: a chunk holds at most 2 MiB (about three
# such rows), whatever snapshot-chunk-rows (8,192) says.
daemon_start '--binlog2kafka.include-tables=["snap.big","snap.big_nokey"]' \
  --binlog2kafka.max-inflight-bytes=8388608 --binlog2kafka.value-mode=readable
wait_for 120 "the big-row snapshot exits" bash -c "! kill -0 $DAEMON_PID 2>/dev/null"
rc=0
wait "$DAEMON_PID" || rc=$?
DAEMON_PID=
[[ $rc -eq 0 ]] || { tail -n 20 "$DAEMON_LOG"; fail "the big-row snapshot exited with status $rc"; }
chunks_of() {
  tail -n +"$((mark + 1))" "$DAEMON_LOG" | grep -o "snapshot: $1 done: [0-9]* rows in [0-9]* chunks" |
    awk '{print $(NF-1)}'
}
big_chunks=$(chunks_of snap.big) nokey_chunks=$(chunks_of snap.big_nokey)
[[ ${big_chunks:-0} -ge 10 ]] || fail "snap.big (40 rows of 600 kB) went out in ${big_chunks:-no} chunks, not at most ~3 rows each"
[[ ${nokey_chunks:-0} -ge 4 ]] || fail "snap.big_nokey (12 rows of 600 kB) went out in ${nokey_chunks:-no} pieces, not at most ~3 rows each"
python3 "$ITEST_DIR/materialize.py" tables --brokers "$BROKERS" --prefix big --readable \
  --defaults-file="$MARIADB_CNF" --user="$(id -un)" snap.big snap.big_nokey ||
  fail "big rows: materialized topics differ from the tables"
log "rows of 600 kB: snap.big in $big_chunks chunks, snap.big_nokey in $nokey_chunks pieces, equal to SELECT"
fi

log "PASS"
