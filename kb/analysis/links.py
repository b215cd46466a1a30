"""Grouping postmortems by cause, service and team, and related links in both directions.

Everything is grouped with dictionaries in one pass: no pairwise loops over the library.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kb.format import urls
from kb.format.model import Postmortem


@dataclass(frozen=True)
class Group:
    """Postmortems sharing one service or team; ``slug`` is its URL name."""

    slug: str
    name: str
    postmortems: list[Postmortem]  # newest first


@dataclass(frozen=True)
class Links:
    by_cause: dict[str, list[Postmortem]]
    services: dict[str, Group]  # by slug
    teams: dict[str, Group]
    related: dict[str, list[Postmortem]]  # both directions: if A lists B, B shows A


def _groups(postmortems: list[Postmortem], names_of: str) -> dict[str, Group]:
    """Group by slug, so "Checkout API" and "checkout-api" are one page, named as first seen."""
    members: dict[str, list[Postmortem]] = defaultdict(list)
    names: dict[str, str] = {}
    for pm in postmortems:
        for name in dict.fromkeys(getattr(pm, names_of)):
            slug = urls.slugify(name)
            names.setdefault(slug, name)
            members[slug].append(pm)
    return {slug: Group(slug, names[slug], pms) for slug, pms in sorted(members.items())}


def link(postmortems: list[Postmortem]) -> Links:
    """Cross-links of ``postmortems`` (newest first), which all belong to one audience."""
    by_id = {pm.slug: pm for pm in postmortems}
    by_cause: dict[str, list[Postmortem]] = defaultdict(list)
    related: dict[str, dict[str, Postmortem]] = defaultdict(dict)
    for pm in postmortems:
        for key in dict.fromkeys(pm.cause_keys):
            by_cause[key].append(pm)
        # A link to a postmortem outside this audience is dropped: no trace of it.
        for other_id in pm.related:
            if other_id in by_id and other_id != pm.slug:
                related[pm.slug][other_id] = by_id[other_id]
                related[other_id][pm.slug] = pm
    order = {pm.slug: n for n, pm in enumerate(postmortems)}
    return Links(
        by_cause=dict(by_cause),
        services=_groups(postmortems, "services"),
        teams=_groups(postmortems, "teams"),
        related={k: sorted(v.values(), key=lambda pm: order[pm.slug]) for k, v in related.items()},
    )
