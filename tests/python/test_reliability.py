"""The reliability suite (issue #13): what hyperpipe promises under crash, fault, hostile input
and another local user, each checked functionally (never timed). docs/guarantees.md lists each
promise next to the test here that checks it."""
import json
import os
import pwd
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from tableauhyperapi import Connection

from conftest import BUILD

HYPERPIPE = BUILD / "src" / "hyperpipe"


def run(args, env=None, timeout=300, cwd=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("HYPERPIPE_TABLEAU", "TABLEAU_"))}
    environment.update(env or {})
    return subprocess.run([str(HYPERPIPE), *map(str, args)], capture_output=True, text=True, env=environment,
                          timeout=timeout, cwd=cwd)


def table_rows(hyper_process, file, sql):
    with Connection(hyper_process.endpoint, str(file)) as connection:
        return connection.execute_list_query(sql)


# --- another local user -------------------------------------------------------------------

def children_of(pid):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def listening_tcp_inodes():
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":
                inodes.add(fields[9])
    return inodes


def socket_inodes(pid):
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


PROBE = r"""
import socket, sys
results = []
for path in sys.argv[1:]:
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(2)
    try:
        s.connect(path)
        results.append("connected")
    except PermissionError:
        results.append("denied")
    except OSError as error:
        results.append(type(error).__name__)
print(",".join(results))
"""


def test_another_local_user_cannot_reach_the_engine_or_its_callback(tmp_path):
    """#13.1 and #13.2: hyperd listens only on a Unix socket in a private 0700 folder; no TCP."""
    assert os.geteuid() == 0, "this test acts as another local user (nobody): run it as root, as CI does"
    extract = tmp_path / "x.hyper"
    assert run(["example", "--out", extract]).returncode == 0
    # A query that runs for a while, so the engine is up while we probe it.
    process = subprocess.Popen([str(HYPERPIPE), "query", str(extract),
                                "SELECT COUNT(*) FROM generate_series(1, 4000000000) AS g(x) WHERE x % 7 = 3"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        hyperd = []
        while not hyperd and time.monotonic() < deadline:
            hyperd = [pid for pid in children_of(process.pid) if "hyperd" in Path(f"/proc/{pid}/comm").read_text()]
            time.sleep(0.05)
        assert hyperd, "hyperd did not start"
        time.sleep(0.5)
        cmdline = Path(f"/proc/{hyperd[0]}/cmdline").read_bytes().decode().split("\0")
        listen = next(a for a in cmdline if a.startswith("--listen-connection="))
        callback = next(a for a in cmdline if a.startswith("--callback-connection="))
        assert "tcp" not in listen and "tcp" not in callback, cmdline
        folder = listen.split("tab.domain://", 1)[1].split("/domain/", 1)[0]
        assert (os.stat(folder).st_mode & 0o777) == 0o700
        # No TCP listener at all in hyperd's hands.
        assert not (socket_inodes(hyperd[0]) & listening_tcp_inodes())
        # As an unprivileged user, the sockets cannot even be reached.
        nobody = pwd.getpwnam("nobody")
        probe = subprocess.run(["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups",
                                sys.executable, "-c", PROBE, f"{folder}/.s.PGSQL.1", f"{folder}/callback"],
                               capture_output=True, text=True, timeout=30)
        assert probe.stdout.strip() == "denied,denied", probe.stdout + probe.stderr
        assert process.poll() is None, "the query ended before the probe: make it longer"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    assert not Path(folder).exists(), "the private socket folder is removed when hyperpipe ends"


def test_pg_variables_meant_for_postgresql_servers_never_redirect_the_engine(tmp_path):
    """libpq would send even a Unix-socket connection to PGHOSTADDR, or to a PGSERVICE's
    hostaddr: hyperpipe sets them aside for its PostgreSQL sources."""
    services = tmp_path / "pg_service.conf"
    services.write_text("[elsewhere]\nhostaddr=192.0.2.1\nport=5432\n")
    result = run(["example", "--out", tmp_path / "x.hyper"],
                 env={"PGHOSTADDR": "192.0.2.1", "PGSERVICE": "elsewhere", "PGSERVICEFILE": str(services)})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "x.hyper").exists()


# --- commits under kill -9 ----------------------------------------------------------------

# Two outputs (an append table and a replace-by-key table) fed by one incremental CSV source.
from test_pipeline_run import INCREMENTAL  # noqa: E402

EXPORTS = [
    "order_id,amount,updated_at\n1,10.50,2026-01-01 10:00:00\n2,20.00,2026-01-01 11:00:00\n",
    "order_id,amount,updated_at\n1,10.50,2026-01-01 10:00:00\n2,20.00,2026-01-01 11:00:00\n"
    "2,25.00,2026-01-02 09:00:00\n3,30.00,2026-01-02 09:30:00\n",
    "order_id,amount,updated_at\n3,31.00,2026-01-03 08:00:00\n4,40.00,2026-01-03 08:30:00\n",
]

# history, latest, then the state file: three files in the commit.
COMMIT_STEPS = ["kept 1", "kept 2", "kept 3", "journal", "renamed 1", "renamed 2", "renamed 3", "done"]


def contents(hyper_process, folder):
    return {name: table_rows(hyper_process, folder / "out" / f"{name}.hyper",
                             'SELECT order_id, amount, updated_at FROM "Extract"."Extract" ORDER BY 1, 3')
            for name in ("history", "latest")}


def run_exports(folder, kill_after=None):
    """Runs the pipeline over each export in turn; with kill_after, the second export's run is
    killed at that commit step and then simply run again."""
    folder.mkdir(exist_ok=True)
    (folder / "out").mkdir(exist_ok=True)
    (folder / "pipeline.yaml").write_text(INCREMENTAL)
    for index, export in enumerate(EXPORTS):
        (folder / "orders.csv").write_text(export)
        if index == 1 and kill_after:
            killed = run(["run", folder / "pipeline.yaml", "--progress", "never"],
                         env={"HYPERPIPE_TEST_KILL_AFTER_COMMIT_STEP": kill_after})
            assert killed.returncode == -signal.SIGKILL, killed.stderr
        result = run(["run", folder / "pipeline.yaml", "--progress", "never"])
        assert result.returncode == 0, result.stderr
        if index == 1 and kill_after:
            after_point = COMMIT_STEPS.index(kill_after) >= COMMIT_STEPS.index("journal")
            report = json.loads((folder / ".hyperpipe" / "orders.last-run.json").read_text())
            recovered = [n for n in report.get("notes", []) if "stopped while committing" in n]
            assert bool(recovered) == (after_point and kill_after != "done"), (kill_after, report.get("notes"))


def test_a_kill_at_every_commit_step_never_duplicates_or_loses_rows(tmp_path, hyper_process):
    """#13.3: outputs and state of one run become visible together across kill -9 at any step."""
    run_exports(tmp_path / "clean")
    expected = contents(hyper_process, tmp_path / "clean")
    assert len(expected["history"]) == 6 and len(expected["latest"]) == 4  # no duplicate, nothing lost
    for step in COMMIT_STEPS:
        folder = tmp_path / step.replace(" ", "-")
        run_exports(folder, kill_after=step)
        assert contents(hyper_process, folder) == expected, f"killed after {step}"
        leftovers = [p.name for p in (folder / "out").iterdir() if p.suffix != ".hyper"]
        leftovers += [p.name for p in (folder / ".hyperpipe").iterdir()
                      if p.name.endswith((".pending", ".previous", ".commit.json", ".tmp"))]
        assert not leftovers, f"killed after {step}: {leftovers}"


# --- aggregates over decimals ---------------------------------------------------------------

AGGREGATES = """
version: 1
name: sums
sources:
  sales: {type: csv, path: sales.csv}
transforms:
  - name: totals
    sql: >
      SELECT region, SUM(amount) AS amount_sum, AVG(amount) AS amount_avg, COUNT(amount) AS amount_count,
             SUM(units) AS units_sum, AVG(units) AS units_avg, SUM(ratio) AS ratio_sum, AVG(ratio) AS ratio_avg
      FROM sales GROUP BY region
outputs:
"""


def test_sum_avg_count_over_numeric_integer_and_double_in_every_file_version(tmp_path, hyper_process):
    """#13.10: the most common aggregation works, exactly, whatever the output's file version."""
    from decimal import Decimal
    rows = [("north", "10.50", 3, 0.25), ("south", "20.25", 4, 1.5), ("north", "1.10", 5, 2.0),
            ("south", "999999.99", 7, 0.125), ("east", "0.01", 1, 3.0)]
    (tmp_path / "sales.csv").write_text("region,amount,units,ratio\n" +
                                        "".join(f"{r},{a},{u},{x}\n" for r, a, u, x in rows))
    text = AGGREGATES
    for version in range(5):
        text += (f"  v{version}:\n    file: out/v{version}.hyper\n    file_version: {version}\n"
                 f"    tables:\n      - {{name: Extract.totals, from: totals}}\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "pipeline.yaml").write_text(text)
    result = run(["run", tmp_path / "pipeline.yaml", "--progress", "never"])
    assert result.returncode == 0, result.stderr
    expected = {}
    for region in sorted({r for r, *_ in rows}):
        mine = [r for r in rows if r[0] == region]
        expected[region] = (sum(Decimal(a) for _, a, _, _ in mine), len(mine), sum(u for _, _, u, _ in mine),
                            sum(x for *_, x in mine))
    for version in range(5):
        got = table_rows(hyper_process, tmp_path / "out" / f"v{version}.hyper",
                         'SELECT region, amount_sum, amount_avg, amount_count, units_sum, units_avg, ratio_sum, ratio_avg '
                         'FROM "Extract"."totals" ORDER BY region')
        assert [g[0] for g in got] == sorted(expected), version
        for region, amount_sum, amount_avg, count, units_sum, units_avg, ratio_sum, ratio_avg in got:
            want_sum, want_count, want_units, want_ratio = expected[region]
            assert Decimal(str(amount_sum)) == want_sum, (version, region, amount_sum)
            assert abs(Decimal(str(amount_avg)) - want_sum / want_count) < Decimal("0.000001"), (version, region)
            assert count == want_count and units_sum == want_units
            assert abs(float(units_avg) - want_units / want_count) < 1e-9
            assert ratio_sum == pytest.approx(want_ratio) and ratio_avg == pytest.approx(want_ratio / want_count)


def test_a_sum_too_wide_for_file_version_2_names_the_column_and_the_fix(tmp_path, hyper_process):
    """#13.10: exact or a clear error, never a silent rounding."""
    (tmp_path / "sales.csv").write_text("region,amount\nn,9999999999999999.99\nn,9999999999999999.99\n")
    text = AGGREGATES.replace("""      SELECT region, SUM(amount) AS amount_sum, AVG(amount) AS amount_avg, COUNT(amount) AS amount_count,
             SUM(units) AS units_sum, AVG(units) AS units_avg, SUM(ratio) AS ratio_sum, AVG(ratio) AS ratio_avg
      FROM sales GROUP BY region""", "      SELECT region, SUM(amount) AS amount_sum FROM sales GROUP BY region")
    (tmp_path / "out").mkdir()
    (tmp_path / "pipeline.yaml").write_text(text + "  narrow:\n    file: out/narrow.hyper\n    tables: [{name: Extract.t, from: totals}]\n")
    refused = run(["run", tmp_path / "pipeline.yaml", "--progress", "never"])
    assert refused.returncode == 6, refused.stderr
    assert 'column "amount_sum": 1 value(s) need more than 18 digits (the largest is 19999999999999999.98)' in refused.stderr
    assert "file_version: 3" in refused.stderr
    (tmp_path / "pipeline.yaml").write_text(text + "  wide:\n    file: out/wide.hyper\n    file_version: 3\n"
                                            "    tables: [{name: Extract.t, from: totals}]\n")
    assert run(["run", tmp_path / "pipeline.yaml", "--progress", "never"]).returncode == 0
    got = table_rows(hyper_process, tmp_path / "out" / "wide.hyper", 'SELECT amount_sum FROM "Extract"."t"')
    from decimal import Decimal
    assert Decimal(str(got[0][0])) == Decimal("19999999999999999.98")


# --- secrets by use -----------------------------------------------------------------------

class EchoingApi(BaseHTTPRequestHandler):
    """A web API that refuses every request and quotes its headers back (as some do)."""
    webhook_bodies = []

    def do_GET(self):
        body = json.dumps({"error": "bad request", "you_sent": dict(self.headers)}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):  # the notification webhook
        EchoingApi.webhook_bodies.append(self.rfile.read(int(self.headers["Content-Length"])).decode())
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_credential_behind_a_neutral_variable_name_never_leaks(tmp_path):
    """#13.7: a token in headers: {Authorization: "Bearer ${SVCVAL}"} is a secret because of where
    it is used; the API echoing it back must not put it in stderr, the report, the history or a
    webhook."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoingApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    token = "neutral-named-credential-4711"
    (tmp_path / "pipeline.yaml").write_text(f"""
version: 1
name: leaky
sources:
  items:
    type: api
    url: {base}/items
    allow_http: true
    max_attempts: 1
    headers: {{Authorization: "Bearer ${{SVCVAL}}", X-Service-Id: "${{SVCID}}"}}
outputs:
  out: {{file: out.hyper, tables: [{{name: Extract.items, from: items}}]}}
notify: {{webhook: "{base}/hook", allow_http: true}}
""")
    try:
        result = run(["run", tmp_path / "pipeline.yaml", "--progress", "never"],
                     env={"SVCVAL": token, "SVCID": "service-id-0042"})
        history = run(["history", tmp_path / "pipeline.yaml", "--json"])
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 9, result.stderr
    assert "HTTP 400" in result.stderr  # the echo was seen, and quoted
    places = {"stderr": result.stderr, "stdout": result.stdout, "history --json": history.stdout,
              "webhook": "".join(EchoingApi.webhook_bodies)}
    for file in (tmp_path / ".hyperpipe").rglob("*"):
        if file.is_file():
            places[str(file)] = file.read_bytes().decode("utf-8", "replace")
    assert EchoingApi.webhook_bodies, "the failure was notified"
    for where, text in places.items():
        assert token not in text, f"the credential leaked into {where}"
        assert "service-id-0042" not in text, f"a header value from a variable leaked into {where}"


# --- errors of bounded size ---------------------------------------------------------------

def test_a_huge_failing_statement_is_quoted_cut_everywhere(tmp_path):
    """#13.8: a 5 MB transform that fails costs kilobytes of stderr, report and history."""
    (tmp_path / "o.csv").write_text("a,b\n1,2\n")
    huge = "SELECT a, no_such_column FROM o WHERE b IN (" + ",".join(str(i) for i in range(700_000)) + ")"
    assert len(huge) > 4_000_000
    (tmp_path / "pipeline.yaml").write_text(
        "version: 1\nname: big\nsources:\n  o: {type: csv, path: o.csv}\n"
        f"transforms:\n  - name: t\n    sql: \"{huge}\"\n"
        "outputs:\n  out: {file: out.hyper, tables: [{name: Extract.t, from: t}]}\n")
    result = run(["run", tmp_path / "pipeline.yaml", "--progress", "never"])
    assert result.returncode == 5, result.stderr[-2000:]
    assert "no_such_column" in result.stderr and "characters cut]" in result.stderr
    assert len(result.stderr) < 30_000, len(result.stderr)
    report = (tmp_path / ".hyperpipe" / "big.last-run.json").read_text()
    assert len(report) < 30_000 and "characters cut]" in report
    history = run(["history", tmp_path / "pipeline.yaml", "--json"])
    assert len(history.stdout) < 30_000 and "characters cut]" in history.stdout
    assert (tmp_path / ".hyperpipe" / "history.sqlite").stat().st_size < 1_000_000


# --- exact errors and exit codes ------------------------------------------------------------

def test_inputs_that_are_not_files_say_what_they_are(tmp_path):
    """#13.9: /dev/zero, a directory and a FIFO are named for what they are (exit 3)."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (tmp_path / "folder").mkdir()
    for path, words in [("/dev/zero", "is a device, not a file"), (tmp_path / "folder", "is a directory, not a file"),
                        (fifo, "is a named pipe (FIFO), not a file"), (tmp_path / "missing.csv", "no such file")]:
        result = run(["load", path, "--out", tmp_path / "x.hyper"], timeout=30)
        assert result.returncode == 3, (path, result.stderr)
        assert f"{path}: {words}" in result.stderr


def test_binary_garbage_in_a_header_names_the_cell(tmp_path):
    """#13.9: a NUL byte or invalid UTF-8 in a header cell is a data error naming file, line and column."""
    (tmp_path / "nul.csv").write_bytes(b"a,b\x00c,d\n1,2,3\n")
    (tmp_path / "bin.csv").write_bytes(b"a,\xff\xfe,d\n1,2,3\n")
    nul = run(["load", tmp_path / "nul.csv", "--out", tmp_path / "x.hyper"])
    assert nul.returncode == 6 and 'nul.csv: line 1, column 2: the header name "b\\x00c" holds a NUL byte' in nul.stderr
    garbage = run(["load", tmp_path / "bin.csv", "--out", tmp_path / "x.hyper"])
    assert garbage.returncode == 6 and 'column 2: the header name "\\xFF\\xFE" is not valid UTF-8' in garbage.stderr
    assert "--encoding" in garbage.stderr
    assert not (tmp_path / "x.hyper").exists()


def as_nobody(*args):
    nobody = pwd.getpwnam("nobody")
    return subprocess.run(["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups",
                           str(HYPERPIPE), *map(str, args)], capture_output=True, text=True, timeout=60)


def test_unwritable_folders_and_unreadable_inputs_are_exit_3():
    """#13.9: as another user, a folder without write permission (was: hyperd's SQL error, exit 5)
    and an input it may not read (was: a crash on an uncaught exception)."""
    assert os.geteuid() == 0, "this test acts as another local user (nobody): run it as root, as CI does"
    import shutil
    import tempfile
    scratch = Path(tempfile.mkdtemp(prefix="hyperpipe-perm-"))  # pytest's own folders are 0700
    try:
        os.chmod(scratch, 0o755)
        folder = scratch / "readonly"
        folder.mkdir(mode=0o755)
        (scratch / "one.csv").write_text("a\n1\n")
        os.chmod(scratch / "one.csv", 0o644)
        result = as_nobody("load", scratch / "one.csv", "--out", folder / "x.hyper")
        assert result.returncode == 3, result.stderr
        assert f"cannot write in {folder}: Permission denied" in result.stderr
        private = scratch / "private"
        private.mkdir(mode=0o700)
        (private / "two.csv").write_text("a\n1\n")
        result = as_nobody("load", private / "two.csv", "--out", "/tmp/hyperpipe-never-written.hyper")
        assert result.returncode == 3, result.stderr
        assert f"{private / 'two.csv'}: cannot be read: Permission denied" in result.stderr
    finally:
        shutil.rmtree(scratch)


def test_too_many_columns_name_the_limit(tmp_path):
    """#13.9: past 14,996 columns (libpq's limit on a COPY from hyperpipe) the error says so; at the
    limit it loads. A plain file that hyperd copies itself (#16) has no such limit."""
    for width, code, args in [(14_996, 0, ["--no-server-copy"]), (15_500, 6, ["--no-server-copy"]), (15_500, 0, [])]:
        (tmp_path / "wide.csv").write_text(",".join(f"c{i}" for i in range(width)) + "\n" +
                                           ",".join(str(i) for i in range(width)) + "\n")
        result = run(["load", tmp_path / "wide.csv", "--out", tmp_path / "wide.hyper", *args])
        assert result.returncode == code, result.stderr[-2000:]
        if code:
            assert "has 15500 columns; hyperpipe can load at most 14996 columns into one table" in result.stderr
        else:
            assert "1 read, 1 loaded, 0 rejected" in result.stdout
            assert ("copied by hyperd itself" in result.stdout) == (args == [])


# --- huge values ----------------------------------------------------------------------------

MAX_RSS = r"""
import resource, subprocess, sys
result = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=120)
sys.stderr.write(result.stderr)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)  # KiB, the largest of hyperpipe and hyperd
sys.exit(result.returncode)
"""


def minimal_xlsx(path, shared_strings_xml):
    import zipfile
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types '
                   'xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook xmlns="{main}" xmlns:r="http://schemas.'
                   'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" '
                   'r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                   'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                   '</Relationships>')
        z.writestr("xl/sharedStrings.xml", shared_strings_xml)
        z.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet xmlns="{main}"><sheetData>'
                   '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>0</v></c></row>'
                   '</sheetData></worksheet>')


def test_one_huge_value_fails_at_once_with_bounded_memory_and_no_leftovers(tmp_path):
    """#13.4: a 1 MB .csv.gz with one 300 MB field and a 300 KB .xlsx whose shared string expands
    to 300 MB fail within seconds, naming the place, without growing past a few hundred MB."""
    import gzip
    huge = 300_000_000
    (tmp_path / "bomb.csv.gz").write_bytes(gzip.compress(b"id,text\n1," + b"x" * huge + b"\n2,y\n", 1))
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    minimal_xlsx(tmp_path / "bomb.xlsx", f'<?xml version="1.0"?><sst xmlns="{main}"><si><t>{"x" * huge}</t></si></sst>')
    out = tmp_path / "out"
    out.mkdir()
    for name, words in [("bomb.csv.gz", "bomb.csv.gz:2: the record starting on this line is longer than 64 MiB"),
                        ("bomb.xlsx", "xl/sharedStrings.xml line 1: a text longer than 64 MiB")]:
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-c", MAX_RSS, str(HYPERPIPE), "load", str(tmp_path / name),
                                 "--out", str(out / "x.hyper")], capture_output=True, text=True, timeout=180)
        took = time.monotonic() - started
        assert result.returncode == 6, result.stderr
        assert words in result.stderr and "--max-value-mb" in result.stderr
        assert took < 20, took
        peak_mib = int(result.stdout.strip()) / 1024
        assert peak_mib < 600, f"{name}: {peak_mib:.0f} MiB"
        assert list(out.iterdir()) == [], f"{name} left {list(out.iterdir())}"
    # The limit is the user's to raise: 1 MiB refuses a 2 MB field that the default takes.
    (tmp_path / "two.csv").write_text("id,text\n1," + "y" * 2_000_000 + "\n")
    assert run(["load", tmp_path / "two.csv", "--out", out / "x.hyper", "--max-value-mb", "1"]).returncode == 6
    assert run(["load", tmp_path / "two.csv", "--out", out / "x.hyper"]).returncode == 0


def test_an_xlsx_that_declares_entities_is_refused(tmp_path):
    """#13.9: an XML entity in an .xlsx used to become an empty cell without a word."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    minimal_xlsx(tmp_path / "entity.xlsx", f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY e "hidden">]>'
                 f'<sst xmlns="{main}"><si><t>&e;</t></si></sst>')
    result = run(["load", tmp_path / "entity.xlsx", "--out", tmp_path / "x.hyper"])
    assert result.returncode == 6
    assert "xl/sharedStrings.xml declares a DTD (entities), which Excel never writes" in result.stderr


def test_json_integers_beyond_64_bits_load_exactly_and_repeated_keys_are_noted(tmp_path, hyper_process):
    """#13.9: valid JSON with a 20-digit integer loads (was: 'invalid JSON'); a key named twice
    keeps its last value, and the summary says so (was: silent)."""
    (tmp_path / "doc.json").write_text('[{"id": 123456789012345678901234567890, "n": -9223372036854775809, "a": 1, "a": 2},'
                                       ' {"id": 5, "n": 1}]')
    (tmp_path / "lines.ndjson").write_text('{"id": 98765432109876543210}\n{"id": 7}\n')
    doc = run(["load", tmp_path / "doc.json", "--out", tmp_path / "doc.hyper"])
    assert doc.returncode == 0, doc.stderr
    assert "2 integer(s) beyond 64 bits were read exactly, as text" in doc.stdout
    assert '1 object(s) name a key twice (first: "a" in record 1); the last value of each was kept' in doc.stdout
    assert table_rows(hyper_process, tmp_path / "doc.hyper", 'SELECT id, n, a FROM "Extract"."Extract" ORDER BY _row_id') == [
        ["123456789012345678901234567890", "-9223372036854775809", 2], ["5", "1", None]]
    lines = run(["load", tmp_path / "lines.ndjson", "--out", tmp_path / "lines.hyper"])
    assert lines.returncode == 0, lines.stderr
    assert table_rows(hyper_process, tmp_path / "lines.hyper", 'SELECT id FROM "Extract"."Extract" ORDER BY _row_id') == [
        ["98765432109876543210"], ["7"]]


def test_an_endless_ndjson_line_fails_at_once(tmp_path):
    """#13.4: one NDJSON line of 100 MB without a newline is refused with its line number."""
    (tmp_path / "big.ndjson").write_text('{"a": 1}\n{"b": "' + "z" * 100_000_000 + '"}\n')
    result = run(["load", tmp_path / "big.ndjson", "--out", tmp_path / "x.hyper", "--max-value-mb", "16"])
    assert result.returncode == 6, result.stderr
    assert "big.ndjson:2: a line longer than 16 MiB" in result.stderr


def test_an_excel_string_split_into_many_runs_is_bounded_as_a_whole(tmp_path):
    """#13.4: rich text (many <r><t> runs in one shared string) counts as one value."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    runs = "".join(f"<r><t>{'x' * 500_000}</t></r>" for _ in range(6))  # 3 MB in runs of 0.5 MB
    minimal_xlsx(tmp_path / "runs.xlsx", f'<?xml version="1.0"?><sst xmlns="{main}"><si>{runs}</si></sst>')
    result = run(["load", tmp_path / "runs.xlsx", "--out", tmp_path / "x.hyper", "--max-value-mb", "2"])
    assert result.returncode == 6, result.stderr
    assert "a text longer than 2 MiB" in result.stderr
