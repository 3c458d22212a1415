"""The CLI contract: help on every command, version, and documented exit codes."""
import json

import pytest


def test_version(hyperpipe):
    assert hyperpipe("--version").stdout.startswith("hyperpipe ")


@pytest.mark.parametrize("command", ["inspect", "query", "example"])
def test_every_command_has_help(hyperpipe, command):
    text = hyperpipe(command, "--help").stdout
    assert "Usage" in text or "usage" in text.lower()
    assert "--hyperd" in text


def test_usage_errors_exit_2(hyperpipe):
    assert hyperpipe(check=False).returncode == 2
    assert hyperpipe("inspect", check=False).returncode == 2
    assert hyperpipe("query", "x.hyper", "SELECT 1", "--format", "xml", check=False).returncode == 2


def test_missing_file_exits_3(hyperpipe, tmp_path):
    result = hyperpipe("inspect", tmp_path / "absent.hyper", check=False)
    assert result.returncode == 3
    assert result.stderr == f"hyperpipe: error: {tmp_path / 'absent.hyper'}: no such file\n"


def test_not_a_hyper_file_exits_3(hyperpipe, tmp_path):
    path = tmp_path / "notes.hyper"
    path.write_text("hello\n")
    result = hyperpipe("inspect", path, check=False)
    assert result.returncode == 3
    assert "cannot open as a Hyper database" in result.stderr


def test_missing_hyperd_exits_4_and_says_how_to_install(hyperpipe, tmp_path):
    result = hyperpipe("inspect", tmp_path / "x.hyper", "--hyperd", tmp_path / "nowhere", check=False)
    assert result.returncode == 4
    assert "no executable hyperd there" in result.stderr


def test_sql_error_exits_5_with_sqlstate(hyperpipe, tmp_path):
    path = tmp_path / "e.hyper"
    hyperpipe("example", "--out", path, "--customers", 3, "--orders", 5)
    result = hyperpipe("query", path, "SELECT nope FROM \"Extract\".\"orders\"", check=False)
    assert result.returncode == 5
    assert "SQLSTATE 42703" in result.stderr
    assert 'statement: SELECT nope FROM "Extract"."orders"' in result.stderr


def test_example_writes_a_two_table_extract(hyperpipe, tmp_path):
    path = tmp_path / "example.hyper"
    text = hyperpipe("example", "--out", path, "--customers", 10, "--orders", 100).stdout
    assert 'table "Extract"."orders": 100 rows' in text
    assert 'assumed foreign key (customer_id) references "Extract"."customers" (customer_id)' in text
    report = json.loads(hyperpipe("inspect", path, "--json").stdout)
    assert [(t["table"], t["row_count"]) for t in report["tables"]] == [("customers", 10), ("orders", 100)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["example.hyper"]


def test_query_formats(hyperpipe, tmp_path):
    path = tmp_path / "q.hyper"
    hyperpipe("example", "--out", path, "--customers", 2, "--orders", 3)
    sql = 'SELECT order_id, note, amount FROM "Extract"."orders" ORDER BY order_id'
    assert hyperpipe("query", path, sql, "--format", "csv", raw=True).stdout == \
        b"order_id,note,amount\r\n1,,0.99\r\n2,gift wrap,80.18\r\n3,express,159.37\r\n"
    rows = json.loads(hyperpipe("query", path, sql, "--format", "json").stdout)
    assert rows[0] == {"order_id": 1, "note": None, "amount": "0.99"}
    table = hyperpipe("query", path, sql).stdout
    assert table.splitlines()[-1] == "(3 rows)"
    assert "NULL" in table


def test_library_example_writes_related_tables(hyperpipe, tmp_path):
    """examples/write_extract.cpp, the public-API example, builds and produces what it says."""
    import subprocess
    from conftest import BUILD
    path = tmp_path / "shop.hyper"
    result = subprocess.run([str(BUILD / "example_write_extract"), str(path)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "28 sales rows\n"
    report = json.loads(hyperpipe("inspect", path, "--json").stdout)
    tables = {t["table"]: t for t in report["tables"]}
    assert tables["products"]["row_count"] == 2 and tables["sales"]["row_count"] == 28
    assert tables["sales"]["foreign_keys"] == [
        {"columns": ["sku"], "references": {"schema": "Extract", "table": "products", "columns": ["sku"]}}]
    assert tables["products"]["primary_key"] == ["sku"]


def test_interrupted_run_leaves_previous_extract_and_no_litter(hyperpipe, tmp_path):
    """Ctrl-C (SIGINT) in the middle of a large write: the previous extract is intact and the
    temporary file is gone."""
    import signal
    import subprocess
    import time
    from conftest import BUILD
    path = tmp_path / "big.hyper"
    hyperpipe("example", "--out", path, "--customers", 5, "--orders", 7)
    before = path.read_bytes()
    process = subprocess.Popen([str(BUILD / "src" / "hyperpipe"), "example", "--out", str(path),
                                "--orders", "40000000"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".tmp") for p in tmp_path.iterdir()):
        assert process.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline, "no temporary file appeared"
        time.sleep(0.02)
    time.sleep(0.5)  # well into the load
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == -signal.SIGINT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.hyper"]
    assert path.read_bytes() == before
    report = json.loads(hyperpipe("inspect", path, "--json").stdout)
    assert [t["row_count"] for t in report["tables"]] == [5, 7]
