""" "It came back": a cause seen again after a fix meant to remove it was done.

A fix counts against a later postmortem only where it could have prevented it: the fix
addresses the cause, and the later postmortem has a service the fix covers. A fix covers
the services and teams of the postmortem it came from, or, when its ``scope`` lists
services, exactly those. A cause key alone is not enough: the same kind of failure in
another system is not evidence that this fix failed.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Literal

from kb.format.model import ActionItem, Postmortem
from kb.format.urls import slugify

Reach = Literal["service", "team", "scope"]  # how a fix reaches a later postmortem
WHY = {"service": "same service", "team": "same team", "scope": "in the scope of the fix: service"}


@dataclass(frozen=True)
class Recurrence:
    cause: str
    item: ActionItem  # the completed fix that addressed ``cause``
    fixed_in: Postmortem  # the postmortem that item belongs to
    came_back_in: Postmortem  # a later postmortem with the same cause
    reach: Reach  # why the fix applies to it
    name: str  # the service or team they share


# A completed fix, as an entry of the fixes of one cause in one service or team.
_Fix = tuple[date, str, ActionItem, Postmortem, Reach]


def recurrences(postmortems: list[Postmortem]) -> list[Recurrence]:
    """For each postmortem and cause, the latest fix completed before it started that
    could have prevented it, if any.

    A fix counts only once done (``status: done`` with a ``completed`` date) and only for
    incidents that started after that date: a recurrence before the fix was finished is
    the reason for the fix, not evidence that it failed.
    """
    # Fixes by (cause, "service" or "team", name as in URLs), oldest first: a postmortem
    # looks up only the lists of its own services and teams.
    fixes: dict[tuple[str, str, str], list[_Fix]] = defaultdict(list)
    for pm in postmortems:
        for item in pm.action_items:
            if item.status != "done" or not item.completed:
                continue
            reaches = _reaches(pm, item)
            for key in item.addresses:
                for group, reach, name in reaches:
                    fixes[(key, group, slugify(name))].append((item.completed, item.id or "", item, pm, reach))
    for entries in fixes.values():
        entries.sort(key=lambda entry: (entry[0], entry[1]))
    found = []
    for pm in postmortems:
        shared = [("service", name) for name in pm.services] + [("team", name) for name in pm.teams]
        for key in dict.fromkeys(pm.cause_keys):
            # The latest fix of all; of equal ones, the first found (a shared service before a team).
            latest: tuple[_Fix, str] | None = None
            for group, name in shared:
                fix = _latest_before(fixes.get((key, group, slugify(name)), []), pm)
                if fix and (latest is None or fix[:2] > latest[0][:2]):
                    latest = (fix, name)
            if latest:
                (_, _, item, fixed_in, reach), name = latest
                found.append(Recurrence(key, item, fixed_in, pm, reach, name))
    return found


def _reaches(pm: Postmortem, item: ActionItem) -> list[tuple[str, Reach, str]]:
    """What ``item`` covers, as (``service`` or ``team``, how, name)."""
    if not item.scope:
        return [("service", "service", name) for name in pm.services] + [("team", "team", name) for name in pm.teams]
    own = {slugify(name) for name in pm.services}
    return [("service", "service" if slugify(name) in own else "scope", name) for name in item.scope]


def _latest_before(entries: list[_Fix], pm: Postmortem) -> _Fix | None:
    """The latest of ``entries`` completed before ``pm`` started, from another, earlier postmortem."""
    done_before = bisect.bisect_left(entries, pm.started.date(), key=lambda entry: entry[0])
    # Walking back from the bisection point usually stops at the first entry looked at
    # (a full scan would be quadratic).
    return next((e for e in reversed(entries[:done_before]) if e[3] is not pm and e[3].started < pm.started), None)
