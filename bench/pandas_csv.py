"""The pandas + pantab side of the CSV benchmark (issue #3 a): read the CSV with pandas (dates
parsed, so the extract gets the same kinds of columns) and write it with pantab.

    python bench/pandas_csv.py FILE.csv OUT.hyper
"""
import json
import resource
import sys
import time

import pandas as pd
import pantab


def main():
    source, out = sys.argv[1], sys.argv[2]
    started = time.perf_counter()
    frame = pd.read_csv(source)
    for column in ("day", "seen_at"):
        frame[column] = pd.to_datetime(frame[column], format="ISO8601")
    read = time.perf_counter()
    pantab.frame_to_hyper(frame, out, table=("Extract", "Extract"))
    done = time.perf_counter()
    print(json.dumps({"mode": "pandas+pantab", "rows": len(frame), "read_seconds": round(read - started, 3),
                      "write_seconds": round(done - read, 3),
                      "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))


if __name__ == "__main__":
    main()
