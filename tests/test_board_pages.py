"""The board as a list page (``kb.pages.lists``): at any size its first page holds the
headline figures over every item and only a page of rows, the most overdue first; plain
later pages hold the rest, reachable by links alone; the rows' JSON holds every item with
what its filters and figures need."""

from __future__ import annotations

import html
import json
import math
import re
import statistics
import textwrap
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from support import CAUSES_YML, generator, mkdocs_build

from kb.analysis.action_item_states import LABELS, STATES
from kb.load.tracker_state import Snapshot, Ticket, write_snapshot

PAGE_SIZE = 10
LATER = 5 * PAGE_SIZE  # a later page holds five first pages' worth of rows
GENERATED = f"""\
site_name: Generated board
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
GROUP_ROW = re.compile(r'<tr class="pm-group"><th colspan="7" scope="rowgroup">([^<]+)</th></tr>')
ITEM_ROW = re.compile(r'<tr data-item="([^"]+)">(.*?)</tr>', flags=re.S)


@dataclass(frozen=True)
class Board:
    site: Path
    items: list[dict[str, Any]]  # /api/action-items.json
    postmortems: dict[str, dict[str, Any]]  # /api/postmortems.json, by id

    def article(self, rel: str) -> str:
        page = (self.site / rel).read_text(encoding="utf-8")
        return page[page.index("<article") : page.index("</article>")]

    def pages(self) -> list[str]:
        """The board's pages, following each page's "Next" link from the first."""
        found = ["action-items/index.html"]
        while nexts := re.findall(r'<a href="([^"]+)" rel="next">', self.article(found[-1])):
            found.append(_resolve(found[-1], nexts[0]))
        return found


def _resolve(page: str, href: str) -> str:
    """The file a relative link on ``page`` (``a/b/index.html``) points at."""
    parts = page.split("/")[:-1]
    for part in href.split("/"):
        if part == "..":
            parts.pop()
        elif part:
            parts.append(part)
    return "/".join([*parts, "index.html"])


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Board:
    """A library no one here wrote, with several pages of items: built once for the module."""
    root = tmp_path_factory.mktemp("board")
    project = root / "project"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text(GENERATED, encoding="utf-8")
    generator().generate(30, project / "postmortems", seed=11)
    mkdocs_build(project, root / "site")
    site = root / "site"
    items = json.loads((site / "api/action-items.json").read_text(encoding="utf-8"))
    postmortems = json.loads((site / "api/postmortems.json").read_text(encoding="utf-8"))
    return Board(site, items, {pm["id"]: pm for pm in postmortems})


def expected_order(items: list[dict[str, Any]]) -> list[str]:
    """The board's order, from the documented definitions: the most overdue first, then
    due soonest, open by due date, latest done, won't do; ids break ties."""
    today = "2026-06-30"
    keys = {
        "overdue": lambda i: (-i["days_overdue"], i["id"]),
        "due-soon": lambda i: (i["due"], i["id"]),
        "open": lambda i: (i["due"] or today, i["id"]),
        "wont-do": lambda i: i["id"],
    }
    ordered = []
    for state in STATES:
        in_state = [i for i in items if i["state"] == state]
        if state == "done":
            in_state.sort(key=lambda i: (i["completed"] or today, i["id"]), reverse=True)
        else:
            in_state.sort(key=keys[state])
        ordered += [i["id"] for i in in_state]
    return ordered


def test_the_first_page_shows_a_page_of_rows_the_most_overdue_first(board: Board) -> None:
    first = board.article("action-items/index.html")
    ids = [item for item, _ in ITEM_ROW.findall(first)]
    assert len(board.items) > 3 * PAGE_SIZE  # the library is large enough for the test to mean something
    assert ids == expected_order(board.items)[:PAGE_SIZE]
    by_id = {i["id"]: i for i in board.items}
    overdue = [i for i in board.items if i["state"] == "overdue"]
    assert len(overdue) >= PAGE_SIZE and all(by_id[item]["state"] == "overdue" for item in ids)
    assert by_id[ids[0]]["days_overdue"] == max(i["days_overdue"] for i in overdue)
    assert GROUP_ROW.findall(first) == ["Overdue"]  # one state so far: one heading row


def test_every_item_is_on_exactly_one_page_in_the_boards_order(board: Board) -> None:
    pages = board.pages()
    assert len(pages) == 1 + math.ceil((len(board.items) - PAGE_SIZE) / LATER) > 2
    rows = [ITEM_ROW.findall(board.article(page)) for page in pages]
    assert len(rows[0]) == PAGE_SIZE and all(len(on_page) == LATER for on_page in rows[1:-1])
    assert 0 < len(rows[-1]) <= LATER
    ids = [item for on_page in rows for item, _ in on_page]
    assert ids == expected_order(board.items)  # each once, none missing, in order across pages
    by_id = {i["id"]: i for i in board.items}
    for page, on_page in zip(pages, rows, strict=True):
        # Each state starts with its heading row, on every page where it is.
        states = list(dict.fromkeys(LABELS[by_id[item]["state"]] for item, _ in on_page))
        assert GROUP_ROW.findall(board.article(page)) == states, page
        for item, cells in on_page:
            pm = by_id[item]["postmortem"]
            # Links relative to the page they are on: a later page is two folders deeper.
            target = _resolve(page, re.findall(r'<a href="([^"]+)">', cells)[0])
            assert target == f"postmortems/{pm}/index.html", (page, item)
            assert (board.site / target).is_file()
            assert by_id[item]["title"] in cells and f"pm-state-{by_id[item]['state']}" in cells


def test_the_pages_link_to_each_other_and_say_which_rows_they_hold(board: Board) -> None:
    pages = board.pages()
    total = len(board.items)
    for number, page in enumerate(pages, 1):
        article = board.article(page)
        first = 1 if number == 1 else PAGE_SIZE + (number - 2) * LATER + 1
        last = min(total, PAGE_SIZE if number == 1 else first - 1 + LATER)
        assert f"Action items {first} to {last} of {total}, page {number} of {len(pages)}." in article
        assert '<span aria-current="page">' + str(number) + "</span>" in article
        linked = {_resolve(page, href) for href in re.findall(r'<a href="([^"]+)">\d+</a>', article)}
        assert pages[0] in linked or number == 1  # every page links back to the first
        assert pages[-1] in linked or number == len(pages)
        previous = re.findall(r'<a href="([^"]+)" rel="prev">', article)
        assert [_resolve(page, href) for href in previous] == ([pages[number - 2]] if number > 1 else [])
        if number > 1:
            assert f"Action items, page {number}" in article and "as of 2026-06-30" in article
            assert "data-pm-explorer" not in article and "data-count-state" not in article


def test_the_rows_json_holds_every_item_with_its_facets_and_figures(board: Board) -> None:
    data = json.loads((board.site / "action-items/list-rows.json").read_text(encoding="utf-8"))
    assert data["id_attribute"] == "item"
    assert data["facets"] == ["owner", "team", "service", "cause", "state"]  # no tickets: no tracker filter
    strings = data["strings"]
    rows = {row["id"]: row for row in data["rows"]}
    assert [row["id"] for row in data["rows"]] == expected_order(board.items)
    for item in board.items:
        row = rows[item["id"]]
        pm = board.postmortems[item["postmortem"]]
        facets = {name: [strings[v] for v in values] for name, values in zip(data["facets"], row["f"], strict=True)}
        assert facets == {
            "owner": [item["owner"] or "unowned"],
            "team": pm["teams"],
            "service": pm["services"],
            "cause": item["addresses"],
            "state": [item["state"]],
        }
        assert strings[row["g"]] == LABELS[item["state"]]
        figures = {}
        if item["state"] == "done" and item["completed"] and item["due"]:
            figures["on-time"] = "1" if item["completed"] <= item["due"] else "0"
        if item["state"] == "done" and item["completed"]:
            started = date.fromisoformat(pm["started"][:10])
            figures["days-to-done"] = str((date.fromisoformat(item["completed"]) - started).days)
        assert row.get("x", {}) == figures, item["id"]
        # The cells are the page's, with the same links: the file is next to the first page.
        assert f'href="../postmortems/{pm["id"]}/"' in strings[row["c"][4]]


def test_the_first_page_counts_every_item(board: Board) -> None:
    first = board.article("action-items/index.html")
    counts = Counter(i["state"] for i in board.items)
    shown = dict(re.findall(r'data-count-state="([a-z-]+)">(\d+)<', first))
    assert shown == {state: str(counts[state]) for state in STATES}
    assert sum(counts.values()) == len(board.items) > PAGE_SIZE
    done = [i for i in board.items if i["state"] == "done" and i["completed"] and i["due"]]
    on_time = sum(i["completed"] <= i["due"] for i in done) / len(done)
    assert f'data-figure="on-time">{math.floor(on_time * 100 + 0.5)}%<' in first
    days = [
        (
            date.fromisoformat(i["completed"]) - date.fromisoformat(board.postmortems[i["postmortem"]]["started"][:10])
        ).days
        for i in board.items
        if i["state"] == "done" and i["completed"]
    ]
    assert f'data-figure="days-to-done">{statistics.median(days):g}<' in first
    explorer = re.search(r"<div [^>]*data-pm-explorer[^>]*>", first)
    assert explorer
    attributes = dict(re.findall(r'(data-[a-z-]+)="([^"]*)"', explorer[0]))
    assert attributes["data-total"] == str(len(board.items))
    assert attributes["data-rows"] == "list-rows.json" and attributes["data-page-size"] == str(PAGE_SIZE)
    assert attributes["data-noun"] == "action items" and "data-figures" in explorer[0]
    counts_attribute = json.loads(html.unescape(attributes["data-counts"]))
    assert dict(counts_attribute["state"]) == dict(counts)
    owners = Counter(i["owner"] or "unowned" for i in board.items)
    assert dict(counts_attribute["owner"]) == dict(owners)
    services = Counter(s for i in board.items for s in board.postmortems[i["postmortem"]]["services"])
    assert dict(counts_attribute["service"]) == dict(services)
    causes = Counter(c for i in board.items for c in i["addresses"])
    assert dict(counts_attribute["cause"]) == dict(causes)


# More disagreeing items than a page: the section shows a page of them, those a person
# must decide first, and says how many more there are.
DISAGREEING = 13
TRACKED = (
    textwrap.dedent(
        """\
    ---
    title: Checkout pool exhausted
    status: published
    severity: SEV2
    started: 2026-01-10T10:00:00+00:00
    teams: [checkout-team]
    authors: [A. Writer]
    summary: Checkout ran out of database connections.
    causes: [global-rollout]
    action_items:
      - title: Document pool sizing in the runbook
        status: done
        completed: 2026-06-01
        tracker: OPS-100
    """
    )
    + "".join(
        f"  - title: Fix number {n}\n    owner: sre-team\n    due: 2026-12-01\n    tracker: OPS-{n}\n"
        for n in range(1, DISAGREEING)
    )
    + "---\n"
)


def test_the_tracker_section_shows_a_page_of_disagreements_and_links_to_the_rest(tmp_path: Path) -> None:
    project = tmp_path / "project"
    files = {
        "mkdocs.yml": GENERATED.replace("audience: restricted", "audience: internal")
        + "      trackers:\n        - kind: jira\n          api: https://jira.example\n"
        '          token_env: JIRA_TOKEN\n          match: ["OPS-"]\n',
        "docs/index.md": "# Home\n",
        "postmortems/causes.yml": CAUSES_YML,
        "postmortems/a.md": TRACKED,
    }
    for rel, text in files.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(text, encoding="utf-8")
    synced = datetime(2026, 6, 29, tzinfo=UTC)
    tickets = {"a#1": Ticket("OPS-100", "open", None, "https://jira.example/browse/OPS-100", synced)}
    for n in range(1, DISAGREEING):  # open in the file, closed in the tracker
        url = f"https://jira.example/browse/OPS-{n}"
        tickets[f"a#{n + 1}"] = Ticket(f"OPS-{n}", "done", date(2026, 6, 20), url, synced)
    write_snapshot(project / "postmortems" / "tracker-state.json", Snapshot(synced, tickets))
    mkdocs_build(project, tmp_path / "site")
    page = (tmp_path / "site/action-items/index.html").read_text(encoding="utf-8")
    section = page[page.index('id="tracker-disagrees"') : page.index("data-pm-explorer")]
    assert f"Tracker disagrees <small>({DISAGREEING})</small>" in section
    shown = re.findall(r'data-disagrees="([^"]+)"', section)
    assert shown == ["a#1", *sorted(f"a#{n}" for n in range(2, DISAGREEING + 1))][:PAGE_SIZE]
    assert f'And {DISAGREEING - PAGE_SIZE} more: <a href="?tracker=disagrees">' in section
    assert 'data-facets="owner team service cause state tracker"' in page
