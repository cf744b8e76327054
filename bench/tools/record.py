#!/usr/bin/env python3
"""record.py FILE key=value ...: appends one JSON object to FILE (values
that parse as JSON are stored as such, others as strings). monitor.py and
latency.py append their results with the same functions."""
import json
import sys


def add_fields(obj, fields):
    """Adds each "key=value" of fields to obj, the value as JSON if it parses."""
    for kv in fields:
        k, v = kv.split("=", 1)
        try:
            obj[k] = json.loads(v)
        except ValueError:
            obj[k] = v
    return obj


def append(path, obj):
    with open(path, "a") as f:
        f.write(json.dumps(obj) + "\n")


if __name__ == "__main__":
    append(sys.argv[1], add_fields({}, sys.argv[2:]))
