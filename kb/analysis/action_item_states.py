"""Action-item follow-through: the state of every item on the build's ``today``, its
ticket's as ``kb sync`` last saw it, and the figures a lead reviews every week. The board,
the pages, the JSON API and ``kb actions`` all take their items from :func:`tracked_items`
(or :func:`track`), so they cannot disagree.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from kb.checks.tracker_rules import Disagreement, disagreement
from kb.format.model import ActionItem, Postmortem
from kb.format.settings import Settings
from kb.load.tracker_state import Snapshot, Ticket, TicketState

State = Literal["done", "wont-do", "overdue", "due-soon", "open"]
STATES: tuple[State, ...] = ("overdue", "due-soon", "open", "done", "wont-do")
LABELS: dict[State, str] = {
    "overdue": "Overdue",
    "due-soon": "Due soon",
    "open": "Open",
    "done": "Done",
    "wont-do": "Won't do",
}
# A ticket's state, as the pages say it next to the item's.
TICKET_LABELS: dict[TicketState, str] = {"open": "open", "done": "closed", "wont-do": "closed as not planned"}


def state(item: ActionItem, today: date, due_soon_days: int) -> State:
    """The spec's derived state: closed items keep their status; open ones age."""
    if item.closed:
        return item.status  # type: ignore[return-value]  (done or wont-do: both states)
    if item.due and item.due < today:
        return "overdue"
    if item.due and item.due <= today + timedelta(days=due_soon_days):
        return "due-soon"
    return "open"


def days_overdue(item: ActionItem, today: date, due_soon_days: int) -> int:
    return (today - item.due).days if item.due and state(item, today, due_soon_days) == "overdue" else 0


@dataclass(frozen=True)
class Tracked:
    """An action item with its postmortem, its state on ``today``, and its ticket's."""

    item: ActionItem
    pm: Postmortem
    state: State
    days_overdue: int
    ticket: Ticket | None  # as the last ``kb sync`` saw it; None: never synced
    disagreement: Disagreement | None  # the file and the ticket say different things

    @property
    def closed(self) -> bool:
        return self.item.closed

    @property
    def ticket_words(self) -> str | None:
        """The ticket's state as every page and ``kb actions`` say it next to the item's:
        ``ticket closed on 2026-11-20 (synced 2026-12-01)``; None when never synced."""
        ticket = self.ticket
        if ticket is None:
            return None
        closed = f" on {ticket.closed}" if ticket.closed else ""
        return f"ticket {TICKET_LABELS[ticket.state]}{closed} (synced {ticket.fetched.date()})"

    @property
    def done_on_time(self) -> bool | None:
        """Done by its due date; ``None`` unless it is done with both dates known."""
        item = self.item
        if self.state != "done" or not item.completed or not item.due:
            return None
        return item.completed <= item.due

    @property
    def days_to_done(self) -> int | None:
        """Days from the incident's start to the item's completion, when it is done."""
        if self.state != "done" or not self.item.completed:
            return None
        return (self.item.completed - self.pm.started.date()).days

    def matches(self, owner: str | None = None, team: str | None = None, state: str | None = None) -> bool:
        """Filters for a team's review: a team matches its postmortems and the items it owns."""
        lowered = (self.item.owner or "").lower()
        return (
            (owner is None or lowered == owner.lower())
            and (team is None or lowered == team.lower() or team.lower() in (t.lower() for t in self.pm.teams))
            and (state is None or self.state == state)
        )


def track(item: ActionItem, pm: Postmortem, today: date, due_soon_days: int, snapshot: Snapshot) -> Tracked:
    ticket = snapshot.ticket(item.id, item.tracker)
    return Tracked(
        item,
        pm,
        state(item, today, due_soon_days),
        days_overdue(item, today, due_soon_days),
        ticket,
        disagreement(item, ticket),
    )


def urgency(t: Tracked, today: date) -> tuple[int, int, str]:
    """A sort key, most urgent first, in the board's order: overdue, due soon and open
    items by due date (one without a date as if due today), then done ones, the latest
    first, then those dropped. A page that shows a few of many items shows these first."""
    if t.state == "done":
        when = -(t.item.completed or today).toordinal()
    elif t.state == "wont-do":
        when = 0
    else:
        when = (t.item.due or today).toordinal()
    return STATES.index(t.state), when, t.item.id or ""


def tracked_items(
    postmortems: Iterable[Postmortem], today: date, due_soon_days: int, snapshot: Snapshot
) -> list[Tracked]:
    return [track(item, pm, today, due_soon_days, snapshot) for pm in postmortems for item in pm.action_items]


@dataclass(frozen=True)
class Stale:
    """The tracker states are too old to trust, or were never fetched."""

    synced: datetime | None  # when ``kb sync`` last ran to the end; None: never
    days: int | None  # how long before ``today``

    @property
    def sentence(self) -> str:
        """What the board and the weekly agenda say, with how to bring them up to date."""
        if self.synced is None:
            return "Trackers are configured, but their states were never synced: run `kb sync` to fetch them."
        return (
            f"The tracker states were last synced on {self.synced.date()}, {self.days} days ago: run `kb sync` to "
            "bring them up to date."
        )


def stale_tracker_state(snapshot: Snapshot, settings: Settings, today: date) -> Stale | None:
    """Whether the snapshot is older than ``tracker_max_age`` days on ``today`` (or missing
    while trackers are configured): a board that shows old states must say so."""
    if snapshot.synced is None:
        return Stale(None, None) if settings.trackers else None
    days = (today - snapshot.synced.date()).days
    return Stale(snapshot.synced, days) if days > settings.tracker_max_age else None


@dataclass(frozen=True)
class Figures:
    """The board's headline: how follow-through is going, in numbers."""

    counts: dict[State, int]  # by state, each state as ``state`` defines it
    done_on_time: float | None  # share of done items (with a due date) completed by it
    median_days_to_done: float | None  # from the postmortem's start to completion
    oldest_overdue: Tracked | None


def figures(items: list[Tracked]) -> Figures:
    counts: dict[State, int] = {s: 0 for s in STATES}
    for t in items:
        counts[t.state] += 1
    on_time = [t.done_on_time for t in items if t.done_on_time is not None]
    days = [t.days_to_done for t in items if t.days_to_done is not None]
    overdue = [t for t in items if t.state == "overdue"]
    return Figures(
        counts=counts,
        done_on_time=sum(on_time) / len(on_time) if on_time else None,
        median_days_to_done=statistics.median(days) if days else None,
        oldest_overdue=max(overdue, key=lambda t: (t.days_overdue, t.item.id or "")) if overdue else None,
    )
