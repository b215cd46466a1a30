"""The action-item board in a real browser: every number on it agrees with the rows it
shows and with ``/api/action-items.json``, under every filter; and no page of the site is
wider than the window, on a desktop or a phone."""

from __future__ import annotations

import json
import math
import statistics
import textwrap
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from browsing import serve
from playwright import sync_api
from support import REPO, generator, mkdocs_build

STATES = ["overdue", "due-soon", "open", "done", "wont-do"]
WIDTHS = [1280, 360]  # a desktop, and a small phone (docs/accessibility.md)
GENERATED = """\
site_name: Generated library
theme:
  name: material
  font: false  # no request leaves the machine: the load event would wait on the fonts
  features: [navigation.prune]
plugins:
  - search
  - postmortems:
      today: 2026-06-30
      audience: restricted
      list_page_size: 10  # most items, and most overdue ones, are not on the first page
"""


def _generated_library(root: Path) -> Path:
    """A library no one here wrote: the benchmarks' generator, at a size a test can read."""
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(textwrap.dedent(GENERATED), encoding="utf-8")
    generator().generate(40, root / "postmortems", seed=7)
    return root


@pytest.fixture(scope="module", params=["example", "generated"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A built site and the URL it is served at."""
    root = tmp_path_factory.mktemp(request.param)
    project = REPO if request.param == "example" else _generated_library(root / "project")
    site_dir = root / "site"
    mkdocs_build(project, site_dir)
    with serve(site_dir) as url:
        yield site_dir, url


def expected_figures(items: list[dict[str, Any]], started: dict[str, str]) -> dict[str, str]:
    """Every number of the board, computed from the API's items by the documented definitions."""
    counts = Counter(item["state"] for item in items)
    figures = {state: str(counts[state]) for state in STATES}
    done = [item for item in items if item["state"] == "done" and item["completed"]]
    dated = [item for item in done if item["due"]]
    on_time = [item["completed"] <= item["due"] for item in dated]  # ISO dates compare as dates
    figures["on-time"] = f"{math.floor(sum(on_time) / len(on_time) * 100 + 0.5)}%" if on_time else "n/a"
    days = [
        (date.fromisoformat(item["completed"]) - date.fromisoformat(started[item["postmortem"]][:10])).days
        for item in done
    ]
    figures["days-to-done"] = f"{statistics.median(days):g}" if days else "n/a"
    return figures


def shown_figures(page: Any, matching: int, total: int) -> dict[str, str]:
    """The headline's numbers, once the count says the filter matched ``matching`` items;
    with a filter, every matching row (Show all), whose states the headline must count."""
    sync_api.expect(page.locator(".pm-count")).to_have_text(f"{matching} of {total} action items")
    headline = {
        el.get_attribute("data-count-state"): el.inner_text()
        for el in page.query_selector_all(".pm-figures [data-count-state]")
    }
    if matching < total:
        if page.locator(".pm-more-bar").is_visible():
            page.get_by_role("button", name=f"Show all {matching}").click()
        shown = Counter(row_states(page).values())
        assert {state: str(shown[state]) for state in STATES} == headline, "the headline counts the rows shown"
    return {
        **headline,
        "on-time": page.inner_text('[data-figure="on-time"]'),
        "days-to-done": page.inner_text('[data-figure="days-to-done"]'),
    }


ROW_STATES = """Array.from(document.querySelectorAll("table.pm-list tr[data-item]")).map(row =>
    [row.dataset.item, row.querySelector("[class*=pm-state-]").className.match(/pm-state-([a-z-]+)/)[1]])"""


def row_states(page: Any) -> dict[str, str]:
    """Each shown row's item id and state, from its state badge (``pm-state-<state>``), in order."""
    return dict(page.evaluate(ROW_STATES))


def test_every_number_on_the_board_agrees_with_the_api_under_every_filter(site: tuple[Path, str], page: Any) -> None:
    site_dir, url = site
    items = json.loads((site_dir / "api" / "action-items.json").read_text(encoding="utf-8"))
    postmortems = json.loads((site_dir / "api" / "postmortems.json").read_text(encoding="utf-8"))
    started = {pm["id"]: pm["started"] for pm in postmortems}
    teams = {pm["id"]: pm["teams"] for pm in postmortems}
    total = len(items)
    assert total > 20 and {item["state"] for item in items} >= {"overdue", "done"}

    page.goto(f"{url}/action-items/")
    assert shown_figures(page, total, total) == expected_figures(items, started)

    by_team = Counter(team for item in items for team in teams[item["postmortem"]])
    for team in [name for name, _ in by_team.most_common(2)] + [min(by_team, key=by_team.__getitem__)]:
        page.goto(f"{url}/action-items/?team={team}")
        mine = [item for item in items if team in teams[item["postmortem"]]]
        assert shown_figures(page, len(mine), total) == expected_figures(mine, started), team
        assert set(row_states(page)) == {item["id"] for item in mine}, "the team's whole list"


def test_the_overdue_view_lists_every_overdue_item_most_overdue_first(site: tuple[Path, str], page: Any) -> None:
    site_dir, url = site
    items = json.loads((site_dir / "api" / "action-items.json").read_text(encoding="utf-8"))
    postmortems = json.loads((site_dir / "api" / "postmortems.json").read_text(encoding="utf-8"))
    started = {pm["id"]: pm["started"] for pm in postmortems}
    overdue = [item for item in items if item["state"] == "overdue"]
    assert overdue
    if site_dir.parent.name.startswith("generated"):  # a page of 10: Show all is needed
        assert len(overdue) > 10, "more than a page of them"

    page.goto(f"{url}/action-items/")
    page.select_option("select[name=state]", "overdue")
    assert shown_figures(page, len(overdue), len(items)) == expected_figures(overdue, started)
    shown = row_states(page)
    assert set(shown) == {item["id"] for item in overdue} and set(shown.values()) == {"overdue"}
    days = {item["id"]: item["days_overdue"] for item in overdue}
    assert [days[i] for i in shown] == sorted(days.values(), reverse=True)
    assert "state=overdue" in page.url


def test_no_page_is_wider_than_the_window(site: tuple[Path, str], browser: Any) -> None:
    site_dir, url = site
    pages = sorted(path.parent.relative_to(site_dir).as_posix() for path in site_dir.rglob("index.html"))
    assert len(pages) > 50
    too_wide = []
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        for path in pages:
            page.goto(f"{url}/{path}/".replace("/./", "/"), wait_until="load")
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                too_wide.append(f"{path} is {scroll} px wide in a {width} px window")
        context.close()
    assert too_wide == []
