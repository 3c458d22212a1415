"""Files as people export them (issue #19): Excel's sep= line and Windows-1252, decimal commas,
thousands separators, accounting negatives, day-first and month-first dates, yes/no booleans, and
JSON keys that collide. hyperpipe reaches, with no flags, the values pandas reaches only when
given the right flags by hand."""
import decimal
import io
import json
import pathlib

import pandas as pd

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "regional"


def load(hyperpipe, tmp_path, name, *args, check=True):
    out = tmp_path / "out.hyper"
    return out, hyperpipe("load", DATA / name, "--out", out, *args, check=check)


def table(hyperpipe, path, order="1"):
    rows = json.loads(hyperpipe("query", path, f'SELECT * FROM "Extract"."Extract" ORDER BY {order}',
                                "--format", "json").stdout)
    report = json.loads(hyperpipe("inspect", path, "--json").stdout)
    types = {c["name"]: c["type"] for c in report["tables"][0]["columns"]}
    return rows, types


def test_a_german_excel_export_loads_typed_without_flags(hyperpipe, tmp_path):
    out, result = load(hyperpipe, tmp_path, "de_excel.csv")
    for note in ('"sep=;"', "Windows-1252", "decimal comma", "'.' groups thousands", "(12.00) is negative",
                 'column "day": dates written dd.mm.yyyy'):
        assert note in result.stdout, result.stdout
    assert "4 read, 4 loaded, 0 rejected" in result.stdout
    rows, types = table(hyperpipe, out)
    assert types == {"id": "INTEGER", "name": "TEXT", "amount": "NUMERIC(6,2)", "day": "DATE", "paid": "BOOLEAN"}
    assert [r["amount"] for r in rows] == ["1.50", "1234.50", "-12.00", "-0.75"]
    assert [r["name"] for r in rows] == ["Café €", "\u201cQuote\u201d", "Dash \u2013 here", "Plain"]
    assert [r["paid"] for r in rows] == [True, False, True, False]

    # pandas needs every convention spelled out, and still reads (12,00) as text.
    frame = pd.read_csv(DATA / "de_excel.csv", sep=";", skiprows=1, decimal=",", thousands=".", encoding="cp1252",
                        parse_dates=["day"], dayfirst=True, true_values=["yes"], false_values=["no"])
    assert [r["name"] for r in rows] == list(frame["name"])
    assert [r["day"] for r in rows] == [d.strftime("%Y-%m-%d") for d in frame["day"]]
    assert [r["paid"] for r in rows] == list(frame["paid"])
    assert not pd.api.types.is_numeric_dtype(frame["amount"])  # the (12,00) keeps pandas' whole column text
    # Without that row, pandas types the column: the same values.
    text = (DATA / "de_excel.csv").read_bytes().decode("cp1252")
    without = io.StringIO("".join(line for line in text.splitlines(keepends=True) if "(12,00)" not in line))
    numbers = pd.read_csv(without, sep=";", skiprows=1, decimal=",", thousands=".")
    ours = [decimal.Decimal(r["amount"]) for r in rows if r["id"] != 3]
    assert ours == [decimal.Decimal(str(v)).quantize(decimal.Decimal("0.01")) for v in numbers["amount"]]


def test_day_first_and_month_first_columns_follow_their_values(hyperpipe, tmp_path):
    out, result = load(hyperpipe, tmp_path, "uk_dates.csv")
    assert 'column "day": dates written dd/mm/yyyy (detected)' in result.stdout
    rows, types = table(hyperpipe, out)
    assert types == {"id": "INTEGER", "day": "DATE", "stamp": "TIMESTAMP"}
    frame = pd.read_csv(DATA / "uk_dates.csv", parse_dates=["day", "stamp"], dayfirst=True, date_format="mixed")
    assert [r["day"] for r in rows] == [d.strftime("%Y-%m-%d") for d in frame["day"]]
    assert [r["stamp"] for r in rows] == [d.strftime("%Y-%m-%d %H:%M:%S") for d in frame["stamp"]]

    out, result = load(hyperpipe, tmp_path, "us_dates.csv")
    rows, types = table(hyperpipe, out)
    assert types["day"] == "DATE"
    frame = pd.read_csv(DATA / "us_dates.csv", parse_dates=["day"], date_format="mixed")
    assert [r["day"] for r in rows] == [d.strftime("%Y-%m-%d") for d in frame["day"]]


def test_an_ambiguous_date_column_stays_text_unless_told(hyperpipe, tmp_path):
    out, result = load(hyperpipe, tmp_path, "ambiguous_dates.csv")
    assert "could be day-first or month-first" in result.stdout
    rows, types = table(hyperpipe, out)
    assert types["day"] == "TEXT"
    assert [r["day"] for r in rows] == ["03/04/2026", "01/02/2026", "12/11/2026"]
    for flag, expected in (("--day-first", ["2026-04-03", "2026-02-01", "2026-11-12"]),
                           ("--month-first", ["2026-03-04", "2026-01-02", "2026-12-11"])):
        out, _ = load(hyperpipe, tmp_path, "ambiguous_dates.csv", flag)
        rows, types = table(hyperpipe, out)
        assert types["day"] == "DATE"
        assert [r["day"] for r in rows] == expected


def test_conflicting_decimal_marks_are_not_guessed(hyperpipe, tmp_path):
    out, result = load(hyperpipe, tmp_path, "mixed_marks.csv")
    assert "both '.' and ',' are written as decimal marks" in result.stdout
    rows, types = table(hyperpipe, out)
    assert types == {"id": "INTEGER", "amount": "TEXT", "price": "NUMERIC(3,2)"}
    assert [r["amount"] for r in rows] == ["1,5", "3,25"]
    # Said explicitly, the other reading.
    out, _ = load(hyperpipe, tmp_path, "mixed_marks.csv", "--decimal", ",")
    rows, types = table(hyperpipe, out)
    assert types["amount"] == "NUMERIC(3,2)" and types["price"] == "TEXT"


def test_thousands_separators_matching_pandas(hyperpipe, tmp_path):
    out, result = load(hyperpipe, tmp_path, "swiss.csv")
    assert "decimal point, ''' groups thousands" in result.stdout
    rows, _ = table(hyperpipe, out)
    frame = pd.read_csv(DATA / "swiss.csv", thousands="'")
    assert [float(r["amount"]) for r in rows] == list(frame["amount"])

    out, result = load(hyperpipe, tmp_path, "fr_spaces.csv")
    assert "a narrow no-break space groups thousands" in result.stdout
    rows, types = table(hyperpipe, out)
    assert types == {"id": "INTEGER", "montant": "NUMERIC(6,2)", "quantité": "INTEGER"}
    # pandas' C parser takes a one-byte separator only: the narrow no-break space needs its Python one.
    frame = pd.read_csv(DATA / "fr_spaces.csv", sep=";", decimal=",", thousands="\u202f", engine="python")
    assert [float(r["montant"]) for r in rows] == list(frame["montant"])
    assert [r["quantité"] for r in rows] == list(frame["quantité"])


def test_a_value_that_does_not_fit_the_convention_is_located(hyperpipe, tmp_path):
    # The sample says decimal comma; a later "1.5" in the same column is no number in that file.
    lines = ["id;amount"] + [f"{i};{i},25" for i in range(1, 30)] + ["30;1.5"]
    path = tmp_path / "late.csv"
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "late.hyper"
    failed = hyperpipe("load", path, "--out", out, "--sample-rows", "10", "--schema", "amount=numeric(6,2)", check=False)
    assert failed.returncode != 0
    assert "late.csv:31" in failed.stderr and '"1.5"' in failed.stderr and "decimal comma" in failed.stderr, failed.stderr
    assert not out.exists()
    # Inferred, the column is never half-parsed: it is text, every value as written.
    hyperpipe("load", path, "--out", out, "--sample-rows", "10")
    rows, types = table(hyperpipe, out)
    assert types["amount"] == "TEXT" and rows[-1]["amount"] == "1.5" and rows[0]["amount"] == "1,25"


def test_json_keys_that_flatten_to_one_name_are_kept_apart(hyperpipe, tmp_path):
    out, result = load(hyperpipe, tmp_path, "key_collision.json")
    assert '"a.b" names two fields' in result.stdout and 'column "a.b_2"' in result.stdout, result.stdout
    rows, types = table(hyperpipe, out)
    assert set(types) == {"_row_id", "id", "a.b", "a.b_2"}
    assert [(r["a.b"], r["a.b_2"]) for r in rows] == [("dotted", "nested"), (None, "n2")]


def test_xlsx_text_cells_holding_numbers_and_dates_are_typed_when_the_whole_column_agrees(hyperpipe, tmp_path):
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["amount", "day", "paid", "code", "mixed"])
    for amount, day, paid, code, mixed in (("12.50", "2026-12-05", "yes", "12", 5), ("3", "2027-01-31", "no", "007", "x")):
        sheet.append([amount, day, paid, code, mixed])  # strings are written as text cells
    path = tmp_path / "text_cells.xlsx"
    book.save(path)
    out = tmp_path / "text_cells.hyper"
    result = hyperpipe("load", path, "--out", out)
    assert 'column "amount": text cells read as NUMERIC(4,2)' in result.stdout, result.stdout
    rows, types = table(hyperpipe, out, order="amount")
    assert types == {"amount": "NUMERIC(4,2)", "day": "DATE", "paid": "BOOLEAN", "code": "TEXT", "mixed": "TEXT"}
    assert rows == [{"amount": "3.00", "day": "2027-01-31", "paid": False, "code": "007", "mixed": "x"},
                    {"amount": "12.50", "day": "2026-12-05", "paid": True, "code": "12", "mixed": "5"}]
    frame = pd.read_excel(path, dtype=str)
    assert sorted(frame["code"]) == ["007", "12"]  # pandas keeps the text; so do we where a value needs it


def test_a_pipeline_reports_what_it_detected_and_its_keys_win(hyperpipe, tmp_path):
    import shutil
    for name in ("de_excel.csv", "ambiguous_dates.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    (tmp_path / "p.yaml").write_text("""version: 1
sources:
  sales: {type: csv, path: de_excel.csv}
  visits: {type: csv, path: ambiguous_dates.csv, day_first: false}
outputs:
  out:
    file: out.hyper
    tables:
      - {name: Extract.sales, from: sales}
      - {name: Extract.visits, from: visits}
""")
    hyperpipe("run", tmp_path / "p.yaml", "--progress", "never")
    report = json.loads((tmp_path / ".hyperpipe" / "p.last-run.json").read_text())
    notes = {source["name"]: " | ".join(source["notes"]) for source in report["sources"]}
    assert "decimal comma" in notes["sales"] and "Windows-1252" in notes["sales"], notes
    assert 'column "day": dates written mm/dd/yyyy (as set)' in notes["visits"], notes
    types = {t["table"]: {c["name"]: c["type"] for c in t["columns"]}
             for t in json.loads(hyperpipe("inspect", tmp_path / "out.hyper", "--json").stdout)["tables"]}
    assert types["sales"]["amount"] == "NUMERIC(6,2)" and types["visits"]["day"] == "DATE"
    days = json.loads(hyperpipe("query", tmp_path / "out.hyper", 'SELECT day FROM "Extract".visits ORDER BY id',
                                "--format", "json").stdout)
    assert [d["day"] for d in days] == ["2026-03-04", "2026-01-02", "2026-12-11"]


def test_xlsx_text_cells_in_a_regional_format(hyperpipe, tmp_path):
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "betrag", "datum"])
    for row in ((1, "1.234,50", "25.12.2026"), (2, "3,10", "01.02.2027"), (3, "(7,00)", "5.3.2027")):
        sheet.append(list(row))
    path = tmp_path / "de.xlsx"
    book.save(path)
    out = tmp_path / "de.hyper"
    result = hyperpipe("load", path, "--out", out)
    assert "decimal comma" in result.stdout and 'column "datum": dates written dd.mm.yyyy' in result.stdout, result.stdout
    rows, types = table(hyperpipe, out)
    assert types == {"id": "INTEGER", "betrag": "NUMERIC(6,2)", "datum": "DATE"}
    assert [(r["betrag"], r["datum"]) for r in rows] == [("1234.50", "2026-12-25"), ("3.10", "2027-02-01"),
                                                        ("-7.00", "2027-03-05")]


def test_booleans_only_when_the_whole_column_agrees(hyperpipe, tmp_path):
    path = tmp_path / "flags.csv"
    path.write_text("id,active,paid,ok,count,mixed\n" + "".join(
        f"{i},{i % 2},{'yes' if i % 3 else 'no'},{'Y' if i % 2 else 'N'},{i % 3},{'yes' if i % 2 else 'true'}\n"
        for i in range(1, 7)))
    out = tmp_path / "flags.hyper"
    hyperpipe("load", path, "--out", out)
    rows, types = table(hyperpipe, out)
    # 0/1 stays a number (as in pandas): a count must not become a flag on a quiet day.
    assert types == {"id": "INTEGER", "active": "INTEGER", "paid": "BOOLEAN", "ok": "BOOLEAN", "count": "INTEGER",
                     "mixed": "TEXT"}
    assert [(r["active"], r["paid"], r["ok"], r["count"]) for r in rows[:3]] == [
        (1, True, True, 1), (0, True, False, 2), (1, False, True, 0)]
    # Declared boolean, 1 and 0 read as true and false.
    hyperpipe("load", path, "--out", out, "--schema", "active=bool")
    rows, types = table(hyperpipe, out)
    assert types["active"] == "BOOLEAN" and [r["active"] for r in rows[:2]] == [True, False]
    frame = pd.read_csv(path, true_values=["yes", "Y"], false_values=["no", "N"])
    assert [r["paid"] for r in rows] == list(frame["paid"]) and [r["ok"] for r in rows] == list(frame["ok"])
