"""``/services/<name>/`` and ``/teams/<name>/``: their postmortems, causes and open work.

A service can have thousands of postmortems and open items, so a page shows the newest
postmortems and the most urgent items, a page size of each: the other postmortems are on
plain later pages (``/services/<name>/page/2/``), the other items on the board, filtered
to them by a link.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode

from markupsafe import Markup

from kb.analysis.action_item_states import urgency
from kb.analysis.links import Group
from kb.format import urls
from kb.pages.common import Context, ItemRow, anchor, board_link, item_row, pm_row
from kb.pages.lists import page_path, pager, rows_of
from kb.pages.rendering import render
from kb.render.deferred import Rendered
from kb.render.escape import meta

TOP_CAUSES = 5
KINDS = {"service": ("Service", urls.service), "team": ("Team", urls.team)}


@dataclass(frozen=True)
class CauseCount:
    title: Markup
    count: int


@dataclass(frozen=True)
class FirstScreen:
    """What only a group's first page shows, above its postmortems."""

    causes: list[CauseCount]
    open_items: list[ItemRow]  # the most urgent, at most a page size
    more_items: int  # open items not shown: they are on the board, at ``board``
    board: str
    explorer: str


def first_screen(kind: str, group: Group, page: str, ctx: Context) -> FirstScreen:
    """The group's top causes, and its most urgent open items."""
    causes = Counter(key for pm in group.postmortems for key in dict.fromkeys(pm.cause_keys))
    today = ctx.library.today
    open_items = sorted(
        (ctx.tracked(item, pm) for pm in group.postmortems for item in pm.action_items if not item.closed),
        key=lambda t: urgency(t, today),
    )
    shown = open_items[: ctx.library.settings.list_page_size]
    explorer = urls.relative(page, urls.POSTMORTEMS)
    return FirstScreen(
        causes=[
            CauseCount(anchor(ctx.library.causes[key].title, page, urls.cause(key), ctx), n)
            for key, n in sorted(causes.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_CAUSES]
        ],
        open_items=[item_row(t.item, t.pm, page, ctx) for t in shown],
        more_items=len(open_items) - len(shown),
        board=board_link(page, kind, group.name, ctx),
        explorer=f"{explorer}?{urlencode({kind: group.name})}",
    )


def group_page(kind: str, group: Group, ctx: Context, number: int = 1) -> Rendered:
    """Page ``number`` of a service's or team's page: the first is ``/services/<name>/``."""
    label, page_of = KINDS[kind]
    first_page = page_of(group.slug)
    page = page_path(first_page, number)
    size = ctx.library.settings.list_page_size
    postmortems = group.postmortems  # newest first
    first = number == 1
    title = f"{label}: {group.name}" if first else f"{label}: {group.name}, page {number}"
    return render(
        "group.md.j2",
        meta=meta({"title": title, "hide": ["navigation"], "search": {"exclude": True}}),
        label=label,
        group=group,
        first=first,
        total=len(postmortems),
        rows=[pm_row(pm, page, ctx) for pm in postmortems[rows_of(number, size)]],
        pager=pager(first_page, number, len(postmortems), size, ctx.directory_urls),
        first_page=urls.relative(page, first_page),
        head=first_screen(kind, group, page, ctx) if first else None,
        states_as_of=ctx.states_as_of,
    )
