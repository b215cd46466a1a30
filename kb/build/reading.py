"""Reading a library outside a build (a ``kb`` command), under the build's memory policy.

Its own module, so that a command that only reads the library does not import the
whole pipeline, every page and its templates included, before it can answer.
"""

from __future__ import annotations

from pathlib import Path

from kb.build.memory import collector_paused
from kb.checks import selection
from kb.checks.library import Library, load
from kb.format.settings import Settings
from kb.search.engine import Progress
from kb.search.freshness import Fresh, Meter, fresh_index


def load_library(settings: Settings, project_dir: Path, progress: Progress | None = None) -> Library:
    """Read and check the library under ``project_dir`` (``kb.checks.library.load``)."""
    with collector_paused():  # what reading makes lives until the command ends
        return load(settings, project_dir, progress=progress)


def lint_files(settings: Settings, project_dir: Path, paths: list[Path]) -> selection.Selection:
    """What a lint of the whole library reports in ``paths`` (``kb.checks.selection``)."""
    with collector_paused():
        return selection.lint_files(settings, project_dir, paths)


def search_index(settings: Settings, project_dir: Path, meter: Meter | None = None, refresh: bool = False) -> Fresh:
    """``kb search``'s index, in step with the library (``kb.search.freshness``)."""
    return fresh_index(settings, project_dir, load_library, meter, refresh)
