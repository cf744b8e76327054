#!/usr/bin/env bash
# Regenerates tests/data/mariadb_compressed.000001: a MariaDB binlog written
# with log_bin_compress=ON (QUERY_COMPRESSED and WRITE/UPDATE/DELETE_ROWS
# _COMPRESSED_V1 events, plus rows events too small to be compressed).
#
# Starts a private MariaDB (deploy/mariadb.sh) in a temporary state directory
# on B2K_MARIADB_PORT (default 33391), runs the statements below, copies the
# binlog file they went to and removes the server again.
# tests/unit/binlog/compressed.cpp asserts its records value by value: keep
# the statements and the test in step.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=$HERE/mariadb_compressed.000001
export B2K_STATE_DIR=${B2K_STATE_DIR:-$(mktemp -d /tmp/b2k-mkcomp.XXXXXX)}
export B2K_MARIADB_PORT=${B2K_MARIADB_PORT:-33391}
DB=$REPO/deploy/mariadb.sh

cleanup() {
  "$DB" stop >/dev/null 2>&1 || true
  rm -rf "$B2K_STATE_DIR"
}
trap cleanup EXIT

"$DB" start
sql() { "$DB" client -N -e "$1"; }

sql "SET GLOBAL log_bin_compress=ON, log_bin_compress_min_len=10"
sql "FLUSH BINARY LOGS"
file=$(sql "SHOW MASTER STATUS" | cut -f1)
"$DB" client <<'SQL'
CREATE DATABASE b2k;
CREATE TABLE b2k.comp (
  id INT PRIMARY KEY,
  name VARCHAR(100),
  note TEXT,
  amount DECIMAL(10,2)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE b2k.tiny (a TINYINT) ENGINE=InnoDB;
INSERT INTO b2k.comp VALUES
  (1, 'alpha', REPEAT('x', 300), 1.50),
  (2, 'beta', NULL, -2.25),
  (3, 'gamma', 'short', 0.00);
UPDATE b2k.comp SET name = 'BETA', amount = amount * 2 WHERE id = 2;
DELETE FROM b2k.comp WHERE id = 3;
INSERT INTO b2k.tiny VALUES (7);
BEGIN;
INSERT INTO b2k.comp VALUES (10, 'ten', 'in a transaction', 10.10);
UPDATE b2k.comp SET note = CONCAT(note, '!') WHERE id IN (1, 10);
DELETE FROM b2k.comp WHERE id = 1;
COMMIT;
SQL
sql "FLUSH BINARY LOGS"
cp "$B2K_STATE_DIR/mariadb/data/$file" "$OUT"
chmod 644 "$OUT"
echo "wrote $OUT ($(stat -c %s "$OUT") bytes) from $file"
