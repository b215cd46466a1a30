"""Pagefind at scale: index time, bundle size, bytes per query and time to the first result.

Usage: .venv/bin/python benchmarks/pagefind_search.py SITE_DIR QUERY [--runs 3]

SITE_DIR is a site built with `pagefind: true`, so it has the search page. The script
indexes it again with kb.site.pagefind_index (timed; the bundle in SITE_DIR/pagefind/ is rewritten),
serves it on 127.0.0.1 and, in headless Chromium (/usr/bin/chromium, driven by
Playwright), with a fresh browser context (a cold cache) for every run, measures:

- from load: opening /search-library/?query=QUERY until the first result shows, and the
  bytes of the bundle the browser fetched for it (until the network is idle), split
  into code (Pagefind's scripts, styles and WebAssembly) and index data;
- from query: opening /search-library/, then typing QUERY once the page has loaded,
  until the first result shows. Pagefind's UI waits 300 ms after the last key before it
  searches; that wait is included, as a reader has it.

Times are medians over the runs. The numbers are printed as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browsing import CHROMIUM_ARGS, serve

from kb.pages.pagefind_markup import BUNDLE, PAGE
from kb.site.pagefind_index import PagefindError, bundle_bytes, index_site

CHROMIUM = "/usr/bin/chromium"
RUNS = 3
SEARCH = PAGE.removesuffix("index.md")  # search-library/
FIRST_RESULT = "a.pagefind-ui__result-link"
TIMEOUT_MS = 120_000
# What every search downloads whatever the query: the UI, the search code and its WebAssembly.
CODE_SUFFIXES = (".js", ".css", ".pagefind")


def measure(site_dir: Path, query: str, runs: int = RUNS) -> dict[str, Any]:
    """Index ``site_dir`` with Pagefind, then time ``query`` on its search page in Chromium."""
    if not (site_dir / SEARCH / "index.html").is_file():
        raise ValueError(f"{site_dir} has no {SEARCH} page: build the site with `pagefind: true`")
    # Directory URLs put each postmortem in its own folder; otherwise they are .html files.
    stats = index_site(site_dir, directory_urls=any((site_dir / "postmortems").glob("*/index.html")))
    bundle = site_dir / BUNDLE
    result: dict[str, Any] = {
        "pages": stats.pages,
        "index_s": round(stats.seconds, 2),
        "bundle_bytes": stats.bytes,
        "bundle_files": sum(1 for path in bundle.rglob("*") if path.is_file()),
        "bundle_index_bytes": sum(bundle_bytes(bundle / folder) for folder in ("index", "fragment", "filter")),
    }
    from playwright.sync_api import sync_playwright

    with serve(site_dir) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            loads = [from_load(browser, f"{url}/{SEARCH}", query, site_dir) for _ in range(runs)]
            typed = [from_query(browser, f"{url}/{SEARCH}", query) for _ in range(runs)]
        finally:
            browser.close()
    result["from_load_s"] = round(statistics.median(run["seconds"] for run in loads), 3)
    result["from_query_s"] = round(statistics.median(typed), 3)
    for key in ("fetched_code_bytes", "fetched_index_bytes", "fetched_files"):
        result[key] = statistics.median(run[key] for run in loads)
    return result


def from_load(browser: Any, search_url: str, query: str, site_dir: Path) -> dict[str, float]:
    """Seconds from opening the page with the query in its address to the first result; bytes fetched."""
    context = browser.new_context()  # a cold cache each time
    page = context.new_page()
    paths: set[str] = set()
    page.on("request", lambda request: paths.add(unquote(urlsplit(request.url).path)))
    try:
        started = time.perf_counter()
        page.goto(f"{search_url}?query={quote(query)}")
        page.locator(FIRST_RESULT).first.wait_for(state="visible", timeout=TIMEOUT_MS)
        seconds = time.perf_counter() - started
        page.wait_for_load_state("networkidle")  # the rest of the first page of results
    finally:
        context.close()
    # The server sends files as they are on disk (no compression): their sizes are the bytes fetched.
    fetched = [site_dir / path.lstrip("/") for path in paths if path.startswith(f"/{BUNDLE}/")]
    code = [path for path in fetched if path.suffix in CODE_SUFFIXES]
    data = [path for path in fetched if path.suffix not in CODE_SUFFIXES]
    return {
        "seconds": seconds,
        "fetched_code_bytes": sum(path.stat().st_size for path in code),
        "fetched_index_bytes": sum(path.stat().st_size for path in data),
        "fetched_files": len(fetched),
    }


def from_query(browser: Any, search_url: str, query: str) -> float:
    """Seconds from typing the query into the loaded page to the first result."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(search_url)
        box = page.locator(".pagefind-ui__search-input")
        box.wait_for(state="visible", timeout=TIMEOUT_MS)
        started = time.perf_counter()
        box.fill(query)
        page.locator(FIRST_RESULT).first.wait_for(state="visible", timeout=TIMEOUT_MS)
        return time.perf_counter() - started
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site_dir", type=Path, help="a site built with `pagefind: true`")
    parser.add_argument("query", help="what a reader types, e.g. failover")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"cold page loads per measurement (default {RUNS})")
    options = parser.parse_args()
    try:
        print(json.dumps(measure(options.site_dir, options.query, options.runs), indent=2))
    except (ValueError, PagefindError) as exc:
        sys.exit(str(exc))


if __name__ == "__main__":
    main()
