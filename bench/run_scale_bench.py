"""W9 (issue #16): a big CSV to a published extract, end to end, side by side in one run with
`hyperpipe load` of the same file and hyperd's own COPY of it into a typed table, one command:

    .venv/bin/python bench/run_scale_bench.py [--rows 100000000] [--runs 3] [--dir DIR]

The input is made here, not kept in the repository: bench/make_csv.py's 1M rows (12 mixed
columns), written again and again with growing ids and, in the last 5 % of the file, amounts a
thousand times larger (wider values arriving late, as in growing exports). Per run, interleaved:

- **pipeline**: `hyperpipe run` of a one-source pipeline whose output table is `from:` the
  source, published (overwrite) to the local Tableau double; its whole-process time.
- **pipeline, no publish**: the same with --no-publish.
- **hyperpipe load**: `hyperpipe load BIG.csv --out X.hyper`.
- **hyperd COPY**: bench/csv_copy_limit, hyperd's server-side COPY of the file into a table that
  already has the final types (no client work at all), then `hyperpipe publish` of its file to
  the same double: "the engine and the upload alone".

Sampled every 0.1 s while each runs: the client's peak RSS (VmHWM of the hyperpipe process), the
peak RSS of any hyperd it started (VmHWM of its children), and the file system's peak extra use
(statvfs, above the start). Prints a Markdown table for BENCHMARKS.md and writes
bench/results/scale.json."""
import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "release"
HYPERPIPE = BUILD / "src" / "hyperpipe"
sys.path.insert(0, str(ROOT / "tests" / "doubles"))
import tableau_server  # noqa: E402

SECRET = "bench-secret"
SCHEMA = ("id INTEGER, customer BIGINT, amount NUMERIC(8,2), ratio NUMERIC(7,6), qty INTEGER, name TEXT, city TEXT, "
          "day DATE, seen_at TIMESTAMP, active BOOLEAN, code TEXT, note TEXT")


def make_input(path, rows, late_from=0.95, id_jump=0, outlier_at=None):
    """`rows` rows: make_csv.py's million, repeated with growing ids; from `late_from` of the
    rows on, amounts a thousand times larger and ids `id_jump` higher (past INTEGER when
    2**31). `outlier_at`: instead, one row there gets such an id and amount, the rest stay
    narrow (a wider value in the middle)."""
    unit = path.parent / "unit.csv"
    per = min(rows, 1_000_000)
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_csv.py"), "--rows", str(per), "--out", str(unit)], check=True)
    with open(unit) as f:
        header = f.readline()
        lines = [line.split(",", 3) for line in f]  # id, customer, amount, rest
    late = rows if outlier_at is not None else int(rows * late_from)
    with open(path, "w") as out:
        out.write(header)
        written = 0
        copy = 0
        while written < rows:
            base = copy * per
            chunk = []
            for ident, customer, amount, rest in lines[: rows - written]:
                row = written + len(chunk)
                ident = int(ident) + base
                if row >= late or row == outlier_at:
                    whole, _, cents = amount.partition(".")
                    amount = f"{int(whole) * 1000}.{cents}"
                    ident += id_jump
                chunk.append(f"{ident},{customer},{amount},{rest}")
            out.write("".join(chunk))
            written += len(chunk)
            copy += 1
    unit.unlink()


class Sampler:
    """Peak RSS of a process and of its hyperd children, and peak extra disk use, while it runs."""

    def __init__(self, pid, folder, exclude):
        self.pid, self.folder, self.exclude = pid, folder, exclude
        self.client = self.engine = self.disk = 0
        self.base_used = self.used()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def used(self):
        """Bytes used on the file system, less what the Tableau double keeps (the server's disk)."""
        stat = os.statvfs(self.folder)
        kept = sum(f.stat().st_blocks * 512 for f in pathlib.Path(self.exclude).rglob("*") if f.is_file())
        return (stat.f_blocks - stat.f_bfree) * stat.f_frsize - kept

    @staticmethod
    def hwm(pid):
        try:
            with open(f"/proc/{pid}/status") as status:
                return max([0] + [int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:")])
        except OSError:
            return 0

    def children(self):
        found = []
        for entry in pathlib.Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.pid:
                    found.append(int(entry.name))
        return found

    def loop(self):
        while not self.stop.is_set():
            self.client = max(self.client, self.hwm(self.pid))
            for child in self.children():
                self.engine = max(self.engine, self.hwm(child))
            self.disk = max(self.disk, self.used() - self.base_used)
            time.sleep(0.1)

    def finish(self):
        self.stop.set()
        self.thread.join()


def measure(command, folder, exclude, env):
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    sampler = Sampler(process.pid, folder, exclude)
    _, err = process.communicate()
    sampler.finish()
    wall = time.perf_counter() - started
    if process.returncode != 0:
        sys.exit(f"{command} failed:\n{err.decode()[-3000:]}")
    return {"seconds": wall, "client_rss": sampler.client, "hyperd_rss": sampler.engine, "extra_disk": sampler.disk}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", default=str(ROOT / "bench" / "results" / "scale"))
    args = parser.parse_args()
    work = pathlib.Path(args.dir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    csv = work / "big.csv"
    started = time.perf_counter()
    make_input(csv, args.rows)
    print(f"input: {csv.stat().st_size / 1e9:.2f} GB, {args.rows} rows, made in {time.perf_counter() - started:.0f} s",
          flush=True)

    state = tableau_server.State(pats={"ci": SECRET})
    env = {**os.environ, "HYPERPIPE_TABLEAU_TOKEN_NAME": "ci", "HYPERPIPE_TABLEAU_TOKEN_SECRET": SECRET,
           "HYPERPIPE_SESSION_LOCK_DIR": str(work / "locks")}
    with tableau_server.running(state) as url:
        pipeline = work / "pipeline.yaml"
        pipeline.write_text(f"""
version: 1
name: scale
sources:
  big: {{type: csv, path: big.csv}}
outputs:
  big:
    file: out/big.hyper
    tables:
      - {{name: Extract.Extract, from: big}}
    publish: {{server: {url}, allow_http: true, name: Big, mode: overwrite}}
""")
        variants = {
            "pipeline (load + publish)": [[str(HYPERPIPE), "run", str(pipeline), "--progress", "never"]],
            "pipeline, no publish": [[str(HYPERPIPE), "run", str(pipeline), "--progress", "never", "--no-publish"]],
            "hyperpipe load": [[str(HYPERPIPE), "load", str(csv), "--out", str(work / "load.hyper"), "--progress", "never"]],
            "hyperd COPY + publish": [
                [str(BUILD / "bench" / "csv_copy_limit"), str(csv), str(work / "copy.hyper"), SCHEMA],
                [str(HYPERPIPE), "publish", str(work / "copy.hyper"), "--server", url, "--allow-http", "--name", "Copy",
                 "--mode", "overwrite", "--progress", "never"]],
        }
        samples = {name: [] for name in variants}
        for run in range(args.runs):
            for name, commands in variants.items():
                parts = [measure(command, work, state.workdir, env) for command in commands]
                sample = {"seconds": sum(p["seconds"] for p in parts),
                          "parts_seconds": [p["seconds"] for p in parts],
                          "client_rss": max(p["client_rss"] for p in parts),
                          "hyperd_rss": max(p["hyperd_rss"] for p in parts),
                          "extra_disk": max(p["extra_disk"] for p in parts)}
                samples[name].append(sample)
                print(f"run {run + 1} {name}: {sample['seconds']:.1f} s ({', '.join(f'{s:.1f}' for s in sample['parts_seconds'])}),"
                      f" client {sample['client_rss'] / 2**20:.0f} MiB, hyperd {sample['hyperd_rss'] / 2**30:.2f} GiB,"
                      f" extra disk {sample['extra_disk'] / 1e9:.2f} GB", flush=True)
                for leftover in (work / "load.hyper", work / "copy.hyper"):
                    if name != "hyperd COPY + publish":
                        leftover.unlink(missing_ok=True)
            (work / "copy.hyper").unlink(missing_ok=True)
        extract = (work / "out" / "big.hyper").stat().st_size
        check = subprocess.run([str(HYPERPIPE), "query", str(work / "out" / "big.hyper"),
                                'SELECT COUNT(*), SUM(CAST(id AS BIGINT)), MAX(amount) FROM "Extract"."Extract"', "--format", "csv"],
                               capture_output=True, text=True, check=True).stdout
        types = subprocess.run([str(HYPERPIPE), "inspect", str(work / "out" / "big.hyper")], capture_output=True,
                               text=True, check=True).stdout

    med = {name: statistics.median(s["seconds"] for s in runs) for name, runs in samples.items()}
    peak = {name: {key: max(s[key] for s in runs) for key in ("client_rss", "hyperd_rss", "extra_disk")}
            for name, runs in samples.items()}
    summary = {"rows": args.rows, "runs": args.runs, "csv_bytes": csv.stat().st_size, "extract_bytes": extract,
               "median_seconds": med, "peaks": peak, "samples": samples, "check": check, "types": types}
    (ROOT / "bench" / "results" / "scale.json").write_text(json.dumps(summary, indent=2))
    print()
    print("| variant | median s | rows/s | client peak RSS | hyperd peak RSS | peak extra disk |")
    print("|---|---|---|---|---|---|")
    for name in variants:
        print(f"| {name} | {med[name]:.1f} | {args.rows / med[name] / 1e6:.2f} M | {peak[name]['client_rss'] / 2**20:.0f} MiB"
              f" | {peak[name]['hyperd_rss'] / 2**30:.2f} GiB | {peak[name]['extra_disk'] / 1e9:.2f} GB |")
    print()
    print(f"- pipeline (load + publish) / (hyperd COPY + publish): "
          f"{med['pipeline (load + publish)'] / med['hyperd COPY + publish']:.2f}x")
    print(f"- pipeline, no publish / hyperpipe load: {med['pipeline, no publish'] / med['hyperpipe load']:.2f}x")
    print(f"- input {csv.stat().st_size / 1e9:.2f} GB; extract {extract / 1e9:.2f} GB; "
          f"peak extra disk of the pipeline / extract: {peak['pipeline (load + publish)']['extra_disk'] / extract:.2f}x")
    print(f"- check (count, sum of ids, max amount): {check.strip()}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
