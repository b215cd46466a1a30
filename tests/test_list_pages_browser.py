"""Long list pages in a real browser: the first page, the filters over every row, the URL
state, and the plain later pages a reader without JavaScript follows.

The library is larger than a small ``list_page_size``, so most rows are not on the page
the browser opens; what each page must show is computed from the JSON API, not from the
rows file the script reads.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from browsing import serve
from playwright import sync_api
from support import generator, mkdocs_build

PAGE_SIZE = 10
GENERATED = 60
MKDOCS_YML = f"""\
site_name: Long lists
theme:
  name: material
  font: false
plugins:
  - search
  - postmortems:
      today: 2026-06-30
      audience: restricted
      list_page_size: {PAGE_SIZE}
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    root = tmp_path_factory.mktemp("lists")
    project = root / "project"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    generator().generate(GENERATED, project / "postmortems", seed=11)
    mkdocs_build(project, root / "site")
    with serve(root / "site") as url:
        yield root / "site", url


@pytest.fixture(scope="module")
def postmortems(site: tuple[Path, str]) -> list[dict[str, Any]]:
    return json.loads((site[0] / "api" / "postmortems.json").read_text(encoding="utf-8"))


def ids(page: Any, attribute: str = "pm") -> list[str]:
    return [row.get_attribute(f"data-{attribute}") for row in page.locator(f"tr[data-{attribute}]").all()]


def expect_count(page: Any, shown: int, total: int, noun: str = "postmortems") -> None:
    sync_api.expect(page.locator(".pm-count")).to_have_text(f"{shown} of {total} {noun}")


def test_the_explorer_opens_on_the_newest_and_filters_every_row(
    site: tuple[Path, str], page: Any, postmortems: list
) -> None:
    _, url = site
    page.goto(f"{url}/postmortems/")
    newest = [pm["id"] for pm in postmortems]  # the API lists them newest first
    assert ids(page) == newest[:PAGE_SIZE]
    expect_count(page, GENERATED, GENERATED)

    # Exact counts over every postmortem, before and after the rows are fetched.
    services = Counter(s for pm in postmortems for s in pm["services"])
    service, n = services.most_common(1)[0]
    option = page.locator(f"select[name=service] option[value='{service}']")
    sync_api.expect(option).to_have_text(f"{service} ({n})")
    page.select_option("select[name=service]", service)
    expect_count(page, n, GENERATED)
    wanted = [pm["id"] for pm in postmortems if service in pm["services"]]
    assert ids(page) == wanted[:PAGE_SIZE]
    if n > PAGE_SIZE:
        page.get_by_role("button", name=f"Show all {n}").click()
    assert ids(page) == wanted
    sync_api.expect(page.locator(".pm-more-bar")).to_be_hidden()
    severities = Counter(pm["severity"] or "none" for pm in postmortems if service in pm["services"])
    for severity, count in severities.items():
        sync_api.expect(page.locator(f"select[name=severity] option[value='{severity}']")).to_have_text(
            f"{severity} ({count})"
        )
    assert page.locator("nav.pm-pager").is_hidden()  # the filtered list replaces the pages

    page.click(".pm-reset")  # no filter: the page's own rows and its pages again
    expect_count(page, GENERATED, GENERATED)
    assert ids(page) == newest[:PAGE_SIZE]
    sync_api.expect(page.locator("nav.pm-pager")).to_be_visible()
    sync_api.expect(page.locator(".pm-more-bar")).to_be_hidden()


def haystack(pm: dict[str, Any]) -> str:
    """Everything the explorer's text filter matches, as the docs list it."""
    texts = [pm["id"], pm["title"], pm["summary"] or "", *pm["services"], *pm["teams"], *pm["cause_keys"], *pm["tags"]]
    texts += [*pm["lessons"], *pm["went_well"], *pm["went_wrong"], *pm["got_lucky"]]
    texts += [f"{item['title']} {item.get('note') or ''}" for item in pm["action_items"]]
    texts += [cause.get("detail") or "" for cause in pm["causes"]]
    return " ".join(texts).lower()


def test_a_filtered_view_survives_reload_and_back(site: tuple[Path, str], page: Any, postmortems: list) -> None:
    _, url = site
    word = postmortems[-1]["title"].split()[0].lower()
    matching = [pm["id"] for pm in postmortems if word in haystack(pm)]
    page.goto(f"{url}/postmortems/")
    page.fill(".pm-filter-text", word)
    page.click("th[data-sort=title] button")
    expect_count(page, len(matching), GENERATED)
    assert f"q={word}" in page.url and "sort=title" in page.url
    assert page.locator("#__search").is_checked() is False  # Material's search box stays closed

    page.reload()
    expect_count(page, len(matching), GENERATED)
    assert page.input_value(".pm-filter-text") == word
    assert page.locator("#__search").is_checked() is False
    titles = [page.locator(f"tr[data-pm='{i}'] a").text_content() for i in ids(page)]
    assert titles == sorted(titles, key=str.lower)

    page.locator("tr[data-pm] a").first.click()
    page.wait_for_url("**/postmortems/*/")
    page.go_back()
    expect_count(page, len(matching), GENERATED)
    assert page.input_value(".pm-filter-text") == word
    shown = ids(page)
    assert len(shown) == min(len(matching), PAGE_SIZE) and set(shown) <= set(matching)


def test_without_javascript_the_pages_link_to_every_postmortem(
    site: tuple[Path, str], browser: Any, postmortems: list
) -> None:
    _, url = site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        seen: set[str] = set()
        pages, queue = set(), [f"{url}/postmortems/"]
        while queue:
            address = queue.pop()
            if address in pages:
                continue
            pages.add(address)
            page.goto(address)
            for link in page.locator("table.pm-list a").all():
                seen.add(urljoin(address, link.get_attribute("href")))
            queue += [urljoin(address, a.get_attribute("href")) for a in page.locator("nav.pm-pager a").all()]
    finally:
        context.close()
    assert len(pages) == 1 + -(-(GENERATED - PAGE_SIZE) // (5 * PAGE_SIZE))  # later pages hold five times as many
    assert seen == {f"{url}/postmortems/{pm['id']}/" for pm in postmortems}


def entries(postmortems: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """Every lesson, lucky break and thing that went well, newest postmortem first: (id of
    the postmortem, kind, text), from the API."""
    kinds = (("lessons", "Lesson"), ("got_lucky", "Got lucky"), ("went_well", "Went well"))
    return [(pm["id"], kind, text) for pm in postmortems for field, kind in kinds for text in pm[field]]


def test_lessons_filter_every_entry_with_exact_counts(site: tuple[Path, str], page: Any, postmortems: list) -> None:
    _, url = site
    everything = entries(postmortems)
    page.goto(f"{url}/lessons/")
    assert len(ids(page, "lesson")) == PAGE_SIZE
    expect_count(page, len(everything), len(everything), "lessons")
    kind = "Went well"
    kept = [entry for entry in everything if entry[1] == kind]
    assert PAGE_SIZE < len(kept) < len(everything)
    sync_api.expect(page.locator(f"select[name=kind] option[value='{kind}']")).to_have_text(f"{kind} ({len(kept)})")

    page.select_option("select[name=kind]", kind)
    expect_count(page, len(kept), len(everything), "lessons")
    page.get_by_role("button", name=f"Show all {len(kept)}").click()
    texts = page.locator("table.pm-list tr[data-lesson] td:nth-child(2)").all_inner_texts()
    assert texts == [text for _, _, text in kept]

    word = kept[-1][2].split()[0].lower()  # in the oldest entry of the kind, and maybe others
    page.fill(".pm-filter-text", word)
    both = [e for e in kept if word in e[2].lower() or word in by_id(postmortems)[e[0]]["title"].lower()]
    expect_count(page, len(both), len(everything), "lessons")
    assert f"q={word}" in page.url and "kind=Went+well" in page.url


def by_id(postmortems: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {pm["id"]: pm for pm in postmortems}
