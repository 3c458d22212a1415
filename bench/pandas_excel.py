"""The pandas side of issue #3 benchmark (c): pandas.read_excel (openpyxl) + pantab.

    python bench/pandas_excel.py FILE.xlsx OUT.hyper
"""
import json
import sys
import time

import pandas as pd
import pantab


def main():
    source, out = sys.argv[1], sys.argv[2]
    started = time.perf_counter()
    frame = pd.read_excel(source, engine="openpyxl")
    read = time.perf_counter()
    pantab.frame_to_hyper(frame, out, table=("Extract", "Extract"))
    print(json.dumps({"mode": "pandas read_excel + pantab", "rows": len(frame),
                      "read_seconds": round(read - started, 3), "write_seconds": round(time.perf_counter() - read, 3)}))


if __name__ == "__main__":
    main()
