"""The web API of the issue #6 benchmark: N records in pages of P, served from memory.

    python bench/api_server.py --records 1000000 --page-size 1000 [--port 0]

GET /v1/videos?page=K&per_page=P answers {"page":K,"items":[...]} (an empty list past the end);
records look like an API's (nested snippet and statistics). Pages are rendered once at start,
so the server's own cost per request is a memory copy. Prints "listening on URL"."""
import argparse
import json
import random
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def render(records, page_size):
    rng = random.Random(6)
    pages = []
    for start in range(0, records, page_size):
        items = []
        for i in range(start, min(records, start + page_size)):
            items.append({"id": f"v{i:08d}",
                          "snippet": {"title": f"Video {i}", "publishedAt": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
                                      "channelId": f"c{i % 5000}"},
                          "statistics": {"viewCount": rng.randrange(10_000_000), "likeCount": rng.randrange(100_000)},
                          "live": i % 7 == 0})
        pages.append(json.dumps({"page": len(pages) + 1, "items": items}, separators=(",", ":")).encode())
    return pages


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    pages = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        query = parse_qs(urlparse(self.path).query)
        page = int(query.get("page", ["1"])[0])
        body = self.pages[page - 1] if 1 <= page <= len(self.pages) else b'{"page":%d,"items":[]}' % page
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    Handler.pages = render(args.records, args.page_size)
    ThreadingHTTPServer.request_queue_size = 128  # many requests in flight: no dropped connects
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
