"""List pages at scale (issue 24): page weight, load time, filter keystrokes, reach without JavaScript.

Usage: .venv/bin/python benchmarks/list_pages.py SITE_DIR [--loads 3] [--word failover] [--json]

SITE_DIR is a built site of the plugin. The pages measured are the explorer
(/postmortems/), the board (/action-items/), /lessons/, and the cause, service and team
page with the most postmortems (counted from the site's /api/*.json). The site is served
on 127.0.0.1 and each page is opened in headless Chromium (/usr/bin/chromium, driven by
Playwright) for:

- HTML: the size of the page's file, and of the rows JSON next to it (list-rows.json,
  fetched when a filter is first used) where there is one;
- DOM nodes once the page has loaded (``document.getElementsByTagName('*').length``);
- load: Navigation Timing's start to the end of the ``load`` event, median over cold loads
  (a fresh browser context each);
- keystroke, on the explorer, the board and lessons: focus the filter (``.pm-filter-text``),
  wait until the page script has fetched and applied the rows (``data-loaded`` on
  ``[data-pm-explorer]``, at most 20 s, else "n/a"), then type WORD a key at a time; for
  each key, from its ``keydown`` to the animation frame after ``.pm-count`` changed (the
  script updates it and the rows in the same input handler), plus one task so the frame
  has been painted. Median and max over the keys;
- reach without JavaScript: from /postmortems/, following only the links in the static
  HTML files of it and its later pages (/postmortems/page/N/), the distinct postmortem
  pages linked, against the postmortems in /api/postmortems.json.

Prints a Markdown table with PASS/FAIL for each target (``--json``: the raw numbers). The
scale harness (``harness.py``) runs it on its plugin site at each size.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browsing import CHROMIUM_ARGS, serve

from kb.format.urls import slugify

CHROMIUM = "/usr/bin/chromium"
LOADS = 3
# One of generate.py's words: in about a third of the explorer's rows, fewer of the board's
# and lessons' (two or a dozen words each), so each key still leaves many rows to show.
WORD = "failover"
# For the filter to appear, then for the rows' fetch; until the page script sets data-loaded, it never comes.
LOADED_TIMEOUT_MS = 20_000
KEY_TIMEOUT_MS = 5_000  # for the count to change after a key
HTML_KB, LOAD_S, KEYSTROKE_MS = 500, 1.0, 100  # issue 24's targets at 10,000 postmortems
FILTERED = ("explorer", "board", "lessons")  # the pages whose filter is timed

Measured = dict[str, Any]  # one site's numbers, as the harness writes them to its JSON

# Installed before the first key: records, per key, the milliseconds from its keydown to
# the frame after the filter's count changed. MutationObserver callbacks run right after
# the input handler that changed the count; the frame after them is the one that paints
# it, and the message posted from its requestAnimationFrame is handled once it has.
TIMER = """() => {
  const times = [];
  let pending = null;
  const inCount = node => (node.nodeType === 1 ? node : node.parentElement)?.closest(".pm-count");
  const addsCount = record => [...record.addedNodes].some(
    node => node.nodeType === 1 && (node.matches(".pm-count") || node.querySelector(".pm-count")));
  new MutationObserver(records => {
    if (pending === null || !records.some(r => inCount(r.target) || addsCount(r))) return;
    const start = pending;
    pending = null;
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => times.push(performance.now() - start);
      channel.port2.postMessage(null);
    });
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
  document.addEventListener("keydown", () => { pending = performance.now(); }, true);
  window.kbKeystrokes = times;
}"""
ROWS = re.compile(r'<div [^>]*data-pm-explorer[^>]*data-rows="([^"]+)"')
LOAD_TIME = "() => { const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime; }"
DOM_NODES = "() => document.getElementsByTagName('*').length"


@dataclass(frozen=True)
class ListPage:
    name: str  # explorer, board, lessons, cause, service, team
    url: str  # the site path, /causes/cause-00/ or /causes/cause-00.html
    postmortems: int | None = None  # for the largest cause, service and team: how many it lists


def measure(site: Path, loads: int = LOADS, word: str = WORD) -> Measured:
    """Every list page of ``site`` in Chromium, and the explorer's reach without JavaScript."""
    records = json.loads((site / "api" / "postmortems.json").read_text(encoding="utf-8"))
    pages = list_pages(site, records)
    from playwright.sync_api import sync_playwright

    with serve(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            measured = [measure_page(browser, site, base, page, loads, word) for page in pages]
        finally:
            browser.close()
    return {
        "library": len(records),
        "word": word,
        "loads": loads,
        "pages": measured,
        "reach": reach(site, {slug(record["url"]) for record in records}),
    }


def list_pages(site: Path, records: list[dict[str, Any]]) -> list[ListPage]:
    """The explorer, board and lessons, and the cause, service and team with the most postmortems."""
    pages = [
        ListPage("explorer", "/postmortems/"),
        ListPage("board", "/action-items/"),
        ListPage("lessons", "/lessons/"),
    ]
    # Folder pages as the site names them: the services and teams by their slugs, as the plugin does.
    groups = {
        "cause": Counter(key for r in records for key in set(r["cause_keys"])),
        "service": Counter(s for r in records for s in {slugify(name) for name in r["services"]}),
        "team": Counter(t for r in records for t in {slugify(name) for name in r["teams"]}),
    }
    folders = {"cause": "causes", "service": "services", "team": "teams"}
    for kind, counts in groups.items():
        if counts:  # most first; of equals, the first name
            name, count = min(counts.items(), key=lambda item: (-item[1], item[0]))
            pages.append(ListPage(kind, site_url(site, f"/{folders[kind]}/{name}/"), count))
    return pages


def site_url(site: Path, url: str) -> str:
    """``url`` as the site spells it: a folder's index, or a page of its own without directory URLs."""
    return url if page_file(site, url).is_file() else url.rstrip("/") + ".html"


def page_file(site: Path, url: str) -> Path:
    path = urlsplit(url).path.lstrip("/")
    return site / path / "index.html" if path.endswith("/") or not path else site / path


def measure_page(browser: Any, site: Path, base: str, page: ListPage, loads: int, word: str) -> Measured:
    html = page_file(site, page.url)
    rows = ROWS.search(html.read_text(encoding="utf-8"))  # where the page's script fetches them from
    result: Measured = {
        "page": page.name,
        "url": page.url,
        "postmortems": page.postmortems,
        "html_bytes": html.stat().st_size,
        "rows_json_bytes": page_file(site, urljoin(page.url, unescape(rows[1]))).stat().st_size if rows else None,
    }
    runs = [load(browser, base + page.url) for _ in range(loads)]
    result["load_s"] = statistics.median(run[0] for run in runs)
    result["load_runs_s"] = [run[0] for run in runs]
    result["dom_nodes"] = runs[-1][1]
    if page.name in FILTERED:
        result["keystroke"] = keystrokes(browser, base + page.url, word)
    return result


def load(browser: Any, url: str) -> tuple[float, int]:
    """Seconds from navigation start to the end of the load event, and the DOM's elements then: a cold cache."""
    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.goto(url, wait_until="load")
        tab.wait_for_function("() => performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
        return tab.evaluate(LOAD_TIME) / 1000, tab.evaluate(DOM_NODES)
    finally:
        context.close()


def keystrokes(browser: Any, url: str, word: str) -> Measured:
    """Milliseconds from each key of ``word`` typed in the filter to the painted list; "n/a"
    (``None``) with the reason when the page never says its rows are loaded."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.goto(url, wait_until="load")
        try:
            tab.wait_for_selector(".pm-filter-text", timeout=LOADED_TIMEOUT_MS)
            start = time.perf_counter()  # what the first use of the filter waits for: the rows' fetch
            tab.locator(".pm-filter-text").first.focus(timeout=LOADED_TIMEOUT_MS)
            tab.wait_for_selector("[data-pm-explorer][data-loaded]", state="attached", timeout=LOADED_TIMEOUT_MS)
            ready_s = time.perf_counter() - start
        except PlaywrightTimeout:
            return {
                "median_ms": None,
                "max_ms": None,
                "ready_s": None,
                "keys": len(word),
                "timed": 0,
                "note": "rows never loaded",
            }
        tab.evaluate(TIMER)
        for key in word:
            timed = tab.evaluate("() => window.kbKeystrokes.length")
            tab.keyboard.press(key)
            try:  # a key after which the count does not change is left out of the times
                tab.wait_for_function("n => window.kbKeystrokes.length > n", arg=timed, timeout=KEY_TIMEOUT_MS)
            except PlaywrightTimeout:
                continue
        times: list[float] = tab.evaluate("() => window.kbKeystrokes")
    finally:
        context.close()
    return {
        "median_ms": statistics.median(times) if times else None,
        "max_ms": max(times) if times else None,
        "ready_s": ready_s,
        "keys": len(word),
        "timed": len(times),
        "note": "" if len(times) == len(word) else f"the count changed after {len(times)} of {len(word)} keys",
    }


# --- reach without JavaScript ----------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href") if tag == "a" else None
        if href:
            self.hrefs.append(href)


LATER_PAGE = re.compile(r"/postmortems/page/\d+(?:/|\.html)")
POSTMORTEM = re.compile(r"/postmortems/([^/]+?)(?:/|\.html)")


def slug(url: str) -> str:
    """``/postmortems/<id>/`` (or ``.html``) -> ``<id>``."""
    return url.rstrip("/").removesuffix(".html").rsplit("/", 1)[-1]


def reach(site: Path, ids: set[str]) -> Measured:
    """The postmortems linked from /postmortems/ and its later pages, by their static HTML alone."""
    todo, seen, linked = ["/postmortems/"], {"/postmortems/"}, set()
    while todo:
        url = todo.pop()
        parser = _Links()
        parser.feed(page_file(site, url).read_text(encoding="utf-8"))
        for href in parser.hrefs:
            path = urlsplit(urljoin(url, href)).path
            if LATER_PAGE.fullmatch(path):
                if path not in seen and page_file(site, path).is_file():
                    seen.add(path)
                    todo.append(path)
            elif (m := POSTMORTEM.fullmatch(path)) and m[1] in ids:
                linked.add(m[1])
    return {"pages_followed": len(seen), "postmortems": len(linked), "library": len(ids)}


# --- report ----------------------------------------------------------------------------


def result(value: float | None, limit: float) -> str:
    return "n/a" if value is None else "PASS" if value <= limit else "FAIL"


HEADER = [
    f"| postmortems | page | HTML (KB) | ≤ {HTML_KB} KB | rows JSON (KB) | DOM nodes | load (s) | ≤ {LOAD_S:g} s "
    f"| filter ready (s) | keystroke median (ms) | keystroke max (ms) | ≤ {KEYSTROKE_MS} ms "
    "| reachable without JavaScript | all |",
    "| ---: | --- | ---: | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- | ---: | --- |",
]


def table_rows(measured: Measured) -> list[str]:
    """One site's rows of the table under ``HEADER``."""
    rows = []
    for page in measured["pages"]:
        kb = page["html_bytes"] / 1024
        rows_kb = "" if page["rows_json_bytes"] is None else f"{page['rows_json_bytes'] / 1024:,.0f}"
        name = page["page"] if page["postmortems"] is None else f"{page['page']} ({page['postmortems']:,})"
        key = page.get("keystroke")
        typed = ["", "", "", ""]
        if key:
            ready = "n/a" if key.get("ready_s") is None else f"{key['ready_s']:.2f}"
            shown = [fmt_ms(key["median_ms"]), fmt_ms(key["max_ms"]), result(key["max_ms"], KEYSTROKE_MS)]
            typed = [ready, f"{shown[0]} ({key['note']})" if key["note"] else shown[0], *shown[1:]]
        reached = ["", ""]
        if page["page"] == "explorer":
            r = measured["reach"]
            reached = [
                f"{r['postmortems']:,} of {r['library']:,} ({r['pages_followed']} pages)",
                "PASS" if r["postmortems"] == r["library"] else "FAIL",
            ]
        rows.append(
            f"| {measured['library']:,} | `{page['url']}` {name} | {kb:,.1f} | {result(kb, HTML_KB)} | {rows_kb} "
            f"| {page['dom_nodes']:,} | {page['load_s']:.2f} | {result(page['load_s'], LOAD_S)} "
            f"| {' | '.join(typed)} | {' | '.join(reached)} |"
        )
    return rows


def fmt_ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def worst(measured: Measured) -> dict[str, tuple[float | None, str]]:
    """Each target's worst page, as (value, how to show it): the harness's targets table."""
    pages = measured["pages"]
    heaviest = max(pages, key=lambda p: p["html_bytes"])
    slowest = max(pages, key=lambda p: p["load_s"])
    typed = {p["page"]: p["keystroke"]["max_ms"] for p in pages if p.get("keystroke")}
    # Any page not timed leaves the target unmeasured: the slowest of the others is no pass.
    key = None if None in typed.values() else max(typed.values(), default=None)
    r = measured["reach"]
    return {
        "html_kb": (heaviest["html_bytes"] / 1024, f"{heaviest['html_bytes'] / 1024:,.0f} KB ({heaviest['page']})"),
        "load_s": (slowest["load_s"], f"{slowest['load_s']:.2f} s ({slowest['page']})"),
        "keystroke_ms": (
            key,
            ", ".join(f"{name} {fmt_ms(ms)}" + " ms" * (ms is not None) for name, ms in typed.items()),
        ),
        "unreached": (r["library"] - r["postmortems"], f"{r['postmortems']:,} of {r['library']:,}"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("site_dir", type=Path, help="a site built with the plugin")
    parser.add_argument("--loads", type=int, default=LOADS, help=f"cold loads per page; the median (default {LOADS})")
    parser.add_argument("--word", default=WORD, help=f"typed in the filters (default {WORD})")
    parser.add_argument("--json", action="store_true", help="print the raw numbers instead of the table")
    options = parser.parse_args()
    if not (options.site_dir / "api" / "postmortems.json").is_file():
        sys.exit(f"{options.site_dir} has no api/postmortems.json: is it a site built with the plugin?")
    measured = measure(options.site_dir, options.loads, options.word)
    print(json.dumps(measured, indent=2) if options.json else "\n".join(HEADER + table_rows(measured)))


if __name__ == "__main__":
    main()
