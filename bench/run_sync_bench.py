"""Sync benchmark for issue #15 (W10), one command:

    .venv/bin/python bench/run_sync_bench.py [--rows 5000000] [--runs 3]

A pipeline loads an orders CSV (growing ids, amounts, dates, customers, regional text) into a
keyed extract and publishes it to the local Tableau double (tests/doubles/tableau_server.py).
Each round changes 1 % of the rows (0.8 % updated, 0.1 % deleted, 0.1 % new ids at the end) and
runs the same pipeline twice side by side: `mode: sync` (only the change set is uploaded, then
applied by the double with hyperd) and `mode: overwrite` (the whole file, what the Python glue of
pandas + pantab + tableauserverclient does every time), and publishes the same file with
tableauserverclient for the peer's figure. Reports the medians of the publish step (from each run
report), the bytes each uploads, whole-process time, and how much of the sync step was the
double's own work of applying the change (a real server's, not the client's)."""
import argparse
import json
import os
import pathlib
import random
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "release"
RESULTS = ROOT / "bench" / "results" / "sync"

PIPELINE = """version: 1
name: {name}
sources:
  orders: {{type: csv, path: ../orders.csv}}
outputs:
  orders:
    file: orders.hyper
    tables:
      - {{name: Extract.orders, from: orders, primary_key: [order_id]}}
    publish: {{server: "{url}", allow_http: true, name: "{name}", mode: {mode}}}
"""

REGIONS = ["Île-de-France", "Baden-Württemberg", "Lombardia", "Québec", "New South Wales", "São Paulo"]


def write_orders(path, rows):
    with open(path, "w", encoding="utf-8") as out:
        out.write("order_id,customer,region,ordered_on,amount,note\n")
        for order_id, customer, region, day, amount, note in rows:
            out.write(f"{order_id},{customer},{region},{day},{amount},\"{note}\"\n")


def make_rows(count, rng):
    rows = []
    for i in range(1, count + 1):
        # Growing ids and amounts, dates in order, a wider note late in the file.
        day = f"2025-{1 + (i * 12 // (count + 1)):02d}-{1 + i % 28:02d}"
        amount = f"{(i % 9973) * 1.01 + i / count * 500:.2f}"
        note = "" if i < count * 0.9 else "priority customer, call before delivery"
        rows.append([i, f"customer-{rng.randrange(1, count // 20 + 2)}", REGIONS[i % len(REGIONS)], day, amount, note])
    return rows


def mutate(rows, rng, next_id):
    """1 % of the rows change: 0.8 % updated, 0.1 % deleted, 0.1 % new at the end."""
    count = len(rows)
    for index in rng.sample(range(count), count * 8 // 1000):
        rows[index][4] = f"{float(rows[index][4]) + 1.5:.2f}"
    for index in sorted(rng.sample(range(count), count // 1000), reverse=True):
        del rows[index]
    for _ in range(count // 1000):
        rows.append([next_id, "customer-new", "Québec", "2025-12-31", "42.00", "new this round"])
        next_id += 1
    return next_id


def run_pipeline(folder, env):
    started = time.perf_counter()
    result = subprocess.run([str(BUILD / "src" / "hyperpipe"), "run", str(folder / "pipeline.yaml"), "--progress", "never"],
                            env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{folder.name} failed:\n{result.stderr}")
    report = json.loads((folder / ".hyperpipe" / f"{folder.name}.last-run.json").read_text())
    publish = report["publishes"][0]
    uploaded = publish["sync"]["bytes_uploaded"] if "sync" in publish else (folder / "orders.hyper").stat().st_size
    return {"wall": wall, "publish": publish["seconds"], "bytes": uploaded, "sync": publish.get("sync")}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    rng = random.Random(15)
    rows = make_rows(args.rows, rng)
    next_id = args.rows + 1
    write_orders(RESULTS / "orders.csv", rows)
    double = subprocess.Popen([sys.executable, str(ROOT / "tests" / "doubles" / "tableau_server.py"), "--port", "0",
                               "--pat", "bench:bench-secret"], stdout=subprocess.PIPE, text=True)
    url = double.stdout.readline().split()[-1]
    env = {**os.environ, "HYPERPIPE_TABLEAU_TOKEN_NAME": "bench", "HYPERPIPE_TABLEAU_TOKEN_SECRET": "bench-secret",
           "TSC_CHUNK_SIZE_MB": "64", "HYPERPIPE_SESSION_LOCK_DIR": str(RESULTS / "locks")}
    folders = {}
    for mode in ("sync", "overwrite"):
        folder = RESULTS / mode
        folder.mkdir(exist_ok=True)
        (folder / "pipeline.yaml").write_text(PIPELINE.format(name=mode, url=url, mode=mode))
        folders[mode] = folder
    samples = {"sync": [], "overwrite": [], "tableauserverclient": []}
    try:
        for folder in folders.values():
            run_pipeline(folder, env)  # the first publish: whole, for both
        for round_number in range(args.runs):
            next_id = mutate(rows, rng, next_id)
            write_orders(RESULTS / "orders.csv", rows)
            for mode, folder in folders.items():
                samples[mode].append(run_pipeline(folder, env))
            started = time.perf_counter()
            subprocess.run([sys.executable, str(ROOT / "bench" / "tsc_publish.py"), url, str(folders["overwrite"] / "orders.hyper"),
                            f"tsc-sync-{round_number}"], env=env, check=True, stdout=subprocess.DEVNULL)
            samples["tableauserverclient"].append({"wall": time.perf_counter() - started, "publish": time.perf_counter() - started,
                                                   "bytes": (folders["overwrite"] / "orders.hyper").stat().st_size})
        import urllib.request
        with urllib.request.urlopen(f"{url}/_double/state", timeout=30) as answer:
            applying = json.loads(answer.read())["update_seconds"]
    finally:
        double.terminate()
    last = samples["sync"][-1]["sync"]
    print(f"{args.rows} rows, 1 % changed per round ({last['tables'][0]}), {args.runs} rounds; medians")
    print("| run | publish step s | whole process s | MB uploaded |")
    print("|---|---|---|---|")
    med = {}
    for name, runs in samples.items():
        med[name] = {key: statistics.median(run[key] for run in runs) for key in ("publish", "wall", "bytes")}
        print(f"| {name} | {med[name]['publish']:.2f} | {med[name]['wall']:.2f} | {med[name]['bytes'] / 1e6:.1f} |")
    print(f"\nof the sync publish step, the double's handling of the update (the server's work: reading the "
          f"actions, applying them with hyperd, counting rows): median "
          f"{statistics.median(applying):.2f} s; the job poll's first wait: 0.5 s")
    print(f"sync / overwrite: publish step {med['sync']['publish'] / med['overwrite']['publish']:.2f}x, "
          f"bytes {med['sync']['bytes'] / med['overwrite']['bytes']:.3f}x; "
          f"sync publish step / tableauserverclient publish {med['sync']['publish'] / med['tableauserverclient']['publish']:.2f}x")


if __name__ == "__main__":
    main()
