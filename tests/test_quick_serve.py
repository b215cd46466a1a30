"""``mkdocs serve --dirty`` (what ``make serve`` runs): a saved edit is written to its page
in a quick rebuild, the pages that list it in the next one, and then the site is the one
a clean build makes (``kb.build.quick``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from support import MKDOCS_YML, WriteProject, generator
from test_serve import fetch, free_port

from kb.build.pipeline import PARALLEL_FROM, _cpus

SIZE = 240  # above PARALLEL_FROM: the worker renders the site while the quick build writes the edit
URL = "http://127.0.0.1:8000/"  # what mkdocs serve passes to build(); nothing listens on it
NEW_TITLE = "Zebra crossing outage renamed while serving"

needs_a_worker = pytest.mark.skipif(_cpus() < 2, reason="a quick rebuild needs the worker, on a second CPU")


def library(write_project: WriteProject) -> tuple[Path, list[Path]]:
    project = write_project(
        {"mkdocs.yml": MKDOCS_YML.replace("  name: material\n", "  name: material\n  font: false\n")}
    )
    generator().generate(SIZE, project / "postmortems", seed=3)
    return project, sorted((project / "postmortems").rglob("*.md"))


def retitle(source: Path) -> None:
    text = source.read_text(encoding="utf-8")
    start = text.index("\ntitle:") + 1
    end = text.index("\n", start)
    source.write_text(f"{text[:start]}title: {NEW_TITLE}{text[end:]}", encoding="utf-8")


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"no {what} after {seconds} s"
        time.sleep(0.2)


def site_files(site: Path) -> dict[str, bytes]:
    """Every file of a site but the search index, whose entries a dirty build orders otherwise."""
    return {
        path.relative_to(site).as_posix(): path.read_bytes()
        for path in site.rglob("*")
        if path.is_file() and path.name != "search_index.json"
    }


def explorer_page_of(site: Path, pm_id: str) -> Path:
    """The page of the explorer (its first, or a later one) whose table lists ``pm_id``."""
    pages = [site / "postmortems" / "index.html", *(site / "postmortems" / "page").glob("*/index.html")]
    return next(page for page in pages if f'data-pm="{pm_id}"' in page.read_text(encoding="utf-8"))


def page_mtimes(site: Path) -> dict[str, int]:
    return {path.relative_to(site).as_posix(): path.stat().st_mtime_ns for path in site.rglob("index.html")}


@needs_a_worker
def test_an_edit_shows_on_its_page_at_once_and_everywhere_after_the_next_rebuild(
    tmp_path: Path, write_project: WriteProject
) -> None:
    assert SIZE >= PARALLEL_FROM
    project, sources = library(write_project)
    served = tmp_path / "served"

    def config(site: Path = served) -> MkDocsConfig:
        return load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(site))

    def serve_build() -> None:  # as mkdocs serve does: a new config, the serve URL
        cfg = config()
        cfg.site_url = URL
        build(cfg, serve_url=URL, dirty=True)

    session = config()
    session.site_url = URL
    session.plugins.on_startup(command="serve", dirty=True)
    signal = lambda: any(project.glob(".kb-cache/*/serve/rendered"))  # noqa: E731
    try:
        build(session, serve_url=URL, dirty=True)
        edited, removed = sources[7], sources[11]
        page = served / "postmortems" / edited.stem / "index.html"
        before = page_mtimes(served)
        time.sleep(0.01)  # a new modification time for whatever is written next

        retitle(edited)
        serve_build()  # the quick rebuild
        assert NEW_TITLE in page.read_text(encoding="utf-8")
        rewritten = {path for path, mtime in page_mtimes(served).items() if before.get(path) != mtime}
        assert rewritten == {f"postmortems/{edited.stem}/index.html"}
        listing = explorer_page_of(served, edited.stem)  # the explorer's page that lists it
        assert NEW_TITLE not in listing.read_text(encoding="utf-8")

        wait_for(signal, "signal from the worker")
        serve_build()  # the rebuild the signal starts
        assert NEW_TITLE in listing.read_text(encoding="utf-8")
        api = json.loads((served / "api" / "postmortems.json").read_text(encoding="utf-8"))
        assert NEW_TITLE in {pm["title"] for pm in api}

        removed.unlink()
        serve_build()
        wait_for(signal, "signal from the worker")
        serve_build()
        assert not (served / "postmortems" / removed.stem / "index.html").exists()
    finally:
        session.plugins.on_shutdown()

    clean = config(tmp_path / "clean")
    clean.site_url = URL
    clean.plugins.on_startup(command="serve", dirty=False)
    try:
        build(clean, serve_url=URL)
    finally:
        clean.plugins.on_shutdown()
    served_files, clean_files = site_files(served), site_files(tmp_path / "clean")
    assert sorted(served_files) == sorted(clean_files)
    assert [path for path in clean_files if served_files[path] != clean_files[path]] == []


@needs_a_worker
def test_make_serve_shows_an_edit_then_lists_it_without_another_save(write_project: WriteProject) -> None:
    """The real ``mkdocs serve --dirty``: the follow-up rebuild starts by itself."""
    project, sources = library(write_project)
    address = f"127.0.0.1:{free_port()}"
    command = [sys.executable, "-m", "mkdocs", "serve", "--dirty", "--dev-addr", address]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    server = subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://{address}"

    def shows(path: str, text: str) -> bool:
        try:
            return text in fetch(f"{url}/{path}")[1]
        except OSError:
            return False

    try:
        edited = sources[3]
        wait_for(lambda: shows(f"postmortems/{edited.stem}/", "<article"), "first build")
        retitle(edited)
        wait_for(lambda: shows(f"postmortems/{edited.stem}/", NEW_TITLE), "edited page")
        # The explorer's first page holds the newest 100 of 240; its rows file holds them all.
        wait_for(lambda: shows("postmortems/list-rows.json", NEW_TITLE), "explorer with the new title")
    finally:
        server.terminate()
        server.wait(timeout=30)
