#!/usr/bin/env bash
# Regenerates tests/data/mariadb_xa.000001: a MariaDB binlog with XA
# transactions for tests/unit/binlog/xa.cpp:
#   a   XA PREPARE, then a plain insert, then XA COMMIT      (ids 1, 2; 3)
#   b   XA PREPARE, XA ROLLBACK                             (id 4: never sent)
#   c   XA COMMIT ONE PHASE (an ordinary transaction here)  (id 5)
#   d   XA PREPARE, a plain insert, XA PREPARE of e, XA COMMIT of e, a plain
#       insert, XA COMMIT of d                              (ids 6, 7, 8, 9, 10)
# Each XA transaction runs on a connection of its own, as on a real system
# (a prepared XA transaction outlives its connection on MariaDB 10.5+).
#
# Starts a private MariaDB (deploy/mariadb.sh) in a temporary state directory
# on B2K_MARIADB_PORT (default 33394), copies the binlog file and removes the
# server again. The suite asserts the records exactly: keep them in step.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=$HERE/mariadb_xa.000001
export B2K_STATE_DIR=${B2K_STATE_DIR:-$(mktemp -d /tmp/b2k-mkxa.XXXXXX)}
export B2K_MARIADB_PORT=${B2K_MARIADB_PORT:-33394}
DB=$REPO/deploy/mariadb.sh

cleanup() {
  "$DB" stop >/dev/null 2>&1 || true
  rm -rf "$B2K_STATE_DIR"
}
trap cleanup EXIT

"$DB" start >/dev/null
sql() { "$DB" client -N -e "SET TIMESTAMP = 1700000000; $1"; }

sql "FLUSH BINARY LOGS"
file=$(sql "SHOW MASTER STATUS" | cut -f1)
sql "CREATE TABLE demo.xa (id INT PRIMARY KEY, v VARCHAR(10))"
sql "XA START 'a'; INSERT INTO demo.xa VALUES (1,'a1'),(2,'a2'); XA END 'a'; XA PREPARE 'a'"
sql "INSERT INTO demo.xa VALUES (3,'plain')"
sql "XA COMMIT 'a'"
sql "XA START 'b'; INSERT INTO demo.xa VALUES (4,'b'); XA END 'b'; XA PREPARE 'b'"
sql "XA ROLLBACK 'b'"
sql "XA START 'c'; INSERT INTO demo.xa VALUES (5,'c'); XA END 'c'; XA COMMIT 'c' ONE PHASE"
sql "XA START 'd'; INSERT INTO demo.xa VALUES (6,'d'); XA END 'd'; XA PREPARE 'd'"
sql "INSERT INTO demo.xa VALUES (7,'plain')"
sql "XA START 'e'; INSERT INTO demo.xa VALUES (8,'e'); XA END 'e'; XA PREPARE 'e'"
sql "XA COMMIT 'e'"
sql "INSERT INTO demo.xa VALUES (9,'plain')"
sql "XA COMMIT 'd'"
sql "INSERT INTO demo.xa VALUES (10,'plain')"
sql "FLUSH BINARY LOGS"
cp "$B2K_STATE_DIR/mariadb/data/$file" "$OUT"
echo "wrote $OUT ($(stat -c %s "$OUT") bytes)"
