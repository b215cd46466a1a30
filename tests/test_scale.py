"""Output size does not grow with the library: a guard against quadratic HTML, without timing anything.

Two libraries from benchmarks/generate.py with the same seed, so the smaller one's
postmortems are the first ones of the larger one, each built in-process by MkDocs with
the real plugin. The same postmortem must render to about the same HTML in both, and
the home page must not list postmortems in its nav.
"""

from __future__ import annotations

import fcntl
import json
import logging
import multiprocessing
import os
import pty
import re
import shutil
import statistics
import struct
import subprocess
import sys
import termios
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from support import Kb, generator

from kb.build.messages import CheckedFiles
from kb.build.pipeline import PARALLEL_FROM, LibraryBuild, Session, build_library
from kb.build.worker import Send, Worker
from kb.checks import library
from kb.checks.library import CheckedFile, check_from_the_end, load
from kb.format.settings import Settings
from kb.load.cache import CacheKey, ParseCache
from kb.load.project import open_project
from kb.render.deferred import Rendered

SMALL, LARGE = 100, 300  # 400 took ~60 s on the 2-core machine; 3x is enough to show growth
SAME = 50  # postmortems compared: the first ones generated, in both libraries
MKDOCS_YML = """\
site_name: Scale guard
theme:
  name: material
  features: [navigation.prune, navigation.tabs]
plugins:
  - search
  - postmortems:
      today: 2026-06-30
      audience: restricted
nav:
  - index.md
  - postmortems/index.md
"""


def built_site(root: Path, count: int) -> tuple[Path, list[str]]:
    """A project of ``count`` generated postmortems, built; its site folder and the ids."""
    project = root / f"library-{count}"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "index.md").write_text("# Home\n\nThe library.\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text(textwrap.dedent(MKDOCS_YML), encoding="utf-8")
    ids = generator().generate(count, project / "postmortems", seed=1)
    config = load_config(config_file=str(project / "mkdocs.yml"))
    logger = logging.getLogger("mkdocs")
    level = logger.level
    logger.setLevel(logging.ERROR)  # the synthetic library has lint warnings; they are not under test here
    try:
        mkdocs_build(config)
    finally:
        logger.setLevel(level)
    return Path(config["site_dir"]), ids


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[Path, list[str]]]:
    root = tmp_path_factory.mktemp("scale")
    return {count: built_site(root, count) for count in (SMALL, LARGE)}


def mean_page_size(site: Path, ids: list[str]) -> float:
    return statistics.fmean((site / "postmortems" / pm_id / "index.html").stat().st_size for pm_id in ids)


def test_same_libraries_start_with_the_same_postmortems(sites: dict[int, tuple[Path, list[str]]]) -> None:
    assert sites[LARGE][1][:SMALL] == sites[SMALL][1]


def test_a_postmortem_page_does_not_grow_with_the_library(sites: dict[int, tuple[Path, list[str]]]) -> None:
    same = sites[SMALL][1][:SAME]
    small, large = (mean_page_size(sites[count][0], same) for count in (SMALL, LARGE))
    assert abs(large / small - 1) < 0.05, f"mean page of the same {SAME} postmortems: {small:.0f} B -> {large:.0f} B"


def test_the_home_page_does_not_list_postmortems(sites: dict[int, tuple[Path, list[str]]]) -> None:
    homes = {count: (site / "index.html").read_text(encoding="utf-8") for count, (site, _) in sites.items()}
    assert abs(len(homes[LARGE]) / len(homes[SMALL]) - 1) < 0.05
    ids = sites[LARGE][1]
    assert not [pm_id for pm_id in ids if pm_id in homes[LARGE]]


def test_list_pages_do_not_grow_with_the_library(sites: dict[int, tuple[Path, list[str]]]) -> None:
    """The explorer, the board and lessons hold a page of rows (100 by default) whatever the
    size; the rest is on their later pages, and the filters fetch the rows file."""
    for page in ("postmortems", "action-items", "lessons"):
        small, large = ((sites[n][0] / page / "index.html").stat().st_size for n in (SMALL, LARGE))
        assert large / small < 1.1, f"/{page}/: {small} B at {SMALL} postmortems, {large} B at {LARGE}"
        assert (sites[LARGE][0] / page / "page" / "2" / "index.html").is_file()
    rows = json.loads((sites[LARGE][0] / "postmortems" / "list-rows.json").read_text(encoding="utf-8"))["rows"]
    assert sorted(row["id"] for row in rows) == sorted(sites[LARGE][1])


def test_a_large_library_gets_its_data_files_from_the_worker(sites: dict[int, tuple[Path, list[str]]]) -> None:
    site, ids = sites[LARGE]  # above kb.build.PARALLEL_FROM: made in the worker process
    assert LARGE >= PARALLEL_FROM
    api = json.loads((site / "api" / "postmortems.json").read_text(encoding="utf-8"))
    assert sorted(pm["id"] for pm in api) == sorted(ids)
    assert (site / "feed.xml").read_text(encoding="utf-8").count("<item>") > 0


def test_the_build_log_says_what_was_done_and_how_long_each_stage_took(
    sites: dict[int, tuple[Path, list[str]]], tmp_path: Path
) -> None:
    """One INFO line (shown by ``mkdocs build``, hidden by ``-q``): the counts, then the
    stages. The worker's are named as such, and the analysis in its parts, so that the
    similarity stage can be told from the others."""
    project = sites[LARGE][0].parent
    command = [sys.executable, "-m", "mkdocs", "build", "-d", str(tmp_path / "site")]
    run = subprocess.run(command, cwd=project, capture_output=True, text=True, check=True)
    line = next(line for line in run.stderr.splitlines() if "postmortem files" in line)
    assert re.match(r"INFO +- +300 postmortem files, 300 in audience 'restricted', \d+ problems; ", line)
    # The site does not publish the search index, so the build neither writes nor reports it.
    assert "index" not in line.split("(")[0] and "index" not in line.replace("search entries", "")
    assert not list(project.glob(".kb-cache/*/whoosh-*"))
    stages = dict(stage.rsplit(" ", 1) for stage in line[line.rindex("(") + 1 : -1].split(", "))
    assert list(stages) == [
        "load and validate",
        "plan",
        "waiting for the worker",
        "worker helps load",
        "worker load",
        "worker links",
        "worker similarity",
        "worker recurrences",
        "worker render",
        "worker data files",
        "search entries",  # into the site generator's index, here: after it wrote it
    ]
    assert all(re.fullmatch(r"\d+\.\d\ds", secs) for secs in stages.values())
    quiet = subprocess.run([*command, "-q"], cwd=project, capture_output=True, text=True, check=True)
    assert "postmortem files" not in quiet.stderr


def on_a_terminal(command: list[str], cwd: Path) -> tuple[int, str]:
    """Run ``command`` with its stderr on a pseudo-terminal, as in a shell; its exit
    status and what the terminal showed."""
    leader, follower = pty.openpty()
    # A terminal 80 columns wide: a new one has no size, and tqdm draws nothing in 0 columns.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    shown = bytearray()

    def read() -> None:  # while it runs: a full terminal buffer would block the command
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the command has exited and closed the terminal
                return
            if not chunk:
                return
            shown.extend(chunk)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=follower, timeout=120, check=False)
    finally:
        os.close(follower)
        reader.join(timeout=10)
        os.close(leader)
    return done.returncode, shown.decode("utf-8", "replace")


def test_kb_search_shows_a_progress_bar_while_it_indexes_on_a_terminal_only(tmp_path: Path, kb: Kb) -> None:
    """Issue 8: long work shows progress. A first ``kb search`` (a fresh clone) reads and
    indexes the whole library: with Whoosh, 1,000 postmortems take seconds, well past the
    half second each bar waits before it shows. The next query, on an unchanged library,
    reads nothing and shows nothing. Redirected to a file, the output has no bar."""
    project = tmp_path / "fresh"
    project.mkdir()
    (project / "mkdocs.yml").write_text(textwrap.dedent(MKDOCS_YML), encoding="utf-8")
    generator().generate(1000, project / "postmortems", seed=1)
    # Written an hour ago, as a clone's files are: one written within seconds of a query
    # is read again by the next one (``kb.search.freshness``, racy files).
    an_hour_ago = time.time() - 3600
    for path in project.rglob("*.md"):
        os.utime(path, (an_hour_ago, an_hour_ago))
    command = [sys.executable, "-m", "kb.cli", "search", "failover"]
    status, shown = on_a_terminal(command, project)
    assert status == 0
    assert re.search(r"reading: +100%\|.*\| 1000/1000", shown), shown[-500:]
    assert re.search(r"indexing: +100%\|.*\| 1000/1000", shown), shown[-500:]
    assert on_a_terminal(command, project) == (0, "")
    shutil.rmtree(project / ".kb-cache")
    status, out, err = kb(project, "search", "failover")
    assert status == 0 and "failover" in out.lower()
    assert "indexing" not in err
    assert "reading" not in err


def build_and_count(project: Path) -> int:
    """In a daemon process: a multiprocessing.Pool worker, which may not start a process of its own."""
    mkdocs_build(load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(project / "site-daemon")))
    return len(json.loads((project / "site-daemon" / "api" / "postmortems.json").read_text(encoding="utf-8")))


def test_a_build_in_a_daemon_process_makes_its_data_itself(sites: dict[int, tuple[Path, list[str]]]) -> None:
    project = sites[LARGE][0].parent
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply(build_and_count, (project,)) == LARGE


def rendered_site(
    project: Path, kill_worker_after: int | None = None, directory_urls: bool = True
) -> tuple[LibraryBuild, dict[str, Rendered], dict[str, str]]:
    """Every page and data file of a build; the worker is killed once the build has
    taken ``kill_worker_after`` pages (0: before it sends any)."""
    settings = open_project(project / "mkdocs.yml").settings
    build = build_library(settings, project, directory_urls)
    assert build._worker is not None and build._worker.process, "a library this large is rendered by a worker"
    process = build._worker.process
    pages = {}
    for page in build.pages:
        if len(pages) == kill_worker_after:
            process.kill()
        pages[page.path] = build.rendered(page.path)
    return build, pages, build.data_files()


def test_pages_are_the_same_whether_the_worker_or_the_build_renders_them(
    sites: dict[int, tuple[Path, list[str]]],
) -> None:
    project = sites[LARGE][0].parent
    by_worker, worker_pages, worker_data = rendered_site(project)
    assert by_worker.worker_failure is None
    for kill_after in (0, LARGE // 2):  # before it sends anything; once half the pages came from it
        here, own_pages, own_data = rendered_site(project, kill_worker_after=kill_after)
        assert here.worker_failure and "exit code" in here.worker_failure
        assert "the worker failed" in here.summary()
        assert own_pages == worker_pages
        assert own_data == worker_data
    # A postmortem page's Markdown is planned before any analysis: the render agrees.
    planned = {page.path: page.markdown for page in by_worker.pages if page.markdown is not None}
    assert len(planned) >= LARGE
    assert all(worker_pages[path].markdown == markdown for path, markdown in planned.items())


@dataclass(frozen=True)
class Pausing:
    seconds: float


def pause(send: Send, position: Callable[[], int], cache: ParseCache[CheckedFile], seconds: float) -> None:
    """A job that keeps the worker busy, once it has said so."""
    send(Pausing(seconds))
    time.sleep(seconds)


def test_a_worker_that_read_other_files_is_not_used(sites: dict[int, tuple[Path, list[str]]], tmp_path: Path) -> None:
    """A file saved between this process's read and the worker's: the pages and data must
    all come from what this process read, the one library its page list was made from."""
    project = tmp_path / "changing"
    shutil.copytree(sites[LARGE][0].parent, project, ignore=shutil.ignore_patterns("site*", ".kb-cache"))
    settings = open_project(project / "mkdocs.yml").settings
    session = Session(serving=True)
    worker = session.worker
    assert worker is not None
    try:
        worker.start(pause, 3.0)  # the build's job waits behind this one: this process reads first
        assert worker.receive() == Pausing(3.0)
        build = session.build(settings, project)
        source = sorted((project / "postmortems").rglob("*.md"))[0]
        source.write_text(source.read_text(encoding="utf-8").replace("title:", "title: Changed", 1), encoding="utf-8")
        pages = {page.path: build.rendered(page.path) for page in build.pages}
        build.data_files()
    finally:
        worker.close()
    assert build.worker_failure and "changed" in build.worker_failure
    assert not any("Changed" in page.markdown for page in pages.values())


def test_a_kept_worker_serves_rebuilds_and_ignores_an_abandoned_build(sites: dict[int, tuple[Path, list[str]]]) -> None:
    """As under mkdocs serve: one worker for every rebuild; a build given up half-way
    (MkDocs failed, say) must not leak its pages into the next one."""
    project = sites[LARGE][0].parent
    settings = open_project(project / "mkdocs.yml").settings
    _, expected, _ = rendered_site(project, directory_urls=False)
    session = Session(serving=True)
    worker = session.worker
    assert worker is not None
    try:
        abandoned = session.build(settings, project, directory_urls=True)
        assert abandoned._worker is worker
        process = worker.process
        build = session.build(settings, project, directory_urls=False)
        pages = {page.path: build.rendered(page.path) for page in build.pages}
        build.data_files()
        assert build.worker_failure is None
        assert worker.process is process and process.is_alive()  # kept for the next rebuild
        assert pages == expected
    finally:
        worker.close()
    process.join(timeout=10)
    assert not process.is_alive()


class Sent:
    """A helper whose files were all checked before the load starts (a worker, ahead)."""

    def __init__(self, files: list[tuple[CacheKey, CheckedFile]]) -> None:
        self.files = files
        self.positions: list[int] = []

    def reached(self, index: int) -> None:
        self.positions.append(index)

    def checked(self) -> list[tuple[CacheKey, CheckedFile]]:
        files, self.files = self.files, []
        return files


def test_the_load_takes_the_files_a_helper_checked_from_the_end(sites: dict[int, tuple[Path, list[str]]]) -> None:
    project = sites[LARGE][0].parent
    settings = open_project(project / "mkdocs.yml").settings
    alone = load(settings, project)
    sent: list[tuple[CacheKey, CheckedFile]] = []
    check_from_the_end(settings, project, ParseCache(), lambda: 99, sent.extend)  # as a fresh worker process
    assert len(sent) == LARGE - 100  # files 299 down to 100
    assert all(parsed is None or parsed.tree.value is None for _, (parsed, _) in sent)  # no YAML values sent
    helper = Sent(sent)
    helped = load(settings, project, ParseCache(), helper)
    assert helper.positions[:2] == [0, library.HELPER_POLL]
    assert helped.postmortems == alone.postmortems
    assert helped.problems == alone.problems
    from_helper = {parsed.pm.slug: parsed.pm for _, (parsed, _) in sent if parsed}
    taken = [pm for pm in helped.postmortems if pm.slug in from_helper]
    assert len(taken) > LARGE / 2
    assert all(pm is from_helper[pm.slug] for pm in taken)  # used as sent, not checked again


def check_all_from_the_end(
    send: Send, position: Callable[[], int], cache: ParseCache[CheckedFile], settings: Settings, project: Path
) -> None:
    check_from_the_end(settings, project, ParseCache(), lambda: -1, lambda files: send(CheckedFiles(files)))
    send(Pausing(0))  # done


def test_a_worker_process_checks_files_under_the_keys_this_process_looks_up(
    sites: dict[int, tuple[Path, list[str]]],
) -> None:
    """The cache keys must be the same in another process (no hash(), which is seeded
    per process), or the load would never find what the worker sent."""
    project = sites[LARGE][0].parent
    settings = open_project(project / "mkdocs.yml").settings
    worker = Worker()
    try:
        worker.start(check_all_from_the_end, settings, project)
        keys = []
        while isinstance(message := worker.receive(), CheckedFiles):
            keys += [key for key, _ in message.files]
        assert message == Pausing(0)
    finally:
        worker.close()
    cache: ParseCache[CheckedFile] = ParseCache()
    load(settings, project, cache)
    assert len(keys) == LARGE
    assert set(keys) == cache.keys()
