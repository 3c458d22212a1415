"""End-to-end runs of pipelines (`hyperpipe run`): the quickstart against the local example API
and the Tableau double, incremental state, table modes, atomicity when a run fails or is
killed, secrets, exit codes. Results are read back with tableauhyperapi and recomputed from the
inputs with pandas, never hard-coded."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from tableauhyperapi import Connection

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "doubles"))
import example_api  # noqa: E402
import tableau_server  # noqa: E402
from conftest import BUILD, ROOT  # noqa: E402

QUICKSTART = ROOT / "examples" / "quickstart"
API_KEY = "api-key-that-must-never-be-printed"
PAT_SECRET = "pat-secret-that-must-never-be-printed"


def serve(server):
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture()
def api():
    state = example_api.State(API_KEY)
    server = example_api.make_server(state)
    yield state, serve(server)
    server.shutdown()
    server.server_close()


@pytest.fixture()
def tableau():
    state = tableau_server.State(pats={"ci": PAT_SECRET})
    server = tableau_server.make_server(state)
    yield state, serve(server)
    server.shutdown()
    server.server_close()
    shutil.rmtree(state.workdir, ignore_errors=True)


def run(pipeline, *args, env=None, check=None, timeout=300):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("HYPERPIPE_TABLEAU", "TABLEAU_"))}
    environment.update(env or {})
    result = subprocess.run([str(BUILD / "src" / "hyperpipe"), "run", str(pipeline), "--progress", "never", *args],
                            capture_output=True, text=True, env=environment, timeout=timeout)
    if check is not None:
        assert result.returncode == check, f"exit {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def rows(hyper_process, file, sql):
    with Connection(hyper_process.endpoint, str(file)) as connection:
        return connection.execute_list_query(sql)


def quickstart_env(out, api_url, tableau_url):
    return {"QUICKSTART_OUT": str(out), "EXAMPLE_API_URL": api_url, "EXAMPLE_API_KEY": API_KEY,
            "TABLEAU_SERVER": tableau_url, "TABLEAU_ALLOW_HTTP": "true",
            "HYPERPIPE_TABLEAU_TOKEN_NAME": "ci", "HYPERPIPE_TABLEAU_TOKEN_SECRET": PAT_SECRET}


def test_quickstart_writes_and_publishes_three_extracts(tmp_path, api, tableau, hyper_process):
    api_state, api_url = api
    tableau_state, tableau_url = tableau
    result = run(QUICKSTART / "pipeline.yaml", env=quickstart_env(tmp_path, api_url, tableau_url), check=0)

    # Expected content, computed independently from the same inputs with pandas.
    catalogue = json.loads((QUICKSTART / "data" / "api_videos.json").read_text(encoding="utf-8"))
    videos = pd.DataFrame([{"topic": topic, "video_id": v["id"]["videoId"], "title": v["snippet"]["title"],
                            "channel_id": v["snippet"]["channelId"]}
                           for topic, items in catalogue.items() for v in items])
    stats = pd.read_excel(QUICKSTART / "data" / "video_stats.xlsx", sheet_name="Statistics")
    channels = pd.read_csv(QUICKSTART / "data" / "channels.csv")
    expected = videos.merge(stats, on="video_id", how="left").merge(channels, on="channel_id", how="left")

    multi = tmp_path / "popular_videos.hyper"
    got = rows(hyper_process, multi, 'SELECT topic, video_id, title, channel_id, views, likes, comments '
                                     'FROM "Extract"."videos" ORDER BY topic, video_id')
    want = expected.sort_values(["topic", "video_id"])[["topic", "video_id", "title", "channel_id", "views", "likes", "comments"]]
    assert got == [[r.topic, r.video_id, r.title, r.channel_id, int(r.views), int(r.likes), int(r.comments)]
                   for r in want.itertuples()]
    assert rows(hyper_process, multi, 'SELECT COUNT(*) FROM "Extract"."channels"') == [[len(channels)]]
    for file, topic in [("data_science_videos.hyper", "data science"), ("data_engineering_videos.hyper", "data engineering")]:
        got = rows(hyper_process, tmp_path / file, 'SELECT video_id, channel_name, country FROM "Extract"."Extract" ORDER BY video_id')
        part = expected[expected.topic == topic].sort_values("video_id")
        assert got == [[r.video_id, r.channel_name, r.country] for r in part.itertuples()]

    # Both API sources paged through the token: 120 videos at 50 a page = 3 requests each.
    searches = [r for r in api_state.requests if r["path"] == "/youtube/v3/search"]
    assert len(searches) == 6 and sum("pageToken" in r["query"] for r in searches) == 4

    published = {d["name"]: d for d in tableau_state.snapshot()["datasources"]}
    assert set(published) == {"Data science videos", "Data engineering videos", "Popular videos"}
    assert [t["rows"] for t in published["Popular videos"]["tables"]] == [len(channels), len(videos)]

    report = json.loads((tmp_path / ".hyperpipe" / "popular-videos.last-run.json").read_text())
    assert report["status"] == "succeeded"
    assert {s["name"]: s["rows_loaded"] for s in report["sources"]} == {
        "ds_videos": 120, "de_videos": 120, "channels": len(channels), "stats": len(stats)}
    assert all(s["rows_read"] == s["rows_loaded"] + s["rows_rejected"] + s["rows_skipped_by_watermark"]
               for s in report["sources"])
    assert sorted(p["datasource_id"] for p in report["publishes"]) == sorted(d["id"] for d in published.values())
    everything = result.stdout + result.stderr + json.dumps(report)
    assert API_KEY not in everything and PAT_SECRET not in everything


def write_pipeline(folder, text):
    path = folder / "pipeline.yaml"
    path.write_text(text)
    return path


INCREMENTAL = """
version: 1
name: orders
sources:
  orders:
    type: csv
    path: orders.csv
    incremental: {column: updated_at}
outputs:
  history:
    file: out/history.hyper
    tables:
      - {name: Extract.Extract, from: orders, mode: append}
  latest:
    file: out/latest.hyper
    tables:
      - {name: Extract.Extract, from: orders, mode: replace_by_key, key: [order_id]}
"""


def test_incremental_runs_never_duplicate_and_replace_by_key_keeps_the_latest(tmp_path, hyper_process):
    pipeline = write_pipeline(tmp_path, INCREMENTAL)
    orders = tmp_path / "orders.csv"
    orders.write_text("order_id,amount,updated_at\n1,10.50,2026-01-01 10:00:00\n2,20.00,2026-01-01 11:00:00\n")
    run(pipeline, check=0)
    run(pipeline, check=0)  # the same input again: nothing new
    history = tmp_path / "out" / "history.hyper"
    latest = tmp_path / "out" / "latest.hyper"
    assert rows(hyper_process, history, 'SELECT COUNT(*) FROM "Extract"."Extract"') == [[2]]
    state = json.loads((tmp_path / ".hyperpipe" / "orders.state.json").read_text())
    assert state["sources"]["orders"]["watermark"] == "2026-01-01 11:00:00"
    report = json.loads((tmp_path / ".hyperpipe" / "orders.last-run.json").read_text())
    assert report["sources"][0]["rows_skipped_by_watermark"] == 2 and report["sources"][0]["rows_loaded"] == 0

    # An export with one changed order and one new order, plus the old rows again.
    orders.write_text("order_id,amount,updated_at\n1,10.50,2026-01-01 10:00:00\n2,20.00,2026-01-01 11:00:00\n"
                      "2,25.00,2026-01-02 09:00:00\n3,30.00,2026-01-02 09:30:00\n")
    run(pipeline, check=0)
    assert rows(hyper_process, history, 'SELECT order_id, amount FROM "Extract"."Extract" ORDER BY updated_at') == [
        [1, 10.5], [2, 20.0], [2, 25.0], [3, 30.0]]
    assert rows(hyper_process, latest, 'SELECT order_id, amount FROM "Extract"."Extract" ORDER BY order_id') == [
        [1, 10.5], [2, 25.0], [3, 30.0]]
    report = json.loads((tmp_path / ".hyperpipe" / "orders.last-run.json").read_text())
    latest_table = next(o for o in report["outputs"] if o["name"] == "latest")["tables"][0]
    assert (latest_table["rows_written"], latest_table["rows_replaced"], latest_table["rows_total"]) == (2, 1, 3)


def test_a_failing_transform_names_the_step_and_changes_nothing(tmp_path):
    pipeline = write_pipeline(tmp_path, INCREMENTAL)
    (tmp_path / "orders.csv").write_text("order_id,amount,updated_at\n1,10.50,2026-01-01 10:00:00\n")
    run(pipeline, check=0)
    before = {p: p.read_bytes() for p in [tmp_path / "out" / "history.hyper", tmp_path / ".hyperpipe" / "orders.state.json"]}
    (tmp_path / "orders.csv").write_text("order_id,amount,updated_at\n1,10.50,2026-01-01 10:00:00\n2,1,2026-02-01 00:00:00\n")
    broken = INCREMENTAL.replace("outputs:", "transforms:\n  - {name: bad, sql: SELECT no_such_column FROM orders}\noutputs:")
    write_pipeline(tmp_path, broken)
    result = run(pipeline, check=5)
    assert "transform bad" in result.stderr and "no_such_column" in result.stderr
    assert {p: p.read_bytes() for p in before} == before
    assert not list((tmp_path / "out").glob(".*tmp")) and not (tmp_path / ".hyperpipe" / "orders.work").exists()
    report = json.loads((tmp_path / ".hyperpipe" / "orders.last-run.json").read_text())
    assert report["status"] == "failed" and report["error"]["step"] == "transform bad"
    history = subprocess.run([str(BUILD / "src" / "hyperpipe"), "history", str(pipeline), "--json"],
                             capture_output=True, text=True, check=True)
    runs = json.loads(history.stdout)
    assert [r["status"] for r in runs] == ["failed", "succeeded"]
    assert runs[0]["error"].startswith("transform bad: ") and "no_such_column" in runs[0]["error"]
    assert runs[1]["rows"] == 2 and runs[1]["trigger"] == "manual"


def test_a_run_killed_midway_leaves_the_previous_extract_and_state(tmp_path, api, hyper_process):
    api_state, api_url = api
    env = {"QUICKSTART_OUT": str(tmp_path), "EXAMPLE_API_URL": api_url, "EXAMPLE_API_KEY": API_KEY,
           "TABLEAU_SERVER": "http://127.0.0.1:9", "TABLEAU_ALLOW_HTTP": "true"}
    run(QUICKSTART / "pipeline.yaml", "--no-publish", env=env, check=0)
    outputs = sorted(tmp_path.glob("*.hyper"))
    before = {p: p.read_bytes() for p in outputs}
    api_state.faults.append({"delay": 30, "times": 4})  # the next run hangs while fetching
    process = subprocess.Popen([str(BUILD / "src" / "hyperpipe"), "run", str(QUICKSTART / "pipeline.yaml"), "--no-publish",
                                "--progress", "never"], env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while len(api_state.requests) < 8 and time.monotonic() < deadline:  # 6 from the first run, then the hung ones
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert {p: p.read_bytes() for p in outputs} == before
    # The next run cleans the killed run's scratch space and succeeds.
    api_state.faults.clear()
    run(QUICKSTART / "pipeline.yaml", "--no-publish", env=env, check=0)
    assert not list(tmp_path.glob(".*.tmp")) and not (tmp_path / ".hyperpipe" / "popular-videos.work").exists()
    assert rows(hyper_process, tmp_path / "popular_videos.hyper", 'SELECT COUNT(*) FROM "Extract"."videos"') == [[240]]


def test_source_and_publish_failures_have_their_exit_codes_and_keep_secrets(tmp_path, api, tableau):
    api_state, api_url = api
    tableau_state, tableau_url = tableau
    env = quickstart_env(tmp_path, api_url, tableau_url)
    api_state.quota = 0
    result = run(QUICKSTART / "pipeline.yaml", env=env, check=9)
    assert "quota" in result.stderr and "source " in result.stderr
    assert API_KEY not in result.stdout + result.stderr
    assert not list(tmp_path.glob("*.hyper")) and tableau_state.snapshot()["datasources"] == []

    api_state.quota = 10_000
    env["HYPERPIPE_TABLEAU_TOKEN_SECRET"] = "wrong-secret-value"
    result = run(QUICKSTART / "pipeline.yaml", env=env, check=7)
    assert "publish data_science" in result.stderr
    assert "wrong-secret-value" not in result.stdout + result.stderr
    assert len(list(tmp_path.glob("*.hyper"))) == 3  # the files are written before publishing


def test_dry_run_only_and_json_logs(tmp_path, api):
    _, api_url = api
    env = {"QUICKSTART_OUT": str(tmp_path), "EXAMPLE_API_URL": api_url, "EXAMPLE_API_KEY": API_KEY,
           "TABLEAU_SERVER": "https://tableau.example.com"}
    dry = run(QUICKSTART / "pipeline.yaml", "--dry-run", env=env, check=0)
    assert "transform videos: CREATE TABLE \"videos\" AS" in dry.stdout and "publish popular_videos" in dry.stdout
    assert not list(tmp_path.glob("*.hyper"))
    result = run(QUICKSTART / "pipeline.yaml", "--only", "popular_videos", "--no-publish", "--log-format", "json",
                 env=env, check=0)
    assert [p.name for p in tmp_path.glob("*.hyper")] == ["popular_videos.hyper"]
    events = [json.loads(line) for line in result.stderr.splitlines()]
    finished = {e["step"] for e in events if e["event"] == "finished"}
    assert {"source ds_videos", "transform videos", "output popular_videos"} <= finished
    unknown = run(QUICKSTART / "pipeline.yaml", "--only", "nope", "--dry-run", env=env, check=8)
    assert "popular_videos" in unknown.stderr


def test_validate_reports_every_problem_with_its_position(tmp_path, hyperpipe):
    pipeline = write_pipeline(tmp_path, """version: 1
sources:
  orders: {type: csv, path: a.csv, delimeter: ";"}
  1bad: {type: excel, path: b.xlsx}
outputs:
  out:
    file: out.hyper
    tables:
      - {name: Extract.Extract, from: ordres, mode: upsert}
""")
    result = hyperpipe("validate", pipeline, check=False)
    assert result.returncode == 8
    lines = result.stderr.splitlines()
    assert any(':3:' in l and 'unknown key "delimeter"' in l and 'did you mean "delimiter"' in l for l in lines)
    assert any(':4:' in l and '"1bad" cannot be used as a table name' in l for l in lines)
    assert any(':4:' in l and 'unknown source type "excel"' in l for l in lines)
    assert any(':9:' in l and '"ordres" is not a source or transform' in l for l in lines)
    assert any(':9:' in l and '"upsert" is not a table mode' in l for l in lines)
    assert "5 problems" in result.stderr


def test_two_runs_of_one_pipeline_never_overlap(tmp_path, api):
    api_state, api_url = api
    env = {"QUICKSTART_OUT": str(tmp_path), "EXAMPLE_API_URL": api_url, "EXAMPLE_API_KEY": API_KEY,
           "TABLEAU_SERVER": "https://tableau.example.com"}
    api_state.faults.append({"delay": 3, "times": 2})
    first = subprocess.Popen([str(BUILD / "src" / "hyperpipe"), "run", str(QUICKSTART / "pipeline.yaml"), "--no-publish",
                              "--progress", "never"], env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while not api_state.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    second = run(QUICKSTART / "pipeline.yaml", "--no-publish", env=env)
    assert second.returncode != 0 and "already running" in second.stderr
    assert first.wait(timeout=120) == 0


API_INCREMENTAL = """
version: 1
name: feed
sources:
  videos:
    type: api
    url: ${API_URL}/youtube/v3/search
    allow_http: true
    params: {q: data science, maxResults: 50, publishedAfter: "${state.watermark}"}
    auth: {type: api_key, in: query, name: key, value: "${EXAMPLE_API_KEY}"}
    records_path: items
    pagination: {type: token}
    incremental: {column: snippet.publishedAt}
outputs:
  feed:
    file: feed.hyper
    tables:
      - {name: Extract.Extract, from: videos, mode: append}
"""


def test_an_api_asked_only_for_new_rows_that_has_none_keeps_the_pipeline_green(tmp_path, api, hyper_process):
    api_state, api_url = api
    pipeline = write_pipeline(tmp_path, API_INCREMENTAL)
    env = {"API_URL": api_url, "EXAMPLE_API_KEY": API_KEY}
    run(pipeline, env=env, check=0)
    first = [r for r in api_state.requests if r["path"] == "/youtube/v3/search"]
    assert all("publishedAfter" not in r["query"] for r in first)  # no watermark yet: no filter
    newest = max(v["snippet"]["publishedAt"] for v in api_state.videos["data science"])
    run(pipeline, env=env, check=0)  # the API has nothing newer: an empty answer
    second = [r for r in api_state.requests if r["path"] == "/youtube/v3/search"][len(first):]
    assert len(second) == 1 and second[0]["query"]["publishedAfter"].startswith(newest[:10])
    assert rows(hyper_process, tmp_path / "feed.hyper", 'SELECT COUNT(*) FROM "Extract"."Extract"') == [[120]]
    report = json.loads((tmp_path / ".hyperpipe" / "feed.last-run.json").read_text())
    assert report["status"] == "succeeded" and report["sources"][0]["rows_loaded"] == 0
    assert any("no records" in note for note in report["sources"][0]["notes"])


NESTED = """
version: 1
name: nested
sources:
  orders:
    type: json
    path: orders.ndjson
    incremental: {column: updated}
outputs:
  out:
    file: out.hyper
    tables:
      - {name: Extract.orders, from: orders, mode: append}
      - {name: Extract.lines, from: orders_lines, mode: append}
      - {name: Extract.customers, sql: "SELECT DISTINCT customer FROM orders", mode: replace, primary_key: [customer]}
      - name: Extract.orders_by_customer
        sql: SELECT customer, COUNT(*) AS n FROM orders GROUP BY customer
        mode: replace_by_key
        key: [customer]
        foreign_keys: [{columns: [customer], references: Extract.customers}]
"""


def test_incremental_json_drops_child_rows_of_old_records_and_replace_keeps_referenced_tables(tmp_path, hyper_process):
    pipeline = write_pipeline(tmp_path, NESTED)
    data = tmp_path / "orders.ndjson"
    first = ['{"id":1,"customer":"a","updated":"2026-01-01 10:00:00","lines":[{"sku":"x"},{"sku":"y"}]}',
             '{"id":2,"customer":"b","updated":"2026-01-02 10:00:00","lines":[{"sku":"z"}]}']
    data.write_text("\n".join(first) + "\n")
    run(pipeline, check=0)
    data.write_text("\n".join(first + ['{"id":3,"customer":"a","updated":"2026-01-03 10:00:00","lines":[{"sku":"w"}]}']) + "\n")
    run(pipeline, check=0)  # the second run updates a file whose "customers" table is referenced
    out = tmp_path / "out.hyper"
    assert rows(hyper_process, out, 'SELECT COUNT(*) FROM "Extract"."orders"') == [[3]]
    assert rows(hyper_process, out, 'SELECT sku FROM "Extract"."lines" ORDER BY sku') == [["w"], ["x"], ["y"], ["z"]]
    report = json.loads((tmp_path / ".hyperpipe" / "nested.last-run.json").read_text())
    assert any("child-table rows" in note for note in report["sources"][0]["notes"])


def test_the_quickstart_script_publishes_to_its_own_local_stand_in(tmp_path):
    """Issue #18: two commands from a fresh clone show the whole job, publishing included."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HYPERPIPE_TABLEAU", "TABLEAU_"))}
    env.update({"HYPERPIPE_BIN": str(BUILD / "src" / "hyperpipe"), "QUICKSTART_OUT": str(tmp_path)})
    result = subprocess.run([str(ROOT / "scripts" / "quickstart")], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "a LOCAL STAND-IN of Tableau Server" in out and "not Tableau" in out
    published = [line for line in out.splitlines() if line.startswith("quickstart: published ")]
    assert len(published) == 3, out
    shapes = [re.fullmatch(r'quickstart: published "(.+)" \(data source (\S+)\) in project "Default": (\S+)', line)
              for line in published]
    assert all(shapes), published
    assert sorted(m.group(1) for m in shapes) == ["Data engineering videos", "Data science videos", "Popular videos"]
    # The stand-in's state endpoint, read by the script before it stops the stand-in.
    assert ("the stand-in holds 3 data sources: Data engineering videos, Data science videos, Popular videos"
            in out), out
    assert "export TABLEAU_SERVER=https://your-server" in out
    assert sorted(p.name for p in tmp_path.glob("*.hyper")) == [
        "data_engineering_videos.hyper", "data_science_videos.hyper", "popular_videos.hyper"]
    # The script stops the stand-ins it started.
    left = subprocess.run(["pgrep", "-f", "tableau_server.py --port 0 --pat quickstart:"], capture_output=True, text=True)
    assert left.stdout == "", left.stdout
