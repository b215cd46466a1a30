"""Pagefind (`pagefind: true`): the index a real build gets, and its search page in Chromium.

A small library is built with MkDocs and indexed by ``kb.pagefind.index_site``, the
Pagefind binary of the ``pagefind[bin]`` package, for real. The browser tests are
driven like ``test_browser.py``: conftest's shared ``browser`` (Debian's Chromium via
Playwright; skipped without it locally, a failure under CI=true).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import serve
from learning_library import LEARNING_MKDOCS_YML, strict_build, write
from playwright import sync_api
from support import Build, WriteProject

from kb.pages.pagefind_markup import BUNDLE, PAGE
from kb.site.pagefind_index import PagefindError, index_site

MKDOCS_YML = LEARNING_MKDOCS_YML.replace("      today: 2026-06-30\n", "      today: 2026-06-30\n      pagefind: true\n")


def postmortem(title: str, head: str, body: str) -> str:
    """A published postmortem: ``head`` is its own front matter lines, ``body`` its narrative."""
    return f"""\
---
title: {title}
status: published
authors: [Priya Raman]
summary: A short summary of what happened.
{head}
---

{body}
"""


FILES = {
    "mkdocs.yml": MKDOCS_YML,
    "postmortems/pool.md": postmortem(
        "Checkout database pool exhausted",
        "severity: SEV2\nstarted: 2024-03-12T14:00:00+00:00\nservices: [checkout-api]\nteams: [checkout-team]\n"
        "causes: [global-rollout]",
        "PgBouncer queued every request once the pool was full; pgbouncer logs showed it first. "
        "A failover to the replica restored checkout.",
    ),
    "postmortems/dns.md": postmortem(
        "Resolver timeouts at the edge",
        "severity: SEV1\nstarted: 2025-01-20T08:00:00+00:00\nservices: [edge-proxy]\nteams: [network-team]\n"
        "causes: [missing-alert]",
        "The edge resolvers timed out. Someone mentioned pgbouncer once in the channel. A failover to the "
        "secondary resolvers ended it.",
    ),
    # Links to "pool" in its related list: pool's title words must not find this page.
    "postmortems/cert.md": postmortem(
        "Payments certificate expiry",
        "severity: SEV1\nstarted: 2025-06-02T10:00:00+00:00\nservices: [payments-api]\nteams: [payments-team]\n"
        "causes: [missing-alert]\nrelated: [pool]",
        "The certificate expired at midnight. A failover to the standby load balancer kept payments up.",
    ),
    "postmortems/near.md": postmortem(
        "Export nearly truncated",
        "type: near-miss\nstarted: 2023-11-05T09:00:00+00:00\nservices: [search-api]\nteams: [search-team]\n"
        "causes: [missing-alert]",
        "A reviewer noticed the export was half its usual size before it shipped.",
    ),
}
IDS = {"pool", "dns", "cert", "near"}


@pytest.fixture(scope="module")
def site_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return strict_build(write(tmp_path_factory.mktemp("pagefind") / "project", FILES)).root


# --- the index ------------------------------------------------------------------------


def test_the_bundle_holds_the_postmortem_pages_only(site_root: Path) -> None:
    stats = index_site(site_root)

    bundle = site_root / BUNDLE
    for name in ("pagefind.js", "pagefind-ui.js", "pagefind-ui.css", "pagefind-entry.json"):
        assert (bundle / name).is_file()
    # The site has a home page, the explorer, cause, service and team pages besides.
    assert stats.pages == len(IDS)
    assert stats.bytes == sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    assert stats.seconds > 0
    assert f"{len(IDS)} pages indexed" in stats.summary()


def test_each_postmortem_page_carries_its_filters(site_root: Path) -> None:
    page = (site_root / "postmortems" / "dns" / "index.html").read_text(encoding="utf-8")
    facets = re.search(r"<div hidden data-pagefind-ignore>(.*?)</div>", page)
    assert facets
    assert re.findall(r'data-pagefind-(?:filter|meta)="(\w+)">([^<]*)<', facets.group(1)) == [
        ("type", "Incident"),
        ("year", "2025"),
        ("severity", "SEV1"),
        ("service", "edge-proxy"),
        ("team", "network-team"),
        ("cause", "No alert on the symptom users saw"),
        ("date", "2025-01-20"),
    ]
    assert "data-pagefind" not in (site_root / "index.html").read_text(encoding="utf-8")


def test_without_directory_urls_the_explorer_is_still_left_out(tmp_path: Path) -> None:
    files = {**FILES, "mkdocs.yml": MKDOCS_YML + "use_directory_urls: false\n"}
    site = strict_build(write(tmp_path / "project", files))
    assert (site.root / "postmortems" / "index.html").is_file()  # the explorer, next to the pages

    assert index_site(site.root, directory_urls=False).pages == len(IDS)


def test_the_option_off_adds_nothing(write_project: WriteProject, build: Build) -> None:
    site = build(write_project({"postmortems/pool.md": FILES["postmortems/pool.md"]}))
    assert "data-pagefind" not in site.page("pool")
    assert not (site.root / BUNDLE).exists()
    assert not (site.root / PAGE.removesuffix("index.md")).exists()  # no search page: search-library/


def test_a_site_without_postmortem_pages_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<html lang='en'><body><p>Home</p></body></html>", encoding="utf-8")
    with pytest.raises(PagefindError, match=r"could not index .* a site without postmortems"):
        index_site(tmp_path)


# --- the search page (needs the plugin's wiring: the page and its script) -----------


@pytest.fixture(scope="module")
def search_url(site_root: Path) -> Iterator[str]:
    index_site(site_root)
    with serve(site_root) as url:
        yield f"{url}/{PAGE.removesuffix('index.md')}"


def result_links(page: object) -> sync_api.Locator:
    return page.locator("a.pagefind-ui__result-link")  # type: ignore[attr-defined,no-any-return]


def search(page: object, url: str, query: str) -> None:
    page.goto(url)  # type: ignore[attr-defined]
    page.locator(".pagefind-ui__search-input").fill(query)  # type: ignore[attr-defined]


def test_a_word_from_a_narrative_finds_its_postmortem_first(page: object, search_url: str) -> None:
    search(page, search_url, "pgbouncer")
    # Results come in as the UI catches up with the query: wait for the final list.
    sync_api.expect(result_links(page)).to_have_count(2)
    sync_api.expect(result_links(page).first).to_have_attribute("href", "/postmortems/pool/")
    sync_api.expect(result_links(page).first).to_have_text("Checkout database pool exhausted")
    sync_api.expect(page.locator(".pagefind-ui__result-tag").first).to_have_text("Date: 2024-03-12")
    # Nothing comes from anywhere but the site: no CDN.
    assert page.requested_hosts == {"127.0.0.1"}  # type: ignore[attr-defined]


def test_a_filter_narrows_the_results(page: object, search_url: str) -> None:
    search(page, search_url, "failover")
    sync_api.expect(result_links(page)).to_have_count(3)

    page.locator("details.pagefind-ui__filter-block", has_text="severity").locator("summary").click()  # type: ignore[attr-defined]
    page.get_by_label(re.compile(r"^SEV1")).check()  # type: ignore[attr-defined]

    sync_api.expect(result_links(page)).to_have_count(2)
    hrefs = {link.get_attribute("href") for link in result_links(page).all()}
    assert hrefs == {"/postmortems/dns/", "/postmortems/cert/"}


def test_links_to_other_postmortems_do_not_make_a_page_match(page: object, search_url: str) -> None:
    # "cert" lists "Checkout database pool exhausted" among its related postmortems.
    search(page, search_url, "exhausted")
    sync_api.expect(result_links(page)).to_have_count(1)
    sync_api.expect(result_links(page)).to_have_attribute("href", "/postmortems/pool/")


def test_a_query_in_the_address_searches_on_load(page: object, search_url: str) -> None:
    page.goto(f"{search_url}?query=certificate")  # type: ignore[attr-defined]
    sync_api.expect(result_links(page)).to_have_count(1)
    sync_api.expect(result_links(page)).to_have_attribute("href", "/postmortems/cert/")
