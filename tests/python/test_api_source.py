"""Web API sources against the local YouTube-like API (tests/doubles/example_api.py): paging,
keys, OAuth2, fan-out, the development cache, and every fault a real API throws at a client:
429 with Retry-After, 5xx, slow and dropped responses, an HTML page instead of JSON, quota
errors, schema drift between pages. Each test asserts exact rows, types or error texts."""
import json
import sys
import time
from pathlib import Path

import pytest
from tableauhyperapi import Connection

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "doubles"))
import example_api  # noqa: E402
from test_pipeline_run import run, rows, serve, write_pipeline  # noqa: E402

KEY = "yt-key-/+=-must-not-leak"  # characters that get percent-encoded in URLs


@pytest.fixture()
def api():
    state = example_api.State(KEY, clients={"hyperpipe-ci": "client-secret-never-printed"})
    server = example_api.make_server(state)
    yield state, serve(server)
    server.shutdown()
    server.server_close()


def pipeline(tmp_path, source_extra="", table="videos", pagination="{type: token, token_param: pageToken}"):
    return write_pipeline(tmp_path, f"""
version: 1
name: api
sources:
  videos:
    type: api
    url: ${{API_URL}}/youtube/v3/search
    allow_http: true
    params: {{part: snippet, q: data science, type: video, maxResults: 50}}
    auth: {{type: api_key, in: query, name: key, value: "${{YT_API_KEY}}"}}
    records_path: items
    pagination: {pagination}
    max_attempts: 3
{source_extra}
outputs:
  out:
    file: out.hyper
    tables:
      - {{name: Extract.Extract, from: {table}}}
""")


def go(path, url, check):
    return run(path, env={"API_URL": url, "YT_API_KEY": KEY}, check=check)


def report(tmp_path):
    return json.loads((tmp_path / ".hyperpipe" / "api.last-run.json").read_text())


def columns(hyper_process, file):
    from tableauhyperapi import TableName
    with Connection(hyper_process.endpoint, str(file)) as connection:
        table = connection.catalog.get_table_definition(TableName("Extract", "Extract"))
        return {c.name.unescaped: str(c.type) for c in table.columns}


def test_pages_become_exact_rows_and_types(tmp_path, api, hyper_process):
    state, url = api
    result = go(pipeline(tmp_path), url, 0)
    expected = sorted((v["id"]["videoId"], v["snippet"]["title"], v["snippet"]["channelId"])
                      for v in state.videos["data science"])
    got = rows(hyper_process, tmp_path / "out.hyper",
               'SELECT "id.videoId", "snippet.title", "snippet.channelId" FROM "Extract"."Extract" ORDER BY 1')
    assert [tuple(r) for r in got] == expected
    types = columns(hyper_process, tmp_path / "out.hyper")
    assert types["snippet.publishedAt"] == "TIMESTAMP_TZ" and types["id.videoId"] == "TEXT"
    assert "3 pages, 120 records" in report(tmp_path)["sources"][0]["notes"][0]
    assert KEY not in result.stdout + result.stderr


def test_429_retry_after_is_honoured(tmp_path, api):
    state, url = api
    state.faults.append({"status": 429, "retry_after": 1})
    started = time.monotonic()
    go(pipeline(tmp_path), url, 0)
    assert time.monotonic() - started >= 1.0
    assert "1 retried request(s)" in report(tmp_path)["sources"][0]["notes"][0]


def test_server_errors_are_retried_then_reported_with_the_key_redacted(tmp_path, api):
    state, url = api
    state.faults.append({"status": 500, "times": 2})
    go(pipeline(tmp_path), url, 0)  # two failures, the third attempt works
    state.faults.append({"status": 503, "times": 3})
    result = go(pipeline(tmp_path), url, 9)
    assert (f"GET {url}/youtube/v3/search?part=snippet&q=data%20science&type=video&maxResults=50&key=[redacted]: "
            "gave up after 3 attempts; last answer: HTTP 503:") in result.stderr
    assert "Injected failure" in result.stderr
    assert KEY not in result.stderr and "yt-key-%2F%2B%3D" not in result.stderr


def test_slow_and_dropped_answers_are_retried(tmp_path, api):
    state, url = api
    state.faults.extend([{"delay": 3}, {"drop": True}])
    path = pipeline(tmp_path, "    timeout_seconds: 1")
    go(path, url, 0)
    assert "2 retried request(s)" in report(tmp_path)["sources"][0]["notes"][0]
    state.faults.append({"delay": 3, "times": 3})
    result = go(path, url, 9)
    assert "gave up after 3 attempts" in result.stderr and "timed out" in result.stderr


def test_an_html_page_instead_of_json_is_named(tmp_path, api):
    state, url = api
    state.faults.append({"html": True})
    result = go(pipeline(tmp_path), url, 9)
    assert "the answer is not JSON (text/html): <html><head><title>Error</title>" in result.stderr
    assert "an error page or a login page came back instead of data" in result.stderr


def test_quota_and_key_errors_are_not_retried(tmp_path, api):
    state, url = api
    state.quota = 0
    result = go(pipeline(tmp_path), url, 9)
    assert "HTTP 403:" in result.stderr and "exceeded your quota" in result.stderr
    assert "check the API key or token (and its quota)" in result.stderr
    assert len(state.requests) == 1
    state.quota = 10_000
    result = run(pipeline(tmp_path), env={"API_URL": url, "YT_API_KEY": "wrong-key-value"}, check=9)
    assert "HTTP 400:" in result.stderr and "API key not valid" in result.stderr and "wrong-key-value" not in result.stderr


def test_schema_drift_widen_warn_and_fail(tmp_path, api, hyper_process):
    state, url = api
    state.faults.append({"drift": True, "times": 1})
    state.faults.insert(0, {})  # page 1 is normal, page 2 drifts
    result = go(pipeline(tmp_path, "    on_drift: fail"), url, 9)
    assert 'the records changed shape: page 2: field "snippet.channelTitle" was string, now integer' in result.stderr
    state.faults[:] = [{}, {"drift": True}]
    go(pipeline(tmp_path, "    on_drift: warn"), url, 0)
    notes = report(tmp_path)["sources"][0]["notes"]
    assert 'schema drift: page 2: field "snippet.channelTitle" was string, now integer' in notes
    assert 'schema drift: page 2: new field "snippet.defaultLanguage" (string)' in notes
    state.faults[:] = [{}, {"drift": True}]
    go(pipeline(tmp_path), url, 0)  # widen: every value kept
    got = rows(hyper_process, tmp_path / "out.hyper",
               'SELECT COUNT(*), COUNT("snippet.defaultLanguage") FROM "Extract"."Extract"')
    assert got == [[120, 50]]
    assert columns(hyper_process, tmp_path / "out.hyper")["snippet.channelTitle"] == "TEXT"


def test_fan_out_fetches_statistics_in_batches(tmp_path, api, hyper_process):
    state, url = api
    extra = """    concurrency: 2
    fan_out:
      url: ${API_URL}/youtube/v3/videos
      params: {part: statistics}
      id_path: id.videoId
      id_param: id
      batch_size: 50
      records_path: items"""
    go(pipeline(tmp_path, extra), url, 0)
    stats = state.statistics()
    got = rows(hyper_process, tmp_path / "out.hyper",
               'SELECT id, "statistics.viewCount" FROM "Extract"."Extract" ORDER BY id')
    want = sorted((v["id"]["videoId"], stats[v["id"]["videoId"]]["viewCount"]) for v in state.videos["data science"])
    assert [tuple(map(str, r)) for r in got] == want
    detail_requests = [r for r in state.requests if r["path"] == "/youtube/v3/videos"]
    assert len(detail_requests) == 3 and all(len(r["query"]["id"].split(",")) <= 50 for r in detail_requests)


def test_the_development_cache_spares_the_quota(tmp_path, api):
    state, url = api
    path = pipeline(tmp_path, "    cache: {dir: cache, ttl_seconds: 600}")
    go(path, url, 0)
    served = len(state.requests)
    go(path, url, 0)
    assert len(state.requests) == served
    assert "3 answer(s) from the cache" in report(tmp_path)["sources"][0]["notes"][0]
    for entry in (tmp_path / "cache").iterdir():
        assert KEY.encode() not in entry.read_bytes()


def test_oauth2_client_credentials(tmp_path, api):
    state, url = api
    path = write_pipeline(tmp_path, """
version: 1
name: api
sources:
  videos:
    type: api
    url: ${API_URL}/youtube/v3/search
    allow_http: true
    params: {part: snippet, q: data engineering, maxResults: 50}
    auth: {type: oauth2, token_url: "${API_URL}/oauth2/token", client_id: hyperpipe-ci, client_secret: "${CLIENT_SECRET}"}
    records_path: items
    pagination: {type: token}
outputs:
  out: {file: out.hyper, tables: [{name: Extract.Extract, from: videos}]}
""")
    run(path, env={"API_URL": url, "CLIENT_SECRET": "client-secret-never-printed"}, check=0)
    assert [r["path"] for r in state.requests].count("/oauth2/token") == 1
    assert report(tmp_path)["sources"][0]["rows_loaded"] == 120
    result = run(path, env={"API_URL": url, "CLIENT_SECRET": "wrong-client-secret"}, check=9)
    assert "oauth2/token: HTTP 401" in result.stderr and "wrong-client-secret" not in result.stderr


def test_load_url_fetches_pages_with_a_key_from_the_environment(tmp_path, api, hyperpipe, hyper_process):
    import os
    import subprocess
    from conftest import BUILD
    state, url = api
    out = tmp_path / "videos.hyper"
    command = [str(BUILD / "src" / "hyperpipe"), "load",
               f"{url}/youtube/v3/search?part=snippet&q=data%20science&maxResults=50", "--records-path", "items",
               "--paginate", "token", "--api-key-env", "YT_KEY", "--api-key-param", "key", "--allow-http", "--out", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "YT_KEY": KEY})
    assert result.returncode == 0, result.stderr
    assert "3 pages, 120 records" in result.stdout and KEY not in result.stdout + result.stderr
    assert rows(hyper_process, out, 'SELECT COUNT(DISTINCT "id.videoId") FROM "Extract"."Extract"') == [[120]]
    assert [p.name for p in tmp_path.iterdir()] == ["videos.hyper"]  # the spool is gone
    refused = subprocess.run([c for c in command if c != "--allow-http"], capture_output=True, text=True,
                             env={**os.environ, "YT_KEY": KEY})
    assert refused.returncode == 2 and "refusing plain http://" in refused.stderr
