"""`hyperpipe doctor` (issue #18): every check passes on a healthy pipeline, and each thing that
can be wrong — hyperd missing, a file missing, a database password wrong, an API key refused, a
server unreachable, a site or project that does not exist — gets its own verdict and fix, with no
secret in the output."""
import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from conftest import BUILD
from pg_server import PASSWORD, PostgresServer
# The local doubles of the web API and of Tableau Server, as the pipeline tests start them.
from test_pipeline_run import API_KEY, PAT_SECRET, api, tableau  # noqa: F401
from test_publish import SECRET as TLS_SECRET, tls_double  # noqa: F401

SECRETS = (API_KEY, PAT_SECRET, PASSWORD)


@pytest.fixture(scope="module")
def pg():
    server = PostgresServer()
    server.psql("CREATE TABLE orders (id int, amount numeric(10,2))")
    yield server
    server.close()


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def doctor(*args, env=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("HYPERPIPE_TABLEAU", "TABLEAU_", "PG"))}
    environment.update(env or {})
    return subprocess.run([str(BUILD / "src" / "hyperpipe"), "doctor", *map(str, args)], capture_output=True, text=True,
                          env=environment, timeout=300)


def pipeline(tmp_path, api_url, tableau_url, pg, *, csv="data.csv", api_key_var="API_KEY", outputs=None):
    (tmp_path / "data.csv").write_text("id,amount\n1,2.50\n")
    outputs = outputs or {"sales": f"{{server: {tableau_url}, allow_http: true, name: Sales}}"}
    publish = "\n".join(f"""  {name}:
    file: out/{name}.hyper
    tables: [{{name: Extract.Extract, from: sales}}]
    publish: {target}""" for name, target in outputs.items())
    path = tmp_path / "p.yaml"
    path.write_text(f"""version: 1
schedule: {{cron: "0 6 * * 1-5", timezone: Europe/Brussels}}
sources:
  sales: {{type: csv, path: {csv}}}
  videos:
    type: api
    url: {api_url}/youtube/v3/search
    allow_http: true
    params: {{part: snippet, q: data science}}
    records_path: items
    auth: {{type: api_key, in: query, name: key, value: "${{{api_key_var}}}"}}
  orders: {{type: postgres, connection: "${{PG_URL}}", table: orders}}
outputs:
{publish}
""")
    return path


def env_for(pg, api_key=API_KEY, pg_password=PASSWORD):
    return {"API_KEY": api_key, "PG_URL": pg.url(), "PGPASSWORD": pg_password,
            "HYPERPIPE_TABLEAU_TOKEN_NAME": "ci", "HYPERPIPE_TABLEAU_TOKEN_SECRET": PAT_SECRET}


def checks_of(result):
    return {c["name"]: c for c in json.loads(result.stdout)}


def test_a_healthy_pipeline_passes_every_check(tmp_path, api, tableau, pg):
    _, api_url = api
    _, tableau_url = tableau
    path = pipeline(tmp_path, api_url, tableau_url, pg)
    result = doctor(path, env=env_for(pg))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert all(line.startswith("ok ") for line in lines), result.stdout
    checks = checks_of(doctor(path, "--json", env=env_for(pg)))
    assert "tableauhyperapi" in checks["hyperd"]["verdict"]
    assert "is writable" in checks["state folder"]["verdict"]
    assert checks["source sales"]["verdict"].startswith("1 file readable")
    assert "answered:" in checks["source videos"]["verdict"]
    assert "connected; its query prepares, with 2 columns" == checks["source orders"]["verdict"]
    assert 'personal access token "ci" found' in checks[f"credentials for {tableau_url}"]["verdict"]
    assert "(Creator)" in checks[f"tableau {tableau_url}"]["verdict"]
    assert 'project "Default" found' in checks[f"tableau {tableau_url}"]["verdict"]
    assert checks["schedule"]["verdict"].count("+01:00") + checks["schedule"]["verdict"].count("+02:00") == 3
    for secret in SECRETS:
        assert secret not in result.stdout + result.stderr


def test_each_failure_gets_its_own_verdict_and_fix_and_no_secret_leaks(tmp_path, api, tableau, pg):
    _, api_url = api
    tableau_state, tableau_url = tableau
    unreachable = f"http://127.0.0.1:{closed_port()}"
    outputs = {"down": f"{{server: {unreachable}, allow_http: true, name: Down}}",
               "site": f"{{server: {tableau_url}, allow_http: true, site: nosuchsite, name: S}}",
               "project": f"{{server: {tableau_url}, allow_http: true, project: Nowhere, name: P}}"}
    path = pipeline(tmp_path, api_url, tableau_url, pg, csv="missing.csv", outputs=outputs)
    wrong_key = "wrong-key-that-is-still-a-secret"
    result = doctor(path, "--json", env=env_for(pg, api_key=wrong_key, pg_password="wrong-" + PASSWORD))
    assert result.returncode == 1, result.stdout + result.stderr
    checks = checks_of(result)
    failed = {name for name, check in checks.items() if not check["ok"]}
    assert failed == {"source sales", "source videos", "source orders", f"tableau {unreachable}",
                      f"tableau {tableau_url} site nosuchsite", f"tableau {tableau_url} project Nowhere"}, checks
    assert "missing.csv" in checks["source sales"]["verdict"]
    assert "password authentication failed" in checks["source orders"]["verdict"]
    assert any(code in checks["source videos"]["verdict"] for code in ("400", "401", "403")), checks["source videos"]
    assert "127.0.0.1" in checks[f"tableau {unreachable}"]["verdict"]
    assert "401001" in checks[f"tableau {tableau_url} site nosuchsite"]["verdict"]
    assert "Nowhere" in checks[f"tableau {tableau_url} project Nowhere"]["verdict"]
    for name in failed:
        assert checks[name]["fix"], name
    for secret in (*SECRETS, wrong_key):
        assert secret not in result.stdout + result.stderr

    missing_hyperd = doctor("--hyperd", tmp_path / "nowhere")
    assert missing_hyperd.returncode == 1
    assert missing_hyperd.stdout.startswith("FAIL  hyperd: ") and "      fix: " in missing_hyperd.stdout


def test_missing_credentials_are_named_not_guessed(tmp_path, api, tableau, pg):
    _, api_url = api
    _, tableau_url = tableau
    path = pipeline(tmp_path, api_url, tableau_url, pg)
    env = env_for(pg)
    del env["HYPERPIPE_TABLEAU_TOKEN_SECRET"]
    checks = checks_of(doctor(path, "--json", env=env))
    check = checks[f"credentials for {tableau_url}"]
    assert not check["ok"] and "HYPERPIPE_TABLEAU" in check["verdict"] + check["fix"], check


def test_tls_is_verified_and_a_ca_bundle_is_honoured(tmp_path, tls_double):
    _, url, cert = tls_double
    (tmp_path / "data.csv").write_text("id\n1\n")
    (tmp_path / "folder.csv").mkdir()  # a name that is no file

    def with_bundle(bundle):
        path = tmp_path / "tls.yaml"
        path.write_text(f"""version: 1
sources:
  sales: {{type: csv, path: data.csv}}
  odd: {{type: csv, path: folder.csv}}
outputs:
  sales:
    file: out/sales.hyper
    tables: [{{name: Extract.Extract, from: sales}}]
    publish: {{server: {url}, name: Sales{bundle}}}
""")
        return checks_of(doctor(path, "--json", env={"HYPERPIPE_TABLEAU_TOKEN_NAME": "ci",
                                                     "HYPERPIPE_TABLEAU_TOKEN_SECRET": TLS_SECRET}))

    refused = with_bundle("")[f"tableau {url}"]
    assert not refused["ok"] and "certificate" in refused["verdict"] and "ca_bundle" in refused["fix"], refused
    checks = with_bundle(f", ca_bundle: {cert}")
    assert checks[f"tableau {url}"]["ok"] and "TLS, certificate verified" in checks[f"tableau {url}"]["verdict"]
    assert not checks["source odd"]["ok"] and "not a file" in checks["source odd"]["verdict"]
    assert TLS_SECRET not in json.dumps(checks)


def test_a_site_role_that_cannot_publish_is_named_with_what_to_ask_for(tmp_path, api, tableau, pg):
    _, api_url = api
    tableau_state, tableau_url = tableau
    tableau_state.site_role = "Viewer"
    checks = checks_of(doctor(pipeline(tmp_path, api_url, tableau_url, pg), "--json", env=env_for(pg)))
    check = checks[f"tableau {tableau_url}"]
    assert not check["ok"] and "as a Viewer, a site role that cannot publish" in check["verdict"], check
    assert "Creator" in check["fix"]


def test_an_unreadable_file_and_an_unwritable_state_folder_as_another_user(tmp_path):
    """Run as nobody: root reads every file, so permissions only bite for another user."""
    if os.geteuid() != 0:
        pytest.skip("switching to another user needs root")
    import pwd
    import stat
    import tempfile
    folder = Path(tempfile.mkdtemp(prefix="hyperpipe-doctor-"))
    try:
        folder.chmod(0o755)
        (folder / "p.yaml").write_text("version: 1\nsources:\n  s: {type: csv, path: data.csv}\noutputs:\n  o:\n"
                                       "    file: out/o.hyper\n    tables: [{name: Extract.Extract, from: s}]\n")
        (folder / "data.csv").write_text("id\n1\n")
        (folder / "data.csv").chmod(0)
        nobody = pwd.getpwnam("nobody")
        result = subprocess.run(["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups",
                                 str(BUILD / "src" / "hyperpipe"), "doctor", str(folder / "p.yaml"), "--json"],
                                capture_output=True, text=True, cwd="/", timeout=120)
        checks = checks_of(result)
        assert result.returncode == 1
        assert "Permission denied" in checks["source s"]["verdict"] and "permissions" in checks["source s"]["fix"]
        assert "cannot write there" in checks["state folder"]["verdict"] and "write access" in checks["state folder"]["fix"]
    finally:
        (folder / "data.csv").chmod(stat.S_IRUSR | stat.S_IWUSR)
        shutil.rmtree(folder, ignore_errors=True)
