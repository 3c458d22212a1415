"""The pandas side of issue #3 benchmark (b): NDJSON records flattened with
pandas.json_normalize and written with pantab.

    python bench/pandas_json.py FILE.ndjson OUT.hyper
"""
import json
import sys
import time

import pandas as pd
import pantab


def main():
    source, out = sys.argv[1], sys.argv[2]
    started = time.perf_counter()
    with open(source, encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    frame = pd.json_normalize(records)
    frame["snippet.publishedAt"] = pd.to_datetime(frame["snippet.publishedAt"], format="ISO8601")
    read = time.perf_counter()
    pantab.frame_to_hyper(frame, out, table=("Extract", "Extract"))
    print(json.dumps({"mode": "pandas json_normalize + pantab", "rows": len(frame),
                      "read_seconds": round(read - started, 3), "write_seconds": round(time.perf_counter() - read, 3)}))


if __name__ == "__main__":
    main()
