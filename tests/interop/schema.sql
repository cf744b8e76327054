-- Tables of the interop test (tests/interop/test_interop.sh): every column
-- type of design.md's table. Created before Debezium starts (it reads them
-- with SHOW CREATE TABLE, as it does for an existing database).
SET sql_mode = '';
CREATE DATABASE interop;
USE interop;

CREATE TABLE types (
  id INT PRIMARY KEY,
  ti TINYINT, tiu TINYINT UNSIGNED, t1 TINYINT(1),
  si SMALLINT, siu SMALLINT UNSIGNED,
  mi MEDIUMINT, miu MEDIUMINT UNSIGNED,
  i INT, iu INT UNSIGNED,
  bi BIGINT, biu BIGINT UNSIGNED,
  d52 DECIMAL(5,2), d200 DECIMAL(20,0), d6530 DECIMAL(65,30), d44 DECIMAL(4,4),
  f FLOAT, dbl DOUBLE,
  b1 BIT(1), b5 BIT(5), b10 BIT(10), b64 BIT(64),
  y YEAR,
  dt DATE,
  dtm DATETIME, dtm3 DATETIME(3), dtm6 DATETIME(6), dtm2 DATETIME(2),
  ts TIMESTAMP NULL, ts3 TIMESTAMP(3) NULL, ts6 TIMESTAMP(6) NULL,
  tm TIME, tm3 TIME(3), tm6 TIME(6), tm1 TIME(1),
  c CHAR(10), vc VARCHAR(100) CHARACTER SET utf8mb4,
  vl VARCHAR(50) CHARACTER SET latin1, tx TEXT CHARACTER SET utf8mb4,
  bn BINARY(4), vb VARBINARY(20), bl BLOB,
  e ENUM('a','b','c'), s SET('x','y','z'),
  j JSON,
  g GEOMETRY, pt POINT
) CHARACTER SET utf8mb4;

-- NOT NULL temporal columns: a zero date is Debezium's epoch there.
CREATE TABLE zeros (
  id INT PRIMARY KEY,
  dt DATE NOT NULL,
  dtm DATETIME NOT NULL,
  dtm6 DATETIME(6) NOT NULL,
  ts TIMESTAMP NOT NULL,
  tm TIME NOT NULL
);

-- A key of several columns and types: keys are converted as values are.
CREATE TABLE keyed (
  k1 VARCHAR(20) CHARACTER SET utf8mb4,
  k2 DATE,
  k3 BIGINT UNSIGNED,
  v VARCHAR(20),
  PRIMARY KEY (k1, k2, k3)
);

-- TIME within the day, for Flink's TIME type.
CREATE TABLE daytimes (id INT PRIMARY KEY, t0 TIME, t3 TIME(3), t6 TIME(6));

-- No primary key: null keys.
CREATE TABLE nokey (a INT, b VARCHAR(10));
