"""The Markdown of every generated page: view models built here, layout in templates.

Each ``*_page`` function returns the Markdown of one page; the plugin hands it to MkDocs
as a generated file, so Material renders it like any hand-written page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from itertools import groupby

from markupsafe import Markup

from kb import actions, urls
from kb.library import Library
from kb.markup import attr, clock, link, meta, moment, render, span, text
from kb.model import Impact, Postmortem

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


def _joined(values: list[str]) -> Markup:
    return Markup(", ".join(text(v) for v in values))


def facts(pm: Postmortem, zone: tzinfo) -> list[Fact]:
    """The header table: when, how long, who and what."""
    rows = [Fact("Started", moment(pm.started, zone))]
    for label, value, delta in (
        ("Detected", pm.detected, pm.time_to_detect),
        ("Mitigated", pm.mitigated, pm.time_to_mitigate),
        ("Resolved", pm.resolved, pm.time_to_resolve),
    ):
        if value:
            rows.append(Fact(label, f"{moment(value, zone)} (after {span(delta)})"))
    for label, values in (("Services", pm.services), ("Teams", pm.teams), ("Authors", pm.authors), ("Tags", pm.tags)):
        if values:
            rows.append(Fact(label, _joined(values)))
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
            shown = _joined(value)
        else:
            shown = f"{value:,}"
        rows.append(Fact(label, shown))
    return rows


def postmortem_page(pm: Postmortem, library: Library) -> str:
    settings = library.settings
    zone = settings.zone()
    page = urls.postmortem(pm.slug)
    by_id = library.by_id
    return render(
        "postmortem.md.j2",
        # The left sidebar would be empty (postmortems are not in the nav): give the
        # page its width instead.
        meta=meta({"title": pm.title, "hide": ["navigation"], "search": {"boost": 2}}),
        pm=pm,
        banner=STATUS_BANNERS.get(pm.status),
        badges=badges(pm, settings.severities),
        facts=facts(pm, zone),
        impact=impact_facts(pm.impact),
        detection=DETECTION_LABELS.get(pm.detection.method or "", "") if pm.detection else "",
        causes=[(library.causes[c.key].title, c) for c in pm.causes],
        items=[(item, actions.state(item, library.today, settings.due_soon_days)) for item in pm.action_items],
        states={state: badge_html([Badge(label, f"state-{state}")]) for state, label in actions.LABELS.items()},
        timeline=[(clock(e.at, zone, pm.started), e.event) for e in pm.timeline],
        zone_name=pm.started.astimezone(zone).tzname(),
        related=[link(by_id[r].title, urls.relative(page, urls.postmortem(r))) for r in pm.related if r in by_id],
    )


@dataclass(frozen=True)
class Row:
    """One row of the explorer: what it shows, and the values its filters match."""

    pm: Postmortem
    date: str
    href: str
    badges: Markup
    severity_rank: int  # sorts SEV1 first; near-misses last
    facets: dict[str, list[str]]
    text: str  # what the free-text filter matches


FACETS = ("severity", "type", "status", "service", "team", "cause", "year")


def explorer_row(pm: Postmortem, library: Library, directory_urls: bool) -> Row:
    severities = library.settings.severities
    year = str(pm.started.astimezone(library.settings.zone()).year)
    return Row(
        pm=pm,
        date=f"{pm.started.astimezone(library.settings.zone()):%Y-%m-%d}",
        href=urls.href(urls.POSTMORTEMS, urls.postmortem(pm.slug), directory_urls),
        badges=badges(pm, severities),
        severity_rank=severities.index(pm.severity) if pm.severity else len(severities),
        facets={
            "severity": [pm.severity or "none"],
            "type": [pm.type],
            "status": [pm.status],
            "service": pm.services,
            "team": pm.teams,
            "cause": pm.cause_keys,
            "year": [year],
        },
        text=" ".join([pm.slug, pm.title, pm.summary or "", *pm.services, *pm.teams, *pm.cause_keys, *pm.tags]).lower(),
    )


def postmortems_page(library: Library, directory_urls: bool = True) -> str:
    """``/postmortems/``: every postmortem, newest first by year, with the explorer's filters."""
    zone = library.settings.zone()
    rows = [explorer_row(pm, library, directory_urls) for pm in library.postmortems]
    years = [(year, list(group)) for year, group in groupby(rows, key=lambda row: row.facets["year"][0])]
    near_misses = sum(1 for pm in library.postmortems if pm.type == "near-miss")
    return render(
        "postmortems.md.j2",
        meta=meta({"title": "Postmortems", "hide": ["navigation", "toc"], "search": {"exclude": True}}),
        total=len(library.postmortems),
        near_misses=near_misses,
        years=years,
        facets=FACETS,
        zone=zone,
    )
