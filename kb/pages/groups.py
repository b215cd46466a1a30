"""``/services/<name>/`` and ``/teams/<name>/``: their postmortems, causes and open work."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode

from markupsafe import Markup

from kb.analysis.links import Group
from kb.format import urls
from kb.pages.common import Context, anchor, item_row, pm_row
from kb.pages.rendering import render
from kb.render.deferred import Rendered
from kb.render.escape import meta

TOP_CAUSES = 5
KINDS = {"service": ("Service", urls.service), "team": ("Team", urls.team)}


@dataclass(frozen=True)
class CauseCount:
    title: Markup
    count: int


def group_page(kind: str, group: Group, ctx: Context) -> Rendered:
    label, page_of = KINDS[kind]
    page = page_of(group.slug)
    causes = Counter(key for pm in group.postmortems for key in dict.fromkeys(pm.cause_keys))
    open_items = [
        item_row(item, pm, page, ctx) for pm in group.postmortems for item in pm.action_items if not item.closed
    ]
    explorer = urls.relative(page, urls.POSTMORTEMS)
    return render(
        "group.md.j2",
        meta=meta({"title": f"{label}: {group.name}", "hide": ["navigation"], "search": {"exclude": True}}),
        label=label,
        group=group,
        rows=[pm_row(pm, page, ctx) for pm in group.postmortems],
        causes=[
            CauseCount(anchor(ctx.library.causes[key].title, page, urls.cause(key), ctx), n)
            for key, n in sorted(causes.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_CAUSES]
        ],
        open_items=open_items,
        states_as_of=ctx.states_as_of,
        explorer=f"{explorer}?{urlencode({kind: group.name})}",
    )
