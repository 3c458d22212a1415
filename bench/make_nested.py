"""Inputs for issue #3 benchmarks (b) and (c), deterministic:

    python bench/make_nested.py ndjson --rows 1000000 --out bench/results/nested.ndjson
    python bench/make_nested.py xlsx --rows 200000 --out bench/results/sheet.xlsx

NDJSON records nest two levels (video -> snippet -> channel, plus statistics), like an API
payload; the sheet has 10 columns of numbers, text, dates and booleans."""
import argparse
import datetime
import json
import random


def ndjson(rows, out):
    rng = random.Random(7)
    with open(out, "w", encoding="utf-8") as f:
        for i in range(rows):
            f.write(json.dumps({
                "id": f"v{i:07d}",
                "snippet": {"title": f"Video {i}", "publishedAt": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00Z",
                            "channel": {"id": f"c{i % 5000}", "name": f"Channel {i % 5000}"}},
                "statistics": {"views": rng.randrange(10_000_000), "likes": rng.randrange(100_000),
                               "ratio": round(rng.random(), 6)},
                "live": i % 7 == 0,
            }, separators=(",", ":")) + "\n")


def xlsx(rows, out):
    from openpyxl import Workbook
    rng = random.Random(11)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    sheet.append(["id", "name", "city", "amount", "ratio", "qty", "day", "at", "flag", "code"])
    base = datetime.datetime(2020, 1, 1)
    for i in range(rows):
        sheet.append([i, f"name {i % 1000}", ["Brussels", "Zürich", "Lima"][i % 3], rng.randrange(100000) / 100,
                      rng.random(), rng.randrange(100), (base + datetime.timedelta(days=i % 1500)).date(),
                      base + datetime.timedelta(seconds=i * 37), i % 2 == 0, f"C{i % 97}"])
    workbook.save(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["ndjson", "xlsx"])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    (ndjson if args.kind == "ndjson" else xlsx)(args.rows, args.out)


if __name__ == "__main__":
    main()
