"""GitHub (and GitHub Enterprise): ``GET {api}/repos/{owner}/{repo}/issues/{number}``.

Conditional: the ETag of the last answer goes back as ``If-None-Match``, and GitHub does
not count a 304 against the rate limit, so a sync of unchanged issues costs nothing.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from urllib.parse import quote

from kb.format.settings import Tracker
from kb.load.tracker_state import Ticket, TicketState
from kb.sync.http import Client
from kb.sync.payload import changed, day, member, one_of, optional, record, words
from kb.sync.references import GitHubIssue, Wanted
from kb.sync.secret import Token

API_VERSION = "2022-11-28"


def fetch(client: Client, tracker: Tracker, token: Token, wanted: Wanted, zone: tzinfo, now: datetime) -> Ticket:
    ref = wanted.ref
    assert isinstance(ref, GitHubIssue)  # the run asks each kind only for its own references
    url = f"{tracker.api.rstrip('/')}/repos/{quote(ref.owner, safe='')}/{quote(ref.repo, safe='')}/issues/{ref.number}"
    headers = {
        "Authorization": f"Bearer {token.reveal()}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": API_VERSION,
    }
    answer = changed(client, url, headers, wanted.previous, now)
    if isinstance(answer, Ticket):
        return answer
    where = f"GitHub issue {ref.owner}/{ref.repo}#{ref.number}"
    data = record(answer.data(tracker.token_env), where)
    status = one_of(member(data, "state", str, where), ("open", "closed"), "state", where)
    reason = optional(data, "state_reason", str, where)
    state: TicketState = "open" if status == "open" else "wont-do" if reason == "not_planned" else "done"
    return Ticket(
        tracker=wanted.value,
        state=state,
        closed=day(optional(data, "closed_at", str, where), zone, where) if state != "open" else None,
        url=optional(data, "html_url", str, where) or wanted.value,
        fetched=now,
        status=words(status, f"({reason})" if reason else None),
        etag=answer.etag,
    )
