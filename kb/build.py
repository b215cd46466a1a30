"""One build of the library, stage by stage: load, plan, analyze, render, then data.

The MkDocs plugin and any other front end call :func:`build_library`. It loads the
library and plans its pages at once (``kb.site.plan``): every page's path, and the
Markdown of the postmortem pages, which needs no analysis. Each page's rendering (its
deferred HTML, and the other pages' Markdown) is asked for with
:meth:`LibraryBuild.rendered` when the site generator gets to it;
:meth:`LibraryBuild.finish`, at the end of the build, gives the data files (the JSON
API, the feed) and updates the search index.

On a large library a worker process (``kb.worker``), on the machine's other core, does
the analysis, the rendering and the data while the site generator turns the planned
Markdown into pages on this one. Both processes need the whole library: the worker
checks files from the last one back and sends them while this process checks them from
the first one, until they meet; then the worker reads the library for itself (the files
it checked from its cache, the others again). It sends the rendered pages in batches,
the ones whose Markdown the site generator waits for first. Whatever the worker does not
deliver, because it failed or read files that changed after this process read them, is
done here: the site is the same either way.
"""

from __future__ import annotations

import dataclasses
import gc
import multiprocessing
import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kb import feed
from kb.analysis import Analysis, analyze
from kb.api import api_files
from kb.library import CacheKey, Checked, Library, check_from_the_end, collect_last_build, load
from kb.links import link
from kb.markup import Rendered
from kb.pages.common import Context
from kb.search import SearchEngine, UpdateStats, document, engine_for
from kb.settings import Settings
from kb.site import Page, SiteFile, assets, plan
from kb.sources import discover
from kb.timing import timed
from kb.worker import Send, Worker

# Below this many postmortem files, a worker costs more to start than it saves.
PARALLEL_FROM = 200
# Rendered pages go to the site generator in batches of this many: few enough
# messages to cost nothing, small enough that the first pages arrive early.
BATCH = 100


@dataclass(frozen=True)
class Data:
    """What the data stage makes: files for the site, the index update, its timings."""

    files: dict[str, str]  # site path -> content
    index: UpdateStats
    seconds: dict[str, float]


@dataclass(frozen=True)
class Target:
    """Where the data stage writes to, and the URLs pages and data files use."""

    engine: SearchEngine  # holds only its folder: it can go to the worker
    directory_urls: bool
    site_url: str | None


def make_data(library: Library, analysis: Analysis, target: Target, seconds: dict[str, float]) -> Data:
    """Update the search index and write the JSON API and the feed."""
    with timed(seconds, "index"):
        index = target.engine.update_documents([document(pm) for pm in library.postmortems])
    with timed(seconds, "data files"):
        files = api_files(library, analysis)
        files[feed.PATH] = feed.feed_xml(library, target.directory_urls, target.site_url)
    return Data(files, index, seconds)


def _work(send: Send, position: Callable[[], int], settings: Settings, project_dir: Path, target: Target) -> None:
    """A build's part in the worker process: help check the files, then analyze, render
    every page, and the data stage."""
    collect_last_build()  # what the last job froze (see below)
    seconds: dict[str, float] = {}
    try:
        with timed(seconds, "worker helps load"):
            check_from_the_end(settings, project_dir, position, lambda checked: send("checked", checked))
        with timed(seconds, "worker load"):
            library = load(settings, project_dir)
        send("library", library.sources)  # the build checks it read the same files
        # The library lives until the build ends: no collection need walk it meanwhile,
        # nor the last one when a worker of a single build exits.
        gc.freeze()
        parts: dict[str, float] = {}
        ctx = Context(library, analyze(library, parts), target.directory_urls, target.site_url)
        seconds.update({f"worker {part}": secs for part, secs in parts.items()})
        with timed(seconds, "worker render"):
            # The pages whose Markdown the site generator waits for first (sort is stable).
            pages = sorted(plan(library, ctx.analysis.links), key=lambda page: page.markdown is not None)
            for start in range(0, len(pages), BATCH):
                send(
                    "pages",
                    [(page.path, _without_planned(page, page.render(ctx))) for page in pages[start : start + BATCH]],
                )
        send("data", make_data(library, ctx.analysis, target, seconds))
    except Exception:  # reported, and the build does the work itself
        send("failed", traceback.format_exc())


def _without_planned(page: Page, rendered: Rendered) -> Rendered:
    """What the worker sends of a page: not the Markdown the build planned already (most
    of a postmortem page's size)."""
    return dataclasses.replace(rendered, markdown="") if page.markdown is not None else rendered


@dataclass(frozen=True)
class _Helping:
    """``kb.library.Helper``: the worker, checking files from the end while this process loads."""

    worker: Worker

    def reached(self, index: int) -> None:
        self.worker.position = index

    def checked(self) -> list[tuple[CacheKey, Checked]]:
        return [file for batch in self.worker.poll("checked") for file in batch]


@dataclass
class LibraryBuild:
    library: Library
    pages: list[Page]  # the plan, in the order a site generator should read them
    assets: list[SiteFile]
    target: Target
    seconds: dict[str, float] = field(default_factory=dict)  # per stage, in order
    index: UpdateStats | None = None
    worker_failure: str | None = None  # why the worker's part was done here instead
    _worker: Worker | None = None  # while it has more to send
    _own_worker: bool = False  # started for this build alone: closed when it is done
    _received: dict[str, Rendered] = field(default_factory=dict)  # from the worker, not yet asked for
    _context: Context | None = None  # for rendering here, made when first needed
    _data: Data | None = None

    def __post_init__(self) -> None:
        self._by_path = {page.path: page for page in self.pages}

    @property
    def index_dir(self) -> Path:
        return self.target.engine.directory

    def rendered(self, path: str) -> Rendered:
        """Page ``path`` of the plan, rendered; once per page (the build forgets it then)."""
        while path not in self._received and self._worker is not None:
            self._receive()
        if path in self._received:
            rendered, planned = self._received.pop(path), self._by_path[path].markdown
            return dataclasses.replace(rendered, markdown=planned) if planned is not None else rendered
        context = self._local_context()
        with timed(self.seconds, "render"):
            return self._by_path[path].render(context)

    def finish(self) -> dict[str, str]:
        """The data files, once made (waiting for the worker); ``SearchError`` if indexing failed."""
        while self._worker is not None:
            self._receive()
        if self._data is None:
            self._data = make_data(self.library, self._local_context().analysis, self.target, self.seconds)
        self.index = self._data.index
        self.seconds.update(self._data.seconds)
        self._received.clear()  # pages the site generator did not ask for
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
        failed = "; the worker failed, its part was done here" if self.worker_failure else ""
        return (
            f"{lib.files} postmortem files, {len(lib.postmortems)} in audience {lib.settings.audience!r}, "
            f"{len(lib.problems)} problems; {indexed}; {len(self.pages) + len(self.assets)} pages and assets "
            f"({stages}){failed}"
        )

    def _receive(self) -> None:
        assert self._worker is not None
        with timed(self.seconds, "waiting for the worker"):
            kind, body = self._worker.receive()
        if kind == "checked":  # files it checked after the loader here was done
            return
        if kind == "library" and body == self.library.sources:
            return
        if kind == "pages":
            self._received.update(body)
            return
        if kind == "data":
            self._data = body
        elif kind == "library":  # a file changed between the two reads: the worker's pages would not match
            self.worker_failure = "the worker read files that changed after this process read them"
            self._received.clear()
        else:
            self.worker_failure = body
        self._release(cancel=kind == "library")  # its last message; one with pages that would not match stops

    def abandon(self) -> None:
        """The site generator gave up on this build: stop the worker's part of it."""
        if self._worker is not None:
            self._release(cancel=True)

    def _release(self, cancel: bool) -> None:
        assert self._worker is not None
        _let_go(self._worker, self._own_worker, cancel=cancel)
        self._worker = None

    def _local_context(self) -> Context:
        if self._context is None:
            analysis = analyze(self.library, self.seconds)
            self._context = Context(self.library, analysis, self.target.directory_urls, self.target.site_url)
        return self._context


def _let_go(worker: Worker, own: bool, *, cancel: bool) -> None:
    """This build is done with ``worker``: stop its job if it is not over (``cancel``),
    and end the process if it was started for this build alone (``own``)."""
    if cancel:
        worker.cancel()
    if own:
        worker.close(wait=False)


def _cpus() -> int:
    """The CPUs this process may run on (a container may allow fewer than the machine has)."""
    if hasattr(os, "sched_getaffinity"):  # not on macOS or Windows
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def build_library(
    settings: Settings,
    project_dir: Path,
    directory_urls: bool = True,
    site_url: str | None = None,
    worker: Worker | None = None,
) -> LibraryBuild:
    """Load the library and plan its pages. Call ``finish`` before the build ends.

    A large library is rendered by ``worker``, or by a worker of its own if none is given.
    """
    seconds: dict[str, float] = {}
    # Chosen now, so that an engine whose extra is missing fails before any work.
    target = Target(engine_for(settings, settings.cache_path(project_dir)), directory_urls, site_url)
    source_dir = settings.source_dir(project_dir)
    # A daemon process (a multiprocessing.Pool's worker running the build) may not start
    # one, and on a single core it would only take turns with this process.
    parallel = not multiprocessing.current_process().daemon and _cpus() > 1
    use = None
    if parallel and source_dir.is_dir() and sum(1 for _ in discover(source_dir)) >= PARALLEL_FROM:
        use = worker or Worker()
        use.start(_work, settings, project_dir, target)
    try:
        with timed(seconds, "load and validate"):
            library = load(settings, project_dir, helper=_Helping(use) if use else None)
        if use:
            use.position = 2**31 - 1  # loaded: the worker checks no more files for this process
        with timed(seconds, "plan"):
            pages = plan(library, link(library.postmortems))
    except BaseException:
        if use:
            _let_go(use, use is not worker, cancel=True)
        raise
    return LibraryBuild(
        library, pages, list(assets(library)), target, seconds, _worker=use, _own_worker=use is not worker
    )
