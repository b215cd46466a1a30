"""The polite HTTP client every tracker shares.

Polite because a company's tracker is shared by everyone: a bounded number of requests
at once (``kb.sync.run``), a pause for as long as a 429 or a rate-limited 403 asks,
shared by every thread (one thread told to wait means the whole client should), and a
bounded number of retries with growing pauses for 5xx answers and timeouts. Whatever
cannot be answered becomes a ``Failure`` with a message for the user; the run goes on.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import NoReturn
from urllib.parse import urlsplit

import httpx

from kb import __version__


class Failure(Exception):
    """This item (or batch) got no usable answer; the message says why, and what to do."""


class Gone(Failure):
    """The tracker says there is no such ticket (404)."""


@dataclass(frozen=True)
class Policy:
    timeout: float = 30.0  # seconds for one request to connect, or to send its next bytes
    retries: int = 3  # more tries after a 5xx answer, a timeout or a dropped connection
    backoff: float = 0.5  # seconds before the first retry, doubled before each next one
    max_wait: float = 60.0  # the longest rate-limit pause taken; a longer one fails the item
    rate_limit_waits: int = 5  # pauses one request takes before it gives up
    failing_tickets: int = 3  # tickets of one host that fail every retry before the host is given up on
    redirects: int = 3  # GitHub answers 301 for an issue whose repository moved


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    etag: str | None
    url: str

    def data(self, token_env: str) -> object:
        """The JSON of a 200 answer; any other is a ``Failure`` that says what to do."""
        if self.status in (401, 403):
            raise Failure(
                f"{_host(self.url)} refused the token ({self.status}): set {token_env} to a token that may read it"
            )
        if self.status in (404, 410):
            raise Gone(f"not found ({self.status}): the ticket is gone, or the token in {token_env} cannot see it")
        if self.status != 200:
            raise Failure(f"{_host(self.url)} answered {self.status}")
        try:
            return json.loads(self.body)
        except ValueError:
            # Its text is not quoted: cut anywhere, a token echoed in it could outlive the scrub.
            raise Failure(
                f"the answer of {self.url} is not JSON ({len(self.body):,} bytes): is `api` the API's base URL?"
            ) from None


class Client:
    """One connection pool for the whole run (``httpx.Client`` is safe across threads)."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._http = httpx.Client(
            timeout=policy.timeout,
            follow_redirects=False,  # followed here, to the same host only: see ``get``
            headers={"User-Agent": f"postmortem-library-kb-sync/{__version__}"},
        )
        self._lock = threading.Lock()
        self._resume_at = 0.0  # time.monotonic() before which no request is sent
        # Hosts that failed a request through every retry, or asked for a pause longer than
        # we wait, and how: a server that is down, or asks to be left alone, is not asked
        # again for each of its tickets.
        self._given_up: dict[str, str] = {}
        self._failed: dict[str, int] = {}  # tickets that failed every retry, by host

    def close(self) -> None:
        self._http.close()

    def get(self, url: str, headers: dict[str, str], params: dict[str, str] | None = None) -> Answer:
        """The answer to ``GET url``, after the pauses and retries it takes; a 2xx, 304 or
        4xx answer is returned for the caller to read, anything else is a ``Failure``."""
        retries = waits = redirects = 0
        while True:
            if given_up := self._given_up.get(_host(url)):
                raise Failure(given_up)
            self._pause()
            try:
                response = self._http.get(url, headers=headers, params=params)
            except httpx.LocalProtocolError:  # not worth a retry: the same request fails the same way
                raise Failure(
                    f"cannot send the request to {_host(url)}: a header holds a line break or a control character; "
                    "check the token"
                ) from None
            except httpx.TimeoutException:
                problem, unreachable = f"no answer from {_host(url)} within {self.policy.timeout:g} s", False
            except httpx.TransportError as exc:
                problem, unreachable = f"cannot reach {_host(url)}: {type(exc).__name__}", True
            else:
                status = response.status_code
                if status in (429, 403) and (wait := _rate_limit_wait(response)) is not None:
                    waits += 1
                    self._rate_limited(wait, waits, url)
                    continue
                if status in (301, 302, 307, 308) and (location := response.headers.get("location")):
                    redirects += 1
                    url = self._redirect(url, response.url.join(location), redirects)
                    params = None  # the new location carries its own query
                    continue
                if status < 500 and status != 429:
                    return Answer(status, response.content, response.headers.get("etag"), url)
                problem, unreachable = f"{_host(url)} answered {status} {response.reason_phrase}".rstrip(), False
            retries += 1
            if retries > self.policy.retries:
                reason = f"{problem}, {retries} times: try again later"
                with self._lock:
                    failed = self._failed[_host(url)] = self._failed.get(_host(url), 0) + 1
                # One ticket's trouble fails it alone; a host that cannot be reached, or whose
                # tickets keep failing, is down: its other tickets would wait for nothing.
                if unreachable or failed >= self.policy.failing_tickets:
                    self._give_up(url, reason)
                raise Failure(reason)
            time.sleep(self.policy.backoff * 2 ** (retries - 1))

    def _pause(self) -> None:
        with self._lock:
            wait = self._resume_at - time.monotonic()
        if wait > 0:
            time.sleep(wait)

    def _rate_limited(self, wait: float, waits: int, url: str) -> None:
        if wait > self.policy.max_wait or waits > self.policy.rate_limit_waits:
            try:
                until = datetime.fromtimestamp(time.time() + wait, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            except (OverflowError, ValueError, OSError):  # a wait past any calendar
                until = "much later"
            self._give_up(url, f"{_host(url)} limits the rate of requests until {until}: run `kb sync` again then")
        with self._lock:
            self._resume_at = max(self._resume_at, time.monotonic() + wait)

    def _give_up(self, url: str, reason: str) -> NoReturn:
        """Fail this request, and every later one to its host, with the first ``reason``."""
        with self._lock:
            reason = self._given_up.setdefault(_host(url), reason)
        raise Failure(reason)

    def _redirect(self, url: str, target: httpx.URL, redirects: int) -> str:
        # A token header (PRIVATE-TOKEN, Authorization) must not go to another host.
        origin = httpx.URL(url)
        if (target.scheme, target.host, target.port) != (origin.scheme, origin.host, origin.port):
            raise Failure(f"{_host(url)} redirects to {target.host}: not followed, so the token stays with its host")
        if redirects > self.policy.redirects:
            raise Failure(f"{_host(url)} redirects more than {self.policy.redirects} times")
        return str(target)


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def _rate_limit_wait(response: httpx.Response) -> float | None:
    """Seconds a 429 or 403 asks to wait, or ``None`` if it is no rate limit (a 403
    without these headers is a refusal; a 429 without them gets the usual backoff)."""
    headers = response.headers
    if (after := headers.get("retry-after")) is not None:
        if after.strip().isdigit():
            return float(after)
        try:
            return max(0.0, (parsedate_to_datetime(after) - datetime.now(UTC)).total_seconds())
        except (TypeError, ValueError):
            pass  # not a date we can read: the reset headers may still say
    for prefix in ("x-ratelimit", "ratelimit"):  # GitHub's, then GitLab's (and the IETF draft's)
        remaining, reset = headers.get(f"{prefix}-remaining"), headers.get(f"{prefix}-reset")
        if reset and reset.strip().isdigit() and (remaining == "0" or response.status_code == 429):
            # An epoch second; a clock a little ahead of the server's still waits a moment.
            return max(1.0, int(reset) - time.time())
    return None
