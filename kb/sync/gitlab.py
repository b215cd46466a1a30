"""GitLab: ``GET {api}/api/v4/projects/{path}/issues/{iid}``, the project by its URL-encoded path.

GitLab has no "closed as not planned": a closed issue is ``done``. Its ETag goes back as
``If-None-Match`` as GitHub's does, for the servers that answer 304.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from urllib.parse import quote

from kb.format.settings import Tracker
from kb.load.tracker_state import Ticket
from kb.sync.http import Client
from kb.sync.payload import changed, day, member, one_of, optional, record, words
from kb.sync.references import GitLabIssue, Wanted
from kb.sync.secret import Token


def fetch(client: Client, tracker: Tracker, token: Token, wanted: Wanted, zone: tzinfo, now: datetime) -> Ticket:
    ref = wanted.ref
    assert isinstance(ref, GitLabIssue)  # the run asks each kind only for its own references
    url = f"{tracker.api.rstrip('/')}/api/v4/projects/{quote(ref.project, safe='')}/issues/{ref.iid}"
    headers = {"PRIVATE-TOKEN": token.reveal()}
    answer = changed(client, url, headers, wanted.previous, now)
    if isinstance(answer, Ticket):
        return answer
    where = f"GitLab issue {ref.project}#{ref.iid}"
    data = record(answer.data(tracker.token_env), where)
    status = one_of(member(data, "state", str, where), ("opened", "closed"), "state", where)
    return Ticket(
        tracker=wanted.value,
        state="done" if status == "closed" else "open",
        closed=day(optional(data, "closed_at", str, where), zone, where) if status == "closed" else None,
        url=optional(data, "web_url", str, where) or wanted.value,
        fetched=now,
        status=words(status),
        etag=answer.etag,
    )
