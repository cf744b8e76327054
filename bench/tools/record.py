#!/usr/bin/env python3
"""record.py FILE key=value ...: appends one JSON object to FILE (values
that parse as JSON are stored as such, others as strings)."""
import json
import sys

obj = {}
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    try:
        obj[k] = json.loads(v)
    except ValueError:
        obj[k] = v
with open(sys.argv[1], "a") as f:
    f.write(json.dumps(obj) + "\n")
