"""The analyze stage: everything derived across postmortems, computed once per build."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from kb.library import Library
from kb.links import Links, link
from kb.recurrence import Recurrence, recurrences
from kb.similarity import Similar, similar_postmortems
from kb.timing import timed
from kb.wording import similar_wording


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


def analyze(library: Library, seconds: dict[str, float] | None = None) -> Analysis:
    """Cross-links, similarity and recurrences, from the postmortems alone; the time of
    each part is added to ``seconds`` ("links", "similarity", "recurrences") if given."""
    seconds = {} if seconds is None else seconds
    with timed(seconds, "links"):
        links = link(library.postmortems)
    with timed(seconds, "similarity"):
        limit = library.settings.similar_limit
        wording = similar_wording(library.postmortems, limit * 2)
        similar = similar_postmortems(library.postmortems, library.causes, links.related, wording, limit)
    with timed(seconds, "recurrences"):
        found = recurrences(library.postmortems)
    return Analysis(
        links=links,
        recurrences=found,
        came_back_in=_group(found, lambda r: r.came_back_in.slug),
        came_back_for=_group(found, lambda r: r.cause),
        similar=similar,
    )
