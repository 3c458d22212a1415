"""The Tableau REST double (tests/doubles/tableau_server.py) against the real client,
tableauserverclient: if TSC works against it, the double speaks the protocol TSC speaks."""
import hashlib
import sys

import pytest
import tableauserverclient as TSC
from tableauserverclient.server.endpoint.exceptions import InternalServerError

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1] / "doubles"))
import tableau_server  # noqa: E402

PAT = ("ci-token", "s3cret-value")


@pytest.fixture()
def double():
    state = tableau_server.State(pats=dict([PAT]), users={"analyst": "pw"})
    with tableau_server.running(state) as url:
        yield state, url


def signed_in(url, site=""):
    server = TSC.Server(url, use_server_version=True)
    server.auth.sign_in(TSC.PersonalAccessTokenAuth(*PAT, site_id=site))
    return server


@pytest.fixture(scope="module")
def extract(tmp_path_factory, hyperpipe):
    path = tmp_path_factory.mktemp("hyper") / "orders.hyper"
    hyperpipe("example", "--out", path, "--customers", 20, "--orders", 60000)
    single = tmp_path_factory.mktemp("hyper") / "single.hyper"
    hyperpipe("load", pathlib_data() / "union_a.csv", "--out", single)
    return path, single


def pathlib_data():
    import pathlib
    return pathlib.Path(__file__).resolve().parents[1] / "data" / "csv"


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def default_project(server):
    return next(p for p in TSC.Pager(server.projects) if p.name == "Default")


def test_version_discovery_and_sign_in(double):
    state, url = double
    server = signed_in(url)
    assert server.version == tableau_server.API_VERSION
    assert server.auth_token in state.tokens
    server.auth.sign_out()
    assert state.tokens == {}


def test_wrong_credentials_are_a_sign_in_error(double):
    _, url = double
    server = TSC.Server(url, use_server_version=True)
    with pytest.raises(TSC.FailedSignInError):
        server.auth.sign_in(TSC.PersonalAccessTokenAuth("ci-token", "wrong", site_id=""))


def test_one_session_per_token(double):
    _, url = double
    first = signed_in(url)
    second = signed_in(url)
    assert first.auth_token != second.auth_token
    with pytest.raises(TSC.FailedSignInError) as stale:
        list(TSC.Pager(first.projects))
    assert stale.value.code == "401002"
    assert [p.name for p in TSC.Pager(second.projects)] == ["Default"]


def test_projects_page_and_nest(double):
    state, url = double
    site = state.sites[""]
    parent = state.add_project("Sales", None, site)
    for i in range(130):
        state.add_project(f"Region {i:03d}", parent, site)
    server = signed_in(url)
    projects = list(TSC.Pager(server.projects))  # 131 + Default: two pages of 100
    assert len(projects) == 132
    assert sum(1 for p in projects if p.parent_id == parent) == 130


def test_publish_single_and_chunked_byte_identical(double, extract, monkeypatch):
    state, url = double
    multi, _ = extract
    server = signed_in(url)
    project = default_project(server)
    item = server.datasources.publish(TSC.DatasourceItem(project.id, name="Orders"), str(multi), "CreateNew")
    assert item.name == "Orders" and item.project_id == project.id
    record = state.datasources[item.id]
    assert record["sha256"] == sha256(multi) and record["via"] == "single"
    assert [t["name"] for t in record["tables"]] == ['"Extract"."customers"', '"Extract"."orders"']

    monkeypatch.setenv("TSC_FILESIZE_LIMIT_MB", "1")
    monkeypatch.setenv("TSC_CHUNK_SIZE_MB", "1")
    item = server.datasources.publish(TSC.DatasourceItem(project.id, name="Orders"), str(multi), "Overwrite")
    record = state.datasources[item.id]
    assert record["sha256"] == sha256(multi)
    assert record["via"].startswith("chunked") and record["versions"] == 2
    assert state.uploads == {}


def test_publish_rules(double, extract):
    state, url = double
    multi, single = extract
    server = signed_in(url)
    project = default_project(server)
    server.datasources.publish(TSC.DatasourceItem(project.id, name="S"), str(single), "CreateNew")
    with pytest.raises(TSC.ServerResponseError) as exists:
        server.datasources.publish(TSC.DatasourceItem(project.id, name="S"), str(single), "CreateNew")
    assert exists.value.code == "403007"
    item = server.datasources.publish(TSC.DatasourceItem(project.id, name="S"), str(single), "Append")
    assert state.datasources[item.id]["tables"][0]["rows"] == 4  # 2 + 2: an append doubles
    with pytest.raises(TSC.ServerResponseError) as missing:
        server.datasources.publish(TSC.DatasourceItem(project.id, name="Nope"), str(single), "Append")
    assert missing.value.code.startswith("404")
    server.datasources.publish(TSC.DatasourceItem(project.id, name="M"), str(multi), "CreateNew")
    with pytest.raises(TSC.ServerResponseError) as multi_append:
        server.datasources.publish(TSC.DatasourceItem(project.id, name="M"), str(multi), "Append")
    assert multi_append.value.code == "400016"


def test_not_a_hyper_file_is_refused(double, tmp_path):
    _, url = double
    fake = tmp_path / "fake.hyper"
    fake.write_bytes(b"Hyper\x08\x00\x00\x01\x00\x00\x00" + b"\x00" * 100)
    server = signed_in(url)
    with pytest.raises(TSC.ServerResponseError) as refused:
        server.datasources.publish(TSC.DatasourceItem(default_project(server).id, name="F"), str(fake), "CreateNew")
    assert refused.value.code == "400011"


def test_publish_as_job(double, extract):
    state, url = double
    _, single = extract
    server = signed_in(url)
    job = server.datasources.publish(TSC.DatasourceItem(default_project(server).id, name="J"), str(single),
                                     "CreateNew", as_job=True)
    finished = server.jobs.wait_for_job(job.id)
    assert finished.finish_code == 0
    assert any(d["name"] == "J" for d in state.datasources.values())


def test_injected_faults_reach_the_client(double, extract):
    state, url = double
    _, single = extract
    server = signed_in(url)
    project = default_project(server)
    state.faults = [{"method": "POST", "path": "/datasources$", "status": 503, "times": 1}]
    with pytest.raises(InternalServerError):
        server.datasources.publish(TSC.DatasourceItem(project.id, name="X"), str(single), "CreateNew")
    # The fault was used up; the same call now succeeds.
    server.datasources.publish(TSC.DatasourceItem(project.id, name="X"), str(single), "CreateNew")


def test_current_session_names_the_users_site_role_as_tableauserverclient_reads_users(double):
    """GET /sessions/current (which `hyperpipe doctor` reads): tableauserverclient has no call for
    it, so its session and its user parser check the double's answer instead."""
    state, url = double
    server = signed_in(url)
    answer = server.session.get(f"{server.baseurl}/sessions/current", headers={"X-Tableau-Auth": server.auth_token})
    assert answer.status_code == 200, answer.text
    users = TSC.UserItem.from_response(answer.content, server.namespace)
    assert [(u.id, u.site_role) for u in users] == [(state.user_id, "Creator")]
    state.site_role = "Viewer"
    answer = server.session.get(f"{server.baseurl}/sessions/current", headers={"X-Tableau-Auth": server.auth_token})
    assert TSC.UserItem.from_response(answer.content, server.namespace)[0].site_role == "Viewer"
    server.auth.sign_out()
    refused = server.session.get(f"{server.baseurl}/sessions/current", headers={"X-Tableau-Auth": "stale"})
    assert refused.status_code == 401


# --- what unattended publishing needs (issue #17), each checked through tableauserverclient ---

APP = {"client_id": "app-1", "secret_id": "sid-1", "secret_value": "app-secret-value-0123456789", "user": "ann@example.com"}
ALL_SCOPES = sorted(set(tableau_server.SCOPES.values()))


def connected_app_double(state):
    state.connected_apps = {APP["client_id"]: {"secrets": {APP["secret_id"]: APP["secret_value"]}, "users": [APP["user"]],
                                               "enabled": True}}


def make_jwt(key=APP["secret_value"], exp_in=300, scopes=None, sub=APP["user"], jti=None, kid=APP["secret_id"]):
    """A direct-trust token as Tableau's documentation builds one, signed here independently of hyperpipe."""
    import base64
    import hmac
    import json
    import time
    import uuid

    def b64(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    header = {"alg": "HS256", "typ": "JWT", "kid": kid, "iss": APP["client_id"]}
    payload = {"iss": APP["client_id"], "sub": sub, "aud": "tableau", "exp": int(time.time()) + exp_in,
               "jti": jti or uuid.uuid4().hex, "scp": scopes or ALL_SCOPES}
    signing_input = f"{b64(header)}.{b64(payload)}"
    signature = hmac.new(key.encode(), signing_input.encode(), "sha256").digest()
    return signing_input + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


def jwt_sign_in(url, token):
    server = TSC.Server(url, use_server_version=True)
    server.auth.sign_in(TSC.JWTAuth(token, site_id=""))
    return server


def test_connected_app_tokens_are_verified_as_tableauserverclient_presents_them(double):
    state, url = double
    connected_app_double(state)
    server = jwt_sign_in(url, make_jwt())
    assert [p.name for p in TSC.Pager(server.projects)] == ["Default"]
    reused = make_jwt(jti="once")
    jwt_sign_in(url, reused)
    refusals = {
        "a forged signature": make_jwt(key="not-the-secret-value-000000000"),
        "an expired token": make_jwt(exp_in=-120),
        "a token valid for an hour": make_jwt(exp_in=3600),
        "an unknown user": make_jwt(sub="mallory"),
        "an unknown secret id": make_jwt(kid="sid-unknown"),
        "a reused token id": reused,
    }
    for why, token in refusals.items():
        with pytest.raises(TSC.FailedSignInError) as refused:
            jwt_sign_in(url, token)
        assert refused.value.code == "401001", why
    state.clock_offset = 900  # the server's clock 15 minutes ahead: a fresh token has already expired
    with pytest.raises(TSC.FailedSignInError):
        jwt_sign_in(url, make_jwt())


def test_connected_app_scopes_are_enforced_per_call(double, extract):
    state, url = double
    connected_app_double(state)
    _, single = extract
    narrow = jwt_sign_in(url, make_jwt(scopes=["tableau:content:read"]))
    project = default_project(narrow)
    with pytest.raises(TSC.ServerResponseError) as forbidden:
        narrow.datasources.publish(TSC.DatasourceItem(project.id, name="S"), str(single), "CreateNew")
    assert forbidden.value.code == "403157"
    wide = jwt_sign_in(url, make_jwt())
    item = wide.datasources.publish(TSC.DatasourceItem(project.id, name="S"), str(single), "CreateNew")
    assert state.datasources[item.id]["name"] == "S"


def test_datasources_page_with_filters_that_cannot_carry_commas(double, extract):
    state, url = double
    _, single = extract
    server = signed_in(url)
    site = state.sites[""]
    project = default_project(server)
    other = state.add_project("Other", None, site)
    for i in range(3):
        server.datasources.publish(TSC.DatasourceItem(other if i else project.id, name=f"Sales{i}"), str(single), "CreateNew")
    server.datasources.publish(TSC.DatasourceItem(project.id, name="Sales, EMEA & APAC"), str(single), "CreateNew")
    options = TSC.RequestOptions(pagesize=2)
    assert len(list(TSC.Pager(server.datasources, options))) == 4  # two pages of two
    by_name = TSC.RequestOptions()
    by_name.filter.add(TSC.Filter(TSC.RequestOptions.Field.Name, TSC.RequestOptions.Operator.Equals, "Sales1"))
    assert [d.name for d in TSC.Pager(server.datasources, by_name)] == ["Sales1"]
    comma = TSC.RequestOptions()
    comma.filter.add(TSC.Filter(TSC.RequestOptions.Field.Name, TSC.RequestOptions.Operator.Equals, "Sales, EMEA & APAC"))
    with pytest.raises(TSC.ServerResponseError) as malformed:
        list(TSC.Pager(server.datasources, comma))
    assert malformed.value.code == "400065"


def test_certification_description_and_tags_through_tableauserverclient(double, extract):
    state, url = double
    _, single = extract
    server = signed_in(url)
    project = default_project(server)
    item = server.datasources.publish(TSC.DatasourceItem(project.id, name="Certified"), str(single), "CreateNew")
    item = server.datasources.get_by_id(item.id)
    item.certified = True
    item.certification_note = "Checked by finance"
    item.description = "Orders, daily"
    item.tags = {"finance", "daily"}
    server.datasources.update(item)
    again = server.datasources.get_by_id(item.id)
    assert again.certified and again.certification_note == "Checked by finance"
    assert again.description == "Orders, daily"
    assert again.tags == {"finance", "daily"}
    again.tags = {"finance"}
    server.datasources.update(again)  # TSC deletes the tag it no longer has
    assert server.datasources.get_by_id(item.id).tags == {"finance"}
    # An overwrite keeps the tags and drops the certification (module docstring of the double).
    server.datasources.publish(TSC.DatasourceItem(project.id, name="Certified"), str(single), "Overwrite")
    after = server.datasources.get_by_id(item.id)
    assert after.tags == {"finance"} and not after.certified and not after.description
    state.may_certify = False
    after.certified = True
    with pytest.raises(TSC.ServerResponseError) as refused:
        server.datasources.update(after)
    assert refused.value.code == "403141"


def test_data_quality_warnings_through_tableauserverclient(double, extract):
    state, url = double
    _, single = extract
    server = signed_in(url)
    project = default_project(server)
    item = server.datasources.publish(TSC.DatasourceItem(project.id, name="Warned"), str(single), "CreateNew")
    added = server.datasources.add_dqw(item, TSC.DQWItem(TSC.DQWItem.WarningType.STALE, "refresh failed", active=True))
    assert [w.warning_type for w in added] == ["STALE"]
    server.datasources.populate_dqw(item)
    warnings = list(item.dqws)
    assert len(warnings) == 1 and warnings[0].message == "refresh failed" and warnings[0].active
    server.datasources.delete_dqw(item)
    server.datasources.populate_dqw(item)
    assert list(item.dqws) == []


def test_an_older_server_has_no_data_quality_warnings(double, extract):
    state, url = double
    state.api_version = "3.4"
    server = signed_in(url)
    assert server.version == "3.4"
    _, single = extract
    item = server.datasources.publish(TSC.DatasourceItem(default_project(server).id, name="Old"), str(single), "CreateNew")
    import urllib.error
    import urllib.request
    request = urllib.request.Request(f"{url}/api/3.4/sites/{server.site_id}/dataQualityWarnings/datasource/{item.id}",
                                     headers={"X-Tableau-Auth": server.auth_token})
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(request, timeout=10)
    assert missing.value.code == 404
    too_new = urllib.request.Request(f"{url}/api/3.27/sites/{server.site_id}/datasources",
                                     headers={"X-Tableau-Auth": server.auth_token})
    with pytest.raises(urllib.error.HTTPError) as unsupported:
        urllib.request.urlopen(too_new, timeout=10)
    assert unsupported.value.code == 404


# --- Update Data in Hyper Data Source (issue #15), through tableauserverclient's update_hyper_data ---

def write_hyper(path, table, columns, rows):
    """A .hyper file with one table "Extract".<table> of BIGINT/TEXT columns, through tableauhyperapi."""
    from tableauhyperapi import (Connection, CreateMode, HyperProcess, Inserter, SqlType, TableDefinition, TableName,
                                 Telemetry)
    with HyperProcess(Telemetry.DO_NOT_SEND_USAGE_DATA_TO_TABLEAU, parameters={"log_dir": str(path.parent)}) as process:
        with Connection(process.endpoint, str(path), CreateMode.CREATE_AND_REPLACE) as connection:
            connection.catalog.create_schema_if_not_exists("Extract")
            definition = TableDefinition(TableName("Extract", table),
                                         [TableDefinition.Column(name, SqlType.big_int() if kind == "int" else SqlType.text())
                                          for name, kind in columns])
            connection.catalog.create_table(definition)
            with Inserter(connection, definition) as inserter:
                inserter.add_rows(rows)
                inserter.execute()
    return path


def stored_rows(state, datasource_id, table='"Extract"."Extract"'):
    from tableauhyperapi import Connection, HyperProcess, Telemetry
    with HyperProcess(Telemetry.DO_NOT_SEND_USAGE_DATA_TO_TABLEAU,
                      parameters={"log_dir": str(state.workdir)}) as process:
        with Connection(process.endpoint, str(state.datasources[datasource_id]["path"])) as connection:
            return sorted(map(tuple, connection.execute_list_query(f"SELECT * FROM {table}")))


def test_update_hyper_data_applies_actions_once_per_request_id(double, tmp_path):
    state, url = double
    columns = [("id", "int"), ("name", "text")]
    base = write_hyper(tmp_path / "base.hyper", "Extract", columns, [[1, "a"], [2, "b"], [3, "c"]])
    server = signed_in(url)
    item = server.datasources.publish(TSC.DatasourceItem(default_project(server).id, name="Live"), str(base), "CreateNew")
    delta = write_hyper(tmp_path / "delta.hyper", "delta", columns, [[2, "B"], [4, "d"]])
    upsert = [{"action": "upsert", "source-schema": "Extract", "source-table": "delta", "target-schema": "Extract",
               "target-table": "Extract", "condition": {"op": "eq", "source-col": "id", "target-col": "id"}}]
    job = server.datasources.update_hyper_data(item, request_id="req-1", actions=upsert, payload=str(delta))
    assert job.type == "UpdateUploadedFile"
    server.jobs.wait_for_job(job)
    assert stored_rows(state, item.id) == [(1, "a"), (2, "B"), (3, "c"), (4, "d")]
    # The same RequestID again (a retry after a lost answer): answered, not applied twice.
    again = server.datasources.update_hyper_data(item, request_id="req-1", actions=upsert, payload=str(delta))
    assert again.id == job.id and state.updates_applied == 1
    # A delete by a constant condition needs no payload; an and of conditions.
    delete = [{"action": "delete", "target-schema": "Extract", "target-table": "Extract",
               "condition": {"op": "and", "args": [{"op": "gte", "target-col": "id", "const": {"type": "integer", "v": 3}},
                                                   {"op": "ne", "target-col": "name", "const": {"type": "string", "v": "d"}}]}}]
    server.jobs.wait_for_job(server.datasources.update_hyper_data(item, request_id="req-2", actions=delete))
    assert stored_rows(state, item.id) == [(1, "a"), (2, "B"), (4, "d")]
    replace = [{"action": "replace", "source-schema": "Extract", "source-table": "delta", "target-schema": "Extract",
                "target-table": "Extract"}]
    server.jobs.wait_for_job(server.datasources.update_hyper_data(item, request_id="req-3", actions=replace,
                                                                  payload=str(delta)))
    assert stored_rows(state, item.id) == [(2, "B"), (4, "d")]
    assert state.datasources[item.id]["tables"][0]["rows"] == 2


def test_update_hyper_data_failures_are_jobs_that_fail_or_refusals(double, tmp_path):
    state, url = double
    columns = [("id", "int"), ("name", "text")]
    base = write_hyper(tmp_path / "base.hyper", "Extract", columns, [[1, "a"]])
    server = signed_in(url)
    item = server.datasources.publish(TSC.DatasourceItem(default_project(server).id, name="Live"), str(base), "CreateNew")
    missing = [{"action": "insert", "source-schema": "Extract", "source-table": "nope", "target-schema": "Extract",
                "target-table": "Extract"}]
    job = server.datasources.update_hyper_data(item, request_id="bad", actions=missing, payload=str(base))
    from tableauserverclient.server.endpoint.exceptions import JobFailedException
    with pytest.raises(JobFailedException):
        server.jobs.wait_for_job(job)
    assert stored_rows(state, item.id) == [(1, "a")], "a failed job changes nothing"
    state.update_payload_limit = 10
    with pytest.raises(TSC.ServerResponseError) as too_big:
        server.datasources.update_hyper_data(item, request_id="big", actions=missing, payload=str(base))
    assert "exceeds the limit" in str(too_big.value)
    state.datasources[item.id]["live_to_hyper"] = False
    with pytest.raises(TSC.ServerResponseError) as not_live:
        server.datasources.update_hyper_data(item, request_id="x", actions=missing, payload=str(base))
    assert "live-to-Hyper" in str(not_live.value)
