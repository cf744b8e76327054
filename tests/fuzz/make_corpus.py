#!/usr/bin/env python3
"""Regenerates the seed corpus of decoder_fuzz (tests/fuzz/corpus/).

Seeds are cut from the real binlogs of tests/data/binlogs and
tests/data/mariadb_compressed.000001, plus row images for the fuzzer's
fixed table (see the table map in decoder_fuzz.cpp, whose column list this
script must follow). Files named regress-* are inputs that once crashed or
hung the decoder: they are kept as they are.
"""
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(REPO, "tests", "data", "binlogs")
DATA = os.path.join(REPO, "tests", "data")
OUT = os.path.join(HERE, "corpus")


def events(path):
    data = open(path, "rb").read()
    at = 4
    while at + 19 <= len(data):
        size = struct.unpack_from("<I", data, at + 9)[0]
        yield at, data[at:at + size]
        at += size


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def whole(name, path):
    # mode 0: the file without its magic number
    write(name, b"\x00" + open(path, "rb").read()[4:])


def picked(name, path, types):
    # mode 0: the FORMAT_DESCRIPTION and the events of the given types
    out = b""
    for at, ev in events(path):
        if ev[4] == 15 or ev[4] in types:
            out += ev
    write(name, b"\x00" + out)


# A row of the fuzzer's table: 32 columns, a null bitmap, then the values.
def row(nulls=b"\x00\x00\x00\xc0", name=b"abc"):
    v = b""
    v += b"\x85"                                   # TINYINT
    v += struct.pack("<h", -2)                      # SMALLINT
    v += b"\xff\xff\x7f"                            # MEDIUMINT
    v += struct.pack("<i", -5)                      # INT
    v += struct.pack("<q", 1 << 62)                 # BIGINT
    v += struct.pack("<f", 1.5)                     # FLOAT
    v += struct.pack("<d", -0.25)                   # DOUBLE
    v += bytes([0x80, 0, 0, 0x0c, 0x22])            # DECIMAL(10,2) 12.34
    v += bytes([0x7f] + [0xff] * 28 + [0xfe])       # DECIMAL(65,30) negative
    v += b"\x7c"                                    # YEAR 2024
    v += struct.pack("<I", (2024 << 9 | 2 << 5 | 29))[:3]  # DATE
    v += struct.pack("<i", -123456)[:3]             # TIME -12:34:56
    v += struct.pack("<Q", 20240229123456)          # DATETIME
    v += struct.pack("<I", 1700000000)              # TIMESTAMP
    v += bytes([0x7f, 0xff, 0xff, 0xff, 0x9c])      # TIME(3) negative
    v += bytes([0x99, 0xb2, 0xbb, 0xc8, 0xe0, 0x0f, 0x42, 0x3f])  # DATETIME(6)
    v += struct.pack(">I", 1700000000) + b"\x63"    # TIMESTAMP(2)
    v += bytes([len(name)]) + name                  # VARCHAR(20)
    v += b"\x03\x00\xc3\xa9!"                       # VARCHAR(300) 2-byte len
    v += b"\x02ab"                                  # CHAR(10)
    v += b"\x03"                                    # ENUM
    v += b"\x01\x00"                                # SET
    v += b"\x02\xff"                                # BIT(10)
    v += b"\x04\x00\xe9t\xe9\x80"                   # BLOB/TEXT
    v += b"\x02\x00\x00\x00\x04\x01"                # JSON true
    v += b"\x05\x00\x00\x00" + b"\x00\x01\x02\x03\x04"  # GEOMETRY
    v += b"\x04\x00\x00\x00\x00\x00\x80\x3f"        # VECTOR
    v += b"\x21\x91\x0f"                            # NEWDATE
    v += b""                                        # NULL type
    v += b"\x01\x23\x45\x67\x89\xab\xcd\xef"        # BIT(64)
    # CHAR(40) and TINYBLOB are null (bits 30 and 31 of the null bitmap)
    return nulls + v


def rows_seed(name, pick, v2, update, images):
    body = b"\x01\x00" + (b"\x02\x00" if v2 else b"")
    body += b"\x20" + b"\xff" * 4 + (b"\xff" * 4 if update else b"")
    write(name, b"\x03" + bytes([pick]) + body + images)


def mariadb_compressed_seed(name, pick, update, images):
    head = b"\x01\x00" + b"\x20" + b"\xff" * 4 + (b"\xff" * 4 if update else b"")
    z = zlib.compress(images)
    n = len(images)
    write(name, b"\x03" + bytes([pick]) + head + bytes([0x82]) +
          struct.pack(">H", n) + z)


os.makedirs(OUT, exist_ok=True)
for f in os.listdir(OUT):
    if not f.startswith("regress-"):
        os.remove(os.path.join(OUT, f))

whole("mysql_type_bit", os.path.join(FIXTURES, "mysql_type_bit.000001"))
whole("transaction_compression",
      os.path.join(FIXTURES, "transaction_compression.000001"))
whole("gtid_tag", os.path.join(FIXTURES,
                               "binlog_transaction_with_GTID_TAG.000001"))
whole("time_issue", os.path.join(FIXTURES, "time_issue.000001"))
whole("ndb_partial", os.path.join(FIXTURES, "update-partial-row.binlog"))
picked("mariadb", os.path.join(FIXTURES, "mariadb-bin.000001"),
       {160, 161, 162, 163, 19, 23, 16})
picked("mariadb_compressed", os.path.join(DATA, "mariadb_compressed.000001"),
       {2, 162, 165, 19, 166, 167, 16})
picked("enum_set", os.path.join(FIXTURES, "mysql-enum-string-set.000001"),
       {19, 30, 16})

one = row()
rows_seed("rows_write_v2", 3, True, False, one + row(b"\xff" * 4, b""))
rows_seed("rows_update_v2", 4, True, True, one + row(name=b"xyz"))
rows_seed("rows_delete_v1", 2, False, False, one)
rows_seed("rows_write_v1", 0, False, False, one)
mariadb_compressed_seed("rows_write_compressed", 7, False, one + one)
mariadb_compressed_seed("rows_update_compressed", 8, True, one + row())
# A TRANSACTION_PAYLOAD body (mode 3, pick 13): the fixture's, as is.
for at, ev in events(os.path.join(FIXTURES, "transaction_compression.000001")):
    if ev[4] == 40:
        write("payload", b"\x03\x0d" + ev[19:-4])

total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
print(len(os.listdir(OUT)), "seeds,", total, "bytes")
