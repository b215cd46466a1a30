"""Jira (Server, Data Center, Cloud): REST v2 search, ``key in (...)`` in batches.

One request answers up to ``BATCH`` tickets, asking only for ``status``, ``resolution``
and ``resolutiondate``; ``validateQuery=warn`` makes a key that does not exist (deleted,
or invisible to the token) simply absent, instead of failing the whole batch, and an
absent key is reported gone, as a 404 is elsewhere. Jira Cloud has removed this search
(it answers 410 Gone), and a server that ignores ``validateQuery`` rejects a search naming
a missing key (400): there each ticket is asked for on its own, ``GET /rest/api/2/issue/KEY``.
"""

from __future__ import annotations

import base64
from datetime import datetime, tzinfo

from kb.format.settings import Tracker
from kb.load.tracker_state import Ticket, TicketState
from kb.sync.http import Client, Failure, Gone
from kb.sync.payload import day, member, optional, record, words
from kb.sync.references import JiraIssue, Wanted
from kb.sync.secret import Token

BATCH = 50  # keys a search asks for; also the page size it asks for
FIELDS = "status,resolution,resolutiondate"
# Resolutions that mean "closed as not planned", compared case-folded, with either apostrophe.
NOT_PLANNED = {"won't do", "won't fix"}


def auth(token: Token) -> str:
    """Jira Cloud takes ``email:api-token`` as Basic; Server and Data Center a personal
    access token as Bearer."""
    value = token.reveal()
    if ":" in value:
        return "Basic " + base64.b64encode(value.encode()).decode("ascii")
    return f"Bearer {value}"


def fetch(
    client: Client, tracker: Tracker, token: Token, batch: list[Wanted], zone: tzinfo, now: datetime
) -> dict[str, Ticket | Failure]:
    """The ticket of each item of ``batch`` (at most ``BATCH`` keys), by item id."""
    api = tracker.api.rstrip("/")
    headers = {"Authorization": auth(token), "Accept": "application/json"}
    keys = sorted({key_of(wanted) for wanted in batch})
    issues = _search(client, api, headers, keys, tracker.token_env)
    results: dict[str, Ticket | Failure] = {}
    for wanted in batch:
        key = key_of(wanted)
        try:
            issue = issues.get(key) if issues is not None else _issue(client, api, headers, key, tracker.token_env)
            if issue is None:
                raise Gone(f"Jira has no ticket {key} the token in {tracker.token_env} can see: it is gone")
            results[wanted.item_id] = _ticket(issue, wanted, api, zone, now)
        except Failure as failure:
            results[wanted.item_id] = failure
    return results


def key_of(wanted: Wanted) -> str:
    assert isinstance(wanted.ref, JiraIssue)  # the run asks each kind only for its own references
    return wanted.ref.key


def _search(
    client: Client, api: str, headers: dict[str, str], keys: list[str], token_env: str
) -> dict[str, object] | None:
    """Each issue the search finds, by key; ``None`` where this search cannot answer."""
    found: dict[str, object] = {}
    where = f"Jira search at {api}"
    while True:
        params = {
            "jql": f"key in ({', '.join(keys)})",  # keys are [A-Z][A-Z0-9_]+-N: nothing to quote
            "fields": FIELDS,
            "validateQuery": "warn",
            "startAt": str(len(found)),
            "maxResults": str(BATCH),
        }
        answer = client.get(f"{api}/rest/api/2/search", headers, params)
        if answer.status in (400, 410):  # a server that rejects the query (or has no such search)
            return None
        if answer.status == 404:  # no search here at all: not a ticket that is gone
            raise Failure(f"{where}: not found (404): is `api` the Jira site's base URL?")
        data = record(answer.data(token_env), where)
        page = member(data, "issues", list, where)
        before = len(found)
        for issue in page:
            found[member(issue, "key", str, where)] = issue
        # A page that adds no issue ends it too: a server that ignores `startAt`, or says
        # more match than it gives, would otherwise be asked for the same page forever.
        if len(found) == before or len(found) >= member(data, "total", int, where):
            return found


def _issue(client: Client, api: str, headers: dict[str, str], key: str, token_env: str) -> object | None:
    """One issue, or ``None`` if there is none of that key (404) the token can see."""
    try:
        return client.get(f"{api}/rest/api/2/issue/{key}", headers, {"fields": FIELDS}).data(token_env)
    except Gone:
        return None


def _ticket(issue: object, wanted: Wanted, api: str, zone: tzinfo, now: datetime) -> Ticket:
    key = key_of(wanted)
    where = f"Jira ticket {key}"
    fields = member(issue, "fields", dict, where)
    status = member(fields, "status", dict, where)
    category = member(member(status, "statusCategory", dict, where), "key", str, where)
    resolution = optional(fields, "resolution", dict, where)
    resolved = member(resolution, "name", str, where) if resolution else None
    state: TicketState = "open"
    if category == "done":
        state = "wont-do" if resolved and resolved.casefold().replace("\u2019", "'") in NOT_PLANNED else "done"
    return Ticket(
        tracker=wanted.value,
        state=state,
        closed=day(optional(fields, "resolutiondate", str, where), zone, where) if state != "open" else None,
        url=f"{api}/browse/{key}",
        fetched=now,
        status=words(member(status, "name", str, where), f"({resolved})" if resolved else None),
    )
