"""``/action-items/``: the follow-through board a lead reviews every week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from markupsafe import Markup

from kb.analysis.action_item_states import LABELS, Figures, Tracked, figures, tracked_items
from kb.format import urls
from kb.pages.common import Context, pm_link, state_badge
from kb.pages.rendering import render
from kb.render.deferred import Rendered
from kb.render.escape import attr, html_link, meta

PAGE = urls.ACTION_ITEMS
RECENT_DAYS = 90  # "recently done": completed within this many days of today


def tracker_html(tracker: str | None) -> Markup:
    """A link for web trackers; an issue key (``OPS-12``) or any other scheme stays text."""
    if not tracker:
        return Markup("")
    if tracker.startswith(("https://", "http://")):
        return html_link(tracker, tracker.split("://", 1)[1][:40])
    return attr(tracker)


@dataclass(frozen=True)
class BoardRow:
    tracked: Tracked
    state: Markup
    postmortem: Markup
    tracker: Markup
    causes: Markup
    facets: dict[str, str]  # data attributes the filters match, values joined by "|"
    text: str


def board_row(t: Tracked, ctx: Context) -> BoardRow:
    href = urls.href(PAGE, urls.postmortem(t.pm.slug), ctx.directory_urls)
    causes = Markup(", ").join(
        html_link(urls.href(PAGE, urls.cause(k), ctx.directory_urls), k) for k in t.item.addresses
    )
    return BoardRow(
        tracked=t,
        state=state_badge(t.state),
        postmortem=html_link(href, t.pm.title),
        tracker=tracker_html(t.item.tracker),
        causes=causes,
        facets={"owner": t.item.owner or "unowned", "team": "|".join(t.pm.teams), "state": t.state},
        text=" ".join([t.item.title, t.item.owner or "", t.pm.title, t.pm.slug]).lower(),
    )


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: list[BoardRow]


def sections(items: list[Tracked], ctx: Context) -> list[Section]:
    today = ctx.library.today
    by_state: dict[str, list[Tracked]] = {s: [] for s in LABELS}
    for t in items:
        by_state[t.state].append(t)
    recent = [t for t in by_state["done"] if t.item.completed and t.item.completed >= today - timedelta(RECENT_DAYS)]
    ordered = {
        "overdue": sorted(by_state["overdue"], key=lambda t: (-t.days_overdue, t.item.id or "")),
        "due-soon": sorted(by_state["due-soon"], key=lambda t: (t.item.due, t.item.id or "")),
        "open": sorted(by_state["open"], key=lambda t: (t.item.due or today, t.item.id or "")),
        "done": sorted(recent, key=lambda t: (t.item.completed, t.item.id or ""), reverse=True),
        "wont-do": sorted(by_state["wont-do"], key=lambda t: t.item.id or ""),
    }
    titles = {"done": f"Done in the last {RECENT_DAYS} days"}
    return [Section(s, titles.get(s, LABELS[s]), [board_row(t, ctx) for t in ordered[s]]) for s in ordered]  # type: ignore[arg-type]


def percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.0%}"


def board_page(ctx: Context) -> Rendered:
    settings = ctx.library.settings
    items = tracked_items(ctx.library.postmortems, ctx.library.today, settings.due_soon_days)
    numbers: Figures = figures(items)
    oldest = numbers.oldest_overdue
    return render(
        "board.md.j2",
        meta=meta({"title": "Action items", "hide": ["navigation"], "search": {"exclude": True}}),
        today=ctx.library.today,
        figures=numbers,
        labels=LABELS,
        done_on_time=percent(numbers.done_on_time),
        median_days=("n/a" if numbers.median_days_to_done is None else f"{numbers.median_days_to_done:g}"),
        oldest=oldest,
        oldest_link=pm_link(oldest.pm, PAGE) if oldest else "",
        sections=sections(items, ctx),
        total=len(items),
    )
