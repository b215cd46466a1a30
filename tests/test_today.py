"""The date: the build's own unless pinned (``SOURCE_DATE_EPOCH``, the ``today`` option,
``kb --today``), and every page whose content depends on it says which date that was."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from mkdocs.utils.yaml import yaml_load
from support import REPO, VALID_POSTMORTEM, Kb, Site, WriteProject, mkdocs_build

from kb.load.project import open_project

# Not the session's date (support.TODAY): a page that showed that one would not pass.
BUILT_ON = date(2026, 12, 2)  # a Wednesday, ISO week 49 of 2026
AS_OF = "as of 2026-12-02"

CONFIG = """\
site_name: Test library
theme:
  name: material
  font: false
plugins:
  - postmortems:
      source: postmortems
"""
# VALID_POSTMORTEM's two open items: due 2026-06-01 and 2026-07-05.
LIBRARY = {"mkdocs.yml": CONFIG, "postmortems/2024/pool.md": VALID_POSTMORTEM}
# Every command, with the arguments it needs to run.
COMMANDS = {
    "new": ["new", "Queue backlog"],
    "lint": ["lint"],
    "search": ["search", "pool"],
    "actions": ["actions"],
    "schema": ["schema"],
    "import": ["import", "--dry-run", "postmortems"],  # the date it records as `imported.at`
    "export": ["export", "exported"],  # the action items' states on its pages
    "sync": ["sync"],  # the library configures no tracker: a configuration error, once --today is read
}
ANSWERS = {"sync": 2}  # a command's exit status with a good --today, when not 0


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
    plugins = yaml_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["plugins"]  # as MkDocs reads it
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


def overdue(kb: Kb, project: Path, *args: str) -> list[str]:
    code, out, err = kb(project, "actions", "--state", "overdue", "--format", "json", *args)
    assert code == 0, err
    return [item["title"] for item in json.loads(out)]


def test_actions_today_changes_which_items_are_overdue(write_project: WriteProject, kb: Kb) -> None:
    project = write_project(LIBRARY)

    assert overdue(kb, project, "--today", "2026-05-01") == []
    assert overdue(kb, project) == ["Alert on pool saturation"]  # the session's SOURCE_DATE_EPOCH: 2026-06-30
    assert overdue(kb, project, "--today", "2026-07-06") == ["Alert on pool saturation", "Stage pool config rollouts"]


def test_today_on_the_command_line_wins_over_the_option(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({**LIBRARY, "mkdocs.yml": CONFIG + "      today: 2020-01-01\n"})

    assert overdue(kb, project) == []
    assert overdue(kb, project, "--today", "2026-07-06") == ["Alert on pool saturation", "Stage pool config rollouts"]
    _, agenda, _ = kb(project, "actions", "--format", "md", "--today", "2026-07-06")
    assert agenda.startswith("# Action item review, 2026-07-06\n")


def test_lint_reports_overdue_items_as_of_today(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({**LIBRARY, "mkdocs.yml": CONFIG + "      overdue_fails_strict: true\n"})

    assert kb(project, "lint", "--strict", "--today", "2026-05-01")[:2] == (0, "")
    code, out, _ = kb(project, "lint", "--strict", "--today", "2026-07-06")
    assert code == 1
    assert "'Stage pool config rollouts' is overdue since 2026-07-05" in out


def bad_today(value: str) -> str:
    return f"error: argument --today: {value!r} is not a date written YYYY-MM-DD, e.g. 2026-12-02"


def test_every_command_takes_today(write_project: WriteProject, kb: Kb) -> None:
    _, out, _ = kb(REPO, "--help")
    assert set(re.findall(r"^    (\w+) ", out, re.MULTILINE)) == set(COMMANDS)  # none is left out below
    project = write_project(LIBRARY)
    for name, args in COMMANDS.items():
        code, _, err = kb(project, *args, "--today", "2026-06-30")
        assert code == ANSWERS.get(name, 0), (name, err)
        assert "--today" not in err, name
        code, out, err = kb(project, *args, "--today", "2026-06-31")
        assert (code, out) == (2, ""), name
        assert f"kb {name}: {bad_today('2026-06-31')}" in err


@pytest.mark.parametrize("value", ["2026-02-30", "30/06/2026", "20260630", "2026-6-30", "today", ""])
def test_a_bad_today_is_a_usage_error(write_project: WriteProject, kb: Kb, value: str) -> None:
    code, out, err = kb(write_project(LIBRARY), "lint", "--today", value)
    assert (code, out) == (2, "")
    assert bad_today(value) in err


def test_new_dates_a_postmortem_on_today_unless_started_says_otherwise(write_project: WriteProject, kb: Kb) -> None:
    project = write_project(LIBRARY)

    _, out, _ = kb(project, "new", "Queue backlog", "--today", "2026-06-30")
    assert out == "postmortems/2026/2026-06-30-queue-backlog.md\n"
    assert "started: 2026-06-30T00:00:00+00:00" in (project / out.strip()).read_text(encoding="utf-8")
    _, out, _ = kb(project, "new", "Queue backlog", "--today", "2026-06-30", "--started", "2025-01-31T10:00")
    assert out == "postmortems/2025/2025-01-31-queue-backlog.md\n"
