"""Entries for the site's search box: the words of a postmortem's structured sections.

A postmortem page's sections (impact, causes, action items, lessons, timeline...) are
deferred HTML (``kb.render.deferred``): they join the page after the site generator, so
its search index never sees them. Parsing the finished HTML again would cost what
deferring saved; the words are in the library already. So the build writes one entry per
section, straight from the postmortem, into the index the site generator wrote (MkDocs'
``search/search_index.json``: ``{"config", "docs": [{location, title, text}]}``), each at
its section's anchor, so a hit leads to the section. Only this build's postmortems are
there: the audience's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from html import escape
from pathlib import Path

from kb.checks.library import Library
from kb.format import urls
from kb.format.model import Postmortem

INDEX = "search/search_index.json"  # where MkDocs' search plugin (and Material's) writes it


def search_entries(library: Library, directory_urls: bool) -> list[dict[str, str]]:
    """One entry per structured section of every postmortem in the build."""
    return [entry for pm in library.postmortems for entry in _entries(pm, library, directory_urls)]


def _entries(pm: Postmortem, library: Library, directory_urls: bool) -> Iterator[dict[str, str]]:
    page = urls.html_path(urls.postmortem(pm.slug), directory_urls)
    impact = pm.impact
    causes = [
        f"{library.causes[c.key].title if c.key in library.causes else c.key}. {c.detail or ''}" for c in pm.causes
    ]
    sections = {
        # anchor: (title, texts); anchors are the template's section ids (kb.pages.postmortem.SECTIONS)
        "impact": ("Impact", [impact.summary or "", *(impact.slos or [])] if impact else []),
        "detection": ("Detection", [pm.detection.detail or ""] if pm.detection else []),
        "trigger": ("Trigger", [pm.trigger or ""]),
        "contributing-causes": ("Contributing causes", causes),
        "action-items": (
            "Action items",
            [f"{item.title} {item.note or ''} {item.owner or ''} {item.tracker or ''}" for item in pm.action_items],
        ),
        "lessons-learned": ("Lessons learned", [*pm.lessons, *pm.went_well, *pm.went_wrong, *pm.got_lucky]),
        "timeline": ("Timeline", [entry.event for entry in pm.timeline]),
    }
    for anchor, (title, texts) in sections.items():
        words = [" ".join(text.split()) for text in texts if text and text.strip()]
        if words:
            text = "".join(f"<p>{escape(w)}</p>" for w in words)
            yield {"location": f"{page}#{anchor}", "title": title, "text": text}


def add_to_index(site_dir: Path, entries: list[dict[str, str]]) -> bool:
    """Add ``entries`` to the search index the site generator wrote in ``site_dir``;
    ``False`` when there is none (no search plugin, or another format)."""
    path = site_dir / INDEX
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(index, dict) or not isinstance(index.get("docs"), list):
        return False
    index["docs"] += entries
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return True
