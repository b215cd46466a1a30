"""The date: the build's own unless pinned (``SOURCE_DATE_EPOCH``, the ``today`` option),
and every page whose content depends on it says which date that was."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import pytest
import yaml
from support import REPO, Site, mkdocs_build

from kb.load.project import open_project

# Not the session's date (support.TODAY): a page that showed that one would not pass.
BUILT_ON = date(2026, 12, 2)  # a Wednesday, ISO week 49 of 2026
AS_OF = "as of 2026-12-02"


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The example library built by ``mkdocs build`` with ``SOURCE_DATE_EPOCH`` at ``BUILT_ON``."""
    site = tmp_path_factory.mktemp("example") / "site"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOURCE_DATE_EPOCH", str(int(datetime.combine(BUILT_ON, time(), UTC).timestamp())))
        mkdocs_build(REPO, site)
    return Site(site, [])


def test_the_example_configuration_follows_the_build_date() -> None:
    # Users copy it: a pinned date there freezes their board on a day long gone.
    plugins = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["plugins"]
    assert "today" not in next(p["postmortems"] for p in plugins if isinstance(p, dict) and "postmortems" in p)
    assert open_project(REPO / "mkdocs.yml").settings.today is None


def test_a_build_without_today_takes_source_date_epoch_and_says_so(example_site: Site) -> None:
    board = example_site.article("action-items/index.html")
    assert f"Every action item of every postmortem, {AS_OF}." in board
    home = example_site.article("index.html")
    assert "Week 49 of 2026, as of 2026-12-02." in home
    insights = example_site.article("insights/index.html")
    assert f"postmortems in this library, {AS_OF}." in insights
    assert re.search(r"\d+ overdue as of 2026-12-02\.", insights)


def test_every_page_with_action_item_states_says_as_of_when(example_site: Site) -> None:
    showing_states = set()
    for path in example_site.root.rglob("index.html"):
        rel = path.relative_to(example_site.root).as_posix()
        page = example_site.article(rel)
        if 'class="pm-badge pm-state-' in page:
            showing_states.add(rel.split("/")[0])
            assert AS_OF in page, rel
    # The kinds of page that show states: the board, postmortems, causes, services, teams.
    assert showing_states == {"action-items", "postmortems", "causes", "services", "teams"}


def test_a_postmortem_page_dates_its_action_item_states(example_site: Site) -> None:
    page = example_site.page("2024-03-12-checkout-db-pool")
    assert '<p class="pm-as-of"><small>States as of 2026-12-02.</small></p>' in page
