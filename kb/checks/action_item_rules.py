"""Lint for action items: vague titles, due dates past the policy, overdue gates, repeats.

An action item that names no concrete change ("Improve monitoring") is how follow-up
silently dies: nobody can tell when it is done. These checks say so while the
postmortem is still a pull request.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from kb.format.model import Postmortem
from kb.format.problems import Problem
from kb.format.schema import Checker
from kb.format.settings import Settings
from kb.format.yamltree import Tree

# Titles that promise attention or study rather than a change someone can finish.
VAGUE = [
    (re.compile(r"^(investigate|look (into|at)|explore|research|think about|consider|discuss)\b", re.I), "studies"),
    (re.compile(r"\bbe (more )?(careful|vigilant|cautious|aware)\b|\bpay (more )?attention\b", re.I), "asks for care"),
    (re.compile(r"^(improve|enhance|better|fix|update|review|increase|add) \w+$", re.I), "names no concrete change"),
    (re.compile(r"^\w+( \w+)?$"), "is too short to say what will change"),
]
ADVICE = (
    "a good action item is specific (what changes), owned, dated and bounded (you can tell when it is done), "
    "e.g. 'Alert when checkout-api p99 latency exceeds 2 s for 5 minutes' instead of 'Improve monitoring'"
)


def check(pm: Postmortem, settings: Settings, today: date, checker: Checker) -> None:
    """Per-postmortem checks; problems go to ``checker`` with the line of the offending key."""
    limit = settings.due_policy.get(pm.severity or "")
    for i, item in enumerate(pm.action_items):
        closed = item.closed
        for pattern, why in VAGUE:
            if not closed and item.title and pattern.search(item.title):
                checker.report(
                    "warning",
                    ("action_items", i, "title"),
                    f"vague action item {item.title!r} {why}: {ADVICE}",
                    "vague-action-item",
                )
                break
        if limit is not None and item.due and not closed and item.due > pm.started.date() + timedelta(days=limit):
            checker.report(
                "warning",
                ("action_items", i, "due"),
                f"action item due {item.due}, more than {limit} days after the {pm.severity} started "
                f"({pm.started.date()}): the due-date policy asks for {pm.severity} fixes within {limit} days",
                "due-policy",
            )
        if settings.overdue_fails_strict and not closed and item.due and item.due < today:
            checker.report(
                "warning",
                ("action_items", i, "due"),
                f"action item {item.title!r} is overdue since {item.due}",
                "overdue",
            )


def repeated_titles(parsed: Iterable[tuple[Postmortem, Tree]]) -> list[Problem]:
    """The same open action item in several postmortems: one owner, one fix, one place."""
    seen: dict[str, list[tuple[Postmortem, Tree, int]]] = defaultdict(list)
    for pm, tree in parsed:
        for i, item in enumerate(pm.action_items):
            if item.title and not item.closed:
                seen[" ".join(item.title.lower().split())].append((pm, tree, i))
    problems = []
    for places in seen.values():
        for pm, tree, i in places[1:]:
            first = places[0][0]
            problems.append(
                Problem(
                    pm.source,
                    tree.line(("action_items", i, "title")),
                    "warning",
                    f"action item {pm.action_items[i].title!r} is also open in {first.source}: "
                    "track it once and link the postmortems with 'related'",
                    "repeated-action-item",
                )
            )
    return problems
