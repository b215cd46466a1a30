"""What several pages share: the build context, badges, and rows that point at postmortems."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any, TypeVar
from urllib.parse import urlencode

from markupsafe import Markup

from kb.analysis import action_item_states
from kb.analysis.action_item_states import State, Tracked
from kb.analysis.analyze import Analysis
from kb.analysis.recurrence import WHY, Recurrence
from kb.checks.library import Library
from kb.format import urls
from kb.format.model import ActionItem, Postmortem
from kb.render.escape import attr, html_link, link, text

T = TypeVar("T")


@dataclass(frozen=True)
class Context:
    """What every page is rendered from: the library, its analysis, the URL style."""

    library: Library
    analysis: Analysis
    directory_urls: bool = True
    site_url: str | None = None  # absolute links where they must be (the feed)
    # A postmortem's badges appear on up to a dozen pages: built once each.
    _badges: dict[str, Markup] = field(default_factory=dict, compare=False, repr=False)
    # A long list's order, computed once for its first page and each later one.
    _memo: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    def once(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``, computed on the first call for ``key`` in this build."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]  # type: ignore[no-any-return]

    @property
    def zone(self) -> tzinfo:
        return self.library.settings.zone()

    def tracked(self, item: ActionItem, pm: Postmortem) -> Tracked:
        """``item``'s state, and its ticket's as the library's snapshot has it."""
        library = self.library
        return action_item_states.track(item, pm, library.today, library.settings.due_soon_days, library.tracker_state)

    @property
    def states_as_of(self) -> str:
        """The line under a table of ``state``s: they hold on the build's date, and a page
        is read for months after it was built."""
        return f"States as of {self.library.today.isoformat()}."

    def badges(self, pm: Postmortem) -> Markup:
        if pm.slug not in self._badges:
            self._badges[pm.slug] = badges(pm, self.library.settings.severities)
        return self._badges[pm.slug]

    def date(self, pm: Postmortem) -> str:
        return f"{pm.started.astimezone(self.zone):%Y-%m-%d}"


@dataclass(frozen=True)
class Badge:
    label: str
    css: str  # a class suffix we choose, never an author's text


@dataclass(frozen=True)
class Fact:
    label: str
    value: Markup | str


def badge_html(badges: list[Badge]) -> Markup:
    """Badges as HTML, for raw HTML blocks and table cells alike."""
    return Markup(" ".join(f'<span class="pm-badge pm-{attr(b.css)}">{attr(b.label)}</span>' for b in badges))


def badges(pm: Postmortem, severities: list[str]) -> Markup:
    found: list[Badge] = []
    if pm.severity:
        found.append(Badge(pm.severity, f"sev-{severities.index(pm.severity) + 1}"))
    if pm.type == "near-miss":
        found.append(Badge("Near-miss", "near-miss"))
    found.append(Badge(pm.status.replace("-", " ").capitalize(), f"status-{pm.status}"))
    if pm.visibility != "internal":
        found.append(Badge(pm.visibility.capitalize(), f"visibility-{pm.visibility}"))
    return badge_html(found)


def state_badge(state: State) -> Markup:
    return badge_html([Badge(action_item_states.LABELS[state], f"state-{state}")])


def ticket_note(t: Tracked) -> Markup:
    """The ticket's state, next to the item's wherever a page shows it, with when it was
    fetched; nothing for an item ``kb sync`` never saw, so a library without trackers
    looks as it did. Not the postmortem's words: Pagefind leaves it out."""
    words = t.ticket_words
    if words is None:
        return Markup()
    if t.disagreement:
        return Markup(
            f'<small class="pm-ticket pm-ticket-disagrees" data-pagefind-ignore>{words}: tracker disagrees</small>'
        )
    return Markup(f'<small class="pm-ticket" data-pagefind-ignore>{words}</small>')


def state_cell(t: Tracked) -> Markup:
    """An item's state badge, and its ticket's state under it when there is one."""
    note = ticket_note(t)
    return state_badge(t.state) + (Markup("<br>") + note if note else Markup())


def joined(values: list[str] | list[Markup]) -> Markup:
    return Markup(", ".join(v if isinstance(v, Markup) else text(v) for v in values))


@dataclass(frozen=True)
class PmRow:
    """A postmortem in a table on another page: date, badges, linked title."""

    date: str
    badges: Markup
    title: Markup
    pm: Postmortem


def anchor(label: object, from_page: str, to_page: str, ctx: Context) -> Markup:
    """An HTML link, for raw HTML blocks; the label is escaped, the URL is ours."""
    return html_link(urls.href(from_page, to_page, ctx.directory_urls), label)


def pm_anchor(pm: Postmortem, from_page: str, ctx: Context) -> Markup:
    """A link to ``pm``'s page, built once per page it is on: a board or lessons list
    links each postmortem from every one of its items, 30,000 rows at 10,000 postmortems."""
    return ctx.once(("link", pm.slug, from_page), lambda: anchor(pm.title, from_page, urls.postmortem(pm.slug), ctx))


def pm_link(pm: Postmortem, from_page: str) -> Markup:
    """A Markdown link to a postmortem's page, titled with its (escaped) title."""
    return link(pm.title, urls.relative(from_page, urls.postmortem(pm.slug)))


def pm_row(pm: Postmortem, from_page: str, ctx: Context) -> PmRow:
    return PmRow(ctx.date(pm), ctx.badges(pm), pm_anchor(pm, from_page, ctx), pm)


@dataclass(frozen=True)
class ItemRow:
    """An action item in a table: what, who, when, its state, and where it came from."""

    item: ActionItem
    state: Markup
    postmortem: Markup
    addresses: Markup


def item_row(item: ActionItem, pm: Postmortem, from_page: str, ctx: Context) -> ItemRow:
    causes = Markup(", ").join(anchor(k, from_page, urls.cause(k), ctx) for k in item.addresses)
    return ItemRow(item, state_cell(ctx.tracked(item, pm)), pm_anchor(pm, from_page, ctx), causes)


def board_link(from_page: str, facet: str, value: str, ctx: Context) -> str:
    """The board, filtered to one value of one of its facets: ``../../action-items/?team=sre``,
    for raw HTML."""
    return f"{urls.href(from_page, urls.ACTION_ITEMS, ctx.directory_urls)}?{urlencode({facet: value})}"


def group_anchors(names: list[str], kind: str, from_page: str, ctx: Context) -> Markup:
    """Service or team names, each linked to its page (HTML)."""
    page_of = urls.service if kind == "service" else urls.team
    return Markup(", ").join(anchor(name, from_page, page_of(name), ctx) for name in names)


def reason_it_applies(r: Recurrence) -> Markup:
    """Why a fix counts against a later postmortem: ``same cause, same service <code>x</code>``."""
    return Markup("same cause, {reach} <code>{name}</code>").format(reach=WHY[r.reach], name=r.name)
