"""``/postmortems/``: every postmortem, newest first by year, with the explorer's filters."""

from __future__ import annotations

import json
import posixpath

from kb.checks.library import Library
from kb.format import urls
from kb.format.model import Postmortem
from kb.pages.common import Context
from kb.pages.lists import (
    ROWS_FILE,
    Column,
    ListRow,
    counts_attribute,
    page_path,
    pager,
    rows_json,
    rows_of,
)
from kb.pages.rendering import render
from kb.render.deferred import Rendered
from kb.render.escape import attr, html_link, meta

FACETS = ("severity", "type", "status", "service", "team", "cause", "year")

# What else the free-text filter matches: each postmortem's summary, lessons (with what went
# well, wrong and lucky), action items and causes' details. In the rows they would add several
# MB to the page at thousands of postmortems, for a filter most visits never use; in a file
# of their own next to the page (a data file of the build), the script fetches them when
# the filter is first used. Same folder as the page in either URL style, so one relative URL.
WORDS = posixpath.join(posixpath.dirname(urls.POSTMORTEMS), "filter-words.json")


COLUMNS = [
    Column("Date", sort="date", css="pm-date"),
    Column("Postmortem", sort="title"),
    Column("Severity", sort="severity"),
    Column("Services"),
    Column("Causes"),
]
ID_ATTRIBUTE = "pm"


def facets(pm: Postmortem, ctx: Context) -> dict[str, list[str]]:
    return {
        "severity": [pm.severity or "none"],
        "type": [pm.type],
        "status": [pm.status],
        "service": pm.services,
        "team": pm.teams,
        "cause": pm.cause_keys,
        "year": [ctx.date(pm)[:4]],
    }


def explorer_row(pm: Postmortem, from_page: str, ctx: Context) -> ListRow:
    severities = ctx.library.settings.severities
    date = ctx.date(pm)
    href = urls.href(from_page, urls.postmortem(pm.slug), ctx.directory_urls)
    return ListRow(
        id=pm.slug,
        cells=[
            attr(date),
            html_link(href, pm.title),
            ctx.badges(pm),
            attr(", ".join(pm.services)),
            attr(", ".join(pm.cause_keys)),
        ],
        facets=facets(pm, ctx),
        text=" ".join([pm.slug, *pm.teams, *pm.tags]).lower(),  # the title, services and causes are cells
        group=date[:4],
        sort={  # and the date: the list's own order (lists.Column)
            "title": pm.title.lower(),
            # SEV1 first; near-misses last
            "severity": severities.index(pm.severity) if pm.severity else len(severities),
        },
    )


def row_text(pm: Postmortem) -> str:
    """What the row's filter matches without the words file: id, title, services, teams,
    cause keys, tags (some from its cells, the others in its ``text``)."""
    return " ".join([pm.slug, pm.title, *pm.services, *pm.teams, *pm.cause_keys, *pm.tags]).lower()


def extra_words(pm: Postmortem, text: str) -> str:
    """The words of ``pm``'s summary, lessons, action items and causes' details that its row's
    ``text`` does not match already, lower-cased, space-separated.

    The filter matches a typed word anywhere inside the text, so a word found inside the
    row's text, or inside a longer word kept here, would match nothing more: it is left
    out, and the filter finds exactly what it would with all of those texts in the row.
    """
    texts = [
        pm.summary or "",
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


def rows_file(ctx: Context) -> str:
    """Every postmortem's row, for the explorer's filters (``kb.pages.lists.rows_json``)."""
    rows = (explorer_row(pm, urls.POSTMORTEMS, ctx) for pm in ctx.library.postmortems)
    return rows_json(rows, COLUMNS, FACETS, ID_ATTRIBUTE)


def postmortems_page(ctx: Context, number: int = 1) -> Rendered:
    """Page ``number`` of the explorer: the first is ``/postmortems/``, with the filters."""
    postmortems = ctx.library.postmortems
    size = ctx.library.settings.list_page_size
    page = page_path(urls.POSTMORTEMS, number)
    shown = postmortems[rows_of(number, size)]
    first = number == 1
    return render(
        "postmortems.md.j2",
        meta=meta(
            {
                "title": "Postmortems" if first else f"Postmortems, page {number}",
                "hide": ["navigation", "toc"],
                "search": {"exclude": True},
            }
        ),
        first=first,
        total=len(postmortems),
        near_misses=sum(1 for pm in postmortems if pm.type == "near-miss") if first else 0,
        rows=[explorer_row(pm, page, ctx) for pm in shown],
        columns=COLUMNS,
        id_attribute=ID_ATTRIBUTE,
        facets=FACETS,
        # Counted over every postmortem, for the filters before the rows are fetched.
        counts=counts_attribute((facets(pm, ctx) for pm in postmortems), FACETS) if first else "",
        words=posixpath.basename(WORDS),
        rows_file=ROWS_FILE,
        page_size=size,
        first_page=urls.relative(page, urls.POSTMORTEMS),
        pager=pager(urls.POSTMORTEMS, number, len(postmortems), size, ctx.directory_urls),
    )
