"""What the library adds to a site: the plan of its pages, and its assets.

The plan is decided from the loaded library and its grouping by service and team, not
the analysis, so a site generator can list every page at once and read each one's
content when it gets to it.

A page's Markdown is known in the plan when it needs only its postmortem (a postmortem
page's narrative, and the HTML that goes before and after it); the rest of a page comes
from ``Page.render``, given the analysis: deferred HTML (``kb.render.deferred.Rendered``) and, for the
other pages, the Markdown too. Nothing here knows about MkDocs; the data files (the
JSON API, the feed, the explorer's words) come from ``kb.build.stages``'s data stage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources

from kb.analysis.links import Links
from kb.checks.library import Library
from kb.checks.links import Resolved
from kb.format import urls
from kb.format.model import Postmortem
from kb.pages import insights, lessons, pagefind_markup, reading
from kb.pages.board import board_page
from kb.pages.causes import cause_page, causes_page
from kb.pages.common import Context
from kb.pages.explorer import postmortems_page
from kb.pages.groups import KINDS, group_page
from kb.pages.lists import page_count, page_path
from kb.pages.postmortem import postmortem_frame, postmortem_markdown, postmortem_page
from kb.pages.unpublished import unpublished_page
from kb.render.deferred import Rendered

# Assets every page may need: plain files, no framework, nothing fetched from a CDN.
STYLESHEETS = ("assets/postmortems.css", "assets/learning.css", "assets/print.css")
SCRIPTS = (
    "assets/postmortems.js",  # the explorers' filters
    "assets/reading.js",  # reading-list progress, kept in the reader's browser
)
# Markdown extensions the generated pages are written for (tables, admonitions, HTML
# with Markdown inside); a site that does not list them gets them added.
MARKDOWN_EXTENSIONS = ("tables", "admonition", "attr_list", "md_in_html")


@dataclass(frozen=True)
class SiteFile:
    """A file written as it is: a stylesheet or a script."""

    path: str  # relative to the site's docs folder
    content: str


@dataclass(frozen=True)
class Page:
    path: str  # relative to the site's docs folder
    render: Callable[[Context], Rendered]  # the whole page, given the analysis
    in_nav: bool = False  # thousands of postmortem pages stay out of the navigation
    markdown: str | None = None  # its Markdown, when the library alone decides it
    # HTML that goes before and after what the Markdown becomes, on a page whose Markdown
    # is an author's narrative: that is untrusted and sanitized, this is ours.
    head: str | None = None
    tail: str = ""
    source: str | None = None  # a postmortem page's file: its page changes when the file does


def assets(library: Library) -> Iterator[SiteFile]:
    """The stylesheets and scripts, and Pagefind's when it is on."""
    for name in (*STYLESHEETS, *SCRIPTS, *(pagefind_markup.ASSETS if library.settings.pagefind else ())):
        yield SiteFile(name, resources.files("kb.site").joinpath(name).read_text(encoding="utf-8"))


def list_pages(
    first: str, total: int, library: Library, render: Callable[[Context, int], Rendered], in_nav: bool = False
) -> Iterator[Page]:
    """A list page and its later pages (``kb.pages.lists``) for ``total`` rows; each page
    renders its own rows."""
    yield Page(first, lambda ctx: render(ctx, 1), in_nav=in_nav)
    for n in range(2, page_count(total, library.settings.list_page_size) + 1):
        yield Page(page_path(first, n), lambda ctx, n=n: render(ctx, n))


def learning_pages(library: Library) -> Iterator[Page]:
    """Lessons (and their later pages), reading lists and insights."""
    entries = sum(lessons.entry_count(pm) for pm in library.postmortems)
    yield from list_pages(lessons.PAGE, entries, library, lessons.lessons_page, in_nav=True)
    yield Page(reading.PAGE, lambda ctx: reading.reading_page(ctx.library, ctx.directory_urls), in_nav=True)
    yield Page(insights.PAGE, lambda ctx: insights.insights_page(ctx.library), in_nav=True)


def _group_page(kind: str, slug: str) -> Callable[[Context, int], Rendered]:
    def render(ctx: Context, number: int) -> Rendered:
        groups = ctx.analysis.links.services if kind == "service" else ctx.analysis.links.teams
        return group_page(kind, groups[slug], ctx, number)

    return render


def group_pages(library: Library, links: Links) -> Iterator[Page]:
    """Each cause's, service's and team's page, and the later pages of its postmortems."""
    for key in library.causes:
        render = lambda ctx, n, key=key: cause_page(key, ctx, n)  # noqa: E731
        yield from list_pages(urls.cause(key), len(links.by_cause.get(key, [])), library, render)
    for kind, groups_of_kind in (("service", links.services), ("team", links.teams)):
        for slug, group in groups_of_kind.items():
            yield from list_pages(KINDS[kind][1](slug), len(group.postmortems), library, _group_page(kind, slug))


# While serving, every save plans the whole site again, and nearly every postmortem is
# the one it was: its planned parts (a template render each) are kept by what they are
# made from, its file's content, the settings and catalogs, and its narrative's links.
_Planned = tuple[str, str, str]  # Markdown, head, tail
_planned: dict[tuple[str, bytes, bytes, tuple[Resolved, ...]], _Planned] = {}


def _postmortem(pm: Postmortem, library: Library, keep: bool) -> Page:
    links = library.links.resolved.get(pm.slug, [])
    key = (pm.source, library.file_digests.get(pm.source, b""), library.fingerprint, tuple(links))
    planned = _planned.get(key) if keep else None
    if planned is None:
        planned = (postmortem_markdown(pm, links), *postmortem_frame(pm))
        if keep:
            _planned[key] = planned
    markdown, head, tail = planned
    return Page(
        urls.postmortem(pm.slug),
        lambda ctx: postmortem_page(pm, ctx),
        markdown=markdown,
        head=head,
        tail=tail,
        source=pm.source,
    )


def _as_is(markdown: str) -> Callable[[Context], Rendered]:
    """A page that is its Markdown alone."""
    return lambda ctx: Rendered(markdown, {}, [])


def plan(library: Library, links: Links, serving: bool = False) -> list[Page]:
    """Every page, postmortems first: they are most of the site, and their Markdown is
    ready, so a site generator can start on them while the other pages are rendered.
    While ``serving``, a postmortem with errors gets a page that lists them."""
    if serving and len(_planned) > 2 * len(library.postmortems):  # what earlier saves made, gone
        _planned.clear()
    pages = [_postmortem(pm, library, keep=serving) for pm in library.postmortems]
    items = sum(len(pm.action_items) for pm in library.postmortems)  # every one is on the board
    pages += [
        *list_pages(urls.POSTMORTEMS, len(library.postmortems), library, postmortems_page, in_nav=True),
        Page(urls.CAUSES, causes_page, in_nav=True),
        *list_pages(urls.ACTION_ITEMS, items, library, board_page, in_nav=True),
        *group_pages(library, links),
        *learning_pages(library),
    ]
    if serving:
        for slug, unpublished in library.unpublished.items():
            markdown = unpublished_page(unpublished, library)
            pages.append(Page(urls.postmortem(slug), _as_is(markdown), markdown=markdown, source=unpublished.source))
    if library.settings.pagefind:  # the search page; Pagefind indexes the site after the build
        search = pagefind_markup.search_page()
        pages.append(Page(pagefind_markup.PAGE, _as_is(search), in_nav=True, markdown=search))
    return pages
