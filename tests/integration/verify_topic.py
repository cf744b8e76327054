#!/usr/bin/env python3
"""Check the records of a binlog2kafka data topic against what was written.

Reads every record of TOPIC with `kcat -C -e -J` (one JSON object per record:
the key and payload arrive as JSON strings, so nothing in them can be taken
for a separator) and compares them with an expectation file.

Expectation file (--expect): one line per row change, in commit order,
three tab-separated columns:

    KEY-JSON <TAB> OP <TAB> TAG

  KEY-JSON  the record key as binlog2kafka writes it, e.g. {"id":42}
  OP        c, u or d
  TAG       the value of column --tag in the row image (`after`, or `before`
            for a delete), e.g. a version counter; JSON (3, "x") or bare text

A change is identified by (key, op, tag). The report counts, over all keys:

  expected    lines in the expectation file
  seen        records read (tombstones, i.e. null values, are counted apart)
  missing     expected changes with no record          -> failure
  duplicates  records beyond the first for a change    -> failure if more than
                                                          --max-duplicates
  unexpected  records that match no expected change    -> failure
  out_of_order  records that arrived before an earlier change of the same
                key had arrived (a re-sent earlier change after a restart is a
                duplicate, not a disorder)            -> failure
  malformed   values that are not a Debezium-shaped envelope consistent with
              their op and key                        -> failure

Exit status: 0 if nothing failed, 1 otherwise, 2 on usage or kcat errors.
--wait S re-reads the topic until nothing is missing or S seconds passed.
--count only prints the number of records in the topic (0 if it does not
exist yet).

Standard library only.
"""

import argparse
import collections
import json
import subprocess
import sys
import time


def canon(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def parse_tag(text):
    try:
        return canon(json.loads(text))
    except ValueError:
        return canon(text)


def read_expectations(path):
    """Returns {key: [(op, tag), ...]} in file order, and the line count."""
    per_key = collections.OrderedDict()
    n = 0
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                sys.exit(f"verify_topic: {path}:{lineno}: expected KEY<TAB>OP<TAB>TAG, got {line!r}")
            key_text, op, tag = parts
            try:
                key = canon(json.loads(key_text))
            except ValueError:
                sys.exit(f"verify_topic: {path}:{lineno}: key {key_text!r} is not JSON")
            if op not in ("c", "u", "d"):
                sys.exit(f"verify_topic: {path}:{lineno}: op {op!r} is not c, u or d")
            per_key.setdefault(key, []).append((op, parse_tag(tag)))
            n += 1
    return per_key, n


class KcatError(Exception):
    pass


def read_topic(brokers, topic, timeout):
    """Returns the records as (partition, offset, key, value) text tuples,
    in partition/offset order; [] when the topic does not exist."""
    cmd = ["kcat", "-b", brokers, "-C", "-t", topic, "-o", "beginning", "-e", "-J", "-q"]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise KcatError(f"kcat did not finish reading {topic} within {timeout}s")
    err = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode != 0:
        if "Unknown topic or partition" in err:
            return []
        raise KcatError(f"kcat failed (exit {proc.returncode}) reading {topic}: {err}")
    records = []
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        if not line.strip():
            continue
        try:
            m = json.loads(line)
        except ValueError:
            raise KcatError(f"kcat printed a line that is not JSON: {line[:200]!r}")
        records.append((m.get("partition", 0), m.get("offset", 0), m.get("key"), m.get("payload")))
    records.sort(key=lambda r: (r[0], r[1]))
    return records


def image_tag(value, op, tag_column):
    image = value.get("before") if op == "d" else value.get("after")
    if not isinstance(image, dict) or tag_column not in image:
        return None
    return canon(image[tag_column])


def check_envelope(key, value):
    """Returns None if the value is a consistent envelope, else why not."""
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
    if op not in ("c", "u", "d", "r"):
        return f"unknown op {op!r}"
    source = value.get("source")
    if not isinstance(source, dict) or not all(k in source for k in ("file", "pos", "db", "table")):
        return "source lacks file/pos/db/table"
    if isinstance(key, dict):
        image = before if op == "d" else after
        for column, v in key.items():
            if image.get(column) != v:
                return f"key column {column}={v!r} but the row image has {image.get(column)!r}"
    return None


def verify(records, expected, n_expected, tag_column):
    stats = collections.Counter()
    stats["expected"] = n_expected
    examples = collections.defaultdict(list)
    seen_per_key = collections.OrderedDict()
    for partition, offset, key_text, value_text in records:
        where = f"partition {partition} offset {offset}"
        if value_text is None:
            stats["tombstones"] += 1
            continue
        stats["seen"] += 1
        try:
            key = json.loads(key_text) if key_text is not None else None
            value = json.loads(value_text)
        except ValueError:
            stats["malformed"] += 1
            examples["malformed"].append(f"{where}: key or value is not JSON")
            continue
        why = check_envelope(key, value)
        if why:
            stats["malformed"] += 1
            examples["malformed"].append(f"{where} key {key_text}: {why}")
            continue
        op = value["op"]
        tag = image_tag(value, op, tag_column)
        seen_per_key.setdefault(canon(key), []).append(((op, tag), where))

    for key in set(seen_per_key) - set(expected):
        stats["unexpected"] += len(seen_per_key[key])
        examples["unexpected"].append(f"key {key}: {[c for c, _ in seen_per_key[key]][:5]}")

    for key, exp in expected.items():
        delivered = [False] * len(exp)
        head = 0  # first change of this key not delivered yet
        for change, where in seen_per_key.get(key, []):
            candidates = [i for i, c in enumerate(exp) if c == change]
            if not candidates:
                stats["unexpected"] += 1
                examples["unexpected"].append(f"key {key} {where}: op/tag {change} was not written")
                continue
            fresh = [i for i in candidates if not delivered[i]]
            if not fresh:
                stats["duplicates"] += 1
                continue
            i = fresh[0]
            if i != head:
                stats["out_of_order"] += 1
                examples["out_of_order"].append(
                    f"key {key} {where}: {change} arrived before {exp[head]}")
            delivered[i] = True
            while head < len(exp) and delivered[head]:
                head += 1
        for i, done in enumerate(delivered):
            if not done:
                stats["missing"] += 1
                examples["missing"].append(f"key {key}: {exp[i]}")
    stats["keys"] = len(expected)
    return stats, examples


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--brokers", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--expect", help="expectation file (KEY<TAB>OP<TAB>TAG lines)")
    ap.add_argument("--tag", default="ver", help="column whose value is TAG (default: ver)")
    ap.add_argument("--max-duplicates", type=int, default=-1,
                    help="fail if there are more duplicates (default: any number)")
    ap.add_argument("--wait", type=float, default=0,
                    help="re-read until nothing is missing, for at most this many seconds")
    ap.add_argument("--save", help="write the records read to this file (one kcat JSON line each)")
    ap.add_argument("--count", action="store_true", help="only print the number of records")
    ap.add_argument("--kcat-timeout", type=float, default=120)
    args = ap.parse_args()

    try:
        if args.count:
            print(len(read_topic(args.brokers, args.topic, args.kcat_timeout)))
            return 0
        if not args.expect:
            ap.error("--expect is required unless --count is given")
        expected, n_expected = read_expectations(args.expect)
        deadline = time.monotonic() + args.wait
        while True:
            records = read_topic(args.brokers, args.topic, args.kcat_timeout)
            stats, examples = verify(records, expected, n_expected, args.tag)
            if stats["missing"] == 0 or time.monotonic() >= deadline:
                break
            time.sleep(0.5)
    except KcatError as e:
        print(f"verify_topic: {e}", file=sys.stderr)
        return 2

    if args.save:
        with open(args.save, "w", encoding="utf-8") as f:
            for r in records:
                f.write(json.dumps({"partition": r[0], "offset": r[1], "key": r[2], "payload": r[3]}) + "\n")

    failures = []
    for what in ("missing", "unexpected", "out_of_order", "malformed"):
        if stats[what]:
            failures.append(what)
    if args.max_duplicates >= 0 and stats["duplicates"] > args.max_duplicates:
        failures.append(f"duplicates>{args.max_duplicates}")

    print(f"verify_topic: {args.topic}: expected {stats['expected']} changes of {stats['keys']} keys, "
          f"seen {stats['seen']} records, missing {stats['missing']}, "
          f"duplicates {stats['duplicates']}, unexpected {stats['unexpected']}, "
          f"out_of_order {stats['out_of_order']}, malformed {stats['malformed']}, "
          f"tombstones {stats['tombstones']}")
    for what in ("missing", "unexpected", "out_of_order", "malformed"):
        if examples[what]:
            print(f"verify_topic:   {what} (first of {len(examples[what])}):")
            for e in examples[what][:10]:
                print(f"verify_topic:     {e}")
    print("verify_topic: " + ("FAIL: " + ", ".join(failures) if failures else "OK"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
