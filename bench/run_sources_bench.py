"""JSON and Excel load benchmarks for issue #3 (b) and (c), one command:

    .venv/bin/python bench/run_sources_bench.py [--json-rows 1000000] [--xlsx-rows 200000] [--runs 3]

(b) 1M nested NDJSON records: `hyperpipe load` vs json.loads + pandas.json_normalize + pantab.
(c) a 200k-row x 10-column .xlsx: `hyperpipe load` vs pandas.read_excel (openpyxl) + pantab.
Whole processes, start to exit, interleaved; medians of `runs`. The extracts are checked to hold
the same row counts and sums. Writes bench/results/sources.json and prints Markdown."""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "release"
RESULTS = ROOT / "bench" / "results"
HYPERPIPE = BUILD / "src" / "hyperpipe"


def wall(command):
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{command} failed:\n{result.stderr}")
    return time.perf_counter() - started


def scalar(path, sql):
    return subprocess.run([str(HYPERPIPE), "query", str(path), sql, "--format", "csv"], capture_output=True,
                          text=True, check=True).stdout


def measure(name, inputs, ours, theirs, runs, check_sql):
    samples = {"hyperpipe": [], "pandas": []}
    for _ in range(runs):
        samples["hyperpipe"].append(wall(ours))
        samples["pandas"].append(wall(theirs))
    ours_out, theirs_out = pathlib.Path(ours[ours.index("--out") + 1]), pathlib.Path(theirs[-1])
    assert scalar(ours_out, check_sql) == scalar(theirs_out, check_sql), f"{name}: the extracts differ"
    med = {k: statistics.median(v) for k, v in samples.items()}
    return {"name": name, "input_bytes": inputs.stat().st_size, "samples": samples, "median": med,
            "speedup": med["pandas"] / med["hyperpipe"]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--json-rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    ndjson, xlsx = RESULTS / "nested.ndjson", RESULTS / "sheet.xlsx"
    make = [sys.executable, str(ROOT / "bench" / "make_nested.py")]
    # The generators are deterministic: an input made by an earlier run with the same size is reused.
    for kind, rows, path in (("ndjson", args.json_rows, ndjson), ("xlsx", args.xlsx_rows, xlsx)):
        stamp = path.with_suffix(path.suffix + f".{rows}.made")
        if not (path.exists() and stamp.exists()):
            subprocess.run(make + [kind, "--rows", str(rows), "--out", str(path)], check=True)
            stamp.touch()
    results = [
        measure("(b) NDJSON, nested", ndjson,
                [str(HYPERPIPE), "load", str(ndjson), "--out", str(RESULTS / "json_hyperpipe.hyper")],
                [sys.executable, str(ROOT / "bench" / "pandas_json.py"), str(ndjson), str(RESULTS / "json_pandas.hyper")],
                args.runs, 'SELECT count(*), sum("statistics.views"), count("snippet.publishedAt") FROM "Extract"."Extract"'),
        measure("(c) Excel .xlsx", xlsx,
                [str(HYPERPIPE), "load", str(xlsx), "--out", str(RESULTS / "xlsx_hyperpipe.hyper")],
                [sys.executable, str(ROOT / "bench" / "pandas_excel.py"), str(xlsx), str(RESULTS / "xlsx_pandas.hyper")],
                args.runs, 'SELECT count(*), sum(id), sum(qty), CAST(min(day) AS DATE), max("at") FROM "Extract"."Extract"'),
    ]
    (RESULTS / "sources.json").write_text(json.dumps(results, indent=2))
    print("| benchmark | input | hyperpipe s | pandas + pantab s | speed-up |")
    print("|---|---|---|---|---|")
    for r in results:
        print(f"| {r['name']} | {r['input_bytes'] / 1e6:.0f} MB | {r['median']['hyperpipe']:.2f} | "
              f"{r['median']['pandas']:.2f} | {r['speedup']:.1f}x |")


if __name__ == "__main__":
    main()
