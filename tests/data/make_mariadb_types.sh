#!/usr/bin/env bash
# Regenerates tests/data/mariadb_types.000001: a MariaDB binlog (row format,
# full metadata) with one table per type family and their edge values:
# integers, DECIMAL, FLOAT/DOUBLE, BIT, YEAR/DATE/TIME/DATETIME/TIMESTAMP
# (fractional seconds, zero dates, the old pre-10.1 formats), ENUM/SET and
# text in several character sets.
#
# Starts a private MariaDB (deploy/mariadb.sh) in a temporary state directory
# on B2K_MARIADB_PORT (default 33392), runs the statements below, copies the
# binlog file they went to and removes the server again. It also prints what
# SELECT returns, for checking the expected values of
# tests/unit/binlog/mariadb_types.cpp by eye: keep the two in step.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=$HERE/mariadb_types.000001
export B2K_STATE_DIR=${B2K_STATE_DIR:-$(mktemp -d /tmp/b2k-mktypes.XXXXXX)}
export B2K_MARIADB_PORT=${B2K_MARIADB_PORT:-33392}
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
"$DB" client --default-character-set=utf8mb4 <<'SQL'
SET sql_mode = '';
SET time_zone = '+00:00';
CREATE DATABASE b2k;
USE b2k;

CREATE TABLE ints (
  id INT PRIMARY KEY,
  t TINYINT, tu TINYINT UNSIGNED,
  s SMALLINT, su SMALLINT UNSIGNED,
  m MEDIUMINT, mu MEDIUMINT UNSIGNED,
  i INT, iu INT UNSIGNED,
  b BIGINT, bu BIGINT UNSIGNED);
INSERT INTO ints VALUES
  (1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0,
      -9223372036854775808, 0),
  (2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295,
      9223372036854775807, 18446744073709551615),
  (3, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1);

CREATE TABLE decs (
  id INT PRIMARY KEY,
  d1 DECIMAL(1,0), d5 DECIMAL(5,2), d10 DECIMAL(10,5), d18 DECIMAL(18,9),
  d20 DECIMAL(20,0), d44 DECIMAL(4,4), d65 DECIMAL(65,30), d65z DECIMAL(65,0));
INSERT INTO decs VALUES
  (1, 9, 999.99, 99999.99999, 999999999.999999999, 99999999999999999999,
      0.9999, 99999999999999999999999999999999999.999999999999999999999999999999,
      99999999999999999999999999999999999999999999999999999999999999999),
  (2, -9, -999.99, -99999.99999, -999999999.999999999, -99999999999999999999,
      -0.9999, -99999999999999999999999999999999999.999999999999999999999999999999,
      -99999999999999999999999999999999999999999999999999999999999999999),
  (3, 0, 0, 0, 0, 0, 0, 0, 0),
  (4, -1, -0.01, 1.5, -0.000000001, 1000000000, 0.0001,
      -1.000000000000000000000000000001, 123456789012345678901234567890);

CREATE TABLE floats (id INT PRIMARY KEY, f FLOAT, d DOUBLE);
INSERT INTO floats VALUES (1, 1.5, -2.25), (2, 3.4e38, 1.7976931348623157e308),
  (3, -1.17549435e-38, 4.9e-324), (4, 0.1, 0.1), (5, 0, -0);

CREATE TABLE bits (id INT PRIMARY KEY, b1 BIT(1), b7 BIT(7), b8 BIT(8),
  b9 BIT(9), b63 BIT(63), b64 BIT(64));
INSERT INTO bits VALUES
  (1, b'1', b'1111111', b'11111111', b'111111111',
      b'111111111111111111111111111111111111111111111111111111111111111',
      b'1111111111111111111111111111111111111111111111111111111111111111'),
  (2, b'0', b'0', b'0', b'0', b'0', b'0'),
  (3, b'1', b'1010101', b'10000000', b'100000001', 1, 9223372036854775808);

CREATE TABLE temporal (
  id INT PRIMARY KEY,
  y YEAR, d DATE,
  t0 TIME, t1 TIME(1), t2 TIME(2), t3 TIME(3), t4 TIME(4), t5 TIME(5),
  t6 TIME(6),
  dt0 DATETIME, dt1 DATETIME(1), dt3 DATETIME(3), dt6 DATETIME(6),
  ts0 TIMESTAMP NULL, ts2 TIMESTAMP(2) NULL, ts4 TIMESTAMP(4) NULL,
  ts6 TIMESTAMP(6) NULL);
INSERT INTO temporal VALUES
  (1, 1901, '1000-01-01',
      '-838:59:59', '-838:59:59.9', '-838:59:59.99', '-838:59:59.999',
      '-838:59:59.9999', '-838:59:59.99999', '-838:59:59.999999',
      '1000-01-01 00:00:00', '1000-01-01 00:00:00.1',
      '1000-01-01 00:00:00.001', '1000-01-01 00:00:00.000001',
      '1970-01-01 00:00:01', '1970-01-01 00:00:01.01',
      '1970-01-01 00:00:01.0001', '1970-01-01 00:00:01.000001'),
  (2, 2155, '9999-12-31',
      '838:59:59', '838:59:59.9', '838:59:59.99', '838:59:59.999',
      '838:59:59.9999', '838:59:59.99999', '838:59:59.999999',
      '9999-12-31 23:59:59', '9999-12-31 23:59:59.9',
      '9999-12-31 23:59:59.999', '9999-12-31 23:59:59.999999',
      '2038-01-19 03:14:07', '2038-01-19 03:14:07.99',
      '2038-01-19 03:14:07.9999', '2038-01-19 03:14:07.999999'),
  (3, 0, '0000-00-00',
      '00:00:00', '-00:00:00.1', '-00:00:00.01', '-00:00:00.001',
      '-00:00:00.0001', '-00:00:00.00001', '-00:00:00.000001',
      '0000-00-00 00:00:00', '0000-00-00 00:00:00.0',
      '0000-00-00 00:00:00.000', '0000-00-00 00:00:00.000000',
      '0000-00-00 00:00:00', '0000-00-00 00:00:00.00',
      '0000-00-00 00:00:00.0000', '0000-00-00 00:00:00.000000'),
  (4, 2000, '2024-02-29',
      '-01:00:00', '-01:00:00.5', '-12:34:56.78', '-00:00:01.5',
      '-23:59:59.0001', '-100:00:00.12345', '-00:00:00.5',
      '2024-02-29 12:34:56', '2024-02-29 12:34:56.7',
      '2024-02-29 12:34:56.789', '2024-02-29 12:34:56.789012',
      '2024-02-29 12:34:56', '2024-02-29 12:34:56.78',
      '2024-02-29 12:34:56.7891', '2024-02-29 12:34:56.789012'),
  (5, 1999, '2000-01-01',
      '12:34:56', '00:00:00.1', '00:00:00.01', '00:00:00.001',
      '00:00:00.0001', '00:00:00.00001', '00:00:00.000001',
      '2000-01-01 00:00:00', '2000-01-01 00:00:00.0',
      '2000-01-01 00:00:00.000', '2000-01-01 00:00:00.000000',
      NULL, NULL, NULL, NULL);

SET GLOBAL mysql56_temporal_format = OFF;
CREATE TABLE old_temporal (id INT PRIMARY KEY, t TIME, dt DATETIME,
  ts TIMESTAMP NULL);
SET GLOBAL mysql56_temporal_format = ON;
INSERT INTO old_temporal VALUES
  (1, '-838:59:59', '1000-01-01 00:00:00', '1970-01-01 00:00:01'),
  (2, '838:59:59', '9999-12-31 23:59:59', '2038-01-19 03:14:07'),
  (3, '-00:00:01', '0000-00-00 00:00:00', '0000-00-00 00:00:00'),
  (4, '-12:34:56', '2024-02-29 12:34:56', '2024-02-29 12:34:56');

CREATE TABLE enums (
  id INT PRIMARY KEY,
  e ENUM('a', 'b', 'c,d', 'é"\\'),
  s SET('x', 'y', 'z'),
  s64 SET('m01','m02','m03','m04','m05','m06','m07','m08','m09','m10',
    'm11','m12','m13','m14','m15','m16','m17','m18','m19','m20','m21','m22',
    'm23','m24','m25','m26','m27','m28','m29','m30','m31','m32','m33','m34',
    'm35','m36','m37','m38','m39','m40','m41','m42','m43','m44','m45','m46',
    'm47','m48','m49','m50','m51','m52','m53','m54','m55','m56','m57','m58',
    'm59','m60','m61','m62','m63','m64'));
INSERT INTO enums VALUES
  (1, 'a', '', ''),
  (2, 'c,d', 'x,z', 'm01,m64'),
  (3, 'é"\\', 'x,y,z', 'm08,m09,m16,m17,m32,m33,m63'),
  (4, '', 'y', NULL);

CREATE TABLE texts (
  id INT PRIMARY KEY,
  l1 VARCHAR(20) CHARACTER SET latin1,
  w VARCHAR(20) CHARACTER SET cp1251,
  k VARCHAR(20) CHARACTER SET koi8r,
  u VARCHAR(20) CHARACTER SET ujis,
  g VARCHAR(20) CHARACTER SET gbk,
  u3 VARCHAR(20) CHARACTER SET utf8mb3,
  u4 VARCHAR(40) CHARACTER SET utf8mb4,
  u16 VARCHAR(20) CHARACTER SET utf16,
  ch CHAR(5) CHARACTER SET latin1,
  tx TEXT CHARACTER SET latin1,
  bn BINARY(4), vb VARBINARY(10), bl BLOB);
INSERT INTO texts VALUES
  (1, 'café €', 'Привет', 'мир', '日本語', '中文', 'ßü€', CONCAT('a😀"q"\\\t\n', CHAR(1 USING utf8mb4), '/'),
      'hé', 'ab', 'Ünïcödé', x'00FF1000', x'000102', x'DEADBEEF'),
  (2, '', '', '', '', '', '', '', '', '', '', x'00000000', x'', x''),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
      NULL);
UPDATE texts SET l1 = 'naïve', bl = x'00' WHERE id = 2;
DELETE FROM texts WHERE id = 3;
SQL
sql "FLUSH BINARY LOGS"
cp "$B2K_STATE_DIR/mariadb/data/$file" "$OUT"
chmod 644 "$OUT"
"$DB" client --default-character-set=utf8mb4 -e "SET time_zone = '+00:00';
  SELECT * FROM b2k.ints; SELECT * FROM b2k.decs; SELECT * FROM b2k.floats;
  SELECT id, HEX(b1), HEX(b7), HEX(b8), HEX(b9), HEX(b63), HEX(b64),
    b63 + 0, b64 + 0 FROM b2k.bits;
  SELECT * FROM b2k.temporal; SELECT * FROM b2k.old_temporal;
  SELECT * FROM b2k.enums; SELECT id, s + 0, s64 + 0 FROM b2k.enums;
  SELECT id, l1, w, k, u, g, u3, HEX(u4), u16, ch, tx, HEX(bn), HEX(vb),
    HEX(bl) FROM b2k.texts"
echo "wrote $OUT ($(stat -c %s "$OUT") bytes) from $file"
