"""Widening without reading twice (issue #16): a 10M-row CSV whose first rows' sample misses
wider values, loaded with inferred types against the same file loaded with `--schema` of its
final types, one command:

    .venv/bin/python bench/run_widening_bench.py [--rows 10000000] [--runs 5]

Two inputs, made by bench/run_scale_bench.py's generator (bench/make_csv.py's columns):
- **late**: from 90 % of the rows on, ids past INTEGER (BIGINT) and amounts a thousand times
  larger (NUMERIC(8,2) instead of (5,2)) — values that grow, as exports do;
- **middle**: one such row at 50 %, the rest narrow — an outlier the file's end does not show.
Each variant is a whole process, interleaved; medians. The driver checks that the inferred and
the --schema extracts have the same types and the same checksums."""
import argparse
import pathlib
import shutil
import statistics
import subprocess
import sys
import time

from run_scale_bench import HYPERPIPE, ROOT, make_input

SCHEMA = "id=bigint,amount=numeric(8,2)"


def timed(command):
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{command} failed:\n{result.stderr[-2000:]}")
    return time.perf_counter() - started, result.stdout


def described(file):
    return subprocess.run([str(HYPERPIPE), "inspect", str(file)], capture_output=True, text=True, check=True).stdout


def checksum(file):
    sql = ('SELECT COUNT(*), SUM(id), SUM(CAST(amount * 100 AS BIGINT)), MAX(amount), MIN(day), MAX(seen_at), '
           'COUNT(note) FROM "Extract"."Extract"')
    return subprocess.run([str(HYPERPIPE), "query", str(file), sql, "--format", "csv"], capture_output=True, text=True,
                          check=True).stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = ROOT / "bench" / "results" / "widening"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    inputs = {"late": work / "late.csv", "middle": work / "middle.csv"}
    make_input(inputs["late"], args.rows, late_from=0.9, id_jump=2**31)
    make_input(inputs["middle"], args.rows, id_jump=2**31, outlier_at=args.rows // 2)
    variants = {}
    for name, csv in inputs.items():
        variants[f"{name}: inferred"] = [str(HYPERPIPE), "load", str(csv), "--out", str(work / f"{name}-inferred.hyper"),
                                         "--progress", "never"]
        variants[f"{name}: --schema"] = [str(HYPERPIPE), "load", str(csv), "--out", str(work / f"{name}-schema.hyper"),
                                         "--schema", SCHEMA, "--progress", "never"]
    samples = {name: [] for name in variants}
    notes = {}
    for _ in range(args.runs):
        for name, command in variants.items():
            seconds, out = timed(command)
            samples[name].append(seconds)
            notes[name] = [line for line in out.splitlines() if "wider types" in line or "every row" in line]
    for name in inputs:
        inferred, schema = work / f"{name}-inferred.hyper", work / f"{name}-schema.hyper"
        assert described(inferred).split("\n", 1)[1] == described(schema).split("\n", 1)[1], name
        assert checksum(inferred) == checksum(schema), name
    med = {name: statistics.median(runs) for name, runs in samples.items()}
    print("| input | inferred s | --schema s | inferred / --schema | how |")
    print("|---|---|---|---|---|")
    for name in inputs:
        how = "; ".join(notes[f"{name}: inferred"])[:160]
        print(f"| {name} | {med[f'{name}: inferred']:.2f} | {med[f'{name}: --schema']:.2f} | "
              f"{med[f'{name}: inferred'] / med[f'{name}: --schema']:.2f}x | {how} |")
    print(f"\nruns: { {name: [round(s, 2) for s in runs] for name, runs in samples.items()} }")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
