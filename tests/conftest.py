"""Shared fixtures: write a real project into ``tmp_path``, build it with MkDocs, run ``kb``.

Nothing is mocked: every test works on files on disk, a real MkDocs build and the real
``kb`` command in a subprocess. Constants and types live in ``support.py``.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browsing import CHROMIUM_ARGS, chromium
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from support import DEFAULT_FILES, TODAY_EPOCH, Build, Kb, Site, WriteProject

# Pinned for the whole session, before any test reads a library, and inherited by every
# mkdocs and kb child process: whatever the calendar says, the example library is read on
# the day its tests were counted for. A project that sets `today` still gets its own.
os.environ["SOURCE_DATE_EPOCH"] = TODAY_EPOCH


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "example_library: checks the example library in postmortems/ (fails while it is incomplete)",
    )


@pytest.fixture
def write_project(tmp_path: Path) -> WriteProject:
    """Write a whole project into ``tmp_path`` from ``{relative path: text}``.

    Texts are dedented. ``mkdocs.yml``, ``docs/index.md`` and ``postmortems/causes.yml``
    have defaults that an entry with the same path replaces.
    """

    def write(files: dict[str, str]) -> Path:
        project = tmp_path / "project"
        for rel, text in {**DEFAULT_FILES, **files}.items():
            path = project / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return project

    return write


@pytest.fixture
def build(caplog: pytest.LogCaptureFixture) -> Build:
    """``build(project, strict=False)``: an in-process MkDocs build of ``project/mkdocs.yml``.

    Returns the site and the WARNING messages logged under ``mkdocs``; with ``strict`` a
    build that logs a warning raises ``mkdocs.exceptions.Abort``.
    """

    def run(project: Path, strict: bool = False) -> Site:
        mkdocs_logger = logging.getLogger("mkdocs")
        handlers = list(mkdocs_logger.handlers)
        cfg = load_config(config_file=str(project / "mkdocs.yml"), strict=strict)
        caplog.clear()
        try:
            with caplog.at_level(logging.WARNING, logger="mkdocs"):
                mkdocs_build(cfg)
        finally:
            # A strict build leaves its warning counter on the logger; don't let them pile up.
            mkdocs_logger.handlers[:] = handlers
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        return Site(Path(cfg["site_dir"]), warnings)

    return run


@pytest.fixture
def kb() -> Kb:
    """``kb(project, *args)``: the ``kb`` command run in ``project``; (returncode, stdout, stderr)."""

    def run(project: Path, *args: str) -> tuple[int, str, str]:
        done = subprocess.run(
            [sys.executable, "-m", "kb.cli", *args],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        return done.returncode, done.stdout, done.stderr

    return run


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Chromium (Debian's), shared by every browser test of the run."""
    executable = chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh browser context per test (its own, empty localStorage); records every host it asks."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.requested_hosts = set()
    page.on("request", lambda request: page.requested_hosts.add(urlparse(request.url).hostname))
    yield page
    context.close()
