"""The Python glue the issue #5 benchmark compares with: the same pipeline as
bench/pipeline_bench.yaml written the way people do it today: pandas reads the three inputs,
merges, pantab.frames_to_hyper writes two extracts, tableauserverclient publishes both.

    python bench/pandas_pipeline.py BENCH_DIR SERVER_URL   (PAT from HYPERPIPE_TABLEAU_TOKEN_NAME/_SECRET)
"""
import json
import os
import sys
import time
from pathlib import Path

import pandas as pd
import pantab
import tableauserverclient as TSC


def main():
    folder, url = Path(sys.argv[1]), sys.argv[2]
    out = folder / "out_pandas"
    out.mkdir(exist_ok=True)
    started = time.perf_counter()
    orders = pd.read_csv(folder / "mixed.csv", parse_dates=["day", "seen_at"], dtype={"code": "string", "name": "string",
                                                                                    "city": "string", "note": "string"})
    with open(folder / "nested_500k.ndjson", encoding="utf-8") as f:
        videos = pd.json_normalize([json.loads(line) for line in f if line.strip()])
    videos["snippet.publishedAt"] = pd.to_datetime(videos["snippet.publishedAt"], format="ISO8601")
    sheet = pd.read_excel(folder / "sheet_50k.xlsx", engine="openpyxl")
    read = time.perf_counter()
    joined = orders.merge(sheet[["id", "name", "amount", "day"]].rename(
        columns={"name": "sheet_name", "amount": "sheet_amount", "day": "sheet_day"}), on="id", how="left")
    pantab.frames_to_hyper({("Extract", "Extract"): joined}, out / "orders.hyper")
    pantab.frames_to_hyper({("Extract", "Extract"): videos}, out / "videos.hyper")
    written = time.perf_counter()
    server = TSC.Server(url, use_server_version=True)
    server.auth.sign_in(TSC.PersonalAccessTokenAuth(os.environ["HYPERPIPE_TABLEAU_TOKEN_NAME"],
                                                    os.environ["HYPERPIPE_TABLEAU_TOKEN_SECRET"], site_id=""))
    project = next(p for p in TSC.Pager(server.projects) if p.name == "Default")
    for name, file in (("Pandas orders", out / "orders.hyper"), ("Pandas videos", out / "videos.hyper")):
        server.datasources.publish(TSC.DatasourceItem(project.id, name=name), str(file), "Overwrite")
    server.auth.sign_out()
    print(json.dumps({"rows": [len(joined), len(videos)], "read_seconds": round(read - started, 3),
                      "write_seconds": round(written - read, 3),
                      "publish_seconds": round(time.perf_counter() - written, 3)}))


if __name__ == "__main__":
    main()
