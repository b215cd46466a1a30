"""Entries for the site's search box: the words of a postmortem's structured sections.

A postmortem page's sections (impact, causes, action items, lessons, timeline...) are
deferred HTML (``kb.render.deferred``): they join the page after the site generator, so
its search index never sees them. Parsing the finished HTML again would cost what
deferring saved; the words are in the library already. So the build writes entries
straight from the postmortem into the index the site generator wrote (MkDocs'
``search/search_index.json``: ``{"config", "docs": [{location, title, text, boost?, tags?}]}``).
Only this build's postmortems are there: the audience's.

How they rank, in Material's search (lunr, then Material's own weighting; see
docs/searching.md): a word of a title weighs 1,000 times a word of a text, and a page's
score is multiplied by up to 5 where a section's is by up to 2, both more the more of
the query's words they hold. Hence:

- One entry per statement (a lesson, an action item, a timeline event, a cause, the
  trigger...), its words in the title, at the statement's own id on the page: a phrase
  from a lesson matches one entry with all its words, as a heading would, instead of a
  word in a section's text that any title holding one of the words outranks.
- Twice the page's boost: an entry holding every word of a query outranks a page whose
  title holds some of them; for a single word, the page's title still comes first.
- The tags as one more entry, weighed like a title, and no longer in Material's ``tags``
  field for these pages: a tag weighs a million times a word there, so one word of a
  long query that is part of a tag would outrank the postmortem that holds the phrase.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from html import escape
from pathlib import Path

from kb.checks.library import Library
from kb.format import urls
from kb.format.model import Postmortem
from kb.pages.postmortem import SEARCH_BOOST, item_id

INDEX = "search/search_index.json"  # where MkDocs' search plugin (and Material's) writes it
BOOST = 2 * SEARCH_BOOST  # a section's score counts at most 2x where its page's counts 5x: see above
TAGS = "tags"  # the tags' entry's anchor: no element has it, so the link opens the page at its top, by the tags


def search_entries(library: Library, directory_urls: bool) -> list[dict[str, object]]:
    """The entries of every postmortem in the build: its tags, and each statement of its structured sections."""
    return [entry for pm in library.postmortems for entry in _entries(pm, library, directory_urls)]


def _entries(pm: Postmortem, library: Library, directory_urls: bool) -> Iterator[dict[str, object]]:
    page = urls.html_path(urls.postmortem(pm.slug), directory_urls)
    for anchor, title, details in _statements(pm, library):
        title = " ".join(title.split())
        if title:
            text = "".join(f"<p>{escape(' '.join(d.split()))}</p>" for d in details if d and d.strip())
            yield {"location": f"{page}#{anchor}", "title": escape(title), "text": text, "boost": BOOST}


def _statements(pm: Postmortem, library: Library) -> Iterator[tuple[str, str, list[str | None]]]:
    """``(anchor, title, details)`` for each entry: the anchors are the page's ids
    (kb.pages.postmortem: a section's, or an item's)."""
    # Apart with a character the search box's default separator (spaces, hyphens) leaves as a
    # word of its own: with a comma, "cache," would be a word, rarer than "cache", so weightier.
    yield TAGS, " · ".join(pm.tags), []
    if pm.impact and (pm.impact.summary or pm.impact.slos):
        yield "impact", pm.impact.summary or "Impact", list(pm.impact.slos or [])
    if pm.detection:
        yield "detection", pm.detection.detail or "", []
    yield "trigger", pm.trigger or "", []
    for n, cause in enumerate(pm.causes, 1):
        title = library.causes[cause.key].title
        yield item_id("contributing-causes", n), f"{title} — {cause.detail}" if cause.detail else title, []
    for n, item in enumerate(pm.action_items, 1):
        yield item_id("action-items", n), item.title, [item.note, item.owner, item.tracker]
    for section, statements in (
        ("lessons-learned", pm.lessons),
        ("went-well", pm.went_well),
        ("went-wrong", pm.went_wrong),
        ("got-lucky", pm.got_lucky),
        ("timeline", [entry.event for entry in pm.timeline]),
    ):
        for n, statement in enumerate(statements, 1):
            yield item_id(section, n), statement, []


def add_to_index(site_dir: Path, entries: list[dict[str, object]]) -> bool:
    """Add ``entries`` to the search index the site generator wrote in ``site_dir``, and take
    the tags out of its entries for the same pages (``entries`` has them); ``False`` when
    there is none (no search plugin, or another format)."""
    path = site_dir / INDEX
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(index, dict) or not isinstance(index.get("docs"), list):
        return False
    pages = {str(entry["location"]).partition("#")[0] for entry in entries}
    for doc in index["docs"]:
        if isinstance(doc, dict) and str(doc.get("location", "")).partition("#")[0] in pages:
            doc.pop("tags", None)
    index["docs"] += entries
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return True
