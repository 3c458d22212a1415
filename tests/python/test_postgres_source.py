"""PostgreSQL sources against a real server that the tests start (tests/python/pg_server.py):
every mapped type and NULLs compared value by value with what psycopg reads from the same table,
parallel ranges over several connections, the watermark pushed down, and the failures users
meet: unreachable server, wrong password, a query error, a server killed mid-stream. Nothing is
hard-coded: expected values come from PostgreSQL itself."""
import datetime as dt
import decimal
import json
import os
import socket
import subprocess
import time

import psycopg
import pytest
from tableauhyperapi import Connection, TableName

import db_pipeline
from db_pipeline import HYPERPIPE
from pg_server import PASSWORD, PostgresServer


@pytest.fixture(scope="module")
def pg():
    server = PostgresServer()
    yield server
    server.close()


def write_pipeline(tmp_path, source, name="p", mode="replace"):
    return db_pipeline.write_pipeline(tmp_path, "    type: postgres\n    connection: ${PG_URL}\n" + source, name, mode)


def run(pg, pipeline, env=None, check=0):
    return db_pipeline.run(pipeline, {"PG_URL": pg.url(), **pg.environment(), **(env or {})}, check)


def hyper_rows(hyper_process, file, order_by):
    return db_pipeline.read(hyper_process, file, order_by)[0]


def pg_rows(pg, sql):
    with psycopg.connect(pg.url(password=True)) as connection:
        return connection.execute(sql).fetchall()


TYPES_TABLE = """
DROP TABLE IF EXISTS every_type; DROP TYPE IF EXISTS mood; DROP DOMAIN IF EXISTS price;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN price AS numeric(10,2);
CREATE TABLE every_type (
  id int4 PRIMARY KEY, b bool, i2 int2, i8 int8, f4 float4, f8 float8,
  n numeric(12,2), wide numeric(30,10), free numeric, t text, vc varchar(10), ch char(3), v_name name,
  raw bytea, d date, tm time, ts timestamp, tstz timestamptz, iv interval,
  u uuid, js json, jb jsonb, ints int4[], words text[], m mood, p price, addr inet, o oid);
INSERT INTO every_type VALUES
 (1, true, -32768, 9223372036854775807, 1.5, -2.25e300,
  -1234567890.12, 12345678901234567890.0123456789, 3.14159, 'héllo ☃ 😀', 'varchar', 'ab', 'a_name',
  '\\x00ff10', '1969-07-20', '23:59:59.999999', '1999-12-31 23:59:59.5', '2026-03-29 01:30:00+01', '1 year 2 mons 3 days 04:05:06.7',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2]}', '{"b": null}', '{1,NULL,3}', '{"x y",z}', 'happy', 19.99,
  '192.168.0.1/24', 42),
 (2, false, 0, -9223372036854775808, 0, 0, 0.01, -0.0000000001, -1e-20, '', '', '', '', '\\x', '2000-01-01', '00:00',
  '2000-01-01 00:00', '1900-01-01 00:00:00+00', '-1 days', '00000000-0000-0000-0000-000000000000', '[]', '{}', '{}', '{}',
  'sad', -0.5, '::1', 0),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
"""


def normalise_pg(row):
    """psycopg's Python values as tableauhyperapi returns Hyper's (same ordering of columns)."""
    out = []
    for value in row:
        if isinstance(value, memoryview):
            value = bytes(value)
        out.append(value)
    return out


def test_every_type_and_null_arrives_exactly(tmp_path, pg, hyper_process):
    pg.psql(TYPES_TABLE)
    pipeline = write_pipeline(tmp_path, "    table: public.every_type")
    # NUMERIC(30,10) needs file version 3 (hyperpipe says so when it is missing).
    pipeline.write_text(pipeline.read_text().replace("    file: out/p.hyper", "    file: out/p.hyper\n    file_version: 3"))
    result = run(pg, pipeline)
    got = hyper_rows(hyper_process, tmp_path / "out" / "p.hyper", "id")
    # PostgreSQL's own view, with the documented casts: json, uuid, enums and unknown types as
    # text, arrays as JSON text, unconstrained numeric as double, oid as bigint.
    expected = pg_rows(pg, """SELECT id, b, i2, i8, f4, f8, n, wide, free::float8, t, vc, ch, v_name, raw, d, tm, ts, tstz, iv,
                                     u::text, js::text, jb::text, to_json(ints)::text, to_json(words)::text, m::text, p,
                                     addr::text, o::int8
                              FROM every_type ORDER BY id""")
    assert len(got) == len(expected) == 3
    for hyper_row, pg_row in zip(got, expected):
        for column, (h, p) in enumerate(zip(hyper_row, normalise_pg(pg_row))):
            if p is None:
                assert h is None, f"column {column}: {h!r} for NULL"
            elif isinstance(p, float):
                assert float(h) == pytest.approx(p, rel=1e-7 if column == 4 else 0), f"column {column}"
            elif isinstance(p, decimal.Decimal):
                assert decimal.Decimal(str(h)) == p, f"column {column}: {h!r} vs {p!r}"
            elif isinstance(p, dt.datetime) and p.tzinfo is not None:
                assert h.to_datetime() == p.astimezone(dt.timezone.utc), f"column {column}"
            elif isinstance(p, (dt.datetime, dt.date, dt.time)):
                assert h.to_datetime() == p if isinstance(p, dt.datetime) else str(h) == str(p) or h.to_date() == p, \
                    f"column {column}: {h!r} vs {p!r}"
            elif isinstance(p, dt.timedelta):  # compared by PostgreSQL's own parts below
                pass
            else:
                assert h == p, f"column {column}: {h!r} vs {p!r}"
    # Intervals keep months, days and microseconds apart, as PostgreSQL does.
    parts = pg_rows(pg, """SELECT (date_part('year', iv) * 12 + date_part('month', iv))::int, date_part('day', iv)::int,
                                  round((date_part('hour', iv) * 3600 + date_part('minute', iv) * 60
                                         + date_part('second', iv)) * 1e6)::int8
                           FROM every_type WHERE iv IS NOT NULL ORDER BY id""")
    assert [(r[18].months, r[18].days, r[18].microseconds) for r in got[:2]] == [tuple(p) for p in parts]
    # Types: exact where Hyper has the type.
    with Connection(hyper_process.endpoint, str(tmp_path / "out" / "p.hyper")) as connection:
        definition = connection.catalog.get_table_definition(TableName("Extract", "Extract"))
        types = {str(c.name).strip('"'): str(c.type) for c in definition.columns}
    assert types["n"] == "NUMERIC(12, 2)" and types["wide"] == "NUMERIC(30, 10)" and types["p"] == "NUMERIC(10, 2)"
    assert types["tstz"] == "TIMESTAMP_TZ" and types["ts"] == "TIMESTAMP" and types["raw"] == "BYTES"
    assert types["i2"] == "SMALL_INT" and types["i8"] == "BIG_INT" and types["f4"] == "DOUBLE" and types["iv"] == "INTERVAL"
    # The lossy mappings are said, once each, in the run report.
    report = json.loads((tmp_path / "state" / "p.last-run.json").read_text())
    notes = " | ".join(report["sources"][0]["notes"])
    assert "column free: numeric without precision" in notes and "column addr: type inet" in notes
    assert "mood" not in notes and "ints" not in notes
    assert report["sources"][0]["rows_read"] == report["sources"][0]["rows_loaded"] == 3
    assert PASSWORD not in result.stdout + result.stderr + json.dumps(report)


def test_a_query_source_and_values_hyper_cannot_hold(tmp_path, pg, hyper_process):
    pg.psql("DROP TABLE IF EXISTS events; CREATE TABLE events (id int, at timestamptz);"
            "INSERT INTO events VALUES (1, '2026-01-01 00:00+00'), (2, 'infinity');")
    pipeline = write_pipeline(tmp_path, "    query: SELECT id * 10 AS id10, at FROM events WHERE id = 1")
    run(pg, pipeline)
    assert hyper_rows(hyper_process, tmp_path / "out" / "p.hyper", "1")[0][0] == 10
    bad = write_pipeline(tmp_path, "    query: SELECT * FROM events", name="bad")
    result = run(pg, bad, check=9)
    assert "source src" in result.stderr and "column at: timestamp 'infinity' cannot be stored in Hyper" in result.stderr
    assert "row 2" in result.stderr
    assert not (tmp_path / "out" / "bad.hyper").exists()


def test_parallel_ranges_read_every_row_once_from_one_snapshot(tmp_path, pg, hyper_process):
    pg.psql("DROP TABLE IF EXISTS big; CREATE TABLE big (id int8, grp int, label text);"
            "INSERT INTO big SELECT g, g % 7, 'row ' || g FROM generate_series(-5000, 245000) g;"
            "INSERT INTO big VALUES (NULL, 1, 'no key'), (NULL, 2, 'no key either');")
    pipeline = write_pipeline(tmp_path, "    table: big\n    partition: {column: id, parts: 4}\n    batch_rows: 10000")
    run(pg, pipeline)
    with Connection(hyper_process.endpoint, str(tmp_path / "out" / "p.hyper")) as connection:
        count, distinct, total, nulls = connection.execute_list_query(
            'SELECT COUNT(*), COUNT(DISTINCT id), SUM(id), COUNT(*) FILTER (WHERE id IS NULL) FROM "Extract"."Extract"')[0]
    expected = pg_rows(pg, "SELECT COUNT(*), COUNT(DISTINCT id), SUM(id), COUNT(*) FILTER (WHERE id IS NULL) FROM big")[0]
    assert (count, distinct, total, nulls) == tuple(int(v) for v in expected)
    notes = json.loads((tmp_path / "state" / "p.last-run.json").read_text())["sources"][0]["notes"]
    assert "read in 4 ranges of id over 4 connections sharing one snapshot" in notes
    bad = write_pipeline(tmp_path, "    table: big\n    partition: {column: label, parts: 4}", name="bad")
    assert "partition column \"label\" is not an integer column" in run(pg, bad, check=None).stderr


def test_the_watermark_is_pushed_down(tmp_path, pg, hyper_process):
    pg.psql("DROP TABLE IF EXISTS orders; CREATE TABLE orders (id int, updated timestamptz, amount numeric(8,2));"
            "INSERT INTO orders SELECT g, '2026-01-01'::timestamptz + g * interval '1 hour', g FROM generate_series(1, 100) g;")
    pipeline = write_pipeline(tmp_path, "    table: orders\n    incremental: {column: updated}", mode="append")
    run(pg, pipeline)
    pg.psql("SELECT pg_stat_reset();")
    pg.psql("INSERT INTO orders SELECT g, '2026-01-01'::timestamptz + g * interval '1 hour', g FROM generate_series(101, 130) g;")
    run(pg, pipeline)
    report = json.loads((tmp_path / "state" / "p.last-run.json").read_text())
    source = report["sources"][0]
    # Only the 30 new rows crossed the wire: the condition ran in PostgreSQL.
    assert source["rows_read"] == 30 and source["rows_skipped_by_watermark"] == 0
    assert source["watermark_before"].startswith("2026-01-05 04:00:00")
    rows = hyper_rows(hyper_process, tmp_path / "out" / "p.hyper", "id")
    assert [r[0] for r in rows] == list(range(1, 131))
    run(pg, pipeline)  # nothing new: nothing read, nothing duplicated
    assert json.loads((tmp_path / "state" / "p.last-run.json").read_text())["sources"][0]["rows_read"] == 0
    assert len(hyper_rows(hyper_process, tmp_path / "out" / "p.hyper", "id")) == 130


def test_a_text_watermark_with_quotes_and_backslashes_stays_a_value(tmp_path, pg, hyper_process):
    tricky = "zO'Brien \\' OR true; --"  # the largest value: it becomes the watermark
    with psycopg.connect(pg.url(password=True)) as connection:
        connection.execute("DROP TABLE IF EXISTS names; CREATE TABLE names (n text)")
        connection.execute("INSERT INTO names VALUES ('a'), (%s)", (tricky,))
    pipeline = write_pipeline(tmp_path, "    query: SELECT n FROM names; -- trailing\n    incremental: {column: n}",
                              mode="append")
    run(pg, pipeline)
    assert json.loads((tmp_path / "state" / "p.state.json").read_text())["sources"]["src"]["watermark"] == tricky
    pg.psql("INSERT INTO names VALUES ('zz'), ('b');")
    run(pg, pipeline)
    report = json.loads((tmp_path / "state" / "p.last-run.json").read_text())
    # Only 'zz' sorts after the watermark: it was compared as one literal value.
    assert report["sources"][0]["rows_read"] == 1
    assert sorted(r[0] for r in hyper_rows(hyper_process, tmp_path / "out" / "p.hyper", "1")) == \
        sorted(r[0] for r in pg_rows(pg, "SELECT n FROM names WHERE n <> 'b'"))


def test_a_bad_value_in_one_range_stops_every_range(tmp_path, pg):
    pg.psql("DROP TABLE IF EXISTS ranged; CREATE TABLE ranged (id int8, at timestamptz);"
            "INSERT INTO ranged SELECT g, now() FROM generate_series(1, 400000) g;"
            "UPDATE ranged SET at = 'infinity' WHERE id = 399000;")
    pipeline = write_pipeline(tmp_path, "    table: ranged\n    partition: {column: id, parts: 4}\n    batch_rows: 1000")
    started = time.monotonic()
    result = run(pg, pipeline, check=9)
    assert "column at: timestamp 'infinity' cannot be stored in Hyper" in result.stderr
    assert time.monotonic() - started < 60
    assert pg.psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hyperpipe'").strip() == "0"


def test_settings_from_pg_variables_and_the_password_from_a_pgpass_file(tmp_path, pg, hyper_process):
    pg.psql("DROP TABLE IF EXISTS plain; CREATE TABLE plain (id int); INSERT INTO plain VALUES (7);")
    pipeline = db_pipeline.write_pipeline(tmp_path, "    type: postgres\n    table: plain")  # no connection key
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:{pg.port}:hyperpipe:hyperpipe_test:{PASSWORD}\n")
    passfile.chmod(0o600)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    # The user's PG* settings are for their server; hyperpipe's own connections to hyperd ignore them.
    environment.update(PGHOST="127.0.0.1", PGPORT=str(pg.port), PGUSER="hyperpipe_test", PGDATABASE="hyperpipe",
                       PGPASSFILE=str(passfile), PGOPTIONS="-c statement_timeout=600000", PGCLIENTENCODING="LATIN1",
                       PGAPPNAME="reports", PGCONNECT_TIMEOUT="5", PGDATESTYLE="German", PGTZ="Asia/Tokyo")
    result = subprocess.run([HYPERPIPE, "run", str(pipeline), "--progress", "never"], capture_output=True, text=True,
                            env=environment, timeout=120)
    assert result.returncode == 0, result.stderr
    assert hyper_rows(hyper_process, tmp_path / "out" / "p.hyper", "1") == [[7]]


def test_clear_errors_for_unreachable_server_wrong_password_and_bad_query(tmp_path, pg):
    pipeline = write_pipeline(tmp_path, "    table: nowhere")
    closed = run(pg, pipeline, env={"PG_URL": "postgresql://hyperpipe_test@127.0.0.1:1/hyperpipe"}, check=9)
    assert "source src: cannot connect to PostgreSQL" in closed.stderr and "check the host and port" in closed.stderr
    wrong = run(pg, pipeline, env={"PGPASSWORD": "not-the-password"}, check=9)
    assert "password authentication failed" in wrong.stderr and "PGPASSWORD" in wrong.stderr
    assert "not-the-password" not in wrong.stderr + wrong.stdout
    missing = run(pg, pipeline, check=None)
    assert missing.returncode != 0 and 'relation "nowhere" does not exist' in missing.stderr
    assert "42P01" in missing.stderr or "SQLSTATE" in missing.stderr or "source src" in missing.stderr
    # A malformed string is refused without repeating it (libpq's message could quote a password).
    malformed = run(pg, pipeline, env={"PG_URL": "postgresql://u:50%zzoff@127.0.0.1/x"}, check=None)
    assert malformed.returncode != 0 and "connection string is malformed" in malformed.stderr
    assert "50%zzoff" not in malformed.stderr
    literal = write_pipeline(tmp_path, "    table: t", name="literal").read_text().replace(
        "${PG_URL}", "postgresql://u:hunter22@db.example.com/x")
    (tmp_path / "literal.yaml").write_text(literal)
    refused = run(pg, tmp_path / "literal.yaml", check=8)
    assert "secrets belong in the environment" in refused.stderr and "hunter22" not in refused.stderr


def machine_address():
    """This machine's address on its network (not loopback), as another host would reach it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.254", 9))  # no packet is sent: this only picks the outgoing address
        address = probe.getsockname()[0]
    assert not address.startswith("127."), "no network address to test a non-local server with"
    return address


def test_a_server_that_is_not_local_must_speak_verified_tls(tmp_path):
    server = PostgresServer(listen_all=True)  # a server without TLS, reached by a network address
    try:
        address = machine_address()
        server.psql("CREATE TABLE t (id int); INSERT INTO t VALUES (1);")
        pipeline = write_pipeline(tmp_path, "    table: t")
        remote_url = f"postgresql://hyperpipe_test@{address}:{server.port}/hyperpipe"
        verified = db_pipeline.run(pipeline, {"PG_URL": remote_url, **server.environment()}, check=9)
        assert "server does not support SSL, but SSL was required" in verified.stderr, verified.stderr
        assert "sslmode=disable" in verified.stderr  # the hint says how to accept it knowingly
        # The address only in PGHOSTADDR: verified TLS is asked for before connecting, too.
        by_address = db_pipeline.run(pipeline, {"PG_URL": "dbname=hyperpipe user=hyperpipe_test port=" + str(server.port),
                                                "PGHOSTADDR": address, **server.environment()}, check=9)
        assert "server does not support SSL, but SSL was required" in by_address.stderr, by_address.stderr
        # The host only in a service file (unknown before connecting): refused once connected.
        services = tmp_path / "pg_service.conf"
        services.write_text(f"[warehouse]\nhost={address}\nport={server.port}\ndbname=hyperpipe\nuser=hyperpipe_test\n")
        bypass = db_pipeline.run(pipeline, {"PG_URL": "service=warehouse", "PGSERVICEFILE": str(services),
                                            **server.environment()}, check=9)
        assert f"refusing an unencrypted connection to {address}" in bypass.stderr, bypass.stderr
        # Said explicitly, it is the user's choice.
        explicit = db_pipeline.run(pipeline, {"PG_URL": remote_url + "?sslmode=disable", **server.environment()})
        assert explicit.returncode == 0
    finally:
        server.close()


def test_a_server_killed_mid_stream_fails_the_run_and_keeps_the_previous_extract(tmp_path, hyper_process):
    server = PostgresServer()
    try:
        server.psql("CREATE TABLE big (id int8, payload text);"
                    "INSERT INTO big SELECT g, repeat('x', 200) FROM generate_series(1, 3000000) g;")
        pipeline = write_pipeline(tmp_path, "    query: SELECT * FROM big WHERE id <= 1000")
        run(server, pipeline)
        before = (tmp_path / "out" / "p.hyper").read_bytes()
        pipeline.write_text(pipeline.read_text().replace(" WHERE id <= 1000", ""))
        environment = dict(os.environ, PG_URL=server.url(), **server.environment())
        process = subprocess.Popen([HYPERPIPE, "run", str(pipeline), "--progress", "never"], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, env=environment)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait until the COPY is streaming
            active = server.psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hyperpipe' "
                                 "AND query LIKE 'COPY%'").strip()
            if active == "1":
                break
            time.sleep(0.05)
        time.sleep(0.3)
        server.kill()
        out, err = process.communicate(timeout=120)
        assert process.returncode == 9, err
        assert "lost the connection to PostgreSQL" in err or "server closed the connection" in err, err
        assert "after" in err and "rows" in err
        assert (tmp_path / "out" / "p.hyper").read_bytes() == before
    finally:
        server.close()
