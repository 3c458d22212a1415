"""SQLite sources on files the tests create with Python's sqlite3: declared types mapped (affinity
rules plus dates, booleans and decimals), expressions typed from their values, NULLs, the
watermark pushed down, and a value that does not fit its declared type named precisely.
Expected values are read from the same file with Python's sqlite3, never hard-coded."""
import datetime as dt
import decimal
import json
import sqlite3

import db_pipeline
from db_pipeline import read, run


def make_db(path):
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE sales (id INTEGER PRIMARY KEY, qty INT, price REAL, name TEXT, code VARCHAR(8), raw BLOB,
                            paid BOOLEAN, day DATE, at DATETIME, amount DECIMAL(10,2), loose NUMERIC);
        INSERT INTO sales VALUES
          (1, 3, 2.5, 'héllo ☃', 'A-1', x'00ff', 1, '2026-02-28', '2026-02-28 23:59:59', '12345678.90', 7),
          (2, -9223372036854775808, -1e300, '', '', x'', 0, '1969-07-20', '1970-01-01T00:00:00', '-0.01', 2.5),
          (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
          (4, 9223372036854775807, 0.1, 'x', 'B', x'41', 1, '2000-01-01', 1767225600, 99999999.99, 0);
    """)
    db.commit()
    return db


def write_pipeline(tmp_path, source, name="p", mode="replace"):
    return db_pipeline.write_pipeline(tmp_path, "    type: sqlite\n    path: data.sqlite\n" + source, name, mode)


def test_declared_types_and_nulls(tmp_path, hyper_process):
    db = make_db(tmp_path / "data.sqlite")
    run(write_pipeline(tmp_path, "    table: sales"))
    rows, types = read(hyper_process, tmp_path / "out" / "p.hyper")
    assert types == {"id": "BIG_INT", "qty": "BIG_INT", "price": "DOUBLE", "name": "TEXT", "code": "TEXT", "raw": "BYTES",
                     "paid": "BOOL", "day": "DATE", "at": "TIMESTAMP", "amount": "NUMERIC(10, 2)", "loose": "DOUBLE"}
    expected = db.execute("SELECT * FROM sales ORDER BY id").fetchall()
    assert len(rows) == len(expected) == 4
    for got, want in zip(rows, expected):
        assert got[:5] == list(want[:5])
        assert got[5] == want[5]
        assert got[6] == (None if want[6] is None else bool(want[6]))
        assert (None if got[7] is None else got[7].to_date()) == (None if want[7] is None else dt.date.fromisoformat(want[7]))
        if isinstance(want[8], int):
            assert got[8].to_datetime() == dt.datetime(1970, 1, 1) + dt.timedelta(seconds=want[8])
        elif want[8] is not None:
            assert got[8].to_datetime() == dt.datetime.fromisoformat(want[8].replace("Z", ""))
        assert got[9] == (None if want[9] is None else decimal.Decimal(str(want[9])).quantize(decimal.Decimal("0.01")))
        assert got[10] == want[10]


def test_a_query_types_expressions_from_their_values(tmp_path, hyper_process):
    make_db(tmp_path / "data.sqlite")
    run(write_pipeline(tmp_path, "    query: SELECT id, qty * 2 AS doubled, price / 2 AS half, upper(name) AS shout "
                                 "FROM sales WHERE id <> 3"))
    rows, types = read(hyper_process, tmp_path / "out" / "p.hyper")
    assert types == {"id": "BIG_INT", "doubled": "DOUBLE", "half": "DOUBLE", "shout": "TEXT"}
    assert [r[0] for r in rows] == [1, 2, 4] and rows[0][3] == "HéLLO ☃"


def test_the_watermark_is_pushed_down(tmp_path, hyper_process):
    db = make_db(tmp_path / "data.sqlite")
    pipeline = write_pipeline(tmp_path, "    table: sales\n    incremental: {column: id}", mode="append")
    run(pipeline)
    db.execute("INSERT INTO sales (id, name) VALUES (5, 'new'), (6, 'newer')")
    db.commit()
    run(pipeline)
    report = json.loads((tmp_path / "state" / "p.last-run.json").read_text())
    assert report["sources"][0]["rows_read"] == 2 and report["sources"][0]["rows_skipped_by_watermark"] == 0
    rows, _ = read(hyper_process, tmp_path / "out" / "p.hyper")
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5, 6]


def test_a_value_that_does_not_fit_is_named(tmp_path):
    db = make_db(tmp_path / "data.sqlite")
    db.execute("INSERT INTO sales (id, qty) VALUES (7, 'twelve')")
    db.commit()
    result = run(write_pipeline(tmp_path, "    table: sales"), check=None)
    assert result.returncode != 0
    assert 'source src: row 5, column qty: "twelve" does not fit BIGINT' in result.stderr, result.stderr
    assert not (tmp_path / "out" / "p.hyper").exists()
    missing = run(write_pipeline(tmp_path, "    table: nope", name="missing"), check=None)
    assert missing.returncode != 0 and "no such table: nope" in missing.stderr


def test_a_watermark_on_a_datetime_column_is_applied_after_reading(tmp_path, hyper_process):
    # DATETIME values may be ISO text or Unix seconds in SQLite: compared with the watermark's text
    # in SQL they would never be "above" it, so the pipeline filters them itself instead.
    db = sqlite3.connect(tmp_path / "data.sqlite")
    db.executescript("CREATE TABLE ev (id INTEGER, at DATETIME);"
                     "INSERT INTO ev VALUES (1, '2026-01-01 00:00:00'), (2, 1767312000);")  # 2026-01-02 00:00 UTC
    db.commit()
    pipeline = write_pipeline(tmp_path, "    table: ev\n    incremental: {column: at}", mode="append")
    run(pipeline)
    db.executescript("INSERT INTO ev VALUES (3, 1767398400), (4, '2026-01-04 00:00:00');")
    db.commit()
    run(pipeline)
    source = json.loads((tmp_path / "state" / "p.last-run.json").read_text())["sources"][0]
    assert (source["rows_read"], source["rows_loaded"], source["rows_skipped_by_watermark"]) == (4, 2, 2)
    assert any("applied after reading" in note for note in source["notes"])
    rows, _ = read(hyper_process, tmp_path / "out" / "p.hyper")
    assert [r[0] for r in rows] == [1, 2, 3, 4]


def test_a_query_ending_in_a_semicolon_or_a_comment(tmp_path, hyper_process):
    make_db(tmp_path / "data.sqlite")
    run(write_pipeline(tmp_path, "    query: |\n      SELECT id FROM sales -- every sale\n      ;\n"))
    rows, _ = read(hyper_process, tmp_path / "out" / "p.hyper")
    assert [r[0] for r in rows] == [1, 2, 3, 4]
