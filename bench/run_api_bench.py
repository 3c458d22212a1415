"""Issue #6 benchmark, one command:

    .venv/bin/python bench/run_api_bench.py [--runs 5]

1M records in 1,000 pages of 1,000 from a local web API (bench/api_server.py, pages rendered in
memory at start) into a .hyper with 4 requests in flight: `hyperpipe load URL` and
`hyperpipe run bench/api_bench.yaml` (the same through a pipeline: workspace and output copy)
against the Python way (bench/pandas_api.py: urllib with 4 threads + json_normalize + pantab),
and against hyperpipe loading the same records from a local NDJSON file (the cost without HTTP).
Whole processes, interleaved; medians; each process's own peak RSS. The extracts are checked to
hold the same rows and sums. Writes bench/results/api.json and prints Markdown."""
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


def query(file, sql):
    return subprocess.run([str(HYPERPIPE), "query", str(file), sql, "--format", "csv"], capture_output=True, text=True,
                          check=True).stdout.splitlines()[1:]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen([sys.executable, str(ROOT / "bench" / "api_server.py"), "--records", "1000000",
                               "--page-size", "1000"], stdout=subprocess.PIPE, text=True)
    url = server.stdout.readline().split()[-1]
    ndjson = RESULTS / "api_records.ndjson"
    try:
        sys.path.insert(0, str(ROOT / "bench"))
        from api_server import render
        with open(ndjson, "w") as out:
            for page in render(1_000_000, 1000):
                for item in json.loads(page)["items"]:
                    out.write(json.dumps(item, separators=(",", ":")) + "\n")
        env = {**os.environ, "BENCH_DIR": str(RESULTS), "API_URL": url}
        commands = {
            "hyperpipe load URL": [str(HYPERPIPE), "load", f"{url}/v1/videos?per_page=1000", "--records-path", "items",
                                   "--paginate", "page", "--concurrency", "4", "--allow-http", "--out",
                                   str(RESULTS / "api_load_url.hyper")],
            "hyperpipe run (pipeline, api source)": [str(HYPERPIPE), "run", str(ROOT / "bench" / "api_bench.yaml"),
                                                     "--progress", "never"],
            "urllib + pandas + pantab": [sys.executable, str(ROOT / "bench" / "pandas_api.py"), url,
                                         str(RESULTS / "api_pandas.hyper")],
            "hyperpipe load (same records, local NDJSON)": [str(HYPERPIPE), "load", str(ndjson), "--out",
                                                             str(RESULTS / "api_local.hyper")],
        }
        samples = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                samples[name].append(run_sampled_rss(command, env=env))
    finally:
        server.terminate()
    sql = 'SELECT COUNT(*), SUM("statistics.viewCount"), COUNT(DISTINCT "snippet.channelId") FROM "Extract"."Extract"'
    reference = query(RESULTS / "api_videos.hyper", sql)
    for other in ("api_pandas.hyper", "api_local.hyper", "api_load_url.hyper"):
        assert query(RESULTS / other, sql) == reference, f"{other} differs"
    medians = {k: statistics.median(s for s, _ in v) for k, v in samples.items()}
    peaks = {k: max(r for _, r in v) for k, v in samples.items()}
    (RESULTS / "api.json").write_text(json.dumps({"samples": samples, "median_seconds": medians, "peak_rss_mib": peaks},
                                                 indent=2))
    print("| tool | median s | records/s | runs (s) | peak RSS MiB |\n|---|---|---|---|---|")
    for name in samples:
        print(f"| {name} | {medians[name]:.2f} | {1e6 / medians[name]:,.0f} | "
              f"{', '.join(f'{s:.2f}' for s, _ in samples[name])} | {peaks[name]:.0f} |")


if __name__ == "__main__":
    main()
