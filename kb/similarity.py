"""Similar postmortems: shared causes, services and tags, plus similar wording.

Candidates come from dictionaries keyed by cause, service and tag (only the postmortems
nearest in time under each key, so a cause shared by thousands stays cheap), plus
more-like-this over the wording (``kb.wording``). Nothing compares all pairs.
"""

from __future__ import annotations

import bisect
import heapq
from collections import defaultdict
from dataclasses import dataclass

from kb.model import Cause, Postmortem

# How much one shared key counts; wording adds up to WORDING for the closest text.
WEIGHTS = {"cause": 3.0, "service": 2.0, "tag": 1.0}
WORDING = 3.0
NEIGHBOURS = 25  # per key: the postmortems nearest in time that are considered


@dataclass(frozen=True)
class Similar:
    pm: Postmortem
    score: float
    reasons: list[str]


Wording = dict[str, list[tuple[str, float]]]  # id -> [(similar id, score)], best first


def _keys(pm: Postmortem) -> dict[str, list[str]]:
    return {"cause": pm.cause_keys, "service": pm.services, "tag": pm.tags}


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
    by_id = {pm.slug: pm for pm in postmortems}
    oldest_first = sorted(postmortems, key=lambda pm: (pm.started, pm.slug))
    position = {pm.slug: n for n, pm in enumerate(oldest_first)}
    posting: dict[tuple[str, str], list[int]] = defaultdict(list)
    for n, pm in enumerate(oldest_first):
        for kind, values in _keys(pm).items():
            for value in dict.fromkeys(values):
                posting[(kind, value)].append(n)

    slugs = [pm.slug for pm in oldest_first]
    result: dict[str, list[Similar]] = {}
    for pm in postmortems:
        excluded = {pm.slug} | {r.slug for r in related.get(pm.slug, [])}
        shared: dict[str, list[tuple[str, str]]] = defaultdict(list)  # other -> (kind, value) it shares
        scores: dict[str, float] = defaultdict(float)
        for kind, values in _keys(pm).items():
            weight = WEIGHTS[kind]
            for value in dict.fromkeys(values):
                for n in _nearest(posting[(kind, value)], position[pm.slug]):
                    other = slugs[n]
                    if other not in excluded:
                        shared[other].append((kind, value))
                        scores[other] += weight
        matches = wording.get(pm.slug, [])
        best = matches[0][1] if matches else 1.0
        worded = set()
        for other, score in matches:
            if other not in excluded and other in by_id:
                scores[other] += WORDING * score / best
                worded.add(other)
        ranked = heapq.nsmallest(limit, scores, key=lambda other: (-scores[other], -position[other]))
        result[pm.slug] = [
            Similar(by_id[o], round(scores[o], 3), _reasons(shared[o], o in worded, causes)) for o in ranked
        ]
    return result


def _nearest(members: list[int], me: int) -> list[int]:
    """The members nearest to position ``me`` in time, ``NEIGHBOURS`` at most."""
    at = bisect.bisect_left(members, me)
    half = NEIGHBOURS // 2
    start = max(0, min(at - half, len(members) - NEIGHBOURS))
    return members[start : start + NEIGHBOURS + 1]


def _reasons(pairs: list[tuple[str, str]], worded: bool, causes: dict[str, Cause]) -> list[str]:
    """Reasons are worded only for the few postmortems shown, not for every candidate."""
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
