"""CSV load benchmark for issue #3 (a) and (d), one command:

    .venv/bin/python bench/run_csv_bench.py [--rows 1000000] [--runs 5] [--big-gb 2]

(a) a generated N-row x 12-column CSV (bench/make_csv.py), loaded side by side, interleaved, as
    whole processes (start to exit): `hyperpipe load` (a plain file: hyperd copies it, checked);
    `hyperpipe load --no-server-copy` (hyperpipe's own reading); pandas.read_csv + pantab.frame_to_hyper;
    and the engine limit, hyperd's own server-side COPY of the file into a table that already
    has the right types (bench/csv_copy_limit). Medians of `runs`.
(d) hyperpipe's peak RSS while loading a ~`big-gb` GB CSV (the same rows repeated).
Writes bench/results/csv.json and prints a Markdown table for BENCHMARKS.md."""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

from measure import run_sampled_rss

ROOT = pathlib.Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "release"
RESULTS = ROOT / "bench" / "results"
HYPERPIPE = BUILD / "src" / "hyperpipe"
SCHEMA = ("id INTEGER, customer BIGINT, amount NUMERIC(5,2), ratio NUMERIC(7,6), qty INTEGER, name TEXT, city TEXT, "
          "day DATE, seen_at TIMESTAMP, active BOOLEAN, code TEXT, note TEXT")


def run(command):
    """(wall seconds, peak RSS MiB of the process itself and the children it waited for, stdout)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    out, err = process.stdout.read().decode(), process.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{command} failed:\n{err}")
    return wall, usage.ru_maxrss / 1024, out


def checksum(path):
    sql = ('SELECT count(*), sum(id), sum(customer % 1000003), sum(CAST(amount * 100 AS BIGINT)), count(note), '
           'min(day), max(seen_at), sum(CASE WHEN active THEN 1 ELSE 0 END), min(city), max(code) '
           'FROM "Extract"."Extract"')
    return subprocess.run([str(HYPERPIPE), "query", str(path), sql, "--format", "csv"], capture_output=True,
                          text=True, check=True).stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--big-gb", type=float, default=2.0)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    csv = RESULTS / "mixed.csv"
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_csv.py"), "--rows", str(args.rows), "--out", str(csv)],
                   check=True)
    variants = {
        "hyperpipe load": [str(HYPERPIPE), "load", str(csv), "--out", str(RESULTS / "csv_hyperpipe.hyper")],
        "hyperpipe load --no-server-copy": [str(HYPERPIPE), "load", str(csv), "--out", str(RESULTS / "csv_client.hyper"),
                                            "--no-server-copy"],
        "hyper COPY (limit)": [str(BUILD / "bench" / "csv_copy_limit"), str(csv), str(RESULTS / "csv_limit.hyper"),
                               SCHEMA],
        "pandas + pantab": [sys.executable, str(ROOT / "bench" / "pandas_csv.py"), str(csv),
                            str(RESULTS / "csv_pantab.hyper")],
    }
    samples = {name: [] for name in variants}
    for _ in range(args.runs):
        for name, command in variants.items():
            wall, rss, _ = run(command)
            samples[name].append({"wall_seconds": wall, "rss_with_children_mib": rss})
    ours, limit = checksum(RESULTS / "csv_hyperpipe.hyper"), checksum(RESULTS / "csv_limit.hyper")
    assert ours == limit, f"hyperpipe and hyperd's COPY disagree:\n{ours}\n{limit}"
    client = checksum(RESULTS / "csv_client.hyper")
    assert client == ours, f"hyperpipe's own reading and hyperd's checked copy disagree:\n{client}\n{ours}"

    # (d): about big-gb of CSV, the same rows repeated, and hyperpipe's own peak RSS loading it.
    big = RESULTS / "big.csv"
    copies = max(1, round(args.big_gb * 1e9 / csv.stat().st_size))
    with open(csv, "rb") as src:
        header, body = src.readline(), src.read()
    with open(big, "wb") as out:
        out.write(header)
        for _ in range(copies):
            out.write(body)
    big_size = big.stat().st_size
    big_seconds, big_rss = run_sampled_rss([str(HYPERPIPE), "load", str(big), "--out", str(RESULTS / "big.hyper")])
    big.unlink()
    (RESULTS / "big.hyper").unlink()

    med = {name: statistics.median(s["wall_seconds"] for s in runs) for name, runs in samples.items()}
    summary = {"rows": args.rows, "runs": args.runs, "csv_bytes": csv.stat().st_size, "median_wall_seconds": med,
               "ratio_to_limit": med["hyperpipe load"] / med["hyper COPY (limit)"],
               "client_reading_ratio_to_limit": med["hyperpipe load --no-server-copy"] / med["hyper COPY (limit)"],
               "speedup_vs_pandas": med["pandas + pantab"] / med["hyperpipe load"],
               "big_csv_bytes": big_size, "big_client_peak_rss_mib": big_rss, "big_seconds": big_seconds,
               "samples": samples, "checksum": ours}
    (RESULTS / "csv.json").write_text(json.dumps(summary, indent=2))
    print("| variant | median s (start to exit) | rows/s |")
    print("|---|---|---|")
    for name in variants:
        print(f"| {name} | {med[name]:.2f} | {args.rows / med[name] / 1e6:.2f} M |")
    print()
    print(f"- hyperpipe --no-server-copy / limit: {summary['client_reading_ratio_to_limit']:.2f}x the time")
    print(f"- hyperpipe / limit: {summary['ratio_to_limit']:.2f}x the time; "
          f"vs pandas + pantab: {summary['speedup_vs_pandas']:.1f}x faster")
    print(f"- {big_size / 1e9:.2f} GB CSV: hyperpipe client peak RSS {big_rss:.0f} MiB, {big_seconds:.1f} s "
          f"({big_size / big_seconds / 1e6:.0f} MB/s)")


if __name__ == "__main__":
    main()
