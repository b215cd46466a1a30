"""``/action-items/``: the follow-through board a lead reviews every week.

A list page (``kb.pages.lists``): its first page has the headline figures over every
item and the first ``list_page_size`` rows, the most overdue first; plain later pages
hold the rest, and the filters work over every item from ``list-rows.json``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from kb.analysis.action_item_states import (
    LABELS,
    STATES,
    Figures,
    Tracked,
    figures,
    stale_tracker_state,
    tracked_items,
)
from kb.format import urls
from kb.pages.common import Context, anchor, pm_anchor, pm_link, state_badge, ticket_note
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
from kb.render.escape import attr, html_code_spans, html_link, meta

PAGE = urls.ACTION_ITEMS
FACETS = ("owner", "team", "service", "cause", "state")
TRACKER_FACET = "tracker"  # only on a board with tickets: one without looks as it did
DISAGREES = "disagrees"  # the tracker facet's value for rows whose file and ticket disagree
COLUMNS = [
    Column("Action item"),
    Column("Owner"),
    Column("Due"),
    Column("State"),
    Column("Postmortem"),
    Column("Tracker"),
    Column("Addresses"),
]
ID_ATTRIBUTE = "item"
_STATE_BADGES = {state: state_badge(state) for state in STATES}  # five, on every row

_WEB = ("https://", "http://")


def tracker_html(t: Tracked) -> Markup:
    """A link for web trackers, and for an issue key (``OPS-12``) whose ticket's page
    ``kb sync`` found; any other value or scheme stays text."""
    tracker = t.item.tracker
    if not tracker:
        return Markup("")
    if tracker.startswith(_WEB):
        return html_link(tracker, tracker.split("://", 1)[1][:40])
    if t.ticket and t.ticket.url.startswith(_WEB):
        return html_link(t.ticket.url, tracker)
    return attr(tracker)


def tracker_cell(t: Tracked) -> Markup:
    """The tracker column: the ticket, and its state under it when ``kb sync`` saw it."""
    note = ticket_note(t)
    return tracker_html(t) + (Markup("<br>") + note if note else Markup())


def row_figures(t: Tracked) -> dict[str, str]:
    """What a row adds to "done by their due date" and "median days to done", for the
    board's script to compute the figures over the rows a filter shows."""
    figures = {}
    if t.done_on_time is not None:
        figures["on-time"] = "1" if t.done_on_time else "0"
    if t.days_to_done is not None:
        figures["days-to-done"] = str(t.days_to_done)
    return figures


def _facets(t: Tracked) -> dict[str, list[str]]:
    facets = {
        "owner": [t.item.owner or "unowned"],
        "team": t.pm.teams,
        "service": t.pm.services,  # a service's page links to the board filtered by it
        "cause": t.item.addresses,  # a cause's page links to the fixes meant to remove it
        "state": [t.state],
    }
    if t.ticket:  # its state, and whether it disagrees: ["done", "disagrees"]
        facets[TRACKER_FACET] = [t.ticket.state, *([DISAGREES] if t.disagreement else [])]
    return facets


def board_row(t: Tracked, from_page: str, ctx: Context) -> ListRow:
    """An item's row, its links relative to ``from_page``. f-strings over ``attr``: this
    runs for every item in the rows' JSON."""
    item = t.item
    note = f"<br><small>{attr(item.note)}</small>" if item.note else ""
    overdue = f"<br><small>{t.days_overdue} days overdue</small>" if t.days_overdue else ""
    causes = ctx.once(
        ("cause links", *item.addresses, from_page),  # the same few keys on thousands of items
        lambda: Markup(", ").join(anchor(k, from_page, urls.cause(k), ctx) for k in item.addresses),
    )
    return ListRow(
        id=item.id or "",
        cells=[
            Markup(f"{attr(item.title)}{note}"),
            attr(item.owner or ""),
            Markup(f"{attr(item.due or '')}{overdue}"),
            _STATE_BADGES[t.state],
            pm_anchor(t.pm, from_page, ctx),
            tracker_cell(t),
            causes,
        ],
        facets=_facets(t),
        text=t.pm.slug,  # the title, note, owner and postmortem's title are in the cells
        group=LABELS[t.state],  # each state starts with its heading, as the board's sections did
        figures=row_figures(t),
    )


def in_board_order(items: list[Tracked], today: date) -> list[Tracked]:
    """Every item, a state after another: the most overdue first, then those due soonest,
    the open ones, the latest done, and those that won't be done."""
    by_state: dict[str, list[Tracked]] = {s: [] for s in LABELS}
    for t in items:
        by_state[t.state].append(t)
    return [
        *sorted(by_state["overdue"], key=lambda t: (-t.days_overdue, t.item.id or "")),
        *sorted(by_state["due-soon"], key=lambda t: (t.item.due, t.item.id or "")),
        *sorted(by_state["open"], key=lambda t: (t.item.due or today, t.item.id or "")),
        *sorted(by_state["done"], key=lambda t: (t.item.completed or today, t.item.id or ""), reverse=True),
        *sorted(by_state["wont-do"], key=lambda t: t.item.id or ""),
    ]


def board_items(ctx: Context) -> list[Tracked]:
    """Every item of the build's postmortems in the board's order, once per build: each
    of its pages shows a slice of it."""

    def make() -> list[Tracked]:
        library = ctx.library
        settings = library.settings
        items = tracked_items(library.postmortems, library.today, settings.due_soon_days, library.tracker_state)
        return in_board_order(items, library.today)

    return ctx.once(("board items",), make)


@dataclass(frozen=True)
class DisagreementRow:
    """An item whose file and ticket disagree, with what to do about it."""

    tracked: Tracked
    state: Markup
    tracker: Markup
    postmortem: Markup
    fix: Markup


def disagreements(items: list[Tracked], shown: int, ctx: Context) -> tuple[list[DisagreementRow], int]:
    """The "Tracker disagrees" section: those a person must decide first, then those
    ``kb sync --write`` can fix; at most ``shown`` of them, and how many there are."""
    found = [(t, d) for t in items if (d := t.disagreement)]
    found.sort(key=lambda pair: (not pair[1].needs_a_person, pair[0].item.id or ""))
    rows = [
        DisagreementRow(
            tracked=t,
            state=_STATE_BADGES[t.state],
            tracker=tracker_cell(t),
            postmortem=pm_anchor(t.pm, PAGE, ctx),
            fix=html_code_spans(f"Its ticket {d.fix}"),
        )
        for t, d in found[:shown]
    ]
    return rows, len(found)


def percent(share: float | None) -> str:
    """``42%``, rounding halves up, as the board's script does when a filter changes it."""
    return "n/a" if share is None else f"{math.floor(share * 100 + 0.5)}%"


def rows_file(ctx: Context) -> str:
    """Every item's row, for the board's filters (``kb.pages.lists.rows_json``)."""
    rows = (board_row(t, PAGE, ctx) for t in board_items(ctx))
    return rows_json(rows, COLUMNS, _facet_names(ctx), ID_ATTRIBUTE)


def _facet_names(ctx: Context) -> tuple[str, ...]:
    synced = any(t.ticket for t in board_items(ctx))
    return (*FACETS, TRACKER_FACET) if synced else FACETS


def board_page(ctx: Context, number: int = 1) -> Rendered:
    """Page ``number`` of the board: the first is ``/action-items/``, with the figures,
    the warnings, the disagreements and the filters."""
    library = ctx.library
    settings = library.settings
    size = settings.list_page_size
    items = board_items(ctx)
    page = page_path(PAGE, number)
    rows = [board_row(t, page, ctx) for t in items[rows_of(number, size)]]
    common = {
        "today": library.today,
        "rows": rows,
        "columns": COLUMNS,
        "id_attribute": ID_ATTRIBUTE,
        "pager": pager(PAGE, number, len(items), size, ctx.directory_urls),
    }
    if number > 1:
        return render(
            "board.md.j2",
            meta=meta({"title": f"Action items, page {number}", "hide": ["navigation"], "search": {"exclude": True}}),
            first=False,
            first_page=urls.relative(page, PAGE),
            **common,
        )
    facets = _facet_names(ctx)
    numbers: Figures = figures(items)
    oldest = numbers.oldest_overdue
    stale = stale_tracker_state(library.tracker_state, settings, library.today)
    shown, disagreeing = disagreements(items, size, ctx) if TRACKER_FACET in facets else (None, 0)
    return render(
        "board.md.j2",
        meta=meta({"title": "Action items", "hide": ["navigation"], "search": {"exclude": True}}),
        first=True,
        figures=numbers,
        states=STATES,
        # Our own words, not an author's: "won't do" keeps its apostrophe.
        headline_labels={state: Markup(LABELS[state].lower()) for state in STATES},
        done_on_time=percent(numbers.done_on_time),
        median_days=("n/a" if numbers.median_days_to_done is None else f"{numbers.median_days_to_done:g}"),
        oldest=oldest,
        oldest_link=pm_link(oldest.pm, PAGE) if oldest else "",
        total=len(items),
        facets=facets,
        # Counted over every item, for the filters before the rows are fetched.
        counts=counts_attribute((_facets(t) for t in items), facets),
        rows_file=ROWS_FILE,
        page_size=size,
        disagreements=shown,
        disagreeing=disagreeing,
        stale=Markup(stale.sentence) if stale else None,  # ours, with `code` for Markdown
        **common,
    )
