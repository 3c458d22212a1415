"""A local double of the Tableau Server / Tableau Cloud REST API, for publishing tests.

It models what a publisher depends on, as documented (see shared/reference/tableau-rest.md):
namespaced XML, the X-Tableau-Auth header on every call, one live session per personal access
token, connected apps with direct trust (HS256 JWTs whose signature, claims, expiry and scopes
are verified, each scope then enforced per call), sites, projects with parents and paging, data
sources listed in pages with Tableau's filter syntax (whose values cannot carry ',' or '&'),
single-request publishing (64 MB cap) and upload sessions (initiate / append chunks / commit with
datasourceType), the publish modes (createnew, overwrite, append, replace) and their (project,
name) rules, projects that refuse publishing, Update Data Source (description, certification),
tags, data-quality warnings, asynchronous jobs that move from queued to finished, older servers
(a lower REST API version, without the calls it lacks), and error bodies with Tableau's codes.
Every uploaded file is opened with hyperd (tableauhyperapi) to check it is a real Hyper file and
to list its tables.

What an overwrite keeps is not documented: the double keeps tags and warnings, and drops the
certification and replaces the description with the publish request's (the description reset is
a reported Tableau behaviour, tableauserverclient#135; the certification drop is the pessimistic
choice, so a client that re-applies it is tested).

Tests can inject faults per request (5xx, 429 with Retry-After, a dropped connection, a slow
answer, an answer lost after the request was carried out) and read back what was published. Run
standalone:

    python tests/doubles/tableau_server.py --port 0 [--pat NAME:SECRET] [--user NAME:PASSWORD]

It prints "listening on http://127.0.0.1:PORT" and serves until killed. Admin endpoints (not
Tableau's): GET /_double/state, POST /_double/faults (JSON list), POST /_double/reset.
"""
import argparse
import base64
import contextlib
import os
import shutil
import hashlib
import hmac
import json
import re
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse
from xml.etree import ElementTree

NS = "http://tableau.com/api"
SINGLE_REQUEST_LIMIT = 64 * 1024 * 1024
CHUNK_LIMIT = 64 * 1024 * 1024
API_VERSION = "3.27"
JWT_MAX_LIFETIME = 600   # connected apps: exp at most 10 minutes ahead
JWT_CLOCK_SKEW = 60      # what the double forgives a client's clock (Tableau's own bound is not documented)
# The scope each call needs from a connected-app session (Access Scopes for Connected Apps).
SCOPES = {
    "list_projects": "tableau:content:read", "list_datasources": "tableau:content:read",
    "get_datasource": "tableau:content:read", "create_project": "tableau:projects:create",
    "start_upload": "tableau:file_uploads:create", "append_upload": "tableau:file_uploads:create",
    "publish": "tableau:datasources:create", "update_datasource": "tableau:datasources:update",
    "add_tags": "tableau:datasource_tags:update", "delete_tag": "tableau:datasource_tags:delete",
    "get_job": "tableau:jobs:read", "list_warnings": "tableau:labels:read",
    "add_warning": "tableau:labels:create", "delete_warnings": "tableau:labels:delete",
    "delete_warning": "tableau:labels:delete", "update_data": "tableau:datasources:update",
}
WARNING_TYPES = {"WARNING", "DEPRECATED", "STALE", "SENSITIVE_DATA", "MAINTENANCE"}


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def version_tuple(text):
    major, _, minor = text.partition(".")
    return int(major), int(minor or 0)
PRODUCT_VERSION = "2025.3.0"


class ApiError(Exception):
    """An error answered as Tableau does: HTTP status, 6-digit code, summary, detail."""

    def __init__(self, status, code, summary, detail):
        super().__init__(detail)
        self.status, self.code, self.summary, self.detail = status, code, summary, detail


def xml_response(body):
    return (f'<?xml version="1.0" encoding="UTF-8"?><tsResponse xmlns="{NS}" '
            f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{body}</tsResponse>').encode()


def attr(value):
    return (str(value).replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;"))


def hyper_tables(path):
    """The tables of a Hyper file as "schema"."table" strings, or None if it is not one."""
    with open(path, "rb") as f:
        if f.read(5) != b"Hyper":
            return None
    from tableauhyperapi import Connection, HyperProcess, Telemetry
    try:
        with HyperProcess(Telemetry.DO_NOT_SEND_USAGE_DATA_TO_TABLEAU,
                          parameters={"log_dir": tempfile.gettempdir()}) as process:
            with Connection(process.endpoint, str(path)) as connection:
                tables = []
                for schema in connection.catalog.get_schema_names():
                    for table in connection.catalog.get_table_names(schema):
                        count = connection.execute_scalar_query(f"SELECT count(*) FROM {table}")
                        tables.append({"name": str(table), "rows": count})
                return sorted(tables, key=lambda t: t["name"])
    except Exception:  # noqa: BLE001 - any failure to open means "not a Hyper file"
        return None


def run_in_hyper(database, statements, attach=None):
    """Runs SQL statements on a Hyper file attached as "target" (with `attach` = (path, alias)
    attached too), all or none:
    on a copy that replaces the file only when every statement succeeded. Returns each
    statement's affected row count."""
    from tableauhyperapi import Connection, HyperProcess, Telemetry
    work = Path(str(database) + ".applying")
    shutil.copyfile(database, work)
    try:
        with HyperProcess(Telemetry.DO_NOT_SEND_USAGE_DATA_TO_TABLEAU,
                          parameters={"log_dir": tempfile.gettempdir()}) as process:
            with Connection(process.endpoint) as connection:
                # Both attached by name: with two databases, Hyper wants every table qualified.
                connection.catalog.attach_database(str(work), alias="target")
                if attach is not None:
                    connection.catalog.attach_database(str(attach[0]), alias=attach[1])
                counts = [connection.execute_command(statement) for statement in statements]
                connection.catalog.detach_all_databases()
        os.replace(work, database)
        return counts
    finally:
        work.unlink(missing_ok=True)


def hyper_columns(database, table):
    """The column names of `table` ("schema"."table") in a Hyper file, in order."""
    from tableauhyperapi import Connection, HyperProcess, Telemetry, TableName
    schema, _, name = table.partition(".")
    with HyperProcess(Telemetry.DO_NOT_SEND_USAGE_DATA_TO_TABLEAU,
                      parameters={"log_dir": tempfile.gettempdir()}) as process:
        with Connection(process.endpoint, str(database)) as connection:
            definition = connection.catalog.get_table_definition(TableName(schema.strip('"'), name.strip('"')))
            return [column.name.unescaped for column in definition.columns]


class State:
    def __init__(self, pats=None, users=None, sites=("", "marketing"), multi_table=True, connected_apps=None,
                 api_version=API_VERSION):
        self.lock = threading.RLock()
        self.pats = dict(pats or {})        # name -> secret
        self.users = dict(users or {})      # name -> password
        self.sites = {content_url: str(uuid.uuid4()) for content_url in sites}
        self.user_id = str(uuid.uuid4())
        self.site_role = "Creator"          # what GET /sessions/current says the signed-in user is
        self.multi_table = multi_table      # False: behave like Server <= 2021.3
        self.api_version = api_version      # an older server speaks an older REST API
        # client id -> {"secrets": {secret id: value}, "users": [names], "enabled": bool}
        self.connected_apps = dict(connected_apps or {})
        self.clock_offset = 0.0             # seconds the server's clock is ahead of this machine's
        self.used_jtis = set()              # a connected-app token is good for one sign-in
        self.forbidden_projects = set()     # project ids whose users may not publish there
        self.may_certify = True             # False: the user is no project leader (certifying refused)
        self.data_management = True         # False: a site without Data Management refuses data-quality warnings
        self.ended_sessions = 0             # live PAT sessions ended by another sign-in with the token
        self.stale_tokens_refused = 0       # calls refused because their session had been ended
        self.sign_ins = []                  # (pat name, time signed in, time signed out or None)
        self.warnings = {}                  # id -> {"datasource", "type", "message", "isActive", "isSevere", ...}
        self.update_payload_limit = 100 * 1024 * 1024  # Update Data in Hyper Data Source: the servers' default
        self.update_requests = {}           # RequestID -> job id: a repeat is not applied again (Tableau: within
                                            # 24 h; the double never forgets, a test lasts minutes)
        self.updates_applied = 0            # update-data requests whose actions were carried out
        self.job_failure = None             # a message: the next update job fails with it
        self.clock = 0                      # seconds after 2026-01-01 of the last change (updatedAt)

        self.tokens = {}                    # token -> {"site": id, "pat": name or None}
        self.pat_tokens = {}                # pat name -> its one live token
        self.projects = {}                  # id -> {"name", "parent", "site"}
        self.datasources = {}               # id -> record
        self.uploads = {}                   # session id -> {"path", "size", "site"}
        self.jobs = {}                      # id -> {"polls", "finish", "datasource", "error"}
        self.requests = []                  # (method, path) log
        self.faults = []                    # rules, see inject()
        self.job_polls_to_finish = 2
        self.workdir = Path(tempfile.mkdtemp(prefix="tableau-double-"))
        for site_id in self.sites.values():
            self.add_project("Default", None, site_id)

    def tick(self):
        """The next updatedAt: strictly later than the one before, whatever the real clock says."""
        self.clock += 1
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1767225600 + self.clock))

    def add_project(self, name, parent, site_id):
        project_id = str(uuid.uuid4())
        self.projects[project_id] = {"name": name, "parent": parent, "site": site_id}
        return project_id

    def snapshot(self):
        with self.lock:
            return {"datasources": list(self.datasources.values()),
                    "projects": [{"id": k, **v} for k, v in self.projects.items()],
                    "requests": list(self.requests), "live_tokens": len(self.tokens),
                    "open_uploads": len(self.uploads), "warnings": list(self.warnings.values()),
                    "ended_sessions": self.ended_sessions, "stale_tokens_refused": self.stale_tokens_refused,
                    "sign_ins": list(self.sign_ins),
                    "update_seconds": [job["seconds"] for job in self.jobs.values() if "seconds" in job]}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: State = None  # set by make_server

    def log_message(self, *args):  # quiet
        pass

    # --- plumbing -------------------------------------------------------------------------
    def send(self, status, body=b"", content_type="application/xml", headers=()):
        if getattr(self, "_lose_answer", False):
            self._lose_answer = False
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def fail(self, error):
        body = xml_response(f'<error code="{error.code}"><summary>{attr(error.summary)}</summary>'
                            f'<detail>{attr(error.detail)}</detail></error>')
        self.send(error.status, body)

    def body(self):
        # Read once: error paths call this again to drain the request before answering.
        if getattr(self, "_body", None) is None:
            length = int(self.headers.get("Content-Length") or 0)
            self._body = self.rfile.read(length) if length else b""
        return self._body

    def multipart(self, raw):
        """The parts of a multipart/mixed body by name. Split with bytes.find, not email.parser:
        chunks are up to 64 MB and the double must not be the slow side of a benchmark."""
        content_type = self.headers.get("Content-Type", "")
        boundary = re.search(r'boundary="?([^";]+)"?', content_type)
        if not content_type.startswith("multipart/mixed") or boundary is None:
            raise ApiError(400, "400000", "Bad Request", "expected a multipart/mixed body with a boundary")
        delimiter = b"--" + boundary.group(1).encode()
        parts = {}
        position = raw.find(delimiter)
        while position != -1:
            start = position + len(delimiter)
            if raw[start:start + 2] == b"--":
                break  # the closing delimiter
            header_end = raw.find(b"\r\n\r\n", start)
            following = raw.find(b"\r\n" + delimiter, header_end)
            if header_end == -1 or following == -1:
                raise ApiError(400, "400000", "Bad Request", "a multipart part is not properly terminated")
            headers = raw[start:header_end].decode("latin-1")
            name = re.search(r'name="([^"]*)"', headers)
            parts[name.group(1) if name else ""] = raw[header_end + 4:following]
            position = following + 2
        return parts

    def apply_faults(self, method, path):
        with self.state.lock:
            for rule in self.state.faults:
                if rule.get("method", method) == method and re.search(rule["path"], path) and rule.get("times", 1) > 0:
                    rule["times"] = rule.get("times", 1) - 1
                    break
            else:
                return False
        if rule.get("delay"):
            time.sleep(rule["delay"])
        if rule.get("lose_answer"):
            self._lose_answer = True  # the request is carried out; its answer never arrives
            return False
        if rule.get("drop"):
            self.body()
            self.close_connection = True
            self.connection.shutdown(2)
            return True
        if rule.get("status"):
            headers = [("Retry-After", str(rule["retry_after"]))] if "retry_after" in rule else []
            self.body()
            error = ApiError(rule["status"], rule.get("code", f"{rule['status']}000"), "Injected fault", "injected fault")
            body = xml_response(f'<error code="{error.code}"><summary>{error.summary}</summary>'
                                f'<detail>{error.detail}</detail></error>')
            self.send(error.status, body, headers=headers)
            return True
        return False

    def handle_any(self, method):
        self._body = None
        url = urlparse(self.path)
        path = unquote(url.path)  # servers decode percent-encoded path segments
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        with self.state.lock:
            self.state.requests.append([method, path + ("?" + url.query if url.query else "")])
        if path.startswith("/_double/"):
            return self.admin(method, path)
        if self.apply_faults(method, path):
            return
        try:
            routes = [
                ("GET", r"/api/[\d.]+/serverinfo", self.server_info),
                ("POST", r"/api/[\d.]+/auth/signin", self.sign_in),
                ("POST", r"/api/[\d.]+/auth/signout", self.sign_out),
                ("GET", r"/api/[\d.]+/sessions/current", self.current_session),
                ("GET", r"/api/[\d.]+/sites/([^/]+)/projects", self.list_projects),
                ("POST", r"/api/[\d.]+/sites/([^/]+)/projects", self.create_project),
                ("POST", r"/api/[\d.]+/sites/([^/]+)/fileuploads", self.start_upload),
                ("PUT", r"/api/[\d.]+/sites/([^/]+)/fileuploads/([^/]+)", self.append_upload),
                ("POST", r"/api/[\d.]+/sites/([^/]+)/datasources", self.publish),
                ("GET", r"/api/[\d.]+/sites/([^/]+)/datasources", self.list_datasources),
                ("GET", r"/api/[\d.]+/sites/([^/]+)/datasources/([^/]+)", self.get_datasource),
                ("PUT", r"/api/[\d.]+/sites/([^/]+)/datasources/([^/]+)", self.update_datasource),
                ("PUT", r"/api/[\d.]+/sites/([^/]+)/datasources/([^/]+)/tags", self.add_tags),
                ("DELETE", r"/api/[\d.]+/sites/([^/]+)/datasources/([^/]+)/tags/([^/]+)", self.delete_tag),
                ("GET", r"/api/[\d.]+/sites/([^/]+)/jobs/([^/]+)", self.get_job),
                ("PATCH", r"/api/[\d.]+/sites/([^/]+)/datasources/([^/]+)/data", self.update_data),
                ("GET", r"/api/[\d.]+/sites/([^/]+)/dataQualityWarnings/datasource/([^/]+)", self.list_warnings),
                ("POST", r"/api/[\d.]+/sites/([^/]+)/dataQualityWarnings/datasource/([^/]+)", self.add_warning),
                ("DELETE", r"/api/[\d.]+/sites/([^/]+)/dataQualityWarnings/datasource/([^/]+)", self.delete_warnings),
                ("DELETE", r"/api/[\d.]+/sites/([^/]+)/dataQualityWarnings/([^/]+)", self.delete_warning),
            ]
            url_version = re.match(r"/api/(\d+\.\d+)/", path)
            for route_method, pattern, handler in routes:
                match = re.fullmatch(pattern, path, re.IGNORECASE)  # servers match paths case-insensitively
                if match and route_method == method:
                    if url_version and version_tuple(url_version.group(1)) > version_tuple(self.state.api_version):
                        raise ApiError(404, "404000", "Not Found", f"REST API version {url_version.group(1)} is not supported")
                    if "dataQualityWarnings" in pattern and version_tuple(self.state.api_version) < (3, 5):
                        break  # an older server has no such resource
                    if pattern.endswith("/data") and version_tuple(self.state.api_version) < (3, 12):
                        break
                    if "dataQualityWarnings" in pattern and not self.state.data_management:
                        self.session(None)
                        raise ApiError(403, "403000", "Forbidden", "Data Management is not licensed on this site")
                    self._route = handler.__name__
                    return handler(query, *match.groups())
            raise ApiError(404, "404003", "Resource Not Found", f"unknown resource {method} {path}")
        except ApiError as error:
            self.body()
            self.fail(error)

    do_GET = lambda self: self.handle_any("GET")  # noqa: E731
    do_POST = lambda self: self.handle_any("POST")  # noqa: E731
    do_PUT = lambda self: self.handle_any("PUT")  # noqa: E731
    do_DELETE = lambda self: self.handle_any("DELETE")  # noqa: E731
    do_PATCH = lambda self: self.handle_any("PATCH")  # noqa: E731

    def admin(self, method, path):
        if path == "/_double/state":
            return self.send(200, json.dumps(self.state.snapshot(), default=str).encode(), "application/json")
        if path == "/_double/faults" and method == "POST":
            with self.state.lock:
                self.state.faults = json.loads(self.body() or b"[]")
            return self.send(204)
        if path == "/_double/projects" and method == "POST":
            spec = json.loads(self.body())
            with self.state.lock:
                site = self.state.sites[spec.get("site", "")]
                project_id = self.state.add_project(spec["name"], spec.get("parent"), site)
            return self.send(200, json.dumps({"id": project_id}).encode(), "application/json")
        return self.send(404)

    def session(self, site_id):
        token = self.headers.get("X-Tableau-Auth")
        if not token:
            raise ApiError(401, "401000", "Unauthorized", "no X-Tableau-Auth header")
        with self.state.lock:
            session = self.state.tokens.get(token)
            if session is None:
                self.state.stale_tokens_refused += 1
        if session is None:
            raise ApiError(401, "401002", "Unauthorized Access", "Invalid authentication credentials were provided.")
        if site_id is not None and session["site"] != site_id:
            raise ApiError(403, "403000", "Forbidden", "the token belongs to another site")
        needed = SCOPES.get(getattr(self, "_route", ""))
        if session.get("scopes") is not None and needed is not None and needed not in session["scopes"]:
            raise ApiError(403, "403157", "Forbidden", f"the connected-app token's scopes do not include {needed}")
        return session

    # --- endpoints ------------------------------------------------------------------------
    def server_info(self, query):
        self.send(200, xml_response(f'<serverInfo><productVersion build="20253.0.0">{PRODUCT_VERSION}</productVersion>'
                                    f'<restApiVersion>{self.state.api_version}</restApiVersion></serverInfo>'))

    def sign_in(self, query):
        try:
            request = ElementTree.fromstring(self.body())
        except ElementTree.ParseError:
            raise ApiError(400, "400000", "Bad Request", "the sign-in body is not XML")
        credentials = request.find("credentials")
        site = credentials.find("site") if credentials is not None else None
        if credentials is None or site is None:
            raise ApiError(400, "400000", "Bad Request", "tsRequest/credentials/site is required")
        content_url = site.get("contentUrl", "")
        pat = credentials.get("personalAccessTokenName")
        scopes, user = None, credentials.get("name")
        with self.state.lock:
            if credentials.get("jwt") is not None:
                user, scopes = self.verify_jwt(credentials.get("jwt"))
                ok = True
            else:
                ok = (pat is not None and self.state.pats.get(pat) == credentials.get("personalAccessTokenSecret")) or \
                     (user is not None and self.state.users.get(user) == credentials.get("password"))
            if not ok or content_url not in self.state.sites:
                raise ApiError(401, "401001", "Signin Error", "Error signing in to Tableau Server")
            token = uuid.uuid4().hex
            if pat is not None:  # one live session per PAT: a new sign-in invalidates the old token
                if self.state.tokens.pop(self.state.pat_tokens.get(pat), None) is not None:
                    self.state.ended_sessions += 1
                self.state.pat_tokens[pat] = token
                self.state.sign_ins.append([pat, time.time(), None])
            site_id = self.state.sites[content_url]
            self.state.tokens[token] = {"site": site_id, "pat": pat, "user": user or pat, "scopes": scopes}
        self.send(200, xml_response(f'<credentials token="{token}"><site id="{site_id}" contentUrl="{attr(content_url)}"/>'
                                    f'<user id="{self.state.user_id}"/></credentials>'))

    def verify_jwt(self, token):
        """A connected app's direct-trust token: (user, scopes), or a sign-in error carrying the
        connected-app error code in parentheses, as Tableau reports it."""
        def refuse(code, why):
            raise ApiError(401, "401001", "Signin Error", f"Error signing in to Tableau Server ({code}): {why}")
        try:
            header_b64, payload_b64, signature_b64 = token.split(".")
            header, payload = json.loads(b64url_decode(header_b64)), json.loads(b64url_decode(payload_b64))
            signature = b64url_decode(signature_b64)
        except (ValueError, json.JSONDecodeError):
            refuse(16, "the token is not a JWT")
        if header.get("alg") != "HS256":
            refuse(16, "only HS256 is accepted")
        app = self.state.connected_apps.get(payload.get("iss")) or self.state.connected_apps.get(header.get("iss"))
        if app is None or not app.get("enabled", True):
            refuse(126, "no enabled connected app has this client id")
        secret = app["secrets"].get(header.get("kid"))
        if secret is None:
            refuse(127, "the connected app has no secret with this id")
        expected = hmac.new(secret.encode(), f"{header_b64}.{payload_b64}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, signature):
            refuse(16, "the signature does not verify")
        now = time.time() + self.state.clock_offset
        exp = payload.get("exp")
        if not isinstance(exp, (int, float)) or exp <= now - JWT_CLOCK_SKEW:
            refuse(16, "the token has expired")
        if exp > now + JWT_MAX_LIFETIME + JWT_CLOCK_SKEW:
            refuse(16, "exp is more than 10 minutes ahead")
        if payload.get("aud") != "tableau" or payload.get("iss") != header.get("iss", payload.get("iss")):
            refuse(16, "aud must be tableau and iss the client id")
        if not payload.get("jti") or payload["jti"] in self.state.used_jtis:
            refuse(16, "the token id (jti) is missing or was used before")
        self.state.used_jtis.add(payload["jti"])
        scopes = payload.get("scp")
        if not isinstance(scopes, list) or not scopes:
            refuse(16, "scp must list the scopes")
        if payload.get("sub") not in app.get("users", []):
            refuse(5, "the token's user (sub) is not a user of this site")
        return payload["sub"], set(scopes)

    def current_session(self, query):
        """Get Current Server Session: the session's site and user, with the user's site role."""
        session = self.session(None)
        with self.state.lock:
            content_url = next(url for url, site_id in self.state.sites.items() if site_id == session["site"])
            role = self.state.site_role
        self.send(200, xml_response(f'<session><site id="{session["site"]}" contentUrl="{attr(content_url)}"/>'
                                    f'<user id="{self.state.user_id}" name="{attr(session.get("user") or session["pat"] or "")}" '
                                    f'siteRole="{attr(role)}"/></session>'))

    def sign_out(self, query):
        token = self.headers.get("X-Tableau-Auth")
        self.body()
        with self.state.lock:
            session = self.state.tokens.pop(token, None)
            if session is not None and session.get("pat") is not None:
                for record in reversed(self.state.sign_ins):
                    if record[0] == session["pat"] and record[2] is None:
                        record[2] = time.time()
                        break
        self.send(204)

    @staticmethod
    def filtered_page(items, query, fields):
        """Tableau's filter syntax on (id, record) pairs, then one page of them: (page, total, page
        number, page size). Expressions are split on ',' and a value cannot hold '&' (Filtering and
        Sorting: "even when URL-encoded"), so such names cannot be filtered."""
        page_size = int(query.get("pageSize", 100))
        page_number = int(query.get("pageNumber", 1))
        if not 1 <= page_size <= 1000 or page_number < 1:
            raise ApiError(400, "400006", "Bad Request", "pageSize must be 1..1000 and pageNumber >= 1")
        for expression in filter(None, query.get("filter", "").split(",")):
            parts = expression.split(":", 2)
            if len(parts) != 3 or "&" in parts[2]:
                raise ApiError(400, "400065", "Bad Request", f"filter expression '{expression}' is malformed")
            field, operator, value = parts
            if operator != "eq" or field not in fields:
                raise ApiError(400, "400065", "Bad Request", f"filter key {field}:{operator} is not recognized")
            items = [(k, v) for k, v in items if fields[field](v) == value]
        return items[(page_number - 1) * page_size: page_number * page_size], len(items), page_number, page_size

    def list_projects(self, query, site_id):
        self.session(site_id)
        with self.state.lock:
            projects = [(k, v) for k, v in self.state.projects.items() if v["site"] == site_id]
        page, total, page_number, page_size = self.filtered_page(
            projects, query, {"name": lambda v: v["name"], "parentProjectId": lambda v: v["parent"]})
        items = "".join(f'<project id="{k}" name="{attr(v["name"])}" description="" contentPermissions="ManagedByOwner"'
                        + (f' parentProjectId="{v["parent"]}"' if v["parent"] else "") + f'><owner id="{self.state.user_id}"/></project>'
                        for k, v in page)
        self.send(200, xml_response(f'<pagination pageNumber="{page_number}" pageSize="{page_size}" totalAvailable="{total}"/>'
                                    f'<projects>{items}</projects>'))

    def create_project(self, query, site_id):
        self.session(site_id)
        project = ElementTree.fromstring(self.body()).find("project")
        name, parent = project.get("name"), project.get("parentProjectId")
        with self.state.lock:
            if any(v["name"] == name and v["parent"] == parent and v["site"] == site_id for v in self.state.projects.values()):
                raise ApiError(409, "409006", "Conflict", f"A project named '{name}' already exists here")
            project_id = self.state.add_project(name, parent, site_id)
        self.send(201, xml_response(f'<project id="{project_id}" name="{attr(name)}"'
                                    + (f' parentProjectId="{parent}"' if parent else "") + "/>"))

    def start_upload(self, query, site_id):
        self.session(site_id)
        self.body()
        session_id = f"{int(time.time())}:{uuid.uuid4().hex}-1:0"
        path = self.state.workdir / f"upload-{uuid.uuid4().hex}"
        path.write_bytes(b"")
        with self.state.lock:
            self.state.uploads[session_id] = {"path": path, "size": 0, "site": site_id, "chunks": 0}
        self.send(201, xml_response(f'<fileUpload uploadSessionId="{session_id}" fileSize="0"/>'))

    def append_upload(self, query, site_id, session_id):
        self.session(site_id)
        raw = self.body()
        with self.state.lock:
            upload = self.state.uploads.get(session_id)
        if upload is None or upload["site"] != site_id:
            raise ApiError(404, "404026", "Not Found", f"upload session {session_id} does not exist")
        parts = self.multipart(raw)
        if "tableau_file" not in parts:
            raise ApiError(400, "400000", "Bad Request", "the tableau_file part is missing")
        chunk = parts["tableau_file"]
        if len(chunk) > CHUNK_LIMIT:
            raise ApiError(400, "400000", "Bad Request", "a chunk may not be larger than 64 MB")
        with self.state.lock, open(upload["path"], "ab") as f:
            f.write(chunk)
            upload["size"] += len(chunk)
            upload["chunks"] += 1
            size_mb = upload["size"] // (1024 * 1024)
        self.send(200, xml_response(f'<fileUpload uploadSessionId="{session_id}" fileSize="{size_mb}"/>'))

    def publish(self, query, site_id):
        session = self.session(site_id)
        raw = self.body()
        if len(raw) > SINGLE_REQUEST_LIMIT + 1024 * 1024:
            raise ApiError(413, "413000", "Payload Too Large", "single-request publishing is limited to 64 MB; use an upload session")
        parts = self.multipart(raw)
        try:
            request = ElementTree.fromstring(parts.get("request_payload", b""))
        except ElementTree.ParseError:
            raise ApiError(400, "400000", "Bad Request", "request_payload is not XML")
        datasource = request.find("datasource")
        project = datasource.find("project") if datasource is not None else None
        if datasource is None or project is None or not datasource.get("name"):
            raise ApiError(400, "400000", "Bad Request", "tsRequest/datasource with a name and project@id is required")
        upload_id = query.get("uploadSessionId")
        with self.state.lock:
            if upload_id is not None:
                if query.get("datasourceType") is None:
                    raise ApiError(400, "400000", "Bad Request", "datasourceType is required when committing an upload")
                upload = self.state.uploads.pop(upload_id, None)
                if upload is None or upload["site"] != site_id:
                    raise ApiError(404, "404026", "Not Found", f"upload session {upload_id} does not exist")
                file_path, via = upload["path"], f"chunked ({upload['chunks']} chunks)"
            else:
                if "tableau_datasource" not in parts:
                    raise ApiError(400, "400000", "Bad Request", "the tableau_datasource part is missing")
                file_path, via = self.state.workdir / f"single-{uuid.uuid4().hex}", "single"
                file_path.write_bytes(parts["tableau_datasource"])
            target = self.state.projects.get(project.get("id"))
            if target is None or target["site"] != site_id:
                raise ApiError(404, "404005", "Not Found", f"project {project.get('id')} does not exist")
            if project.get("id") in self.state.forbidden_projects:
                raise ApiError(403, "403004", "Forbidden", "the user does not have permission to publish to this project")
        tables = hyper_tables(file_path)
        if tables is None:
            raise ApiError(400, "400011", "Bad Request", "There was a problem publishing the file: not a Hyper file")
        if len(tables) > 1 and not self.state.multi_table:
            raise ApiError(400, "400011", "Bad Request", "There was a problem publishing the file")
        name = datasource.get("name")
        flags = {mode: query.get(mode, "false").lower() == "true" for mode in ("overwrite", "append", "replace")}
        if flags["overwrite"] and flags["append"]:
            raise ApiError(400, "400000", "Bad Request", "overwrite and append cannot both be true")
        content = file_path.read_bytes()
        with self.state.lock:
            existing = next((d for d in self.state.datasources.values()
                             if d["project_id"] == project.get("id") and d["name"] == name), None)
            if flags["append"] or flags["replace"]:
                if existing is None:
                    raise ApiError(404, "404004", "Not Found", f"data source '{name}' does not exist to append to")
                if flags["append"] and (len(tables) > 1 or len(existing["tables"]) > 1):
                    raise ApiError(400, "400016", "Bad Request", "cannot append to or from a multi-table extract")
                if [t["name"] for t in tables] != [t["name"] for t in existing["tables"]]:
                    raise ApiError(400, "400016", "Bad Request", "the extract's tables do not match the data source")
                if flags["append"]:
                    for old, new in zip(existing["tables"], tables):
                        old["rows"] += new["rows"]
                    if existing.get("path"):
                        table = tables[0]["name"]
                        run_in_hyper(existing["path"], [f"INSERT INTO target.{table} SELECT * FROM appended.{table}"],
                                     attach=(file_path, "appended"))
                else:
                    existing["tables"] = tables
                    os.replace(file_path, self.stored_path(existing["id"]))
                    existing["path"] = self.stored_path(existing["id"])
                existing.update(updated=time.time(), versions=existing["versions"] + 1, last_mode="append" if flags["append"] else "replace",
                                sha256=hashlib.sha256(content).hexdigest(), size=len(content), via=via,
                                updated_at=self.state.tick())
                record = existing
            elif existing is not None and not flags["overwrite"]:
                raise ApiError(403, "403007", "Forbidden", f"The datasource '{name}' already exists and may not be "
                                                           "overwritten without the 'overwrite' flag set to 'true'.")
            else:
                base_url = re.sub(r"[^A-Za-z0-9]", "", name) or "datasource"
                taken = {d["content_url"] for d in self.state.datasources.values()}
                content_url = next(u for u in [base_url] + [f"{base_url}_{i}" for i in range(1, 100000)] if u not in taken)
                record = existing or {"id": str(uuid.uuid4()), "name": name, "project_id": project.get("id"), "versions": 0,
                                      "number": len(self.state.datasources) + 1, "content_url": content_url, "tags": []}
                # An overwrite keeps tags and warnings, drops the certification, and takes the
                # request's description (none: empty), as the module docstring says.
                record.update(tables=tables, sha256=hashlib.sha256(content).hexdigest(), size=len(content), via=via,
                              versions=record["versions"] + 1, last_mode="overwrite" if existing else "createnew",
                              description=datasource.get("description", ""), updated=time.time(),
                              certified=False, certification_note="", updated_at=self.state.tick(), live_to_hyper=True)
                os.replace(file_path, self.stored_path(record["id"]))
                record["path"] = self.stored_path(record["id"])
                self.state.datasources[record["id"]] = record
            file_path.unlink(missing_ok=True)
            if query.get("asJob", "false").lower() == "true":
                job_id = str(uuid.uuid4())
                self.state.jobs[job_id] = {"polls": 0, "datasource": record["id"]}
                return self.send(202, xml_response(f'<job id="{job_id}" mode="Asynchronous" type="PublishDatasource" '
                                                   f'progress="0" createdAt="{time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}"/>'))
        self.send(201, xml_response(self.datasource_xml(record)))

    def stored_path(self, datasource_id):
        return self.state.workdir / f"datasource-{datasource_id}.hyper"

    def datasource_xml(self, record):
        project = self.state.projects[record["project_id"]]
        site = next(url for url, site_id in self.state.sites.items() if site_id == project["site"])
        host = f"http://{self.headers.get('Host', '127.0.0.1')}"
        webpage = f"{host}/#/{'site/' + site + '/' if site else ''}datasources/{record['number']}"
        tags = "".join(f'<tag label="{attr(t)}"/>' for t in record.get("tags", []))
        return (f'<datasource id="{record["id"]}" name="{attr(record["name"])}" contentUrl="{record["content_url"]}" type="hyper" '
                f'webpageUrl="{attr(webpage)}" description="{attr(record.get("description", ""))}" '
                f'isCertified="{str(record.get("certified", False)).lower()}" '
                f'certificationNote="{attr(record.get("certification_note", ""))}" '
                f'createdAt="2026-01-01T00:00:00Z" updatedAt="{record.get("updated_at", "2026-01-01T00:00:00Z")}">'
                f'<project id="{record["project_id"]}" name="{attr(project["name"])}"/>'
                f'<owner id="{self.state.user_id}"/><tags>{tags}</tags></datasource>')

    def list_datasources(self, query, site_id):
        self.session(site_id)
        with self.state.lock:
            records = [(d["id"], d) for d in self.state.datasources.values()
                       if self.state.projects[d["project_id"]]["site"] == site_id]
            page, total, page_number, page_size = self.filtered_page(
                records, query, {"name": lambda d: d["name"], "projectName": lambda d: self.state.projects[d["project_id"]]["name"]})
            items = "".join(self.datasource_xml(d) for _, d in page)
        self.send(200, xml_response(f'<pagination pageNumber="{page_number}" pageSize="{page_size}" totalAvailable="{total}"/>'
                                    f'<datasources>{items}</datasources>'))

    def datasource(self, site_id, datasource_id):
        record = self.state.datasources.get(datasource_id)
        if record is None or self.state.projects[record["project_id"]]["site"] != site_id:
            raise ApiError(404, "404011", "Not Found", f"data source {datasource_id} does not exist")
        return record

    def get_datasource(self, query, site_id, datasource_id):
        self.session(site_id)
        with self.state.lock:
            body = self.datasource_xml(self.datasource(site_id, datasource_id))
        self.send(200, xml_response(body))

    def update_datasource(self, query, site_id, datasource_id):
        """Update Data Source: description, certification and its note (what hyperpipe sets)."""
        self.session(site_id)
        try:
            element = ElementTree.fromstring(self.body()).find("datasource")
        except ElementTree.ParseError:
            element = None
        if element is None:
            raise ApiError(400, "400000", "Bad Request", "tsRequest/datasource is required")
        with self.state.lock:
            record = self.datasource(site_id, datasource_id)
            if element.get("isCertified") is not None and not self.state.may_certify:
                raise ApiError(403, "403141", "Forbidden", "the user isn't authorized to update the datasource's certification")
            if element.get("description") is not None:
                record["description"] = element.get("description")
            if element.get("isCertified") is not None:
                record["certified"] = element.get("isCertified").lower() == "true"
            if element.get("certificationNote") is not None:
                record["certification_note"] = element.get("certificationNote")
            if element.get("name"):
                record["name"] = element.get("name")
            body = self.datasource_xml(record)
        self.send(200, xml_response(body))

    def add_tags(self, query, site_id, datasource_id):
        self.session(site_id)
        try:
            labels = [t.get("label") for t in ElementTree.fromstring(self.body()).iter("tag")]
        except ElementTree.ParseError:
            labels = []
        if not labels or any(not label for label in labels):
            raise ApiError(400, "400000", "Bad Request", "tsRequest/tags/tag@label is required")
        with self.state.lock:
            record = self.datasource(site_id, datasource_id)
            for label in labels:
                if label not in record["tags"]:
                    record["tags"].append(label)
            items = "".join(f'<tag label="{attr(t)}"/>' for t in record["tags"])
        self.send(200, xml_response(f"<tags>{items}</tags>"))

    def delete_tag(self, query, site_id, datasource_id, label):
        self.session(site_id)
        self.body()
        with self.state.lock:
            record = self.datasource(site_id, datasource_id)
            if label not in record["tags"]:
                raise ApiError(404, "404008", "Not Found", f"tag '{label}' is not on the data source")
            record["tags"].remove(label)
        self.send(204)

    def warnings_xml(self, warnings):
        items = "".join(
            f'<dataQualityWarning id="{w["id"]}" type="{w["type"]}" isActive="{str(w["isActive"]).lower()}" '
            f'isSevere="{str(w["isSevere"]).lower()}" message="{attr(w["message"])}" contentId="{w["datasource"]}" '
            f'contentType="datasource" createdAt="{w["createdAt"]}" updatedAt="{w["createdAt"]}">'
            f'<site id="{w["site"]}"/><owner id="{self.state.user_id}"/></dataQualityWarning>' for w in warnings)
        return xml_response(f"<dataQualityWarningList>{items}</dataQualityWarningList>")

    def list_warnings(self, query, site_id, datasource_id):
        self.session(site_id)
        with self.state.lock:
            self.datasource(site_id, datasource_id)
            warnings = [w for w in self.state.warnings.values() if w["datasource"] == datasource_id]
            body = self.warnings_xml(warnings)
        self.send(200, body)

    def add_warning(self, query, site_id, datasource_id):
        self.session(site_id)
        try:
            element = ElementTree.fromstring(self.body()).find("dataQualityWarning")
        except ElementTree.ParseError:
            element = None
        if element is None or element.get("type") not in WARNING_TYPES:
            raise ApiError(400, "400000", "Bad Request",
                           f"tsRequest/dataQualityWarning@type must be one of {', '.join(sorted(WARNING_TYPES))}")
        with self.state.lock:
            self.datasource(site_id, datasource_id)
            warning = {"id": str(uuid.uuid4()), "datasource": datasource_id, "site": site_id, "type": element.get("type"),
                       "isActive": element.get("isActive", "true").lower() == "true",
                       "isSevere": element.get("isSevere", "false").lower() == "true",
                       "message": element.get("message", ""), "createdAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
            self.state.warnings[warning["id"]] = warning
            body = self.warnings_xml([w for w in self.state.warnings.values() if w["datasource"] == datasource_id])
        self.send(200, body)

    def delete_warnings(self, query, site_id, datasource_id):
        self.session(site_id)
        self.body()
        with self.state.lock:
            self.datasource(site_id, datasource_id)
            for warning_id in [k for k, w in self.state.warnings.items() if w["datasource"] == datasource_id]:
                del self.state.warnings[warning_id]
        self.send(204)

    def delete_warning(self, query, site_id, warning_id):
        self.session(site_id)
        self.body()
        with self.state.lock:
            warning = self.state.warnings.get(warning_id)
            if warning is None or warning["site"] != site_id:
                raise ApiError(404, "404000", "Not Found", f"data quality warning {warning_id} does not exist")
            del self.state.warnings[warning_id]
        self.send(204)

    def update_data(self, query, site_id, datasource_id):
        """Update Data in Hyper Data Source: the actions, in order and all or none, on the stored
        copy of a live-to-Hyper data source, with the payload uploaded first through a file
        upload; a RequestID seen before answers with its first job and changes nothing. The
        double applies update and upsert as delete-then-insert of the matching rows (the same
        result for a table whose condition is a key)."""
        handling = time.perf_counter()
        session = self.session(site_id)
        raw = self.body()
        request_id = self.headers.get("RequestID")
        if not request_id:
            raise ApiError(400, "400000", "Bad Request", "the RequestID header is required")
        if not self.headers.get("Content-Type", "").startswith("application/json"):
            raise ApiError(415, "415000", "Unsupported Media Type", "the actions are sent as application/json")
        job_id = str(uuid.uuid4())
        with self.state.lock:
            record = self.datasource(site_id, datasource_id)
            if request_id in self.state.update_requests:
                return self.send(202, self.update_job_xml(self.state.update_requests[request_id]))
            if record["project_id"] in self.state.forbidden_projects:
                raise ApiError(403, "403004", "Forbidden", "the user does not have permission to update this data source")
            if not record.get("live_to_hyper", True) or not record.get("path"):
                raise ApiError(400, "400000", "Bad Request", "incremental update is only supported for live-to-Hyper data "
                                                             "sources (published from a .hyper or .parquet file)")
            payload = None
            if query.get("uploadSessionId"):
                upload = self.state.uploads.get(query["uploadSessionId"])
                if upload is None or upload["site"] != site_id:
                    raise ApiError(404, "404026", "Not Found", f"upload session {query['uploadSessionId']} does not exist")
                if upload["size"] > self.state.update_payload_limit:
                    raise ApiError(400, "400000", "Bad Request",
                                   f"the payload ({upload['size']} bytes) exceeds the limit of {self.state.update_payload_limit} bytes")
                del self.state.uploads[query["uploadSessionId"]]
                payload = upload["path"]
            # Taken before the work: a duplicate arriving meanwhile answers with this job.
            self.state.update_requests[request_id] = job_id
            self.state.jobs[job_id] = {"polls": -10**9, "datasource": datasource_id, "type": "UpdateUploadedFile",
                                       "finish": "0", "notes": ""}
        job = {"polls": 0, "datasource": datasource_id, "type": "UpdateUploadedFile", "finish": "0", "notes": ""}
        try:
            try:
                actions = json.loads(raw)["actions"]
                assert isinstance(actions, list) and actions
            except (ValueError, KeyError, AssertionError, TypeError):
                raise ApiError(400, "400000", "Bad Request", 'the body must be {"actions": [...]}')
            statements = [self.action_sql(action, record["path"], payload) for action in actions]
        except ApiError:
            with self.state.lock:  # refused, not applied: the id is free again
                self.state.update_requests.pop(request_id, None)
                self.state.jobs.pop(job_id, None)
            raise
        try:
            if self.state.job_failure:
                raise RuntimeError(self.state.job_failure)
            counts = run_in_hyper(record["path"], [sql for group in statements for sql in group],
                                  attach=(payload, "payload") if payload is not None else None)
            with self.state.lock:
                record["tables"] = hyper_tables(record["path"])
                record.update(updated_at=self.state.tick(), versions=record["versions"] + 1, last_mode="update-data")
                self.state.updates_applied += 1
            job["counts"] = counts
        except Exception as error:  # noqa: BLE001 - a failed update is a failed job, as the server reports it
            job.update(finish="1", notes=str(error).splitlines()[0] if str(error) else "the update failed")
        finally:
            if payload is not None:
                Path(payload).unlink(missing_ok=True)
        job["seconds"] = time.perf_counter() - handling  # the server's work, for benchmarks
        with self.state.lock:
            self.state.jobs[job_id] = job
        self.send(202, self.update_job_xml(job_id))

    def update_job_xml(self, job_id):
        job = self.state.jobs[job_id]
        return xml_response(f'<job id="{job_id}" mode="Asynchronous" type="UpdateUploadedFile" '
                            f'createdAt="{time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}">'
                            f'<updateUploadedFileJob><datasource id="{job["datasource"]}"/></updateUploadedFileJob></job>')

    @staticmethod
    def condition_sql(condition, target, source):
        op = condition.get("op")
        if op in ("and", "or"):
            return "(" + f" {op.upper()} ".join(Handler.condition_sql(c, target, source) for c in condition["args"]) + ")"
        operators = {"eq": "=", "ne": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
        if op not in operators or "target-col" not in condition:
            raise ApiError(400, "400000", "Bad Request", f"condition {json.dumps(condition)} is not understood")
        left = f'{target}."{condition["target-col"]}"'
        if "source-col" in condition:
            right = f'{source}."{condition["source-col"]}"'
        elif "const" in condition:
            const = condition["const"]
            right = str(const["v"]) if const.get("type") in ("integer", "double") else "'" + str(const["v"]).replace("'", "''") + "'"
        else:
            raise ApiError(400, "400000", "Bad Request", "a condition compares with source-col or const")
        return f"{left} {operators[op]} {right}"

    def action_sql(self, action, stored, payload):
        """The SQL of one action on the stored copy (tables "schema"."table"), payload attached as payload."""
        kind = action.get("action")
        if kind not in ("insert", "update", "upsert", "delete", "replace"):
            raise ApiError(400, "400000", "Bad Request", f"unknown action {kind!r}")
        table = f'"{action.get("target-schema", "Extract")}"."{action["target-table"]}"'
        target = f"target.{table}"
        has_source = "source-table" in action
        if kind in ("insert", "update", "upsert", "replace") and not has_source:
            raise ApiError(400, "400000", "Bad Request", f"{kind} needs a source-table")
        if kind in ("update", "upsert", "delete") and "condition" not in action:
            raise ApiError(400, "400000", "Bad Request", f"{kind} needs a condition")
        if has_source and payload is None:
            raise ApiError(400, "400000", "Bad Request", "the actions name a source table but no payload was uploaded")
        source = f'payload."{action.get("source-schema", "Extract")}"."{action["source-table"]}"' if has_source else None
        try:
            columns = ", ".join(f'"{c}"' for c in hyper_columns(stored, table))
        except Exception:  # noqa: BLE001
            raise ApiError(400, "400000", "Bad Request", f"target table {table} does not exist in the data source")
        matches = (f"EXISTS (SELECT 1 FROM {source} AS s WHERE {self.condition_sql(action['condition'], 't', 's')})"
                   if has_source and "condition" in action else
                   self.condition_sql(action["condition"], "t", "s") if "condition" in action else "TRUE")
        if kind == "insert":
            return [f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {source}"]
        if kind == "replace":
            return [f"DELETE FROM {target}", f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {source}"]
        if kind == "delete":
            return [f"DELETE FROM {target} AS t WHERE {matches}"]
        inverse = self.condition_sql(action["condition"], "t", "s")
        if kind == "update":  # the source rows that match a target row replace it
            return [f"CREATE TEMPORARY TABLE matched AS SELECT {columns} FROM {source} AS s WHERE EXISTS "
                    f"(SELECT 1 FROM {target} AS t WHERE {inverse})",
                    f"DELETE FROM {target} AS t WHERE {matches}",
                    f"INSERT INTO {target} ({columns}) SELECT {columns} FROM matched", "DROP TABLE matched"]
        return [f"DELETE FROM {target} AS t WHERE {matches}",  # upsert: matching rows replaced, the rest inserted
                f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {source}"]

    def get_job(self, query, site_id, job_id):
        self.session(site_id)
        with self.state.lock:
            job = self.state.jobs.get(job_id)
            if job is None:
                raise ApiError(404, "404030", "Not Found", f"job {job_id} does not exist")
            job["polls"] += 1
            done = job["polls"] >= self.state.job_polls_to_finish
        finished = f' completedAt="2026-01-01T00:00:10Z" finishCode="{job.get("finish", "0")}"' if done else ""
        started = ' startedAt="2026-01-01T00:00:01Z"' if job["polls"] > 1 or done else ""
        kind = job.get("type", "PublishDatasource")
        child = "updateUploadedFileJob" if kind == "UpdateUploadedFile" else "publishDatasourceJob"
        notes = f'<notes>{attr(job["notes"])}</notes>' if done and job.get("notes") else ""
        self.send(200, xml_response(f'<job id="{job_id}" mode="Asynchronous" type="{kind}" '
                                    f'progress="{100 if done else 50}" createdAt="2026-01-01T00:00:00Z"{started}{finished}>'
                                    f'<{child}><datasource id="{job["datasource"]}"/>{notes}</{child}></job>'))


@contextlib.contextmanager
def running(state):
    """Serves `state` on loopback from a thread for a test; yields its URL, then stops it and
    removes its files."""
    server = make_server(state)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(state.workdir, ignore_errors=True)


def make_server(state, port=0, tls=None):
    """A server bound to loopback; `tls` = (certificate file, key file) serves HTTPS."""
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    if tls is not None:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    return server


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--pat", action="append", default=[], help="NAME:SECRET of a valid personal access token")
    parser.add_argument("--user", action="append", default=[], help="NAME:PASSWORD of a valid user")
    parser.add_argument("--single-table-only", action="store_true", help="behave like Tableau Server <= 2021.3")
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve HTTPS with this certificate and key")
    parser.add_argument("--connected-app", action="append", default=[],
                        help="CLIENT_ID:SECRET_ID:SECRET_VALUE:USER of an enabled connected app (direct trust)")
    parser.add_argument("--api-version", default=API_VERSION, help="the REST API version to speak (an older server)")
    args = parser.parse_args()
    apps = {}
    for spec in args.connected_app:
        client_id, secret_id, secret_value, user = spec.split(":", 3)
        app = apps.setdefault(client_id, {"secrets": {}, "users": [], "enabled": True})
        app["secrets"][secret_id] = secret_value
        app["users"].append(user)
    state = State(pats=dict(p.split(":", 1) for p in args.pat), users=dict(u.split(":", 1) for u in args.user),
                  multi_table=not args.single_table_only, connected_apps=apps, api_version=args.api_version)
    server = make_server(state, args.port, tuple(args.tls) if args.tls else None)
    print(f"listening on {'https' if args.tls else 'http'}://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
