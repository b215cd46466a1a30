"""The pages and assets the library adds to a site: the render stage's output.

Each page is Markdown plus its deferred HTML (``kb.markup.Rendered``). The MkDocs plugin
turns them into generated files; nothing here knows about MkDocs. The data files (the
JSON API, the feed) come from ``kb.build``'s data stage.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from kb import insights, lessons, pagefind, reading, urls
from kb.library import Library
from kb.markup import Rendered
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
    # A page's HTML that replaces its markers once the site generator is done with
    # the page (see ``kb.markup.fill_deferred``).
    deferred: dict[str, str] = field(default_factory=dict)
    toc: list[dict[str, Any]] = field(default_factory=list)  # headings in deferred HTML, first in the page


def page_file(path: str, page: Rendered, in_nav: bool = False) -> SiteFile:
    return SiteFile(path, page.markdown, in_nav, page.deferred, page.toc)


def learning_files(library: Library, directory_urls: bool = True) -> Iterator[SiteFile]:
    """Lessons, reading lists and insights."""
    yield page_file(lessons.PAGE, lessons.lessons_page(library, directory_urls), in_nav=True)
    yield page_file(reading.PAGE, reading.reading_page(library, directory_urls), in_nav=True)
    yield page_file(insights.PAGE, insights.insights_page(library), in_nav=True)


def site_files(ctx: Context) -> Iterator[SiteFile]:
    library, links = ctx.library, ctx.analysis.links
    for asset in (*STYLESHEETS, *SCRIPTS):
        yield SiteFile(asset, resources.files("kb").joinpath(asset).read_text(encoding="utf-8"))
    yield page_file(urls.POSTMORTEMS, postmortems_page(ctx), in_nav=True)
    for pm in library.postmortems:
        yield page_file(urls.postmortem(pm.slug), postmortem_page(pm, ctx))
    yield page_file(urls.CAUSES, causes_page(ctx), in_nav=True)
    yield page_file(urls.ACTION_ITEMS, board_page(ctx), in_nav=True)
    for key in library.causes:
        yield page_file(urls.cause(key), cause_page(key, ctx))
    for group in links.services.values():
        yield page_file(urls.service(group.slug), group_page("service", group, ctx))
    for group in links.teams.values():
        yield page_file(urls.team(group.slug), group_page("team", group, ctx))
    yield from learning_files(library, ctx.directory_urls)
    if library.settings.pagefind:  # the search page and its assets; Pagefind indexes the site after the build
        for asset in pagefind.ASSETS:
            yield SiteFile(asset, resources.files("kb").joinpath(asset).read_text(encoding="utf-8"))
        yield SiteFile(pagefind.PAGE, pagefind.search_page(), in_nav=True)
