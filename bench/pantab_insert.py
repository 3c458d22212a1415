"""pantab side of the insert benchmark (issue #2): the same rows as bench/bench_data.cpp, built
as a pandas DataFrame (Arrow-backed columns, pantab's fastest input) and written with
pantab.frame_to_hyper. Prints one JSON object like insert_bench does.

    python bench/pantab_insert.py --rows N --out FILE
"""
import argparse
import json
import resource
import time

import numpy as np
import pandas as pd
import pantab
import pyarrow as pa
import pyarrow.compute as pc


def bench_frame(rows: int) -> pd.DataFrame:
    i = np.arange(rows, dtype=np.int64)
    null_column = i % 17  # row i has NULL in column k (1-based) when i % 17 == k

    def masked(values, k, type_):
        return pa.array(values, type=type_, mask=(null_column == k))

    text = pc.binary_join_element_wise("name-", pc.cast(pa.array(i % 100_000), pa.string()), "")
    text = pc.if_else(pa.array(null_column == 4), pa.scalar(None, pa.string()), text)
    table = pa.table({
        "i": masked((i % 1_000_000).astype(np.int32), 1, pa.int32()),
        "b": masked(i * 1_000_003, 2, pa.int64()),
        "d": masked(i.astype(np.float64) * 0.25, 3, pa.float64()),
        "s": text,
        "dt": masked((10_957 + i % 10_000).astype(np.int32), 5, pa.date32()),
        "ts": masked(946_684_800_000_000 + i * 1_000_003, 6, pa.timestamp("us")),
    })
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    frame = bench_frame(args.rows)
    generated = time.perf_counter()
    pantab.frame_to_hyper(frame, args.out, table=("Extract", "Extract"))
    done = time.perf_counter()
    print(json.dumps({
        "mode": "pantab", "rows": args.rows, "generate_seconds": round(generated - started, 4),
        "load_seconds": round(done - generated, 4), "rows_per_second": round(args.rows / (done - generated)),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
