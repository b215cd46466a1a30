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


def shown_figures(page: Any) -> dict[str, str]:
    """The headline's numbers; and each section's count, which must equal the headline's."""
    headline = {
        el.get_attribute("data-count-state"): el.inner_text()
        for el in page.query_selector_all(".pm-figures [data-count-state]")
    }
    sections = {
        el.get_attribute("data-count-state"): el.inner_text() for el in page.query_selector_all("h2 [data-count-state]")
    }
    shown_rows = Counter(
        row.get_attribute("data-state")
        for row in page.query_selector_all(".pm-board tr[data-item]")
        if row.is_visible()
    )
    assert sections == headline, "the sections' counts are the headline's"
    assert {state: str(shown_rows[state]) for state in STATES} == headline, "and both count the rows shown"
    return {
        **headline,
        "on-time": page.inner_text('[data-figure="on-time"]'),
        "days-to-done": page.inner_text('[data-figure="days-to-done"]'),
    }


def test_every_number_on_the_board_agrees_with_the_api_under_every_filter(site: tuple[Path, str], page: Any) -> None:
    site_dir, url = site
    items = json.loads((site_dir / "api" / "action-items.json").read_text(encoding="utf-8"))
    postmortems = json.loads((site_dir / "api" / "postmortems.json").read_text(encoding="utf-8"))
    started = {pm["id"]: pm["started"] for pm in postmortems}
    teams = {pm["id"]: pm["teams"] for pm in postmortems}
    assert len(items) > 20 and {item["state"] for item in items} >= {"overdue", "done"}

    page.goto(f"{url}/action-items/")
    assert shown_figures(page) == expected_figures(items, started)
    assert page.inner_text(".pm-count") == f"{len(items)} of {len(items)} action items"

    by_team = Counter(team for item in items for team in teams[item["postmortem"]])
    for team in [name for name, _ in by_team.most_common(2)] + [min(by_team, key=by_team.__getitem__)]:
        page.goto(f"{url}/action-items/?team={team}")
        mine = [item for item in items if team in teams[item["postmortem"]]]
        assert shown_figures(page) == expected_figures(mine, started), team
        assert page.inner_text(".pm-count") == f"{len(mine)} of {len(items)} action items"

    page.goto(f"{url}/action-items/?state=overdue")
    overdue = [item for item in items if item["state"] == "overdue"]
    assert shown_figures(page) == expected_figures(overdue, started)


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
