"""Where an action item's file and its ticket disagree, and what to do about it.

The one definition of "disagrees": ``kb lint`` and the build warn with it, and the board,
the JSON API and ``kb actions`` (through ``kb.analysis.action_item_states.Tracked``) show
it, so they cannot differ on which items need a look.

A ticket closed while its item is still open has one right answer, which ``kb sync
--write`` can write. An item closed in its file while its ticket is open again has two
(the work came back, or the ticket was reopened by mistake): a person must decide, and
the warning says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from kb.format.model import ActionItem, Postmortem
from kb.format.problems import Problem
from kb.format.yamltree import Tree
from kb.load.tracker_state import Snapshot, Ticket

Kind = Literal["closed", "not-planned", "reopened"]


@dataclass(frozen=True)
class Disagreement:
    """An item and its ticket that say different things."""

    kind: Kind  # closed: the ticket is done; not-planned: closed as not planned; reopened: open again
    tracker: str  # the item's ``tracker`` value, as its author knows the ticket
    ticket: Ticket

    @property
    def needs_a_person(self) -> bool:
        """No sync can settle it: every list of disagreements shows these first."""
        return self.kind == "reopened"

    @property
    def fix(self) -> str:
        """What to do, in the words the lint message and the board share; `code` marks what to write."""
        ticket, closed = self.tracker, self.ticket.closed
        on = f" on {closed}" if closed else ""
        completed = f"`completed: {closed}`" if closed else "`completed` with the day it was done"
        if self.kind == "closed":
            return f"{ticket} was closed{on}: set `status: done` and {completed} (or run `kb sync --write`)"
        if self.kind == "not-planned":
            return (
                f"{ticket} was closed as not planned{on}: set `status: wont-do` and a `note` that names the "
                f"ticket, e.g. `note: {not_planned_note(ticket)}` (or run `kb sync --write`)"
            )
        return (
            f"{ticket} is open again, but this item is closed: a person must decide whether to reopen the item "
            "(`status: open`, with an `owner` and a `due` date) or close the ticket; `kb sync --write` leaves "
            "it as it is"
        )


def not_planned_note(tracker: str) -> str:
    """The note ``kb sync --write`` gives an item whose ticket was closed as not planned."""
    return f"Closed as not planned in {tracker}"


def disagreement(item: ActionItem, ticket: Ticket | None) -> Disagreement | None:
    """How ``item`` and its ticket disagree, if they do. Both closed, in whichever way,
    agree: the file says how the work ended."""
    if ticket is None or item.tracker is None:
        return None
    if ticket.state == "open":
        return Disagreement("reopened", item.tracker, ticket) if item.closed else None
    if item.closed:
        return None
    return Disagreement("closed" if ticket.state == "done" else "not-planned", item.tracker, ticket)


def check(parsed: Iterable[tuple[Postmortem, Tree]], snapshot: Snapshot) -> list[Problem]:
    """A warning per disagreeing item, at its ``status`` line (the item's, when it has none):
    the line the fix changes. Never an error: a sync must not take a postmortem off the site."""
    if not snapshot.tickets:
        return []
    problems = []
    for pm, tree in parsed:
        for i, item in enumerate(pm.action_items):
            found = disagreement(item, snapshot.ticket(item.id, item.tracker))
            if found is not None:
                line = tree.line(("action_items", i, "status"))
                message = f"action item {item.title!r}: its ticket {found.fix}"
                problems.append(Problem(pm.source, line, "warning", message, "tracker-disagrees"))
    return problems
