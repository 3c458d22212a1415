"""`hyperpipe publish` against the Tableau REST double: single and chunked uploads, modes,
project paths, jobs, faults, and secrets that never show."""
import hashlib
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import tableauserverclient as TSC

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "doubles"))
import tableau_server  # noqa: E402
from conftest import BUILD  # noqa: E402

SECRET = "pat-secret-value-never-printed"
DATA = Path(__file__).resolve().parents[1] / "data" / "csv"


@pytest.fixture()
def double():
    state = tableau_server.State(pats={"ci": SECRET})
    with tableau_server.running(state) as url:
        yield state, url


@pytest.fixture(scope="module")
def files(tmp_path_factory, hyperpipe):
    folder = tmp_path_factory.mktemp("publish")
    multi = folder / "orders.hyper"
    hyperpipe("example", "--out", multi, "--customers", 20, "--orders", 80000)
    single = folder / "single.hyper"
    hyperpipe("load", DATA / "union_a.csv", "--out", single)
    return multi, single


def publish(url, *args, env_extra=None, check=True):
    env = {**os.environ, "HYPERPIPE_TABLEAU_TOKEN_NAME": "ci", "HYPERPIPE_TABLEAU_TOKEN_SECRET": SECRET, **(env_extra or {})}
    plain = ["--allow-http"] if url.startswith("http://") else []
    result = subprocess.run([str(BUILD / "src" / "hyperpipe"), "publish", *map(str, args), "--server", url, *plain],
                            capture_output=True, text=True, env=env, timeout=120)
    assert SECRET not in result.stdout and SECRET not in result.stderr
    if check:
        assert result.returncode == 0, result.stderr
    return result


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_publish_small_and_chunked_arrive_byte_identical(double, files):
    state, url = double
    multi, _ = files
    result = publish(url, multi, "--name", "Orders")
    assert 'as data source "Orders"' in result.stdout
    (record,) = state.datasources.values()
    assert record["sha256"] == sha256(multi) and record["via"] == "single"
    assert result.stdout.splitlines()[1] == f"{url}/#/datasources/{record['number']}"  # the web page, as the server names it
    result = publish(url, multi, "--name", "Orders", "--mode", "overwrite", "--chunk-size-mb", "1")
    assert "chunks" in result.stdout
    assert record["sha256"] == sha256(multi) and record["via"].startswith("chunked") and record["versions"] == 2
    assert state.uploads == {} and state.tokens == {}  # signed out, no open session


def test_same_file_by_tsc_and_hyperpipe_is_identical(double, files):
    state, url = double
    multi, _ = files
    publish(url, multi, "--name", "ByHyperpipe")
    server = TSC.Server(url, use_server_version=True)
    server.auth.sign_in(TSC.PersonalAccessTokenAuth("ci", SECRET, site_id=""))
    project = next(p for p in TSC.Pager(server.projects) if p.name == "Default")
    server.datasources.publish(TSC.DatasourceItem(project.id, name="ByTSC"), str(multi), "CreateNew")
    by_name = {d["name"]: d for d in state.datasources.values()}
    assert by_name["ByHyperpipe"]["sha256"] == by_name["ByTSC"]["sha256"] == sha256(multi)
    assert by_name["ByHyperpipe"]["tables"] == by_name["ByTSC"]["tables"]


def test_project_paths_and_modes(double, files):
    state, url = double
    _, single = files
    site = state.sites[""]
    sales = state.add_project("Sales", None, site)
    state.add_project("Extracts", sales, site)
    state.add_project("Extracts", None, site)  # same name at the top: must not be picked
    publish(url, single, "--project", "Sales/Extracts", "--name", "Daily")
    (record,) = state.datasources.values()
    assert state.projects[record["project_id"]]["parent"] == sales
    exists = publish(url, single, "--project", "Sales/Extracts", "--name", "Daily", check=False)
    assert exists.returncode != 0
    assert "403007" in exists.stderr and "use --mode overwrite" in exists.stderr
    publish(url, single, "--project", "Sales/Extracts", "--name", "Daily", "--mode", "append")
    assert record["tables"][0]["rows"] == 4
    missing = publish(url, single, "--project", "Sales/Nope", "--name", "Daily", check=False)
    assert missing.returncode == 7 and 'project "Sales/Nope" not found' in missing.stderr  # every publish failure is 7
    no_target = publish(url, single, "--project", "Sales/Extracts", "--name", "Other", "--mode", "append", check=False)
    assert 'there is no data source "Other"' in no_target.stderr


def test_append_refuses_a_multi_table_extract_before_uploading(double, files):
    state, url = double
    multi, _ = files
    result = publish(url, multi, "--name", "M", "--mode", "append", check=False)
    assert result.returncode == 2 and "has 2 tables" in result.stderr
    assert not any("/auth/signin" in path for _, path in state.requests)


def test_as_job_waits_for_the_job(double, files):
    state, url = double
    _, single = files
    publish(url, single, "--name", "J", "--as-job")
    assert any("/jobs/" in path for _, path in state.requests)
    assert [d["name"] for d in state.datasources.values()] == ["J"]


def test_transient_faults_are_retried(double, files):
    state, url = double
    _, single = files
    state.faults = [{"method": "GET", "path": "/projects", "status": 503, "times": 2},
                    {"method": "POST", "path": "/datasources$", "status": 429, "retry_after": 1, "times": 1}]
    publish(url, single, "--name", "Retried")
    assert [d["name"] for d in state.datasources.values()] == ["Retried"]
    posts = [p for m, p in state.requests if m == "POST" and "/datasources" in p]
    assert len(posts) == 2  # the 429 was answered without publishing, then sent again


def test_a_failed_chunk_restarts_a_fresh_upload_session(double, files):
    state, url = double
    multi, _ = files
    state.faults = [{"method": "PUT", "path": "/fileUploads/", "drop": True, "times": 1}]
    publish(url, multi, "--name", "Dropped", "--chunk-size-mb", "1")
    (record,) = state.datasources.values()
    assert record["sha256"] == sha256(multi)  # no chunk doubled, none lost
    sessions = {p.split("/fileUploads/")[1] for m, p in state.requests if m == "PUT"}
    assert len(sessions) == 2  # the broken session was abandoned, not re-sent into


def test_the_retry_budget_ends_with_a_clear_error(double, files):
    state, url = double
    _, single = files
    state.faults = [{"method": "GET", "path": "/projects", "status": 503, "times": 10}]
    result = publish(url, single, "--name", "Never", check=False)
    assert result.returncode == 7
    assert "HTTP 503 on GET /sites/" in result.stderr or "Injected fault" in result.stderr
    assert len([p for m, p in state.requests if m == "GET" and "/projects" in p]) == 5
    assert state.datasources == {}


def test_bad_credentials_and_missing_credentials(double, files):
    _, url = double
    _, single = files
    wrong = publish(url, single, env_extra={"HYPERPIPE_TABLEAU_TOKEN_SECRET": "nope"}, check=False)
    assert wrong.returncode == 7 and "401001" in wrong.stderr and 'personal access token "ci"' in wrong.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYPERPIPE_TABLEAU")}
    none = subprocess.run([str(BUILD / "src" / "hyperpipe"), "publish", str(single), "--server", url, "--allow-http"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert none.returncode == 2 and "no Tableau credentials" in none.stderr


@pytest.fixture()
def tls_double(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    state = tableau_server.State(pats={"ci": SECRET})
    server = tableau_server.make_server(state, tls=(str(cert), str(key)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield state, f"https://127.0.0.1:{server.server_address[1]}", cert
    server.shutdown()
    server.server_close()
    shutil.rmtree(state.workdir, ignore_errors=True)


def test_tls_is_verified_and_a_ca_bundle_adds_trust(tls_double, files):
    state, url, cert = tls_double
    _, single = files
    started = __import__("time").monotonic()
    refused = publish(url, single, "--name", "T", check=False)
    assert refused.returncode == 7
    assert __import__("time").monotonic() - started < 5  # a certificate failure is not retried
    assert "certificate is not trusted: pass --ca-bundle" in refused.stderr
    assert state.datasources == {}
    publish(url, single, "--name", "T", "--ca-bundle", cert)
    assert [d["name"] for d in state.datasources.values()] == ["T"]


@pytest.mark.parametrize("fault, rows_after", [("drop", 2), ("lose_answer", 4)])
def test_an_append_commit_whose_answer_is_lost_is_outcome_unknown_and_never_repeated(double, files, fault, rows_after):
    """#13.6: the connection drops before the server applies the append ("drop") or after it
    ("lose_answer"): hyperpipe cannot tell which, so it says "outcome unknown" (exit 11) and
    never sends the append again."""
    state, url = double
    _, single = files
    publish(url, single, "--name", "Once")
    state.faults = [{"method": "POST", "path": "/datasources$", fault: True, "times": 1}]
    result = publish(url, single, "--name", "Once", "--mode", "append", check=False)
    assert result.returncode == 11, result.stderr
    assert "was sent, but its answer was lost: it may or may not have been applied" in result.stderr
    assert "before publishing it again" in result.stderr
    (record,) = state.datasources.values()
    assert record["tables"][0]["rows"] == rows_after  # applied at most once, never blindly again
    assert len([p for m, p in state.requests if m == "POST" and "append=true" in p]) == 1


def test_safe_requests_are_retried_and_unsafe_ones_are_not(double, files):
    """#13.6, the retry matrix: sign-in 503 with Retry-After and an overwrite commit's 500 are
    retried (both are safe to repeat); an append's 500 is outcome unknown and not repeated."""
    state, url = double
    _, single = files
    state.faults = [{"method": "POST", "path": "/auth/signin", "status": 503, "retry_after": 1, "times": 1},
                    {"method": "POST", "path": "/datasources$", "status": 500, "times": 1}]
    publish(url, single, "--name", "Matrix", "--mode", "overwrite")
    assert len([p for m, p in state.requests if m == "POST" and "/auth/signin" in p]) == 2
    assert len([p for m, p in state.requests if m == "POST" and "overwrite=true" in p]) == 2
    state.faults = [{"method": "POST", "path": "/datasources$", "status": 500, "times": 1}]
    result = publish(url, single, "--name", "Matrix", "--mode", "append", check=False)
    assert result.returncode == 11, result.stderr
    assert len([p for m, p in state.requests if m == "POST" and "append=true" in p]) == 1
    (record,) = state.datasources.values()
    assert record["tables"][0]["rows"] == 2


def test_tls_failures_are_not_retried(double, files, tmp_path):
    """#13.6: a server that does not speak TLS on an https:// address fails at once, with a TLS hint."""
    state, url = double
    _, single = files
    started = __import__("time").monotonic()
    result = publish(url.replace("http://", "https://"), single, "--name", "T", check=False)
    assert result.returncode == 7, result.stderr
    assert __import__("time").monotonic() - started < 5
    assert "TLS handshake failed" in result.stderr and "try again later" not in result.stderr
    assert len(state.requests) == 0 or all(m != "POST" for m, _ in state.requests)


def test_a_silent_server_times_out_with_a_message_naming_the_bound(files):
    """#13.5: a server that accepts the connection and never answers."""
    _, single = files
    import socket
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []
    stop = threading.Event()

    def accept_forever():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])  # kept open, never answered
            except OSError:
                pass

    threading.Thread(target=accept_forever, daemon=True).start()
    try:
        started = __import__("time").monotonic()
        result = publish(f"http://127.0.0.1:{listener.getsockname()[1]}", single, "--name", "S", "--idle-timeout", "1",
                         check=False)
        took = __import__("time").monotonic() - started
    finally:
        stop.set()
        listener.close()
        for connection in accepted:
            connection.close()
    assert result.returncode == 7, result.stderr
    assert "timed out: the server sent nothing for 1 s (idle timeout)" in result.stderr
    assert took < 30, took  # 5 attempts of 1 s with backoff, never the old hour


def test_slow_answers_are_waited_for(double, files):
    state, url = double
    _, single = files
    state.faults = [{"method": "GET", "path": "/projects", "delay": 2, "times": 1}]
    started = __import__("time").monotonic()
    publish(url, single, "--name", "Slow")
    assert __import__("time").monotonic() - started >= 2
    assert [d["name"] for d in state.datasources.values()] == ["Slow"]


def test_plain_http_is_refused_unless_asked_for(double, files):
    state, url = double
    _, single = files
    env = {**os.environ, "HYPERPIPE_TABLEAU_TOKEN_NAME": "ci", "HYPERPIPE_TABLEAU_TOKEN_SECRET": SECRET}
    refused = subprocess.run([str(BUILD / "src" / "hyperpipe"), "publish", str(single), "--server", url],
                             capture_output=True, text=True, env=env, timeout=60)
    assert refused.returncode == 2
    assert "refusing to send Tableau credentials over plain HTTP" in refused.stderr
    assert state.requests == []  # nothing was sent at all


def test_a_commit_the_server_works_on_silently_is_not_cut_by_the_idle_timeout(double, files):
    """The idle timeout catches a silent server, but Tableau may process a published extract for
    minutes before it answers the commit: that request has a bound of its own (30 min)."""
    state, url = double
    _, single = files
    state.faults = [{"method": "POST", "path": "/datasources$", "delay": 3, "times": 1}]
    publish(url, single, "--name", "Slow commit", "--idle-timeout", "1")
    assert [d["name"] for d in state.datasources.values()] == ["Slow commit"]


def test_an_append_job_that_cannot_be_followed_is_outcome_unknown(double, files):
    """The commit of an append was accepted as a job, but the job cannot be polled: the rows may
    be in; exit 11, never 7 (which a scheduler's retries: would repeat)."""
    state, url = double
    _, single = files
    publish(url, single, "--name", "Job")
    state.faults = [{"method": "GET", "path": "/jobs/", "status": 500, "times": 20}]
    result = publish(url, single, "--name", "Job", "--mode", "append", "--as-job", check=False)
    assert result.returncode == 11, result.stderr
    assert "what became of it is not known" in result.stderr
