"""One build of the library, stage by stage: load, analyze, render pages, then data.

The MkDocs plugin and any other front end call :func:`build_library` and get back the
pages to add to the site and the problems to report; :meth:`LibraryBuild.finish`, at the
end of the build, gives the data files (the JSON API, the feed) to write next to them.

The data files and the search index need no page and no page needs them. On a large
library they are made in a worker process, on the machine's other core, while the site
generator renders the pages on this one: the worker reads the library itself (from the
same files, with the same settings) rather than waiting for this process to share it.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kb import feed
from kb.analysis import Analysis, analyze
from kb.api import api_files
from kb.library import Library, load
from kb.pages.common import Context
from kb.search import SearchEngine, UpdateStats, document, engine_for
from kb.settings import Settings
from kb.site import SiteFile, site_files
from kb.sources import discover

# Below this many postmortem files, a worker costs more to start than it saves.
PARALLEL_FROM = 200


@dataclass(frozen=True)
class Data:
    """What the data stage makes: files for the site, the index update, its timings."""

    files: dict[str, str]  # site path -> content
    index: UpdateStats
    seconds: dict[str, float]


@dataclass(frozen=True)
class Target:
    """Where the data stage writes to, and the URLs it writes."""

    engine: SearchEngine  # holds only its folder: it can go to the worker
    directory_urls: bool
    site_url: str | None


@dataclass
class LibraryBuild:
    library: Library
    files: list[SiteFile]
    index_dir: Path
    seconds: dict[str, float] = field(default_factory=dict)  # per stage, in order
    index: UpdateStats | None = None
    page_count: int = 0
    _data: Data | Future[Data] | None = None

    def hand_over(self) -> list[SiteFile]:
        """The pages and assets, once: the build forgets them, so that a site generator
        that holds them (and frees each page once written) is the only one holding them."""
        files, self.files = self.files, []
        return files

    def finish(self) -> dict[str, str]:
        """The data files, once made (waiting for the worker); ``SearchError`` if indexing failed."""
        if isinstance(self._data, Future):
            self._data = self._data.result()
        assert self._data is not None
        self.index = self._data.index
        self.seconds.update(self._data.seconds)
        return self._data.files

    def summary(self) -> str:
        """One line for the build log, after ``finish``: counts, then the time of each stage."""
        lib, index = self.library, self.index
        assert index is not None, "summary() comes after finish()"
        stages = ", ".join(f"{stage} {secs:.2f}s" for stage, secs in self.seconds.items())
        indexed = (
            f"index {len(index.added)} added, {len(index.updated)} updated, {len(index.removed)} removed, "
            f"{index.unchanged} unchanged"
        )
        return (
            f"{lib.files} postmortem files, {len(lib.postmortems)} in audience {lib.settings.audience!r}, "
            f"{len(lib.problems)} problems; {indexed}; {self.page_count} pages and assets ({stages})"
        )


@contextmanager
def _timed(seconds: dict[str, float], stage: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    seconds[stage] = time.perf_counter() - started


def make_data(library: Library, analysis: Analysis, target: Target, seconds: dict[str, float]) -> Data:
    """Update the search index and write the JSON API and the feed."""
    with _timed(seconds, "index"):
        index = target.engine.update_documents([document(pm) for pm in library.postmortems])
    with _timed(seconds, "data files"):
        files = api_files(library, analysis)
        files[feed.PATH] = feed.feed_xml(library, target.directory_urls, target.site_url)
    return Data(files, index, seconds)


def _data_worker(settings: Settings, project_dir: Path, target: Target) -> Data:
    """The data stage on its own, in the worker process."""
    seconds: dict[str, float] = {}
    with _timed(seconds, "worker load"):
        library = load(settings, project_dir)
    with _timed(seconds, "worker analyze"):  # the same analysis as the pages', for the API
        analysis = analyze(library)
    return make_data(library, analysis, target, seconds)


def build_library(
    settings: Settings, project_dir: Path, directory_urls: bool = True, site_url: str | None = None
) -> LibraryBuild:
    """Everything the library adds to a site. Call ``finish`` before the build ends."""
    seconds: dict[str, float] = {}
    # Chosen now, so that an engine whose extra is missing fails before any work.
    target = Target(engine_for(settings, settings.cache_path(project_dir)), directory_urls, site_url)
    source_dir = settings.source_dir(project_dir)
    data: Data | Future[Data] | None = None
    # A daemon process (a multiprocessing.Pool's worker running the build) may not start one.
    parallel = not multiprocessing.current_process().daemon
    if parallel and source_dir.is_dir() and sum(1 for _ in discover(source_dir)) >= PARALLEL_FROM:
        # "spawn": a fresh interpreter, not a fork of one running a site generator.
        workers = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        data = workers.submit(_data_worker, settings, project_dir, target)
        workers.shutdown(wait=False)
    with _timed(seconds, "load and validate"):
        library = load(settings, project_dir)
    with _timed(seconds, "analyze"):
        analysis = analyze(library)
    with _timed(seconds, "render"):
        files = list(site_files(Context(library, analysis, directory_urls, site_url)))
    if data is None:
        data = make_data(library, analysis, target, seconds)
    return LibraryBuild(library, files, target.engine.directory, seconds, page_count=len(files), _data=data)
