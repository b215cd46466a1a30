"""``/causes/`` and ``/causes/<key>/``: the catalog, and each cause's recurrence story.

A cause can be named by thousands of postmortems: its page shows the newest of them, its
most urgent fixes and the latest of its story, a page size of each; the other postmortems
are on plain later pages (``/causes/<key>/page/2/``), the other fixes on the board.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from kb.analysis.action_item_states import urgency
from kb.format import urls
from kb.format.model import ActionItem, Cause, Postmortem
from kb.pages.common import (
    Context,
    ItemRow,
    PmRow,
    anchor,
    board_link,
    item_row,
    pm_anchor,
    pm_row,
    reason_it_applies,
)
from kb.pages.lists import page_path, pager, rows_of
from kb.pages.rendering import render
from kb.render.deferred import Rendered
from kb.render.escape import meta, text

BARS = "▁▂▃▄▅▆▇█"


def sparkline(counts: list[int]) -> str:
    """A small trend, one character per year; blank where there were none."""
    top = max(counts, default=0) or 1
    return "".join(BARS[round((len(BARS) - 1) * c / top)] if c else " " for c in counts)


def trend_words(per_year: Counter[int], years: list[int]) -> str:
    """``postmortems per year: 2024 1, 2025 0``, what the sparkline draws."""
    return "postmortems per year: " + ", ".join(f"{year} {per_year[year]}" for year in years)


@dataclass(frozen=True)
class CauseSummary:
    key: str
    cause: Cause
    title: Markup
    count: int
    first: str
    last: str
    trend: str
    trend_label: str  # the trend in words: a screen reader reads the bars as "lower one eighth block"
    came_back: bool


def summary(key: str, cause: Cause, ctx: Context, from_page: str, years: list[int]) -> CauseSummary:
    pms = ctx.analysis.links.by_cause.get(key, [])  # newest first
    per_year = Counter(pm.started.year for pm in pms)
    return CauseSummary(
        key=key,
        cause=cause,
        title=anchor(cause.title, from_page, urls.cause(key), ctx),
        count=len(pms),
        first=ctx.date(pms[-1]) if pms else "",
        last=ctx.date(pms[0]) if pms else "",
        trend=sparkline([per_year[y] for y in years]),
        trend_label=trend_words(per_year, years),
        came_back=key in ctx.analysis.came_back_for,
    )


def year_span(ctx: Context) -> list[int]:
    years = [pm.started.year for pm in ctx.library.postmortems]
    return list(range(min(years), max(years) + 1)) if years else []


def causes_page(ctx: Context) -> Rendered:
    years = year_span(ctx)
    by_category: dict[str, list[CauseSummary]] = defaultdict(list)
    for key, cause in ctx.library.causes.items():
        by_category[cause.category].append(summary(key, cause, ctx, urls.CAUSES, years))
    categories = [
        (category, sorted(rows, key=lambda r: (-r.count, r.key))) for category, rows in sorted(by_category.items())
    ]
    return render(
        "causes.md.j2",
        meta=meta({"title": "Causes", "search": {"exclude": True}}),
        categories=categories,
        years=f"{years[0]} to {years[-1]}" if years else "",
    )


@dataclass(frozen=True)
class StoryEvent:
    when: date
    text: Markup


def story(
    key: str, pms: list[Postmortem], fixes: list[tuple[ActionItem, Postmortem]], size: int, ctx: Context
) -> tuple[list[StoryEvent], int]:
    """The latest ``size`` of the incidents with this cause and the fixes completed for
    it, in order, and how many earlier ones there are (each on its postmortem's page)."""
    page = urls.cause(key)
    events: list[tuple[date, Postmortem, ActionItem | None]] = [(pm.started.date(), pm, None) for pm in pms]
    events += [(item.completed, pm, item) for item, pm in fixes if item.status == "done" and item.completed]
    events.sort(key=lambda e: e[0])
    latest = events[-size:]
    fix_done = Markup("Fix done: {} <small>(from {})</small>")
    return [
        StoryEvent(
            when,
            fix_done.format(text(item.title), pm_anchor(pm, page, ctx))
            if item
            else Markup("Postmortem: {}").format(pm_anchor(pm, page, ctx)),
        )
        for when, pm, item in latest
    ], len(events) - len(latest)


@dataclass(frozen=True)
class Occurrence:
    row: PmRow
    detail: str | None


@dataclass(frozen=True)
class CauseStory:
    """What only a cause's first page shows: how often, whether it came back, its fixes
    and its story, each at most a page size long."""

    summary: CauseSummary
    came_back: list[Markup]  # the latest
    came_back_earlier: int
    items: list[ItemRow]  # the most urgent first, then the latest done
    more_items: int  # not shown: they are on the board, at ``board``
    board: str
    story: list[StoryEvent]
    earlier_events: int


def cause_story(key: str, pms: list[Postmortem], ctx: Context) -> CauseStory:
    page = urls.cause(key)
    cause = ctx.library.causes[key]
    size = ctx.library.settings.list_page_size
    today = ctx.library.today
    fixes = [(item, pm) for pm in pms for item in pm.action_items if key in item.addresses]
    recurred = ctx.analysis.came_back_for.get(key, [])  # newest first, as the postmortems
    came_back = [
        Markup("{cause} came back in {later}, after “{item}” from {earlier} was done on {on} ({why}).").format(
            cause=text(cause.title),
            later=pm_anchor(r.came_back_in, page, ctx),
            item=text(r.item.title),
            earlier=pm_anchor(r.fixed_in, page, ctx),
            on=r.item.completed,
            why=reason_it_applies(r),
        )
        for r in recurred[:size]
    ]
    tracked = sorted((ctx.tracked(item, pm) for item, pm in fixes), key=lambda t: urgency(t, today))
    shown = tracked[:size]
    events, earlier = story(key, pms, fixes, size, ctx)
    return CauseStory(
        # Every postmortem's year, once for all the cause pages, not once each.
        summary=summary(key, cause, ctx, page, ctx.once(("years",), lambda: year_span(ctx))),
        came_back=came_back,
        came_back_earlier=len(recurred) - len(came_back),
        items=[item_row(t.item, t.pm, page, ctx) for t in shown],
        more_items=len(tracked) - len(shown),
        board=board_link(page, "cause", key, ctx),
        story=events,
        earlier_events=earlier,
    )


def cause_page(key: str, ctx: Context, number: int = 1) -> Rendered:
    """Page ``number`` of a cause's page: the first is ``/causes/<key>/``, with its story."""
    first_page = urls.cause(key)
    page = page_path(first_page, number)
    cause = ctx.library.causes[key]
    size = ctx.library.settings.list_page_size
    pms = ctx.analysis.links.by_cause.get(key, [])  # newest first
    first = number == 1
    title = cause.title if first else f"{cause.title}, page {number}"
    return render(
        "cause.md.j2",
        meta=meta({"title": title, "hide": ["navigation"], "search": {"exclude": True}}),
        key=key,
        cause=cause,
        head=cause_story(key, pms, ctx) if first else None,
        occurrences=[
            Occurrence(pm_row(pm, page, ctx), next((c.detail for c in pm.causes if c.key == key), None))
            for pm in pms[rows_of(number, size)]
        ],
        pager=pager(first_page, number, len(pms), size, ctx.directory_urls),
        states_as_of=ctx.states_as_of,
        all_causes=urls.relative(page, urls.CAUSES),
        first_page=urls.relative(page, first_page),
    )
