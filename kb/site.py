"""Every file the library adds to a site, as (path, content) pairs: the render stage's output.

The MkDocs plugin turns these into generated files; nothing here knows about MkDocs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

from kb import feed, insights, lessons, reading, urls
from kb.api import api_files
from kb.library import Library
from kb.pages.board import board_page
from kb.pages.causes import cause_page, causes_page
from kb.pages.common import Context
from kb.pages.explorer import postmortems_page
from kb.pages.groups import group_page
from kb.pages.postmortem import postmortem_page

# Assets every page may need: plain files, no framework, nothing fetched from a CDN.
STYLESHEETS = ("assets/postmortems.css", "assets/learning.css")
SCRIPTS = (
    "assets/postmortems.js",  # the explorers' filters
    "assets/reading.js",  # reading-list progress, kept in the reader's browser
)
# Markdown extensions the generated pages are written for (tables, admonitions, HTML
# with Markdown inside); a site that does not list them gets them added.
MARKDOWN_EXTENSIONS = ("tables", "admonition", "attr_list", "md_in_html")


@dataclass(frozen=True)
class SiteFile:
    path: str  # relative to the site's docs folder
    content: str
    in_nav: bool = False  # thousands of postmortem pages stay out of the navigation


def learning_files(library: Library, directory_urls: bool = True, site_url: str | None = None) -> Iterator[SiteFile]:
    """Lessons, reading lists, insights and the feed; ``site_url`` makes feed links absolute."""
    yield SiteFile(lessons.PAGE, lessons.lessons_page(library), in_nav=True)
    yield SiteFile(reading.PAGE, reading.reading_page(library, directory_urls), in_nav=True)
    yield SiteFile(insights.PAGE, insights.insights_page(library), in_nav=True)
    yield SiteFile(feed.PATH, feed.feed_xml(library, directory_urls, site_url))


def site_files(ctx: Context) -> Iterator[SiteFile]:
    library, links = ctx.library, ctx.analysis.links
    for asset in (*STYLESHEETS, *SCRIPTS):
        yield SiteFile(asset, resources.files("kb").joinpath(asset).read_text(encoding="utf-8"))
    yield SiteFile(urls.POSTMORTEMS, postmortems_page(ctx), in_nav=True)
    for pm in library.postmortems:
        yield SiteFile(urls.postmortem(pm.slug), postmortem_page(pm, ctx))
    yield SiteFile(urls.CAUSES, causes_page(ctx), in_nav=True)
    yield SiteFile(urls.ACTION_ITEMS, board_page(ctx), in_nav=True)
    for key in library.causes:
        yield SiteFile(urls.cause(key), cause_page(key, ctx))
    for group in links.services.values():
        yield SiteFile(urls.service(group.slug), group_page("service", group, ctx))
    for group in links.teams.values():
        yield SiteFile(urls.team(group.slug), group_page("team", group, ctx))
    yield from learning_files(library, ctx.directory_urls, ctx.site_url)
    for path, content in api_files(library, ctx.analysis).items():
        yield SiteFile(path, content)
