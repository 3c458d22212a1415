"""`hyperpipe load` on Parquet files: read by hyperd through external(), schema from the file,
values compared with what pyarrow reads."""
import json
import pathlib

import pyarrow.parquet as pq
from conftest import error_lines  # noqa: E402

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "parquet"


def rows_and_types(hyperpipe, path):
    rows = json.loads(hyperpipe("query", path, 'SELECT * FROM "Extract"."Extract" ORDER BY name NULLS LAST',
                                "--format", "json").stdout)
    report = json.loads(hyperpipe("inspect", path, "--json").stdout)
    return rows, {c["name"]: c["type"] for c in report["tables"][0]["columns"]}


def test_parquet_schema_and_values(hyperpipe, tmp_path):
    out = tmp_path / "p.hyper"
    result = hyperpipe("load", DATA / "good.parquet", "--out", out)
    assert "3 read, 3 loaded, 0 rejected" in result.stdout
    rows, types = rows_and_types(hyperpipe, out)
    assert types == {"id": "BIGINT", "name": "TEXT", "amount": "NUMERIC(10,2)", "day": "DATE", "ts": "TIMESTAMP",
                     "tz": "TIMESTAMP WITH TIME ZONE", "f": "DOUBLE PRECISION", "b": "BOOLEAN"}
    expected = sorted(pq.read_table(DATA / "good.parquet").to_pylist(),
                      key=lambda r: (r["name"] is None, r["name"] or ""))
    assert [r["id"] for r in rows] == [e["id"] for e in expected]
    assert [r["amount"] for r in rows] == [None if e["amount"] is None else f"{e['amount']:.2f}" for e in expected]
    assert rows[0]["ts"] == "2024-01-01 10:00:00.123456" and rows[0]["tz"] == "2024-01-01 10:00:00+00"


def test_parquet_union_and_override(hyperpipe, tmp_path):
    out = tmp_path / "u.hyper"
    result = hyperpipe("load", DATA / "good.parquet", DATA / "good.parquet", "--out", out, "--schema", "amount=double")
    assert "6 read, 6 loaded, 0 rejected" in result.stdout.splitlines()[-1]
    _, types = rows_and_types(hyperpipe, out)
    assert types["amount"] == "DOUBLE PRECISION"


def test_unsupported_parquet_type_names_column_and_type(hyperpipe, tmp_path):
    result = hyperpipe("load", DATA / "nested.parquet", "--out", tmp_path / "n.hyper", check=False)
    assert result.returncode == 6
    assert error_lines(result.stderr)[0] == (f'hyperpipe: error: {DATA / "nested.parquet"}: column "tags" has type '
                                             'array(bigint), which a .hyper table cannot hold')
    assert list(tmp_path.iterdir()) == []
    hyperpipe("load", DATA / "nested.parquet", "--out", tmp_path / "n.hyper", "--schema", "tags=text")


def test_not_a_parquet_file(hyperpipe, tmp_path):
    result = hyperpipe("load", DATA / "not_parquet.parquet", "--out", tmp_path / "x.hyper", check=False)
    assert result.returncode == 5
    assert "not a Parquet file" in result.stderr
    assert list(tmp_path.iterdir()) == []
