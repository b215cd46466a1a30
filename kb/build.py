"""One build of the library, stage by stage: load, index, analyze, render.

The MkDocs plugin and any other front end call :func:`build_library` and get back the
files to add to the site, the problems to report and how long each stage took.

Indexing is the one slow stage (Whoosh is pure Python), and nothing else needs its
result: a large update runs in a worker process, on the machine's other core, while
MkDocs renders the pages; :meth:`LibraryBuild.finish_index` waits for it at the end.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kb.analysis import analyze
from kb.library import Library, load
from kb.pages.common import Context
from kb.search import UpdateStats, document
from kb.settings import Settings
from kb.site import SiteFile, site_files
from kb.whoosh_engine import WhooshEngine

# Below this many documents to (re)write, a worker costs more to start than it saves.
PARALLEL_INDEX_FROM = 200


@dataclass
class LibraryBuild:
    library: Library
    files: list[SiteFile]
    index_dir: Path
    seconds: dict[str, float] = field(default_factory=dict)  # per stage, in order
    index: UpdateStats | None = None
    _pending: Future[tuple[UpdateStats, float]] | None = None

    def finish_index(self) -> UpdateStats:
        """Wait for a parallel index update; raises ``SearchError`` if it failed."""
        if self._pending is not None:
            self.index, self.seconds["index (parallel)"] = self._pending.result()
            self._pending = None
        assert self.index is not None
        return self.index

    def summary(self) -> str:
        """One line for the build log: counts, then the time of each stage."""
        lib = self.library
        stages = ", ".join(f"{stage} {secs:.2f}s" for stage, secs in self.seconds.items())
        index = self.index
        indexed = (
            f"index {len(index.added)} added, {len(index.updated)} updated, {len(index.removed)} removed, "
            f"{index.unchanged} unchanged"
            if index
            else "index updating in parallel"
        )
        return (
            f"{lib.files} postmortem files, {len(lib.postmortems)} in audience {lib.settings.audience!r}, "
            f"{len(lib.problems)} problems; {indexed}; {len(self.files)} files ({stages})"
        )


@contextmanager
def _timed(seconds: dict[str, float], stage: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    seconds[stage] = time.perf_counter() - started


def _update_index(directory: Path, docs: list[dict[str, str]]) -> tuple[UpdateStats, float]:
    """Runs in the worker process."""
    started = time.perf_counter()
    return WhooshEngine(directory).update_documents(docs), time.perf_counter() - started


def build_library(
    settings: Settings, project_dir: Path, directory_urls: bool = True, site_url: str | None = None
) -> LibraryBuild:
    """Everything the library adds to a site. Call ``finish_index`` before the build ends."""
    seconds: dict[str, float] = {}
    with _timed(seconds, "load and validate"):
        library = load(settings, project_dir)
    cache = settings.cache_path(project_dir)
    docs = [document(pm) for pm in library.postmortems]
    engine = WhooshEngine(cache)
    pending: Future[tuple[UpdateStats, float]] | None = None
    stats = None
    with _timed(seconds, "index"):
        if engine.stale(docs) >= PARALLEL_INDEX_FROM:
            # "spawn": a fresh interpreter, not a fork of one running MkDocs.
            workers = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            pending = workers.submit(_update_index, cache, docs)
            workers.shutdown(wait=False)
        else:
            stats = engine.update_documents(docs)
    with _timed(seconds, "analyze"):
        analysis = analyze(library)
    with _timed(seconds, "render"):
        files = list(site_files(Context(library, analysis, directory_urls, site_url)))
    return LibraryBuild(library, files, engine.directory, seconds, stats, pending)
