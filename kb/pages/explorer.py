"""``/postmortems/``: every postmortem, newest first by year, with the explorer's filters."""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from itertools import groupby

from markupsafe import Markup

from kb.checks.library import Library
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

# What else the free-text filter matches: each postmortem's lessons (with what went well,
# wrong and lucky), action items and causes' details. In the rows they would add several
# MB to the page at thousands of postmortems, for a filter most visits never use; in a file
# of their own next to the page (a data file of the build), the script fetches them when
# the filter is first used. Same folder as the page in either URL style, so one relative URL.
WORDS = posixpath.join(posixpath.dirname(urls.POSTMORTEMS), "filter-words.json")


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
        text=row_text(pm),
    )


def row_text(pm: Postmortem) -> str:
    """What the page's row carries for the filter: id, title, summary, services, teams, cause keys, tags."""
    return " ".join([pm.slug, pm.title, pm.summary or "", *pm.services, *pm.teams, *pm.cause_keys, *pm.tags]).lower()


def extra_words(pm: Postmortem, text: str) -> str:
    """The words of ``pm``'s lessons, action items and causes' details that its row's
    ``text`` does not match already, lower-cased, space-separated.

    The filter matches a typed word anywhere inside the text, so a word found inside the
    row's text, or inside a longer word kept here, would match nothing more: it is left
    out, and the filter finds exactly what it would with all of those texts in the row.
    """
    texts = [
        *pm.lessons,
        *pm.went_well,
        *pm.went_wrong,
        *pm.got_lucky,
        *(f"{item.title} {item.note or ''}" for item in pm.action_items),
        *(cause.detail or "" for cause in pm.causes),
    ]
    kept: list[str] = []
    covered = text
    # Longest first, so a word is checked against every word that could contain it.
    for word in sorted({w for t in texts for w in t.lower().split()}, key=lambda w: (-len(w), w)):
        if word not in covered:
            kept.append(word)
            covered += " " + word
    return " ".join(kept)


def words_file(library: Library) -> str:
    """``WORDS``: ``{id: extra words}`` for the build's postmortems that have any."""
    words = {pm.slug: extra_words(pm, row_text(pm)) for pm in library.postmortems}
    return json.dumps({slug: w for slug, w in words.items() if w}, ensure_ascii=False, separators=(",", ":")) + "\n"


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
        words=posixpath.basename(WORDS),
    )
