"""Changing the rows of a published data source without publishing it again (issue #15):
`hyperpipe publish CHANGES.hyper --action ...` and `publish: {mode: sync}`, against the Tableau
double, whose Update Data in Hyper Data Source is checked against tableauserverclient in
test_tableau_double.py. What arrives is read back from the double's copy with tableauhyperapi."""
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "doubles"))
import tableau_server  # noqa: E402
from conftest import BUILD  # noqa: E402
from test_tableau_double import stored_rows, write_hyper  # noqa: E402

PAT = ("ci", "pat-secret-for-update-data-3b9")
COLUMNS = [("id", "int"), ("name", "text")]


@pytest.fixture()
def double():
    state = tableau_server.State(pats=dict([PAT]))
    server = tableau_server.make_server(state)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    shutil.rmtree(state.workdir, ignore_errors=True)


def hyperpipe(*args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYPERPIPE_TABLEAU")}
    env.update({"HYPERPIPE_TABLEAU_TOKEN_NAME": PAT[0], "HYPERPIPE_TABLEAU_TOKEN_SECRET": PAT[1]})
    result = subprocess.run([str(BUILD / "src" / "hyperpipe"), *map(str, args)], capture_output=True, text=True, env=env,
                            timeout=300)
    assert PAT[1] not in result.stdout + result.stderr
    return result


def publish(url, *args):
    return hyperpipe("publish", *args, "--server", url, "--allow-http")


def live(state, url, tmp_path, rows):
    base = write_hyper(tmp_path / "base.hyper", "Extract", COLUMNS, rows)
    assert publish(url, base, "--name", "Live").returncode == 0
    return next(d["id"] for d in state.datasources.values() if d["name"] == "Live")


def patches(state):
    return [path for method, path in state.requests if method == "PATCH"]


def test_a_change_set_made_elsewhere_is_applied_once(double, tmp_path):
    state, url = double
    datasource = live(state, url, tmp_path, [[1, "a"], [2, "b"], [3, "c"]])
    delta = write_hyper(tmp_path / "delta.hyper", "Extract", COLUMNS, [[2, "B"], [4, "d"]])
    first = publish(url, delta, "--datasource", "Live", "--action", "upsert", "--key", "id")
    assert first.returncode == 0, first.stderr
    assert stored_rows(state, datasource) == [(1, "a"), (2, "B"), (3, "c"), (4, "d")]
    # The same command again (a retry by a scheduler, a person): the same RequestID, applied once.
    again = publish(url, delta, "--datasource", "Live", "--action", "upsert", "--key", "id")
    assert again.returncode == 0, again.stderr
    request_id = first.stdout.split("request ")[-1].strip()
    assert request_id and again.stdout.split("request ")[-1].strip() == request_id
    assert state.updates_applied == 1 and len(patches(state)) == 2
    keys = write_hyper(tmp_path / "keys.hyper", "Extract", [("id", "int")], [[1], [3]])
    gone = publish(url, keys, "--datasource", "Live", "--action", "delete", "--key", "id", "--request-id", "delete-1-and-3")
    assert gone.returncode == 0, gone.stderr
    assert stored_rows(state, datasource) == [(2, "B"), (4, "d")]
    assert state.update_requests.keys() >= {"delete-1-and-3"}


def test_bad_change_sets_are_refused_before_anything_is_sent(double, tmp_path):
    state, url = double
    live(state, url, tmp_path, [[1, "a"]])
    delta = write_hyper(tmp_path / "delta.hyper", "Extract", COLUMNS, [[1, "A"]])
    missing_key = publish(url, delta, "--datasource", "Live", "--action", "upsert", "--key", "code")
    assert missing_key.returncode != 0 and 'key column "code" is not in "Extract"."Extract"' in missing_key.stderr
    no_key = publish(url, delta, "--datasource", "Live", "--action", "upsert")
    assert no_key.returncode != 0 and "needs key columns" in no_key.stderr
    too_big = publish(url, delta, "--datasource", "Live", "--action", "insert", "--payload-limit-mb", "1")
    assert too_big.returncode == 0, "a small file is under 1 MB"
    assert patches(state) == [patches(state)[0]]


def test_the_servers_refusals_say_what_to_do(double, tmp_path):
    state, url = double
    datasource = live(state, url, tmp_path, [[1, "a"]])
    delta = write_hyper(tmp_path / "delta.hyper", "Extract", COLUMNS, [[1, "A"]])
    state.job_failure = "the target table is locked"
    failed = publish(url, delta, "--datasource", "Live", "--action", "upsert", "--key", "id")
    assert failed.returncode == 7 and "UpdateUploadedFile) failed: the target table is locked" in failed.stderr
    state.job_failure = None
    state.datasources[datasource]["live_to_hyper"] = False
    not_live = publish(url, delta, "--datasource", "Live", "--action", "upsert", "--key", "id", "--request-id", "r2")
    assert not_live.returncode == 7 and "live-to-Hyper" in not_live.stderr and "overwrite" in not_live.stderr
    state.api_version = "3.11"
    old = publish(url, delta, "--datasource", "Live", "--action", "upsert", "--key", "id", "--request-id", "r3")
    assert old.returncode == 7 and "needs 3.12" in old.stderr
    state.api_version = tableau_server.API_VERSION
    state.datasources[datasource]["live_to_hyper"] = True
    missing = publish(url, delta, "--datasource", "Nowhere", "--action", "upsert", "--key", "id")
    assert missing.returncode == 7 and 'no data source "Nowhere"' in missing.stderr
    state.job_polls_to_finish = 10**9
    endless = publish(url, delta, "--datasource", "Live", "--action", "upsert", "--key", "id", "--request-id", "r4",
                      "--job-timeout", "2")
    assert endless.returncode == 7 and "did not finish within 2 s" in endless.stderr
