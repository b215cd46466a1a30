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

from kb.analysis.analyze import analyze
from kb.build.messages import DataFiles, Message, RenderedPages
from kb.build.timing import timed
from kb.checks.library import Library
from kb.pages import explorer
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
        """The search index brought up to date, the JSON API, the feed and the explorer's words."""
        library, options = self.library, self.options
        analysis = self.context.analysis
        with self._timed("index"):
            index = options.engine.update_documents([document(pm) for pm in library.postmortems])
        with self._timed("data files"):
            files = api_files(library, analysis)
            files[feed.PATH] = feed.feed_xml(library, options.directory_urls, options.site_url)
            files[explorer.WORDS] = explorer.words_file(library)
            search = search_entries(library, options.directory_urls)
        return DataFiles(files, index, self.seconds, search)

    def run(self, pages: list[Page]) -> Iterator[Message]:
        """Every stage in order, as messages for the build: the pages in batches, those
        whose Markdown the site generator waits for first, then the data."""
        waited_for_first = sorted(pages, key=lambda page: page.markdown is not None)  # sort is stable
        for start in range(0, len(waited_for_first), BATCH):
            batch = waited_for_first[start : start + BATCH]
            yield RenderedPages([(page.path, _without_planned(page, self.render(page))) for page in batch])
        yield self.data


def _without_planned(page: Page, rendered: Rendered) -> Rendered:
    """What is sent of a page: not the Markdown the build planned already (most of a
    postmortem page's size)."""
    return dataclasses.replace(rendered, markdown="") if page.markdown is not None else rendered
