"""Scale benchmark (issue 8): the plugin's build next to a plain Material site of the same pages.

Usage: .venv/bin/python benchmarks/harness.py [--sizes 1000 5000 10000] [--quick] [--list-pages-only]

For each size N it generates a library with benchmarks/generate.py and builds two projects
with the same theme features and the search plugin: one with our plugin, one plain
mkdocs-material site of the same Markdown files. It measures full builds, a `mkdocs serve`
style rebuild after one edit, `kb search` queries, Material's in-browser search and the plugin's list pages
(benchmarks/list_pages.py), prints Markdown tables with PASS/FAIL per target and writes
them to benchmarks/results/scale.md (raw numbers in scale.json) after every size, so a
long run leaves partial results. With --list-pages-only it builds the plugin's site once
per size and measures only its list pages (results/list-pages.*).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import logging
import multiprocessing
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import yaml
from generate import generate
from mkdocs.utils.yaml import yaml_load

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import kb_search_process
import lint_changed
import list_pages
import search_box
from browsing import serve

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).with_name("results")
SEED = 1
TODAY = date(2026, 6, 30)
AUDIENCE = "restricted"
VARIANTS = ("plugin", "plain")
EDIT = "One more sentence, appended by the benchmark harness as an author would while serving."
SERVE_URL = "http://127.0.0.1:8000/"  # what `mkdocs serve` passes to build(); nothing listens on it
BROWSER_QUERY = "failover"
BROWSER_RUNS = 3
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
MB = 1024 * 1024
# Full builds write their sites to a RAM disk where there is one. On disk, a build right
# after the last one's site was deleted spent ever more time in ext4's inode allocator
# (recently_deleted(), seen with perf): five plain builds in a row took 17, 18, 21, 20
# and 22 s. One build writing a site on a CI machine goes to the page cache, as here.
RAM_DISK = Path("/dev/shm")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024

Result = dict[str, Any]  # one size's raw numbers, as written to scale.json


class BuildError(RuntimeError):
    """A build that exited with an error: the message ends with its stderr."""


# --- projects ------------------------------------------------------------------------


def example_config() -> dict[str, Any]:
    """The theme and Markdown extensions of the example site, shared by both variants."""
    # Read as MkDocs reads it: its Mermaid fence names a Python function (!!python/name:...).
    example = yaml_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    return {"theme": example["theme"], "markdown_extensions": example["markdown_extensions"]}


def write_config(project: Path, variant: str, engine: str, pagefind: bool = False) -> None:
    config: dict[str, Any] = {"site_name": f"Scale benchmark ({variant})", **example_config()}
    if variant == "plugin":
        options = {"today": TODAY, "audience": AUDIENCE, "search_engine": engine, "pagefind": pagefind}
        config["plugins"] = ["search", {"postmortems": options}]
    else:
        config["plugins"] = ["search"]
        config["not_in_nav"] = "/postmortems/**\n"
    config["nav"] = ["index.md", "postmortems/index.md"]
    (project / "docs").mkdir(parents=True, exist_ok=True)
    # yaml.dump, not safe_dump: it writes the fence's function back as the tag it was read from.
    (project / "mkdocs.yml").write_text(yaml.dump(config, sort_keys=False), encoding="utf-8")
    (project / "docs" / "index.md").write_text("# Home\n\nThe scale benchmark's library.\n", encoding="utf-8")


def make_projects(size: int, workdir: Path, engine: str = "whoosh") -> tuple[dict[str, Path], list[str]]:
    """The plugin project (postmortems/ next to mkdocs.yml) and the plain one (docs/postmortems/<id>.md)."""
    plugin, ids = plugin_project(size, workdir, engine)
    projects = {"plugin": plugin, "plain": workdir / "plain"}
    write_config(projects["plain"], "plain", engine)
    pages = projects["plain"] / "docs" / "postmortems"
    pages.mkdir(parents=True)
    (pages / "index.md").write_text("# Postmortems\n", encoding="utf-8")
    for pm_id in ids:  # flat, so a page has the same URL in both sites: /postmortems/<id>/
        shutil.copyfile(source_file(projects["plugin"], pm_id), pages / f"{pm_id}.md")
    return projects, ids


def plugin_project(size: int, workdir: Path, engine: str) -> tuple[Path, list[str]]:
    """The plugin's project alone, with a generated library of ``size`` postmortems; their ids."""
    project = workdir / "plugin"
    write_config(project, "plugin", engine)
    return project, generate(size, project / "postmortems", seed=SEED, today=TODAY)


def source_file(project: Path, pm_id: str) -> Path:
    """Where a postmortem's Markdown lives in a project of either variant."""
    generated = project / "postmortems" / pm_id[:4] / f"{pm_id}.md"
    return generated if generated.exists() else project / "docs" / "postmortems" / f"{pm_id}.md"


# --- full builds ---------------------------------------------------------------------


@dataclass
class FullBuild:
    wall_s: float
    peak_rss_mb: float  # the build's process tree: the sum over its processes at the sampled peak
    max_process_rss_mb: float  # its largest single process
    stderr: str


def process_tree(root: int) -> list[int]:
    """``root`` and its live descendants, from the parent ids in /proc/<pid>/stat."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])  # the name in () may hold spaces
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        children.setdefault(ppid, []).append(int(stat.parent.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo += children.get(pid, [])
    return tree


def tree_rss_kb(root: int) -> int:
    total = 0
    for pid in process_tree(root):
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KB
        except (OSError, IndexError, ValueError):
            continue
    return total


@contextmanager
def tree_memory(root: int, interval: float = 0.2) -> Iterator[list[int]]:
    """Samples the summed RSS of ``root``'s process tree until the block ends; yields ``[peak KiB]``.

    Needed because the plugin may index in a worker process alongside MkDocs: the rusage of the
    child (``os.wait4``) is the largest single process, not what the build holds at once.
    """
    peak, done = [0], threading.Event()

    def sample() -> None:
        while not done.wait(interval):
            peak[0] = max(peak[0], tree_rss_kb(root))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield peak
    finally:
        done.set()
        sampler.join()


def full_build(project: Path, site: Path) -> FullBuild:
    """`mkdocs build` in a child process, with no cache; wall time, memory and its log.

    ``os.wait4`` gives the rusage of exactly this child (and its waited-for children), whereas
    ``getrusage(RUSAGE_CHILDREN)`` is a maximum over every child so far: a delta would miss a
    smaller build after a bigger one.
    """
    shutil.rmtree(project / ".kb-cache", ignore_errors=True)
    shutil.rmtree(site, ignore_errors=True)
    # The kernel writes files out up to 30 s after they are written: without this, a build
    # would also pay for the disk writes of the one before it (or of the generator).
    os.sync()
    command = [sys.executable, "-m", "mkdocs", "build", "-d", str(site)]  # no -q: the plugin logs its stages at INFO
    with tempfile.TemporaryFile("w+", encoding="utf-8") as stderr:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=project, stdout=subprocess.DEVNULL, stderr=stderr)
        with tree_memory(child.pid) as peak:
            _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        log = stderr.read()
    if child.returncode != 0:
        raise BuildError(f"{' '.join(command)} in {project} exited with {child.returncode}:\n{log[-3000:]}")
    largest = usage.ru_maxrss / 1024  # KiB on Linux
    return FullBuild(wall, max(peak[0] / 1024, largest), largest, log)


def stage_seconds(log: str) -> dict[str, float]:
    """Per-stage seconds from the plugin's INFO summary line: "... (load and validate 1.23s, index 0.01s, ...)"."""
    for line in log.splitlines():
        if "postmortem files," in line and line.rstrip().endswith(")"):
            stages = last_parenthesized(line.rstrip())
            return {
                m[1]: float(m[2]) for part in stages.split(", ") if (m := re.fullmatch(r"(.+) (\d+(?:\.\d+)?)s", part))
            }
    return {}


def last_parenthesized(line: str) -> str:
    """The inside of the (possibly nested) parentheses that close ``line``."""
    depth = 0
    for at in range(len(line) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(line[at], 0)
        if depth == 0:
            return line[at + 1 : -1]
    return ""


def site_sizes(site: Path, ids: list[str], common: list[str]) -> dict[str, Any]:
    """Mean postmortem page (over every id, and over the ids every size has), home page, site, search index."""
    pages = {pm_id: site / "postmortems" / pm_id / "index.html" for pm_id in ids}
    sizes = {pm_id: page.stat().st_size for pm_id, page in pages.items() if page.exists()}
    index = site / "search" / "search_index.json"
    return {
        "pages": len(sizes),
        "page_html_mean_kb": mean_kb(list(sizes.values())),
        "common_page_html_mean_kb": mean_kb([sizes[i] for i in common if i in sizes]),
        "home_html_kb": (site / "index.html").stat().st_size / 1024,
        "site_mb": sum(f.stat().st_size for f in site.rglob("*") if f.is_file()) / MB,
        "files": sum(1 for f in site.rglob("*") if f.is_file()),
        "search_index_mb": index.stat().st_size / MB,
        "search_index_gzip_mb": len(gzip.compress(index.read_bytes(), compresslevel=6)) / MB,
    }


def mean_kb(sizes: list[int]) -> float | None:
    return statistics.fmean(sizes) / 1024 if sizes else None


def measure_builds(
    projects: dict[str, Path], sites: dict[str, Path], ids: list[str], common: list[str], repeat: int
) -> Result:
    """Both variants ``repeat`` times, taking turns (ABBA...), so that a machine getting
    faster or slower during the run affects both alike; wall time and memory are medians.

    First one untimed build of each: the first build of a size follows the last size's
    browser and Pagefind runs, and ran slowest (the plugin's first of five at 5,000:
    23.2 s, the other four 19.0-21.1 s); the order of turns would always give it to
    the same variant."""
    for variant in projects:
        full_build(projects[variant], sites[variant])
    runs: dict[str, list[FullBuild]] = {variant: [] for variant in projects}
    for round_ in range(repeat):
        for variant in list(projects)[:: 1 if round_ % 2 == 0 else -1]:
            runs[variant].append(full_build(projects[variant], sites[variant]))
    result: Result = {}
    for variant in projects:
        site = sites[variant]
        result[variant] = {
            "wall_s": statistics.median(r.wall_s for r in runs[variant]),
            "wall_runs_s": [r.wall_s for r in runs[variant]],
            "peak_rss_mb": statistics.median(r.peak_rss_mb for r in runs[variant]),
            "max_process_rss_mb": statistics.median(r.max_process_rss_mb for r in runs[variant]),
            "warnings": sum(" WARNING " in f" {line}" for line in runs[variant][-1].stderr.splitlines()),
            **site_sizes(site, ids, common),
        }
        if variant == "plugin":  # the stages of the median build, so that shares are of one build
            median = sorted(runs[variant], key=lambda r: r.wall_s)[len(runs[variant]) // 2]
            result[variant]["stages_s"] = stage_seconds(median.stderr)
    return result


# --- kb search -----------------------------------------------------------------------


def kb_search(project: Path, engine: str) -> dict[str, float]:
    """Whole ``kb search`` processes, as someone at a terminal waits for them: the first
    query of a fresh clone, the median of ten on an unchanged library, one after an edit."""
    return kb_search_process.measure(project, engine)


# --- mkdocs serve rebuild ------------------------------------------------------------


def serve_rebuild(project: Path, pm_id: str, dirty: bool) -> dict[str, Any]:
    """What `mkdocs serve` does, in this process: build; on a change, reload the config and build again.

    Like ``mkdocs.commands.serve``: plugins get ``on_startup(command="serve")``, builds get the
    serve URL, and the rebuild's time includes reloading the config. With ``dirty`` (the
    plugin's variant: ``make serve`` runs ``mkdocs serve --dirty``), the rebuild is the quick
    one that writes the edited page; then, once the plugin's worker touches its signal file
    (what starts the next rebuild under ``mkdocs serve``), the rebuild that writes the rest,
    timed from the save to its end.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.config.defaults import MkDocsConfig

    logging.getLogger("mkdocs").addHandler(logging.NullHandler())  # the full build already counted the warnings
    with tempfile.TemporaryDirectory(prefix="mkdocs_") as site_dir:

        def config() -> MkDocsConfig:
            return load_config(config_file=str(project / "mkdocs.yml"), site_dir=site_dir)

        def served(cfg: MkDocsConfig) -> None:
            cfg.site_url = SERVE_URL
            build(cfg, serve_url=SERVE_URL, dirty=dirty)

        first = config()
        first.plugins.on_startup(command="serve", dirty=dirty)
        started = time.perf_counter()
        served(first)
        warm = time.perf_counter() - started
        signals = list(project.glob(".kb-cache/*/serve/rendered"))
        for signal in signals:
            signal.unlink()
        with source_file(project, pm_id).open("a", encoding="utf-8") as page:
            page.write(f"\n{EDIT}\n")
        saved = started = time.perf_counter()
        served(config())
        rebuild = time.perf_counter() - started
        html = Path(site_dir, "postmortems", pm_id, "index.html").read_text(encoding="utf-8")
        result = {"first_s": warm, "rebuild_s": rebuild, "edit_in_output": EDIT in html}
        if dirty:
            while not any(project.glob(".kb-cache/*/serve/rendered")):
                time.sleep(0.05)
            signalled = time.perf_counter() - saved
            served(config())
            result |= {"signal_s": signalled, "follow_up_s": time.perf_counter() - saved}
        first.plugins.on_shutdown()
    return result


def in_fresh_process(function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)`` in a new Python process: the code as it is now, and nothing warm from this one."""
    # Not a multiprocessing.Pool: its workers are daemons, which may not start the plugin's worker process.
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def measure_rebuilds(projects: dict[str, Path], pm_id: str) -> Result:
    """One fresh Python process per variant, each served as its users would: the plugin's
    with ``--dirty`` (``make serve``), the plain site without (MkDocs' default)."""
    result: Result = {
        variant: in_fresh_process(serve_rebuild, project, pm_id, variant == "plugin")
        for variant, project in projects.items()
    }
    result["ratio"] = result["plugin"]["rebuild_s"] / result["plain"]["rebuild_s"]
    return result


# --- in-browser search ---------------------------------------------------------------


def first_result(browser: Any, url: str, query: str) -> dict[str, float]:
    """Seconds from the start of page load to search ready and to the first result, and from entering the query."""
    from playwright.sync_api import expect

    context = browser.new_context()  # a cold cache each time
    page = context.new_page()
    try:
        started = time.perf_counter()
        page.goto(f"{url}/")
        box = page.locator("input.md-search__input")
        box.click()
        meta = page.locator(".md-search-result__meta")
        expect(meta).not_to_have_text(re.compile("Initializing"), timeout=300_000)
        ready = time.perf_counter()
        # One search for the whole query: Material searches on key events, which fill() alone does not send.
        box.fill(query)
        box.press("End")
        # With search.highlight each link ends in ?h=<query>: a result for the whole query, not a prefix.
        hit = page.locator(f".md-search-result__item a[href*='h={query}']").first
        hit.wait_for(state="visible", timeout=60_000)
        found = time.perf_counter()
    finally:
        context.close()
    return {"ready_s": ready - started, "from_load_s": found - started, "from_query_s": found - ready}


def browser_search(sites: dict[str, Path]) -> Result:
    """Median over BROWSER_RUNS cold page loads in headless Chromium, per variant."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    result: Result = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for variant, site in sites.items():
                try:
                    with serve(site) as url:
                        runs = [first_result(browser, url, BROWSER_QUERY) for _ in range(BROWSER_RUNS)]
                except PlaywrightError as exc:  # e.g. a search that never gets ready: a result, not a crash
                    result[variant] = {"error": first_line(str(exc))}
                    continue
                result[variant] = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        finally:
            browser.close()
    return result


def pagefind_search(project: Path, engine: str) -> Result:
    """The plugin site again with ``pagefind: true``, then its search page in Chromium.

    Last for a size: it rewrites the plugin project's configuration. The build's own
    Pagefind run is not timed here; ``pagefind_search.measure`` indexes again, timed.
    """
    from pagefind_search import measure as measure_pagefind

    write_config(project, "plugin", engine, pagefind=True)
    site = project / "site-pagefind"
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)], cwd=project, capture_output=True, text=True
    )
    if run.returncode:
        raise BuildError(f"pagefind build failed: {run.stderr[-2000:]}")
    return measure_pagefind(site, BROWSER_QUERY, BROWSER_RUNS)


# --- one size ------------------------------------------------------------------------


@contextmanager
def size_folders(size: int, options: argparse.Namespace) -> Iterator[tuple[Path, Path]]:
    """Temporary folders for one size's projects and for their sites."""
    with (
        tempfile.TemporaryDirectory(prefix=f"kb-scale-{size}-", dir=options.workdir) as tmp,
        tempfile.TemporaryDirectory(prefix=f"kb-scale-sites-{size}-", dir=options.sitedir) as site_tmp,
    ):
        yield Path(tmp), Path(site_tmp)


def measure(size: int, common_size: int, options: argparse.Namespace) -> Result:
    if options.list_pages_only:
        return measure_list_pages(size, options)
    with size_folders(size, options) as (tmp, site_tmp):
        projects, ids = make_projects(size, tmp, options.engine)
        sites = {variant: site_tmp / variant for variant in projects}
        result: Result = {"postmortems": size, "code": code_digest(), "load_before": os.getloadavg()[0]}
        log(f"N={size}: full builds")
        result["build"] = measure_builds(projects, sites, ids, ids[:common_size], options.repeat)
        log(f"N={size}: kb search")
        result["kb_search"] = kb_search(projects["plugin"], options.engine)
        log(f"N={size}: kb lint --changed-only")
        result["kb_lint"] = lint_changed.measure(projects["plugin"])
        if size in options.browser_sizes:
            log(f"N={size}: in-browser search")
            result["browser"] = browser_search(sites)
        if size in options.search_box_sizes:
            log(f"N={size}: search box, judged queries")
            queries = search_box.pick_queries(search_box.load_library(projects["plugin"]))
            result["search_box"] = search_box.measure(sites["plugin"], queries)
        log(f"N={size}: list pages")
        result["list_pages"] = list_pages.measure(sites["plugin"])
        if size in options.rebuild_sizes:
            log(f"N={size}: serve rebuilds")
            result["rebuild"] = measure_rebuilds(projects, ids[0])
        if size in options.browser_sizes:
            log(f"N={size}: Pagefind")
            result["pagefind"] = in_fresh_process(pagefind_search, projects["plugin"], options.engine)
        result["load_after"] = os.getloadavg()[0]
        return result


def measure_list_pages(size: int, options: argparse.Namespace) -> Result:
    """``--list-pages-only``: the plugin's site, built once (timed, for the record), and its list pages."""
    with size_folders(size, options) as (tmp, site_tmp):
        project, _ = plugin_project(size, tmp, options.engine)
        result: Result = {"postmortems": size, "code": code_digest(), "load_before": os.getloadavg()[0]}
        log(f"N={size}: plugin build")
        result["plugin_build_s"] = full_build(project, site_tmp / "plugin").wall_s
        log(f"N={size}: list pages")
        result["list_pages"] = list_pages.measure(site_tmp / "plugin")
        result["load_after"] = os.getloadavg()[0]
        return result


def code_digest() -> str:
    """A short hash of kb/ and the plugin as they are now: others may change them during a long run."""
    digest = hashlib.sha256()
    for path in sorted(p for folder in ("kb", "plugins") for p in (ROOT / folder).rglob("*") if p.is_file()):
        if "__pycache__" not in path.parts:
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def first_line(text: str) -> str:
    return next(iter(text.splitlines()), "")


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# --- targets -------------------------------------------------------------------------


@dataclass
class Verdict:
    target: str
    at: str
    measured: str
    result: str  # PASS, FAIL or "not measured"


def nearest(results: dict[int, Result], wanted: int, key: str) -> int | None:
    """``wanted`` if measured, else the measured size closest to it (so a --quick run still reports)."""
    sizes = [n for n, r in results.items() if key in r]
    return min(sizes, key=lambda n: (abs(n - wanted), -n)) if sizes else None


def where(size: int, wanted: int) -> str:
    return f"{size:,}" if size == wanted else f"{size:,} (target is at {wanted:,})"


def verdict(target: str, at: str, value: float | None, limit: float, shown: str) -> Verdict:
    result = "not measured" if value is None else "PASS" if value <= limit else "FAIL"
    return Verdict(target, at, shown, result)


def single(
    results: dict[int, Result],
    target: str,
    wanted: int,
    key: str,
    compute: Callable[[Result], tuple[float | None, str]],
) -> Callable[[float], Verdict]:
    """A target checked on one size: ``compute`` gives the value and how to show it."""

    def check(limit: float) -> Verdict:
        size = nearest(results, wanted, key)
        if size is None:
            return Verdict(target, f"{wanted:,}", "", "not measured")
        value, shown = compute(results[size])
        return verdict(target, where(size, wanted), value, limit, shown)

    return check


def build_ratio(r: Result) -> tuple[float, str]:
    ratio = r["build"]["plugin"]["wall_s"] / r["build"]["plain"]["wall_s"]
    return ratio, f"{ratio:.2f}x ({r['build']['plugin']['wall_s']:.1f} s vs {r['build']['plain']['wall_s']:.1f} s)"


def memory(r: Result) -> tuple[float, str]:
    mb = r["build"]["plugin"]["peak_rss_mb"]
    return mb, f"{mb:,.0f} MB"


def rebuild_ratio(r: Result) -> tuple[float, str]:
    plugin, plain = r["rebuild"]["plugin"]["rebuild_s"], r["rebuild"]["plain"]["rebuild_s"]
    return r["rebuild"]["ratio"], f"{r['rebuild']['ratio']:.2f}x ({plugin:.1f} s vs {plain:.1f} s)"


def reload_s(r: Result) -> tuple[float, str]:
    plugin = r["rebuild"]["plugin"]
    shown = f"{plugin['rebuild_s']:.2f} s (the pages that list it: {plugin['follow_up_s']:.1f} s after the save)"
    return (plugin["rebuild_s"] if plugin["edit_in_output"] else float("inf")), shown


def kb_search_s(key: str) -> Callable[[Result], tuple[float, str]]:
    def compute(r: Result) -> tuple[float, str]:
        return r["kb_search"][key], f"{r['kb_search'][key]:.2f} s"

    return compute


def lint_share(r: Result) -> tuple[float, str]:
    """``kb lint --changed-only``'s time after one edit over ``kb lint``'s: at most 1/5 is 5 x faster."""
    k = r["kb_lint"]
    return 1 / k["speedup"], f"{k['speedup']:.1f}x faster ({k['changed_only_s']:.2f} s vs {k['full_s']:.1f} s)"


def judged_first(r: Result) -> tuple[float, str]:
    """Misses: judged queries whose postmortem is not the first result."""
    box = r["search_box"]
    return box["queries"] - box["first"], f"{box['first']} of {box['queries']} first"


def index_share(r: Result) -> tuple[float | None, str]:
    """Stages named "index..." and "...similarity", the two the issue's target names. Work in
    the plugin's worker process counts in full, though it overlaps rendering on the other core."""
    stages, wall = r["build"]["plugin"]["stages_s"], r["build"]["plugin"]["wall_s"]
    # No "index" stage: the site does not publish the index, so the build does not write it.
    indexing = [secs for name, secs in stages.items() if name.removeprefix("worker ").startswith("index")]
    similarity = [secs for name, secs in stages.items() if name.endswith("similarity")]
    if not similarity:
        return None, "stage times not found in the build log"
    spent = sum(indexing) + sum(similarity)
    return spent / wall, f"{spent / wall:.1%} ({spent:.2f} s of {wall:.1f} s)"


def index_mb(r: Result) -> tuple[float, str]:
    mb = r["build"]["plugin"]["search_index_mb"]
    return mb, f"{mb:.1f} MB ({r['build']['plugin']['search_index_gzip_mb']:.1f} MB gzipped)"


def first_hit(key: str) -> Callable[[Result], tuple[float, str]]:
    def compute(r: Result) -> tuple[float, str]:
        if "error" in r["browser"]["plugin"]:
            return float("inf"), r["browser"]["plugin"]["error"]
        seconds = r["browser"]["plugin"][key]
        return seconds, f"{seconds:.2f} s"

    return compute


def pagefind_hit(r: Result) -> tuple[float, str]:
    p = r["pagefind"]
    return p["from_load_s"], (
        f"{p['from_load_s']:.2f} s ({p['from_query_s']:.2f} s after typing; "
        f"{(p['fetched_code_bytes'] + p['fetched_index_bytes']) / MB:.2f} MB fetched)"
    )


def page_growth(results: dict[int, Result]) -> Verdict:
    target = "per-page HTML, same postmortems, small vs large library, within 10%"
    low, high = nearest(results, 1000, "build"), nearest(results, 10000, "build")
    if low is None or high is None or low == high:
        return Verdict(target, "1,000 vs 10,000", "", "not measured")
    small = results[low]["build"]["plugin"]["common_page_html_mean_kb"]
    large = results[high]["build"]["plugin"]["common_page_html_mean_kb"]
    change = large / small - 1
    shown = f"{change:+.1%} ({small:.1f} KB vs {large:.1f} KB)"
    return verdict(target, f"{where(low, 1000)} vs {where(high, 10000)}", abs(change), 0.10, shown)


LINT_TARGET = "`kb lint --changed-only` after one edit ≥ 5 x faster than `kb lint` (issue 22)"
KB_SEARCH_TARGET = "`kb search`, unchanged library: whole process ≤ 0.5 s (median of 10 queries)"
SEARCH_BOX_TARGET = "search box: each of 20 judged queries finds its postmortem first (misses ≤ 0)"
BUILD_TARGET = "full build with the plugin, empty cache, ≤ 1.25 x plain"
PAGEFIND_TARGET = "with `pagefind: true`: first result ≤ 1 s from page load (informational)"
LIST_PAGE_TARGETS = [  # issue 24's, at 10,000: (target, key of list_pages.worst, limit)
    (f"list pages: each page's HTML ≤ {list_pages.HTML_KB} KB (the heaviest)", "html_kb", list_pages.HTML_KB),
    (f"list pages: each page's load ≤ {list_pages.LOAD_S:g} s (the slowest)", "load_s", list_pages.LOAD_S),
    (
        f"list pages: filter keystroke to painted list ≤ {list_pages.KEYSTROKE_MS} ms (slowest key)",
        "keystroke_ms",
        list_pages.KEYSTROKE_MS,
    ),
    ("list pages: every postmortem reachable from /postmortems/ without JavaScript (missing)", "unreached", 0),
]


def list_page_targets(results: dict[int, Result]) -> list[Verdict]:
    def worst(key: str) -> Callable[[Result], tuple[float | None, str]]:
        return lambda r: list_pages.worst(r["list_pages"])[key]

    return [single(results, target, 10000, "list_pages", worst(key))(limit) for target, key, limit in LIST_PAGE_TARGETS]


def targets(results: dict[int, Result]) -> list[Verdict]:
    ok = {n: r for n, r in results.items() if "error" not in r}
    verdicts = [
        *(single(ok, BUILD_TARGET, n, "build", build_ratio)(1.25) for n in (5000, 10000)),
        page_growth(ok),
        single(ok, "peak memory of the plugin build < 1.5 GB", 10000, "build", memory)(1536),
        single(ok, "serve rebuild after one edit ≤ 1.2 x plain", 1000, "rebuild", rebuild_ratio)(1.2),
        single(ok, "save-to-reload of the edited page under `make serve` ≤ 2 s", 5000, "rebuild", reload_s)(2),
        single(ok, "index + similarity < 10% of the plugin build", 5000, "build", index_share)(0.10),
    ]
    verdicts += [
        *(single(ok, KB_SEARCH_TARGET, n, "kb_search", kb_search_s("unchanged_median_s"))(0.5) for n in (5000, 10000)),
        single(ok, "`kb search` after one file changed ≤ 1.5 s", 5000, "kb_search", kb_search_s("one_changed_s"))(1.5),
        single(ok, SEARCH_BOX_TARGET, 1000, "search_box", judged_first)(0),
        single(ok, LINT_TARGET, 5000, "kb_lint", lint_share)(1 / 5),
    ]
    for n in (1000, 5000):
        verdicts += [
            single(ok, "in-browser search index ≤ 10 MB (informational)", n, "build", index_mb)(10),
            single(
                ok,
                "first result ≤ 1 s after entering the query (informational)",
                n,
                "browser",
                first_hit("from_query_s"),
            )(1),
            single(ok, "first result ≤ 1 s from page load (informational)", n, "browser", first_hit("from_load_s"))(1),
            single(ok, PAGEFIND_TARGET, n, "pagefind", pagefind_hit)(1),
        ]
    return verdicts + list_page_targets(ok)


# --- report --------------------------------------------------------------------------


def fmt(value: float | None, spec: str = ".1f") -> str:
    return "" if value is None else format(value, spec)


def build_table(results: dict[int, Result]) -> list[str]:
    rows = [
        "| postmortems | site | build (s) | peak RSS, all processes (MB) | largest process (MB) | pages "
        "| page HTML (KB) | home (KB) | site (MB) | search_index.json (MB) | warnings |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, r in results.items():
        for variant in VARIANTS if "build" in r else ():
            b = r["build"][variant]
            rows.append(
                f"| {n:,} | {variant} | {b['wall_s']:.1f} | {b['peak_rss_mb']:,.0f} | {b['max_process_rss_mb']:,.0f} "
                f"| {b['pages']:,} "
                f"| {fmt(b['page_html_mean_kb'])} | {b['home_html_kb']:.1f} | {b['site_mb']:.1f} "
                f"| {b['search_index_mb']:.2f} | {b['warnings']} |"
            )
    return rows


def stage_table(results: dict[int, Result]) -> list[str]:
    seen = (name for r in results.values() if "build" in r for name in r["build"]["plugin"]["stages_s"])
    names = list(dict.fromkeys(seen))  # as the plugin logs them, whatever they are
    rows = [
        "| postmortems | " + " | ".join(f"{name} (s)" for name in names) + " | index + similarity share |",
        "| ---: |" + " ---: |" * (len(names) + 1),
    ]
    for n, r in results.items():
        if "build" not in r:
            continue
        stages = r["build"]["plugin"]["stages_s"]
        shown = " | ".join(fmt(stages.get(name), ".2f") for name in names)
        _, share = index_share(r)
        rows.append(f"| {n:,} | {shown} | {share} |")
    return rows


def kb_search_table(results: dict[int, Result]) -> list[str]:
    rows = [
        "| postmortems | first query, fresh clone (s) | unchanged library, median of 10 (s) "
        "| after one file changed (s) |",
        "| ---: | ---: | ---: | ---: |",
    ]
    for n, r in results.items():
        if k := r.get("kb_search"):
            rows.append(
                f"| {n:,} | {k['first_query_s']:.1f} | {k['unchanged_median_s']:.2f} | {k['one_changed_s']:.2f} |"
            )
    return rows


def lint_table(results: dict[int, Result]) -> list[str]:
    rows = [
        "| postmortems | `kb lint` (s) | `kb lint --changed-only HEAD` (s) | speed-up |",
        "| ---: | ---: | ---: | ---: |",
    ]
    for n, r in results.items():
        if k := r.get("kb_lint"):
            rows.append(f"| {n:,} | {k['full_s']:.2f} | {k['changed_only_s']:.2f} | {k['speedup']:.1f}x |")
    return rows


def search_box_table(results: dict[int, Result]) -> list[str]:
    rows = [
        "| library | judged queries | first | ranks | median to first result (s) | slowest (s) |",
        "| --- | ---: | ---: | --- | ---: | ---: |",
    ]
    for n, r in results.items():
        if box := r.get("search_box"):
            ranks = ", ".join(str(run["rank"]) for run in box["runs"])
            rows.append(
                f"| generated {n:,} | {box['queries']} | {box['first']} | {ranks} "
                f"| {fmt(box['median_s'], '.2f')} | {fmt(box['max_s'], '.2f')} |"
            )
    return rows


def rebuild_table(results: dict[int, Result]) -> list[str]:
    rows = [
        "| postmortems | plugin first build (s) | plugin rebuild, edited page (s) | worker done (s) "
        "| plugin rebuild, the rest (s) | plain first build (s) | plain rebuild (s) "
        "| rebuild plugin / plain | edit in both outputs |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for n, r in results.items():
        if "rebuild" in r:
            plugin, plain = r["rebuild"]["plugin"], r["rebuild"]["plain"]
            rows.append(
                f"| {n:,} | {plugin['first_s']:.1f} | {plugin['rebuild_s']:.2f} | {plugin['signal_s']:.1f} "
                f"| {plugin['follow_up_s']:.1f} | {plain['first_s']:.1f} "
                f"| {plain['rebuild_s']:.1f} | {r['rebuild']['ratio']:.2f}x "
                f"| {'yes' if plugin['edit_in_output'] and plain['edit_in_output'] else 'NO'} |"
            )
    return rows


def browser_table(results: dict[int, Result]) -> list[str]:
    rows = [
        "| postmortems | site | search_index.json (MB) | gzipped (MB) | search ready from load (s) "
        "| first result from load (s) | first result from query (s) |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, r in results.items():
        for variant in VARIANTS if "browser" in r else ():
            b, s = r["browser"][variant], r["build"][variant]
            times = (
                f"{b['error']} | | "
                if "error" in b
                else f"{b['ready_s']:.2f} | {b['from_load_s']:.2f} | {b['from_query_s']:.2f}"
            )
            rows.append(
                f"| {n:,} | {variant} | {s['search_index_mb']:.2f} | {s['search_index_gzip_mb']:.2f} | {times} |"
            )
    return rows


def pagefind_table(results: dict[int, Result]) -> list[str]:
    rows = [
        "| postmortems | pages indexed | index time (s) | bundle (MB) | files | fetched for the query (MB) "
        "| first result from load (s) | first result from query (s) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, r in results.items():
        if p := r.get("pagefind"):
            fetched = (p["fetched_code_bytes"] + p["fetched_index_bytes"]) / MB
            rows.append(
                f"| {n:,} | {p['pages']:,} | {p['index_s']:.1f} | {p['bundle_bytes'] / MB:.1f} | {p['bundle_files']:,} "
                f"| {fetched:.2f} | {p['from_load_s']:.2f} | {p['from_query_s']:.2f} |"
            )
    return rows


def list_pages_table(results: dict[int, Result]) -> list[str]:
    return list_pages.HEADER + [
        row for r in results.values() if "list_pages" in r for row in list_pages.table_rows(r["list_pages"])
    ]


def target_table(verdicts: list[Verdict]) -> list[str]:
    rows = ["| target | at N | measured | result |", "| --- | --- | --- | --- |"]
    rows += [f"| {v.target} | {v.at} | {v.measured} | {v.result} |" for v in verdicts]
    return rows


def machine() -> dict[str, Any]:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "kb", "plugins"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    return {
        "date": datetime.now().isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "mkdocs": version("mkdocs"),
        "mkdocs-material": version("mkdocs-material"),
        "commit": head.strip() + (" with uncommitted changes in kb/ or plugins/" if dirty.strip() else ""),
    }


LIST_PAGES_SECTION = (
    f"## List pages (`benchmarks/list_pages.py`; headless Chromium, load: median of {list_pages.LOADS} cold loads; "
    f"keystrokes: {list_pages.WORD!r} typed in the filter)"
)
LIST_PAGES_NOTE = (
    "The explorer, the board, lessons, and the cause, service and team with the most postmortems (in brackets). "
    "Rows JSON: the file the page's script fetches when a filter is first used. Keystroke: from each key's "
    "`keydown` to the frame that paints the changed count, once the page says its rows are loaded "
    "(`data-loaded`); n/a when it did not within 20 s. Reachable: postmortem pages linked from the static HTML "
    "of /postmortems/ and its later pages (/postmortems/page/N/), of the library's."
)


def report(meta: dict[str, Any], results: dict[int, Result]) -> str:
    errors = [f"- N={n:,}: {r['error']}" for n, r in results.items() if "error" in r]
    loads = ", ".join(f"{r['load_before']:.1f}" for r in results.values() if "load_before" in r)
    codes = ", ".join(f"{r['code']}" for r in results.values() if "code" in r)
    header = (
        f"From `benchmarks/harness.py` on {meta['date']}: {meta['cpus']} CPUs, Python {meta['python']}, "
        f"MkDocs {meta['mkdocs']}, Material {meta['mkdocs-material']}, commit {meta['commit']}. "
        f"Load average (1 min) before each size: {loads}; kb/ and plugin digest at each size: {codes}. "
        f"The plugin's search engine: `search_engine: {meta.get('engine', 'whoosh')}`. "
    )
    if meta.get("list_pages_only"):
        builds = ", ".join(f"{r['plugin_build_s']:.1f}" for r in results.values() if "plugin_build_s" in r)
        sections = [
            "# List pages at scale",
            header + f"`--list-pages-only`: the plugin's site built once per size ({builds} s), "
            f"written to `{meta.get('sites')}`.",
            "## Targets",
            "\n".join(target_table(list_page_targets({n: r for n, r in results.items() if "error" not in r}))),
            LIST_PAGES_SECTION,
            LIST_PAGES_NOTE,
            "\n".join(list_pages_table(results)),
        ]
        return "\n\n".join(sections + (["## Errors", "\n".join(errors)] if errors else [])) + "\n"
    sections = [
        "# Scale benchmark",
        header + f"Full builds: {meta.get('repeat', 1)} of each variant, taking turns, after one untimed build of "
        f"each; sites written to `{meta.get('sites')}`.",
        "## Targets",
        "The first five rows are issue 8's targets. The in-browser rows are informational: the issue asks "
        "for an alternative where Material's in-browser search index exceeds 10 MB or its first result one "
        "second, and `pagefind: true` is that alternative. The last four are issue 24's, for list pages.",
        "\n".join(target_table(targets(results))),
        "## Full builds (clean cache, `mkdocs build` in a child process)",
        "\n".join(build_table(results)),
        "## Plugin stages (from its INFO line)",
        "\n".join(stage_table(results)),
        f"## `kb search` (whole processes, `search_engine: {meta.get('engine', 'whoosh')}`; "
        "`benchmarks/kb_search_process.py`)",
        "\n".join(kb_search_table(results)),
        "## `kb lint`, the whole library and `--changed-only HEAD` after one edit (whole processes, "
        "median of 3; `benchmarks/lint_changed.py`)",
        "\n".join(lint_table(results)),
        "## Header search box, judged queries (`benchmarks/search_box.py`, headless Chromium)",
        "Each query is 7 consecutive words of one structured field of one postmortem: of the runs no other "
        "field holds all of, the one the other fields hold fewest of. The example library's 20 hand-picked "
        "queries are in `benchmarks/results/search-box.md`.",
        "\n".join(search_box_table(results)),
        "## `mkdocs serve` rebuild after editing one postmortem",
        "\n".join(rebuild_table(results)),
        f"## In-browser search (headless Chromium, query {BROWSER_QUERY!r}, median of {BROWSER_RUNS} cold loads)",
        "\n".join(browser_table(results)),
        f"## In-browser search with `pagefind: true` (its page at /search-library/, query {BROWSER_QUERY!r}, "
        f"median of {BROWSER_RUNS} cold loads; Material's search plugin still on)",
        "\n".join(pagefind_table(results)),
        LIST_PAGES_SECTION,
        LIST_PAGES_NOTE,
        "\n".join(list_pages_table(results)),
    ]
    return "\n\n".join(sections + (["## Errors", "\n".join(errors)] if errors else [])) + "\n"


def save(meta: dict[str, Any], results: dict[int, Result], stem: Path) -> str:
    text = report(meta, results)
    stem.parent.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".md").write_text(text, encoding="utf-8")
    raw = {"machine": meta, "results": results, "targets": [asdict(v) for v in targets(results)]}
    stem.with_suffix(".json").write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")
    return text


# --- command line --------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000])
    parser.add_argument("--quick", action="store_true", help="sizes 200 and 500, every measurement: a smoke run")
    parser.add_argument(
        "--list-pages-only",
        action="store_true",
        help="build the plugin's site once per size and measure only its list pages (writes results/list-pages.*)",
    )
    parser.add_argument("--browser-sizes", type=int, nargs="*", default=[1000, 5000], metavar="N")
    parser.add_argument("--search-box-sizes", type=int, nargs="*", default=[1000], metavar="N")
    parser.add_argument("--rebuild-sizes", type=int, nargs="*", default=[1000, 5000], metavar="N")
    parser.add_argument("--repeat", type=int, default=5, help="full builds per variant; the median is reported")
    parser.add_argument("--output", type=Path, default=None, help="writes OUTPUT.md and OUTPUT.json")
    parser.add_argument("--workdir", type=Path, default=None, help="where the temporary projects go")
    parser.add_argument(
        "--sitedir",
        type=Path,
        default=RAM_DISK if os.access(RAM_DISK, os.W_OK) else None,
        help=f"where the full builds write their sites (default: {RAM_DISK} where there is one)",
    )
    parser.add_argument(
        "--engine", choices=["whoosh", "tantivy"], default="tantivy", help="the plugin's search_engine option"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = args.browser_sizes = args.rebuild_sizes = args.search_box_sizes = [200, 500]
    args.sizes = sorted(set(args.sizes))
    # A quick run of one measurement must not overwrite the full run's results.
    args.output = args.output or RESULTS / ("list-pages" if args.list_pages_only else "scale")
    return args


def main() -> int:
    args = parse_args()
    sites = str(args.sitedir or tempfile.gettempdir())
    meta = {
        **machine(),
        "engine": args.engine,
        "sites": sites,
        "repeat": args.repeat,
        "list_pages_only": args.list_pages_only,
    }
    results: dict[int, Result] = {}
    for size in args.sizes:
        try:
            results[size] = measure(size, args.sizes[0], args)
        except Exception as exc:  # e.g. a build broken by a half-saved edit: record it, go on with the next size
            results[size] = {"postmortems": size, "error": f"{type(exc).__name__}: {first_line(str(exc))}"}
            traceback.print_exc()
        text = save(meta, results, args.output)
    print(text)
    return 1 if any("error" in r for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
