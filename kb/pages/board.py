"""``/action-items/``: the follow-through board a lead reviews every week."""

from __future__ import annotations

import math
from dataclasses import dataclass

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
from kb.pages.common import Context, pm_link, state_badge, ticket_note
from kb.pages.rendering import render
from kb.render.deferred import Rendered
from kb.render.escape import attr, html_code_spans, html_link, meta

PAGE = urls.ACTION_ITEMS
FACETS = ["owner", "team", "state"]
TRACKER_FACET = "tracker"  # only on a board with tickets: one without looks as it did
DISAGREES = "disagrees"  # the tracker facet's value for rows whose file and ticket disagree

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


@dataclass(frozen=True)
class BoardRow:
    tracked: Tracked
    state: Markup
    postmortem: Markup
    tracker: Markup
    causes: Markup
    facets: dict[str, str]  # data attributes the filters match, values joined by "|"
    figures: dict[str, str]  # data attributes the headline figures are computed from
    text: str


def _row_figures(t: Tracked) -> dict[str, str]:
    """What a row adds to "done by their due date" and "median days to done", for the
    board's script to compute the figures over the rows a filter shows."""
    figures = {}
    if t.done_on_time is not None:
        figures["on-time"] = "1" if t.done_on_time else "0"
    if t.days_to_done is not None:
        figures["days-to-done"] = str(t.days_to_done)
    return figures


def _facets(t: Tracked) -> dict[str, str]:
    facets = {"owner": t.item.owner or "unowned", "team": "|".join(t.pm.teams), "state": t.state}
    if t.ticket:  # its state, and whether it disagrees: "done|disagrees"
        facets[TRACKER_FACET] = "|".join([t.ticket.state, *([DISAGREES] if t.disagreement else [])])
    return facets


def board_row(t: Tracked, ctx: Context) -> BoardRow:
    href = urls.href(PAGE, urls.postmortem(t.pm.slug), ctx.directory_urls)
    causes = Markup(", ").join(
        html_link(urls.href(PAGE, urls.cause(k), ctx.directory_urls), k) for k in t.item.addresses
    )
    return BoardRow(
        tracked=t,
        state=state_badge(t.state),
        postmortem=html_link(href, t.pm.title),
        tracker=tracker_cell(t),
        causes=causes,
        facets=_facets(t),
        figures=_row_figures(t),
        text=" ".join([t.item.title, t.item.owner or "", t.pm.title, t.pm.slug]).lower(),
    )


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: list[BoardRow]


def sections(items: list[Tracked], ctx: Context) -> list[Section]:
    """One section per state, holding every item in it, so that each section's count is
    the headline's figure for that state."""
    today = ctx.library.today
    by_state: dict[str, list[Tracked]] = {s: [] for s in LABELS}
    for t in items:
        by_state[t.state].append(t)
    ordered = {
        "overdue": sorted(by_state["overdue"], key=lambda t: (-t.days_overdue, t.item.id or "")),
        "due-soon": sorted(by_state["due-soon"], key=lambda t: (t.item.due, t.item.id or "")),
        "open": sorted(by_state["open"], key=lambda t: (t.item.due or today, t.item.id or "")),
        "done": sorted(by_state["done"], key=lambda t: (t.item.completed or today, t.item.id or ""), reverse=True),
        "wont-do": sorted(by_state["wont-do"], key=lambda t: t.item.id or ""),
    }
    return [Section(s, LABELS[s], [board_row(t, ctx) for t in ordered[s]]) for s in ordered]  # type: ignore[index]


@dataclass(frozen=True)
class DisagreementRow:
    """An item whose file and ticket disagree, with what to do about it."""

    row: BoardRow
    fix: Markup


def disagreements(rows: list[BoardRow]) -> list[DisagreementRow]:
    """The "Tracker disagrees" section: those a person must decide first, then those
    ``kb sync --write`` can fix; each row is also in its state's section."""
    found = [(row, d) for row in rows if (d := row.tracked.disagreement)]
    found.sort(key=lambda pair: (not pair[1].needs_a_person, pair[0].tracked.item.id or ""))
    return [DisagreementRow(row, html_code_spans(f"Its ticket {d.fix}")) for row, d in found]


def percent(share: float | None) -> str:
    """``42%``, rounding halves up, as the board's script does when a filter changes it."""
    return "n/a" if share is None else f"{math.floor(share * 100 + 0.5)}%"


def board_page(ctx: Context) -> Rendered:
    library = ctx.library
    settings = library.settings
    items = tracked_items(library.postmortems, library.today, settings.due_soon_days, library.tracker_state)
    numbers: Figures = figures(items)
    oldest = numbers.oldest_overdue
    board = sections(items, ctx)
    rows = [row for section in board for row in section.rows]
    synced = any(t.ticket for t in items)
    stale = stale_tracker_state(library.tracker_state, settings, library.today)
    return render(
        "board.md.j2",
        meta=meta({"title": "Action items", "hide": ["navigation"], "search": {"exclude": True}}),
        today=ctx.library.today,
        figures=numbers,
        labels=LABELS,
        states=STATES,
        # Our own words, not an author's: "won't do" keeps its apostrophe.
        headline_labels={state: Markup(LABELS[state].lower()) for state in STATES},
        done_on_time=percent(numbers.done_on_time),
        median_days=("n/a" if numbers.median_days_to_done is None else f"{numbers.median_days_to_done:g}"),
        oldest=oldest,
        oldest_link=pm_link(oldest.pm, PAGE) if oldest else "",
        sections=board,
        total=len(items),
        facets=[*FACETS, TRACKER_FACET] if synced else FACETS,
        disagreements=disagreements(rows) if synced else None,
        stale=Markup(stale.sentence) if stale else None,  # ours, with `code` for Markdown
    )
