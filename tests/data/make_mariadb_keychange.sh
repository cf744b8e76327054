#!/usr/bin/env bash
# Regenerates tests/data/mariadb_keychange.000001: a MariaDB binlog (row
# format, full metadata) for tests/unit/binlog/records_key_change.cpp:
# updates that change a primary key (one row; several rows in one statement;
# a key of several columns, inside a transaction with other changes),
# updates that keep it, a table without a key, and an ALTER TABLE after
# which the table map (and so the Kafka Connect schema) has another column.
#
# Starts a private MariaDB (deploy/mariadb.sh) in a temporary state directory
# on B2K_MARIADB_PORT (default 33394), runs the statements below with a fixed
# timestamp (SET TIMESTAMP), copies the binlog file they went to and removes
# the server again. The suite asserts the records exactly: keep the
# statements and the tests in step.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=$HERE/mariadb_keychange.000001
export B2K_STATE_DIR=${B2K_STATE_DIR:-$(mktemp -d /tmp/b2k-mkkeychange.XXXXXX)}
export B2K_MARIADB_PORT=${B2K_MARIADB_PORT:-33394}
DB=$REPO/deploy/mariadb.sh

cleanup() {
  "$DB" stop >/dev/null 2>&1 || true
  rm -rf "$B2K_STATE_DIR"
}
trap cleanup EXIT

"$DB" start
sql() { "$DB" client -N -e "$1"; }

sql "FLUSH BINARY LOGS"
file=$(sql "SHOW MASTER STATUS" | cut -f1)

# Every statement runs at 2023-11-14 22:13:20 UTC.
"$DB" client --default-character-set=utf8mb4 <<'SQL'
SET TIMESTAMP = 1700000000;
SET time_zone = '+00:00';
CREATE DATABASE kc;
USE kc;
CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10));
CREATE TABLE pair (a VARCHAR(5), b DATE, v INT, PRIMARY KEY (a, b));
CREATE TABLE nokey (x INT, y INT);
INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three');
INSERT INTO pair VALUES ('p', '2024-01-01', 1);
INSERT INTO nokey VALUES (1, 1);
UPDATE t SET v = 'uno' WHERE id = 1;
UPDATE t SET id = 10 WHERE id = 1;
UPDATE t SET id = id + 100 WHERE id IN (2, 3) ORDER BY id DESC;
BEGIN;
UPDATE pair SET b = '2024-01-02', v = 2 WHERE a = 'p';
INSERT INTO t VALUES (4, 'four');
UPDATE pair SET v = 3 WHERE a = 'p';
COMMIT;
UPDATE nokey SET x = 2;
ALTER TABLE t ADD COLUMN w DECIMAL(5,2) NOT NULL DEFAULT 0;
UPDATE t SET id = 11, w = 1.5 WHERE id = 10;
SQL

sql "FLUSH BINARY LOGS"
cp "$B2K_STATE_DIR/mariadb/data/$file" "$OUT"
chmod 644 "$OUT"
"$DB" client -e "SELECT * FROM kc.t; SELECT * FROM kc.pair; SELECT * FROM kc.nokey;"
echo "wrote $OUT ($(stat -c %s "$OUT") bytes) from $file"
