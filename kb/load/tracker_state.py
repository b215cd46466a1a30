"""The tracker snapshot: what ``kb sync`` last learnt of each action item's ticket.

``kb sync`` writes it (``kb.sync``); builds and every other command only read it, so a
build never touches the network and two builds of the same commit agree. It is JSON,
one entry per action item id in sorted order, indented: committed next to the
postmortems, a sync shows in ``git diff`` as the tickets that changed.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Literal

TicketState = Literal["open", "done", "wont-do"]
TICKET_STATES: tuple[TicketState, ...] = ("open", "done", "wont-do")
FORMAT_VERSION = 1


class SnapshotProblem(Exception):
    """The snapshot file exists but cannot be read; the message says why."""


@dataclass(frozen=True)
class Ticket:
    """One action item's ticket, as its tracker reported it."""

    tracker: str  # the item's ``tracker`` value it was fetched for: a changed value makes it stale
    state: TicketState  # ``wont-do``: closed as not planned
    closed: date | None  # when it was closed, if it is
    url: str  # the ticket's page, for people
    fetched: datetime  # when the tracker said so (UTC)
    status: str = ""  # the tracker's own words: "closed (not_planned)", "In Progress", ...
    etag: str | None = None  # for a conditional request next time (GitHub, GitLab)

    @property
    def not_planned(self) -> bool:
        return self.state == "wont-do"


@dataclass(frozen=True)
class Snapshot:
    synced: datetime | None = None  # when ``kb sync`` last ran to the end
    tickets: dict[str, Ticket] = field(default_factory=dict)  # by action item id

    def ticket(self, item_id: str | None, tracker: str | None) -> Ticket | None:
        """The ticket of an item, unless the item now names another one (or none)."""
        ticket = self.tickets.get(item_id or "")
        return ticket if ticket is not None and tracker and ticket.tracker == tracker else None


def _ticket(record: dict[str, object]) -> Ticket:
    state = record["state"]
    if state not in TICKET_STATES:
        raise ValueError(f"state {state!r} is not one of {', '.join(TICKET_STATES)}")
    closed = record.get("closed")
    return Ticket(
        tracker=str(record["tracker"]),
        state=state,  # type: ignore[arg-type]  (checked above)
        closed=date.fromisoformat(str(closed)) if closed else None,
        url=str(record["url"]),
        fetched=datetime.fromisoformat(str(record["fetched"])),
        status=str(record.get("status") or ""),
        etag=str(record["etag"]) if record.get("etag") else None,
    )


def read_snapshot(path: Path) -> Snapshot:
    """The snapshot at ``path``; an empty one if there is none yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Snapshot()
    except OSError as exc:
        raise SnapshotProblem(f"cannot read it: {exc.strerror}") from None
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
            raise ValueError(f"not a version {FORMAT_VERSION} snapshot")
        synced = data.get("synced")
        tickets = {str(item_id): _ticket(record) for item_id, record in dict(data.get("items") or {}).items()}
        return Snapshot(datetime.fromisoformat(synced) if synced else None, tickets)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise SnapshotProblem(f"not a snapshot `kb sync` wrote ({exc}): run `kb sync` to write it again") from None


def _plain(ticket: Ticket) -> dict[str, object]:
    record = asdict(ticket)
    record["closed"] = ticket.closed.isoformat() if ticket.closed else None
    record["fetched"] = ticket.fetched.isoformat()
    record["not_planned"] = ticket.not_planned  # for a reader of the file; derived from the state
    return record


def snapshot_text(snapshot: Snapshot) -> str:
    data = {
        "version": FORMAT_VERSION,
        "synced": snapshot.synced.isoformat() if snapshot.synced else None,
        "items": {item_id: _plain(snapshot.tickets[item_id]) for item_id in sorted(snapshot.tickets)},
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_snapshot(path: Path, snapshot: Snapshot) -> None:
    """Write it whole or not at all: a sync stopped half-way leaves the old file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(snapshot_text(snapshot))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
