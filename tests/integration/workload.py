#!/usr/bin/env python3
"""A checker workload for binlog2kafka: numbered row changes whose every
committed change is recorded in an audit table in the same transaction, so
that cdc_audit.py can compare the database's record with Kafka.

    workload.py setup  [connection]            create the schema (idempotent)
    workload.py run    [connection] [options]  write changes until --duration
                                               or --transactions is reached

Schema (setup):
  audit.changes  change_id, db, tbl, pk (JSON key), version, op, image
                 (the whole row as JSON_OBJECT): one row per
                 committed row change, written by AFTER INSERT/UPDATE/DELETE
                 triggers on each table below (same statement, same
                 transaction), the design cdc_audit.py documents.
  cdc.items      (id INT PK, ver, name, qty, note TEXT): inserts, updates,
                 deletes and re-inserts of deleted keys.
  cdc.accounts   (id INT PK, ver, balance DECIMAL, updated DATETIME(3)): few
                 hot keys, many versions each (per-key order).
  cdc.lines      (order_id, line) composite key: multi-row INSERT statements.
  cdc.bulk       the large transaction (--large-rows rows in one INSERT ...
                 SELECT from the sequence engine).

Every change of a key carries a new value of `ver` (a per-key counter that
only grows, across deletes and re-inserts); a delete is recorded with the
version it deleted. Rolled-back transactions (--rollback-percent) take
versions and keys too, which are then never used again: a record of them in
Kafka is a phantom.

run writes through one `mariadb` client process (its stdin, a transaction
at a time, each acknowledged by a SELECT) at --rate transactions per second
(0: as fast as that goes). --xa-percent of them are XA transactions (XA
PREPARE, then XA COMMIT, a quarter XA ROLLBACK).
When the connection is lost (a server restart), it reconnects with back-off,
re-reads which keys exist, and goes on; transactions whose outcome was lost
with the connection are settled by the audit table, which is the truth.
SIGTERM or SIGINT ends the run after the current transaction.

--status-file is rewritten (JSON) every half second and on every event:
{"tx", "rollbacks", "statements", "reconnects", "large": "pending" |
"running" | "committed" | "failed", "elapsed", "done"}.

Standard library only; needs the mariadb (or mysql) client.
"""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import re
import time

PROG = "workload"

# Client errors that mean the connection is gone (the server restarted, was
# killed, or the network broke): CR_* (2000-2999), ER_SERVER_SHUTDOWN (1053),
# ER_CONNECTION_KILLED (1927). Any other error is a bug of the workload.
CONNECTION_ERROR = re.compile(r"ERROR (2\d\d\d|1053|1927)\b")


def connection_error(text):
    return not text.strip() or CONNECTION_ERROR.search(text) is not None

SCHEMA = r"""
CREATE DATABASE IF NOT EXISTS audit;
CREATE DATABASE IF NOT EXISTS cdc;
CREATE TABLE IF NOT EXISTS audit.changes (
  change_id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  db VARCHAR(64) NOT NULL,
  tbl VARCHAR(64) NOT NULL,
  pk VARCHAR(255) NOT NULL,
  version BIGINT NOT NULL,
  op CHAR(1) NOT NULL,
  changed_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  image LONGTEXT NULL
) ENGINE=InnoDB;
ALTER TABLE audit.changes ADD COLUMN IF NOT EXISTS image LONGTEXT NULL;
CREATE TABLE IF NOT EXISTS cdc.items (
  id INT PRIMARY KEY, ver BIGINT NOT NULL, name VARCHAR(64) NOT NULL,
  qty INT NOT NULL, note TEXT) ENGINE=InnoDB;
CREATE TABLE IF NOT EXISTS cdc.accounts (
  id INT PRIMARY KEY, ver BIGINT NOT NULL, balance DECIMAL(14,2) NOT NULL,
  updated DATETIME(3) NOT NULL) ENGINE=InnoDB;
CREATE TABLE IF NOT EXISTS cdc.lines (
  order_id INT NOT NULL, line INT NOT NULL, ver BIGINT NOT NULL,
  sku VARCHAR(32) NOT NULL, amount DECIMAL(10,2) NOT NULL,
  PRIMARY KEY (order_id, line)) ENGINE=InnoDB;
CREATE TABLE IF NOT EXISTS cdc.bulk (
  id INT PRIMARY KEY, ver BIGINT NOT NULL, payload VARCHAR(100) NOT NULL) ENGINE=InnoDB;
"""

TABLES = {
    # table: primary-key columns
    "items": ("id",),
    "accounts": ("id",),
    "lines": ("order_id", "line"),
    "bulk": ("id",),
}

# Every column of each table: the triggers record the whole row image so
# that cdc_audit.py compares every column, not only key and version.
COLUMNS = {
    "items": ("id", "ver", "name", "qty", "note"),
    "accounts": ("id", "ver", "balance", "updated"),
    "lines": ("order_id", "line", "ver", "sku", "amount"),
    "bulk": ("id", "ver", "payload"),
}


def triggers_sql():
    out = []
    for table, pk in TABLES.items():
        for event, op, row in (("INSERT", "c", "NEW"), ("UPDATE", "u", "NEW"), ("DELETE", "d", "OLD")):
            name = f"{table}_audit_{op}"
            key = ", ".join(f"'{c}', {row}.{c}" for c in pk)
            image = ", ".join(f"'{c}', {row}.{c}" for c in COLUMNS[table])
            out.append(f"DROP TRIGGER IF EXISTS cdc.{name};")
            out.append(f"CREATE TRIGGER cdc.{name} AFTER {event} ON cdc.{table} FOR EACH ROW "
                       f"INSERT INTO audit.changes (db, tbl, pk, version, op, image) "
                       f"VALUES ('cdc', '{table}', JSON_OBJECT({key}), {row}.ver, '{op}', "
                       f"JSON_OBJECT({image}));")
    return "\n".join(out)


def log(msg):
    print(f"{PROG}: {msg}", flush=True)


class Connection:
    def __init__(self, args):
        self.client = args.client or shutil.which("mariadb") or shutil.which("mysql")
        if not self.client:
            sys.exit(f"{PROG}: neither mariadb nor mysql client on PATH")
        head = []
        if args.defaults_file:
            head.append("--defaults-file=" + args.defaults_file)
        self.extra_file = None
        if args.password_file:
            with open(args.password_file, encoding="utf-8") as f:
                password = f.read().rstrip("\r\n")
            fd, self.extra_file = tempfile.mkstemp(prefix="workload.", suffix=".cnf")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write('[client]\npassword="' + password.replace("\\", "\\\\").replace('"', '\\"') + '"\n')
            head.append("--defaults-extra-file=" + self.extra_file)
        self.cmd = [self.client] + head
        for opt in ("host", "port", "socket", "user"):
            v = getattr(args, opt)
            if v:
                self.cmd.append(f"--{opt}={v}")
        if args.host and not args.socket:
            self.cmd.append("--protocol=TCP")
        self.cmd += ["--batch", "--skip-column-names", "--unbuffered", "--connect-timeout=5"]
        self.proc = None
        self.ack = 0
        self.last_error = ""

    def close(self):
        if self.proc:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        if self.extra_file:
            os.unlink(self.extra_file)
            self.extra_file = None

    def query(self, sql):
        """A one-off query: the rows as lists of strings."""
        out = subprocess.run(self.cmd + ["-e", sql], capture_output=True, timeout=120)
        if out.returncode != 0:
            raise ConnectionError(out.stderr.decode("utf-8", "replace").strip())
        return [line.split("\t") for line in out.stdout.decode("utf-8", "replace").splitlines()]

    def open(self):
        self.drop()
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, bufsize=0)

    def drop(self):
        if self.proc:
            try:
                self.proc.kill()
            except OSError:
                pass
            self.proc.wait()
            self.last_error = self.proc.stderr.read().decode("utf-8", "replace").strip()
            self.proc = None

    def execute(self, sql):
        """Sends SQL and waits for its acknowledgement. False (and the
        connection dropped) when the client exits instead."""
        if self.proc is None:
            return False
        self.ack += 1
        text = sql + f"\nSELECT 'ack {self.ack}';\n"
        try:
            self.proc.stdin.write(text.encode("utf-8"))
        except (BrokenPipeError, OSError):
            self.drop()
            return False
        want = f"ack {self.ack}".encode()
        while True:
            line = self.proc.stdout.readline()
            if not line:
                self.drop()
                return False
            if line.rstrip(b"\n") == want:
                return True


class Keyspace:
    """Which keys of a table exist and the last version each one used."""

    def __init__(self, name, keys):
        self.name = name
        self.keys = keys          # list of all possible keys (tuples)
        self.exists = set()
        self.version = {}
        # Versions of this run start above every version an earlier run
        # may have used (committed or rolled back): see Workload.resync.
        self.floor = 0

    def next_version(self, key):
        v = max(self.version.get(key, 0), self.floor) + 1
        self.version[key] = v
        return v


class Workload:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.conn = Connection(args)
        self.stop = False
        self.tx = 0
        self.rollbacks = 0
        self.statements = 0
        self.reconnects = 0
        self.large = "pending" if args.large_rows > 0 else "none"
        self.t0 = time.monotonic()
        self.last_status = 0
        self.items = Keyspace("items", [(i,) for i in range(1, args.keys + 1)])
        self.accounts = Keyspace("accounts", [(i,) for i in range(1, args.hot_keys + 1)])
        self.lines = Keyspace("lines", [(o, l) for o in range(1, args.keys // 4 + 2) for l in range(1, 6)])
        self.next_order = 1
        self.xa_count = 0
        # XA ids of this run (a workload restarted on the same server must
        # not reuse an id a prepared transaction may still hold).
        self.xa_prefix = f"{args.seed}-{os.getpid()}-{int(time.time())}"
        # Keys that only rolled-back transactions ever insert.
        self.phantom_id = 1_000_000_000

    # -- status -------------------------------------------------------------

    def status(self, force=False, done=False):
        now = time.monotonic()
        if not force and now - self.last_status < 0.5:
            return
        self.last_status = now
        if not self.args.status_file:
            return
        st = {"tx": self.tx, "rollbacks": self.rollbacks, "statements": self.statements,
              "reconnects": self.reconnects, "large": self.large,
              "elapsed": round(now - self.t0, 2), "done": done}
        tmp = self.args.status_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(st, f)
        os.replace(tmp, self.args.status_file)

    # -- connection -----------------------------------------------------------

    def set_version_floor(self):
        """An earlier run on the same tables used versions up to the audit
        table's largest (and a few rolled-back ones above it): this run's
        versions start a million higher, so that no (key, op, version) is
        ever written twice."""
        rows = self.conn.query("SELECT COALESCE(MAX(version), 0) FROM audit.changes")
        top = int(rows[0][0]) if rows and rows[0] else 0
        if top > 0:
            floor = (top // 1_000_000 + 1) * 1_000_000
            for ks in (self.items, self.accounts, self.lines):
                ks.floor = floor
            log(f"versions of this run start at {floor + 1} (an earlier run reached {top})")

    def resync(self):
        """Which keys exist, after a connection loss left the last
        transaction's outcome unknown. Versions only grow, so the larger of
        ours and the table's is kept."""
        for ks, cols in ((self.items, "id"), (self.accounts, "id"), (self.lines, "order_id, line")):
            rows = self.conn.query(f"SELECT {cols}, ver FROM cdc.{ks.name}")
            ks.exists = set()
            for r in rows:
                key = tuple(int(v) for v in r[:-1])
                ks.exists.add(key)
                ks.version[key] = max(ks.version.get(key, 0), int(r[-1]))

    def settle_xa(self):
        """XA transactions of this workload left prepared by a lost
        connection hold their locks until decided: roll them back (the
        audit table, which then has none of their changes, is the truth)."""
        for row in self.conn.query("XA RECOVER"):
            xid = row[-1] if row else ""
            if xid.startswith("wl-"):
                self.conn.query(f"XA ROLLBACK '{xid}'")
                log(f"rolled back XA transaction {xid}, left prepared by the lost connection")

    def connect(self, first=False):
        delay = 0.2
        deadline = time.monotonic() + self.args.reconnect_timeout
        while not self.stop:
            self.conn.open()
            if self.conn.execute("SELECT 1;"):
                try:
                    self.settle_xa()
                    if not first:
                        self.resync()
                    return True
                except (ConnectionError, subprocess.TimeoutExpired) as e:
                    self.conn.last_error = str(e)
                    self.conn.drop()
            if time.monotonic() > deadline:
                log(f"cannot reconnect within {self.args.reconnect_timeout}s: {self.conn.last_error}")
                return False
            self.status()
            time.sleep(delay)
            delay = min(2.0, delay * 2)
        return False

    # -- SQL of one change ------------------------------------------------------

    def sql_change(self, ks, key, op, exists, versions_used=None):
        """SQL for one change of ks/key (op c/u/d); updates `exists` (a set
        the transaction works on)."""
        r = self.rng
        if op == "d":
            exists.discard(key)
            where = " AND ".join(f"{c} = {v}" for c, v in zip(TABLES[ks.name], key))
            return f"DELETE FROM cdc.{ks.name} WHERE {where};"
        v = ks.next_version(key)
        if op == "c":
            exists.add(key)
            if ks.name == "items":
                return (f"INSERT INTO cdc.items (id, ver, name, qty, note) VALUES "
                        f"({key[0]}, {v}, 'item-{key[0]}', {r.randint(0, 1000)}, "
                        f"'{'n' * r.randint(0, 200)}');")
            if ks.name == "accounts":
                return (f"INSERT INTO cdc.accounts (id, ver, balance, updated) VALUES "
                        f"({key[0]}, {v}, {r.randint(-100000, 100000) / 100:.2f}, NOW(3));")
            return (f"INSERT INTO cdc.lines (order_id, line, ver, sku, amount) VALUES "
                    f"({key[0]}, {key[1]}, {v}, 'sku-{r.randint(1, 999)}', {r.randint(1, 99999) / 100:.2f});")
        where = " AND ".join(f"{c} = {v2}" for c, v2 in zip(TABLES[ks.name], key))
        if ks.name == "items":
            return f"UPDATE cdc.items SET ver = {v}, qty = qty + 1 WHERE {where};"
        if ks.name == "accounts":
            return (f"UPDATE cdc.accounts SET ver = {v}, balance = balance + "
                    f"{r.randint(-5000, 5000) / 100:.2f}, updated = NOW(3) WHERE {where};")
        return f"UPDATE cdc.lines SET ver = {v}, amount = amount + 1 WHERE {where};"

    def random_change(self, ks, exists, prefer=None):
        """A change of a random key of ks valid for `exists`."""
        key = self.rng.choice(ks.keys)
        if key in exists:
            op = prefer if prefer in ("u", "d") else ("d" if self.rng.random() < 0.15 else "u")
        else:
            op = "c"
        return self.sql_change(ks, key, op, exists)

    # -- transactions ---------------------------------------------------------

    def make_transaction(self):
        """(sql, kind, {keyspace: exists-after}) for the next transaction."""
        r = self.rng
        x = r.random() * 100
        ex = {ks.name: set(ks.exists) for ks in (self.items, self.accounts, self.lines)}
        if x >= 100 - self.args.xa_percent:
            # An XA transaction: prepared, then committed (or, one in four,
            # rolled back) on the same connection.
            self.xa_count += 1
            xid = f"wl-{self.xa_prefix}-{self.xa_count}"
            stmts = [f"XA START '{xid}';"]
            for _ in range(r.randint(1, 4)):
                ks = r.choice((self.items, self.accounts, self.lines))
                stmts.append(self.random_change(ks, ex[ks.name]))
            stmts += [f"XA END '{xid}';", f"XA PREPARE '{xid}';"]
            if r.random() < 0.25:
                stmts.append(f"XA ROLLBACK '{xid}';")
                return "\n".join(stmts), "rollback", None
            stmts.append(f"XA COMMIT '{xid}';")
            return "\n".join(stmts), "xa", ex
        if x < self.args.rollback_percent:
            # Changes that are rolled back: updates of existing keys (their
            # versions are burned), inserts of keys nothing else uses.
            stmts = ["BEGIN;"]
            for _ in range(r.randint(1, 4)):
                ks = r.choice((self.items, self.accounts))
                stmts.append(self.random_change(ks, ex[ks.name], prefer="u"))
            self.phantom_id += 1
            stmts.append(f"INSERT INTO cdc.items (id, ver, name, qty, note) VALUES "
                         f"({self.phantom_id}, 1, 'phantom', 0, 'rolled back');")
            stmts.append("ROLLBACK;")
            return "\n".join(stmts), "rollback", None
        if x < 40:
            ks = self.items if r.random() < 0.6 else self.accounts
            return self.random_change(ks, ex[ks.name]), "single", ex
        if x < 70:
            stmts = ["BEGIN;"]
            for _ in range(r.randint(2, 8)):
                ks = r.choice((self.items, self.accounts, self.lines))
                stmts.append(self.random_change(ks, ex[ks.name]))
            # The same key twice in one transaction.
            key = r.choice(self.accounts.keys)
            for _ in range(2):
                stmts.append(self.sql_change(self.accounts, key,
                                             "u" if key in ex["accounts"] else "c", ex["accounts"]))
            stmts.append("COMMIT;")
            return "\n".join(stmts), "multi", ex
        if x < 85:
            # A multi-row INSERT of an order's lines (one statement, one
            # rows event), or an update of several lines in one transaction.
            order = r.randint(1, self.args.keys // 4 + 1)
            keys = [(order, l) for l in range(1, 6)]
            if all(k not in ex["lines"] for k in keys):
                values = []
                for k in keys:
                    v = self.lines.next_version(k)
                    ex["lines"].add(k)
                    values.append(f"({k[0]}, {k[1]}, {v}, 'sku-{r.randint(1, 999)}', "
                                  f"{r.randint(1, 99999) / 100:.2f})")
                return ("INSERT INTO cdc.lines (order_id, line, ver, sku, amount) VALUES "
                        + ", ".join(values) + ";"), "multirow", ex
            stmts = ["BEGIN;"] + [self.random_change(self.lines, ex["lines"]) for _ in range(3)] + ["COMMIT;"]
            return "\n".join(stmts), "multi", ex
        ks = self.accounts
        return self.random_change(ks, ex[ks.name]), "single", ex

    def apply(self, ex):
        for ks in (self.items, self.accounts, self.lines):
            ks.exists = ex[ks.name]

    def run_large(self):
        n = self.args.large_rows
        self.large = "running"
        self.status(force=True)
        log(f"large transaction: {n} rows into cdc.bulk in one INSERT ... SELECT")
        t = time.monotonic()
        ok = self.conn.execute(
            "BEGIN;\n"
            f"INSERT INTO cdc.bulk (id, ver, payload) SELECT seq, 1, CONCAT('bulk-', seq, '-', REPEAT('x', 40)) "
            f"FROM cdc.seq_1_to_{n};\nCOMMIT;")
        if ok:
            self.large = "committed"
            self.tx += 1
            self.statements += 1
            log(f"large transaction committed ({n} rows) in {time.monotonic() - t:.1f}s")
        else:
            self.large = "failed"
            if not connection_error(self.conn.last_error):
                raise SystemExit(f"{PROG}: large transaction failed: {self.conn.last_error}")
            log(f"large transaction: connection lost ({self.conn.last_error}); "
                "its outcome is in the audit table")
        self.status(force=True)
        return ok

    def run(self):
        a = self.args
        if not self.connect(first=True):
            return 1
        self.set_version_floor()
        self.resync()
        end = self.t0 + a.duration if a.duration else None
        large_at = self.t0 + a.large_at if a.large_rows > 0 else None
        i = 0
        next_report = self.t0 + 10
        while not self.stop:
            now = time.monotonic()
            if end is not None and now >= end:
                break
            if a.transactions and self.tx + self.rollbacks >= a.transactions:
                break
            if large_at is not None and now >= large_at and self.large == "pending":
                if not self.run_large():
                    self.reconnects += 1
                    if not self.connect():
                        return 1
                i = int((time.monotonic() - self.t0) * a.rate)  # no burst after it
                continue
            full_speed = a.rate <= 0 or (a.full_speed_after and now - self.t0 >= a.full_speed_after)
            due = now if full_speed else self.t0 + i / a.rate
            if due > now:
                time.sleep(min(due - now, 0.5))
                continue
            sql, kind, ex = self.make_transaction()
            i += 1
            if self.conn.execute(sql):
                if kind == "rollback":
                    self.rollbacks += 1
                else:
                    self.tx += 1
                    self.apply(ex)
                self.statements += sql.count(";")
            else:
                if not connection_error(self.conn.last_error):
                    log(f"transaction failed, not a connection error: {self.conn.last_error}\n{sql}")
                    return 1
                self.reconnects += 1
                log(f"connection lost ({self.conn.last_error.splitlines()[-1] if self.conn.last_error else 'client exited'}); "
                    "reconnecting")
                t = time.monotonic()
                if not self.connect():
                    return 1
                log(f"reconnected after {time.monotonic() - t:.1f}s")
                # Keep the schedule from bursting to catch up.
                i = int((time.monotonic() - self.t0) * a.rate)
            if time.monotonic() >= next_report:
                next_report += 10
                log(f"+{time.monotonic() - self.t0:.0f}s: {self.tx} transactions committed, "
                    f"{self.rollbacks} rolled back, {self.reconnects} reconnects")
            self.status()
        if a.large_rows > 0 and self.large == "pending" and not self.stop:
            if not self.run_large():
                self.reconnects += 1
        self.conn.close()
        self.status(force=True, done=True)
        log(f"done in {time.monotonic() - self.t0:.1f}s: {self.tx} transactions committed "
            f"(as acknowledged), {self.rollbacks} rolled back, {self.reconnects} reconnects, "
            f"large transaction {self.large}")
        return 0


def add_connection_args(ap):
    ap.add_argument("--host")
    ap.add_argument("--port", type=int)
    ap.add_argument("--socket")
    ap.add_argument("--user")
    ap.add_argument("--password-file")
    ap.add_argument("--defaults-file", help="client option file, read first")
    ap.add_argument("--client", help="client binary (default mariadb, else mysql)")


def main():
    ap = argparse.ArgumentParser(prog="workload.py", description=__doc__.split("\n\n")[0],
                                 epilog="\n\n".join(__doc__.split("\n\n")[1:]),
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("setup", help="create the schema and triggers")
    add_connection_args(s)
    r = sub.add_parser("run", help="write changes")
    add_connection_args(r)
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--rate", type=float, default=100,
                   help="transactions per second (default 100; 0: as fast as one connection goes)")
    r.add_argument("--duration", type=float, default=0, help="seconds (default: until --transactions)")
    r.add_argument("--full-speed-after", type=float, default=0,
                   help="seconds after which --rate no longer holds (as fast as one connection goes)")
    r.add_argument("--transactions", type=int, default=0, help="stop after this many (committed + rolled back)")
    r.add_argument("--keys", type=int, default=2000, help="cdc.items key space (default 2000)")
    r.add_argument("--hot-keys", type=int, default=50, help="cdc.accounts key space (default 50)")
    r.add_argument("--rollback-percent", type=float, default=3)
    r.add_argument("--xa-percent", type=float, default=0,
                   help="XA transactions (prepared, then committed; a quarter rolled back)")
    r.add_argument("--large-rows", type=int, default=0, help="rows of the large transaction (0: none)")
    r.add_argument("--large-at", type=float, default=0, help="seconds into the run for the large transaction")
    r.add_argument("--reconnect-timeout", type=float, default=180)
    r.add_argument("--status-file")
    args = ap.parse_args()
    if args.command == "setup":
        conn = Connection(args)
        try:
            conn.query(SCHEMA + triggers_sql())
        except ConnectionError as e:
            sys.exit(f"{PROG}: setup failed: {e}")
        finally:
            conn.close()
        log("schema ready: audit.changes, cdc.items, cdc.accounts, cdc.lines, cdc.bulk with audit triggers")
        return 0
    if not args.duration and not args.transactions:
        ap.error("run needs --duration or --transactions")
    w = Workload(args)

    def on_signal(signum, frame):
        w.stop = True
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        return w.run()
    finally:
        w.conn.close()


if __name__ == "__main__":
    sys.exit(main())
