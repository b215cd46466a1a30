"""The built site in a real browser: Material's search box and the /postmortems/ explorer.

Playwright drives Debian's Chromium (it never downloads a browser of its own). Without
Chromium these tests are skipped locally; under CI=true a missing browser fails them.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from support import REPO

from kb.library import Library, load
from kb.project import open_project

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but Chromium is missing: .ci/run installs Debian's chromium", pytrace=False)
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(site)],
        cwd=REPO,
        check=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object, site_url: str) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.requested_hosts = set()
    page.on("request", lambda request: page.requested_hosts.add(urlparse(request.url).hostname))
    yield page
    context.close()


@pytest.fixture(scope="module")
def example() -> Library:
    project = open_project(REPO / "mkdocs.yml")
    return load(project.settings, project.root)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pgbouncer", "2025-06-24-checkout-pgbouncer-saturation"),
        ("oat milk", "2026-02-10-search-synonyms-config"),
        ("networkpolicy", "2025-02-11-networkpolicy-global-apply"),
        ("geocoding", "2025-08-19-geocoding-timeout-default"),
    ],
)
def test_search_box_finds_the_postmortem_first(page: object, site_url: str, query: str, expected: str) -> None:
    page.goto(f"{site_url}/")  # type: ignore[attr-defined]
    search = page.locator("input.md-search__input")  # type: ignore[attr-defined]
    search.click()
    search.fill(query)
    first = page.locator(".md-search-result__item a").first  # type: ignore[attr-defined]
    first.wait_for(timeout=10_000)
    assert f"/postmortems/{expected}/" in first.get_attribute("href")


def visible_ids(page: object) -> set[str]:
    return {row.get_attribute("data-pm") for row in page.locator("tr[data-pm]:visible").all()}  # type: ignore[attr-defined]


def test_explorer_facets_show_the_right_rows(page: object, site_url: str, example: Library) -> None:
    page.goto(f"{site_url}/postmortems/")  # type: ignore[attr-defined]
    everything = {pm.slug for pm in example.postmortems}
    assert visible_ids(page) == everything
    assert page.locator(".pm-count").text_content() == f"{len(everything)} of {len(everything)} postmortems"  # type: ignore[attr-defined]

    page.select_option("select[name=service]", "checkout-api")  # type: ignore[attr-defined]
    checkout = {pm.slug for pm in example.postmortems if "checkout-api" in pm.services}
    assert visible_ids(page) == checkout
    assert "service=checkout-api" in page.url  # type: ignore[attr-defined]

    page.select_option("select[name=severity]", "SEV2")  # type: ignore[attr-defined]
    assert visible_ids(page) == {pm.slug for pm in example.postmortems if pm.slug in checkout and pm.severity == "SEV2"}

    page.click(".pm-reset")  # type: ignore[attr-defined]
    page.fill(".pm-filter-text", "near-miss")  # type: ignore[attr-defined]
    page.select_option("select[name=type]", "near-miss")  # type: ignore[attr-defined]
    near_misses = {pm.slug for pm in example.postmortems if pm.type == "near-miss"}
    assert visible_ids(page) <= near_misses


def test_explorer_counts_and_sorting(page: object, site_url: str, example: Library) -> None:
    page.goto(f"{site_url}/postmortems/?year=2024")  # type: ignore[attr-defined]
    in_2024 = {pm.slug for pm in example.postmortems if pm.started.year == 2024}
    assert visible_ids(page) == in_2024
    option = page.locator("select[name=year] option[value='2024']").text_content()  # type: ignore[attr-defined]
    assert option == f"2024 ({len(in_2024)})"

    page.click("th[data-sort=severity]")  # type: ignore[attr-defined]
    ranks = [int(r.get_attribute("data-severity-rank")) for r in page.locator("tr[data-pm]:visible").all()]  # type: ignore[attr-defined]
    assert ranks == sorted(ranks)


def test_site_works_without_network(page: object, site_url: str) -> None:
    for path in ("/", "/postmortems/", "/postmortems/2024-03-12-checkout-db-pool/"):
        page.goto(f"{site_url}{path}")  # type: ignore[attr-defined]
        page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    assert page.requested_hosts == {"127.0.0.1"}  # type: ignore[attr-defined]
