"""``feed.xml``: an RSS 2.0 feed of the newest published postmortems.

Built with feedgen, so the XML is well-formed and escaped by construction. Every date in
it comes from the postmortems themselves (never the build time), so two builds of the
same library write the same bytes. Drafts and postmortems in review are left out:
subscribers are told about a postmortem once it is final.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

from kb.checks.library import Library
from kb.format import urls
from kb.format.model import Postmortem

if TYPE_CHECKING:
    from feedgen.feed import FeedGenerator

PATH = "feed.xml"
LIMIT = 50
TITLE = "Postmortems"
DESCRIPTION = "Newly published postmortems: what happened, why, and what we changed."


def published(library: Library) -> list[Postmortem]:
    """The newest published postmortems (the library is already newest first)."""
    return [pm for pm in library.postmortems if pm.status == "published"][:LIMIT]


def feed_xml(library: Library, directory_urls: bool = True, site_url: str | None = None) -> str:
    # Imported here: feedgen and lxml take a tenth of a second to import, and a large
    # library's feed is written in the worker process, not the one running the site build.
    from feedgen.feed import FeedGenerator

    entries = published(library)
    fg = FeedGenerator()
    fg.title(TITLE)
    if site_url:
        fg.link(href=f"{site_url.rstrip('/')}/{PATH}", rel="self")
    # Last: feedgen gives RSS's one channel <link> the last link set.
    fg.link(href=urls.site_link(urls.POSTMORTEMS, directory_urls, site_url), rel="alternate")
    fg.description(DESCRIPTION)
    fg.language("en")
    fg.generator("kb (python-feedgen)")
    # The newest entry's date, not the build's: a rebuild must not look like news.
    newest = entries[0].started if entries else datetime.combine(library.today, time(), UTC)
    fg.lastBuildDate(newest)
    for pm in entries:
        _entry(fg, pm, urls.site_link(urls.postmortem(pm.slug), directory_urls, site_url), library.settings.severities)
    return fg.rss_str(pretty=True).decode("utf-8")


def _entry(fg: FeedGenerator, pm: Postmortem, link: str, severities: list[str]) -> None:
    entry = fg.add_entry(order="append")
    entry.title(pm.title)
    entry.link(href=link)
    entry.guid(link, permalink=link.startswith(("http://", "https://")))
    entry.pubDate(pm.started)
    # RSS readers render <description> as HTML: escape the summary so it shows as text.
    entry.description(html.escape(pm.summary or pm.title))
    labels = [pm.severity] if pm.severity in severities else []
    labels += ["near-miss"] if pm.type == "near-miss" else []
    for label in [*labels, *pm.services]:
        entry.category(term=label)
