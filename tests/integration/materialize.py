#!/usr/bin/env python3
"""Materialize binlog2kafka topics the way a consumer does, and compare.

  materialize.py tables --brokers B --prefix P --defaults-file F --user U
                 [--read-committed] TABLE...
      Reads each table's topic (P.db.table) from the beginning, applies the
      records by key in topic order (r/c/u: the row is `after`; d and
      tombstones: the key is gone) and compares the result with SELECT of
      the table (every column, as JSON_OBJECT). Prints one RESULT line per
      table and exits 1 if any table differs, or if a table has no rows.

  materialize.py same-after --brokers B TOPIC_A TOPIC_B
      The last `after` image per key is the same in both topics (a snapshot's
      op "r" records against the streamed op "c" records of the same rows).

Standard library only (kcat reads the topics).
"""

import argparse
import json
import subprocess
import sys


def read_topic(brokers, topic, read_committed):
    cmd = ["kcat", "-b", brokers, "-C", "-t", topic, "-e", "-q", "-J"]
    if read_committed:
        cmd += ["-X", "isolation.level=read_committed"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.strip():
            yield json.loads(line)


def apply(records):
    """{key: after} after applying the records in order; and op counts."""
    state = {}
    ops = {}
    for rec in records:
        key = rec.get("key")
        payload = rec.get("payload")
        if payload is None:
            ops["tombstone"] = ops.get("tombstone", 0) + 1
            state.pop(key, None)
            continue
        value = json.loads(payload)
        if "payload" in value and "schema" in value:
            value = value["payload"]
        op = value.get("op")
        ops[op] = ops.get(op, 0) + 1
        if op in ("r", "c", "u"):
            state[key] = value["after"]
        elif op == "d":
            state.pop(key, None)
    return state, ops


def canon(x):
    return json.dumps(x, sort_keys=True, separators=(",", ":"))


def select_rows(args, table):
    db, name = table.split(".", 1)
    base = ["mariadb", f"--defaults-file={args.defaults_file}", "-u", args.user, "-N", "-B", "-r"]
    cols = subprocess.run(
        base + ["-e", "SELECT COLUMN_NAME, COLUMN_KEY FROM information_schema.COLUMNS "
                f"WHERE TABLE_SCHEMA='{db}' AND TABLE_NAME='{name}' ORDER BY ORDINAL_POSITION"],
        check=True, capture_output=True, text=True).stdout.splitlines()
    names = [c.split("\t")[0] for c in cols]
    keys = [c.split("\t")[0] for c in cols if c.split("\t")[1] == "PRI"]
    obj = ", ".join(f"'{n}', `{n}`" for n in names)
    kobj = ", ".join(f"'{n}', `{n}`" for n in keys)
    out = subprocess.run(
        base + ["-e", f"SELECT JSON_OBJECT({kobj}), JSON_OBJECT({obj}) FROM `{db}`.`{name}`"],
        check=True, capture_output=True, text=True).stdout
    rows = {}
    for line in out.splitlines():
        k, v = line.split("\t", 1)
        rows[canon(json.loads(k))] = json.loads(v)
    return rows


def cmd_tables(args):
    failed = False
    for table in args.table:
        topic = f"{args.prefix}.{table}"
        state, ops = apply(read_topic(args.brokers, topic, args.read_committed))
        got = {canon(json.loads(k)): v for k, v in state.items()}
        want = select_rows(args, table)
        missing = [k for k in want if k not in got]
        extra = [k for k in got if k not in want]
        different = [k for k in want if k in got and canon(got[k]) != canon(want[k])]
        ok = not missing and not extra and not different and len(want) > 0
        failed |= not ok
        print(f"materialize: RESULT {table} {'OK' if ok else 'FAIL'} rows={len(want)} "
              f"materialized={len(got)} missing={len(missing)} extra={len(extra)} "
              f"different={len(different)} ops={canon(ops)}")
        for k in (missing[:3] + extra[:3] + different[:3]):
            print(f"materialize:   {table} key {k}: want {canon(want.get(k))} "
                  f"got {canon(got.get(k))}")
    return 1 if failed else 0


def cmd_same_after(args):
    a, ops_a = apply(read_topic(args.brokers, args.topic_a, False))
    b, ops_b = apply(read_topic(args.brokers, args.topic_b, False))
    keys = set(a) | set(b)
    diff = [k for k in keys if canon(a.get(k)) != canon(b.get(k))]
    ok = not diff and len(keys) > 0
    print(f"materialize: RESULT same-after {'OK' if ok else 'FAIL'} keys={len(keys)} "
          f"different={len(diff)} ops_a={canon(ops_a)} ops_b={canon(ops_b)}")
    for k in diff[:5]:
        print(f"materialize:   key {k}:\n    {canon(a.get(k))}\n    {canon(b.get(k))}")
    return 0 if ok else 1


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("tables")
    t.add_argument("--brokers", required=True)
    t.add_argument("--prefix", required=True)
    t.add_argument("--defaults-file", required=True)
    t.add_argument("--user", required=True)
    t.add_argument("--read-committed", action="store_true")
    t.add_argument("table", nargs="+")
    s = sub.add_parser("same-after")
    s.add_argument("--brokers", required=True)
    s.add_argument("topic_a")
    s.add_argument("topic_b")
    args = p.parse_args()
    return cmd_tables(args) if args.cmd == "tables" else cmd_same_after(args)


if __name__ == "__main__":
    sys.exit(main())
