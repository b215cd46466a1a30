"""``/lessons/``: every lesson learned, lucky break and thing that went well, newest first.

Lessons are the part of a postmortem most worth reading across incidents, so they are
gathered here, each linked back to where it was learned. Each entry is one row, once
(``kb.pages.lists``): its kind, its postmortem's cause categories and services are
facets of the filters rather than headings it is repeated under, which made the page
10 MB at 5,000 postmortems. The first page shows the lessons of the newest incidents;
plain later pages (``/lessons/page/2/``) hold the rest.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from markupsafe import Markup

from kb.format import urls
from kb.format.model import Postmortem
from kb.pages.common import Badge, Context, badge_html, pm_anchor
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
from kb.render.escape import attr, meta

PAGE = "lessons/index.md"
NO_CAUSE = "No cause recorded"  # drafts may have no cause yet; their lessons still count
NO_SERVICE = "No service recorded"

# (list field of a postmortem, the Kind a reader sees, the word in an entry's id), in the
# order a postmortem's entries are listed.
KINDS = (
    ("lessons", "Lesson", "lesson"),
    ("got_lucky", "Got lucky", "got-lucky"),
    ("went_well", "Went well", "went-well"),
)
FACETS = ("kind", "category", "service", "year")
# Sorted by date alone, the list's own order: a sort key would be repeated in every row of
# the rows file, three or four rows a postmortem (a key of titles made it a fifth larger).
COLUMNS = [Column("Date", sort="date", css="pm-date"), Column("Lesson"), Column("Kind"), Column("Postmortem")]
ID_ATTRIBUTE = "lesson"
NEAR_MISS = badge_html([Badge("Near-miss", "near-miss")])


@dataclass(frozen=True)
class Entry:
    """One lesson (or lucky break, or thing that went well) and where it came from."""

    id: str  # ``<postmortem id>:<kind word>:<n>``, n counting from 1 in the postmortem's list
    kind: str  # a label of ``KINDS``
    text: str
    pm: Postmortem
    facets: dict[str, list[str]]  # shared by the entries of one postmortem


def category_title(category: str) -> str:
    """``change-management`` -> ``Change management``: categories are written as keys."""
    return category.replace("-", " ").replace("_", " ").strip().capitalize() or category


def pm_facets(pm: Postmortem, ctx: Context) -> dict[str, list[str]]:
    """What an entry is filtered by besides its kind: its postmortem's cause categories
    and services (a catch-all value when it has none, so every entry has one), and year."""
    causes = ctx.library.causes
    categories = sorted({category_title(causes[k].category) for k in pm.cause_keys if k in causes})
    return {
        "category": categories or [NO_CAUSE],
        "service": sorted(set(pm.services)) or [NO_SERVICE],
        "year": [ctx.date(pm)[:4]],
    }


def entries(ctx: Context) -> list[Entry]:
    """Every entry, newest postmortem first; computed once a build for all of the pages."""

    def make() -> list[Entry]:
        found = []
        for pm in ctx.library.postmortems:
            if not (pm.lessons or pm.got_lucky or pm.went_well):
                continue
            shared = pm_facets(pm, ctx)
            for field, label, word in KINDS:
                found += [
                    Entry(f"{pm.slug}:{word}:{n}", label, text, pm, {"kind": [label], **shared})
                    for n, text in enumerate(getattr(pm, field), 1)
                ]
        return found

    return ctx.once(("lessons",), make)


def entry_count(pm: Postmortem) -> int:
    return len(pm.lessons) + len(pm.got_lucky) + len(pm.went_well)


def entry_row(entry: Entry, from_page: str, ctx: Context) -> ListRow:
    pm = entry.pm
    source = pm_anchor(pm, from_page, ctx)
    date = ctx.date(pm)
    return ListRow(
        id=entry.id,
        cells=[
            attr(date),
            attr(entry.text),
            attr(entry.kind),
            source + Markup(" ") + NEAR_MISS if pm.type == "near-miss" else source,
        ],
        facets=entry.facets,
        # The text and the postmortem's title are in the cells; the date sorts by the list's order.
    )


def rows_file(ctx: Context) -> str:
    """Every entry's row, for the filters (``kb.pages.lists.rows_json``), linked as from the first page."""
    rows = (entry_row(entry, PAGE, ctx) for entry in entries(ctx))
    return rows_json(rows, COLUMNS, FACETS, ID_ATTRIBUTE)


def lessons_page(ctx: Context, number: int = 1) -> Rendered:
    """Page ``number`` of the lessons: the first is ``/lessons/``, with the totals and filters."""
    every = entries(ctx)
    size = ctx.library.settings.list_page_size
    page = page_path(PAGE, number)
    first = number == 1
    kinds = Counter(entry.kind for entry in every) if first else Counter()
    return render(
        "lessons.md.j2",
        # Each lesson is already found by search on its postmortem's page; indexed here
        # too, it would come back twice in results.
        meta=meta(
            {
                "title": "Lessons learned" if first else f"Lessons learned, page {number}",
                "hide": ["toc"],
                "search": {"exclude": True},
            }
        ),
        first=first,
        total=len(every),
        lessons=kinds["Lesson"],
        got_lucky=kinds["Got lucky"],
        went_well=kinds["Went well"],
        postmortems=sum(1 for pm in ctx.library.postmortems if pm.lessons) if first else 0,
        near_miss=NEAR_MISS,
        rows=[entry_row(entry, page, ctx) for entry in every[rows_of(number, size)]],
        columns=COLUMNS,
        id_attribute=ID_ATTRIBUTE,
        facets=FACETS,
        # Counted over every entry, for the filters before the rows are fetched.
        counts=counts_attribute((entry.facets for entry in every), FACETS) if first else "",
        rows_file=ROWS_FILE,
        page_size=size,
        first_page=urls.relative(page, PAGE),
        pager=pager(PAGE, number, len(every), size, ctx.directory_urls),
    )
