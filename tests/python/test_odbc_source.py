"""ODBC sources through real drivers from Debian: psqlODBC ("PostgreSQL Unicode") against the
PostgreSQL server the tests start, and the SQLite3 ODBC driver on a file the test creates.
Values are compared with what psycopg / Python's sqlite3 read from the same data; long values
(fetched in pieces), NULLs, Unicode, the watermark, and driver errors are covered."""
import datetime as dt
import decimal
import json
import sqlite3
import subprocess

import psycopg
import pytest

import db_pipeline
from db_pipeline import read, run
from pg_server import PASSWORD, USER, DATABASE, PostgresServer


def drivers():
    listed = subprocess.run(["odbcinst", "-q", "-d"], capture_output=True, text=True).stdout
    return {line.strip("[] \n") for line in listed.splitlines()}


@pytest.fixture(scope="module")
def pg():
    assert "PostgreSQL Unicode" in drivers(), "psqlODBC is missing: scripts/bootstrap installs odbc-postgresql"
    server = PostgresServer()
    yield server
    server.close()


def write_pipeline(tmp_path, connection, source, name="p", mode="replace"):
    return db_pipeline.write_pipeline(tmp_path, f'    type: odbc\n    connection: "{connection}"\n' + source, name, mode)


def psql_odbc(pg):
    # BoolsAsChar=0: psqlODBC otherwise describes booleans as one-character text.
    return ("Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=" + str(pg.port) + f";Database={DATABASE};Uid={USER};"
            "Pwd=${DB_PASSWORD};BoolsAsChar=0")


def test_postgres_through_psqlodbc(tmp_path, pg, hyper_process):
    pg.psql("""DROP TABLE IF EXISTS t; CREATE TABLE t (id int4, big int8, small int2, amount numeric(10,2), ratio float8,
                 flag bool, name varchar(20), body text, day date, at timestamp, raw bytea, tm time(6));
               INSERT INTO t VALUES
                 (1, 9223372036854775807, -32768, -12345678.90, 1.5e-300, true, 'héllo ☃', repeat('long ✓ ', 20000),
                  '1969-07-20', '2026-02-28 23:59:59.123456', '\\x00ff', '12:34:56.789012'),
                 (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                 (3, 0, 0, 0.01, 0, false, '', '', '2000-01-01', '1900-01-01 00:00', '\\x', '00:00');""")
    result = run(write_pipeline(tmp_path, psql_odbc(pg), "    table: t"), env={"DB_PASSWORD": PASSWORD})
    assert PASSWORD not in result.stdout + result.stderr
    rows, types = read(hyper_process, tmp_path / "out" / "p.hyper")
    assert types["id"] == "INT" and types["big"] == "BIG_INT" and types["small"] == "SMALL_INT"
    assert types["amount"] == "NUMERIC(10, 2)" and types["ratio"] == "DOUBLE" and types["flag"] == "BOOL"
    assert types["day"] == "DATE" and types["at"] == "TIMESTAMP" and types["body"] == "TEXT" and types["raw"] == "BYTES"
    with psycopg.connect(pg.url(password=True)) as connection:
        expected = connection.execute("SELECT * FROM t ORDER BY id").fetchall()
    for got, want in zip(rows, expected, strict=True):
        assert got[:3] == list(want[:3])
        assert got[3] == want[3] and got[4] == want[4] and got[5] == want[5] and got[6] == want[6]
        assert got[7] == want[7]  # 140,000 characters: read in pieces, never cut short
        assert (got[8].to_date() if got[8] else None) == want[8]
        assert (got[9].to_datetime() if got[9] else None) == want[9]
        assert got[10] == (None if want[10] is None else bytes(want[10]))  # bytea as the same bytes
        # TIME through the row-by-row path (this table has an unbounded text column): microseconds kept.
        assert (str(got[11]) if got[11] else None) == (want[11].isoformat() if want[11] else None)


def test_bounded_columns_are_fetched_in_blocks_across_many_rows(tmp_path, pg, hyper_process):
    pg.psql("DROP TABLE IF EXISTS wide; CREATE TABLE wide (id int8, label varchar(40), amount numeric(12,3), d date, "
            "t time(6), ts timestamp);"
            "INSERT INTO wide SELECT g, 'label ✓ ' || g, g / 1000.0, DATE '2026-01-01' + g % 400, "
            "TIME '10:00' + g * interval '1 microsecond', TIMESTAMP '2020-01-01' + g * interval '1 second' "
            "FROM generate_series(1, 5000) g;"
            "INSERT INTO wide VALUES (NULL, NULL, NULL, NULL, NULL, NULL);")
    run(write_pipeline(tmp_path, psql_odbc(pg), "    table: wide"), env={"DB_PASSWORD": PASSWORD})
    rows, types = read(hyper_process, tmp_path / "out" / "p.hyper", "id NULLS LAST")
    assert types["label"] == "TEXT" and types["amount"] == "NUMERIC(12, 3)" and types["t"] == "TIME"
    with psycopg.connect(pg.url(password=True)) as connection:
        expected = connection.execute("SELECT * FROM wide ORDER BY id NULLS LAST").fetchall()
    assert len(rows) == len(expected) == 5001
    for got, want in zip(rows, expected):
        assert got[:3] == list(want[:3])
        assert (got[3].to_date() if got[3] else None) == want[3]
        assert (str(got[4]) if got[4] else None) == (want[4].isoformat() if want[4] else None)  # microseconds kept
        assert (got[5].to_datetime() if got[5] else None) == want[5]


def test_sqlite_through_its_odbc_driver_with_the_watermark(tmp_path, hyper_process):
    assert "SQLite3" in drivers(), "the SQLite ODBC driver is missing: scripts/bootstrap installs libsqliteodbc"
    path = tmp_path / "data.sqlite"
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE m (id INTEGER, v REAL, label TEXT);"
                     "INSERT INTO m VALUES (1, 0.5, 'a'), (2, NULL, 'b ✓'), (3, -2.25, NULL);")
    db.commit()
    pipeline = write_pipeline(tmp_path, "Driver={SQLite3};Database=" + str(path),
                              "    table: m\n    incremental: {column: id}", mode="append")
    run(pipeline)
    db.execute("INSERT INTO m VALUES (4, 1e10, 'new')")
    db.commit()
    run(pipeline)
    report = json.loads((tmp_path / "state" / "p.last-run.json").read_text())
    assert report["sources"][0]["rows_read"] == 1  # the condition ran in the database
    rows, _ = read(hyper_process, tmp_path / "out" / "p.hyper")
    assert rows == [list(r) for r in db.execute("SELECT * FROM m ORDER BY id").fetchall()]


def test_driver_errors_are_explained(tmp_path, pg):
    wrong = run(write_pipeline(tmp_path, psql_odbc(pg), "    table: t"), env={"DB_PASSWORD": "wrong-password-1"}, check=9)
    assert "cannot connect through ODBC" in wrong.stderr and "wrong-password-1" not in wrong.stderr
    assert "password authentication failed" in wrong.stderr
    unknown = run(write_pipeline(tmp_path, "Driver={No Such Driver};Database=x", "    table: t", name="u"), check=9)
    assert "Can't open lib 'No Such Driver'" in unknown.stderr and "odbcinst -q -d" in unknown.stderr
    query = run(write_pipeline(tmp_path, psql_odbc(pg), "    query: SELECT nope FROM t", name="q"),
                env={"DB_PASSWORD": PASSWORD}, check=None)
    assert query.returncode != 0 and "the database refused the query" in query.stderr and "nope" in query.stderr
    literal = write_pipeline(tmp_path, "DSN=x;PWD=hunter22", "    table: t", name="literal")
    refused = run(literal, check=8)
    assert "secrets belong in the environment" in refused.stderr and "hunter22" not in refused.stderr
