#!/usr/bin/env bash
# Regenerates tests/data/mariadb_records.000001: a MariaDB binlog (row
# format, full metadata) for the record suites (tests/unit/binlog/records*.cpp):
# DDL in several client character sets (latin1, koi8r, sjis with a 0x5C
# trail byte) and in a database other than the default one, a transaction
# over several tables and databases, deletes of keyed and keyless tables,
# table names Kafka does not allow in topic names, a CREATE TABLE ... SELECT,
# and a table in the mysql schema.
#
# Starts a private MariaDB (deploy/mariadb.sh) in a temporary state directory
# on B2K_MARIADB_PORT (default 33393), runs the statements below with a fixed
# timestamp (SET TIMESTAMP), copies the binlog file they went to and removes
# the server again. The suites assert the records exactly: keep the
# statements and the tests in step.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=$HERE/mariadb_records.000001
export B2K_STATE_DIR=${B2K_STATE_DIR:-$(mktemp -d /tmp/b2k-mkrecords.XXXXXX)}
export B2K_MARIADB_PORT=${B2K_MARIADB_PORT:-33393}
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

# UTF-8 part. Every statement runs at 2023-11-14 22:13:20 UTC.
"$DB" client --default-character-set=utf8mb4 <<'SQL'
SET TIMESTAMP = 1700000000;
SET time_zone = '+00:00';
CREATE DATABASE shop;
USE shop;
CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(40),
  email VARCHAR(60), password_hash VARCHAR(60));
CREATE TABLE audit_log (at INT, what VARCHAR(40));
CREATE TABLE `order items` (id INT PRIMARY KEY, qty INT);
CREATE TABLE `prix_€` (id INT PRIMARY KEY, amount DECIMAL(6,2));
CREATE DATABASE other;
CREATE TABLE other.t (id INT PRIMARY KEY, v INT);

BEGIN;
INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com', 'h1'),
  (2, 'Grace', 'grace@example.com', 'h2');
INSERT INTO audit_log VALUES (1, 'two customers');
INSERT INTO other.t VALUES (1, 10);
UPDATE customers SET email = 'ada@lovelace.org' WHERE id = 1;
INSERT INTO `order items` VALUES (1, 3);
COMMIT;

DELETE FROM customers WHERE id = 2;
DELETE FROM audit_log;
INSERT INTO `prix_€` VALUES (1, 9.99);
INSERT INTO customers VALUES (3, 'Linus', 'l@example.com', 'h3'),
  (4, 'Barbara', 'b@example.com', 'h4');
DELETE FROM customers WHERE id IN (3, 4);
CREATE TABLE copy SELECT id, name FROM customers;
CREATE TABLE mysql.b2k_probe (id INT PRIMARY KEY);
INSERT INTO mysql.b2k_probe VALUES (1);
DROP TABLE mysql.b2k_probe;
SQL

# The same comment in other client character sets: the binlog keeps the
# statement's bytes as the client sent them.
printf "SET TIMESTAMP = 1700000000;\nUSE shop;\nALTER TABLE customers COMMENT 'caf\xe9 \x80';\n" |
  "$DB" client --default-character-set=latin1
printf "SET TIMESTAMP = 1700000000;\nUSE shop;\nALTER TABLE customers COMMENT '\xd0\xd2\xc9\xd7\xc5\xd4';\n" |
  "$DB" client --default-character-set=koi8r
# sjis: 表 is 0x95 0x5C and ソ is 0x83 0x5C, trail bytes that read as a
# backslash in ASCII.
printf "SET TIMESTAMP = 1700000000;\nUSE shop;\nCREATE TABLE \`\x95\x5c\` (id INT PRIMARY KEY) COMMENT '\x83\x5c\x95\x5c';\nINSERT INTO \`\x95\x5c\` VALUES (7);\n" |
  "$DB" client --default-character-set=sjis

"$DB" client --default-character-set=utf8mb4 <<'SQL'
SET TIMESTAMP = 1700000000;
USE shop;
TRUNCATE TABLE other.t;
RENAME TABLE other.t TO other.t2;
DROP TABLE other.t2;
DROP DATABASE other;
SQL

sql "FLUSH BINARY LOGS"
cp "$B2K_STATE_DIR/mariadb/data/$file" "$OUT"
chmod 644 "$OUT"
"$DB" client --default-character-set=utf8mb4 -e "
  SELECT table_name, table_comment FROM information_schema.tables
    WHERE table_schema = 'shop' ORDER BY table_name;
  SELECT * FROM shop.customers; SELECT * FROM shop.copy;"
echo "wrote $OUT ($(stat -c %s "$OUT") bytes) from $file"
