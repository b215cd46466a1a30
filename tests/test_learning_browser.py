"""The reading list in a real browser: ticks are kept in localStorage across reloads.

Driven like ``test_browser.py``: conftest's shared ``browser`` (Debian's Chromium via
Playwright; skipped without it locally, a failure under CI=true).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browsing import serve
from learning_library import FILES, strict_build, write


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = strict_build(write(tmp_path_factory.mktemp("reading") / "project", FILES))
    with serve(site.root) as url:
        yield url


def box(page: object, pm_id: str) -> object:
    return page.locator(f"input[data-reading-id='{pm_id}']")  # type: ignore[attr-defined]


def progress(page: object, track: int) -> str:
    return page.locator("[data-reading-progress]").nth(track).text_content()  # type: ignore[attr-defined]


def test_a_ticked_item_stays_ticked_after_a_reload(page: object, site_url: str) -> None:
    page.goto(f"{site_url}/reading/")  # type: ignore[attr-defined]
    assert progress(page, 0) == "0 of 2 read"
    assert box(page, "a-pool").is_enabled()  # type: ignore[attr-defined]

    box(page, "a-pool").check()  # type: ignore[attr-defined]
    assert progress(page, 0) == "1 of 2 read"
    page.reload()  # type: ignore[attr-defined]

    assert box(page, "a-pool").is_checked()  # type: ignore[attr-defined]
    assert not box(page, "b-near").is_checked()  # type: ignore[attr-defined]
    assert progress(page, 0) == "1 of 2 read"
    assert progress(page, 1) == "0 of 1 read"


def test_unticking_is_remembered_too_and_a_full_track_is_complete(page: object, site_url: str) -> None:
    page.goto(f"{site_url}/reading/")  # type: ignore[attr-defined]
    box(page, "a-pool").check()  # type: ignore[attr-defined]
    box(page, "b-near").check()  # type: ignore[attr-defined]
    assert page.locator("[data-reading-track]").first.get_attribute("class") == "kb-reading kb-reading-complete"  # type: ignore[attr-defined]

    box(page, "a-pool").uncheck()  # type: ignore[attr-defined]
    page.reload()  # type: ignore[attr-defined]

    assert not box(page, "a-pool").is_checked()  # type: ignore[attr-defined]
    assert box(page, "b-near").is_checked()  # type: ignore[attr-defined]
    assert progress(page, 0) == "1 of 2 read"


def test_progress_is_kept_in_the_browser_only(page: object, site_url: str) -> None:
    page.goto(f"{site_url}/reading/")  # type: ignore[attr-defined]
    box(page, "e-odd").check()  # type: ignore[attr-defined]
    stored = page.evaluate("localStorage.getItem('kb-reading-progress')")  # type: ignore[attr-defined]
    assert stored == '{"e-odd":true}'
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    assert page.requested_hosts == {"127.0.0.1"}  # type: ignore[attr-defined]


def test_insights_charts_render_without_network(page: object, site_url: str) -> None:
    page.goto(f"{site_url}/insights/")  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    charts = page.locator("svg.kb-chart-svg")  # type: ignore[attr-defined]
    assert charts.count() == 6
    assert all(chart.bounding_box()["width"] > 300 for chart in charts.all())
    assert page.requested_hosts == {"127.0.0.1"}  # type: ignore[attr-defined]
