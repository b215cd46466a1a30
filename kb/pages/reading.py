"""``/reading/``: the onboarding tracks of ``reading.yml``, with progress kept in the browser.

The page is static; ``assets/reading.js`` remembers which items a reader ticked, in
``localStorage`` (no server, no account), and counts progress per track.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup

from kb.checks.library import Library
from kb.format import urls
from kb.format.model import Postmortem
from kb.pages.common import Badge, badge_html
from kb.pages.rendering import render
from kb.render.deferred import Rendered
from kb.render.escape import meta

PAGE = "reading/index.md"
WORDS_PER_MINUTE = 200


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    href: str  # raw HTML: relative to the built page, not a Markdown link
    date: str
    badges: Markup
    minutes: int
    why: str | None


@dataclass(frozen=True)
class Track:
    name: str
    description: str | None
    items: list[Item]

    @property
    def minutes(self) -> int:
        return sum(item.minutes for item in self.items)


def words(pm: Postmortem) -> int:
    """The words a reader goes through: summary, narrative and every list of the page."""
    texts = [
        pm.summary or "",
        pm.body,
        *pm.lessons,
        *pm.went_well,
        *pm.went_wrong,
        *pm.got_lucky,
        *(entry.event for entry in pm.timeline),
        *(item.title for item in pm.action_items),
        *(cause.detail or "" for cause in pm.causes),
    ]
    return sum(len(t.split()) for t in texts)


def reading_minutes(pm: Postmortem) -> int:
    """Estimated reading time at 200 words a minute, rounded up; never less than a minute."""
    return max(1, math.ceil(words(pm) / WORDS_PER_MINUTE))


def reading_badges(pm: Postmortem, severities: list[str]) -> Markup:
    """Severity and near-miss only: review state does not matter to a reader choosing."""
    found = []
    if pm.severity in severities:
        found.append(Badge(pm.severity, f"sev-{severities.index(pm.severity) + 1}"))
    if pm.type == "near-miss":
        found.append(Badge("Near-miss", "near-miss"))
    return badge_html(found)


def tracks(library: Library, directory_urls: bool = True) -> list[Track]:
    """Tracks in ``reading.yml`` order; items this audience may not see are left out."""
    by_id = library.by_id
    zone = library.settings.zone()
    found = []
    for track in library.reading.tracks:
        items = [
            Item(
                id=pm.slug,
                title=pm.title,
                href=urls.href(PAGE, urls.postmortem(pm.slug), directory_urls),
                date=f"{pm.started.astimezone(zone):%Y-%m-%d}",
                badges=reading_badges(pm, library.settings.severities),
                minutes=reading_minutes(pm),
                why=entry.why,
            )
            for entry in track.items
            if (pm := by_id.get(entry.id)) is not None
        ]
        if items:  # a track left empty for this audience would only confuse
            found.append(Track(track.name, track.description, items))
    return found


def reading_page(library: Library, directory_urls: bool = True) -> Rendered:
    return render(
        "reading.md.j2",
        meta=meta({"title": "Reading lists"}),
        tracks=tracks(library, directory_urls),
    )
