"""List pages that stay light at any size: a first page, plain later pages, compact rows.

A list page (the explorer, the board, lessons) shows its first ``list_page_size`` rows,
what matters first, and links to plain pages at stable URLs (``/postmortems/page/2/``)
that hold the rest, so a reader without JavaScript (a TechDocs page, a crawler) reaches
every row by links alone. Its filters work over every row in the browser, from a compact
JSON file fetched when a filter is first used (``rows_file``), and they show the first 50
matches, and more on request.

A row is built once, in Python, as the HTML of its cells: the first page, the later
pages and the JSON all come from it, so the browser shows a filtered row exactly as the
page would have. Cells repeat across rows (a postmortem's badges, a service, a link to the
postmortem an item comes from); the JSON holds each distinct one once, and rows point at it.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from kb.format import urls

ROWS_FILE = "list-rows.json"  # next to its list page, in either URL style
PAGE = "page"  # /postmortems/page/2/: a reserved name (urls.RESERVED), never a postmortem's id


@dataclass(frozen=True)
class Column:
    label: str
    # Its heading sorts by this key of ``ListRow.sort``. The first sortable column is the
    # list's own order, newest first (the date): the script sorts by the rows' order, and
    # rows need no key for it.
    sort: str | None = None
    css: str = ""  # the class of its cells


@dataclass(frozen=True)
class ListRow:
    """One row of a list page: its cells, and what its filters, sorting and figures use."""

    id: str  # the postmortem's id, or the action item's: ``data-<id_attribute>``
    cells: list[Markup]
    facets: dict[str, list[str]]
    # What the free-text filter matches besides the text of the cells, which the script
    # takes from them: the rows file holds no word twice. Lower-cased.
    text: str = ""
    group: str = ""  # a heading row starts each group in the list's own order (year, state)
    sort: dict[str, str | int] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)  # the board's: see board.row_figures


@dataclass(frozen=True)
class Pager:
    """Links between a list's pages: the previous and next, and a window of numbers."""

    number: int  # 1 is the list page itself
    count: int
    links: list[tuple[str, str | None]]  # (label, href); no href for the current page and gaps
    previous: str | None
    next: str | None
    first_row: int
    last_row: int
    total: int


def page_path(list_page: str, number: int) -> str:
    """``postmortems/index.md``, 3 -> ``postmortems/page/3.md``; ``services/web.md``, 2 ->
    ``services/web/page/2.md``. Page 1 is the list page."""
    if number == 1:
        return list_page
    folder = list_page.removesuffix(".md").removesuffix("/index").removesuffix("index")
    return f"{folder}/{PAGE}/{number}.md" if folder else f"{PAGE}/{number}.md"


# A later page holds this many first pages' worth of rows. The first page is what a
# reader sees first, so it is short; the later ones are read through, or crawled, and
# each costs the build as much as a postmortem's page: at 10,000 postmortems, later pages
# of 100 rows were 1,100 pages, and made the build 1.27 times as long as plain MkDocs'.
LATER_PAGES = 5


def rows_of(number: int, size: int) -> slice:
    """Which rows page ``number`` holds, when the first holds ``size``."""
    if number == 1:
        return slice(0, size)
    start = size + (number - 2) * size * LATER_PAGES
    return slice(start, start + size * LATER_PAGES)


def page_count(total: int, size: int) -> int:
    return 1 + max(0, math.ceil((total - size) / (size * LATER_PAGES)))


def rows_file(list_page: str) -> str:
    """The JSON of a list's rows, in the list page's folder: ``postmortems/list-rows.json``.
    A list page is its folder's index in either URL style, so its script finds the file
    at ``ROWS_FILE``, relative to the page."""
    folder = list_page.removesuffix(".md").removesuffix("index").rstrip("/")
    return f"{folder}/{ROWS_FILE}" if folder else ROWS_FILE


def pager(list_page: str, number: int, total: int, size: int, directory_urls: bool) -> Pager:
    """The pager of page ``number``: first, last, and the two on either side of it."""
    count = page_count(total, size)
    rows = rows_of(number, size)
    here = page_path(list_page, number)

    def href(n: int) -> str:
        return urls.href(here, page_path(list_page, n), directory_urls)

    shown = {1, count, *range(max(1, number - 2), min(count, number + 2) + 1)}
    # A gap of one page shows that page: "…" would take as much room and say less.
    shown = sorted(shown | {n + 1 for n in shown if n + 2 in shown and n + 1 not in shown})
    links: list[tuple[str, str | None]] = []
    for previous, n in zip([0, *shown], shown, strict=False):
        if n - previous > 1:
            links.append(("…", None))
        links.append((str(n), None if n == number else href(n)))
    return Pager(
        number=number,
        count=count,
        links=links,
        previous=href(number - 1) if number > 1 else None,
        next=href(number + 1) if number < count else None,
        first_row=min(total, rows.start + 1),
        last_row=min(total, rows.stop),
        total=total,
    )


def counts_attribute(rows: Iterable[dict[str, list[str]]], facets: Sequence[str]) -> str:
    """How many rows (given by their facets) have each value of each facet, for the
    filters before the rows are fetched; the script counts the same way once they are."""
    counts: dict[str, Counter[str]] = {f: Counter() for f in facets}
    for values in rows:
        for f in facets:
            counts[f].update(values.get(f, []))
    return json.dumps({f: sorted(c.items()) for f, c in counts.items()}, ensure_ascii=False, separators=(",", ":"))


def rows_json(rows: Iterable[ListRow], columns: Sequence[Column], facets: Sequence[str], id_attribute: str) -> str:
    """The list's rows for its filters: every cell and facet value as an index into
    ``strings``, where each distinct one is once. ``rows`` is read once, and may be made
    as it is read: 30,000 rows with their HTML need not all be in memory at once.

    ``{"id_attribute", "columns": [css], "facets", "sorts", "strings", "rows": [{"id",
    "c": [cell], "f": [[value] per facet], "t": more words, "g": group, "k": [sort key per
    sort but the first], "x": {figure: value}}]}``, rows in the list's own order; a row
    without ``t``, ``g``, ``k`` or ``x`` has none.
    """
    # Each string's index, given on first sight: a C-level counter, as this runs for every
    # cell of 30,000 rows.
    index: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    sorts = [c.sort for c in columns if c.sort]
    encoded = []
    for row in rows:
        record: dict[str, object] = {
            "id": row.id,
            "c": [index[cell] for cell in row.cells],
            "f": [[index[v] for v in row.facets.get(f, [])] for f in facets],
        }
        if row.text:
            record["t"] = row.text
        if row.group:
            record["g"] = index[row.group]
        if len(sorts) > 1:
            record["k"] = [row.sort[s] for s in sorts[1:]]
        if row.figures:
            record["x"] = row.figures
        encoded.append(record)
    data = {
        "id_attribute": id_attribute,
        "columns": [c.css for c in columns],
        "facets": list(facets),
        "sorts": sorts,
        "strings": list(index),
        "rows": encoded,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
