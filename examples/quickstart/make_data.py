"""Writes the quickstart's input data (run once; the outputs are committed).

The scenario: an analyst tracks popular YouTube videos on two topics, "data science" and
"data engineering". Video listings come from a web API (served offline by
tests/doubles/example_api.py from data/api_videos.json), channel details from a CSV export,
and view statistics from an Excel workbook someone maintains by hand.
"""
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent / "data"
rng = random.Random(20261125)

channels = [
    ("UC" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") for _ in range(22)), name, country)
    for name, country in [("Data School", "US"), ("StatQuest", "US"), ("Seattle Data Guy", "US"), ("Alex The Analyst", "US"),
                          ("Ken Jee", "US"), ("Krish Naik", "IN"), ("codebasics", "IN"), ("Luke Barousse", "US"),
                          ("Datenwissen", "DE"), ("Café Données", "FR"), ("Zach Wilson", "US"), ("Data Engineering Zoomcamp", "DE")]
]
topics = {"data science": ["pandas", "statistics", "machine learning", "SQL", "visualisation", "Python"],
          "data engineering": ["Airflow", "dbt", "Spark", "Kafka", "data modelling", "pipelines"]}
start = datetime(2024, 1, 1, tzinfo=timezone.utc)

videos = {}
stats = []
for topic, words in topics.items():
    items = []
    for i in range(120):
        channel = rng.choice(channels)
        video_id = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") for _ in range(11))
        published = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 600))
        title = f"{rng.choice(words)} {rng.choice(['in 10 minutes', 'explained', 'for beginners', 'deep dive', '— full course', 'tips'])}"
        items.append({
            "kind": "youtube#searchResult",
            "id": {"kind": "youtube#video", "videoId": video_id},
            "snippet": {
                "publishedAt": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "channelId": channel[0],
                "title": title,
                "description": f"A video about {topic}: {title}.",
                "channelTitle": channel[1],
                "liveBroadcastContent": "none",
            },
        })
        views = int(rng.lognormvariate(11, 1.3))
        stats.append((video_id, views, int(views * rng.uniform(0.01, 0.06)), int(views * rng.uniform(0.001, 0.01))))
    items.sort(key=lambda v: v["snippet"]["publishedAt"], reverse=True)
    videos[topic] = items

(HERE / "api_videos.json").write_text(json.dumps(videos, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

with open(HERE / "channels.csv", "w", encoding="utf-8", newline="") as out:
    out.write("channel_id,channel_name,country,subscribers,joined\n")
    for channel_id, name, country in channels:
        name_field = f'"{name}"' if "," in name else name
        out.write(f"{channel_id},{name_field},{country},{int(rng.lognormvariate(12, 1))},{(start - timedelta(days=rng.randrange(300, 4000))).date()}\n")

book = openpyxl.Workbook()
sheet = book.active
sheet.title = "Statistics"
sheet.append(["video_id", "views", "likes", "comments", "checked_on"])
for row in stats:
    sheet.append([*row, (start + timedelta(days=700)).date()])
book.save(HERE / "video_stats.xlsx")
print(f"wrote {len(channels)} channels, {sum(len(v) for v in videos.values())} videos, {len(stats)} statistics rows")
