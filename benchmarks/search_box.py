"""Material's header search box on judged queries: is the postmortem that holds the words first?

Usage: .venv/bin/python benchmarks/search_box.py [--size N]

Each judged query's words are held, together, by one structured field of one postmortem
(a lesson, what went wrong, an action item, a cause's detail, the trigger, the impact, the
detection, a timeline event), and the search box should list that postmortem first.

- The example library (postmortems/): the queries in benchmarks/search_box.yml, picked by
  hand; ``check_judged`` verifies that each still fits its field (tests/test_search_box_queries.py).
- A generated library (generate.py N, seed 1): ``pick_queries`` picks 20 from it,
  deterministically. Its words come from a vocabulary of a hundred, so no single word is
  anyone's own: a query is WORDS consecutive words of a field that no other field holds all
  of (title, summary, tags and structured fields; not the narratives, long random text
  that holds most of the vocabulary and that the search box weighs as text, not titles).

``measure(site_dir, queries)`` serves a built site on 127.0.0.1 and, in headless Chromium
(/usr/bin/chromium through Playwright), enters each query in the header's search box,
records the rank of the expected postmortem among the results shown (Material shows the
first 10 before the reader scrolls: a rank past that is None) and the time from entering
the query to the first result. The main builds both sites and prints a Markdown table.
Times are from one page load and one query each, on a shared machine: they are noisy.
"""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browsing import CHROMIUM_ARGS, serve
from generate import generate
from support import mkdocs_build

from kb.checks.library import Library, load
from kb.format.model import Postmortem
from kb.load.project import open_project

ROOT = Path(__file__).resolve().parent.parent
JUDGED = Path(__file__).with_name("search_box.yml")
CHROMIUM = "/usr/bin/chromium"
QUERIES = 20
WORDS = 7  # words per generated query: with 6, another field of a 100-word vocabulary held 5 of them and ranked first
SIZE = 1000
TIMEOUT_MS = 120_000
# The fields a judged query comes from, in the order generated queries take turns over them.
FIELDS = ("lesson", "went wrong", "action item", "cause detail", "trigger", "impact", "detection", "timeline event")
# lunr's English stop words (Material's default pipeline drops them from queries and the index).
STOP_WORDS = frozenset(
    "a able about across after all almost also am among an and any are as at be because been but by can cannot "  # noqa: SIM905
    "could dear did do does either else ever every for from get got had has have he her hers him his how however i "
    "if in into is it its just least let like likely may me might most must my neither no nor not of off often on "
    "only or other our own rather said say says she should since so some than that the their them then there these "
    "they this tis to too twas us wants was we were what when where which while who whom why will with would yet "
    "you your".split()
)


@dataclass(frozen=True)
class Query:
    query: str
    expect: str  # the postmortem's id
    field: str  # one of FIELDS


def words(text: str) -> list[str]:
    """The words the search box indexes: lower case, split at spaces and hyphens (Material's
    default separator), without punctuation at either end, and without stop words."""
    found = (re.sub(r"^\W+|\W+$", "", w) for w in re.split(r"[\s\-]+", text.lower()))
    return [w for w in found if w and w not in STOP_WORDS]


def fields(pm: Postmortem, library: Library, narrative: bool = True) -> Iterator[tuple[str, str]]:
    """``(field, text)`` for every field of ``pm`` the search box indexes, one per item."""
    yield "title", pm.title
    yield "summary", pm.summary or ""
    yield "tags", " ".join(pm.tags)
    if narrative:
        yield "narrative", pm.body
    if pm.impact:
        yield "impact", " ".join([pm.impact.summary or "", *(pm.impact.slos or [])])
    if pm.detection:
        yield "detection", pm.detection.detail or ""
    yield "trigger", pm.trigger or ""
    for cause in pm.causes:
        yield "cause", library.causes[cause.key].title
        yield "cause detail", cause.detail or ""
    for item in pm.action_items:
        yield "action item", " ".join(x for x in (item.title, item.note, item.owner, item.tracker) if x)
    for kind, texts in (("lesson", pm.lessons), ("went well", pm.went_well), ("went wrong", pm.went_wrong)):
        yield from ((kind, text) for text in texts)
    yield from (("got lucky", text) for text in pm.got_lucky)
    yield from (("timeline event", entry.event) for entry in pm.timeline)


def holds(text_words: set[str], query_words: list[str]) -> bool:
    """Whether the search box would match every query word in the text: as a word's start
    (it appends a wildcard to each word of a query)."""
    return all(q in text_words or any(w.startswith(q) for w in text_words) for q in query_words)


def holders(library: Library, query: str, narrative: bool = True) -> list[tuple[str, str]]:
    """``(postmortem id, field)`` of each field that holds every word of ``query``."""
    wanted = words(query)
    return [
        (pm.slug, field)
        for pm in library.postmortems
        for field, text in fields(pm, library, narrative)
        if text and holds(set(words(text)), wanted)
    ]


def load_library(project: Path) -> Library:
    opened = open_project(project / "mkdocs.yml")
    return load(opened.settings, opened.root)


def judged() -> list[Query]:
    return [Query(**entry) for entry in yaml.safe_load(JUDGED.read_text(encoding="utf-8"))]


def check_judged(library: Library, queries: list[Query]) -> list[str]:
    """What is wrong with the judged queries: each must be held by its field of its postmortem
    and by no other field, and have a word found nowhere else in the library."""
    problems = []
    for q in queries:
        found = holders(library, q.query)
        if found != [(q.expect, q.field)]:
            problems.append(f"{q.query!r}: held by {found}, not only by {q.field} of {q.expect}")
        elif not any(holders(library, word) == [(q.expect, q.field)] for word in words(q.query)):
            problems.append(f"{q.query!r}: every word is also somewhere else")
    return problems


def pick_queries(library: Library, count: int = QUERIES, size: int = WORDS) -> list[Query]:
    """``count`` queries from ``library``, taking the fields of FIELDS in turn and the
    postmortems in id order: of the runs of ``size`` consecutive words of such a field that
    no other field holds all of (narratives aside: see the module's docstring), the one
    whose words the other fields hold fewest of. That is as near as a hundred-word
    vocabulary comes to words that only this field has. Deterministic."""
    postmortems = sorted(library.postmortems, key=lambda pm: pm.slug)
    texts = [
        (pm.slug, field, set(words(text)))
        for pm in postmortems
        for field, text in fields(pm, library, narrative=False)
        if text
    ]
    holding: dict[str, set[int]] = {}  # word -> the fields (by position in texts) that have it
    for position, (_, _, text_words) in enumerate(texts):
        for word in text_words:
            holding.setdefault(word, set()).add(position)
    picked: list[Query] = []
    turn = 0
    for pm in postmortems:
        if len(picked) == count:
            break
        kinds = {field for field, text in fields(pm, library, narrative=False) if text}
        for _ in FIELDS:  # the next field kind in turn that this postmortem has
            field = FIELDS[turn % len(FIELDS)]
            turn += 1
            if field in kinds:
                break
        else:
            continue
        own = {position for position, (slug, kind, _) in enumerate(texts) if (slug, kind) == (pm.slug, field)}
        runs = [
            run
            for text in (text for kind, text in fields(pm, library, narrative=False) if kind == field and text)
            if (run := _most_specific_run(words(text), holding, own, size))
        ]
        if runs:
            _, query = min(runs)
            picked.append(Query(" ".join(query), pm.slug, field))
    return picked


def _most_specific_run(
    text: list[str], holding: dict[str, set[int]], own: set[int], size: int
) -> tuple[int, list[str]] | None:
    """Of the runs of ``size`` words of ``text`` that no field but ``own`` holds all of, the
    one the others hold fewest words of, with that number."""
    best: tuple[int, list[str]] | None = None
    for start in range(len(text) - size + 1):
        run = text[start : start + size]
        # Words only: the search box keeps punctuation in its words, so "1" would not find "(1)".
        if not all(w.isalpha() for w in run) or len(set(run)) != size:
            continue
        held: Counter[int] = Counter()
        for query_word in run:  # as the search box matches: a word, or the start of one
            held.update(set().union(*(fields for word, fields in holding.items() if word.startswith(query_word))))
        most = max((n for position, n in held.items() if position not in own), default=0)
        if most < size and (best is None or most < best[0]):
            best = (most, run)
    return best


# --- in the browser ---------------------------------------------------------------------------


def measure(site_dir: Path, queries: list[Query]) -> dict[str, Any]:
    """Rank of each query's postmortem in the search box (1 is first; None: not in the first
    results shown) and seconds from entering it to the first result; with the index's size."""
    from playwright.sync_api import sync_playwright

    index = (site_dir / "search" / "search_index.json").read_bytes()
    runs = []
    with serve(site_dir) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            for q in queries:
                rank, seconds = search(page, url, q)
                runs.append({"query": q.query, "field": q.field, "expect": q.expect, "rank": rank, "seconds": seconds})
        finally:
            browser.close()
    times = [run["seconds"] for run in runs if run["seconds"] is not None]
    return {
        "queries": len(runs),
        "first": sum(run["rank"] == 1 for run in runs),
        "median_s": round(statistics.median(times), 3) if times else None,
        "max_s": round(max(times), 3) if times else None,
        "index_bytes": len(index),
        "index_gzip_bytes": len(gzip.compress(index)),
        "runs": runs,
    }


def search(page: Any, url: str, q: Query) -> tuple[int | None, float | None]:
    """Enter ``q`` in the header's search box of a freshly loaded home page."""
    from playwright.sync_api import expect

    page.goto(f"{url}/")
    box = page.locator("input.md-search__input")
    box.click()
    meta = page.locator(".md-search-result__meta")
    expect(meta).not_to_have_text(re.compile("Initializing"), timeout=TIMEOUT_MS)
    before = meta.text_content()
    started = time.perf_counter()
    # One search for the whole query: Material searches on key events, which fill() alone does not send.
    box.fill(q.query)
    box.press("End")
    expect(meta).not_to_have_text(before or "", timeout=TIMEOUT_MS)  # the result of this query, found or not
    links = page.locator(".md-search-result__item > a:first-child")
    if not links.count():
        return None, None
    seconds = time.perf_counter() - started
    pages = [urlsplit(href or "").path for href in (a.get_attribute("href") for a in links.all())]
    expected = next(
        (i for i, path in enumerate(pages, 1) if path.rstrip("/").endswith(f"/postmortems/{q.expect}")), None
    )
    return expected, round(seconds, 3)


# --- the two sites ----------------------------------------------------------------------------


def generated_project(size: int, project: Path) -> None:
    """The scale benchmark's plugin project (benchmarks/harness.py): the example's theme, every postmortem public."""
    from harness import write_config

    write_config(project, "plugin", "whoosh")
    generate(size, project / "postmortems", seed=1)


def table(results: dict[str, dict[str, Any]]) -> str:
    lines = [
        "| library | found first | median to first result | slowest | search_index.json | gzipped |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['first']} of {r['queries']} | {r['median_s']} s | {r['max_s']} s "
            f"| {r['index_bytes'] / 1024:,.0f} KB | {r['index_gzip_bytes'] / 1024:,.0f} KB |"
        )
    misses = [
        f"- {name}: {run['query']!r} ({run['field']} of {run['expect']}): rank {run['rank']}"
        for name, r in results.items()
        for run in r["runs"]
        if run["rank"] != 1
    ]
    return "\n".join(lines + (["", *misses] if misses else []))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=SIZE, help=f"postmortems in the generated library ({SIZE})")
    options = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="kb-search-box-") as tmp:
        example = Path(tmp) / "example"
        mkdocs_build(ROOT, example)
        results["example"] = measure(example, judged())
        project, site = Path(tmp) / "generated", Path(tmp) / "generated-site"
        generated_project(options.size, project)
        mkdocs_build(project, site)
        results[f"generated {options.size:,}"] = measure(site, pick_queries(load_library(project)))
    print(table(results))


if __name__ == "__main__":
    main()
