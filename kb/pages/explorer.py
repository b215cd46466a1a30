"""``/postmortems/``: every postmortem, newest first by year, with the explorer's filters."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from markupsafe import Markup

from kb.format import urls
from kb.format.model import Postmortem
from kb.pages.common import Context
from kb.pages.rendering import render
from kb.render.deferred import Rendered
from kb.render.escape import meta


@dataclass(frozen=True)
class Row:
    """One row of the explorer: what it shows, and the values its filters match."""

    pm: Postmortem
    date: str
    href: str
    badges: Markup
    severity_rank: int  # sorts SEV1 first; near-misses last
    facets: dict[str, list[str]]
    text: str  # what the free-text filter matches


FACETS = ("severity", "type", "status", "service", "team", "cause", "year")


def explorer_row(pm: Postmortem, ctx: Context) -> Row:
    severities = ctx.library.settings.severities
    date = ctx.date(pm)
    return Row(
        pm=pm,
        date=date,
        href=urls.href(urls.POSTMORTEMS, urls.postmortem(pm.slug), ctx.directory_urls),
        badges=ctx.badges(pm),
        severity_rank=severities.index(pm.severity) if pm.severity else len(severities),
        facets={
            "severity": [pm.severity or "none"],
            "type": [pm.type],
            "status": [pm.status],
            "service": pm.services,
            "team": pm.teams,
            "cause": pm.cause_keys,
            "year": [date[:4]],
        },
        text=" ".join([pm.slug, pm.title, pm.summary or "", *pm.services, *pm.teams, *pm.cause_keys, *pm.tags]).lower(),
    )


def postmortems_page(ctx: Context) -> Rendered:
    postmortems = ctx.library.postmortems
    rows = [explorer_row(pm, ctx) for pm in postmortems]
    years = [(year, list(group)) for year, group in groupby(rows, key=lambda row: row.facets["year"][0])]
    return render(
        "postmortems.md.j2",
        meta=meta({"title": "Postmortems", "hide": ["navigation", "toc"], "search": {"exclude": True}}),
        total=len(postmortems),
        near_misses=sum(1 for pm in postmortems if pm.type == "near-miss"),
        years=years,
        facets=FACETS,
    )
