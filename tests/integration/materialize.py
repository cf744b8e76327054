#!/usr/bin/env python3
"""Materialize binlog2kafka topics the way a consumer does, and compare.

  materialize.py tables --brokers B --prefix P --defaults-file F --user U
                 [--read-committed] [--readable] TABLE...
      Reads each table's topic (P.db.table) from the beginning, applies the
      records by key in topic order (r/c/u: the row is `after`; d and
      tombstones: the key is gone) and compares the result with SELECT of
      the table (every column, as JSON_OBJECT). A table without a key (null
      Kafka keys) is a multiset of rows: r/c add `after`, u replaces one
      `before` by `after`, d removes one `before`. Prints one RESULT line
      per table and exits 1 if any table differs, or if a table has no rows.

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
    """{key: after} after applying the records in order; and op counts.
    Records without a key (tables without one) go to a multiset of rows
    under the key None: {canon(row): count}."""
    state = {}
    ops = {}
    for rec in records:
        key = rec.get("key")
        if key is None and rec.get("payload") is not None:
            value = json.loads(rec["payload"])
            if "payload" in value and "schema" in value:
                value = value["payload"]
            op = value.get("op")
            ops[op] = ops.get(op, 0) + 1
            rows = state.setdefault(None, {})
            if op in ("u", "d"):
                old = canon(value["before"])
                if rows.get(old, 0) == 0:
                    # A change of a row the topic never had: the topic is
                    # wrong (counted, and the table then differs).
                    ops["missing_before"] = ops.get("missing_before", 0) + 1
                elif rows[old] == 1:
                    del rows[old]
                else:
                    rows[old] -= 1
            if op in ("r", "c", "u"):
                new = canon(value["after"])
                rows[new] = rows.get(new, 0) + 1
            continue
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
    """{canon(key): row}; for a table without a key {None: {canon(row): n}}."""
    db, name = table.split(".", 1)
    base = ["mariadb", f"--defaults-file={args.defaults_file}", "-u", args.user, "-N", "-B", "-r"]
    cols = subprocess.run(
        base + ["-e", "SELECT COLUMN_NAME, COLUMN_KEY, DATA_TYPE FROM information_schema.COLUMNS "
                f"WHERE TABLE_SCHEMA='{db}' AND TABLE_NAME='{name}' ORDER BY ORDINAL_POSITION"],
        check=True, capture_output=True, text=True).stdout.splitlines()
    names = [c.split("\t")[0] for c in cols]
    keys = [c.split("\t")[0] for c in cols if c.split("\t")[1] == "PRI"]
    types = {c.split("\t")[0]: c.split("\t")[2] for c in cols}

    def expr(n):
        # value-mode readable: what SQL must print to compare equal.
        t = types[n]
        if not args.readable:
            return f"`{n}`"
        if t in ("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"):
            return f"REPLACE(TO_BASE64(`{n}`), '\\n', '')"
        if t == "decimal":
            return f"CAST(`{n}` AS CHAR)"
        if t == "datetime":
            return f"REPLACE(CAST(`{n}` AS CHAR), ' ', 'T')"
        return f"`{n}`"

    obj = ", ".join(f"'{n}', {expr(n)}" for n in names)
    kobj = ", ".join(f"'{n}', {expr(n)}" for n in keys)
    out = subprocess.run(
        base + ["-e", f"SELECT JSON_OBJECT({kobj}), JSON_OBJECT({obj}) FROM `{db}`.`{name}`"],
        check=True, capture_output=True, text=True).stdout
    rows = {}
    if not keys:
        bag = {}
        for line in out.splitlines():
            row = canon(json.loads(line.split("\t", 1)[1]))
            bag[row] = bag.get(row, 0) + 1
        return {None: bag}
    for line in out.splitlines():
        k, v = line.split("\t", 1)
        rows[canon(json.loads(k))] = json.loads(v)
    return rows


def cmd_tables(args):
    failed = False
    for table in args.table:
        topic = f"{args.prefix}.{table}"
        state, ops = apply(read_topic(args.brokers, topic, args.read_committed))
        want = select_rows(args, table)
        if None in want:
            # No key: the multisets of rows must be equal.
            want_bag, got_bag = want[None], state.get(None, {})
            n_want, n_got = sum(want_bag.values()), sum(got_bag.values())
            missing = [r for r in want_bag if got_bag.get(r, 0) < want_bag[r]]
            extra = [r for r in got_bag if want_bag.get(r, 0) < got_bag[r]]
            ok = not missing and not extra and n_want > 0 and "missing_before" not in ops
            failed |= not ok
            print(f"materialize: RESULT {table} {'OK' if ok else 'FAIL'} rows={n_want} "
                  f"materialized={n_got} (no key: as multisets) missing={len(missing)} "
                  f"extra={len(extra)} ops={canon(ops)}")
            for r in missing[:3] + extra[:3]:
                print(f"materialize:   {table} row {r}: want {want_bag.get(r, 0)} "
                      f"got {got_bag.get(r, 0)}")
            continue
        got = {canon(json.loads(k)): v for k, v in state.items()}
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
    t.add_argument("--readable", action="store_true",
                   help="the topics were written with value-mode = readable")
    t.add_argument("table", nargs="+")
    s = sub.add_parser("same-after")
    s.add_argument("--brokers", required=True)
    s.add_argument("topic_a")
    s.add_argument("topic_b")
    args = p.parse_args()
    return cmd_tables(args) if args.cmd == "tables" else cmd_same_after(args)


if __name__ == "__main__":
    sys.exit(main())
