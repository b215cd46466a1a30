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
from kb.pages import board, causes, explorer, groups, insights, lessons, pagefind_markup, reading
from kb.pages.board import board_page
from kb.pages.causes import cause_page, causes_page
from kb.pages.common import Context
from kb.pages.explorer import postmortems_page
from kb.pages.groups import KINDS, group_page
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


def learning_pages(library: Library) -> Iterator[Page]:
    """Lessons (and their later pages), reading lists and insights."""
    yield Page(lessons.PAGE, lessons.lessons_page, in_nav=True)
    for n, path in enumerate(lessons.pages(library), 2):
        yield Page(path, lambda ctx, n=n: lessons.lessons_page(ctx, n))
    yield Page(reading.PAGE, lambda ctx: reading.reading_page(ctx.library, ctx.directory_urls), in_nav=True)
    yield Page(insights.PAGE, lambda ctx: insights.insights_page(ctx.library), in_nav=True)


def _group_page(kind: str, slug: str, number: int = 1) -> Callable[[Context], Rendered]:
    def render(ctx: Context) -> Rendered:
        groups = ctx.analysis.links.services if kind == "service" else ctx.analysis.links.teams
        return group_page(kind, groups[slug], ctx, number)

    return render


def group_pages(library: Library, links: Links) -> Iterator[Page]:
    """Each cause's, service's and team's page, and the later pages of its postmortems."""
    size = library.settings.list_page_size
    for key in library.causes:
        yield Page(urls.cause(key), lambda ctx, key=key: cause_page(key, ctx))
        for n, path in enumerate(causes.pages(key, links, size), 2):
            yield Page(path, lambda ctx, key=key, n=n: cause_page(key, ctx, n))
    for kind, groups_of_kind in (("service", links.services), ("team", links.teams)):
        for slug, group in groups_of_kind.items():
            yield Page(KINDS[kind][1](slug), _group_page(kind, slug))
            for n, path in enumerate(groups.pages(kind, group, size), 2):
                yield Page(path, _group_page(kind, slug, n))


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
    pages += [
        Page(urls.POSTMORTEMS, postmortems_page, in_nav=True),
        *(Page(path, lambda ctx, n=n: postmortems_page(ctx, n)) for n, path in enumerate(explorer.pages(library), 2)),
        Page(urls.CAUSES, causes_page, in_nav=True),
        Page(urls.ACTION_ITEMS, board_page, in_nav=True),
        *(Page(path, lambda ctx, n=n: board_page(ctx, n)) for n, path in enumerate(board.pages(library), 2)),
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
