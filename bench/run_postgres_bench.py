"""Issue #8 benchmark, one command:

    .venv/bin/python bench/run_postgres_bench.py [--rows 5000000] [--runs 3]

A PostgreSQL table of 5M rows (8 columns: bigint, int, numeric(12,2), int, double, text,
timestamptz, text with 10% NULLs) on a real server this script starts (tests/python/pg_server.py,
127.0.0.1, password authentication), into a .hyper:
  - hyperpipe run (postgres source, one connection; and in 2 ranges over 2 connections);
  - pandas.read_sql (SQLAlchemy + psycopg 3) + pantab.frame_to_hyper, the usual Python way;
  - psql COPY ... TO STDOUT (FORMAT binary) > /dev/null: PostgreSQL's own speed of sending the
    rows, the limit any client can reach.
Whole processes, interleaved, medians; each client process's own peak RSS (hyperd and the server
not counted). The extracts are checked to hold the same rows, sums and NULL counts. Writes
bench/results/postgres.json and prints Markdown."""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys

from measure import run_sampled_rss

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
HYPERPIPE = ROOT / "build" / "release" / "src" / "hyperpipe"
sys.path.insert(0, str(ROOT / "tests" / "python"))
from pg_server import PostgresServer  # noqa: E402

PANDAS_SCRIPT = """
import sys, pandas as pd, pantab, sqlalchemy
engine = sqlalchemy.create_engine(sys.argv[1].replace("postgresql://", "postgresql+psycopg://"))
frame = pd.read_sql("SELECT * FROM orders", engine)
pantab.frame_to_hyper(frame, sys.argv[2], table="orders")
"""

PIPELINE = """version: 1
name: {name}
state_dir: {state}
sources:
  orders:
    type: postgres
    connection: ${{PG_URL}}
    table: orders
{partition}
outputs:
  orders:
    file: {out}
    tables: [{{name: Extract.orders, from: orders}}]
"""


def check(hyper_file, table):
    sql = (f'SELECT COUNT(*), SUM(id), SUM(amount), SUM(quantity), COUNT(note), MIN(created_at), MAX(created_at) '
           f'FROM {table}')
    return subprocess.run([str(HYPERPIPE), "query", str(hyper_file), sql, "--format", "csv"], capture_output=True,
                          text=True, check=True).stdout.splitlines()[1:]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    server = PostgresServer()
    try:
        server.psql(f"""CREATE TABLE orders (id int8 PRIMARY KEY, customer_id int4, amount numeric(12,2), quantity int4,
                          price float8, status text, created_at timestamptz, note text);
                        INSERT INTO orders SELECT g, g % 100000, (g % 1000000) / 100.0, g % 50, g * 0.25,
                               (ARRAY['new','paid','shipped','returned'])[1 + g % 4],
                               '2020-01-01'::timestamptz + g * interval '7 seconds',
                               CASE WHEN g % 10 = 0 THEN NULL ELSE 'note for order ' || g END
                        FROM generate_series(1, {args.rows}) g;
                        VACUUM ANALYZE orders;""")
        env = {**os.environ, "PG_URL": server.url(), **server.environment()}
        pipelines = {}
        for name, partition in (("pg_one", ""), ("pg_ranges", "    partition: {column: id, parts: 2}")):
            path = RESULTS / f"{name}.yaml"
            path.write_text(PIPELINE.format(name=name, state=RESULTS / "pg_state", partition=partition,
                                            out=RESULTS / f"{name}.hyper"))
            pipelines[name] = path
        commands = {
            "hyperpipe run (postgres source)": [str(HYPERPIPE), "run", str(pipelines["pg_one"]), "--progress", "never"],
            "hyperpipe run (2 ranges, 2 connections)": [str(HYPERPIPE), "run", str(pipelines["pg_ranges"]), "--progress",
                                                        "never"],
            "pandas.read_sql + pantab": [sys.executable, "-c", PANDAS_SCRIPT, server.url(password=True),
                                         str(RESULTS / "pg_pandas.hyper")],
            "limit: psql COPY binary > /dev/null": [str(server.bindir / "psql"), "-X", "-q", "-h", "127.0.0.1", "-p",
                                                    str(server.port), "-U", "hyperpipe_test", "-d", "hyperpipe", "-c",
                                                    "COPY orders TO STDOUT (FORMAT binary)", "-o", "/dev/null"],
        }
        samples = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                samples[name].append(run_sampled_rss(command, env=env))
    finally:
        server.close()
    medians = {k: statistics.median(s for s, _ in v) for k, v in samples.items()}
    peaks = {k: max(r for _, r in v) for k, v in samples.items()}
    (RESULTS / "postgres.json").write_text(json.dumps({"rows": args.rows, "samples": samples, "median_seconds": medians,
                                                      "peak_rss_mib": peaks}, indent=2))
    reference = check(RESULTS / "pg_one.hyper", '"Extract"."orders"')[0].split(",")
    assert check(RESULTS / "pg_ranges.hyper", '"Extract"."orders"')[0].split(",") == reference, "ranges differ"
    theirs = check(RESULTS / "pg_pandas.hyper", '"public"."orders"')[0].split(",")
    # Same rows; pandas reads numeric(12,2) as float64, so its amount sum is only close.
    assert [theirs[i] for i in (0, 1, 3, 4)] == [reference[i] for i in (0, 1, 3, 4)], f"pandas differs: {theirs}"
    assert abs(float(theirs[2]) - float(reference[2])) < 1.0, f"pandas amount: {theirs[2]} vs {reference[2]}"
    print(f"hyperpipe: amount NUMERIC(12,2), exact sum {reference[2]}; pandas: DOUBLE, sum {theirs[2]}")
    pandas = medians["pandas.read_sql + pantab"]
    print("| tool | median s | rows/s | vs pandas | runs (s) | peak RSS MiB |\n|---|---|---|---|---|---|")
    for name in samples:
        print(f"| {name} | {medians[name]:.2f} | {args.rows / medians[name]:,.0f} | {pandas / medians[name]:.1f}x | "
              f"{', '.join(f'{s:.2f}' for s, _ in samples[name])} | {peaks[name]:.0f} |")


if __name__ == "__main__":
    main()
