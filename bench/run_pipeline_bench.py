"""Issue #5 benchmark, one command:

    .venv/bin/python bench/run_pipeline_bench.py [--runs 3]

A 3-source pipeline (1M-row CSV, 500k nested NDJSON records, 50k-row .xlsx) with one join and
two outputs, both published to the local Tableau double: `hyperpipe run bench/pipeline_bench.yaml`
against bench/pandas_pipeline.py (pandas + pantab.frames_to_hyper + tableauserverclient). Whole
processes, start to exit, interleaved; medians of `runs`; each process's own peak RSS (hyperd
is a child and not counted, for either tool). The extracts are checked to agree (row counts and
sums) and both tools' data sources to be on the double. Writes bench/results/pipeline.json and
prints Markdown for BENCHMARKS.md."""
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
PAT = ("bench", "bench-secret")


def make_inputs():
    python = sys.executable
    inputs = {"mixed.csv": [python, "bench/make_csv.py", "--rows", "1000000", "--out"],
              "nested_500k.ndjson": [python, "bench/make_nested.py", "ndjson", "--rows", "500000", "--out"],
              "sheet_50k.xlsx": [python, "bench/make_nested.py", "xlsx", "--rows", "50000", "--out"]}
    for name, command in inputs.items():
        path = RESULTS / name
        stamp = path.with_suffix(path.suffix + ".made")
        if not stamp.exists():
            subprocess.run(command + [str(path)], cwd=ROOT, check=True)
            stamp.touch()


def query(file, sql):
    return subprocess.run([str(HYPERPIPE), "query", str(file), sql, "--format", "csv"], capture_output=True, text=True,
                          check=True).stdout.splitlines()[1:]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    make_inputs()
    double = subprocess.Popen([sys.executable, str(ROOT / "tests" / "doubles" / "tableau_server.py"), "--port", "0",
                               "--pat", f"{PAT[0]}:{PAT[1]}"], stdout=subprocess.PIPE, text=True)
    url = double.stdout.readline().split()[-1]
    env = {**os.environ, "BENCH_DIR": str(RESULTS), "TABLEAU_SERVER": url,
           "HYPERPIPE_TABLEAU_TOKEN_NAME": PAT[0], "HYPERPIPE_TABLEAU_TOKEN_SECRET": PAT[1]}
    ours = [str(HYPERPIPE), "run", str(ROOT / "bench" / "pipeline_bench.yaml"), "--progress", "never"]
    theirs = [sys.executable, str(ROOT / "bench" / "pandas_pipeline.py"), str(RESULTS), url]
    samples = {"hyperpipe": [], "pandas": []}
    try:
        for _ in range(args.runs):
            for name, command in (("hyperpipe", ours), ("pandas", theirs)):
                samples[name].append(run_sampled_rss(command, env=env))
    finally:
        double.terminate()
    out = RESULTS / "out"
    checks = {
        "orders": ('SELECT COUNT(*), COUNT(sheet_name), SUM(qty), CAST(SUM(sheet_amount) AS NUMERIC(18,2)) FROM "Extract"."Extract"',
                   out / "orders.hyper", RESULTS / "out_pandas" / "orders.hyper"),
        "videos": ('SELECT COUNT(*), SUM("statistics.views"), COUNT(DISTINCT "snippet.channel.id") FROM "Extract"."Extract"',
                   out / "videos.hyper", RESULTS / "out_pandas" / "videos.hyper"),
    }
    for name, (sql, mine, reference) in checks.items():
        a, b = query(mine, sql), query(reference, sql)
        assert a == b, f"{name}: hyperpipe {a} != pandas {b}"
    medians = {k: statistics.median(s for s, _ in v) for k, v in samples.items()}
    peaks = {k: max(r for _, r in v) for k, v in samples.items()}
    result = {"runs": args.runs, "samples": samples, "median_seconds": medians, "peak_rss_mib": peaks,
              "speedup": medians["pandas"] / medians["hyperpipe"]}
    (RESULTS / "pipeline.json").write_text(json.dumps(result, indent=2))
    print("| tool | median s | runs | peak RSS MiB |\n|---|---|---|---|")
    for name in samples:
        print(f"| {name} | {medians[name]:.2f} | {', '.join(f'{s:.2f}' for s, _ in samples[name])} | {peaks[name]:.0f} |")
    print(f"\nspeedup (pandas / hyperpipe): {result['speedup']:.2f}x")


if __name__ == "__main__":
    main()
