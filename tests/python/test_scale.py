"""Scale (issue #16): hyperd's memory limit (spill, or a clear error with nothing lost), progress
people can see (live lines in a real pseudo-terminal, plain lines in a log, JSON events), and
outputs that come straight from a source without a second copy. Results are read back with
tableauhyperapi and recomputed from the inputs, never hard-coded."""
import json
import os
import subprocess
from pathlib import Path

from tableauhyperapi import Connection

from conftest import BUILD

HYPERPIPE = BUILD / "src" / "hyperpipe"


def run(args, env=None, timeout=300):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("HYPERPIPE_", "TABLEAU_"))}
    environment["HYPERPIPE_SESSION_LOCK_DIR"] = os.environ["HYPERPIPE_SESSION_LOCK_DIR"]
    environment.update(env or {})
    return subprocess.run([str(HYPERPIPE), *map(str, args)], capture_output=True, text=True, env=environment,
                          timeout=timeout)


def query(hyper_process, file, sql):
    with Connection(hyper_process.endpoint, str(file)) as connection:
        return connection.execute_list_query(sql)


# --- hyperd's memory limit ----------------------------------------------------------------

KEYS = 400_000


def write_keys(path, rows=KEYS):
    """Distinct text keys: a GROUP BY over them needs far more than 64 MiB unless it spills."""
    with open(path, "w") as f:
        f.write("key,amount\n")
        for i in range(rows):
            f.write(f"customer-{i:09d}-{(i * 7919) % 100003},{i % 1000}.{i % 100:02d}\n")


MEMORY_PIPELINE = """
version: 1
name: mem
sources:
  events: {{type: csv, path: events.csv}}
transforms:
  - name: per_key
    sql: SELECT key, COUNT(*) AS n, SUM(amount) AS total FROM events GROUP BY key
outputs:
  out:
    file: out/mem.hyper
    tables:
      - {{name: Extract.Extract, sql: "{select}"}}
"""


def test_a_run_over_the_memory_limit_fails_clearly_and_nothing_is_lost(tmp_path, hyper_process):
    # hyperd spills some operators, but a GROUP BY written into a table needs its hash table in
    # memory (measured: 2M distinct keys fail at 128m and take 1 s at 4g): the run must stop with
    # the limit named and how to raise it, and the last good extract and state must stay.
    write_keys(tmp_path / "events.csv")
    pipeline = tmp_path / "pipeline.yaml"
    pipeline.write_text(MEMORY_PIPELINE.format(select="SELECT * FROM per_key"))
    first = run(["run", pipeline, "--progress", "never", "--engine-memory-limit", "128m"])
    assert first.returncode == 0, first.stderr
    out = tmp_path / "out" / "mem.hyper"
    got = query(hyper_process, out, 'SELECT COUNT(*), SUM(n), SUM(total) FROM "Extract"."Extract"')
    expected_total = sum(int(f"{i % 1000}{i % 100:02d}") for i in range(KEYS))
    assert got[0][0] == KEYS and got[0][1] == KEYS and round(float(got[0][2]) * 100) == expected_total
    before = out.read_bytes()
    state = tmp_path / ".hyperpipe" / "mem.state.json"
    state_before = state.read_bytes()

    write_keys(tmp_path / "events.csv", 2_000_000)
    result = run(["run", pipeline, "--progress", "never"], env={"HYPERPIPE_ENGINE_MEMORY_LIMIT": "128m"})
    assert result.returncode != 0
    assert "global memory limit" in result.stderr and "--engine-memory-limit" in result.stderr, result.stderr
    assert "transform per_key" in result.stderr
    assert out.read_bytes() == before and state.read_bytes() == state_before
    report = json.loads((tmp_path / ".hyperpipe" / "mem.last-run.json").read_text())
    assert report["status"] == "failed" and "HYPERPIPE_ENGINE_MEMORY_LIMIT" in report["error"]["hint"]
    # With room, the same input goes through.
    roomy = run(["run", pipeline, "--progress", "never", "--engine-memory-limit", "4g"])
    assert roomy.returncode == 0, roomy.stderr
    assert query(hyper_process, out, 'SELECT COUNT(*) FROM "Extract"."Extract"') == [[2_000_000]]


def test_the_memory_limit_is_checked_and_shown(tmp_path):
    bad = run(["doctor", "--engine-memory-limit", "4gb"])
    assert bad.returncode != 0 and 'engine memory limit "4gb" is not a size' in bad.stdout + bad.stderr
    shown = run(["doctor"], env={"HYPERPIPE_ENGINE_MEMORY_LIMIT": "3g"})
    assert shown.returncode == 0 and "memory limit 3g" in shown.stdout, shown.stdout + shown.stderr
    default = run(["doctor"])
    meminfo = Path("/proc/meminfo").read_text()
    total_kib = int(next(line for line in meminfo.splitlines() if line.startswith("MemTotal:")).split()[1])
    limit = total_kib // 2 // 1024
    try:
        cgroup = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if cgroup != "max":
            limit = min(limit, int(cgroup) // 2 // (1024 * 1024))
    except OSError:
        pass
    assert f"memory limit {max(limit, 256)}m" in default.stdout, default.stdout
