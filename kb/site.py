"""Every file the library adds to a site, as (path, content) pairs: the render stage's output.

The MkDocs plugin turns these into generated files; nothing here knows about MkDocs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

from kb import pages, urls
from kb.library import Library

STYLESHEET = "assets/postmortems.css"
SCRIPT = "assets/postmortems.js"  # the explorer's filters; no network, no framework
# Markdown extensions the generated pages are written for (tables, admonitions, HTML
# with Markdown inside); a site that does not list them gets them added.
MARKDOWN_EXTENSIONS = ("tables", "admonition", "attr_list", "md_in_html")


@dataclass(frozen=True)
class SiteFile:
    path: str  # relative to the site's docs folder
    content: str
    in_nav: bool = False  # thousands of postmortem pages stay out of the navigation


def site_files(library: Library, directory_urls: bool = True) -> Iterator[SiteFile]:
    for asset in (STYLESHEET, SCRIPT):
        yield SiteFile(asset, resources.files("kb").joinpath(asset).read_text(encoding="utf-8"))
    yield SiteFile(urls.POSTMORTEMS, pages.postmortems_page(library, directory_urls), in_nav=True)
    for pm in library.postmortems:
        yield SiteFile(urls.postmortem(pm.slug), pages.postmortem_page(pm, library))
