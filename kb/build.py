"""One build of the library, stage by stage: load, index, analyze, render.

The MkDocs plugin and any other front end call :func:`build_library` and get back the
files to add to the site, the problems to report and how long each stage took.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kb.analysis import analyze
from kb.library import Library, load
from kb.pages.common import Context
from kb.search import UpdateStats
from kb.settings import Settings
from kb.site import SiteFile, site_files
from kb.whoosh_engine import WhooshEngine


@dataclass
class LibraryBuild:
    library: Library
    files: list[SiteFile]
    index: UpdateStats
    index_dir: Path
    seconds: dict[str, float] = field(default_factory=dict)  # per stage, in order

    def summary(self) -> str:
        """One line for the build log: counts, then the time of each stage."""
        lib, index = self.library, self.index
        stages = ", ".join(f"{stage} {secs:.2f}s" for stage, secs in self.seconds.items())
        return (
            f"{lib.files} postmortem files, {len(lib.postmortems)} in audience {lib.settings.audience!r}, "
            f"{len(lib.problems)} problems; index {len(index.added)} added, {len(index.updated)} updated, "
            f"{len(index.removed)} removed, {index.unchanged} unchanged; {len(self.files)} files ({stages})"
        )


@contextmanager
def _timed(seconds: dict[str, float], stage: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    seconds[stage] = time.perf_counter() - started


def build_library(
    settings: Settings, project_dir: Path, directory_urls: bool = True, site_url: str | None = None
) -> LibraryBuild:
    """Everything the library adds to a site. Raises ``SearchError`` if the index is busy."""
    seconds: dict[str, float] = {}
    with _timed(seconds, "load and validate"):
        library = load(settings, project_dir)
    engine = WhooshEngine(settings.cache_path(project_dir))
    with _timed(seconds, "index"):
        stats = engine.update(library.postmortems)
    with _timed(seconds, "analyze"):
        analysis = analyze(library)
    with _timed(seconds, "render"):
        files = list(site_files(Context(library, analysis, directory_urls, site_url)))
    return LibraryBuild(library, files, stats, engine.directory, seconds)
