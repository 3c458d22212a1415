"""`hyperpipe load` on JSON and NDJSON: flattening, child tables with ASSUMED keys, types, and
errors; compared with pandas.json_normalize on the flat part."""
import json
import pathlib

import pandas as pd
from conftest import error_lines  # noqa: E402

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "json"


def query(hyperpipe, path, sql):
    return json.loads(hyperpipe("query", path, sql, "--format", "json").stdout)


def tables(hyperpipe, path):
    report = json.loads(hyperpipe("inspect", path, "--json").stdout)
    return {t["table"]: t for t in report["tables"]}


def test_array_flattens_and_makes_child_tables(hyperpipe, tmp_path):
    out = tmp_path / "a.hyper"
    hyperpipe("load", DATA / "array.json", "--out", out, "--table", "Shop.customers")
    found = tables(hyperpipe, out)
    assert set(found) == {"customers", "customers_orders", "customers_orders_lines"}
    root = found["customers"]
    assert [(c["name"], c["type"]) for c in root["columns"]] == [
        ("_row_id", "BIGINT"), ("id", "INTEGER"), ("name", "TEXT"), ("joined", "DATE"), ("score", "DOUBLE PRECISION"),
        ("active", "BOOLEAN"), ("address.city", "TEXT"), ("address.geo.lat", "DOUBLE PRECISION"),
        ("address.geo.lon", "DOUBLE PRECISION")]
    assert root["primary_key"] == ["_row_id"]
    orders = found["customers_orders"]
    assert orders["row_count"] == 3
    assert orders["foreign_keys"] == [{"columns": ["_parent_row_id"],
                                       "references": {"schema": "Shop", "table": "customers", "columns": ["_row_id"]}}]
    assert found["customers_orders_lines"]["foreign_keys"][0]["references"]["table"] == "customers_orders"
    rows = query(hyperpipe, out, 'SELECT o.sku, o.qty, c.id FROM "Shop"."customers_orders" o '
                                 'JOIN "Shop"."customers" c ON c._row_id = o._parent_row_id ORDER BY o.sku')
    assert rows == [{"sku": "A", "qty": 2, "id": 1}, {"sku": "B", "qty": 1, "id": 1}, {"sku": "C", "qty": 5, "id": 3}]


def test_flat_columns_match_json_normalize(hyperpipe, tmp_path):
    out = tmp_path / "a.hyper"
    hyperpipe("load", DATA / "array.json", "--out", out)
    frame = pd.json_normalize(json.loads((DATA / "array.json").read_text()))
    ours = query(hyperpipe, out, 'SELECT * FROM "Extract"."Extract" ORDER BY _row_id')
    for column in ("id", "name", "address.city", "address.geo.lat"):
        theirs = [None if pd.isna(v) else v for v in frame[column]]
        assert [r[column] for r in ours] == theirs, column


def test_records_path_in_an_api_payload(hyperpipe, tmp_path):
    out = tmp_path / "v.hyper"
    result = hyperpipe("load", DATA / "search_payload.json", "--out", out, "--records-path", "items")
    assert "total: 1 file, 4 read, 4 loaded, 0 rejected" in result.stdout
    rows = query(hyperpipe, out, 'SELECT "id", "snippet.publishedAt", "stats.likes", "extra" FROM "Extract"."Extract" '
                                 'ORDER BY _row_id')
    assert rows == [{"id": "a1", "snippet.publishedAt": "2024-01-02 10:00:00+00", "stats.likes": 12, "extra": None},
                    {"id": "b2", "snippet.publishedAt": "2024-02-03 10:30:00+00", "stats.likes": None,
                     "extra": "[1,2,3]"}]
    assert "tags" not in [c["name"] for c in tables(hyperpipe, out)["Extract"]["columns"]]


def test_ndjson_widens_across_records(hyperpipe, tmp_path):
    out = tmp_path / "n.hyper"
    hyperpipe("load", DATA / "records.ndjson", "--out", out)
    assert query(hyperpipe, out, 'SELECT a, b, c FROM "Extract"."Extract" ORDER BY _row_id') == [
        {"a": 1.0, "b": "x", "c": None}, {"a": 2.5, "b": None, "c": True}, {"a": 3.0, "b": None, "c": None}]


def test_depth_limit_keeps_deeper_objects_as_json_text(hyperpipe, tmp_path):
    out = tmp_path / "d.hyper"
    hyperpipe("load", DATA / "array.json", "--out", out, "--json-depth", "1")
    rows = query(hyperpipe, out, 'SELECT "address.geo" FROM "Extract"."Extract" ORDER BY _row_id')
    assert rows[0] == {"address.geo": '{"lat":51.5,"lon":-0.12}'}


def test_malformed_json_names_file_and_line(hyperpipe, tmp_path):
    result = hyperpipe("load", DATA / "malformed.ndjson", "--out", tmp_path / "x.hyper", check=False)
    assert result.returncode == 6
    assert "\n".join(error_lines(result.stderr)).startswith(f"hyperpipe: error: {DATA / 'malformed.ndjson'}:2: invalid JSON: ")
    result = hyperpipe("load", DATA / "truncated.json", "--out", tmp_path / "x.hyper", check=False)
    assert result.returncode == 6
    assert f"{DATA / 'truncated.json'}: invalid JSON" in result.stderr
    result = hyperpipe("load", DATA / "not_records.json", "--out", tmp_path / "x.hyper", check=False)
    assert f"{DATA / 'not_records.json'}: record 1 is a number, not an object" in result.stderr
    result = hyperpipe("load", DATA / "search_payload.json", "--out", tmp_path / "x.hyper", "--records-path",
                       "data.items", check=False)
    assert 'no field "data" on the way to the records path "data.items"' in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_override_failures_stop_or_are_rejected(hyperpipe, tmp_path):
    path = DATA / "override.ndjson"
    result = hyperpipe("load", path, "--out", tmp_path / "o.hyper", "--schema", "amount=numeric(10,2)", check=False)
    assert result.returncode == 6
    assert error_lines(result.stderr)[0] == (f'hyperpipe: error: {path}:2: field "amount" (NUMERIC(10,2)): '
                                             '"abc" is not a decimal number')
    assert list(tmp_path.iterdir()) == []
    rejects = tmp_path / "r.csv"
    out = tmp_path / "o.hyper"
    result = hyperpipe("load", path, "--out", out, "--schema", "amount=numeric(10,2)", "--on-error", f"reject={rejects}")
    assert "3 read, 2 loaded, 1 rejected" in result.stdout
    assert rejects.read_text().splitlines()[1] == (f'"{path}",2,"field ""amount"" (NUMERIC(10,2)): ""abc"" is not a '
                                                   'decimal number","{""id"":2,""amount"":""abc""}"')
    assert query(hyperpipe, out, 'SELECT id, amount FROM "Extract"."Extract" ORDER BY id') == [
        {"id": 1, "amount": "12.50"}, {"id": 3, "amount": None}]
