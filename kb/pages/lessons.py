"""``/lessons/``: every lesson learned, grouped by cause category and by service.

Lessons are the part of a postmortem most worth reading across incidents, so they are
gathered here, each linked back to where it was learned. A postmortem with causes in
several categories (or several services) lists its lessons under each: a reader who
browses one category must see every lesson that bears on it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from markupsafe import Markup

from kb.checks.library import Library
from kb.format import urls
from kb.format.model import Postmortem
from kb.pages.common import Badge, badge_html
from kb.pages.rendering import render
from kb.render.deferred import Rendered
from kb.render.escape import html_link, meta

PAGE = "lessons/index.md"
NO_CAUSE = "No cause recorded"  # drafts may have no cause yet; their lessons still count
NO_SERVICE = "No service recorded"


@dataclass(frozen=True)
class Entry:
    """One lesson (or lucky break, or thing that went well) and where it came from."""

    text: str
    source: Markup  # an HTML link to the postmortem
    near_miss: bool


@dataclass(frozen=True)
class Group:
    title: str
    entries: list[Entry]


def category_title(category: str) -> str:
    """``change-management`` -> ``Change management``: categories are written as keys."""
    return category.replace("-", " ").replace("_", " ").strip().capitalize() or category


def _entries(pm: Postmortem, texts: list[str], directory_urls: bool) -> list[Entry]:
    href = urls.href(PAGE, urls.postmortem(pm.slug), directory_urls)
    source = html_link(href, pm.title)
    return [Entry(t, source, pm.type == "near-miss") for t in texts]


def _grouped(pairs: Iterable[tuple[str, list[Entry]]], last: str) -> list[Group]:
    """Groups sorted by title, the catch-all ``last`` at the end; entries keep library order."""
    groups: dict[str, list[Entry]] = defaultdict(list)
    for title, entries in pairs:
        groups[title].extend(entries)
    order = sorted(groups, key=lambda title: (title == last, title.casefold()))
    return [Group(title, groups[title]) for title in order]


def by_category(library: Library, directory_urls: bool = True) -> list[Group]:
    def pairs() -> Iterator[tuple[str, list[Entry]]]:
        for pm in library.postmortems:
            if not pm.lessons:
                continue
            entries = _entries(pm, pm.lessons, directory_urls)
            categories = {category_title(library.causes[k].category) for k in pm.cause_keys if k in library.causes}
            for title in sorted(categories) or [NO_CAUSE]:
                yield title, entries

    return _grouped(pairs(), NO_CAUSE)


def by_service(library: Library, directory_urls: bool = True) -> list[Group]:
    def pairs() -> Iterator[tuple[str, list[Entry]]]:
        for pm in library.postmortems:
            if not pm.lessons:
                continue
            entries = _entries(pm, pm.lessons, directory_urls)
            for service in sorted(set(pm.services)) or [NO_SERVICE]:
                yield service, entries

    return _grouped(pairs(), NO_SERVICE)


def collection(library: Library, field: str, directory_urls: bool = True) -> list[Entry]:
    """Every entry of a list field (``got_lucky``, ``went_well``), newest postmortem first."""
    return [entry for pm in library.postmortems for entry in _entries(pm, getattr(pm, field), directory_urls)]


def lessons_page(library: Library, directory_urls: bool = True) -> Rendered:
    lessons = collection(library, "lessons", directory_urls)
    return render(
        "lessons.md.j2",
        # Each lesson is already found by search on its postmortem's page; indexed here
        # too, it would come back up to once per category and service, crowding results.
        meta=meta({"title": "Lessons learned", "search": {"exclude": True}}),
        total=len(lessons),
        postmortems=sum(1 for pm in library.postmortems if pm.lessons),
        sections=[
            ("By cause category", by_category(library, directory_urls)),
            ("By service", by_service(library, directory_urls)),
        ],
        got_lucky=collection(library, "got_lucky", directory_urls),
        went_well=collection(library, "went_well", directory_urls),
        near_miss=badge_html([Badge("Near-miss", "near-miss")]),
    )
