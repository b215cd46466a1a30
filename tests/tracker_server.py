"""A loopback server that speaks the three trackers' APIs as ``kb sync`` reads them.

GitHub (``/repos/{owner}/{repo}/issues/{n}``, Bearer token, ETags and 304), GitLab
(``/api/v4/projects/{url-encoded path}/issues/{iid}``, ``PRIVATE-TOKEN``, ETags) and Jira
(``/rest/api/2/search`` with JQL ``key in (...)``, ``validateQuery``, ``startAt`` and
``maxResults`` pagination capped by the server, Basic or Bearer auth) on one port, their
paths being distinct. Each answers with the payload shapes and headers those APIs
document; a ticket that is not there is a 404 (GitHub, GitLab) or absent from a search.

Faults are queued per path (``fail``): each request to the path takes the next one,
then the path answers normally again. Every request is recorded with its headers.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

Fault = Literal["429", "429-for-an-hour", "403-rate-limit", "500", "slow", "malformed"]
SLOW_SECONDS = 1.5  # past the timeout the tests give the client


@dataclass(frozen=True)
class Seen:
    path: str  # with its query
    headers: dict[str, str]  # names in lower case
    status: int


@dataclass
class Trackers:
    """What the server holds: set by the tests, read by the handler."""

    github_token: str
    gitlab_token: str
    jira_token: str  # "email:api-token" (Basic), or a Bearer token
    github: dict[str, dict[str, object]] = field(default_factory=dict)  # by "owner/repo#n"
    gitlab: dict[str, dict[str, object]] = field(default_factory=dict)  # by "group/project#iid"
    jira: dict[str, dict[str, object]] = field(default_factory=dict)  # by key
    jira_page: int = 2  # the most issues one search answer holds, whatever is asked
    # How the search treats a key that does not exist: as `validateQuery` asks; as an error
    # whatever it asks (400); or there is no search at all (410 Gone), as on Jira Cloud.
    jira_search: Literal["validates", "strict", "removed"] = "validates"
    latency: float = 0.0  # seconds each answer takes, as a tracker across a network does (benchmarks)
    faults: dict[str, deque[Fault]] = field(default_factory=lambda: defaultdict(deque))
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, path: str, *faults: Fault) -> None:
        self.faults[path].extend(faults)

    def take_seen(self) -> list[Seen]:
        """The requests seen so far, forgotten here."""
        with self.lock:
            seen, self.seen = self.seen, []
        return seen


def github_issue(
    state: str, reason: str | None = None, closed_at: str | None = None, url: str = ""
) -> dict[str, object]:
    return {"state": state, "state_reason": reason, "closed_at": closed_at, "html_url": url, "title": "t"}


def gitlab_issue(state: str, closed_at: str | None = None, url: str = "") -> dict[str, object]:
    return {"state": state, "closed_at": closed_at, "web_url": url, "iid": 1, "title": "t"}


def jira_issue(
    status: str, category: str, resolution: str | None = None, resolved: str | None = None
) -> dict[str, object]:
    return {
        "status": {"name": status, "statusCategory": {"key": category, "name": category}},
        "resolution": {"name": resolution} if resolution else None,
        "resolutiondate": resolved,
    }


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # quiet: the test reads ``seen``
        pass

    def do_GET(self) -> None:
        trackers = self.server.trackers
        url = urlsplit(self.path)
        with trackers.lock:
            queue = trackers.faults.get(url.path)
            fault = queue.popleft() if queue else None
        status, headers, body = self._fault(fault) if fault else self._answer(trackers, url.path, parse_qs(url.query))
        with trackers.lock:  # as it arrives: a retry may be answered before a slow answer is sent
            trackers.seen.append(Seen(self.path, {k.lower(): v for k, v in self.headers.items()}, status))
        time.sleep(SLOW_SECONDS if fault == "slow" else trackers.latency)
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # a client that gave up on a slow answer
            pass

    def _fault(self, fault: Fault) -> tuple[int, dict[str, str], bytes]:
        if fault == "429":
            return 429, {"Retry-After": "1"}, b'{"message": "slow down"}'
        if fault == "429-for-an-hour":  # as an HTTP date, the other way Retry-After is written
            return 429, {"Retry-After": formatdate(time.time() + 3600, usegmt=True)}, b""
        if fault == "403-rate-limit":  # GitHub's primary rate limit
            reset = str(int(time.time()) + 1)
            headers = {"x-ratelimit-limit": "60", "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}
            return 403, headers, b'{"message": "API rate limit exceeded"}'
        if fault == "500":
            return 500, {}, b"oops"
        if fault == "slow":  # sent after SLOW_SECONDS, too late: the client has given up on it
            return 200, {}, b"{}"
        # Not JSON: a proxy's page that quotes the request, token and all, as some do.
        return 200, {"Content-Type": "text/html"}, f"{self.headers.get('Authorization')} <html>".encode()

    def _answer(self, trackers: Trackers, path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        if found := re.fullmatch(r"/repos/([^/]+)/([^/]+)/issues/(\d+)", path):
            if self.headers.get("Authorization") != f"Bearer {trackers.github_token}":
                return 401, {}, b'{"message": "Bad credentials"}'
            if self.headers.get("X-GitHub-Api-Version") is None:
                return 400, {}, b'{"message": "no API version"}'
            issue = trackers.github.get(f"{found[1]}/{found[2]}#{found[3]}")
            return self._conditional(issue)
        if found := re.fullmatch(r"/api/v4/projects/([^/]+)/issues/(\d+)", path):
            if self.headers.get("PRIVATE-TOKEN") != trackers.gitlab_token:
                return 401, {}, b'{"message": "401 Unauthorized"}'
            return self._conditional(trackers.gitlab.get(f"{unquote(found[1])}#{found[2]}"))
        if path.startswith("/rest/api/2/"):
            expected = trackers.jira_token
            if ":" in expected:
                expected = "Basic " + base64.b64encode(expected.encode()).decode()
            else:
                expected = f"Bearer {expected}"
            if self.headers.get("Authorization") != expected:
                return 401, {}, b""
            if path == "/rest/api/2/search":
                if trackers.jira_search == "removed":
                    return 410, {}, b'{"errorMessages": ["The requested API has been removed."]}'
                return self._search(trackers, query)
            if (found := re.fullmatch(r"/rest/api/2/issue/([A-Z][A-Z0-9_]+-\d+)", path)) and found[1] in trackers.jira:
                issue = {"id": "1", "key": found[1], "fields": trackers.jira[found[1]]}
                return 200, {"Content-Type": "application/json"}, json.dumps(issue).encode()
        return 404, {}, b'{"message": "Not Found"}'

    def _conditional(self, issue: dict[str, object] | None) -> tuple[int, dict[str, str], bytes]:
        if issue is None:
            return 404, {}, b'{"message": "Not Found"}'
        body = json.dumps(issue).encode()
        etag = f'W/"{hashlib.sha1(body).hexdigest()}"'
        if self.headers.get("If-None-Match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"ETag": etag, "Content-Type": "application/json"}, body

    def _search(self, trackers: Trackers, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        jql = query.get("jql", [""])[0]
        listed = re.fullmatch(r"key in \(([^)]*)\)", jql)
        if not listed or query.get("fields") != ["status,resolution,resolutiondate"]:
            return 400, {}, json.dumps({"errorMessages": [f"unsupported query {jql!r}"]}).encode()
        keys = [key.strip() for key in listed[1].split(",")]
        missing = [key for key in keys if key not in trackers.jira]
        if missing and (query.get("validateQuery") != ["warn"] or trackers.jira_search == "strict"):
            message = f"An issue with key '{missing[0]}' does not exist for field 'key'."
            return 400, {}, json.dumps({"errorMessages": [message]}).encode()
        found = sorted(key for key in keys if key in trackers.jira)
        start = int(query.get("startAt", ["0"])[0])
        size = min(int(query.get("maxResults", ["50"])[0]), trackers.jira_page)
        page = [{"id": "1", "key": key, "fields": trackers.jira[key]} for key in found[start : start + size]]
        answer = {"startAt": start, "maxResults": size, "total": len(found), "issues": page}
        if missing:
            answer["warningMessages"] = [f"The issue key '{key}' for field 'key' is invalid." for key in missing]
        return 200, {"Content-Type": "application/json"}, json.dumps(answer).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    trackers: Trackers


class TrackerServer:
    """``with TrackerServer(trackers) as url:`` serves ``trackers`` on 127.0.0.1 until the block ends."""

    def __init__(self, trackers: Trackers) -> None:
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.trackers = trackers

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
