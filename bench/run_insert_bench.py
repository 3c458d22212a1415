"""Side-by-side insert benchmark for issue #2, one command:

    .venv/bin/python bench/run_insert_bench.py [--rows 5000000] [--runs 5] [--rss-rows 50000000]

Runs, interleaved, `runs` times each: hyperpipe's inserter, the engine limit (the same rows
pre-encoded, hyperd alone), and pantab.frame_to_hyper from a pandas DataFrame of the same data.
Each run is a fresh process; end-to-end time is process start to exit (file closed). Reports
medians, checks that both extracts hold identical data, then measures hyperpipe's peak RSS at
`rss-rows`. Writes bench/results/insert.json and prints a Markdown table for BENCHMARKS.md."""
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


def run(command):
    """Runs a command; returns (parsed JSON stdout, wall seconds, child peak RSS MiB)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=RESULTS)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    out, err = process.stdout.read(), process.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{command} failed:\n{err.decode()}")
    return json.loads(out), wall, usage.ru_maxrss / 1024


def aggregates(path):
    sql = ('SELECT count(*), count(i), sum(i), count(b), sum(b % 1000000007), count(d), sum(CAST(d * 4 AS BIGINT)), count(s), min(s), max(s), '
           'count(dt), min(dt), max(dt), count(ts), min(ts), max(ts) FROM "Extract"."Extract"')
    result = subprocess.run([str(BUILD / "src" / "hyperpipe"), "query", str(path), sql, "--format", "csv"],
                            capture_output=True, text=True, check=True)
    return result.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rss-rows", type=int, default=50_000_000)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    bench = str(BUILD / "bench" / "insert_bench")
    variants = {
        "hyperpipe": [bench, "inserter", "--rows", str(args.rows), "--out", str(RESULTS / "hyperpipe.hyper")],
        "engine-limit": [bench, "engine-limit", "--rows", str(args.rows), "--out", str(RESULTS / "limit.hyper")],
        "pantab": [sys.executable, str(ROOT / "bench" / "pantab_insert.py"), "--rows", str(args.rows),
                   "--out", str(RESULTS / "pantab.hyper")],
    }
    samples = {name: [] for name in variants}
    for _ in range(args.runs):
        for name, command in variants.items():
            report, wall, rss = run(command)
            samples[name].append({**report, "wall_seconds": wall, "child_peak_rss_mib": rss})

    ours, theirs = aggregates(RESULTS / "hyperpipe.hyper"), aggregates(RESULTS / "pantab.hyper")
    assert ours == theirs, f"the extracts differ:\nhyperpipe: {ours}\npantab:    {theirs}"

    large = run([bench, "inserter", "--rows", str(args.rss_rows), "--out", str(RESULTS / "large.hyper")])
    (RESULTS / "large.hyper").unlink()

    # peak_rss_mib is the client's own (RUSAGE_SELF); child_peak_rss_mib, from wait4, also
    # covers hyperd, which the client waited for.
    med = {name: {key: statistics.median(s[key] for s in runs)
                  for key in ("load_seconds", "wall_seconds", "peak_rss_mib", "child_peak_rss_mib")}
           for name, runs in samples.items()}
    ready = statistics.median(s["hyperd_ready_ms"] for s in samples["hyperpipe"] + samples["engine-limit"])
    limit_rate = args.rows / med["engine-limit"]["load_seconds"]
    our_rate = args.rows / med["hyperpipe"]["load_seconds"]
    summary = {
        "rows": args.rows, "runs": args.runs, "medians": med, "hyperd_ready_ms_median": ready,
        "inserter_vs_engine_limit": our_rate / limit_rate,
        "end_to_end_speedup_vs_pantab": med["pantab"]["wall_seconds"] / med["hyperpipe"]["wall_seconds"],
        "load_speedup_vs_pantab": med["pantab"]["load_seconds"] / med["hyperpipe"]["load_seconds"],
        "rss_rows": args.rss_rows, "client_rss_at_rss_rows_mib": large[0]["peak_rss_mib"],
        "rss_load_seconds": large[0]["load_seconds"],
        "samples": samples, "identical_aggregates": ours,
    }
    (RESULTS / "insert.json").write_text(json.dumps(summary, indent=2))

    print("| variant | load s (median) | rows/s | end-to-end s (median) | client peak RSS MiB | with hyperd MiB |")
    print("|---|---|---|---|---|---|")
    for name in variants:
        m = med[name]
        print(f"| {name} | {m['load_seconds']:.2f} | {args.rows / m['load_seconds'] / 1e6:.2f} M | "
              f"{m['wall_seconds']:.2f} | {m['peak_rss_mib']:.0f} | {m['child_peak_rss_mib']:.0f} |")
    print()
    print(f"- inserter / engine limit (rows/s): {summary['inserter_vs_engine_limit']:.1%}")
    print(f"- end-to-end speed-up vs pantab: {summary['end_to_end_speedup_vs_pantab']:.2f}x "
          f"(load phase only: {summary['load_speedup_vs_pantab']:.2f}x)")
    print(f"- hyperd spawn to ready (median): {ready:.1f} ms")
    print(f"- hyperpipe client peak RSS at {args.rss_rows:,} rows: {large[0]['peak_rss_mib']:.0f} MiB "
          f"(load {large[0]['load_seconds']:.1f} s, {args.rss_rows / large[0]['load_seconds'] / 1e6:.2f} M rows/s)")


if __name__ == "__main__":
    main()
