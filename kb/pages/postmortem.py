"""One postmortem's page: header and structured sections, the narrative, then cross-links."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import Markup

from kb.analysis.similarity import Similar
from kb.checks.completeness import completeness, shows_checklist
from kb.checks.links import Resolved
from kb.format import urls
from kb.format.model import Impact, Postmortem
from kb.pages import pagefind_markup
from kb.pages.common import Context, Fact, anchor, group_anchors, joined, pm_anchor, reason_it_applies, state_cell
from kb.pages.rendering import render, render_frame
from kb.render.deferred import Rendered
from kb.render.escape import meta, text
from kb.render.sanitize import narrative_id
from kb.render.times import clock, moment, span

IMPACT_LABELS = {
    "customer_facing": "Customer-facing",
    "users_affected": "Users affected",
    "requests_failed": "Requests failed",
    "revenue_lost": "Revenue lost",
    "data_loss": "Data lost",
    "slos": "SLOs affected",
    "support_tickets": "Support tickets",
}
DETECTION_LABELS = {
    "alert": "An alert",
    "customer": "A customer report",
    "employee": "An employee",
    "automation": "Automation",
    "other": "Other",
}
STATUS_BANNERS = {
    "draft": ("warning", "Draft", "This postmortem is a draft: facts and action items may still change."),
    "in-review": ("info", "In review", "This postmortem is being reviewed; comments are welcome in its pull request."),
}
RECENT = 3  # "also in N other postmortems": how many of them are linked
SEARCH_BOOST = 2  # Material's search ranks a postmortem page (and its sections) above other pages
# The ids of the page's own sections (the template's level-2 headings): a link from
# another narrative to one of them is to the section, not to a heading of the narrative.
SECTIONS = frozenset(
    {
        *("summary", "impact", "detection", "trigger", "contributing-causes", "action-items"),
        *("lessons-learned", "timeline", "related-postmortems", "similar-postmortems"),
    }
)


def item_id(section: str, n: int) -> str:
    """The id of the ``n``-th item (from 1) of a list in a section: a lesson, an action item, a
    timeline event, a cause. The dot keeps it apart from every heading's id, which has none."""
    return f"{section}.{n}"


def facts(pm: Postmortem, ctx: Context) -> list[Fact]:
    """The header table: when, how long, who and what."""
    zone, page = ctx.zone, urls.postmortem(pm.slug)
    rows = [Fact("Started", moment(pm.started, zone))]
    for label, value, delta in (
        ("Detected", pm.detected, pm.time_to_detect),
        ("Mitigated", pm.mitigated, pm.time_to_mitigate),
        ("Resolved", pm.resolved, pm.time_to_resolve),
    ):
        if value:
            rows.append(Fact(label, f"{moment(value, zone)} (after {span(delta)})"))
    if pm.services:
        rows.append(Fact("Services", group_anchors(pm.services, "service", page, ctx)))
    if pm.teams:
        rows.append(Fact("Teams", group_anchors(pm.teams, "team", page, ctx)))
    for label, values in (("Authors", pm.authors), ("Tags", pm.tags)):
        if values:
            rows.append(Fact(label, joined(values)))
    return rows


def impact_facts(impact: Impact | None) -> list[Fact]:
    if impact is None:
        return []
    rows = []
    for key, label in IMPACT_LABELS.items():
        value = getattr(impact, key)
        if value is None or value == []:
            continue
        if isinstance(value, bool):
            shown: Markup | str = "yes" if value else "no"
        elif isinstance(value, list):
            shown = joined(value)
        else:
            shown = f"{value:,}"
        rows.append(Fact(label, shown))
    return rows


@dataclass(frozen=True)
class CauseView:
    title: str
    href: str  # the cause's page
    key: str
    detail: str | None
    others: int  # other postmortems with this cause
    recent: Markup  # the most recent of them, linked


def cause_views(pm: Postmortem, ctx: Context) -> list[CauseView]:
    page = urls.postmortem(pm.slug)
    views = []
    for ref in pm.causes:
        sharing = ctx.analysis.links.by_cause.get(ref.key, [])
        others = [o for o in sharing[: RECENT + 1] if o is not pm][:RECENT]
        views.append(
            CauseView(
                title=ctx.library.causes[ref.key].title,
                href=urls.href(page, urls.cause(ref.key), ctx.directory_urls),
                key=ref.key,
                detail=ref.detail,
                others=len(sharing) - 1,
                recent=Markup(", ").join(pm_anchor(o, page, ctx) for o in others),
            )
        )
    return views


def imported_note(pm: Postmortem) -> Markup | None:
    """Where an imported postmortem came from, and that it may be incomplete."""
    if pm.imported is None:
        return None
    source, at, tool = pm.imported.source, pm.imported.at, pm.imported.tool
    return Markup(
        "Imported from <code>{source}</code> on {at} by {tool}. Some fields may still need a person to complete them."
    ).format(source=text(source), at=text(at), tool=text(tool))


def came_back(pm: Postmortem, ctx: Context) -> list[Markup]:
    """Sentences naming the fix that did not hold, where it was done, and why it applies here."""
    page = urls.postmortem(pm.slug)
    notices = []
    for r in ctx.analysis.came_back_in.get(pm.slug, []):
        cause = anchor(ctx.library.causes[r.cause].title, page, urls.cause(r.cause), ctx)
        fixed_in = pm_anchor(r.fixed_in, page, ctx)
        sentence = Markup(
            "{cause} came back. The action item “{item}” from {fixed_in} addressed it and was done on {on}. "
            "It could have prevented this one: {why}."
        )
        notices.append(
            sentence.format(
                cause=cause, item=text(r.item.title), fixed_in=fixed_in, on=r.item.completed, why=reason_it_applies(r)
            )
        )
    return notices


def similar_links(pm: Postmortem, similar: list[Similar], ctx: Context) -> list[tuple[Markup, str]]:
    page = urls.postmortem(pm.slug)
    return [(pm_anchor(s.pm, page, ctx), "; ".join(s.reasons)) for s in similar]


def postmortem_markdown(pm: Postmortem, links: list[Resolved], prefixed: bool = True) -> str:
    """The page's Markdown: the narrative, as its author wrote it, with its ``links`` to
    other postmortems and files leading to where they are on the site. It needs nothing
    but the loaded library, so a build has it before any analysis.

    A link to a heading of another narrative names the id the plugin gives it, with the
    sanitizer's prefix; not ``prefixed``, the one a site generator gives it, for ``kb
    export``, whose narratives the site generator renders."""
    # The left sidebar would be empty (postmortems are not in the nav): give the page its
    # width instead. Tags go to Material's tags plugin.
    front = meta({"title": pm.title, "hide": ["navigation"], "search": {"boost": SEARCH_BOOST}, "tags": pm.tags})
    return str(front) + _site_links(pm, links, prefixed).strip("\n") + "\n"  # str(): Markup + text would escape


def _site_links(pm: Postmortem, links: list[Resolved], prefixed: bool) -> str:
    """``pm``'s narrative with each link's target replaced by its page's or file's path
    from this page, which MkDocs checks and turns into a URL like any other."""
    parts, done = [], 0
    page = urls.postmortem(pm.slug)
    for link in links:
        fragment = link.rest
        if prefixed and link.to_narrative and fragment.startswith("#") and fragment[1:] not in SECTIONS:
            fragment = "#" + narrative_id(fragment[1:])  # a heading of that page's narrative
        parts += [pm.body[done : link.start], quote(urls.relative(page, link.page)), fragment]
        done = link.end
    return "".join(parts) + pm.body[done:]


TEMPLATE = "postmortem.html.j2"


def postmortem_frame(pm: Postmortem) -> tuple[str, str]:
    """The page's HTML before the narrative and after it: the template's own output, which
    places its deferred sections around the summary and the narrative. It is HTML already,
    so Markdown converts only what the author wrote, and all of that is the sanitizer's."""
    return render_frame(TEMPLATE, pm=pm)


def postmortem_page(pm: Postmortem, ctx: Context) -> Rendered:
    page = urls.postmortem(pm.slug)
    related = ctx.analysis.links.related.get(pm.slug, [])
    sections = render(
        TEMPLATE,
        pm=pm,
        banner=STATUS_BANNERS.get(pm.status),
        imported=imported_note(pm),
        checklist=completeness(pm, ctx.library.settings) if shows_checklist(pm) else None,
        badges=ctx.badges(pm),
        facts=facts(pm, ctx),
        impact=impact_facts(pm.impact),
        detection=DETECTION_LABELS.get(pm.detection.method or "", "") if pm.detection else "",
        came_back=came_back(pm, ctx),
        causes=cause_views(pm, ctx),
        items=[(item, state_cell(ctx.tracked(item, pm))) for item in pm.action_items],
        states_as_of=ctx.states_as_of,
        timeline=[(clock(e.at, ctx.zone, pm.started), e.event) for e in pm.timeline],
        zone_name=pm.started.astimezone(ctx.zone).tzname(),
        related=[pm_anchor(r, page, ctx) for r in related],
        similar=similar_links(pm, ctx.analysis.similar.get(pm.slug, []), ctx),
        pagefind=pagefind_markup.page_markup(pm, ctx) if ctx.library.settings.pagefind else pagefind_markup.OFF,
        item_id=item_id,
    )
    markdown = postmortem_markdown(pm, ctx.library.links.resolved.get(pm.slug, []))
    return dataclasses.replace(sections, markdown=markdown)
