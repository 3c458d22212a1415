"""Publish benchmark for issue #4, one command:

    .venv/bin/python bench/run_publish_bench.py [--rows 27000000] [--runs 3]

Publishes a ~1 GB .hyper (made by bench/insert_bench) to the local Tableau double
(tests/doubles/tableau_server.py) in 64 MB chunks: `hyperpipe publish` against
tableauserverclient (TSC_CHUNK_SIZE_MB=64), interleaved, whole processes. Reports median wall
time and each client's own peak RSS (VmHWM, sampled; hyperd and the double are other processes)."""
import argparse
import os
import pathlib
import statistics
import subprocess
import sys

from measure import run_sampled_rss

ROOT = pathlib.Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "release"
RESULTS = ROOT / "bench" / "results"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=27_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    extract = RESULTS / "publish.hyper"
    if not extract.exists():
        subprocess.run([str(BUILD / "bench" / "insert_bench"), "inserter", "--rows", str(args.rows), "--out", str(extract)],
                       check=True, stdout=subprocess.DEVNULL)
    double = subprocess.Popen([sys.executable, str(ROOT / "tests" / "doubles" / "tableau_server.py"), "--port", "0",
                               "--pat", "bench:bench-secret"], stdout=subprocess.PIPE, text=True)
    url = double.stdout.readline().split()[-1]
    env = {**os.environ, "HYPERPIPE_TABLEAU_TOKEN_NAME": "bench", "HYPERPIPE_TABLEAU_TOKEN_SECRET": "bench-secret",
           "TSC_CHUNK_SIZE_MB": "64"}
    samples = {"hyperpipe": [], "tableauserverclient": []}
    try:
        for run in range(args.runs):
            samples["hyperpipe"].append(run_sampled_rss(
                [str(BUILD / "src" / "hyperpipe"), "publish", str(extract), "--server", url, "--allow-http", "--name", f"hp-{run}"], env))
            samples["tableauserverclient"].append(run_sampled_rss(
                [sys.executable, str(ROOT / "bench" / "tsc_publish.py"), url, str(extract), f"tsc-{run}"], env))
    finally:
        double.terminate()
    size = extract.stat().st_size
    print(f"{size / 1e9:.2f} GB extract, 64 MB chunks, {args.runs} runs")
    print("| client | median s | MB/s | peak RSS MiB |")
    print("|---|---|---|---|")
    med = {}
    for name, runs in samples.items():
        med[name] = statistics.median(s[0] for s in runs)
        print(f"| {name} | {med[name]:.2f} | {size / 1e6 / med[name]:.0f} | {max(s[1] for s in runs):.0f} |")
    print(f"\nhyperpipe / tableauserverclient time: {med['hyperpipe'] / med['tableauserverclient']:.2f}x")


if __name__ == "__main__":
    main()
