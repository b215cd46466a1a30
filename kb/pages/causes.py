"""``/causes/`` and ``/causes/<key>/``: the catalog, and each cause's recurrence story."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from kb.format import urls
from kb.format.model import ActionItem, Cause, Postmortem
from kb.pages.common import Context, ItemRow, PmRow, anchor, item_row, pm_anchor, pm_row, reason_it_applies
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
    key: str, pms: list[Postmortem], fixes: list[tuple[ActionItem, Postmortem]], ctx: Context
) -> list[StoryEvent]:
    """Incidents with this cause and the fixes completed for it, in order."""
    page = urls.cause(key)
    events = [StoryEvent(pm.started.date(), Markup("Postmortem: {}").format(pm_anchor(pm, page, ctx))) for pm in pms]
    fix_done = Markup("Fix done: {} <small>(from {})</small>")
    events += [
        StoryEvent(item.completed, fix_done.format(text(item.title), pm_anchor(pm, page, ctx)))
        for item, pm in fixes
        if item.status == "done" and item.completed
    ]
    return sorted(events, key=lambda e: e.when)


@dataclass(frozen=True)
class Occurrence:
    row: PmRow
    detail: str | None


def cause_page(key: str, ctx: Context) -> Rendered:
    page = urls.cause(key)
    cause = ctx.library.causes[key]
    pms = ctx.analysis.links.by_cause.get(key, [])
    fixes = [(item, pm) for pm in pms for item in pm.action_items if key in item.addresses]
    details = {pm.slug: next((c.detail for c in pm.causes if c.key == key), None) for pm in pms}
    came_back = [
        Markup("{cause} came back in {later}, after “{item}” from {earlier} was done on {on} ({why}).").format(
            cause=text(cause.title),
            later=pm_anchor(r.came_back_in, page, ctx),
            item=text(r.item.title),
            earlier=pm_anchor(r.fixed_in, page, ctx),
            on=r.item.completed,
            why=reason_it_applies(r),
        )
        for r in ctx.analysis.came_back_for.get(key, [])
    ]
    items: list[ItemRow] = [item_row(item, pm, page, ctx) for item, pm in fixes]
    return render(
        "cause.md.j2",
        meta=meta({"title": cause.title, "hide": ["navigation"], "search": {"exclude": True}}),
        key=key,
        cause=cause,
        summary=summary(key, cause, ctx, page, year_span(ctx)),
        occurrences=[Occurrence(pm_row(pm, page, ctx), details[pm.slug]) for pm in pms],
        came_back=came_back,
        items=items,
        states_as_of=ctx.states_as_of,
        story=story(key, pms, fixes, ctx),
        all_causes=urls.relative(page, urls.CAUSES),
    )
