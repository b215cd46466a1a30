""" "It came back": a cause seen again after a fix meant to remove it was done."""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from kb.format.model import ActionItem, Postmortem


@dataclass(frozen=True)
class Recurrence:
    cause: str
    item: ActionItem  # the completed fix that addressed ``cause``
    fixed_in: Postmortem  # the postmortem that item belongs to
    came_back_in: Postmortem  # a later postmortem with the same cause


def recurrences(postmortems: list[Postmortem]) -> list[Recurrence]:
    """For each postmortem and cause, the latest fix completed before it started, if any.

    A fix counts only once done (``status: done`` with a ``completed`` date) and only for
    incidents that started after that date: a recurrence before the fix was finished is
    the reason for the fix, not evidence that it failed.
    """
    fixes: dict[str, list[tuple[date, str, ActionItem, Postmortem]]] = defaultdict(list)
    for pm in postmortems:
        for item in pm.action_items:
            if item.status == "done" and item.completed:
                for key in item.addresses:
                    fixes[key].append((item.completed, item.id or "", item, pm))
    for entries in fixes.values():
        entries.sort(key=lambda entry: (entry[0], entry[1]))
    found = []
    for pm in postmortems:
        for key in dict.fromkeys(pm.cause_keys):
            entries = fixes.get(key, [])
            done_before = bisect.bisect_left(entries, pm.started.date(), key=lambda entry: entry[0])
            # The latest qualifying fix: walk back from the bisection point, which is
            # usually the first entry looked at (a full scan would be quadratic).
            latest = next(
                (e for e in reversed(entries[:done_before]) if e[3] is not pm and e[3].started < pm.started), None
            )
            if latest:
                _, _, item, fixed_in = latest
                found.append(Recurrence(key, item, fixed_in, pm))
    return found
