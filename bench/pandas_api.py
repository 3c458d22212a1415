"""The Python side of the issue #6 benchmark: the same API read the way people script it —
urllib with 4 requests in flight (concurrent.futures), pandas.json_normalize, pantab.

    python bench/pandas_api.py URL OUT.hyper
"""
import json
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pantab


def page(url, number):
    with urllib.request.urlopen(f"{url}/v1/videos?per_page=1000&page={number}") as answer:
        return json.loads(answer.read())["items"]


def main():
    url, out = sys.argv[1], sys.argv[2]
    records, number = [], 1
    with ThreadPoolExecutor(4) as pool:
        while True:
            pages = list(pool.map(lambda n: page(url, n), range(number, number + 4)))
            for items in pages:
                records.extend(items)
            number += 4
            if any(len(items) < 1000 for items in pages):
                break
    frame = pd.json_normalize(records)
    frame["snippet.publishedAt"] = pd.to_datetime(frame["snippet.publishedAt"], format="ISO8601")
    pantab.frame_to_hyper(frame, out, table=("Extract", "Extract"))
    print(json.dumps({"rows": len(frame)}))


if __name__ == "__main__":
    main()
