"""A local stand-in for a web API shaped like the YouTube Data API v3 (search endpoint).

The quickstart and the tests read "popular videos" from it offline. It answers like the real
API where it matters to a client: GET /youtube/v3/search with q, type, order, maxResults (1-50,
default 5), pageToken and key; a JSON page with kind, etag, nextPageToken (absent on the last
page), pageInfo and items; errors in Google's JSON error shape (400 for a missing or wrong
key, 403 quotaExceeded once the quota is spent, 400 for a bad page token).

Faults for tests, as with tests/doubles/tableau_server.py: POST /_double/faults with a JSON
list; each fault applies to the next matching request(s):
  {"status": 429, "retry_after": 1}    a rate-limit answer with Retry-After
  {"status": 500}                      a server error
  {"html": true}                       an HTML error page with status 200
  {"delay": 2.5}                       answer after 2.5 s
  {"drop": true}                       close the connection without an answer
  {"drift": true}                      the page's records change shape: snippet.channelTitle
                                       becomes a number and snippet.defaultLanguage appears
  "times": N (default 1) repeats a fault; GET /_double/state shows requests served.

Also GET /youtube/v3/videos?part=statistics&id=ID1,ID2,... (up to 50 ids; statistics as the
real API sends them, counts as strings) and, for OAuth2 tests, POST /oauth2/token with client
credentials (HTTP basic) answering a bearer token that /youtube/v3/* accepts instead of a key.

Run: python3 example_api.py [--port 0] [--api-key KEY] [--data FILE] [--quota N]
It prints "listening on http://127.0.0.1:PORT" and serves until killed.
"""
import argparse
import base64
import hashlib
import json
import os
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ThreadingHTTPServer.request_queue_size = 64  # many requests in flight: no dropped connects
from pathlib import Path
from urllib.parse import parse_qs, urlparse

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "examples" / "quickstart" / "data" / "api_videos.json"


class State:
    def __init__(self, api_key, data=DEFAULT_DATA, quota=10_000, clients=None):
        self.api_key = api_key
        self.clients = dict(clients or {})  # OAuth2 client id -> secret
        self.tokens = set()
        self.videos = json.loads(Path(data).read_text(encoding="utf-8"))
        self.quota = quota
        self.faults = []
        self.requests = []
        self.lock = threading.Lock()

    def statistics(self):
        """Per video id: counts as the real API sends them (strings), derived from the id."""
        out = {}
        for items in self.videos.values():
            for item in items:
                video_id = item["id"]["videoId"]
                seed = int(hashlib.sha1(video_id.encode()).hexdigest()[:8], 16)
                out[video_id] = {"viewCount": str(seed % 5_000_000), "likeCount": str(seed % 90_000),
                                 "commentCount": str(seed % 3_000)}
        return out

    def next_fault(self):
        with self.lock:
            if not self.faults:
                return None
            fault = self.faults[0]
            fault["times"] = fault.get("times", 1) - 1
            if fault["times"] <= 0:
                self.faults.pop(0)
            return fault


def google_error(code, message, reason, status):
    return code, {"error": {"code": code, "message": message,
                            "errors": [{"message": message, "domain": "youtube.quota" if reason == "quotaExceeded" else "global",
                                        "reason": reason}],
                            "status": status}}


def parse_time(text):
    """RFC 3339 as the API documents it, and Hyper's text form ("2024-05-01 10:00:00+00") too."""
    text = text.strip().replace("Z", "+00:00")
    if len(text) >= 3 and text[-3] in "+-" and text[-2:].isdigit():
        text += ":00"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def page_token(offset):
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def read_token(token):
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        kind, offset = text.split(":")
        return int(offset) if kind == "offset" else None
    except Exception:
        return None


class Handler(BaseHTTPRequestHandler):
    state: State = None
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, code, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length) if length else b""
        if self.path == "/_double/faults":
            with self.state.lock:
                self.state.faults.extend(json.loads(body or b"[]"))
            return self.send_json(200, {"faults": len(self.state.faults)})
        if self.path == "/oauth2/token":
            with self.state.lock:
                self.state.requests.append({"path": self.path, "query": {}})
            try:
                client, secret = base64.b64decode(self.headers.get("Authorization", "")[6:]).decode().split(":", 1)
            except Exception:
                client, secret = None, None
            form = parse_qs(body.decode())
            if form.get("grant_type") != ["client_credentials"] or self.state.clients.get(client) != secret or secret is None:
                return self.send_json(401, {"error": "invalid_client"})
            token = base64.urlsafe_b64encode(os.urandom(18)).decode()
            with self.state.lock:
                self.state.tokens.add(token)
            return self.send_json(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600})
        self.send_json(*google_error(404, "Not Found", "notFound", "NOT_FOUND"))

    def do_GET(self):
        url = urlparse(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if url.path == "/_double/state":
            with self.state.lock:
                return self.send_json(200, {"requests": self.state.requests, "quota": self.state.quota})
        with self.state.lock:
            self.state.requests.append({"path": url.path, "query": {k: v for k, v in query.items() if k != "key"}})
        fault = self.state.next_fault()
        if fault:
            if fault.get("delay"):
                time.sleep(float(fault["delay"]))
            if fault.get("drop"):
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if fault.get("html"):
                data = b"<html><head><title>Error</title></head><body>Service temporarily unavailable</body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            if fault.get("status"):
                headers = [("Retry-After", str(fault["retry_after"]))] if "retry_after" in fault else []
                code = int(fault["status"])
                return self.send_json(*google_error(code, "Injected failure", "backendError", "UNAVAILABLE"), headers=headers)
        if url.path not in ("/youtube/v3/search", "/youtube/v3/videos"):
            return self.send_json(*google_error(404, "Not Found", "notFound", "NOT_FOUND"))
        bearer = self.headers.get("Authorization", "")
        if bearer.startswith("Bearer ") and bearer[7:] in self.state.tokens:
            pass
        elif query.get("key") != self.state.api_key:
            return self.send_json(*google_error(400, "API key not valid. Please pass a valid API key.", "badRequest",
                                                "INVALID_ARGUMENT"))
        with self.state.lock:
            if self.state.quota < 100:
                return self.send_json(*google_error(
                    403, "The request cannot be completed because you have exceeded your quota.", "quotaExceeded",
                    "PERMISSION_DENIED"))
            self.state.quota -= 100 if url.path.endswith("/search") else 1  # a search costs 100 units
        if url.path.endswith("/videos"):
            return self.videos(query)
        try:
            size = int(query.get("maxResults", "5"))
        except ValueError:
            size = -1
        if not 0 <= size <= 50:
            return self.send_json(*google_error(400, "Invalid value for maxResults", "invalidParameter", "INVALID_ARGUMENT"))
        offset = 0
        if "pageToken" in query:
            offset = read_token(query["pageToken"])
            if offset is None:
                return self.send_json(*google_error(400, "Invalid page token", "invalidPageToken", "INVALID_ARGUMENT"))
        items = self.state.videos.get(query.get("q", "").lower(), [])
        if "publishedAfter" in query:
            after = parse_time(query["publishedAfter"])
            if after is None:
                return self.send_json(*google_error(400, "Invalid value for publishedAfter", "invalidParameter",
                                                    "INVALID_ARGUMENT"))
            items = [v for v in items if parse_time(v["snippet"]["publishedAt"]) > after]
        if query.get("order") == "date":
            items = sorted(items, key=lambda v: v["snippet"]["publishedAt"], reverse=True)
        page = items[offset:offset + size]
        if fault and fault.get("drift"):
            page = json.loads(json.dumps(page))
            for item in page:
                item["snippet"]["channelTitle"] = len(item["snippet"]["channelTitle"])
                item["snippet"]["defaultLanguage"] = "en"
        body = {"kind": "youtube#searchListResponse",
                "etag": hashlib.sha1(json.dumps(page).encode()).hexdigest()[:27],
                "regionCode": "US",
                "pageInfo": {"totalResults": len(items), "resultsPerPage": size},
                "items": page}
        if offset + size < len(items):
            body["nextPageToken"] = page_token(offset + size)
        if offset > 0:
            body["prevPageToken"] = page_token(max(0, offset - size))
        self.send_json(200, body)


    def videos(self, query):
        ids = [i for i in query.get("id", "").split(",") if i]
        if not ids or len(ids) > 50:
            return self.send_json(*google_error(400, "id must name 1 to 50 videos", "invalidParameter", "INVALID_ARGUMENT"))
        stats = self.state.statistics()
        items = [{"kind": "youtube#video", "id": i, "statistics": stats[i]} for i in ids if i in stats]
        self.send_json(200, {"kind": "youtube#videoListResponse", "items": items,
                             "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)}})


def make_server(state, port=0):
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    return server


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--api-key", default=os.environ.get("EXAMPLE_API_KEY", "example-key"))
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--quota", type=int, default=10_000)
    args = parser.parse_args()
    server = make_server(State(args.api_key, args.data, args.quota), args.port)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
