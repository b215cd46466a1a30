"""Similar postmortems: shared causes, services and tags, plus similar wording.

Candidates come from dictionaries keyed by cause, service and tag (only the postmortems
nearest in time under each key, so a cause shared by thousands stays cheap), plus
more-like-this over the wording (``kb.analysis.wording``). Nothing compares all pairs.
"""

from __future__ import annotations

import bisect
import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass

from kb.format.model import Cause, Postmortem

# How much one shared key counts; wording adds up to WORDING for the closest text.
WEIGHTS = {"cause": 3, "service": 2, "tag": 1}  # whole numbers: see similar_postmortems
WORDING = 3.0
NEIGHBOURS = 25  # per key: the postmortems nearest in time that are considered


@dataclass(frozen=True)
class Similar:
    pm: Postmortem
    score: float
    reasons: list[str]


Wording = dict[str, list[tuple[str, float]]]  # id -> [(similar id, score)], best first


def _keys(pm: Postmortem) -> dict[tuple[str, str], None]:
    """The (kind, value) keys a postmortem is filed under, each once, in order."""
    kinds = {"cause": pm.cause_keys, "service": pm.services, "tag": pm.tags}
    return dict.fromkeys((kind, value) for kind, values in kinds.items() for value in values)


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def similar_postmortems(
    postmortems: list[Postmortem],
    causes: dict[str, Cause],
    related: dict[str, list[Postmortem]],
    wording: Wording,
    limit: int,
) -> dict[str, list[Similar]]:
    """Up to ``limit`` similar postmortems for each, best first, each with its reasons."""
    # Postmortems are numbered oldest first and each key lists its postmortems' numbers in
    # that order: the nearest in time are a slice, and of equal scores the newer wins.
    oldest_first = sorted(postmortems, key=lambda pm: (pm.started, pm.slug))
    position = {pm.slug: n for n, pm in enumerate(oldest_first)}
    posting: dict[tuple[str, str], list[int]] = defaultdict(list)
    for n, pm in enumerate(oldest_first):
        for key in _keys(pm):
            posting[key].append(n)

    result: dict[str, list[Similar]] = {}
    for pm in postmortems:
        me = position[pm.slug]
        excluded = {me, *(position[r.slug] for r in related.get(pm.slug, []))}
        windows = [(key, _nearest(posting[key], me)) for key in _keys(pm)]
        # Counter counts a list in C, and weights are whole numbers: counting a window
        # ``weight`` times adds the weight to each postmortem in it.
        scores: Counter[int] = Counter()
        for (kind, _), window in windows:
            scores.update(window * WEIGHTS[kind])
        for n in excluded:
            scores.pop(n, None)
        matches = wording.get(pm.slug, [])
        best = matches[0][1] if matches else 1.0
        worded = set()
        for other, score in matches:
            n = position.get(other)
            if n is not None and n not in excluded:
                scores[n] += WORDING * score / best
                worded.add(n)
        result[pm.slug] = [
            Similar(
                oldest_first[n],
                round(float(score), 3),
                # Reasons only for the few shown, not for every candidate.
                _reasons([key for key, window in windows if n in window], n in worded, causes),
            )
            for score, n in heapq.nlargest(limit, zip(scores.values(), scores, strict=True))
        ]
    return result


def _nearest(members: list[int], me: int) -> list[int]:
    """The members nearest to position ``me`` in time, ``NEIGHBOURS`` at most."""
    at = bisect.bisect_left(members, me)
    half = NEIGHBOURS // 2
    start = max(0, min(at - half, len(members) - NEIGHBOURS))
    return members[start : start + NEIGHBOURS + 1]


def _reasons(pairs: list[tuple[str, str]], worded: bool, causes: dict[str, Cause]) -> list[str]:
    shared: dict[str, list[str]] = defaultdict(list)
    for kind, value in pairs:
        shared[kind].append(value)
    reasons = []
    if shared.get("cause"):
        titles = [causes[k].title if k in causes else k for k in shared["cause"]]
        reasons.append(f"shares cause{'s' if len(titles) > 1 else ''} {_and(titles)}")
    if shared.get("service"):
        names = shared["service"]
        reasons.append(f"same service{'s' if len(names) > 1 else ''} {_and(names)}")
    if shared.get("tag"):
        reasons.append(f"tagged {_and(shared['tag'])}")
    if worded:
        reasons.append("similar wording")
    return reasons
