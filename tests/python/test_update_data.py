"""Changing the rows of a published data source without publishing it again (issue #15):
`hyperpipe publish CHANGES.hyper --action ...` and `publish: {mode: sync}`, against the Tableau
double, whose Update Data in Hyper Data Source is checked against tableauserverclient in
test_tableau_double.py. What arrives is read back from the double's copy with tableauhyperapi."""
import json
import os
import subprocess
import sys
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
    with tableau_server.running(state) as url:
        yield state, url


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
    import hashlib
    big = write_hyper(tmp_path / "big.hyper", "Extract", COLUMNS,
                      [[i, hashlib.sha256(str(i).encode()).hexdigest() * 2] for i in range(100000)])
    assert big.stat().st_size > 1 << 20
    too_big = publish(url, big, "--datasource", "Live", "--action", "insert", "--payload-limit-mb", "1")
    assert too_big.returncode != 0 and "above the server's payload limit of 1 MB" in too_big.stderr
    assert patches(state) == [], "nothing was sent"


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
    state.forbidden_projects.add(state.datasources[datasource]["project_id"])
    refused = publish(url, delta, "--datasource", "Live", "--action", "upsert", "--key", "id", "--request-id", "r-perm")
    assert refused.returncode == 7 and "403004" in refused.stderr and "ask the project's owner" in refused.stderr
    state.forbidden_projects.clear()
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


SYNC_PIPELINE = """
version: 1
name: shop
sources:
  orders: {{type: csv, path: orders.csv}}
  regions: {{type: csv, path: regions.csv}}
outputs:
  shop:
    file: shop.hyper
    tables:
      - {{name: Extract.orders, from: orders, primary_key: [id]}}
      - {{name: Extract.regions, from: regions}}
    publish:
      server: {url}
      allow_http: true
      name: Shop
      mode: sync
      job_timeout: 30s
{extra}"""


def write_orders(folder, rows):
    (folder / "orders.csv").write_text("id,customer,amount\n" + "".join(f"{i},{c},{a}\n" for i, c, a in rows))


def run_sync(folder):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYPERPIPE_TABLEAU")}
    env.update({"HYPERPIPE_TABLEAU_TOKEN_NAME": PAT[0], "HYPERPIPE_TABLEAU_TOKEN_SECRET": PAT[1]})
    result = subprocess.run([str(BUILD / "src" / "hyperpipe"), "run", str(folder / "pipeline.yaml"), "--progress", "never"],
                            capture_output=True, text=True, env=env, timeout=300)
    assert PAT[1] not in result.stdout + result.stderr
    report = json.loads((folder / ".hyperpipe" / "shop.last-run.json").read_text())
    return result, report


def sync_folder(tmp_path, url, orders, extra=""):
    folder = tmp_path / "shop"
    folder.mkdir(parents=True)
    (folder / "pipeline.yaml").write_text(SYNC_PIPELINE.format(url=url, extra=extra))
    (folder / "regions.csv").write_text("region,manager\nEMEA,ann\nAPAC,bo\n")
    write_orders(folder, orders)
    return folder


def shop(state):
    return next(d for d in state.datasources.values() if d["name"] == "Shop")


def test_sync_sends_only_what_changed_by_key_and_the_server_ends_up_identical(double, tmp_path):
    state, url = double
    orders = [(i, f"customer {i % 7}", f"{i * 1.25:.2f}") for i in range(1, 20001)]
    folder = sync_folder(tmp_path, url, orders)
    result, report = run_sync(folder)
    assert result.returncode == 0, result.stderr
    sync = report["publishes"][0]["sync"]
    assert sync["whole_file"] and "no copy of what was last published" in sync["why_whole_file"]

    orders[9] = (10, "customer changed", "999.99")  # updated
    del orders[19]                                   # id 20 deleted
    orders.append((50000, "new customer", "5.00"))   # inserted
    write_orders(folder, orders)
    result, report = run_sync(folder)
    assert result.returncode == 0, result.stderr
    sync = report["publishes"][0]["sync"]
    assert not sync["whole_file"] and sync["batches"] == 1
    by_table = {t["table"]: t for t in sync["tables"]}
    assert (by_table['"Extract"."orders"']["inserted"], by_table['"Extract"."orders"']["updated"],
            by_table['"Extract"."orders"']["deleted"]) == (1, 1, 1)
    assert by_table['"Extract"."regions"']["replaced"] == 0, "an unchanged table without a key is not sent"
    assert 0 < sync["bytes_uploaded"] * 3 < sync["bytes_full_publish"]
    assert state.updates_applied == 1
    got = stored_rows(state, shop(state)["id"], '"Extract"."orders"')
    from decimal import Decimal
    assert [(r[0], r[1], Decimal(str(r[2]))) for r in got] == sorted((i, c, Decimal(a)) for i, c, a in orders)

    # Nothing changed: nothing is sent.
    patches_before = len(patches(state))
    result, report = run_sync(folder)
    assert result.returncode == 0 and report["publishes"][0]["sync"]["batches"] == 0
    assert len(patches(state)) == patches_before

    # A table without a key that changed is replaced whole.
    (folder / "regions.csv").write_text("region,manager\nEMEA,ann\nAPAC,cy\nAMER,dee\n")
    result, report = run_sync(folder)
    by_table = {t["table"]: t for t in report["publishes"][0]["sync"]["tables"]}
    assert result.returncode == 0 and by_table['"Extract"."regions"']["replaced"] == 3
    assert stored_rows(state, shop(state)["id"], '"Extract"."regions"') == [("AMER", "dee"), ("APAC", "cy"), ("EMEA", "ann")]


def test_a_data_source_changed_on_the_server_is_published_whole_and_says_why(double, tmp_path):
    state, url = double
    folder = sync_folder(tmp_path, url, [(1, "a", "1.00"), (2, "b", "2.00")])
    assert run_sync(folder)[0].returncode == 0
    with state.lock:
        shop(state)["updated_at"] = state.tick()  # someone else changed it since
    write_orders(folder, [(1, "a", "1.00"), (2, "b", "2.50")])
    result, report = run_sync(folder)
    assert result.returncode == 0, result.stderr
    sync = report["publishes"][0]["sync"]
    assert sync["whole_file"] and "changed on the server since hyperpipe last published it" in sync["why_whole_file"]
    assert state.updates_applied == 0 and shop(state)["versions"] == 2


def test_a_lost_answer_is_repeated_under_its_request_id_and_applied_once(double, tmp_path):
    state, url = double
    folder = sync_folder(tmp_path, url, [(1, "a", "1.00"), (2, "b", "2.00")])
    assert run_sync(folder)[0].returncode == 0
    state.faults = [{"method": "PATCH", "path": r"/data$", "lose_answer": True, "times": 1}]
    write_orders(folder, [(1, "a", "1.00"), (2, "b", "2.50"), (3, "c", "3.00")])
    result, report = run_sync(folder)
    assert result.returncode == 0, result.stderr
    sent = [path for path in patches(state)]
    assert len(sent) == 2, "the PATCH whose answer was lost was sent again"
    assert state.updates_applied == 1 and len(state.update_requests) == 1
    assert [(r[0], r[1]) for r in stored_rows(state, shop(state)["id"], '"Extract"."orders"')] == [(1, "a"), (2, "b"), (3, "c")]


def test_a_killed_sync_is_finished_by_the_next_run_with_the_same_request_ids(double, tmp_path):
    state, url = double
    folder = sync_folder(tmp_path, url, [(i, "x", "1.00") for i in range(1, 51)])
    assert run_sync(folder)[0].returncode == 0
    state.faults = [{"method": "GET", "path": r"/jobs/", "delay": 30, "times": 1}]
    write_orders(folder, [(i, "z", "1.00") for i in range(1, 51)])
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYPERPIPE_TABLEAU")}
    env.update({"HYPERPIPE_TABLEAU_TOKEN_NAME": PAT[0], "HYPERPIPE_TABLEAU_TOKEN_SECRET": PAT[1]})
    process = subprocess.Popen([str(BUILD / "src" / "hyperpipe"), "run", str(folder / "pipeline.yaml"), "--progress", "never"],
                               stdout=subprocess.DEVNULL, stderr=open(tmp_path / "killed.err", "w"), env=env)
    import time
    deadline = time.time() + 120
    polled = lambda: any(m == "GET" and "/jobs/" in p for m, p in state.requests)  # noqa: E731
    while not (polled() and state.updates_applied == 1) and time.time() < deadline:
        time.sleep(0.05)
    assert polled() and state.updates_applied == 1, "the run reached the job wait after the update was applied"
    process.kill()  # kill -9 while it waits for the job: applied on the server, not confirmed here
    process.wait(timeout=30)
    assert state.updates_applied == 1
    sync_state = json.loads((folder / ".hyperpipe" / "shop.sync.json").read_text())
    pending = sync_state["targets"]["shop#0"]["pending"]
    kept_id = pending["batches"][0]["request_id"]
    state.faults = []
    result, report = run_sync(folder)
    assert result.returncode == 0, result.stderr
    assert any("sent again" in note for note in report["notes"]), report["notes"]
    assert kept_id in state.update_requests and state.updates_applied == 1, "the same id again: not applied twice"
    assert {r[1] for r in stored_rows(state, shop(state)["id"], '"Extract"."orders"')} == {"z"}
    assert "pending" not in json.loads((folder / ".hyperpipe" / "shop.sync.json").read_text())["targets"]["shop#0"]


def test_a_failed_job_fails_the_run_and_the_next_run_sends_the_change_again(double, tmp_path):
    state, url = double
    folder = sync_folder(tmp_path, url, [(1, "a", "1.00")])
    assert run_sync(folder)[0].returncode == 0
    write_orders(folder, [(1, "a", "1.00"), (2, "b", "2.00")])
    state.job_failure = "disk full on the server"
    result, report = run_sync(folder)
    assert result.returncode == 7 and "disk full on the server" in report["error"]["message"]
    assert [w["type"] for w in state.warnings.values()] == ["STALE"], "the failed run said so on the data source"
    state.job_failure = None
    result, report = run_sync(folder)
    assert result.returncode == 0, result.stderr
    assert state.warnings == {} and any("stale-data warning removed" in n for n in report["notes"])
    assert [r[0] for r in stored_rows(state, shop(state)["id"], '"Extract"."orders"')] == [1, 2]


def test_a_key_that_is_not_unique_is_refused_before_anything_is_sent(double, tmp_path):
    state, url = double
    folder = sync_folder(tmp_path, url, [(1, "a", "1.00")])
    assert run_sync(folder)[0].returncode == 0
    write_orders(folder, [(1, "a", "1.00"), (1, "again", "2.00")])
    result, report = run_sync(folder)
    assert result.returncode != 0
    assert "the key (id) of \"Extract\".\"orders\"" in report["error"]["message"]
    assert "1 value occur more than once" in report["error"]["message"]
    assert patches(state) == []
    # Checked before a whole publish too: a first run publishes nothing with a false key.
    first = sync_folder(tmp_path / "again", url, [(7, "a", "1.00"), (7, "b", "2.00")])
    result, report = run_sync(first)
    assert result.returncode != 0 and "is not a key" in report["error"]["message"]
    assert [d["versions"] for d in state.datasources.values()] == [1], "only the first folder's publish happened"


def test_large_change_sets_go_in_payloads_below_the_limit(double, tmp_path):
    state, url = double
    import hashlib
    rows = [(i, "customer " + hashlib.sha256(str(i).encode()).hexdigest(), f"{i % 1000}.{i % 100:02d}")
            for i in range(1, 60001)]
    folder = sync_folder(tmp_path, url, rows, "      payload_limit_mb: 1\n")
    assert run_sync(folder)[0].returncode == 0
    changed = [(i, c.replace("customer", "client"), a) for i, c, a in rows]
    write_orders(folder, changed)
    result, report = run_sync(folder)
    assert result.returncode == 0, result.stderr
    sync = report["publishes"][0]["sync"]
    assert sync["batches"] > 1 and not sync["whole_file"]
    assert state.updates_applied == sync["batches"]
    got = stored_rows(state, shop(state)["id"], '"Extract"."orders"')
    assert len(got) == 60000 and all(name.startswith("client") for _, name, _ in got)


def test_a_kill_after_the_copy_advanced_but_before_the_state_said_so_does_not_jam(double, tmp_path):
    """The last step of a sync renames the pending snapshot over the copy, then saves the state:
    a kill between the two leaves every batch confirmed and the snapshot already moved."""
    state, url = double
    folder = sync_folder(tmp_path, url, [(1, "a", "1.00"), (2, "b", "2.00")])
    assert run_sync(folder)[0].returncode == 0
    write_orders(folder, [(1, "a", "1.00"), (2, "b", "2.50")])
    assert run_sync(folder)[0].returncode == 0
    state_file = folder / ".hyperpipe" / "shop.sync.json"
    sync_state = json.loads(state_file.read_text())
    target = sync_state["targets"]["shop#0"]
    copy = folder / ".hyperpipe" / "shop.sync" / "shop-0" / "published.hyper"
    target["pending"] = {"run_started": "2026-12-05T00:00:00Z", "done": 1, "next": "next.hyper",
                         "next_inode": copy.stat().st_ino, "updated_at": target["updated_at"],
                         "batches": [{"payload": "changes.hyper", "request_id": "hyperpipe-crashed-1", "actions": []}]}
    state_file.write_text(json.dumps(sync_state))
    write_orders(folder, [(1, "a", "1.00"), (2, "b", "2.50"), (3, "c", "3.00")])
    result, report = run_sync(folder)
    assert result.returncode == 0, result.stderr
    sync = report["publishes"][0]["sync"]
    assert not sync["whole_file"] and sync["tables"][0]["inserted"] == 1, sync
    assert [r[0] for r in stored_rows(state, shop(state)["id"], '"Extract"."orders"')] == [1, 2, 3]


def test_missing_pending_payloads_start_over_with_a_whole_publish(double, tmp_path):
    state, url = double
    folder = sync_folder(tmp_path, url, [(1, "a", "1.00")])
    assert run_sync(folder)[0].returncode == 0
    state_file = folder / ".hyperpipe" / "shop.sync.json"
    sync_state = json.loads(state_file.read_text())
    sync_state["targets"]["shop#0"]["pending"] = {
        "run_started": "2026-12-05T00:00:00Z", "done": 0, "next": "next.hyper", "next_inode": 1,
        "updated_at": sync_state["targets"]["shop#0"]["updated_at"],
        "batches": [{"payload": "gone.hyper", "request_id": "hyperpipe-lost-1", "actions": []}]}
    state_file.write_text(json.dumps(sync_state))
    result, report = run_sync(folder)
    assert result.returncode == 0, result.stderr
    sync = report["publishes"][0]["sync"]
    assert sync["whole_file"] and "are missing" in sync["why_whole_file"]


def test_a_large_split_change_set_places_every_row_in_exactly_one_part(double, tmp_path):
    """Parts are numbered in key order: checked by the row counts inside hyperpipe, and here by the
    server ending up with exactly the new rows."""
    state, url = double
    import hashlib
    rows = [(i, "c" + hashlib.sha256(str(i).encode()).hexdigest(), "1.00") for i in range(1, 80001)]
    folder = sync_folder(tmp_path, url, rows, "      payload_limit_mb: 1\n")
    assert run_sync(folder)[0].returncode == 0
    rows = [(i, "d" + c[1:], a) for i, c, a in rows if i % 10 != 0]
    write_orders(folder, rows)
    result, report = run_sync(folder)
    assert result.returncode == 0, result.stderr
    sync = report["publishes"][0]["sync"]
    assert sync["batches"] > 2
    got = stored_rows(state, shop(state)["id"], '"Extract"."orders"')
    assert [(r[0], r[1]) for r in got] == [(i, c) for i, c, _ in rows]
