#!/usr/bin/env python3
"""Audit a binlog2kafka deployment: compare the database's own record of
what changed with what is in Kafka.

The database keeps an append-only audit table, written in the same
transactions as the changes themselves (triggers do it for you, see below),
one row per row change:

    change_id  increasing number (AUTO_INCREMENT): the order of changes
    db, tbl    the changed table
    pk         the changed row's primary key as a JSON object, the same
               object binlog2kafka writes as the record key: {"id": 42}
    version    the value of the row's version column (--version-column,
               default `ver`) in the change: the new value for an insert or
               update, the old one for a delete. Every change of a key must
               carry a version that no other change of that key with the
               same op carries (a counter that only grows does it).
    op         c (insert), u (update) or d (delete)
    image      the whole row as a JSON object (JSON_OBJECT of every column
               of NEW, or of OLD for a delete), compared column by column
               with the record's row image (--image-column; '' to compare
               key, op and version only)

A rolled-back transaction leaves no audit row, so the audit table holds
exactly the committed changes. cdc_audit reads it with the `mariadb` command
line client, reads the records of every audited table's topic with `kcat -J`,
matches records to changes by (table, key, op, version) and reports:

    missing       committed changes with no record in Kafka      -> failure
    duplicates    records beyond the first for one change        -> failure if
                                                                  more than
                                                                  --max-duplicates
    phantoms      records for changes the database never committed
                  (rolled back, XA-rolled back, or invented)      -> failure
    out_of_order  a change of a key that arrived before an earlier change of
                  the same key (a re-sent earlier change is a duplicate, not
                  a disorder)                                     -> failure
    malformed     values that are not a Debezium envelope consistent with
                  their key and op, or lack the version column     -> failure
    wrong_values  records whose row image (after; before for a delete, and
                  an update's before against the key's previous change)
                  differs from the audit table's image in a column -> failure
    wrong_topic   records of one table found in another table's topic
                                                                   -> failure

An audit of no changes fails (nothing was proven) unless --allow-empty.
Values compare across binlog2kafka's value modes: DECIMAL as a JSON number
in the image matches the record's Connect Decimal (base64), "12.50" or
12.5; DATETIME "2024-02-29 12:34:56.789" matches milliseconds or
microseconds since the epoch (as UTC) or an ISO-8601 string.

Changes committed while cdc_audit runs are not required (the audit table is
read up to its end when cdc_audit starts), but their records are not
phantoms either (it reads the audit table again after Kafka).

Setting up the audit design on your own tables (MariaDB/MySQL), once per
table, here for a table shop.orders with primary key id and a version column
ver that every change increments:

    CREATE TABLE audit.changes (
      change_id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
      db VARCHAR(64) NOT NULL, tbl VARCHAR(64) NOT NULL,
      pk VARCHAR(255) NOT NULL, version BIGINT NOT NULL, op CHAR(1) NOT NULL,
      image LONGTEXT);
    CREATE TRIGGER shop.orders_ai AFTER INSERT ON shop.orders FOR EACH ROW
      INSERT INTO audit.changes (db, tbl, pk, version, op, image)
      VALUES ('shop', 'orders', JSON_OBJECT('id', NEW.id), NEW.ver, 'c',
              JSON_OBJECT('id', NEW.id, 'ver', NEW.ver, 'total', NEW.total));
    CREATE TRIGGER shop.orders_au AFTER UPDATE ON shop.orders FOR EACH ROW
      INSERT INTO audit.changes (db, tbl, pk, version, op, image)
      VALUES ('shop', 'orders', JSON_OBJECT('id', NEW.id), NEW.ver, 'u',
              JSON_OBJECT('id', NEW.id, 'ver', NEW.ver, 'total', NEW.total));
    CREATE TRIGGER shop.orders_ad AFTER DELETE ON shop.orders FOR EACH ROW
      INSERT INTO audit.changes (db, tbl, pk, version, op, image)
      VALUES ('shop', 'orders', JSON_OBJECT('id', OLD.id), OLD.ver, 'd',
              JSON_OBJECT('id', OLD.id, 'ver', OLD.ver, 'total', OLD.total));

(A composite key is JSON_OBJECT('a', NEW.a, 'b', NEW.b). Tables without a
primary key cannot be audited: their records have no key.) The audit table
is itself captured; its own topic is not read. Audit a window of a long-lived
audit table with --since-change-id: records of a key at or below the
versions it had before the window are then ignored.

Connection: --host/--port/--user with --password-file (the password is handed
to the client in a temporary option file, never on a command line), or
--socket, or --defaults-file for a client option file. Kafka: --brokers, and
--kafka-property KEY=VALUE for security settings (passed to kcat as -X).
With delivery = exactly-once, audit with --read-committed.

Exit status: 0 if the audit passed, 1 if it found a failure, 2 on usage,
database or kcat errors. The last line of output is machine-readable:

    cdc_audit: RESULT OK|FAIL changes=N records=N missing=N duplicates=N
               phantoms=N out_of_order=N malformed=N wrong_values=N
               wrong_topic=N

Needs Python 3.7+, the `mariadb` (or `mysql`) client and kcat; standard
library only.
"""

import argparse
import base64
import binascii
import calendar
import collections
import datetime
import decimal
import json
import re
import os
import shutil
import subprocess
import sys
import tempfile
import time

PROG = "cdc_audit"


class AuditError(Exception):
    """A tool-level error (database, kcat, usage): exit status 2."""


# -- database -----------------------------------------------------------------


def unescape_batch(text):
    """Undoes the escaping of the client's --batch output."""
    if "\\" not in text:
        return text
    out = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            n = text[i + 1]
            out.append({"t": "\t", "n": "\n", "0": "\0", "\\": "\\"}.get(n, n))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def quote_option_value(value):
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Database:
    """Runs queries with the mariadb/mysql command-line client in batch mode."""

    def __init__(self, args):
        self.client = args.client or shutil.which("mariadb") or shutil.which("mysql")
        if not self.client:
            raise AuditError("neither `mariadb` nor `mysql` client found on PATH (--client)")
        self.extra_file = None
        head = []
        if args.defaults_file:
            head.append("--defaults-file=" + args.defaults_file)
        if args.password_file:
            try:
                with open(args.password_file, encoding="utf-8") as f:
                    password = f.read().rstrip("\r\n")
            except OSError as e:
                raise AuditError(f"--password-file: cannot read {args.password_file}: {e.strerror}")
            fd, self.extra_file = tempfile.mkstemp(prefix="cdc_audit.", suffix=".cnf")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write("[client]\npassword=" + quote_option_value(password) + "\n")
            head.append("--defaults-extra-file=" + self.extra_file)
        self.base = [self.client] + head
        if args.host:
            self.base.append("--host=" + args.host)
        if args.port:
            self.base.append("--port=" + str(args.port))
        if args.socket:
            self.base.append("--socket=" + args.socket)
        if args.user:
            self.base.append("--user=" + args.user)
        if args.host and not args.socket:
            self.base.append("--protocol=TCP")
        self.base += ["--batch", "--skip-column-names", "--quick", "--connect-timeout=10"]
        self.where = (f"{args.host or 'localhost'}:{args.port}" if args.port else
                      args.socket or args.host or
                      (f"the server of {args.defaults_file}" if args.defaults_file else
                       "the client's default server"))

    def close(self):
        if self.extra_file:
            try:
                os.unlink(self.extra_file)
            except OSError:
                pass
            self.extra_file = None

    def rows(self, sql):
        """Yields each result row as a list of strings (None for NULL)."""
        proc = subprocess.Popen(self.base + ["-e", sql], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        try:
            for raw in proc.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                yield [None if v == "NULL" else unescape_batch(v) for v in line.split("\t")]
        finally:
            proc.stdout.close()
            err = proc.stderr.read().decode("utf-8", "replace").strip()
            rc = proc.wait()
        if rc != 0:
            raise AuditError(f"query on {self.where} failed: {err or 'client exit status ' + str(rc)}")

    def value(self, sql):
        rows = list(self.rows(sql))
        return rows[0][0] if rows and rows[0] else None


def sql_ident(name):
    return ".".join("`" + part.replace("`", "``") + "`" for part in name.split("."))


def canon(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def canon_version(value):
    """Versions compare as integers where they are integers (the audit table
    prints 7, the record may say 7 or "7")."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        s = value.strip()
        if s.lstrip("-").isdigit():
            return str(int(s))
        return s
    return canon(value)


class Audit:
    """The committed changes, per (db, table, key), in change_id order."""

    def __init__(self):
        self.per_key = {}        # (db, tbl, key) -> [(change_id, op, version)]
        self.index = {}          # (db, tbl, key, op, version) -> position in per_key list
        self.tables = collections.Counter()   # (db, tbl) -> changes
        self.count = 0
        self.first_id = None
        self.last_id = None
        self.repeats = []        # change ids that repeat an earlier (table, key, op, version)
        self.images = {}         # (db, tbl, key, op, version) -> the row image's JSON text

    def add(self, change_id, db, tbl, key, version, op, image=None):
        k = (db, tbl, key)
        if image is not None:
            self.images.setdefault((db, tbl, key, op, version), image)
        lst = self.per_key.setdefault(k, [])
        if (db, tbl, key, op, version) in self.index:
            self.repeats.append(change_id)
        self.index.setdefault((db, tbl, key, op, version), len(lst))
        lst.append((change_id, op, version))
        self.tables[(db, tbl)] += 1
        self.count += 1
        if self.first_id is None:
            self.first_id = change_id
        self.last_id = change_id


def audit_query(args, where):
    c = args.audit_columns
    image = f", {sql_ident(args.image_column)}" if args.image_column else ""
    return (f"SELECT {sql_ident(c[0])}, {sql_ident(c[1])}, {sql_ident(c[2])}, {sql_ident(c[3])}, "
            f"{sql_ident(c[4])}, {sql_ident(c[5])}{image} FROM {sql_ident(args.audit_table)} "
            f"WHERE {where} ORDER BY {sql_ident(c[0])}")


def parse_audit_row(row, args):
    want = 7 if args.image_column else 6
    if len(row) != want:
        raise AuditError(f"audit row has {len(row)} columns, expected {want}: {row!r}")
    change_id, db, tbl, pk, version, op = row[:6]
    try:
        key = canon(json.loads(pk))
    except (TypeError, ValueError):
        raise AuditError(f"audit change {change_id}: pk {pk!r} is not JSON "
                         "(write it with JSON_OBJECT('col', NEW.col, ...))")
    if op not in ("c", "u", "d"):
        raise AuditError(f"audit change {change_id}: op {op!r} is not c, u or d")
    image = row[6] if args.image_column else None
    if args.image_column and image is None:
        raise AuditError(f"audit change {change_id}: {args.image_column} is NULL "
                         "(write it with JSON_OBJECT of every column of NEW, or OLD for a delete)")
    return int(change_id), db, tbl, key, canon_version(version), op, image


def read_audit(db, args, low, high):
    """Changes with low < change_id <= high (high None: to the end)."""
    idc = sql_ident(args.audit_columns[0])
    where = f"{idc} > {int(low)}" + (f" AND {idc} <= {int(high)}" if high is not None else "")
    audit = Audit()
    for row in db.rows(audit_query(args, where)):
        change_id, d, t, key, version, op, image = parse_audit_row(row, args)
        if args.table and f"{d}.{t}" not in args.table:
            continue
        audit.add(change_id, d, t, key, version, op, image)
    return audit


def read_floor(db, args):
    """For --since-change-id: the highest version of each key before the window."""
    c = args.audit_columns
    floor = {}
    sql = (f"SELECT {sql_ident(c[1])}, {sql_ident(c[2])}, {sql_ident(c[3])}, MAX({sql_ident(c[4])}) "
           f"FROM {sql_ident(args.audit_table)} WHERE {sql_ident(c[0])} <= {int(args.since_change_id)} "
           f"GROUP BY 1, 2, 3")
    for d, t, pk, version in db.rows(sql):
        try:
            floor[(d, t, canon(json.loads(pk)))] = int(version)
        except (TypeError, ValueError):
            pass
    return floor


# -- Kafka --------------------------------------------------------------------


def kcat_command(args, topic):
    cmd = [args.kcat, "-b", args.brokers, "-C", "-t", topic, "-o", "beginning", "-e", "-J", "-q"]
    if args.kcat_config:
        cmd[1:1] = ["-F", args.kcat_config]
    if args.read_committed:
        cmd += ["-X", "isolation.level=read_committed"]
    for prop in args.kafka_property:
        cmd += ["-X", prop]
    return cmd


def read_topic(args, topic):
    """Yields (partition, offset, key_text, value_text) in partition/offset
    order per partition; nothing when the topic does not exist."""
    cmd = kcat_command(args, topic)
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        raise AuditError(f"cannot run {args.kcat}: {e.strerror}")
    deadline = time.monotonic() + args.kcat_timeout
    records = []
    try:
        for line in proc.stdout:
            if time.monotonic() > deadline:
                proc.kill()
                raise AuditError(f"kcat did not finish reading {topic} within {args.kcat_timeout}s")
            if not line.strip():
                continue
            try:
                m = json.loads(line)
            except ValueError:
                raise AuditError(f"kcat printed a line that is not JSON: {line[:200]!r}")
            records.append((m.get("partition", 0), m.get("offset", 0), m.get("key"), m.get("payload")))
    finally:
        proc.stdout.close()
        err = proc.stderr.read().decode("utf-8", "replace").strip()
        rc = proc.wait()
    if rc != 0:
        if "Unknown topic or partition" in err or "Broker: Unknown topic" in err:
            return []
        raise AuditError(f"kcat failed (exit {rc}) reading {topic}: {err[-500:]}")
    records.sort(key=lambda r: (r[0], r[1]))
    return records


def check_envelope(key, value):
    """None if value is a consistent Debezium-shaped envelope, else why not."""
    if not isinstance(value, dict):
        return "value is not a JSON object"
    op = value.get("op")
    before, after = value.get("before"), value.get("after")
    if op == "c" and not (before is None and isinstance(after, dict)):
        return "op c needs before=null and an after image"
    if op == "u" and not (isinstance(before, dict) and isinstance(after, dict)):
        return "op u needs before and after images"
    if op == "d" and not (isinstance(before, dict) and after is None):
        return "op d needs a before image and after=null"
    if op not in ("c", "u", "d"):
        return f"op {op!r} is not c, u or d"
    source = value.get("source")
    if not isinstance(source, dict) or not all(k in source for k in ("db", "table")):
        return "source lacks db/table"
    if not isinstance(key, dict):
        return "key is not a JSON object"
    image = before if op == "d" else after
    for column, v in key.items():
        if image.get(column) != v:
            return f"key column {column}={v!r} but the row image has {image.get(column)!r}"
    return None


# -- row values -----------------------------------------------------------------

DATETIME_TEXT = re.compile(r"^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?Z?$")


def parse_datetime_micros(text):
    """'2024-02-29 12:34:56.789' (as UTC) -> microseconds since the epoch."""
    m = DATETIME_TEXT.match(text)
    if not m:
        return None
    y, mo, d, h, mi, sec = (int(x) for x in m.groups()[:6])
    try:
        days = calendar.timegm(datetime.date(y, mo, d).timetuple()) // 86400
    except ValueError:
        return None
    frac = (m.group(7) or "").ljust(6, "0")
    return ((days * 86400 + h * 3600 + mi * 60 + sec) * 1000000) + int(frac)


def same_value(expected, actual):
    """Whether a record's column value is the audit image's, across value
    modes. expected comes from the database's JSON_OBJECT (decimals parsed
    as decimal.Decimal)."""
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected == actual
    if isinstance(expected, (int, decimal.Decimal)):
        if isinstance(actual, (int, decimal.Decimal)):
            return decimal.Decimal(actual) == decimal.Decimal(expected)
        if isinstance(actual, float):
            return float(expected) == actual
        if isinstance(actual, str):
            try:
                if decimal.Decimal(actual) == decimal.Decimal(expected):
                    return True
            except decimal.InvalidOperation:
                pass
            # Connect Decimal: the unscaled value's big-endian two's complement.
            if isinstance(expected, decimal.Decimal):
                try:
                    raw = base64.b64decode(actual, validate=True)
                except (binascii.Error, ValueError):
                    return False
                scale = -expected.as_tuple().exponent
                return raw != b"" and decimal.Decimal(int.from_bytes(raw, "big", signed=True)).scaleb(-scale) == expected
        return False
    if isinstance(expected, str):
        if actual == expected:
            return True
        micros = parse_datetime_micros(expected)
        if micros is None:
            return False
        if isinstance(actual, int):   # microseconds, or milliseconds up to DATETIME(3)
            return actual == micros or (micros % 1000 == 0 and actual == micros // 1000)
        if isinstance(actual, str):
            return parse_datetime_micros(actual) == micros
        return False
    return expected == actual


def image_difference(expected_text, actual):
    """None if the record's row image equals the audit image, else why not."""
    try:
        expected = json.loads(expected_text, parse_float=decimal.Decimal)
    except ValueError:
        return f"the audit image is not JSON: {expected_text[:100]!r}"
    if not isinstance(expected, dict):
        return "the audit image is not a JSON object"
    if set(expected) != set(actual):
        return (f"columns differ: audit {sorted(expected)}, record {sorted(actual)}")
    for column in sorted(expected):
        if not same_value(expected[column], actual[column]):
            return f"column {column}: record {actual[column]!r}, database {str(expected[column])!r}"
    return None


# -- the check ----------------------------------------------------------------

FAILURE_KINDS = ("missing", "phantoms", "out_of_order", "malformed", "wrong_values", "wrong_topic")
KINDS = ("missing", "duplicates", "phantoms", "out_of_order", "malformed", "wrong_values", "wrong_topic")


class Result:
    def __init__(self):
        self.per_table = collections.defaultdict(collections.Counter)
        self.examples = collections.defaultdict(list)
        self.totals = collections.Counter()

    def count(self, table, what, n=1):
        self.per_table[table][what] += n
        self.totals[what] += n

    def example(self, what, text, limit):
        if len(self.examples[what]) < limit:
            self.examples[what].append(text)


def fmt_key(db, tbl, key):
    return f"{db}.{tbl} {key}"


def values_difference(audit, late, table, key, op, version, value):
    """None if the record's images hold the committed change's values."""
    d, t = table
    ident = (d, t, key, op, version)
    source = audit if ident in audit.images else late
    expected = source.images.get(ident)
    if expected is None:
        return None   # a phantom or before the window: counted elsewhere
    why = image_difference(expected, value["before"] if op == "d" else value["after"])
    if why:
        return ("before: " if op == "d" else "after: ") + why
    if op == "u":
        # The before image is the key's previous change, when it is audited.
        changes = source.per_key.get((d, t, key), [])
        i = source.index.get(ident)
        if i:
            _, prev_op, prev_version = changes[i - 1]
            prev = source.images.get((d, t, key, prev_op, prev_version))
            if prev_op != "d" and prev is not None:
                why = image_difference(prev, value["before"])
                if why:
                    return "before: " + why
    return None


def check(audit, late, records_by_topic, args, floor):
    res = Result()
    limit = args.examples
    for (d, t), n in audit.tables.items():
        res.count((d, t), "changes", n)
    seen = collections.defaultdict(list)   # (db, tbl, key) -> [(op, version, where)]
    for topic, (d_t_default, records) in records_by_topic.items():
        for partition, offset, key_text, value_text in records:
            where = f"{topic}[{partition}]@{offset}"
            if value_text is None:
                res.totals["tombstones"] += 1
                continue
            try:
                key = json.loads(key_text) if key_text is not None else None
                value = json.loads(value_text)
            except ValueError:
                table = d_t_default or ("?", "?")
                res.count(table, "records")
                res.count(table, "malformed")
                res.example("malformed", f"{where}: key or value is not JSON", limit)
                continue
            src = value.get("source") if isinstance(value, dict) else None
            if isinstance(src, dict) and "db" in src and "table" in src:
                table = (src["db"], src["table"])
            else:
                table = d_t_default or ("?", "?")
            if d_t_default is not None and table != d_t_default:
                # Counted against the topic's table: the record is not where
                # a consumer of its own table looks for it.
                res.count(d_t_default, "records")
                res.count(d_t_default, "wrong_topic")
                res.example("wrong_topic", f"{where} key {key_text}: a record of {table[0]}.{table[1]} "
                            f"in the topic of {d_t_default[0]}.{d_t_default[1]}", limit)
                continue
            if table not in audit.tables and table not in late.tables:
                if args.table and f"{table[0]}.{table[1]}" not in args.table:
                    res.totals["other_records"] += 1
                    continue
                if d_t_default is None:
                    # A shared topic: records of tables that are not audited.
                    res.totals["other_records"] += 1
                    continue
            res.count(table, "records")
            why = check_envelope(key, value)
            op = value.get("op") if isinstance(value, dict) else None
            image = None
            if why is None:
                image = value["before"] if op == "d" else value["after"]
                if args.version_column not in image:
                    why = f"row image has no version column {args.version_column!r}"
            if why:
                res.count(table, "malformed")
                res.example("malformed", f"{where} key {key_text}: {why}", limit)
                continue
            version = canon_version(image[args.version_column])
            ckey = canon(key)
            if args.image_column:
                why = values_difference(audit, late, table, ckey, op, version, value)
                if why:
                    res.count(table, "wrong_values")
                    res.example("wrong_values", f"{where} key {key_text} op {op}: {why}", limit)
            seen[(table[0], table[1], ckey)].append((op, version, where))

    for k, arrivals in seen.items():
        d, t, key = k
        expected = audit.per_key.get(k, [])
        delivered = [False] * len(expected)
        head = 0
        for op, version, where in arrivals:
            i = audit.index.get((d, t, key, op, version))
            if i is None:
                if (d, t, key, op, version) in late.index:
                    res.count((d, t), "late")
                    continue
                if floor is not None:
                    f = floor.get(k)
                    try:
                        if f is not None and int(version) <= f:
                            res.count((d, t), "before_window")
                            continue
                    except ValueError:
                        pass
                res.count((d, t), "phantoms")
                res.example("phantoms", f"{fmt_key(d, t, key)} op {op} {args.version_column} {version} "
                            f"at {where}: no such committed change", limit)
                continue
            if delivered[i]:
                res.count((d, t), "duplicates")
                continue
            if i != head:
                res.count((d, t), "out_of_order")
                cid, hop, hver = expected[head]
                res.example("out_of_order", f"{fmt_key(d, t, key)} op {op} {args.version_column} {version} "
                            f"at {where} arrived before change {cid} (op {hop} "
                            f"{args.version_column} {hver})", limit)
            delivered[i] = True
            while head < len(expected) and delivered[head]:
                head += 1
        for i, done in enumerate(delivered):
            if not done:
                cid, op, version = expected[i]
                res.count((d, t), "missing")
                res.example("missing", f"{fmt_key(d, t, key)} op {op} {args.version_column} {version} "
                            f"(change {cid})", limit)
    for k, expected in audit.per_key.items():
        if k in seen:
            continue
        d, t, key = k
        for cid, op, version in expected:
            res.count((d, t), "missing")
            res.example("missing", f"{fmt_key(d, t, key)} op {op} {args.version_column} {version} "
                        f"(change {cid})", limit)
    res.totals["keys"] = len(audit.per_key)
    return res


def failures(res, args, audit):
    out = [f"{what} {res.totals[what]}" for what in FAILURE_KINDS if res.totals[what]]
    if audit.count == 0 and not args.allow_empty:
        out.append("no changes to audit (an empty workload proves nothing; --allow-empty)")
    if args.max_duplicates >= 0 and res.totals["duplicates"] > args.max_duplicates:
        out.append(f"duplicates {res.totals['duplicates']} > --max-duplicates {args.max_duplicates}")
    return out


def topic_for(args, db, tbl):
    return (args.topic_template.replace("{prefix}", args.prefix)
            .replace("{db}", db).replace("{table}", tbl))


def read_kafka(args, tables):
    """{topic: ((db, tbl) or None for a shared topic, records)}."""
    topics = {}
    if args.topic:
        for t in args.topic:
            topics[t] = None
    else:
        for d, t in sorted(tables):
            name = topic_for(args, d, t)
            # A template without placeholders is one topic for all tables.
            topics[name] = None if name in topics else (d, t)
    return {name: (dt, read_topic(args, name)) for name, dt in topics.items()}


def print_report(res, audit, late, records_by_topic, args, db, seconds, fails):
    total_records = sum(len(r) for _, r in records_by_topic.values())
    print(f"{PROG}: audit table {args.audit_table} on {db.where}: "
          f"{audit.count} changes (ids {audit.first_id}..{audit.last_id}) of "
          f"{len(audit.tables)} tables, {res.totals['keys']} keys; "
          f"{late.count} more committed during the audit")
    print(f"{PROG}: kafka {args.brokers}{' read_committed' if args.read_committed else ''}: "
          f"{len(records_by_topic)} topics, {total_records} records "
          f"({res.totals['tombstones']} tombstones, {res.totals['other_records']} of other tables) "
          f"in {seconds:.1f}s")
    cols = ("changes", "records") + KINDS
    width = max([len("TOTAL")] + [len(f"{d}.{t}") for d, t in res.per_table]) + 2
    print(f"  {'table':<{width}}" + "".join(f"{c:>13}" for c in cols))
    for (d, t) in sorted(res.per_table):
        row = res.per_table[(d, t)]
        print(f"  {d + '.' + t:<{width}}" + "".join(f"{row[c]:>13}" for c in cols))
    tot = collections.Counter()
    for row in res.per_table.values():
        tot.update(row)
    print(f"  {'TOTAL':<{width}}" + "".join(f"{tot[c]:>13}" for c in cols))
    extra = [f"{what} {tot[what]}" for what in ("late", "before_window") if tot[what]]
    if extra:
        print(f"{PROG}: ignored records: " + ", ".join(extra))
    if not args.image_column:
        print(f"{PROG}: row values not compared (no --image-column)")
    for what in ("missing", "phantoms", "out_of_order", "malformed", "wrong_values", "wrong_topic"):
        if res.examples[what]:
            print(f"{PROG}: {what} (first {len(res.examples[what])} of {res.totals[what]}):")
            for e in res.examples[what]:
                print(f"    {e}")
    verdict = "OK" if not fails else "FAIL"
    if fails:
        print(f"{PROG}: FAIL: " + ", ".join(fails))
    print(f"{PROG}: RESULT {verdict} changes={audit.count} records={tot['records']} "
          + " ".join(f"{what}={res.totals[what]}" for what in KINDS))


def parse_args(argv):
    doc = __doc__
    ap = argparse.ArgumentParser(
        prog="cdc_audit.py",
        description=doc.split("\n\n")[0],
        epilog="\n\n".join(doc.split("\n\n")[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_argument_group("database (the audit table)")
    g.add_argument("--host", help="server host (TCP)")
    g.add_argument("--port", type=int, help="server port")
    g.add_argument("--user", help="user (needs SELECT on the audit table)")
    g.add_argument("--password-file", help="file holding the password (trailing newline ignored)")
    g.add_argument("--socket", help="unix socket instead of TCP")
    g.add_argument("--defaults-file", help="client option file ([client] group), read first")
    g.add_argument("--client", help="client binary (default: mariadb, else mysql, on PATH)")
    g.add_argument("--audit-table", default="audit.changes", help="DB.TABLE (default audit.changes)")
    g.add_argument("--audit-columns", default="change_id,db,tbl,pk,version,op",
                   help="its columns for change id, db, table, pk, version, op "
                        "(default change_id,db,tbl,pk,version,op)")
    g.add_argument("--image-column", default="image",
                   help="its column holding the row image as a JSON object (default image; "
                        "'' to compare key, op and version only)")
    g.add_argument("--since-change-id", type=int, default=0,
                   help="audit only changes with a larger id (a window of a long-lived audit table)")
    g.add_argument("--table", action="append", default=[],
                   help="audit only this DB.TABLE (repeatable; default: every table in the audit)")
    g.add_argument("--version-column", default="ver",
                   help="the column of the row image that holds the version (default ver)")
    g = ap.add_argument_group("Kafka (the records)")
    g.add_argument("--brokers", required=True, help="bootstrap servers host:port[,...]")
    g.add_argument("--prefix", default="binlog2kafka",
                   help="binlog2kafka's topic prefix, i.e. its name unless topic-prefix is set "
                        "(default binlog2kafka)")
    g.add_argument("--topic-template", default="{prefix}.{db}.{table}",
                   help="binlog2kafka's topic-template (default {prefix}.{db}.{table})")
    g.add_argument("--topic", action="append", default=[],
                   help="read these topics instead of the template's (repeatable)")
    g.add_argument("--read-committed", action="store_true",
                   help="read with isolation.level=read_committed (for delivery = exactly-once)")
    g.add_argument("--kafka-property", action="append", default=[], metavar="KEY=VALUE",
                   help="librdkafka property for kcat -X (security settings; repeatable)")
    g.add_argument("--kcat-config", help="kcat configuration file (kcat -F)")
    g.add_argument("--kcat", default="kcat", help="kcat binary (default kcat)")
    g.add_argument("--kcat-timeout", type=float, default=300, help="seconds per topic (default 300)")
    g = ap.add_argument_group("verdict and output")
    g.add_argument("--max-duplicates", type=int, default=-1,
                   help="fail if there are more duplicates (default: any number passes)")
    g.add_argument("--allow-empty", action="store_true",
                   help="pass an audit of no changes (by default it fails: nothing was proven)")
    g.add_argument("--wait", type=float, default=0,
                   help="re-read Kafka until nothing is missing, for at most this many seconds")
    g.add_argument("--examples", type=int, default=10, help="examples printed per kind (default 10)")
    g.add_argument("--json", help="also write the counts as JSON to this file")
    args = ap.parse_args(argv)
    cols = [c.strip() for c in args.audit_columns.split(",")]
    if len(cols) != 6 or not all(cols):
        ap.error("--audit-columns needs six comma-separated names")
    args.audit_columns = cols
    if len(args.audit_table.split(".")) != 2:
        ap.error("--audit-table must be DB.TABLE")
    if args.password_file and args.defaults_file is None and not args.user:
        ap.error("--password-file needs --user")
    return args


def main(argv=None):
    args = parse_args(argv)
    t0 = time.monotonic()
    db = None
    try:
        db = Database(args)
        high = db.value(f"SELECT COALESCE(MAX({sql_ident(args.audit_columns[0])}), 0) "
                        f"FROM {sql_ident(args.audit_table)}")
        high = int(high or 0)
        audit = read_audit(db, args, args.since_change_id, high)
        if audit.repeats:
            raise AuditError(
                f"{len(audit.repeats)} changes of the audit table repeat the (table, pk, op, version) "
                f"of an earlier change (change ids {', '.join(map(str, audit.repeats[:5]))}"
                f"{', ...' if len(audit.repeats) > 5 else ''}): every change of a key needs a version "
                "of its own, or records cannot be told apart")
        floor = read_floor(db, args) if args.since_change_id > 0 else None
        deadline = time.monotonic() + args.wait
        while True:
            t_kafka = time.monotonic()
            tables = set(audit.tables) | {tuple(t.split(".", 1)) for t in args.table}
            records_by_topic = read_kafka(args, tables)
            late = read_audit(db, args, high, None)
            res = check(audit, late, records_by_topic, args, floor)
            if res.totals["missing"] == 0 or time.monotonic() >= deadline:
                break
            time.sleep(1)
    except AuditError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2
    finally:
        if db:
            db.close()
    fails = failures(res, args, audit)
    print_report(res, audit, late, records_by_topic, args, db, time.monotonic() - t_kafka, fails)
    if args.json:
        out = {"ok": not fails, "failures": fails, "changes": audit.count,
               "first_change_id": audit.first_id, "last_change_id": audit.last_id,
               "totals": dict(res.totals),
               "tables": {f"{d}.{t}": dict(c) for (d, t), c in res.per_table.items()},
               "examples": {k: v for k, v in res.examples.items()},
               "seconds": round(time.monotonic() - t0, 1)}
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=1, sort_keys=True)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
