"""The stages of a build after the load, written once: analyze, render, data.

The worker process runs them all, ahead of the site generator (``Stages.run``). The
build runs each in the site generator's process when it needs a result the worker has
not delivered (a small library, or a worker that failed). Either way it is these methods, so the site
is the same.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from kb.analysis.analyze import analyze
from kb.build.messages import DataFiles, Message, RenderedPages
from kb.build.quick import changed_pages
from kb.build.timing import timed
from kb.checks.library import Library
from kb.format import urls
from kb.pages import board, explorer, lessons, lists
from kb.pages.common import Context
from kb.render.deferred import Rendered
from kb.search.engine import SearchEngine, document
from kb.site import feed
from kb.site.api import api_files
from kb.site.plan import Page
from kb.site.search_entries import search_entries

# Rendered pages go to the site generator in batches of this many: few enough
# messages to cost nothing, small enough that the first pages arrive early.
BATCH = 100


@dataclass(frozen=True)
class SiteOptions:
    """How the site is published: its URL style and address, and the search index the
    data stage keeps up to date."""

    engine: SearchEngine  # holds only its folder: it can go to the worker
    directory_urls: bool
    site_url: str | None
    serving: bool = False  # ``mkdocs serve``: a postmortem with errors gets a page that lists them
    # A ``--dirty`` serve session's (``kb.build.quick``): the file digests the site's pages
    # were last written from (none for its first build), and the file the worker touches
    # once it has rendered the whole site for a build that had them.
    files_before: dict[str, bytes] | None = None
    signal: Path | None = None


class Stages:
    """Analyze, render and data for one loaded library: the analysis and the data once
    each, when first needed; the render once per page asked for."""

    def __init__(self, library: Library, options: SiteOptions, seconds: dict[str, float], prefix: str = "") -> None:
        self.library = library
        self.options = options
        self.seconds = seconds  # per stage, in the order they ran
        self.prefix = prefix  # "worker ": the build log tells the two processes' stages apart

    def _timed(self, stage: str) -> AbstractContextManager[None]:
        return timed(self.seconds, self.prefix + stage)

    @functools.cached_property
    def context(self) -> Context:
        """The analysis, and everything else a page is rendered from."""
        analysis = analyze(self.library, self._timed)
        return Context(self.library, analysis, self.options.directory_urls, self.options.site_url)

    def render(self, page: Page) -> Rendered:
        context = self.context
        with self._timed("render"):
            return page.render(context)

    @functools.cached_property
    def data(self) -> DataFiles:
        """The JSON API, the feed, the explorer's words, the site's search entries, and the
        search index where the site publishes it.

        Only ``publish_index`` needs the index in a build: the site's search box uses its
        own entries, and ``kb search`` keeps the index fresh itself. Indexing every
        postmortem from an empty cache, as CI builds, nearly doubled the build's time with
        Whoosh (``docs/design.md``, "The search index is kb search's")."""
        library, options = self.library, self.options
        analysis = self.context.analysis
        index = None
        if library.settings.publish_index:
            with self._timed("index"):
                index = options.engine.update_documents([document(pm) for pm in library.postmortems])
        with self._timed("data files"):
            files = api_files(library, analysis)
            files[feed.PATH] = feed.feed_xml(library, options.directory_urls, options.site_url)
            files[explorer.WORDS] = explorer.words_file(library)
            files[lists.rows_file(urls.POSTMORTEMS)] = explorer.rows_file(self.context)
            files[lists.rows_file(lessons.PAGE)] = lessons.rows_file(self.context)
            files[lists.rows_file(urls.ACTION_ITEMS)] = board.rows_file(self.context)
            search = search_entries(library, options.directory_urls)
        return DataFiles(files, index, self.seconds, search)

    def run(self, pages: list[Page]) -> Iterator[Message]:
        """Every stage in order, as messages for the build: the pages in batches, those
        whose Markdown the site generator waits for first, then the data. A quick build
        (``kb.build.quick``) waits for the pages of the files that changed: they come
        first, on their own."""
        before = self.options.files_before
        changed = changed_pages(pages, before, self.library.file_digests) if before is not None else set()
        # Those first, then the pages whose Markdown the site generator reads (the list
        # pages), then the others, whose deferred parts it needs only when it writes them,
        # once every page's Markdown is converted. Sort is stable.
        ordered = sorted(pages, key=lambda page: (page.path not in changed, page.markdown is not None))
        starts = [0, len(changed), *range(len(changed) + BATCH, len(ordered), BATCH)] if changed else []
        starts = starts or list(range(0, len(ordered), BATCH))
        for start, end in zip(starts, [*starts[1:], len(ordered)], strict=True):
            batch = ordered[start:end]
            yield RenderedPages([(page.path, _without_planned(page, self.render(page))) for page in batch])
        yield self.data


def _without_planned(page: Page, rendered: Rendered) -> Rendered:
    """What is sent of a page: not the Markdown the build planned already (most of a
    postmortem page's size)."""
    return dataclasses.replace(rendered, markdown="") if page.markdown is not None else rendered
