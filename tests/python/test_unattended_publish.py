"""Unattended publishing (issue #17), end to end against the Tableau double: awkward names in
every mode, connected-app tokens signed by hyperpipe, one session per personal access token
across concurrent pipelines, stale-data warnings on a failed run, tags and certification that
survive an overwrite, and the bad cases' messages. What the double checks (token signatures,
scopes, the one-session rule) is itself checked against tableauserverclient in
test_tableau_double.py."""
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "doubles"))
import tableau_server  # noqa: E402
from conftest import BUILD  # noqa: E402

PAT = ("ci", "pat-secret-never-printed-7f3a")
APP = {"client_id": "app-7", "secret_id": "sid-7", "secret_value": "app-secret-value-never-printed-91c2",
       "user": "ann@example.com"}
DATA = Path(__file__).resolve().parents[1] / "data" / "csv"


@pytest.fixture()
def double():
    state = tableau_server.State(pats=dict([PAT]), connected_apps={
        APP["client_id"]: {"secrets": {APP["secret_id"]: APP["secret_value"]}, "users": [APP["user"]], "enabled": True}})
    with tableau_server.running(state) as url:
        yield state, url


@pytest.fixture(scope="module")
def extract(tmp_path_factory, hyperpipe):
    path = tmp_path_factory.mktemp("unattended") / "single.hyper"
    hyperpipe("load", DATA / "union_a.csv", "--out", path)
    return path


PAT_ENV = {"HYPERPIPE_TABLEAU_TOKEN_NAME": PAT[0], "HYPERPIPE_TABLEAU_TOKEN_SECRET": PAT[1]}
APP_ENV = {"HYPERPIPE_TABLEAU_CLIENT_ID": APP["client_id"], "HYPERPIPE_TABLEAU_SECRET_ID": APP["secret_id"],
           "HYPERPIPE_TABLEAU_SECRET_VALUE": APP["secret_value"], "HYPERPIPE_TABLEAU_USERNAME": APP["user"]}
SECRETS = (PAT[1], APP["secret_value"])


def environment(credentials):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYPERPIPE_TABLEAU")}
    env.update(credentials)
    return env


def hyperpipe(*args, credentials=PAT_ENV, env_extra=None, wait=True):
    env = {**environment(credentials), **(env_extra or {})}
    command = [str(BUILD / "src" / "hyperpipe"), *map(str, args)]
    if not wait:
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    for secret in SECRETS:
        assert secret not in result.stdout + result.stderr
    return result


def publish(url, file, *args, **kwargs):
    return hyperpipe("publish", file, "--server", url, "--allow-http", *args, **kwargs)


def records(state, name):
    return [d for d in state.datasources.values() if d["name"] == name]


def project_id(state, name, parent=None, site=""):
    return next(k for k, v in state.projects.items()
                if v["name"] == name and v["parent"] == parent and v["site"] == state.sites[site])


AWKWARD = [
    "Sales, EMEA & APAC",
    'Ratio: "net" / gross',
    "  padded both sides  ",
    "Umsätze 東京 — données",
    "L" + "o" * 180 + "ng",
]


def test_awkward_names_land_exactly_where_they_belong_in_every_mode(double, extract):
    state, url = double
    site = state.sites[""]
    parent = state.add_project("R&D, Europe", None, site)
    target = state.add_project("Ops/Support", parent, site)
    decoy_project = state.add_project("Decoys", None, site)
    project_path = "R&D, Europe/Ops\\/Support"
    for name in AWKWARD:
        # More than one page of same-named data sources elsewhere must not confuse the lookup.
        for i in range(1001 if name == AWKWARD[0] else 3):
            decoy_id = f"decoy-{uuid.uuid4()}"
            state.datasources[decoy_id] = {"id": decoy_id, "name": name, "project_id": decoy_project, "versions": 1,
                                           "number": 0, "content_url": decoy_id, "tags": [], "tables": [{"name": "x", "rows": 1}],
                                           "description": ""}
    before = {k: dict(v) for k, v in state.datasources.items()}
    for name in AWKWARD:
        for mode in ("createnew", "overwrite", "append", "replace"):
            result = publish(url, extract, "--project", project_path, "--name", name, "--mode", mode)
            assert result.returncode == 0, f"{name!r} {mode}: {result.stderr}"
        mine = [d for d in records(state, name) if d["project_id"] == target]
        assert len(mine) == 1, name
        assert mine[0]["versions"] == 4 and mine[0]["last_mode"] == "replace", name
        file_rows = len((DATA / "union_a.csv").read_text().splitlines()) - 1
        assert mine[0]["tables"][0]["rows"] == file_rows, "replace after append leaves exactly the file's rows"
    # No data source in another project was touched.
    for key, record in before.items():
        assert state.datasources[key] == record
    lookups = [path for method, path in state.requests if method == "GET" and "/datasources?" in path]
    assert lookups and all("filter=" not in path for path in lookups if "Sales" in path or "Ratio" in path)


def test_a_missing_data_source_is_not_found_by_a_near_miss(double, extract):
    state, url = double
    assert publish(url, extract, "--name", "Sales EMEA").returncode == 0
    result = publish(url, extract, "--name", "Sales, EMEA", "--mode", "append")
    assert result.returncode == 7
    assert 'there is no data source "Sales, EMEA" in project "Default"' in result.stderr


def test_a_connected_app_signs_a_fresh_token_for_every_sign_in(double, extract):
    state, url = double
    for _ in range(2):
        result = publish(url, extract, "--name", "App", "--mode", "overwrite", credentials=APP_ENV)
        assert result.returncode == 0, result.stderr
    assert len(state.used_jtis) == 2, "one token per sign-in, each used once"
    assert records(state, "App")[0]["versions"] == 2
    request_log = json.dumps(state.requests)
    assert APP["secret_value"] not in request_log


def test_a_clock_off_by_more_than_the_skew_is_refused_with_a_clear_message(double, extract):
    state, url = double
    state.clock_offset = 900  # the server is 15 minutes ahead of this machine
    result = publish(url, extract, "--name", "App", credentials=APP_ENV)
    assert result.returncode == 7
    assert "401001" in result.stderr and "clock" in result.stderr and "UTC" in result.stderr
    state.clock_offset = 0
    wrong = {**APP_ENV, "HYPERPIPE_TABLEAU_SECRET_ID": "sid-unknown"}
    result = publish(url, extract, "--name", "App", credentials=wrong)
    assert result.returncode == 7 and "HYPERPIPE_TABLEAU_SECRET_ID" in result.stderr
    partial = {k: v for k, v in APP_ENV.items() if k != "HYPERPIPE_TABLEAU_SECRET_VALUE"}
    result = publish(url, extract, "--name", "App", credentials=partial)
    assert result.returncode != 0 and "HYPERPIPE_TABLEAU_SECRET_VALUE is not" in result.stderr


PIPELINE = """
version: 1
name: {name}
sources:
  rows: {{type: csv, path: {csv}}}
outputs:
  out:
    file: out.hyper
    tables:
      - {{name: Extract.Extract, from: rows}}
    publish:
      server: {url}
      allow_http: true
      name: "{datasource}"
      mode: overwrite
{extra}
"""


def write_pipeline(folder, url, name, datasource, csv, extra=""):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pipeline.yaml"
    path.write_text(PIPELINE.format(name=name, csv=csv, url=url, datasource=datasource, extra=extra))
    return path


def run(pipeline, credentials=PAT_ENV, wait=True, env_extra=None):
    return hyperpipe("run", pipeline, "--progress", "never", credentials=credentials, wait=wait, env_extra=env_extra)


def test_three_pipelines_sharing_one_token_take_turns_and_all_publish(double, tmp_path):
    state, url = double
    # Each publish commit takes a while, so without turns their sessions would overlap.
    state.faults = [{"method": "POST", "path": r"/datasources$", "delay": 1.5, "times": 3}]
    pipelines = [write_pipeline(tmp_path / f"p{i}", url, f"p{i}", f"Shared {i}", DATA / "union_a.csv") for i in range(3)]
    started = [run(p, wait=False) for p in pipelines]
    outcomes = [(process.wait(timeout=300), process.stdout.read(), process.stderr.read()) for process in started]
    for code, out, err in outcomes:
        assert code == 0, err
        for secret in SECRETS:
            assert secret not in out + err
    assert sorted(d["name"] for d in state.datasources.values()) == ["Shared 0", "Shared 1", "Shared 2"]
    assert state.ended_sessions == 0 and state.stale_tokens_refused == 0
    spans = sorted((start, end) for pat, start, end in state.sign_ins)
    assert len(spans) == 3 and all(end is not None for _, end in spans)
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(2)), f"sessions overlapped: {spans}"


def test_without_a_shared_lock_folder_the_sessions_do_end_each_other(double, extract, tmp_path):
    """The control of the test above: the double does enforce the rule the lock is there for."""
    state, url = double
    state.faults = [{"method": "POST", "path": r"/datasources$", "delay": 1.5, "times": 3}]
    copies = [shutil.copy(extract, tmp_path / f"copy{i}.hyper") for i in range(3)]  # hyperd locks a file it opens
    started = [publish(url, copies[i], "--name", f"Apart {i}", wait=False,
                       env_extra={"HYPERPIPE_SESSION_LOCK_DIR": str(tmp_path / f"locks{i}")}) for i in range(3)]
    for process in started:
        process.wait(timeout=300)
    assert state.ended_sessions > 0


def warnings_on(state, name):
    ids = {d["id"] for d in records(state, name)}
    return [w for w in state.warnings.values() if w["datasource"] in ids]


def test_a_failed_run_marks_its_data_source_stale_and_the_next_success_clears_only_its_own_warning(double, tmp_path):
    state, url = double
    csv = tmp_path / "rows.csv"
    csv.write_text("id,v\n1,10\n2,20\n")
    pipeline = write_pipeline(tmp_path / "p", url, "sales", "Sales, daily", csv)
    assert run(pipeline).returncode == 0
    assert warnings_on(state, "Sales, daily") == []

    csv.unlink()  # the next run fails at its source
    failed = run(pipeline)
    assert failed.returncode != 0
    warnings = warnings_on(state, "Sales, daily")
    assert len(warnings) == 1
    warning = warnings[0]
    assert warning["type"] == "STALE" and warning["isActive"]
    assert warning["message"].startswith("hyperpipe: the run of pipeline \"sales\" started ")
    assert "failed at source rows" in warning["message"]
    report = json.loads((tmp_path / "p" / ".hyperpipe" / "sales.last-run.json").read_text())
    assert any("marked stale" in note for note in report["notes"]), report["notes"]

    assert run(pipeline).returncode != 0  # failing again replaces the warning, never piles them up
    assert len(warnings_on(state, "Sales, daily")) == 1

    datasource_id = records(state, "Sales, daily")[0]["id"]
    state.warnings["human"] = {"id": "human", "datasource": datasource_id, "site": state.sites[""], "type": "MAINTENANCE",
                               "isActive": True, "isSevere": False, "message": "moving to a new server", "createdAt": ""}
    csv.write_text("id,v\n1,10\n2,20\n3,30\n")
    ok = run(pipeline)
    assert ok.returncode == 0, ok.stderr
    assert [w["id"] for w in warnings_on(state, "Sales, daily")] == ["human"], "someone else's warning stays"
    report = json.loads((tmp_path / "p" / ".hyperpipe" / "sales.last-run.json").read_text())
    assert any("stale-data warning removed" in note for note in report["notes"]), report["notes"]


def test_a_failed_first_run_has_nothing_to_mark(double, tmp_path):
    state, url = double
    pipeline = write_pipeline(tmp_path / "p", url, "fresh", "Never published", tmp_path / "missing.csv")
    assert run(pipeline).returncode != 0
    report = json.loads((tmp_path / "p" / ".hyperpipe" / "fresh.last-run.json").read_text())
    assert any("nothing to warn about" in note for note in report["notes"]), report["notes"]
    assert state.warnings == {}


def test_tags_certification_and_description_survive_every_overwrite(double, tmp_path):
    state, url = double
    csv = tmp_path / "rows.csv"
    csv.write_text("id,v\n1,10\n")
    extra = ("      description: Orders, refreshed hourly\n"
             "      tags: [finance, hourly]\n"
             "      certified: true\n"
             "      certification_note: Reconciled with the ledger\n")
    pipeline = write_pipeline(tmp_path / "p", url, "certified", "Orders", csv, extra)
    for _ in range(2):  # the double drops certification and description on overwrite
        result = run(pipeline)
        assert result.returncode == 0, result.stderr
        record = records(state, "Orders")[0]
        assert record["certified"] and record["certification_note"] == "Reconciled with the ledger"
        assert record["description"] == "Orders, refreshed hourly"
        assert sorted(record["tags"]) == ["finance", "hourly"]
    assert records(state, "Orders")[0]["versions"] == 2


def test_the_bad_cases_say_what_to_ask_for(double, extract):
    state, url = double
    locked = state.add_project("Locked", None, state.sites[""])
    state.forbidden_projects.add(locked)
    result = publish(url, extract, "--project", "Locked", "--name", "X")
    assert result.returncode == 7 and "403004" in result.stderr and "Publish capability" in result.stderr

    result = publish(url, extract, "--site", "no-such-site", "--name", "X")
    assert result.returncode == 7 and "401001" in result.stderr and "the site must exist" in result.stderr

    state.may_certify = False
    result = publish(url, extract, "--name", "Y", "--certified", "true", "--tag", "t1")
    assert result.returncode == 0, "the data source is published; certifying is a note"
    assert "description and certification not applied" in result.stdout and "Project Leader" in result.stdout
    assert "tagged t1" in result.stdout
    assert records(state, "Y")[0]["tags"] == ["t1"]

    state.pats.clear()  # the token was revoked
    result = publish(url, extract, "--name", "Z")
    assert result.returncode == 7 and "401001" in result.stderr and "revoked" in result.stderr


def test_an_older_server_publishes_and_skips_what_it_lacks_with_a_note(double, extract, tmp_path):
    state, url = double
    state.api_version = "3.4"
    csv = tmp_path / "rows.csv"
    csv.write_text("id,v\n1,10\n")
    pipeline = write_pipeline(tmp_path / "p", url, "old", "Old server", csv, "      tags: [t]\n")
    assert run(pipeline).returncode == 0
    assert records(state, "Old server")[0]["tags"] == ["t"]
    csv.unlink()
    assert run(pipeline).returncode != 0
    report = json.loads((tmp_path / "p" / ".hyperpipe" / "old.last-run.json").read_text())
    assert any("older than the 3.5 data-quality warnings need" in note for note in report["notes"]), report["notes"]
    assert state.warnings == {}
    assert not any("dataQualityWarnings" in path for _, path in state.requests)


def test_a_site_without_data_management_publishes_quietly_and_says_why_no_warning_was_put(double, tmp_path):
    state, url = double
    state.data_management = False
    csv = tmp_path / "rows.csv"
    csv.write_text("id,v\n1,10\n")
    pipeline = write_pipeline(tmp_path / "p", url, "plain", "Plain site", csv)
    assert run(pipeline).returncode == 0
    report = json.loads((tmp_path / "p" / ".hyperpipe" / "plain.last-run.json").read_text())
    assert not any("warning" in note for note in report["notes"]), "a success says nothing about warnings it cannot hold"
    csv.unlink()
    assert run(pipeline).returncode != 0
    report = json.loads((tmp_path / "p" / ".hyperpipe" / "plain.last-run.json").read_text())
    assert any("could not be put" in note and "Data Management" in note for note in report["notes"]), report["notes"]
