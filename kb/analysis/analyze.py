"""The analyze stage: everything derived across postmortems, computed once per build."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from kb.analysis.links import Links, link
from kb.analysis.recurrence import Recurrence, recurrences
from kb.analysis.similarity import Similar, similar_postmortems
from kb.analysis.wording import similar_wording
from kb.checks.library import Library


@dataclass(frozen=True)
class Analysis:
    links: Links
    recurrences: list[Recurrence]
    came_back_in: dict[str, list[Recurrence]]  # by the id of the postmortem it came back in
    came_back_for: dict[str, list[Recurrence]]  # by cause key
    similar: dict[str, list[Similar]]


def _group(items: list[Recurrence], key: Callable[[Recurrence], str]) -> dict[str, list[Recurrence]]:
    grouped: dict[str, list[Recurrence]] = defaultdict(list)
    for item in items:
        grouped[key(item)].append(item)
    return dict(grouped)


# Each part of the analysis runs inside ``part(name)``: the build times them.
Part = Callable[[str], AbstractContextManager[object]]


def analyze(library: Library, part: Part = nullcontext) -> Analysis:
    """Cross-links, similarity and recurrences, from the postmortems alone, in the parts
    "links", "similarity" and "recurrences"."""
    with part("links"):
        links = link(library.postmortems)
    with part("similarity"):
        limit = library.settings.similar_limit
        wording = similar_wording(library.postmortems, limit * 2)
        similar = similar_postmortems(library.postmortems, library.causes, links.related, wording, limit)
    with part("recurrences"):
        found = recurrences(library.postmortems)
    return Analysis(
        links=links,
        recurrences=found,
        came_back_in=_group(found, lambda r: r.came_back_in.slug),
        came_back_for=_group(found, lambda r: r.cause),
        similar=similar,
    )
