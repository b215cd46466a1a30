"""One build of the library: load and plan at once, the other stages as pages are asked for.

A front end starts each build with ``Session.build``; the session keeps what the builds of
a ``mkdocs serve`` session reuse. The build loads the library and plans its pages: every
page's path, and the Markdown of the postmortem pages, which needs no analysis. Then the
site generator goes through the pages, asking for each one's parts (``LibraryBuild.source``,
``content``, ``headings``, ``output``) when it gets to them; ``finish`` writes the data
files (the JSON API, the feed, the explorer's words), and the search index and
Pagefind's bundle where the settings publish them.

On a large library a worker process (``kb.build.worker``), on the machine's other core,
runs the stages after the load (``kb.build.stages``) while the site generator turns the
planned Markdown into pages on this one. Both processes need the whole library: the
worker checks files from the last one back and sends them while this process checks them
from the first one, until they meet; then the worker reads the library for itself (the
files it checked from its cache, the others again). Whatever the worker does not
deliver, because it failed or read files that changed after this process read them, is
done here by the same stages: the site is the same either way.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import os
import shutil
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from kb.analysis.links import link
from kb.build.memory import collect_last_build, long_lived
from kb.build.messages import CheckedFiles, DataFiles, Failed, Loaded, RenderedPages
from kb.build.quick import SiteState, changed_pages, page_digest, signal_path
from kb.build.stages import SiteOptions, Stages
from kb.build.timing import timed
from kb.build.worker import Send, Worker
from kb.checks.library import CheckedFile, Library, check_from_the_end, load
from kb.format import urls
from kb.format.settings import Settings
from kb.load.cache import CacheKey, ParseCache
from kb.load.sources import discover
from kb.pages.history import HOME, with_this_week
from kb.render.deferred import Rendered, Toc, fill_deferred, inert_markers
from kb.render.sanitize import narrative_html, narrative_id
from kb.search.choice import engine_for
from kb.search.engine import UpdateStats
from kb.site.pagefind_index import index_site
from kb.site.plan import Page, SiteFile, assets, plan
from kb.site.search_entries import add_to_index

# Below this many postmortem files, a worker costs more to start than it saves.
PARALLEL_FROM = 200


class TocEntry(Protocol):
    """An entry of a page's table of contents, as the site generator keeps it."""

    id: str
    children: Sequence[TocEntry]  # the entries under it


def _work(
    send: Send,
    position: Callable[[], int],
    cache: ParseCache[CheckedFile],
    settings: Settings,
    project_dir: Path,
    options: SiteOptions,
) -> None:
    """A build's part in the worker process: help check the files, load the library, then
    every stage after the load. A serve session's worker collects the job's garbage when
    it is done, while it waits for the next save, rather than when that save arrives."""
    try:
        _stages_in_worker(send, position, cache, settings, project_dir, options)
    finally:
        if options.serving:
            collect_last_build()
    if options.signal and options.files_before is not None:  # a quick build's: time for the one that writes the rest
        options.signal.parent.mkdir(parents=True, exist_ok=True)
        options.signal.touch()


def _stages_in_worker(
    send: Send,
    position: Callable[[], int],
    cache: ParseCache[CheckedFile],
    settings: Settings,
    project_dir: Path,
    options: SiteOptions,
) -> None:
    seconds: dict[str, float] = {}
    try:
        with long_lived(collect=not options.serving):
            with timed(seconds, "worker helps load"):
                check_from_the_end(settings, project_dir, cache, position, lambda files: send(CheckedFiles(files)))
            with timed(seconds, "worker load"):
                library = load(settings, project_dir, cache)
        send(Loaded(library.sources))  # the build checks it read the same files
        stages = Stages(library, options, seconds, prefix="worker ")
        for message in stages.run(_plan(library, options.serving)):
            send(message)
    except Exception:  # reported, and the build does the work itself
        send(Failed(traceback.format_exc()))


@dataclass(frozen=True)
class _WorkerHelper:
    """``kb.checks.library.Helper``: the worker, checking files from the end while this process loads."""

    worker: Worker

    def reached(self, index: int) -> None:
        self.worker.position = index

    def checked(self) -> list[tuple[CacheKey, CheckedFile]]:
        return [file for message in self.worker.poll(CheckedFiles) for file in message.files]


def _plan(library: Library, serving: bool) -> list[Page]:
    """Every page of the site; the worker's list is the build's."""
    return plan(library, link(library.postmortems), serving)


@dataclass
class LibraryBuild:
    """One build of the site: the loaded library, the plan of its pages, and each page's
    parts when the site generator asks for them."""

    library: Library
    pages: list[Page]  # the plan, in the order a site generator should read them
    assets: list[SiteFile]
    options: SiteOptions
    seconds: dict[str, float] = field(default_factory=dict)  # per stage, in order
    index: UpdateStats | None = None
    worker_failure: str | None = None  # why the worker's part was done here instead
    _worker: Worker | None = None  # while it has more to send
    _own_worker: bool = False  # started for this build alone: closed when it is done
    _received: dict[str, Rendered] = field(default_factory=dict)  # from the worker, not yet asked for
    _data: DataFiles | None = None
    _in_progress: dict[str, Rendered] = field(default_factory=dict)  # asked for, not yet written
    # A ``--dirty`` serve session's (``kb.build.quick``): what its site was written from, and
    # whether this build writes only the pages of the files that changed.
    state: SiteState | None = None
    quick: bool = False
    _session: Session | None = None
    _modified: set[str] | None = None

    def __post_init__(self) -> None:
        self._by_path = {page.path: page for page in self.pages}
        self._stages = Stages(self.library, self.options, self.seconds)  # for what the worker does not deliver
        # The site has no page yet that this build could keep.
        self._writes_all = self.state is None or not self.state.pages

    @property
    def files(self) -> dict[str, Path]:
        """Files the narratives link, published with their pages: docs-relative path -> the file."""
        return self.library.links.files

    @property
    def index_dir(self) -> Path:
        return self.options.engine.directory

    # --- one page, in the order a site generator gets to its parts ----------------------

    def modified(self, path: str) -> bool:
        """Whether the site generator must write page ``path``: always, but in a ``--dirty``
        serve session (``kb.build.quick``), only when it changed."""
        if self._writes_all:
            return True
        assert self.state is not None
        if self._modified is None:
            self._modified = self._changed(self.state)
        return path in self._modified

    def _changed(self, state: SiteState) -> set[str]:
        if self.quick:  # the worker renders these first, then the rest for the next build
            return changed_pages(self.pages, state.files, self.library.file_digests)
        changed = set()
        for page in self.pages:
            rendered = self._page(page.path)
            if page_digest(rendered.markdown, rendered) != state.pages.get(page.path):
                changed.add(page.path)
            else:  # not written: nothing will ask for it
                del self._in_progress[page.path]
        return changed

    def source(self, path: str) -> str | None:
        """The Markdown of page ``path``, when the plan does not have it already (it needs
        the analysis); ``None`` for any other page."""
        page = self._by_path.get(path)
        if page is None or page.markdown is not None:
            return None
        return self._page(path).markdown

    def markdown(self, path: str, markdown: str) -> str:
        """A hand-written page's Markdown, with what the library adds to it: this week in
        incident history, where the home page asks for it."""
        return with_this_week(markdown, self.library) if path == HOME else markdown

    def content(self, path: str, html: str, toc: Iterable[TocEntry]) -> str:
        """Page ``path`` as HTML, once its Markdown is converted: a postmortem page gets its
        head and its tail, and its narrative, which is the author's, is made safe to go
        between them. The entries of ``toc``, the narrative's headings, are updated in
        place to its ids."""
        page = self._by_path.get(path)
        if page is None or page.head is None:
            return html
        entries = list(toc)
        while entries:
            entry = entries.pop()
            entry.id = narrative_id(entry.id)
            entries += entry.children
        return page.head + inert_markers(narrative_html(html, trusted=self.library.settings.trust_html)) + page.tail

    def anchors(self, path: str, ids: set[str]) -> set[str]:
        """The ids a link may name on page ``path``, given ``ids``, those its Markdown
        gave. On a postmortem page: those, which its narrative's own links name (they
        follow the prefix with them); the same with the narrative's prefix, which links
        from other postmortems name; and its deferred sections' ids."""
        page = self._by_path.get(path)
        if page is None or page.head is None:
            return ids
        before, after = self.headings(path)
        deferred, tokens = set(), [*before, *after]
        while tokens:
            token = tokens.pop()
            deferred.add(token["id"])
            tokens += token["children"]
        return ids | {narrative_id(i) for i in ids} | deferred

    def headings(self, path: str) -> tuple[Toc, Toc]:
        """The headings of page ``path`` that its deferred HTML holds, as toc tokens in
        page order: those that come before the page's own headings, and those after."""
        if path not in self._by_path:
            return [], []
        rendered = self._page(path)
        return rendered.toc, rendered.toc_after

    def output(self, path: str, html: str) -> str:
        """The finished page ``path`` with its deferred HTML in place. Once per page: the
        build forgets the page's parts then."""
        if path not in self._by_path:
            return html
        rendered = self._in_progress.pop(path, None) or self.rendered(path)
        if self.state is not None:
            self.state.pages[path] = page_digest(rendered.markdown, rendered)
        return fill_deferred(html, rendered.deferred)

    def _page(self, path: str) -> Rendered:
        if path not in self._in_progress:
            self._in_progress[path] = self.rendered(path)
        return self._in_progress[path]

    # --- the stages ----------------------------------------------------------------------

    def rendered(self, path: str) -> Rendered:
        """Page ``path`` of the plan, rendered, from the worker or here. A quick build
        leaves what it receives for the next build, which writes the rest."""
        while path not in self._received and self._worker is not None:
            self._receive()
        planned = self._by_path[path].markdown
        rendered = self._received.get(path) if self.quick else self._received.pop(path, None)
        if rendered is None:
            return self._stages.render(self._by_path[path])
        return rendered if planned is None else dataclasses.replace(rendered, markdown=planned)

    def data_files(self) -> dict[str, str]:
        """The data files, once made (waiting for the worker); ``SearchError`` if indexing failed."""
        while self._worker is not None:
            self._receive()
        if self._data is None:
            self._data = self._stages.data
        self.index = self._data.index
        self.seconds.update(self._data.seconds)
        self._received.clear()  # pages the site generator did not ask for
        return self._data.files

    def finish(self, site_dir: Path, log: Callable[[str], None]) -> None:
        """Write the data files into ``site_dir``, then the search index and Pagefind's
        bundle where the settings ask for them; ``log`` gets each line for the build log
        as soon as it is known."""
        if self.quick:
            self._finish_quick(log)
            return
        for path, content in self.data_files().items():
            (site_dir / path).parent.mkdir(parents=True, exist_ok=True)
            (site_dir / path).write_text(content, encoding="utf-8")
        assert self._data is not None
        with timed(self.seconds, "search entries"):
            add_to_index(site_dir, self._data.search)  # after the site generator wrote its index
        log(self.summary())
        if self.worker_failure:  # the site is complete: the build did the worker's part
            log(f"The worker process did not finish its part: {self.worker_failure}")
        settings = self.library.settings
        if settings.publish_index:  # the index is a build cache; it reaches the site only when asked for
            shutil.copytree(self.index_dir, site_dir / "search-index", dirs_exist_ok=True)
        if settings.pagefind:  # Pagefind reads the finished HTML, so it runs last
            log(index_site(site_dir, directory_urls=self.options.directory_urls).summary())
        if self.state is not None:
            self._forget_removed(site_dir)
            self.state.files, self.state.fingerprint = self.library.file_digests, self.library.fingerprint

    def _finish_quick(self, log: Callable[[str], None]) -> None:
        """A quick build's end. The data files, the other pages and the site search's
        entries for the structured sections come with the next build, once the worker has
        rendered them."""
        assert self.state is not None and self._session is not None and self._modified is not None
        self.state.files, self.state.fingerprint = self.library.file_digests, self.library.fingerprint
        self._session.pending = self
        stages = ", ".join(f"{stage} {secs:.2f}s" for stage, secs in self.seconds.items())
        log(
            f"quick rebuild: {len(self._modified)} of {len(self.pages)} pages written ({stages}); "
            "the pages that list them follow in the next rebuild"
        )

    def _forget_removed(self, site_dir: Path) -> None:
        """Delete the pages the site has of postmortems that left the library: the site
        generator, writing only what changed, never does."""
        assert self.state is not None
        for path in [path for path in self.state.pages if path not in self._by_path]:
            page = site_dir / urls.html_path(path, self.options.directory_urls)
            if self.options.directory_urls:
                (page / "index.html").unlink(missing_ok=True)
                with contextlib.suppress(OSError):  # it holds other files: the page's own are gone
                    page.rmdir()
            else:
                page.unlink(missing_ok=True)
            del self.state.pages[path]

    def summary(self) -> str:
        """One line for the build log, after ``data_files``: counts, then the time of each stage."""
        lib, index = self.library, self.index
        assert self._data is not None, "summary() comes after data_files()"
        stages = ", ".join(f"{stage} {secs:.2f}s" for stage, secs in self.seconds.items())
        indexed = (
            f"; index {len(index.added)} added, {len(index.updated)} updated, {len(index.removed)} removed, "
            f"{index.unchanged} unchanged"
            if index
            else ""
        )
        failed = "; the worker failed, its part was done here" if self.worker_failure else ""
        return (
            f"{lib.files} postmortem files, {len(lib.postmortems)} in audience {lib.settings.audience!r}, "
            f"{len(lib.problems)} problems{indexed}; {len(self.pages) + len(self.assets)} pages and assets "
            f"({stages}){failed}"
        )

    def _receive(self) -> None:
        assert self._worker is not None
        with timed(self.seconds, "waiting for the worker"):
            message = self._worker.receive()
        match message:
            case CheckedFiles():  # files it checked after the loader here was done
                return
            case Loaded(sources) if sources == self.library.sources:
                return
            case RenderedPages(pages):
                self._received.update(pages)
                return
            case DataFiles():
                self._data = message
            case Loaded():  # a file changed between the two reads: the worker's pages would not match
                self.worker_failure = "the worker read files that changed after this process read them"
                self._received.clear()
            case Failed(why):
                self.worker_failure = why
            case _:
                self._release(cancel=True)
                raise TypeError(f"unexpected message from the worker: {message!r}")
        # Its last message; one with pages that would not match stops it.
        self._release(cancel=isinstance(message, Loaded))

    def abandon(self) -> None:
        """The site generator gave up on this build: stop the worker's part of it."""
        if self._worker is not None:
            self._release(cancel=True)

    def _release(self, cancel: bool) -> None:
        assert self._worker is not None
        _release_worker(self._worker, self._own_worker, cancel=cancel)
        self._worker = None


def _release_worker(worker: Worker, own: bool, *, cancel: bool) -> None:
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
    session: Session | None = None,
) -> LibraryBuild:
    """Load the library and plan its pages. Call ``finish`` (or ``data_files``) before the build ends.

    A large library is rendered by the session's worker, or by a worker of its own if the
    session keeps none; the session's parse cache has the files its earlier builds checked.
    In a ``--dirty`` serve session (``kb.build.quick``), the build after a quick one takes
    the pages its worker rendered, when the library is still the one they were made from.
    """
    session = session or Session(serving=False)
    seconds: dict[str, float] = {}
    state = session.state
    # Chosen now, so that an engine whose extra is missing fails before any work.
    options = SiteOptions(
        engine_for(settings, settings.cache_path(project_dir)),
        directory_urls,
        site_url,
        session.serving,
        files_before=dict(state.files) if state and state.pages else None,
        signal=signal_path(settings, project_dir) if state else None,
    )
    source_dir = settings.source_dir(project_dir)
    # A daemon process (a multiprocessing.Pool's worker running the build) may not start
    # one, and on a single core it would only take turns with this process.
    parallel = not multiprocessing.current_process().daemon and _cpus() > 1
    large = parallel and source_dir.is_dir() and sum(1 for _ in discover(source_dir)) >= PARALLEL_FROM
    rendered_before = session.rendered_quick_build()
    worker_in_use = None
    if large and rendered_before is None:
        worker_in_use = session.start_worker(options, settings, project_dir)
    own_worker = worker_in_use is not session.worker
    # Collecting the last build's garbage takes a large library's second: a quick build
    # leaves it to the next one (only one in a row, so that it never piles up).
    collect = not (worker_in_use and options.files_before is not None and not session.uncollected)
    session.uncollected = not collect
    try:
        with long_lived(collect):  # the library lives until the build ends
            with timed(seconds, "load and validate"):
                helper = _WorkerHelper(worker_in_use) if worker_in_use else None
                library = load(settings, project_dir, session.cache, helper=helper)
            if worker_in_use:
                worker_in_use.position = 2**31 - 1  # loaded: the worker checks no more files for this process
            with timed(seconds, "plan"):
                pages = _plan(library, options.serving)
    except BaseException:
        if worker_in_use:
            _release_worker(worker_in_use, own_worker, cancel=True)
        raise
    if rendered_before is not None and rendered_before.library.sources == library.sources:
        return LibraryBuild(
            library,
            pages,
            list(assets(library)),
            options,
            seconds,
            worker_failure=rendered_before.worker_failure,
            _received=rendered_before._received,
            _data=rendered_before._data,
            state=state,
            _session=session,
        )
    if large and worker_in_use is None:  # the library changed since that quick build's worker rendered it
        worker_in_use = session.start_worker(options, settings, project_dir)
    # Quick: the worker renders the whole site for the next build, while this one writes the
    # pages of the files that changed, unless what every page depends on changed too.
    quick = worker_in_use is not None and state is not None and state.fingerprint == library.fingerprint
    return LibraryBuild(
        library,
        pages,
        list(assets(library)),
        options,
        seconds,
        _worker=worker_in_use,
        _own_worker=own_worker,
        state=state,
        quick=quick,
        _session=session,
    )


class Session:
    """The builds of one site generator run. A ``mkdocs serve`` session keeps one worker
    process and one parse cache for all its rebuilds, so a saved edit rebuilds only what
    changed; a single build starts its own worker, and has no later build to keep for.
    The worker checks only the files its own cache lacks, so the two are kept together."""

    def __init__(self, serving: bool, dirty: bool = False) -> None:
        self.serving = serving
        self.worker = Worker() if serving else None
        self.cache: ParseCache[CheckedFile] = ParseCache()
        # ``mkdocs serve --dirty``: the site is rewritten page by page (``kb.build.quick``).
        self.state = SiteState() if serving and dirty else None
        self.pending: LibraryBuild | None = None  # the last quick build, while its worker renders the rest
        self.uncollected = False  # the last build left the one before it to the collector

    def start_worker(self, options: SiteOptions, settings: Settings, project_dir: Path) -> Worker:
        """This session's worker (or a new one, for a single build) on a build's job."""
        if options.signal:
            options.signal.unlink(missing_ok=True)  # touched again when this job is done
        worker = self.worker or Worker()
        worker.start(_work, settings, project_dir, options)
        return worker

    def rendered_quick_build(self) -> LibraryBuild | None:
        """The last quick build, once its worker has rendered the whole site, with all of
        it received; ``None`` if there is none, or its worker is not done (then this build
        replaces its job)."""
        pending, self.pending = self.pending, None
        if pending is None or pending.options.signal is None:
            return None
        if not pending.options.signal.exists():
            pending.abandon()
            return None
        while pending._worker is not None:
            pending._receive()
        return pending

    def build(
        self, settings: Settings, project_dir: Path, directory_urls: bool = True, site_url: str | None = None
    ) -> LibraryBuild:
        """Load the library and plan its pages (``build_library``), with this session's worker and cache."""
        return build_library(settings, project_dir, directory_urls, site_url, self)

    def close(self) -> None:
        if self.worker:
            self.worker.close()
