"""The scheduler daemon (`hyperpipe schedule PIPELINE.yaml`) for real: child runs against the
local example API (made slow with its delay fault), a local webhook receiver, the run history,
SIGTERM in the middle of a run (finish and abort), max_run_time with retries, and the locks.
A run fires at once through catch_up: once and a remembered last fire time in the past, so no
test waits for the clock."""
import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from tableauhyperapi import Connection

from conftest import BUILD  # noqa: E402
from test_pipeline_run import API_KEY, api, serve  # noqa: E402,F401  (api is a fixture)

HYPERPIPE = str(BUILD / "src" / "hyperpipe")
HOOK_TOKEN = "hook-token-that-must-never-be-printed"


class Webhook:
    """Records every POST: path, headers and JSON body."""

    def __init__(self):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append({"path": self.path, "type": self.headers["Content-Type"], "raw": body.decode(),
                                 "json": json.loads(body)})
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = serve(self.server) + f"/hooks/{HOOK_TOKEN}"


@pytest.fixture()
def webhook():
    hook = Webhook()
    yield hook
    hook.server.shutdown()
    hook.server.server_close()


def write_pipeline(tmp_path, api_url, schedule, notify="", key=API_KEY, name="videos"):
    pipeline = tmp_path / "p.yaml"
    pipeline.write_text(f"""version: 1
name: {name}
state_dir: state
schedule: {schedule}
{notify}
sources:
  found:
    type: api
    url: {api_url}/youtube/v3/search
    allow_http: true
    params: {{part: snippet, q: data science, type: video, maxResults: 50}}
    auth: {{type: api_key, in: query, name: key, value: "${{EXAMPLE_API_KEY}}"}}
    records_path: items
    pagination: {{type: token, token_path: nextPageToken, token_param: pageToken, max_pages: 1}}
outputs:
  videos:
    file: out/videos.hyper
    tables: [{{name: Extract.Extract, from: found}}]
""")
    return pipeline, {"EXAMPLE_API_KEY": key, "HOOK_URL": ""}


def remember_a_missed_fire(tmp_path, name="videos"):
    (tmp_path / "state").mkdir(exist_ok=True)
    (tmp_path / "state" / f"{name}.schedule.json").write_text('{"last_fire": "2020-01-01T00:00:00Z"}')


class Daemon:
    """`hyperpipe schedule` with its JSON decision lines collected as they come."""

    def __init__(self, pipeline, env, *args):
        environment = dict(os.environ, **env)
        self.process = subprocess.Popen([HYPERPIPE, "schedule", str(pipeline), "--log-format", "json", *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
        self.lines = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(json.loads(line))

    def decisions(self):
        return [(line["pipeline"], line["decision"]) for line in self.lines]

    def wait_for(self, decision, count=1, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if sum(1 for _, d in self.decisions() if d == decision) >= count:
                return
            assert self.process.poll() is None, f"the daemon exited: {self.process.stderr.read()}"
            time.sleep(0.05)
        raise AssertionError(f"no {decision!r} within {timeout} s: {self.decisions()}")

    def stop(self, timeout=90):
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout)
        self.reader.join(timeout=5)
        return code

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def history(pipeline, env):
    out = subprocess.run([HYPERPIPE, "history", str(pipeline), "--json"], capture_output=True, text=True, check=True,
                         env=dict(os.environ, **env))
    return json.loads(out.stdout) if out.stdout.startswith("[") else []


def extract_rows(hyper_process, file):
    with Connection(hyper_process.endpoint, str(file)) as connection:
        return connection.execute_scalar_query('SELECT COUNT(*) FROM "Extract"."Extract"')


def test_catches_up_runs_records_and_notifies(tmp_path, api, webhook, hyper_process):
    _, api_url = api
    pipeline, env = write_pipeline(tmp_path, api_url, '{cron: "0 0 1 1 *", catch_up: once}',
                                   "notify: {webhook: '${HOOK_URL}', on_success: true, allow_http: true}")
    env["HOOK_URL"] = webhook.url
    remember_a_missed_fire(tmp_path)
    daemon = Daemon(pipeline, env)
    try:
        daemon.wait_for("succeeded")
        assert daemon.stop() == 0
    finally:
        daemon.kill()
    assert daemon.decisions() == [("videos", "scheduled"), ("videos", "missed"), ("videos", "caught up"),
                                  ("videos", "succeeded"), ("scheduler", "stopping"), ("scheduler", "stopped")]
    missed = daemon.lines[1]["detail"]
    assert "since 2020-01-01T00:00:00+00:00" in missed and "catching up once" in missed

    runs = history(pipeline, env)
    assert [(r["status"], r["trigger"]) for r in runs] == [("succeeded", "schedule")]
    assert extract_rows(hyper_process, tmp_path / "out" / "videos.hyper") == runs[0]["rows"] > 0
    remembered = json.loads((tmp_path / "state" / "videos.schedule.json").read_text())
    assert remembered["last_fire"].startswith(time.strftime("%Y-01-01T00:00:00Z", time.gmtime()))
    logs = list((tmp_path / "state" / "logs" / "videos").glob("*-catch-up.log"))
    assert len(logs) == 1 and logs[0].stat().st_size > 0

    assert len(webhook.received) == 1
    notice = webhook.received[0]
    assert notice["type"] == "application/json" and notice["path"] == f"/hooks/{HOOK_TOKEN}"
    body = notice["json"]
    assert body["status"] == "succeeded" and body["trigger"] == "schedule" and body["pipeline"] == "videos"
    assert body["outputs"] == [{"name": "videos", "rows": runs[0]["rows"]}]
    assert body["report"] == runs[0]["report"] and Path(body["report"]).exists()
    assert "videos succeeded" in body["text"]
    everything = notice["raw"] + json.dumps(daemon.lines) + daemon.process.stderr.read()
    assert API_KEY not in everything and HOOK_TOKEN not in json.dumps(daemon.lines)


def test_sigterm_mid_run_lets_the_run_finish(tmp_path, api):
    api_state, api_url = api
    api_state.faults.append({"delay": 5})
    pipeline, env = write_pipeline(tmp_path, api_url, '{cron: "0 0 1 1 *", catch_up: once}')
    remember_a_missed_fire(tmp_path)
    daemon = Daemon(pipeline, env)
    try:
        daemon.wait_for("caught up")
        time.sleep(1.5)
        # The pipeline's run lock is held by the scheduled run: a manual run does nothing, says so.
        manual = subprocess.run([HYPERPIPE, "run", str(pipeline), "--progress", "never"], capture_output=True, text=True,
                                env=dict(os.environ, **env))
        assert manual.returncode == 10, manual.stderr
        assert 'pipeline "videos" is already running (pid' in manual.stderr
        started = time.monotonic()
        assert daemon.stop() == 0
        assert time.monotonic() - started > 1.0  # it waited for the run
    finally:
        daemon.kill()
    assert daemon.decisions()[-3:] == [("scheduler", "stopping"), ("videos", "succeeded"), ("scheduler", "stopped")]
    assert [(r["status"], r["trigger"]) for r in history(pipeline, env)] == [("succeeded", "schedule")]


def test_sigterm_mid_run_with_abort_stops_it_and_keeps_the_previous_extract(tmp_path, api, webhook, hyper_process):
    api_state, api_url = api
    pipeline, env = write_pipeline(tmp_path, api_url, '{cron: "0 0 1 1 *", catch_up: once, retries: 3}',
                                   "notify: {webhook: '${HOOK_URL}', allow_http: true}")
    env["HOOK_URL"] = webhook.url
    first = subprocess.run([HYPERPIPE, "run", str(pipeline), "--progress", "never"], capture_output=True, text=True,
                           env=dict(os.environ, **env))
    assert first.returncode == 0, first.stderr
    extract = tmp_path / "out" / "videos.hyper"
    before = extract.read_bytes()
    api_state.faults.append({"delay": 20})
    remember_a_missed_fire(tmp_path)
    daemon = Daemon(pipeline, env, "--on-stop", "abort")
    try:
        daemon.wait_for("caught up")
        time.sleep(1.5)
        started = time.monotonic()
        assert daemon.stop() == 0
        assert time.monotonic() - started < 15  # did not wait out the 20 s request
    finally:
        daemon.kill()
    assert ("videos", "stopping run") in daemon.decisions() and ("videos", "failed") in daemon.decisions()
    assert ("videos", "retry scheduled") not in daemon.decisions()
    assert extract.read_bytes() == before
    runs = history(pipeline, env)
    assert [(r["status"], r["trigger"]) for r in runs] == [("failed", "schedule"), ("succeeded", "manual")]
    assert "killed by signal 15" in runs[0]["error"]
    # Without a pipeline file (and without its secrets): every pipeline of a state folder.
    everything = subprocess.run([HYPERPIPE, "history", "--state-dir", str(tmp_path / "state")], capture_output=True,
                                text=True, check=True).stdout.splitlines()
    assert len(everything) == 2 and all(" videos " in line for line in everything), everything
    assert len(webhook.received) == 1 and webhook.received[0]["json"]["status"] == "failed"
    assert "killed by signal 15" in webhook.received[0]["json"]["error"]
    assert API_KEY not in webhook.received[0]["raw"]
    logs = "".join(p.read_text() for p in (tmp_path / "state" / "logs").rglob("*.log"))
    leaked = daemon.process.stderr.read() + json.dumps(daemon.lines) + logs
    assert API_KEY not in leaked and HOOK_TOKEN not in leaked


def test_max_run_time_stops_runs_and_retries_with_backoff(tmp_path, api):
    api_state, api_url = api
    api_state.faults.append({"delay": 30, "times": 2})
    pipeline, env = write_pipeline(tmp_path, api_url,
                                   '{cron: "0 0 1 1 *", catch_up: once, max_run_time: 2s, retries: 1, retry_backoff: 1s}')
    remember_a_missed_fire(tmp_path)
    daemon = Daemon(pipeline, env)
    try:
        daemon.wait_for("gave up", timeout=60)
        assert daemon.stop() == 0
    finally:
        daemon.kill()
    videos = [d for p, d in daemon.decisions() if p == "videos"]
    assert videos == ["scheduled", "missed", "caught up", "timed out", "failed", "retry scheduled", "retried",
                      "timed out", "failed", "gave up"]
    failed = [line["detail"] for line in daemon.lines if line["decision"] == "failed"]
    assert all(detail.startswith("stopped for max_run_time: killed by signal 15") for detail in failed), failed
    retry = next(line["detail"] for line in daemon.lines if line["decision"] == "retry scheduled")
    assert "attempt 2 of 2" in retry and "backoff 1 s" in retry
    runs = history(pipeline, env)
    assert [(r["status"], r["trigger"]) for r in runs] == [("failed", "schedule")] * 2
    assert not (tmp_path / "out" / "videos.hyper").exists()


def test_one_scheduler_per_pipeline(tmp_path, api):
    _, api_url = api
    pipeline, env = write_pipeline(tmp_path, api_url, '{cron: "0 0 1 1 *"}')
    daemon = Daemon(pipeline, env)
    try:
        daemon.wait_for("scheduled")
        second = subprocess.run([HYPERPIPE, "schedule", str(pipeline)], capture_output=True, text=True,
                                env=dict(os.environ, **env), timeout=30)
        assert second.returncode == 10
        assert 'pipeline "videos" is already scheduled by another hyperpipe schedule (pid' in second.stderr
        # From its first start the daemon is responsible: a fire missed while it is down is noticed.
        assert "last_fire" in json.loads((tmp_path / "state" / "videos.schedule.json").read_text())
        assert daemon.stop() == 0
    finally:
        daemon.kill()


def test_a_pipeline_without_schedule_is_refused(tmp_path, api):
    _, api_url = api
    pipeline, env = write_pipeline(tmp_path, api_url, '{cron: "@daily"}')
    pipeline.write_text(pipeline.read_text().replace('schedule: {cron: "@daily"}\n', ""))
    result = subprocess.run([HYPERPIPE, "schedule", str(pipeline)], capture_output=True, text=True, env=dict(os.environ, **env))
    assert result.returncode == 2 and "has no schedule" in result.stderr


def test_a_failed_manual_run_runs_the_notify_command_with_the_report(tmp_path, api):
    _, api_url = api
    seen = tmp_path / "seen.json"
    script = tmp_path / "notify.py"
    script.write_text("import json, os, sys\n"
                      f"json.dump({{'argv': sys.argv[1:], 'env': {{k: v for k, v in os.environ.items() if k.startswith('HYPERPIPE_')}}}},"
                      f" open({str(seen)!r}, 'w'))\n")
    pipeline, env = write_pipeline(tmp_path, api_url, '{cron: "@daily"}',
                                   f"notify: {{command: [{sys.executable}, {script}, --channel, data]}}",
                                   key="wrong-key-that-is-still-a-secret")
    result = subprocess.run([HYPERPIPE, "run", str(pipeline), "--progress", "never"], capture_output=True, text=True,
                            env=dict(os.environ, **env))
    assert result.returncode == 9, result.stderr
    called = json.loads(seen.read_text())
    report = tmp_path / "state" / "videos.last-run.json"
    assert called["argv"] == ["--channel", "data", str(report)]
    assert called["env"]["HYPERPIPE_STATUS"] == "failed" and called["env"]["HYPERPIPE_TRIGGER"] == "manual"
    assert called["env"]["HYPERPIPE_REPORT"] == str(report) and json.loads(report.read_text())["status"] == "failed"
    assert "wrong-key-that-is-still-a-secret" not in seen.read_text()
    assert "source found" in called["env"]["HYPERPIPE_ERROR"]


def test_a_run_that_cannot_start_is_recorded_and_notified(tmp_path, api, webhook):
    _, api_url = api
    pipeline, env = write_pipeline(tmp_path, api_url, '{cron: "0 0 1 1 *", catch_up: once}',
                                   "notify: {webhook: '${HOOK_URL}', allow_http: true}")
    env["HOOK_URL"] = webhook.url
    remember_a_missed_fire(tmp_path)
    (tmp_path / "state" / "logs").mkdir(parents=True)
    (tmp_path / "state" / "logs" / "videos").write_text("a file where the run logs should go")
    daemon = Daemon(pipeline, env)
    try:
        daemon.wait_for("skipped")
        deadline = time.monotonic() + 30
        while not webhook.received and time.monotonic() < deadline:
            time.sleep(0.05)
        assert daemon.stop() == 0
    finally:
        daemon.kill()
    skipped = next(line["detail"] for line in daemon.lines if line["decision"] == "skipped")
    assert "could not start the run: cannot write the run's log" in skipped
    runs = history(pipeline, env)
    assert [(r["status"], r["trigger"]) for r in runs] == [("failed", "schedule")]
    assert runs[0]["error"].startswith("start: the scheduled run could not start")
    assert len(webhook.received) == 1 and webhook.received[0]["json"]["failed_step"] == "start"
