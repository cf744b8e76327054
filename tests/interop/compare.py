#!/usr/bin/env python3
"""Compares binlog2kafka's records with Debezium's, record by record.

    compare.py DIR OURS THEIRS TABLE...

DIR holds one file per topic, <topic>.jsonl, as `kcat -J` prints records.
For each TABLE (db.table) the topics OURS.db.table and THEIRS.db.table are
compared in order (one partition each, so the order per key is the order of
the topic): the key, the tombstones, op, before, after, the transaction
block, the source fields that name the event, the headers and, where the
records carry JsonConverter schemas, the key and value schemas. Differences
that README.md lists as intended ("Records" > "Debezium") are counted by
kind and allowed; any other difference fails (exit 1). The last line says:
    compare: RESULT OK|FAIL records=N values=N identical=N intended=... other=N
"""

import collections
import json
import struct
import sys

# Columns of FLOAT type: Java writes a float's own shortest digits, which
# read back as the same float, not always as the same double.
FLOAT_COLUMNS = {"f"}

# The source fields that name the event (not version, connector, name,
# which name the tool, nor Debezium's ts_us/ts_ns).
SOURCE_FIELDS = ("ts_ms", "snapshot", "db", "sequence", "table", "server_id",
                 "gtid", "file", "pos", "row", "thread", "query")

# Headers Debezium adds to every record (extended.headers.enabled).
CONTEXT_HEADER = "__debezium.context."


def load(path):
    records = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    records.append(json.loads(line))
    except FileNotFoundError:
        pass
    return records


def split(text):
    """(schema, payload) of a key or value, schema None without one."""
    if text is None:
        return None, None
    doc = json.loads(text)
    if isinstance(doc, dict) and set(doc) == {"schema", "payload"}:
        return doc["schema"], doc["payload"]
    return None, doc


def headers(record):
    h = record.get("headers") or []
    return [(h[i], h[i + 1]) for i in range(0, len(h), 2)
            if not h[i].startswith(CONTEXT_HEADER)]


def same_headers(ours, theirs):
    """Header values that differ only in how a number is spelled."""
    if [n for n, _ in ours] != [n for n, _ in theirs]:
        return False
    try:
        return all(json.loads(a) == json.loads(b)
                   for (_, a), (_, b) in zip(ours, theirs))
    except ValueError:
        return False


def same_number(a, b, column):
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if column in FLOAT_COLUMNS and isinstance(a, (int, float)) \
            and isinstance(b, (int, float)):
        return struct.pack("<f", a) == struct.pack("<f", b)
    return a == b


class Comparison:
    def __init__(self, table):
        self.table = table
        self.values = 0
        self.identical = 0
        self.intended = collections.Counter()
        self.other = []

    def diff(self, where, ours, theirs):
        self.other.append(f"{self.table} {where}: ours {json.dumps(ours)[:300]}"
                          f" theirs {json.dumps(theirs)[:300]}")

    def image(self, where, ours, theirs, zero_ts_columns):
        if ours is None or theirs is None:
            self.values += 1
            if ours is None and theirs is None:
                self.identical += 1
            else:
                self.diff(where, ours, theirs)
            return
        for column in sorted(set(ours) | set(theirs)):
            self.values += 1
            a, b = ours.get(column, "<absent>"), theirs.get(column, "<absent>")
            if a == b and type(a) is type(b) or \
                    (not isinstance(a, (str, dict, list, type(None)))
                     and not isinstance(b, (str, dict, list, type(None)))
                     and same_number(a, b, column)):
                self.identical += 1
            elif column in zero_ts_columns and a is None \
                    and isinstance(b, str) and b.startswith("1970-01-01T00:00:00"):
                # Debezium 3.6 reads a zero TIMESTAMP as none (null in a
                # nullable column); 3.5, the newest served here, as the epoch.
                self.intended["zero TIMESTAMP: null (Debezium 3.6), epoch (3.5)"] += 1
            else:
                self.diff(f"{where}.{column}", a, b)

    def schema(self, where, ours, theirs):
        if ours == theirs:
            return
        o, t = normalize_schema(ours), normalize_schema(theirs)
        if o == t:
            self.intended["schema: source block and envelope are ours"
                          " (mysql connector names, no ts_us/ts_ns);"
                          " no column defaults"] += 1
        else:
            self.diff(f"{where} schema", o, t)


def normalize_schema(schema):
    """A schema without the parts README.md lists as intended differences."""
    if not isinstance(schema, dict):
        return schema
    s = {k: v for k, v in schema.items() if k != "default"}
    name = s.get("name", "")
    if name.endswith((".Key", ".Value", ".Envelope")):
        s["name"] = name.split(".", 1)[1]  # topic.prefix differs
    if "fields" in s:
        fields = [normalize_schema(f) for f in s["fields"]]
        if s.get("name", "").endswith(".Envelope"):
            fields = [f for f in fields
                      if f.get("field") not in ("source", "ts_us", "ts_ns")]
        s["fields"] = fields
    if "items" in s:
        s["items"] = normalize_schema(s["items"])
    return s


def nullable_timestamps(schema_sql, table):
    """Columns of TIMESTAMP type that allow NULL (from schema.sql)."""
    cols = set()
    inside = False
    for line in schema_sql.splitlines():
        if line.startswith(f"CREATE TABLE {table} "):
            inside = True
            continue
        if inside:
            if line.startswith(")"):
                break
            for part in line.split(","):
                words = part.split()
                if len(words) >= 2 and words[1].startswith("TIMESTAMP") \
                        and "NOT" not in words:
                    cols.add(words[0])
    return cols


def compare_table(directory, ours_prefix, theirs_prefix, table, schema_sql):
    c = Comparison(table)
    ours = load(f"{directory}/{ours_prefix}.{table}.jsonl")
    theirs = load(f"{directory}/{theirs_prefix}.{table}.jsonl")
    # Debezium sends a tombstone after a delete in a table without a
    # primary key too: a null key, which a compacted topic refuses.
    kept = []
    for r in theirs:
        if r["key"] is None and r["payload"] is None:
            c.intended["no tombstone for a keyless delete"] += 1
        else:
            kept.append(r)
    theirs = kept
    if len(ours) != len(theirs):
        c.other.append(f"{table}: {len(ours)} records, Debezium {len(theirs)}")
    zero_ts = nullable_timestamps(schema_sql, table.split(".")[1])
    for i, (o, t) in enumerate(zip(ours, theirs)):
        where = f"record {i}"
        ok_schema, ok_key = split(o["key"])
        t_schema, t_key = split(t["key"])
        c.values += 1
        if ok_key == t_key:
            c.identical += 1
        else:
            c.diff(f"{where} key", ok_key, t_key)
        if ok_schema is not None or t_schema is not None:
            c.schema(f"{where} key", ok_schema, t_schema)
        oh, th = headers(o), headers(t)
        c.values += 1
        if oh == th or same_headers(oh, th):
            c.identical += 1
        else:
            c.diff(f"{where} headers", oh, th)
        if o["payload"] is None or t["payload"] is None:
            c.values += 1
            if o["payload"] is None and t["payload"] is None:
                c.identical += 1
            else:
                c.diff(f"{where} tombstone", o["payload"], t["payload"])
            continue
        ov_schema, ov = split(o["payload"])
        tv_schema, tv = split(t["payload"])
        if ov_schema is not None or tv_schema is not None:
            c.schema(f"{where} value", ov_schema, tv_schema)
        for field in ("op", "transaction"):
            c.values += 1
            if ov.get(field) == tv.get(field):
                c.identical += 1
            else:
                c.diff(f"{where} {field}", ov.get(field), tv.get(field))
        for field in SOURCE_FIELDS:
            c.values += 1
            if ov["source"].get(field) == tv["source"].get(field):
                c.identical += 1
            else:
                c.diff(f"{where} source.{field}", ov["source"].get(field),
                       tv["source"].get(field))
        c.image(f"{where} before", ov["before"], tv["before"], zero_ts)
        c.image(f"{where} after", ov["after"], tv["after"], zero_ts)
    return c


def main():
    directory, ours, theirs, *tables = sys.argv[1:]
    with open(f"{sys.path[0]}/schema.sql", encoding="utf-8") as f:
        schema_sql = f.read()
    values = identical = 0
    intended = collections.Counter()
    other = []
    records = 0
    for table in tables:
        c = compare_table(directory, ours, theirs, table, schema_sql)
        records += len(load(f"{directory}/{ours}.{table}.jsonl"))
        values += c.values
        identical += c.identical
        intended.update(c.intended)
        other += c.other
        print(f"compare: {ours} vs {theirs} {table}: {c.values} values, "
              f"{c.identical} identical, {sum(c.intended.values())} intended, "
              f"{len(c.other)} other")
    for line in other[:40]:
        print(f"compare: DIFF {line}")
    for kind, n in sorted(intended.items()):
        print(f"compare: intended x{n}: {kind}")
    result = "OK" if not other and values > 0 else "FAIL"
    print(f"compare: RESULT {result} records={records} values={values} "
          f"identical={identical} intended={sum(intended.values())} "
          f"other={len(other)}")
    return 0 if result == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
