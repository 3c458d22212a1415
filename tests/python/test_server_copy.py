"""hyperd copying a plain CSV file itself (issue #16's fast path): every value, type, count and
note must be what hyperpipe's own reader gives (`--no-server-copy`), and any doubt the check
finds — early, late, after hyperd has finished — must leave nothing of hyperd's copy behind."""
import gzip
import json
import random
import re

import pytest
from tableauhyperapi import Connection

COPIED = "copied by hyperd itself"
COUNTS = re.compile(r"(\d+) read, (\d+) loaded, (\d+) rejected")
TRIED = "read by hyperpipe after hyperd's own COPY was tried: "


def rows_and_types(hyperpipe, hyper_process, path):
    report = json.loads(hyperpipe("inspect", path, "--json").stdout)
    types = [(c["name"], c["type"]) for t in report["tables"] for c in t["columns"]]
    with Connection(hyper_process.endpoint, str(path)) as connection:
        rows = connection.execute_list_query('SELECT * FROM "Extract"."Extract" ORDER BY 1, 2')
    return rows, types


def load_both(hyperpipe, hyper_process, tmp_path, csv, *args):
    """The file loaded by default and by hyperpipe's reader alone: same rows, types and counts."""
    fast = hyperpipe("load", csv, "--out", tmp_path / "fast.hyper", *args)
    slow = hyperpipe("load", csv, "--out", tmp_path / "slow.hyper", "--no-server-copy", *args)
    assert COPIED not in slow.stdout and TRIED not in slow.stdout
    assert rows_and_types(hyperpipe, hyper_process, tmp_path / "fast.hyper") == \
        rows_and_types(hyperpipe, hyper_process, tmp_path / "slow.hyper")
    assert COUNTS.findall(fast.stdout) == COUNTS.findall(slow.stdout) != []
    return fast.stdout


def plain_rows(count, seed=16):
    """Growing ids, amounts, dates and times in every plain form, text with the CSV's hard parts
    (quotes, delimiters, line breaks, UTF-8, empty strings) and NULLs in every column."""
    rng = random.Random(seed)
    notes = ['plain', '"with ""quotes"""', '"a, b"', '"two\nlines"', '"crlf\r\ninside"', 'Zürich ✓', '""', '']
    rows = []
    for i in range(count):
        amount = f"{rng.randint(-99999, 99999)}.{rng.randint(0, 99):02d}"
        day = f"{rng.randint(1, 9999):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        seen = f"2024-02-29{rng.choice(' T')}{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}" + \
            rng.choice(["", ".5", ".123456", ".000001"])
        flag = rng.choice(["true", "false", "TRUE", "False"])
        big = rng.choice([str(i * 7919), "-9223372036854775808", "9223372036854775807", "0", "-0"])
        quoted_number = f'"{i}"' if i % 97 == 0 else str(i)
        fields = [quoted_number, big, amount, day, seen, flag, rng.choice(notes)]
        if i % 13 == 5:
            fields[rng.randint(1, 5)] = ""  # NULL
        rows.append(",".join(fields))
    return rows


def write(path, rows, newline="\n"):
    path.write_bytes(("id,big,amount,day,seen,flag,note" + newline + newline.join(rows) + newline).encode())
    return path


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_plain_file_is_copied_by_hyperd_and_reads_alike(hyperpipe, hyper_process, tmp_path, newline):
    csv = write(tmp_path / "plain.csv", plain_rows(30000), newline)
    out = load_both(hyperpipe, hyper_process, tmp_path, csv)
    assert COPIED in out, out
    assert "30000 read, 30000 loaded, 0 rejected" in out
    rows, types = rows_and_types(hyperpipe, hyper_process, tmp_path / "fast.hyper")
    assert types == [("id", "INTEGER"), ("big", "BIGINT"), ("amount", "NUMERIC(7,2)"), ("day", "DATE"),
                     ("seen", "TIMESTAMP"), ("flag", "BOOLEAN"), ("note", "TEXT")]
    notes = {row[6] for row in rows}
    assert {'with "quotes"', "a, b", "two\nlines", "crlf\r\ninside", "Zürich ✓", "", None} <= notes


DOUBTS = [
    ("", "a blank line"),
    ('{i},1,1.00,2024-01-05,2024-01-05 10:11:12,true,"x"y', "text after a closing quote"),
    ('{i},+1,1.00,2024-01-05,2024-01-05 10:11:12,true,x', '"+1" in column 2 (BIGINT)'),
]
# A quoted "" in a DATE column: not at the end, which is a type sample (there it makes the column TEXT).
QUOTED_EMPTY = ('{i},1,1.00,"",2024-01-05 10:11:12,true,x', "a quoted empty value in column 4")


@pytest.mark.parametrize("doubt, line_text, where", [(*d, w) for d in DOUBTS for w in ("early", "late", "last")] +
                         [(*QUOTED_EMPTY, w) for w in ("early", "late")])
def test_a_doubt_anywhere_leaves_nothing_of_hyperds_copy(hyperpipe, hyper_process, tmp_path, doubt, line_text, where):
    rows = plain_rows(200000)
    # Past the first rows' type sample (10000 rows), before the end's (its last MiB), and last.
    at = {"early": 12000, "late": 150000, "last": len(rows)}[where]
    rows.insert(at, doubt.format(i=len(rows) + 1))
    csv = write(tmp_path / "doubt.csv", rows)
    out = load_both(hyperpipe, hyper_process, tmp_path, csv)
    assert COPIED not in out
    if doubt == "" and where == "last":
        # A file that ends with a blank line is known before copying: hyperd is not asked, though
        # the same file without it is hyperd's to copy.
        assert TRIED not in out, out
        csv.write_bytes(csv.read_bytes()[:-1])
        assert COPIED in hyperpipe("load", csv, "--out", tmp_path / "without.hyper").stdout
        return
    note = out.split(TRIED, 1)[1]
    line = 2 + sum(row.count("\n") + 1 for row in rows[:at])  # the header is line 1; notes span lines
    assert note.startswith(f"line {line}: {line_text}"), note[:200]


def test_a_wider_value_midway_is_widened_as_before(hyperpipe, hyper_process, tmp_path):
    rows = plain_rows(50000)
    rows[25000] = rows[25000].replace(rows[25000].split(",")[2], "123456789.12", 1)  # amount past NUMERIC(7,2)
    csv = write(tmp_path / "wide.csv", rows)
    out = load_both(hyperpipe, hyper_process, tmp_path, csv)
    assert "values beyond the first" in out and "inferred from every row" in out, out
    # The doubt was the wider value itself: straight to the wider types, then copied by hyperd.
    assert TRIED not in out and COPIED in out, out
    _, types = rows_and_types(hyperpipe, hyper_process, tmp_path / "fast.hyper")
    assert ("amount", "NUMERIC(11,2)") in types


def test_append_and_rejects_keep_their_accounting(hyperpipe, hyper_process, tmp_path):
    csv = write(tmp_path / "plain.csv", plain_rows(5000))
    out = tmp_path / "appended.hyper"
    first = hyperpipe("load", csv, "--out", out)
    second = hyperpipe("load", csv, "--out", out, "--mode", "append")
    assert COPIED in first.stdout and COPIED in second.stdout
    with Connection(hyper_process.endpoint, str(out)) as connection:
        assert connection.execute_scalar_query('SELECT COUNT(*) FROM "Extract"."Extract"') == 10000
        assert connection.execute_scalar_query('SELECT COUNT(DISTINCT id) FROM "Extract"."Extract"') == 5000
    # A bad row: hyperd's copy is not kept; hyperpipe's reader sets the row aside, and counts add up.
    rows = plain_rows(40000)
    rows[12000] = "12001,1,1.00,2024-13-45,2024-01-05 10:11:12,true,x"  # a declared DATE: rejected
    bad = write(tmp_path / "bad.csv", rows)
    rejected = hyperpipe("load", bad, "--out", tmp_path / "bad.hyper", "--schema", "day=date",
                         "--on-error", f"reject={tmp_path / 'rejects.csv'}")
    assert "40000 read, 39999 loaded, 1 rejected" in rejected.stdout
    assert TRIED + f"line {2 + sum(row.count(chr(10)) + 1 for row in rows[:12000])}:" in rejected.stdout
    assert "2024-13-45" in (tmp_path / "rejects.csv").read_text()


def test_marks_at_the_start_and_mixed_line_ends(hyperpipe, hyper_process, tmp_path):
    rows = plain_rows(3000)
    # Excel's "CSV UTF-8": a byte-order mark on the header line, which hyperd skips with it.
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + write(tmp_path / "plain.csv", rows).read_bytes())
    assert COPIED in load_both(hyperpipe, hyper_process, tmp_path, bom)
    # Line ends that change from one line to the next.
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(("id,big,amount,day,seen,flag,note\n" +
                       "".join(row + ("\r\n" if i % 2 else "\n") for i, row in enumerate(rows))).encode())
    assert COPIED in load_both(hyperpipe, hyper_process, tmp_path, mixed)
    # gzip is hyperpipe's to read: hyperd is not asked.
    packed = tmp_path / "plain.csv.gz"
    packed.write_bytes(gzip.compress((tmp_path / "plain.csv").read_bytes()))
    out = load_both(hyperpipe, hyper_process, tmp_path, packed)
    assert COPIED not in out and TRIED not in out


def test_a_pipeline_source_can_turn_hyperds_copy_off(hyperpipe, hyper_process, tmp_path):
    write(tmp_path / "plain.csv", plain_rows(20000))
    results = {}
    for server_copy in ("true", "false"):
        pipeline = tmp_path / f"copy_{server_copy}.yaml"
        pipeline.write_text(f"""
version: 1
name: copy_{server_copy}
sources:
  plain: {{type: csv, path: plain.csv, server_copy: {server_copy}}}
outputs:
  out:
    file: out_{server_copy}.hyper
    tables:
      - {{name: Extract.Extract, from: plain}}
""")
        hyperpipe("run", pipeline, "--progress", "never")
        report = json.loads((tmp_path / ".hyperpipe" / f"copy_{server_copy}.last-run.json").read_text())
        notes = json.dumps(report)
        results[server_copy] = rows_and_types(hyperpipe, hyper_process, tmp_path / f"out_{server_copy}.hyper")
        assert (COPIED in notes) == (server_copy == "true"), notes
        assert TRIED not in notes
    assert results["true"] == results["false"]
    assert len(results["true"][0]) == 20000
