"""`hyperpipe load` on Excel workbooks: cell types, date systems, error cells, sheet selection,
damaged files; compared with pandas.read_excel (openpyxl)."""
import json
import pathlib

import pandas as pd

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "xlsx"


def query(hyperpipe, path, sql):
    return json.loads(hyperpipe("query", path, sql, "--format", "json").stdout)


def test_cell_types_and_values(hyperpipe, tmp_path):
    out = tmp_path / "w.hyper"
    result = hyperpipe("load", DATA / "workbook.xlsx", "--out", out)
    assert "1 error cell loaded as NULL, the first at H4 (#N/A)" in result.stdout
    report = json.loads(hyperpipe("inspect", out, "--json").stdout)
    assert [(c["name"], c["type"]) for c in report["tables"][0]["columns"]] == [
        ("id", "INTEGER"), ("product", "TEXT"), ("price", "DOUBLE PRECISION"), ("sold_on", "DATE"),
        ("sold_at", "TIMESTAMP"), ("paid", "BOOLEAN"), ("ratio", "DOUBLE PRECISION"), ("note", "TEXT")]
    rows = query(hyperpipe, out, 'SELECT * FROM "Extract"."Extract" ORDER BY id')
    assert rows[1] == {"id": 2, "product": "Gadget ü", "price": 7.0, "sold_on": "1969-07-20",
                       "sold_at": "2000-02-29 23:59:59", "paid": False, "ratio": 1.5, "note": None}
    assert rows[2]["sold_on"] == "1900-03-01" and rows[2]["note"] is None


def test_matches_pandas_read_excel(hyperpipe, tmp_path):
    out = tmp_path / "w.hyper"
    hyperpipe("load", DATA / "workbook.xlsx", "--out", out)
    frame = pd.read_excel(DATA / "workbook.xlsx", sheet_name="Sales")
    ours = query(hyperpipe, out, 'SELECT * FROM "Extract"."Extract" ORDER BY id')
    assert [r["id"] for r in ours] == list(frame["id"])
    assert [r["product"] for r in ours] == list(frame["product"])
    assert [r["price"] for r in ours] == [None if pd.isna(v) else v for v in frame["price"]]
    assert [r["sold_at"] for r in ours] == [str(v) for v in frame["sold_at"]]
    assert [r["sold_on"] for r in ours] == [str(v.date()) for v in frame["sold_on"]]


def test_every_sheet_into_its_own_table(hyperpipe, tmp_path):
    out = tmp_path / "w.hyper"
    result = hyperpipe("load", DATA / "workbook.xlsx", "--out", out, "--all-sheets")
    assert "total: 1 file, 5 read, 5 loaded, 0 rejected" in result.stdout
    assert query(hyperpipe, out, 'SELECT * FROM "Extract"."Stock" ORDER BY sku') == [
        {"sku": "A-1", "qty": 10}, {"sku": "B-2", "qty": 0}]
    hyperpipe("load", DATA / "workbook.xlsx", "--out", out, "--sheet", "2")
    assert len(query(hyperpipe, out, 'SELECT * FROM "Extract"."Extract"')) == 2


def test_1904_date_system(hyperpipe, tmp_path):
    out = tmp_path / "d.hyper"
    result = hyperpipe("load", DATA / "dates_1904.xlsx", "--out", out)
    assert "1904 dates" in result.stdout
    assert query(hyperpipe, out, 'SELECT day FROM "Extract"."Extract"') == [{"day": "2024-02-29"}, {"day": "1904-01-02"}]


def test_bad_workbooks(hyperpipe, tmp_path):
    result = hyperpipe("load", DATA / "truncated.xlsx", "--out", tmp_path / "t.hyper", check=False)
    assert result.returncode == 6
    assert f"{DATA / 'truncated.xlsx'}: not a readable .xlsx (zip) file" in result.stderr
    result = hyperpipe("load", DATA / "workbook.xlsx", "--out", tmp_path / "t.hyper", "--sheet", "Nope", check=False)
    assert result.returncode == 2
    assert 'no sheet "Nope"; the sheets are "Sales", "Stock"' in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_override_failures_are_rejected_with_the_cell(hyperpipe, tmp_path):
    rejects = tmp_path / "r.csv"
    out = tmp_path / "w.hyper"
    result = hyperpipe("load", DATA / "workbook.xlsx", "--out", out, "--schema", "note=int",
                       "--on-error", f"reject={rejects}")
    assert "3 read, 2 loaded, 1 rejected" in result.stdout
    line = rejects.read_text().splitlines()[1]
    assert line.startswith(f'"{DATA / "workbook.xlsx"}",2,"sheet ""Sales"", cell H2: column ""note"" (INTEGER): '
                           '""first"" is not an integer"')
    assert [r["id"] for r in query(hyperpipe, out, 'SELECT id FROM "Extract"."Extract" ORDER BY id')] == [2, 3]
