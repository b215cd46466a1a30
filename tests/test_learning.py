"""Lessons, reading lists, insights, the feed and "this week in incident history".

Most tests look at one real MkDocs build of the small library in ``learning_library``
(whose figures were counted by hand) and read the HTML it wrote.
"""

from __future__ import annotations

import dataclasses
import json
import os
import posixpath
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from html import escape, unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import markdown
import pytest
from learning_library import (
    BY_CATEGORY,
    BY_SERVICE,
    FEED,
    FILES,
    FOLLOW_THROUGH,
    GOT_LUCKY,
    LEARNING_MKDOCS_YML,
    LEFT_OUT,
    LESSONS,
    POOL,
    READING,
    TABLES,
    VISIBLE,
    WENT_WELL,
    XSS_TITLE,
    strict_build,
    write,
)
from support import REPO, Build, Site, WriteProject, generator, mkdocs_build

from kb.analysis.analyze import analyze
from kb.checks.library import Library, load
from kb.load.project import open_project
from kb.load.sources import read_source
from kb.pages import insights, reading
from kb.pages.common import Context
from kb.pages.history import this_week_in_history
from kb.render.deferred import fill_deferred
from kb.site.feed import feed_xml
from kb.site.plan import learning_pages

# --- building and reading the site -------------------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("learning") / "project", FILES)


@pytest.fixture(scope="module")
def site(project: Path) -> Site:
    return strict_build(project)


@pytest.fixture(scope="module")
def library(project: Path) -> Library:
    loaded = load(open_project(project / "mkdocs.yml").settings, project)
    assert [str(p) for p in loaded.problems] == LEFT_OUT
    return loaded


class Blocks(HTMLParser):
    """The parts of an article the tests look at, in order: headings, list items, tables."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str, list[str]]] = []  # (tag, text, hrefs); tables: rows joined
        self.tables: list[list[list[str]]] = []
        self.svgs = 0
        self._open: list[tuple[str, list[str], list[str]]] = []  # (tag, text parts, hrefs)
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2", "h3", "li"):
            self._open.append((tag, [], []))
        elif tag == "a" and self._open:
            self._open[-1][2].append(dict(attrs).get("href") or "")
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "svg":
            self.svgs += 1

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag == self._open[-1][0]:
            name, parts, hrefs = self._open.pop()
            self.blocks.append((name, " ".join("".join(parts).split()).removesuffix("¶").strip(), hrefs))
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        for _, parts, _ in self._open:
            parts.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def under(self, heading: str, level: str = "h3") -> list[tuple[str, list[str]]]:
        """The list items between ``heading`` and the next heading of that level or above."""
        levels = {"h1": 1, "h2": 2, "h3": 3}
        found, inside = [], False
        for tag, text, hrefs in self.blocks:
            if tag in levels:
                if inside and levels[tag] <= levels[level]:
                    break
                inside = inside or (tag == level and text == heading)
            elif inside and tag == "li":
                found.append((text, hrefs))
        return found


def visible_text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def links_to(hrefs: list[str], pm_id: str) -> bool:
    return any(href.rstrip("/").endswith(f"postmortems/{pm_id}") for href in hrefs)


# --- /lessons/ -----------------------------------------------------------------------------


class LessonRows(HTMLParser):
    """The rows of a lessons table: (``data-lesson``, the cells' text, the hrefs in them)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[str, list[str], list[str]]] = []
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and found.get("data-lesson"):
            self.rows.append((found["data-lesson"] or "", [], []))
        elif tag == "td" and self.rows:
            self._cell = []
        elif tag == "a" and self._cell is not None:
            self.rows[-1][2].append(found.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1][1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def decoded_rows(rows_json: str) -> list[dict[str, object]]:
    """``kb.pages.lists.rows_json``'s rows with every index replaced by its string."""
    data = json.loads(rows_json)
    strings = data["strings"]
    return [
        {
            "id": row["id"],
            "cells": [strings[i] for i in row["c"]],
            "facets": {f: [strings[i] for i in values] for f, values in zip(data["facets"], row["f"], strict=True)},
            "text": row.get("t", ""),
        }
        for row in data["rows"]
    ]


KINDS = (("Lesson", "lesson", LESSONS), ("Got lucky", "got-lucky", GOT_LUCKY), ("Went well", "went-well", WENT_WELL))
# (id, text, kind, postmortem), newest postmortem first; each postmortem has at most one of each kind.
ENTRIES = [
    (f"{pm_id}:{word}:1", text, kind, pm_id)
    for pm_id in VISIBLE
    for kind, word, entries in KINDS
    for text, owner in entries.items()
    if owner == pm_id
]


def test_every_entry_is_one_row_newest_first_linked_to_its_postmortem(site: Site) -> None:
    rows = LessonRows(site.article("lessons/index.html")).rows

    assert [row_id for row_id, _, _ in rows] == [entry_id for entry_id, _, _, _ in ENTRIES]
    titles = {"a-pool": "Checkout pool exhausted", "b-near": "Truncated export nearly shipped Near-miss"}
    for (_, cells, hrefs), (_, text, kind, pm_id) in zip(rows, ENTRIES, strict=True):
        assert cells[1:3] == [text, kind]
        assert links_to(hrefs, pm_id) and len(hrefs) == 1
        assert cells[3] == titles.get(pm_id, cells[3])
    assert "page/2" not in site.article("lessons/index.html")  # 8 entries: one page, no pager


def test_rows_file_gives_each_entry_its_kind_categories_services_and_year(site: Site) -> None:
    rows = decoded_rows((site.root / "lessons" / "list-rows.json").read_text(encoding="utf-8"))
    # A postmortem's categories and services, from the hand-counted lessons under each.
    of_pm = {
        facet: {
            pm_id: sorted(g for g, ls in groups.items() if any(LESSONS[lesson] == pm_id for lesson in ls))
            for pm_id in VISIBLE
        }
        for facet, groups in (("category", BY_CATEGORY), ("service", BY_SERVICE))
    }
    years = {"a-pool": "2024", "b-near": "2024", "c-draft": "2025", "e-odd": "2025"}

    assert [row["id"] for row in rows] == [entry_id for entry_id, _, _, _ in ENTRIES]
    for row, (_, text, kind, pm_id) in zip(rows, ENTRIES, strict=True):
        assert row["facets"] == {
            "kind": [kind],
            "category": of_pm["category"][pm_id],
            "service": of_pm["service"][pm_id],
            "year": [years[pm_id]],
        }
        assert row["cells"][1] == escape(text)  # escaped HTML, as the page's cell
        assert row["text"] == ""  # the filter matches the cells' text: the rows file holds it once
    html = site.article("lessons/index.html")
    counts = json.loads(unescape(re.search(r'data-counts="([^"]*)"', html).group(1)))  # type: ignore[union-attr]
    assert counts["kind"] == [["Got lucky", 2], ["Lesson", 4], ["Went well", 2]]
    assert dict(counts["category"]) == {"Change management": 5, "Detection": 5, "No cause recorded": 1}
    assert 'data-total="8"' in html and 'data-rows="list-rows.json"' in html and 'data-noun="lessons"' in html


def test_lessons_of_near_misses_carry_a_badge(site: Site) -> None:
    html = site.article("lessons/index.html")

    for _, cells, hrefs in LessonRows(html).rows:
        assert cells[3].endswith("Near-miss") == links_to(hrefs, "b-near"), cells
    assert html.count('<span class="pm-badge pm-near-miss">Near-miss</span>') == 3  # intro, lesson, luck


def test_the_intro_gives_the_totals_and_why_near_misses_and_luck_matter(site: Site) -> None:
    text = visible_text(site.article("lessons/index.html"))

    assert "4 lessons from 4 postmortems, with 2 lucky breaks and 2 things that went well" in text
    assert "the lesson is just as real" in text and "Luck is not a control" in text


# --- /reading/ -----------------------------------------------------------------------------


def test_reading_tracks_in_order_with_date_severity_time_and_why(site: Site) -> None:
    page = Blocks(site.article("reading/index.html"))

    assert [text for tag, text, _ in page.blocks if tag == "h2"] == list(READING)  # "Only restricted" is empty
    for track, items in READING.items():
        shown = page.under(track, level="h2")
        assert len(shown) == len(items)
        for (text, hrefs), (pm_id, why, minutes) in zip(shown, items, strict=True):
            assert links_to(hrefs, pm_id)
            assert why in text
            assert f"{minutes} min read" in text
    first = page.under("Start here", level="h2")
    assert "2024-03-12 SEV2" in first[0][0]
    assert "2024-07-02 Near-miss" in first[1][0]


def test_reading_time_is_words_over_200_rounded_up_at_least_one_minute(library: Library) -> None:
    by_id = library.by_id
    assert reading.words(by_id["a-pool"]) == 414
    assert reading.reading_minutes(by_id["a-pool"]) == 3
    assert reading.reading_minutes(by_id["c-draft"]) == 1


def test_reading_page_loads_its_script_and_styles(site: Site) -> None:
    html = site.html("reading/index.html")
    assert 'src="../assets/reading.js"' in html
    assert 'href="../assets/learning.css"' in html
    assert (site.root / "assets" / "reading.js").is_file()


# --- /insights/ ----------------------------------------------------------------------------


def test_every_chart_is_an_inline_svg_with_its_table_of_hand_counted_numbers(site: Site) -> None:
    html = site.article("insights/index.html")
    page = Blocks(html)

    assert page.svgs == len(TABLES)
    assert page.tables == [table for tables in TABLES.values() for table in tables]
    for slug in TABLES:
        section = html[html.index(f'id="{slug}"') :]
        assert section.index(f'<svg id="chart-{slug}"') < section.index("<table")
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # six inline SVGs and the headings share one page
    assert "<?xml" not in html and "<metadata>" not in html  # inline SVG, not a pasted file


def test_takeaways_are_computed_from_the_data(site: Site) -> None:
    text = visible_text(site.article("insights/index.html"))

    assert FOLLOW_THROUGH in text
    assert "The near-miss share fell from 50% in 2024 to 0% in 2025." in text
    assert "Time to detect: half of the incidents within 7 min, 90% within 1 h." in text
    assert "checkout-api has the most postmortems: 2 of 4 (50%)." in text
    assert (
        "“Change reached every host at once” and “No alert on the symptom users saw” are the most frequent causes,"
        " in 2 postmortems each." in text
    )


def test_insights_page_is_kept_out_of_search_and_hides_nothing_else(site: Site) -> None:
    index = (site.root / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "insights/" not in index
    assert "reading/" in index
    html = site.html("insights/index.html")
    assert 'data-md-type="navigation" hidden' not in html and 'data-md-type="toc" hidden' not in html


def test_charts_follow_the_page_colours_in_light_and_dark_mode(site: Site) -> None:
    html = site.article("insights/index.html")
    assert "currentColor" in html
    assert "#ffffff" not in html.lower()  # no white background or text


# --- the feed --------------------------------------------------------------------------------


def items_of(feed: str) -> list[ET.Element]:
    root = ET.fromstring(feed)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    for required in ("title", "link", "description"):
        assert (channel.findtext(required) or "").strip(), required
    return channel.findall("item")


def test_feed_is_rss_listing_only_published_postmortems_newest_first(site: Site) -> None:
    items = items_of((site.root / "feed.xml").read_text(encoding="utf-8"))

    assert [item.findtext("link") for item in items] == [f"postmortems/{pm_id}/" for pm_id in FEED]
    for item in items:
        assert item.findtext("title") and item.findtext("description") and item.findtext("guid")
        parsedate_to_datetime(item.findtext("pubDate") or "")
    assert items[0].findtext("title") == XSS_TITLE  # plain text in XML, escaped by the serializer
    assert items[0].findtext("description") == "A &lt;b&gt;bold&lt;/b&gt; summary &amp; more."  # HTML as text


def test_feed_links_are_absolute_when_the_site_url_is_known(tmp_path: Path) -> None:
    config = LEARNING_MKDOCS_YML + "site_url: https://postmortems.example.com/lib/\n"
    site = strict_build(write(tmp_path / "project", {**FILES, "mkdocs.yml": config}))

    items = items_of((site.root / "feed.xml").read_text(encoding="utf-8"))

    assert [item.findtext("link") for item in items] == [
        f"https://postmortems.example.com/lib/postmortems/{pm_id}/" for pm_id in FEED
    ]
    assert all(item.find("guid").get("isPermaLink") == "true" for item in items)  # type: ignore[union-attr]


def test_feed_keeps_the_newest_fifty(library: Library) -> None:
    many = Library(library.settings, library.today, library.postmortems * 20, library.causes, library.reading)
    assert len(items_of(feed_xml(many))) == 50


# --- escaping and audiences ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["lessons/index.html", "reading/index.html", "insights/index.html"])
def test_front_matter_values_are_shown_as_text(site: Site, path: str) -> None:
    html = site.article(path)
    assert "<script>" not in html and "<b>" not in html and "<img" not in html and "<i>" not in html
    assert 'href="javascript' not in html


def test_markdown_syntax_in_a_lesson_shows_as_written(write_project: WriteProject, build: Build) -> None:
    lesson = POOL.replace("Stage every pool change.", "'Set max_connections=100 per pod, ~2^n backoff: no *guessing*.'")
    site = build(write_project({"mkdocs.yml": LEARNING_MKDOCS_YML, "postmortems/a-pool.md": lesson}))
    shown = "Set max_connections=100 per pod, ~2^n backoff: no *guessing*."
    assert shown in visible_text(site.article("lessons/index.html"))


def test_front_matter_values_are_text_in_charts_and_feed(site: Site) -> None:
    html = site.article("insights/index.html")
    assert ">pay$ment &lt;svc&gt;</text>" in html  # a chart label: no math, no markup
    feed = (site.root / "feed.xml").read_text(encoding="utf-8")
    assert "<script>" not in feed and "<b>" not in feed


def test_a_postmortem_outside_the_audience_leaves_no_trace(site: Site) -> None:
    for path in ("lessons/index.html", "reading/index.html", "insights/index.html"):
        html = site.article(path)
        assert "Restricted" not in html and "d-hidden" not in html and "secret-service" not in html, path
    rows = (site.root / "lessons" / "list-rows.json").read_text(encoding="utf-8")
    assert "Restricted" not in rows and "d-hidden" not in rows and "secret-service" not in rows
    assert "d-hidden" not in (site.root / "feed.xml").read_text(encoding="utf-8")
    assert "Figures over the 4 postmortems" in site.article("insights/index.html")


# --- this week in incident history -------------------------------------------------------


def test_this_week_in_history_lists_the_same_iso_week_of_earlier_years(library: Library, site: Site) -> None:
    fragment = this_week_in_history(library)  # 2026-06-30 is in ISO week 27; 2024-07-02 too

    html = markdown.markdown(fragment)
    page = Blocks(html)
    items = [(text, hrefs) for tag, text, hrefs in page.blocks if tag == "li"]
    assert [hrefs for _, hrefs in items] == [["postmortems/b-near.md"]]
    assert "2024 (2 years ago): Truncated export nearly shipped" in items[0][0]
    assert (site.root / "postmortems" / "b-near" / "index.html").is_file()  # the link resolves from index.md


def test_this_week_in_history_says_so_when_there_is_nothing(library: Library) -> None:
    later = Library(library.settings, date(2026, 8, 4), library.postmortems, library.causes, library.reading)
    assert "No postmortem in this library started in week 32 of an earlier year." in this_week_in_history(later)


# --- robustness -----------------------------------------------------------------------------


def test_an_empty_library_builds_every_page(tmp_path: Path) -> None:
    site = strict_build(write(tmp_path / "project", {"mkdocs.yml": LEARNING_MKDOCS_YML}))

    assert "No lessons recorded yet" in site.article("lessons/index.html")
    assert "No reading list yet" in site.article("reading/index.html")
    assert "<svg" not in site.article("insights/index.html")
    assert items_of((site.root / "feed.xml").read_text(encoding="utf-8")) == []


def test_long_names_and_many_postmortems_keep_charts_readable_and_bounded(library: Library) -> None:
    long_name = "a-service-with-a-name-far-too-long-for-any-chart-axis-" * 3
    renamed = [dataclasses.replace(pm, services=[long_name]) for pm in library.postmortems]
    many = Library(library.settings, library.today, renamed * 600, library.causes, library.reading)

    charts = {chart.slug: chart for chart in insights.insights(many)}

    assert [row[0] for row in charts["services"].tables[0].rows] == [long_name]  # in full in the table
    assert f">{long_name}<" not in (charts["services"].svg or "")  # shortened on the axis
    assert (charts["durations"].svg or "").count("<use ") <= 2 * 1000 + 20  # dots (1000 a row at most) and ticks
    assert charts["durations"].tables[0].rows[0][1] == 1800  # every incident still counted


LEARNING_OUTPUT = [
    "lessons/index.html",
    "lessons/list-rows.json",
    "reading/index.html",
    "insights/index.html",
    "feed.xml",
]


def test_two_builds_write_the_same_bytes(project: Path, site: Site, tmp_path: Path) -> None:
    again = strict_build(project, tmp_path / "again")
    for path in LEARNING_OUTPUT:
        assert (site.root / path).read_bytes() == (again.root / path).read_bytes(), path


DIGEST = """
import hashlib, sys
from pathlib import Path
from kb.analysis.analyze import analyze
from kb.site.feed import feed_xml
from kb.checks.library import load
from kb.pages.common import Context
from kb.load.project import open_project
from kb.load.sources import read_source
from kb.site.plan import learning_pages
project = open_project(Path(sys.argv[1]))
library = load(project.settings, project.root)
ctx = Context(library, analyze(library))
rendered = [(p.path, p.render(ctx)) for p in learning_pages(library)]
pages = "".join(path + r.markdown + "".join(r.deferred.values()) for path, r in rendered)
print(hashlib.sha256((pages + feed_xml(library, True, "https://example.com/")).encode()).hexdigest())
"""


def test_output_does_not_depend_on_the_process(project: Path) -> None:
    """Hash seeds and matplotlib's state differ between processes; the files must not."""
    digests = {
        subprocess.run(
            [sys.executable, "-c", DIGEST, str(project / "mkdocs.yml")],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1


# --- the example library ------------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> Library:
    project = open_project(REPO / "mkdocs.yml")
    return load(project.settings, project.root)


def rendered(example: Library, path: str) -> Blocks:
    page = next(p for p in learning_pages(example) if p.path == path).render(Context(example, analyze(example)))
    body = page.markdown.split("---\n", 2)[2]  # past the page's front matter
    html = markdown.markdown(body, extensions=["tables", "attr_list", "md_in_html"])
    return Blocks(fill_deferred(html, page.deferred))


# Which visibilities a build for each audience holds (the spec's "Audiences").
VISIBLE_TO = {
    "public": {"public"},
    "internal": {"public", "internal"},
    "restricted": {"public", "internal", "restricted"},
}
ENTRY_FIELDS = (("lessons", "lesson"), ("got_lucky", "got-lucky"), ("went_well", "went-well"))


def front_matters(folder: Path, audience: str) -> list[dict[str, Any]]:
    """The front matter of each postmortem file under ``folder`` that ``audience`` sees,
    newest first, with ``id`` filled in: what the lessons page is expected to list."""
    found = []
    for path in folder.rglob("*.md"):
        if path.name.startswith("_") or path.name == "README.md":
            continue
        front: dict[str, Any] = read_source(path, path.name).tree.value
        if front.get("visibility", "internal") in VISIBLE_TO[audience]:
            found.append({**front, "id": front.get("id") or path.stem})
    return sorted(found, key=lambda front: datetime.fromisoformat(str(front["started"])), reverse=True)


def expected_entries(fronts: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(entry id, text as shown, postmortem id) of every entry, in the page's order."""
    return [
        (f"{front['id']}:{word}:{n}", " ".join(text.split()), front["id"])
        for front in fronts
        for key, word in ENTRY_FIELDS
        for n, text in enumerate(front.get(key, []), 1)
    ]


def lessons_pages(site: Path) -> list[tuple[str, list[tuple[str, list[str], list[str]]]]]:
    """The pages of ``/lessons/`` as a reader without JavaScript reaches them: from the
    first, by each page's Next link. (page, its rows), links made relative to the site."""
    found: list[tuple[str, list[tuple[str, list[str], list[str]]]]] = []
    page: str | None = "lessons"
    while page:
        html = (site / page / "index.html").read_text(encoding="utf-8")
        article = html[html.index("<article") : html.index("</article>")]
        rows = [
            (row_id, cells, [posixpath.normpath(posixpath.join(page, href)) for href in hrefs])
            for row_id, cells, hrefs in LessonRows(article).rows
        ]
        found.append((page, rows))
        following = re.search(r'<a href="([^"]+)" rel="next">', article)
        page = posixpath.normpath(posixpath.join(page, following.group(1))) if following else None
    return found


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("example") / "site"
    mkdocs_build(REPO, site)
    return site


@pytest.mark.example_library
def test_example_library_lists_every_entry_once_without_javascript(example_site: Path) -> None:
    """Every lesson, lucky break and thing that went well the old page showed (under one
    heading or several), each once, linked to its postmortem, on pages reached by links."""
    fronts = front_matters(REPO / "postmortems", open_project(REPO / "mkdocs.yml").settings.audience)
    expected = [(text, f"postmortems/{pm_id}") for _, text, pm_id in expected_entries(fronts)]

    shown = [(cells[1], hrefs[0]) for _, rows in lessons_pages(example_site) for _, cells, hrefs in rows]

    assert len(shown) == len(expected) and set(shown) == set(expected)


def generated_site(tmp_path: Path, audience: str) -> tuple[Path, list[tuple[str, str, str]], list[dict[str, Any]]]:
    """A generated library of 14 postmortems, about 50 entries, 10 to a page."""
    project = write(
        tmp_path / "project",
        {"mkdocs.yml": LEARNING_MKDOCS_YML + f"      audience: {audience}\n      list_page_size: 10\n"},
    )
    generator().generate(30, project / "postmortems")
    mkdocs_build(project, tmp_path / "site")
    fronts = front_matters(project / "postmortems", audience)
    return tmp_path / "site", expected_entries(fronts), fronts


def test_a_long_list_of_lessons_reaches_every_entry_once_page_by_page_newest_first(tmp_path: Path) -> None:
    site, expected, _ = generated_site(tmp_path, "internal")

    pages = lessons_pages(site)

    assert [page for page, _ in pages] == ["lessons", *(f"lessons/page/{n}" for n in range(2, len(pages) + 1))]
    # The first page holds 10 entries, a later one five times as many.
    assert len(pages) == 1 + -(-(len(expected) - 10) // 50) >= 3
    assert len(pages[0][1]) == 10 and all(len(rows) == 50 for _, rows in pages[1:-1])
    shown = [(row_id, cells[1], hrefs) for _, rows in pages for row_id, cells, hrefs in rows]
    assert shown == [(entry_id, text, [f"postmortems/{pm_id}"]) for entry_id, text, pm_id in expected]


def test_rows_file_has_every_entry_with_its_facets_and_nothing_outside_the_audience(tmp_path: Path) -> None:
    site, expected, fronts = generated_site(tmp_path, "public")
    catalog = generator().causes_catalog()
    by_id = {front["id"]: front for front in fronts}

    rows = decoded_rows((site / "lessons" / "list-rows.json").read_text(encoding="utf-8"))

    assert {front["visibility"] for front in fronts} == {"public"}  # the others are left out of this build
    assert [row["id"] for row in rows] == [entry_id for entry_id, _, _ in expected]
    kinds = {"lessons": "Lesson", "got_lucky": "Got lucky", "went_well": "Went well"}
    for row, (entry_id, text, pm_id) in zip(rows, expected, strict=True):
        front = by_id[pm_id]
        field = next(key for key, word in ENTRY_FIELDS if f":{word}:" in entry_id)
        categories = {catalog[cause["key"]]["category"].replace("-", " ").capitalize() for cause in front["causes"]}
        assert row["facets"] == {
            "kind": [kinds[field]],
            "category": sorted(categories),
            "service": sorted(front["services"]),
            "year": [str(front["started"])[:4]],
        }
        assert row["cells"][1] == escape(text)
        assert f'href="../postmortems/{pm_id}/"' in row["cells"][3]  # type: ignore[operator]
        assert escape(front["title"]) in row["cells"][3]  # type: ignore[operator]
    html = (site / "lessons" / "index.html").read_text(encoding="utf-8")
    counts = json.loads(unescape(re.search(r'data-counts="([^"]*)"', html).group(1)))  # type: ignore[union-attr]
    assert sum(n for _, n in counts["kind"]) == len(rows) == len(expected)
    assert f'data-total="{len(expected)}"' in html


def test_example_library_every_reading_item_is_listed(example: Library) -> None:
    items = [hrefs for tag, _, hrefs in rendered(example, "reading/index.md").blocks if tag == "li"]
    expected = [
        [f"../postmortems/{item.id}/"]
        for track in example.reading.tracks
        for item in track.items
        if item.id in example.by_id
    ]
    assert items == expected


def test_example_library_insights_count_every_postmortem(example: Library) -> None:
    per_month = insights.per_month(example)
    assert sum(int(row[-1]) for row in per_month.tables[0].rows) == len(example.postmortems)
    assert per_month.svg is not None and per_month.svg.startswith("<svg")
