"""The built site in a real browser: Material's search box and the /postmortems/ explorer."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from browsing import serve
from playwright import sync_api
from support import REPO

from kb.checks.library import Library, load
from kb.load.project import open_project


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(site)],
        cwd=REPO,
        check=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def example() -> Library:
    project = open_project(REPO / "mkdocs.yml")
    return load(project.settings, project.root)


def search_box(page: object, site_url: str, query: str) -> None:
    """Type ``query`` into the header's search box, once Material's worker is ready."""
    page.goto(f"{site_url}/")  # type: ignore[attr-defined]
    search = page.locator("input.md-search__input")  # type: ignore[attr-defined]
    search.click()
    # Material says "Initializing search" until its worker has loaded the index.
    meta = page.locator(".md-search-result__meta")  # type: ignore[attr-defined]
    sync_api.expect(meta).not_to_have_text(re.compile("Initializing"), timeout=15_000)
    search.press_sequentially(query)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pgbouncer", "2025-06-24-checkout-pgbouncer-saturation"),
        ("oat milk", "2026-02-10-search-synonyms-config"),
        ("networkpolicy", "2025-02-11-networkpolicy-global-apply"),
        ("geocoding", "2025-08-19-geocoding-timeout-default"),
        # Words written only in a structured section, which the page's Markdown does not hold:
        ("forwards", "2026-06-09-notification-campaign-backlog"),  # a timeline event
        ("mispriced", "2026-06-23-storefront-cdn-full-purge"),  # a trigger
        ("reissuing", "2024-01-16-internal-mtls-cert-expiry"),  # a cause's detail
    ],
)
def test_search_box_finds_the_postmortem_first(page: object, site_url: str, query: str, expected: str) -> None:
    search_box(page, site_url, query)
    first = page.locator(".md-search-result__item a").first  # type: ignore[attr-defined]
    # Results update as the search worker catches up with typing: wait for the final list.
    sync_api.expect(first).to_have_attribute("href", re.compile(f"/postmortems/{expected}/"), timeout=10_000)


def visible_ids(page: object) -> set[str]:
    return {row.get_attribute("data-pm") for row in page.locator("tr[data-pm]:visible").all()}  # type: ignore[attr-defined]


def expect_shown(page: object, ids: set[str], total: int) -> None:
    """The rows shown, once the count says how many: the first filter fetches the rows."""
    sync_api.expect(page.locator(".pm-count")).to_have_text(f"{len(ids)} of {total} postmortems")  # type: ignore[attr-defined]
    assert visible_ids(page) == ids


def test_explorer_facets_show_the_right_rows(page: object, site_url: str, example: Library) -> None:
    page.goto(f"{site_url}/postmortems/")  # type: ignore[attr-defined]
    everything = {pm.slug for pm in example.postmortems}
    total = len(everything)
    expect_shown(page, everything, total)

    page.select_option("select[name=service]", "checkout-api")  # type: ignore[attr-defined]
    checkout = {pm.slug for pm in example.postmortems if "checkout-api" in pm.services}
    expect_shown(page, checkout, total)
    assert "service=checkout-api" in page.url  # type: ignore[attr-defined]

    page.select_option("select[name=severity]", "SEV2")  # type: ignore[attr-defined]
    expect_shown(page, {pm.slug for pm in example.postmortems if pm.slug in checkout and pm.severity == "SEV2"}, total)

    page.click(".pm-reset")  # type: ignore[attr-defined]
    expect_shown(page, everything, total)
    page.fill(".pm-filter-text", "near-miss")  # type: ignore[attr-defined]
    page.select_option("select[name=type]", "near-miss")  # type: ignore[attr-defined]
    near_misses = {pm.slug for pm in example.postmortems if pm.type == "near-miss"}
    sync_api.expect(page.locator(".pm-count")).to_have_text(re.compile(f"^[1-9][0-9]* of {total} postmortems$"))  # type: ignore[attr-defined]
    assert visible_ids(page) <= near_misses


def test_explorer_counts_and_sorting(page: object, site_url: str, example: Library) -> None:
    page.goto(f"{site_url}/postmortems/?year=2024")  # type: ignore[attr-defined]
    in_2024 = {pm.slug for pm in example.postmortems if pm.started.year == 2024}
    expect_shown(page, in_2024, len(example.postmortems))
    option = page.locator("select[name=year] option[value='2024']")  # type: ignore[attr-defined]
    sync_api.expect(option).to_have_text(f"2024 ({len(in_2024)})")

    page.click("th[data-sort=severity]")  # type: ignore[attr-defined]
    sync_api.expect(page.locator("th[data-sort=severity]")).to_have_attribute("aria-sort", "ascending")  # type: ignore[attr-defined]
    assert "sort=severity" in page.url  # type: ignore[attr-defined]
    rank = {
        pm.slug: example.settings.severities.index(pm.severity) if pm.severity else 99 for pm in example.postmortems
    }
    ids = [r.get_attribute("data-pm") for r in page.locator("tr[data-pm]:visible").all()]  # type: ignore[attr-defined]
    assert sorted(ids) == sorted(in_2024)
    assert [rank[i] for i in ids] == sorted(rank[i] for i in ids)


ROWS = "Array.from(document.querySelectorAll('table.pm-list tbody tr')).map(row => row.outerHTML)"


def test_explorer_rows_from_the_script_are_the_rows_of_the_page(page: object, site_url: str) -> None:
    """The example library fits on one page: sorted oldest first, the script shows the very
    rows the page had without JavaScript, cell for cell; cleared, the page's own again."""
    page.goto(f"{site_url}/postmortems/")  # type: ignore[attr-defined]
    rows = page.evaluate(ROWS)  # type: ignore[attr-defined]
    postmortems = [row for row in rows if "data-pm=" in row]  # not the years' heading rows
    page.click("th[data-sort=date] button")  # type: ignore[attr-defined]
    sync_api.expect(page.locator("th[data-sort=date]")).to_have_attribute("aria-sort", "ascending")  # type: ignore[attr-defined]
    assert page.evaluate(ROWS) == postmortems[::-1]  # type: ignore[attr-defined]
    assert "sort=date" in page.url  # type: ignore[attr-defined]

    page.click(".pm-reset")  # type: ignore[attr-defined]
    sync_api.expect(page.locator(".pm-reset")).to_be_hidden()  # type: ignore[attr-defined]
    assert page.evaluate(ROWS) == rows  # type: ignore[attr-defined]
    assert "sort=" not in page.url and len(postmortems) > 30  # type: ignore[attr-defined]


def test_site_works_without_network(page: object, site_url: str) -> None:
    for path in ("/", "/postmortems/", "/postmortems/2024-03-12-checkout-db-pool/"):
        page.goto(f"{site_url}{path}")  # type: ignore[attr-defined]
        page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    assert page.requested_hosts == {"127.0.0.1"}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("retry budget", "2025-11-28-black-friday-checkout-retry-storm#lessons-learned"),  # a lesson
        ("Extend the outbound-client retry lint", "2024-09-17-search-indexer-retry-storm#action-items"),
        ("amplification the system will see", "2025-11-28-black-friday-checkout-retry-storm#lessons-learned"),
    ],
)
def test_search_box_finds_a_phrase_of_a_structured_section_first(
    page: object, site_url: str, phrase: str, expected: str
) -> None:
    """Issue 20: the postmortem holding the phrase is the first result, and its first hit is
    the item (the lesson, the action item) that holds it, at its id in the section."""
    search_box(page, site_url, phrase)
    pm_id, section = expected.split("#")
    first = page.locator(".md-search-result__item").first  # type: ignore[attr-defined]
    links = first.locator("a")
    sync_api.expect(links.first).to_have_attribute("href", re.compile(f"/postmortems/{pm_id}/"), timeout=10_000)
    sync_api.expect(links.nth(1)).to_have_attribute("href", re.compile(f"/postmortems/{pm_id}/.*#{section}\\.\\d+$"))


@pytest.mark.parametrize(
    "pm_id",
    [
        # Each had a word of its title in another postmortem's tags, which Material weighs
        # a million times a word of the text: that postmortem came first.
        "2026-06-09-notification-campaign-backlog",
        "2026-02-10-search-synonyms-config",
        "2024-10-29-loyalty-migration-retry-loop",
    ],
)
def test_search_box_finds_a_postmortem_by_its_title_first(
    page: object, site_url: str, example: Library, pm_id: str
) -> None:
    title = next(pm.title for pm in example.postmortems if pm.slug == pm_id)
    search_box(page, site_url, title)
    first = page.locator(".md-search-result__item a").first  # type: ignore[attr-defined]
    sync_api.expect(first).to_have_attribute("href", re.compile(f"/postmortems/{pm_id}/"), timeout=10_000)
