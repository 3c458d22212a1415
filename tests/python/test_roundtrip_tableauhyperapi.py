"""Every Hyper type written by hyperpipe, read back by the official tableauhyperapi (an
independent reader) and by `hyperpipe query`, compared value by value.

The expected values are written out here independently of tests/tools/write_every_type.cpp."""
import datetime
import json
import subprocess
from decimal import Decimal

import pytest
from tableauhyperapi import Connection, Date, Interval, Timestamp

EXPECTED = {
    1: {
        "b": True, "i16": -32768, "i32": 2147483647, "i64": -9223372036854775808, "f64": 0.1, "f32": 1.5,
        "n18": Decimal("-123456789012345.678"), "n38": Decimal("99999999999999999999999999999999.999999"),
        "txt": "Zürich — 東京 🚀", "vc": "héllo", "ch": "ab  ", "bin": b"\x00\x01\xff",
        "d": Date(1969, 7, 20), "t": datetime.time(23, 59, 59, 999999),
        "ts": Timestamp(2038, 1, 19, 3, 14, 8, 123456), "tstz": Timestamp(1900, 3, 1, 12, 0, 0, 1, tzinfo=datetime.timezone.utc),
        "iv": Interval(14, 3, 4000005), "js": '{"a": [1, 2]}', "o": 4294967295, "geo": "POINT(4.3500000 50.8500000)",
    },
    3: {
        "b": False, "i16": 0, "i32": -1, "i64": 0, "f64": -0.0, "f32": -2.25,
        "n18": Decimal("0.000"), "n38": Decimal("-0.000001"), "txt": "", "vc": "", "ch": "abcd", "bin": b"",
        "d": Date(2024, 2, 29), "t": datetime.time(0, 0), "ts": Timestamp(1970, 1, 1, 0, 0, 0, 0),
        "tstz": Timestamp(1969, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.timezone.utc),
        "iv": Interval(-1, -2, -3), "js": "null", "o": 0, "geo": "POINT(-122.3321000 47.6062000)",
    },
}
COLUMNS = list(EXPECTED[1])


@pytest.fixture(scope="module")
def every_type_file(tmp_path_factory, write_every_type):
    path = tmp_path_factory.mktemp("types") / "every_type.hyper"
    subprocess.run([str(write_every_type), str(path)], check=True, timeout=120)
    return path


def test_tableauhyperapi_reads_every_value(every_type_file, hyper_process):
    select = ", ".join(f'CAST("{c}" AS TEXT)' if c == "geo" else f'"{c}"' for c in COLUMNS)
    with Connection(hyper_process.endpoint, str(every_type_file)) as connection:
        rows = connection.execute_list_query(f'SELECT id, {select} FROM "Extract"."Extract" ORDER BY id')
        version = connection.execute_scalar_query("SELECT database_version FROM pg_catalog.hyper_database")
    assert [row[0] for row in rows] == [1, 2, 3]
    assert rows[1][1:] == [None] * len(COLUMNS)
    for row in (rows[0], rows[2]):
        for column, value in zip(COLUMNS, row[1:]):
            expected = EXPECTED[row[0]][column]
            assert value == expected, f"row {row[0]} column {column}: {value!r} != {expected!r}"
            assert type(value) is type(expected), f"row {row[0]} column {column}: type {type(value)}"
    assert str(version) == "4"


def test_hyperpipe_query_agrees_with_tableauhyperapi(every_type_file, hyper_process, hyperpipe):
    ours = json.loads(hyperpipe("query", every_type_file, 'SELECT * FROM "Extract"."Extract" ORDER BY id',
                                "--format", "json").stdout)
    with Connection(hyper_process.endpoint, str(every_type_file)) as connection:
        theirs = connection.execute_list_query(
            'SELECT ' + ", ".join(f'CAST("{c}" AS TEXT)' for c in ["id", *COLUMNS]) +
            ' FROM "Extract"."Extract" ORDER BY id')
    assert len(ours) == len(theirs) == 3
    for our_row, their_row in zip(ours, theirs):
        for column, their_text in zip(["id", *COLUMNS], their_row):
            value = our_row[column]
            if value is None or their_text is None:
                assert value is None and their_text is None, column
            elif isinstance(value, bool):
                assert their_text == ("true" if value else "false"), column
            elif isinstance(value, (int, float)):
                assert float(their_text) == float(value), column
            elif column == "ch":
                # CAST(CHAR(n) AS TEXT) drops the padding, as SQL prescribes; the padding itself is
                # checked in test_tableauhyperapi_reads_every_value.
                assert value.rstrip(" ") == their_text and len(value) == 4
            else:
                assert value == their_text, f"{column}: {value!r} != {their_text!r}"
