"""`hyperpipe load` on CSV/TXT fixtures (tests/data/csv): exact values, types, counts and error
texts, and agreement with pandas + pantab on clean files."""
import json
import pathlib

import pandas as pd
import pantab
import pytest
from tableauhyperapi import Connection
from conftest import error_lines  # noqa: E402

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "csv"


def load(hyperpipe, tmp_path, *files, args=(), check=True):
    out = tmp_path / "out.hyper"
    result = hyperpipe("load", *[DATA / f for f in files], "--out", out, *args, check=check)
    return out, result


def table(hyperpipe, path, name='"Extract"."Extract"', order="1"):
    rows = json.loads(hyperpipe("query", path, f"SELECT * FROM {name} ORDER BY {order}", "--format", "json").stdout)
    report = json.loads(hyperpipe("inspect", path, "--json").stdout)
    types = {t["table"]: {c["name"]: c["type"] for c in t["columns"]} for t in report["tables"]}
    return rows, types


def test_clean_mixed_types_and_values(hyperpipe, tmp_path):
    out, result = load(hyperpipe, tmp_path, "clean_mixed.csv")
    assert "4 read, 4 loaded, 0 rejected" in result.stdout
    rows, types = table(hyperpipe, out)
    assert types["Extract"] == {"id": "INTEGER", "name": "TEXT", "amount": "NUMERIC(4,2)", "ratio": "NUMERIC(6,3)",
                                "day": "DATE", "seen_at": "TIMESTAMP", "active": "BOOLEAN", "code": "TEXT"}
    assert rows[3] == {"id": 4, "name": "Smith, J.", "amount": "0.00", "ratio": "100.000", "day": "1969-07-20",
                       "seen_at": "1969-07-20 20:17:40", "active": False, "code": "D4"}
    assert rows[1]["seen_at"] == "2023-12-31 23:59:59.5"
    assert rows[2]["name"] == "Zoë"


def test_clean_file_matches_pandas_and_pantab(hyperpipe, tmp_path, hyper_process):
    out, _ = load(hyperpipe, tmp_path, "clean_mixed.csv")
    frame = pd.read_csv(DATA / "clean_mixed.csv")
    for column in ("day", "seen_at"):
        frame[column] = pd.to_datetime(frame[column], format="ISO8601")
    pantab_out = tmp_path / "pantab.hyper"
    pantab.frame_to_hyper(frame, pantab_out, table=("Extract", "Extract"))
    # Where the types differ by design (docs/types.md: exact NUMERIC instead of float64, DATE
    # instead of a midnight timestamp), compare through the common type.
    casts = {"amount": "DOUBLE PRECISION", "ratio": "DOUBLE PRECISION", "day": "DATE"}
    columns = ", ".join(f'CAST("{c}" AS {casts[c]})' if c in casts else f'"{c}"' for c in frame.columns)
    query = f'SELECT {columns} FROM "Extract"."Extract" ORDER BY id'
    with Connection(hyper_process.endpoint, str(out)) as ours, Connection(hyper_process.endpoint, str(pantab_out)) as theirs:
        assert ours.execute_list_query(query) == theirs.execute_list_query(query)


def test_semicolons_without_header(hyperpipe, tmp_path):
    out, result = load(hyperpipe, tmp_path, "semicolon_no_header.txt")
    assert "delimiter ';', no header row" in result.stdout
    rows, types = table(hyperpipe, out)
    assert types["Extract"] == {"column_1": "INTEGER", "column_2": "TEXT", "column_3": "NUMERIC(3,2)"}
    assert [r["column_2"] for r in rows] == ["alpha", "beta", "gamma"]


def test_tabs_with_quoted_tabs_and_newlines(hyperpipe, tmp_path):
    out, _ = load(hyperpipe, tmp_path, "tabs_quoted.tsv")
    rows, _ = table(hyperpipe, out, order="b")
    assert rows == [{"a": "x\ty", "b": 1}, {"a": "line\nbreak", "b": 2}]


def test_offsets_become_utc(hyperpipe, tmp_path):
    out, _ = load(hyperpipe, tmp_path, "offsets.csv")
    rows, types = table(hyperpipe, out, order="at")
    assert types["Extract"]["at"] == "TIMESTAMP WITH TIME ZONE"
    assert [r["at"] for r in rows] == ["2024-03-31 00:00:00+00", "2024-03-31 00:30:00+00", "2024-03-31 01:30:00+00"]


@pytest.mark.parametrize("name, args", [("utf8_bom.csv", ()), ("utf16le_bom.csv", ()),
                                        ("latin1.csv", ("--encoding", "latin1"))])
def test_encodings(hyperpipe, tmp_path, name, args):
    out, _ = load(hyperpipe, tmp_path, name, args=args)
    rows, types = table(hyperpipe, out, order="n")
    assert list(types["Extract"]) == ["name", "n"]  # no BOM glued to the first name
    expected = {"utf8_bom.csv": ["Élodie"], "utf16le_bom.csv": ["Élodie", "東京"], "latin1.csv": ["José", "François"]}
    assert [r["name"] for r in rows] == expected[name]


def test_latin1_without_the_option_is_read_as_windows_1252_and_said(hyperpipe, tmp_path):
    # Issue #19: not UTF-8 but every byte Windows-1252 text: read so (its superset of Latin-1
    # letters), with a note; the values are those --encoding latin1 gives.
    out, result = load(hyperpipe, tmp_path, "latin1.csv")
    assert "not UTF-8: read as Windows-1252" in result.stdout
    auto_rows, _ = table(hyperpipe, out)
    out, _ = load(hyperpipe, tmp_path, "latin1.csv", args=("--encoding", "latin1"))
    assert auto_rows == table(hyperpipe, out)[0]


def test_damaged_utf8_is_a_clear_error_not_a_guess(hyperpipe, tmp_path):
    # One valid UTF-8 character makes the file UTF-8: its bad bytes are errors, never re-read.
    path = tmp_path / "damaged.csv"
    path.write_bytes("name\nZoë\n".encode("utf-8") + b"Jos\xe9\n")
    out = tmp_path / "out.hyper"
    result = hyperpipe("load", path, "--out", out, check=False)
    assert result.returncode == 6
    assert 'damaged.csv:3: column "name" (TEXT): invalid UTF-8: "Jos\\xE9"' in result.stderr, result.stderr
    assert "--encoding" in result.stderr


def test_gzip(hyperpipe, tmp_path):
    out, result = load(hyperpipe, tmp_path, "gzipped.csv.gz")
    assert "3 read, 3 loaded" in result.stdout
    rows, _ = table(hyperpipe, out)
    assert [r["v"] for r in rows] == ["a", "b", "c"]


def test_truncated_gzip(hyperpipe, tmp_path):
    _, result = load(hyperpipe, tmp_path, "truncated.csv.gz", check=False)
    assert result.returncode == 6
    assert f'{DATA / "truncated.csv.gz"}: the gzip data is truncated' in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_ragged_rows_fail_by_default_and_leave_nothing(hyperpipe, tmp_path):
    _, result = load(hyperpipe, tmp_path, "ragged.csv", check=False)
    assert result.returncode == 6
    assert error_lines(result.stderr)[0] == f"hyperpipe: error: {DATA / 'ragged.csv'}:3: expected 3 fields, found 2"
    assert list(tmp_path.iterdir()) == []


def test_ragged_rows_rejected_with_accounting(hyperpipe, tmp_path):
    rejects = tmp_path / "rejects.csv"
    out, result = load(hyperpipe, tmp_path, "ragged.csv", args=("--on-error", f"reject={rejects}"))
    assert "4 read, 2 loaded, 2 rejected" in result.stdout
    lines = rejects.read_text().splitlines()
    assert lines == ["source,line,reason,fields...",
                     f'"{DATA / "ragged.csv"}",3,"expected 3 fields, found 2","4","5"',
                     f'"{DATA / "ragged.csv"}",5,"expected 3 fields, found 4","9","10","11","12"']
    rows, _ = table(hyperpipe, out)
    assert [r["a"] for r in rows] == [1, 6]


def test_unterminated_quote(hyperpipe, tmp_path):
    _, result = load(hyperpipe, tmp_path, "unterminated_quote.csv", check=False)
    assert result.returncode == 6
    assert (f"{DATA / 'unterminated_quote.csv'}:4: unterminated quoted field (the quote opened on line 2 is never closed)"
            in result.stderr)


def test_invalid_utf8_rejected(hyperpipe, tmp_path):
    rejects = tmp_path / "r.csv"
    _, result = load(hyperpipe, tmp_path, "invalid_utf8.csv", args=("--on-error", f"reject={rejects}"))
    assert "2 read, 1 loaded, 1 rejected" in result.stdout
    content = rejects.read_bytes()
    assert b'invalid UTF-8: ""bad\\xFF\\xFE""' in content
    assert b'"bad\xff\xfe","2"' in content  # the row itself is kept byte for byte


def test_override_wins_and_bad_values_are_named(hyperpipe, tmp_path):
    _, result = load(hyperpipe, tmp_path, "bad_value_for_override.csv", args=("--schema", "price=numeric(10,2)"),
                     check=False)
    assert result.returncode == 6
    assert error_lines(result.stderr)[0] == (f"hyperpipe: error: {DATA / 'bad_value_for_override.csv'}:3: "
                                             'column "price" (NUMERIC(10,2)): "abc" is not a decimal number')
    out, _ = load(hyperpipe, tmp_path, "bad_value_for_override.csv", args=("--schema", "price=text,id=bigint"))
    _, types = table(hyperpipe, out)
    assert types["Extract"] == {"id": "BIGINT", "price": "TEXT"}


def test_schema_override_for_a_missing_column(hyperpipe, tmp_path):
    _, result = load(hyperpipe, tmp_path, "union_a.csv", args=("--schema", "nope=int"), check=False)
    assert result.returncode == 2
    assert '--schema names column "nope", which no input file has' in result.stderr


@pytest.mark.parametrize("name, message", [("empty.csv", "the file is empty"),
                                           ("header_only.csv", "has a header but no data rows")])
def test_empty_inputs(hyperpipe, tmp_path, name, message):
    _, result = load(hyperpipe, tmp_path, name, check=False)
    assert result.returncode == 6
    assert f"{DATA / name}: {message}" in result.stderr


def test_blank_and_duplicate_names_are_made_unique_and_said(hyperpipe, tmp_path):
    out, result = load(hyperpipe, tmp_path, "names.csv")
    assert 'column 2 has no name; named it "column_2"' in result.stdout
    assert 'column 3 repeats the name "id"; named it "id_2"' in result.stdout
    assert 'column 4 has no name; named it "column_4"' in result.stdout
    _, types = table(hyperpipe, out)
    assert list(types["Extract"]) == ["id", "column_2", "id_2", "column_4"]


def test_widening_beyond_the_sample(hyperpipe, tmp_path):
    out, result = load(hyperpipe, tmp_path, "late_text.csv", args=("--sample-rows", "5"))
    assert "types were inferred from every row" in result.stdout
    rows, types = table(hyperpipe, out, order="n")
    assert types["Extract"] == {"n": "TEXT"}
    assert len(rows) == 21 and {"n": "twenty"} in rows and {"n": "7"} in rows


def test_nulls_and_quoted_empty_strings(hyperpipe, tmp_path):
    out, _ = load(hyperpipe, tmp_path, "nulls.csv", args=("--null", "NA"))
    rows, types = table(hyperpipe, out)
    assert types["Extract"] == {"id": "INTEGER", "t": "TEXT", "n": "INTEGER"}
    assert rows == [{"id": 1, "t": "", "n": None}, {"id": 2, "t": None, "n": 5}, {"id": 3, "t": None, "n": None}]


def test_codes_keep_leading_zeros(hyperpipe, tmp_path):
    out, _ = load(hyperpipe, tmp_path, "codes.csv")
    rows, types = table(hyperpipe, out, order="n")
    assert types["Extract"]["zip"] == "TEXT"
    assert [r["zip"] for r in rows] == ["02134", "10001"]


def test_date_formats(hyperpipe, tmp_path):
    out, _ = load(hyperpipe, tmp_path, "dmy_dates.csv", args=("--date-format", "%d/%m/%Y"))
    rows, types = table(hyperpipe, out)
    assert types["Extract"]["d"] == "DATE"
    assert [r["d"] for r in rows] == ["2024-01-31", "2024-02-29"]


def test_union_widens_across_files_and_table_per_file(hyperpipe, tmp_path):
    out, result = load(hyperpipe, tmp_path, "union_a.csv", "union_b.csv", args=("--table", "Sales.all"))
    rows, types = table(hyperpipe, out, name='"Sales"."all"')
    assert types["all"] == {"id": "INTEGER", "v": "NUMERIC(3,1)"}
    assert [r["v"] for r in rows] == ["10.0", "20.0", "30.5", "40.0"]
    out, _ = load(hyperpipe, tmp_path, "union_a.csv", "union_other_header.csv", args=("--table-per-file",))
    _, types = table(hyperpipe, out, name='"Extract"."union_a"')
    assert set(types) == {"union_a", "union_other_header"}


def test_union_with_different_headers_is_refused(hyperpipe, tmp_path):
    _, result = load(hyperpipe, tmp_path, "union_a.csv", "union_other_header.csv", check=False)
    assert result.returncode == 6
    assert "has columns (id, w) but" in result.stderr and "--table-per-file" in result.stderr


def test_append_mode_checks_the_schema(hyperpipe, tmp_path):
    out, _ = load(hyperpipe, tmp_path, "union_a.csv")
    hyperpipe("load", DATA / "union_a.csv", "--out", out, "--mode", "append")
    rows, _ = table(hyperpipe, out)
    assert len(rows) == 4
    result = hyperpipe("load", DATA / "union_b.csv", "--out", out, "--mode", "append", check=False)
    assert result.returncode == 6
    assert 'column "v" is INTEGER in the existing table but NUMERIC(3,1) in the new data' in result.stderr
    rows, _ = table(hyperpipe, out)
    assert len(rows) == 4  # the failed append changed nothing


def test_glob_pattern(hyperpipe, tmp_path):
    out = tmp_path / "g.hyper"
    result = hyperpipe("load", str(DATA / "union_[ab].csv"), "--out", out)
    assert "total: 2 files, 4 read, 4 loaded, 0 rejected" in result.stdout
