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
    available = total_kib * 1024
    # The smallest memory.max of this process's cgroup and its parents, and cgroup v1's limit.
    lines = Path("/proc/self/cgroup").read_text().splitlines()
    v2 = next((line[3:] for line in lines if line.startswith("0::/")), "/")
    v1 = next((line.split(":memory:", 1)[1] for line in lines if ":memory:/" in line), "/")
    candidates = []
    for root, path, name in (("/sys/fs/cgroup", v2, "memory.max"), ("/sys/fs/cgroup/memory", v1, "memory.limit_in_bytes")):
        folder = Path(root) / path.lstrip("/")
        candidates += [folder / name] + [parent / name for parent in folder.parents if str(parent).startswith(root)]
    for candidate in candidates:
        try:
            text = candidate.read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            available = min(available, int(text))
    limit = available // 2 // (1024 * 1024)
    assert f"memory limit {max(limit, 256)}m" in default.stdout, default.stdout


# --- progress people can see --------------------------------------------------------------

import fcntl  # noqa: E402
import pty  # noqa: E402
import re  # noqa: E402
import struct  # noqa: E402
import sys  # noqa: E402
import termios  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "doubles"))
import tableau_server  # noqa: E402

PAT_SECRET = "pat-secret-that-must-never-be-printed"
REDRAW = "\x1b[1A\x1b[2K"


def write_orders(path, rows):
    with open(path, "w") as f:
        f.write("order_id,customer,amount,placed\n")
        for i in range(rows):
            f.write(f"{i},customer {i % 5000},{(i * 37) % 100000 / 100:.2f},2026-{1 + i % 12:02d}-{1 + i % 28:02d}\n")


def in_terminal(args, columns, env=None, timeout=300):
    """Runs hyperpipe with stdout and stderr on a real pseudo-terminal of `columns` columns;
    returns (exit code, everything it wrote)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("HYPERPIPE_TABLEAU", "TABLEAU_"))}
    environment.update(env or {})
    process = subprocess.Popen([str(HYPERPIPE), *map(str, args)], stdin=slave, stdout=slave, stderr=slave,
                               env=environment)
    os.close(slave)
    output = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every writer is gone
            break
        if not chunk:
            break
        output += chunk
    os.close(master)
    return process.wait(timeout=timeout), output.decode()


def drawn_lines(output):
    """The lines as a terminal shows them one after another (redraw codes stripped)."""
    return [line for line in output.replace(REDRAW, "").replace("\r", "").split("\n") if line]


def test_load_draws_one_live_line_with_bytes_rate_and_time_left_in_a_terminal(tmp_path):
    source = tmp_path / "orders.csv"
    write_orders(source, 1_500_000)
    size = source.stat().st_size
    code, output = in_terminal(["load", source, "--out", tmp_path / "orders.hyper"], columns=150)
    assert code == 0, output
    assert output.count(REDRAW) >= 3, output  # redrawn in place, not scrolled
    progress = [line for line in drawn_lines(output) if re.search(r"\] \d+% ", line)]
    assert progress, output
    total = f"{size / 1e6:.1f} MB"
    for line in progress:
        assert line.startswith("  ") and "load orders.hyper [" in line and f" of {total}" in line, line
    assert any("left" in line and "rows/s" in line and "MB/s" in line for line in progress), progress
    shares = [int(re.search(r"\] (\d+)% ", line).group(1)) for line in progress]
    assert shares == sorted(shares) and shares[-1] > shares[0]
    assert re.search(r"✓ load orders\.hyper: [\d.]+ s, 1500000 read, 1500000 loaded, 0 rejected", output), output
    assert "total: 1 file, 1500000 read, 1500000 loaded, 0 rejected" in output
    # The live lines are gone once it is done: the last thing drawn is the summary.
    assert drawn_lines(output)[-1].startswith("total: ")

    # A narrow terminal: every live line is cut to fit, so the redraw erases exactly what it drew.
    code, output = in_terminal(["load", source, "--out", tmp_path / "narrow.hyper"], columns=60)
    assert code == 0, output
    live = [line for line in drawn_lines(output) if line.startswith("  ") and "load narrow.hyper" in line]
    assert live and all(len(line) <= 59 for line in live), live


def test_plain_lines_repeat_when_not_a_terminal_and_a_silent_step_is_still_shown(tmp_path):
    source = tmp_path / "orders.csv"
    write_orders(source, 1_500_000)
    result = run(["load", source, "--out", tmp_path / "o.hyper", "--progress-interval", "0.2"])
    assert result.returncode == 0, result.stderr
    assert "\x1b[" not in result.stderr  # no terminal codes in a log
    lines = result.stderr.splitlines()
    stamp = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z load o\.hyper: "
    assert re.match(stamp + r"started \(", lines[0]), lines
    progress = [line for line in lines if re.match(stamp + r"\d+% [\d.]+ MB of [\d.]+ MB, \d+ rows \(", line)]
    assert len(progress) >= 2, lines
    assert re.match(stamp + r"done in [\d.]+ s: 1500000 read, 1500000 loaded, 0 rejected$", lines[-1]), lines

    # A transform says nothing while hyperd works: the display still reports it, every interval.
    pipeline = tmp_path / "pipeline.yaml"
    pipeline.write_text("""
version: 1
name: slow
sources:
  orders: {type: csv, path: orders.csv}
transforms:
  - name: busy
    sql: SELECT COUNT(DISTINCT g % 100000007) AS n FROM generate_series(1, 20000000) g
outputs:
  out:
    file: out/slow.hyper
    tables:
      - {name: Extract.Extract, from: busy}
""")
    result = run(["run", pipeline, "--progress-interval", "0.2"])
    assert result.returncode == 0, result.stderr
    assert re.search(r"Z transform busy: running for 0:0\d$", result.stderr, re.M), result.stderr
    assert re.search(r"Z source orders: \d+% [\d.]+ MB of [\d.]+ MB, \d+ rows", result.stderr), result.stderr


def test_json_progress_events_carry_bytes_of_the_total(tmp_path):
    source = tmp_path / "orders.csv"
    write_orders(source, 1_000_000)
    result = run(["load", source, "--out", tmp_path / "o.hyper", "--log-format", "json", "--progress-interval", "0.1"])
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stderr.splitlines()]
    assert [e["event"] for e in events][0] == "started" and events[-1]["event"] == "finished"
    progress = [e for e in events if e["event"] == "progress" and "bytes" in e]
    assert progress and all(e["total_bytes"] == source.stat().st_size and e["bytes"] <= e["total_bytes"] for e in progress)
    assert events[-1]["rows"] == 1_000_000


def test_run_and_publish_show_every_step_in_a_terminal(tmp_path):
    write_orders(tmp_path / "orders.csv", 300_000)
    state = tableau_server.State(pats={"ci": PAT_SECRET})
    with tableau_server.running(state) as url:
        pipeline = tmp_path / "pipeline.yaml"
        pipeline.write_text(f"""
version: 1
name: shown
sources:
  orders: {{type: csv, path: orders.csv}}
transforms:
  - name: per_customer
    sql: SELECT customer, SUM(amount) AS total FROM orders GROUP BY customer
outputs:
  out:
    file: out/shown.hyper
    tables:
      - {{name: Extract.Extract, from: per_customer}}
    publish:
      server: {url}
      allow_http: true
      name: Shown
      mode: overwrite
""")
        env = {"HYPERPIPE_TABLEAU_TOKEN_NAME": "ci", "HYPERPIPE_TABLEAU_TOKEN_SECRET": PAT_SECRET}
        code, output = in_terminal(["run", pipeline], columns=120, env=env)
        assert code == 0, output
        for step in ("source orders", "transform per_customer", "output out", "publish out"):
            assert re.search(rf"^  \d+:\d\d {step} ", output.replace(REDRAW, ""), re.M), (step, output)
            assert f"✓ {step}: " in output, (step, output)
        assert "✓ source orders: " in output and "300000 read, 300000 loaded, 0 rejected" in output

        code, output = in_terminal(["publish", tmp_path / "out" / "shown.hyper", "--server", url, "--allow-http",
                                    "--name", "Shown again"], columns=120, env=env)
        assert code == 0, output
        assert re.search(r"^  \d+:\d\d upload shown\.hyper ", output.replace(REDRAW, ""), re.M), output
        assert "✓ upload shown.hyper: " in output and 'as data source "Shown again"' in output
        assert PAT_SECRET not in output


# --- no copy that is not needed -----------------------------------------------------------

def same_rows(hyper_process, left, right, table_left, table_right):
    """Both tables hold exactly the same rows (as multisets), each checked against the other."""
    with Connection(hyper_process.endpoint) as connection:
        connection.execute_command(f"ATTACH DATABASE \"{left}\" AS l")
        connection.execute_command(f"ATTACH DATABASE \"{right}\" AS r")
        counts = connection.execute_list_query(f"SELECT (SELECT COUNT(*) FROM l.{table_left}), (SELECT COUNT(*) FROM r.{table_right})")
        missing = connection.execute_scalar_query(
            f"SELECT COUNT(*) FROM (SELECT * FROM l.{table_left} EXCEPT ALL SELECT * FROM r.{table_right}) x")
        extra = connection.execute_scalar_query(
            f"SELECT COUNT(*) FROM (SELECT * FROM r.{table_right} EXCEPT ALL SELECT * FROM l.{table_left}) x")
        types = [connection.execute_list_query(
            f"SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM {db}.pg_catalog.pg_attribute a "
            f"JOIN {db}.pg_catalog.pg_class c ON a.attrelid = c.oid WHERE c.relname = '{name}' AND attnum > 0 ORDER BY attnum")
            for db, name in (("l", table_left.split(".")[-1].strip('"')), ("r", table_right.split(".")[-1].strip('"')))]
        return counts[0][0], counts[0][1], missing, extra, types


def test_an_output_straight_from_a_source_is_its_staged_file_not_a_copy(tmp_path, hyper_process):
    write_orders(tmp_path / "orders.csv", 200_000)
    write_orders(tmp_path / "more.csv", 1_000)
    pipeline = tmp_path / "pipeline.yaml"
    pipeline.write_text("""
version: 1
name: direct
sources:
  orders: {type: csv, path: orders.csv}
  more: {type: csv, path: more.csv}
transforms:
  - {name: per_customer, sql: "SELECT customer, COUNT(*) AS n FROM more GROUP BY customer"}
outputs:
  big:
    file: out/big.hyper
    tables:
      - {name: Extract.Extract, from: orders}
      - {name: Extract.per_customer, from: per_customer}
""")
    result = run(["run", pipeline, "--progress", "never"])
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / ".hyperpipe" / "direct.last-run.json").read_text())
    assert 'output big: table "Extract"."Extract" is source orders as it was staged (no rows copied)' in report["notes"]
    loaded = tmp_path / "loaded.hyper"
    assert run(["load", tmp_path / "orders.csv", "--out", loaded]).returncode == 0
    big = tmp_path / "out" / "big.hyper"
    left, right, missing, extra, types = same_rows(hyper_process, big, loaded, '"Extract"."Extract"', '"Extract"."Extract"')
    assert (left, right, missing, extra) == (200_000, 200_000, 0, 0)
    assert types[0] == types[1]
    assert query(hyper_process, big, 'SELECT SUM(n) FROM "Extract".per_customer') == [[1_000]]
    # Only the extract is left: nothing staged lingers beside it or in the state folder.
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["big.hyper"]
    assert not (tmp_path / ".hyperpipe" / "direct.work").exists()

    # The same source read by a query too: copied as before, the values the same.
    pipeline.write_text(pipeline.read_text().replace("FROM more GROUP", "FROM more WHERE customer IN (SELECT customer FROM orders) GROUP"))
    result = run(["run", pipeline, "--progress", "never"])
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / ".hyperpipe" / "direct.last-run.json").read_text())
    assert not any("no rows copied" in note for note in report["notes"])
    assert same_rows(hyper_process, big, loaded, '"Extract"."Extract"', '"Extract"."Extract"')[:4] == (200_000, 200_000, 0, 0)


def test_a_direct_output_in_file_version_3_and_a_failed_run_after_staging_keep_their_promises(tmp_path, hyper_process):
    write_orders(tmp_path / "orders.csv", 50_000)
    pipeline = tmp_path / "pipeline.yaml"
    text = """
version: 1
name: v3
sources:
  orders: {type: csv, path: orders.csv}
transforms:
  - {name: check, sql: "SELECT 1 AS ok"}
outputs:
  only:
    file: out/only.hyper
    file_version: 3
    tables:
      - {name: public.orders_copy, from: orders}
      - {name: Extract.check, from: check}
"""
    pipeline.write_text(text)
    result = run(["run", pipeline, "--progress", "never"])
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out" / "only.hyper"
    info = run(["inspect", out]).stdout
    assert "file version 3" in info and 'table "public"."orders_copy": 50000 rows' in info, info
    before = out.read_bytes()
    # Staged straight into the output, then the run fails: the previous extract stays.
    pipeline.write_text(text.replace("SELECT 1 AS ok", "SELECT no_such_column FROM generate_series(1,2) g"))
    write_orders(tmp_path / "orders.csv", 60_000)
    result = run(["run", pipeline, "--progress", "never"])
    assert result.returncode != 0 and "transform check" in result.stderr
    assert out.read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["only.hyper"]


# --- widening without reading twice -------------------------------------------------------

def write_growing(path, rows, outlier_at=None, late_note=False):
    """An export whose ids grow past INTEGER at 90 % of its rows and whose amounts grow in digits
    and decimals — what a sample of the first rows never sees. `outlier_at`: one wide amount in
    the middle instead; `late_note`: a quoted field with a line break near the end."""
    with open(path, "w") as f:
        f.write("id,amount,ratio,day,note\n")
        for i in range(rows):
            grown = i >= rows * 9 // 10
            ident = 2_147_483_000 + i if grown else i
            amount = f"{i * 13 % 10_000}.{i % 100:02d}" if not grown else f"{i * 97_531}.{i % 1000:03d}"
            if outlier_at is not None:
                amount = f"{i * 13 % 10_000}.{i % 100:02d}" if i != outlier_at else "123456789012.5"
            note = f'"line one\nline two {i}"' if late_note and i == rows - 5 else f"n{i % 7}"
            f.write(f"{ident},{amount},{i % 1000 / 8},2026-{1 + i % 12:02d}-{1 + i % 28:02d},{note}\n")


def loaded_types(result_stdout):
    line = next(line for line in result_stdout.splitlines() if line.startswith("table "))
    return line.split(": ", 1)[1]


def test_values_that_grow_late_are_typed_from_the_files_end_without_a_second_pass(tmp_path, hyper_process):
    source = tmp_path / "growing.csv"
    write_growing(source, 200_000)
    sampled = run(["load", source, "--out", tmp_path / "sampled.hyper"])
    assert sampled.returncode == 0, sampled.stderr
    whole = run(["load", source, "--out", tmp_path / "whole.hyper", "--sample-rows", "0"])
    assert whole.returncode == 0, whole.stderr
    # Types as whole-file inference gives them, found without going over the file again.
    assert loaded_types(sampled.stdout) == loaded_types(whole.stdout)
    assert "id BIGINT" in loaded_types(whole.stdout) and "amount NUMERIC(" in loaded_types(whole.stdout)
    assert "types were inferred from every row" not in sampled.stdout
    assert "the file's last 1024 KiB set wider types than the first rows: id INTEGER -> BIGINT" in sampled.stdout
    # Every value exact.
    assert same_rows(hyper_process, tmp_path / "sampled.hyper", tmp_path / "whole.hyper",
                     '"Extract"."Extract"', '"Extract"."Extract"')[:4] == (200_000, 200_000, 0, 0)


def test_a_wider_value_in_the_middle_or_a_multi_line_end_still_gets_whole_file_types(tmp_path, hyper_process):
    for name, kwargs in (("outlier.csv", {"outlier_at": 100_000}), ("notes.csv", {"late_note": True})):
        source = tmp_path / name
        write_growing(source, 200_000, **kwargs)
        sampled = run(["load", source, "--out", tmp_path / "sampled.hyper"])
        whole = run(["load", source, "--out", tmp_path / "whole.hyper", "--sample-rows", "0"])
        assert sampled.returncode == 0 and whole.returncode == 0, sampled.stderr + whole.stderr
        assert loaded_types(sampled.stdout) == loaded_types(whole.stdout), name
        # The end cannot type the middle's outlier, and a line break in a quoted field makes the
        # end unsplittable: both load again from every row.
        assert "types were inferred from every row" in sampled.stdout, name
        assert same_rows(hyper_process, tmp_path / "sampled.hyper", tmp_path / "whole.hyper",
                         '"Extract"."Extract"', '"Extract"."Extract"')[:4] == (200_000, 200_000, 0, 0), name


def test_a_source_whose_types_need_a_newer_file_version_is_copied_and_narrowed_as_before(tmp_path, hyper_process):
    # DECIMAL(20,2) needs file version 3; the output is version 2. The source cannot go straight
    # in: it is staged in version 3 and copied, narrowed to NUMERIC(18,2) because its values fit.
    import decimal

    import pyarrow as pa
    import pyarrow.parquet as pq
    amounts = [decimal.Decimal(f"{i * 7}.{i % 100:02d}") for i in range(5_000)]
    pq.write_table(pa.table({"id": list(range(5_000)), "amount": pa.array(amounts, pa.decimal128(20, 2))}),
                   tmp_path / "wide.parquet")
    pipeline = tmp_path / "pipeline.yaml"
    pipeline.write_text("""
version: 1
name: wide
sources:
  wide: {type: parquet, path: wide.parquet}
outputs:
  out:
    file: out/wide.hyper
    tables:
      - {name: Extract.Extract, from: wide}
""")
    result = run(["run", pipeline, "--progress", "never"])
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out" / "wide.hyper"
    info = run(["inspect", out]).stdout
    assert "file version 2" in info and "NUMERIC(18,2)" in info, info
    assert query(hyper_process, out, 'SELECT COUNT(*), SUM(amount) FROM "Extract"."Extract"') == [[5_000, sum(amounts)]]
    report = json.loads((tmp_path / ".hyperpipe" / "wide.last-run.json").read_text())
    assert not any("no rows copied" in note for note in report["notes"])


def test_a_utf16_export_is_typed_from_its_values_not_from_its_raw_end(tmp_path):
    # Excel's "Unicode Text": UTF-16LE with a byte-order mark, tab-separated. Its end is not
    # UTF-8 and must not be sampled as such (every column would turn to TEXT).
    rows = ["id\tamount\tday"] + [f"{i}\t{i % 1000}.{i % 100:02d}\t2026-{1 + i % 12:02d}-{1 + i % 28:02d}"
                                  for i in range(150_000)]
    source = tmp_path / "unicode.txt"
    source.write_bytes(b"\xff\xfe" + ("\r\n".join(rows) + "\r\n").encode("utf-16-le"))
    sampled = run(["load", source, "--out", tmp_path / "s.hyper"])
    whole = run(["load", source, "--out", tmp_path / "w.hyper", "--sample-rows", "0"])
    assert sampled.returncode == 0 and whole.returncode == 0, sampled.stderr + whole.stderr
    assert loaded_types(sampled.stdout) == loaded_types(whole.stdout) == "id INTEGER, amount NUMERIC(5,2), day DATE"
