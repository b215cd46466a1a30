"""The tracker snapshot in the build: every place that shows an action item shows its
ticket's state, the build and ``kb lint`` warn where the two disagree, and a snapshot
that is old, missing or unreadable is said so, never a crash.

``kb sync`` (which writes the snapshot) is tested elsewhere: here the tests write the
snapshot file themselves, through the format's own writer."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from browsing import serve
from playwright import sync_api
from support import CAUSES_YML, Build, Kb, Site, WriteProject, mkdocs_build
from test_serve import fetch, serving

from kb.checks.library import CheckedFile, load
from kb.load.cache import ParseCache
from kb.load.project import open_project
from kb.load.tracker_state import Snapshot, Ticket, write_snapshot

MKDOCS = """\
site_name: Tracked library
theme:
  name: material
  font: false
plugins:
  - search
  - postmortems:
      today: 2026-06-30
      audience: {audience}
      trackers:
        - kind: jira
          api: https://jira.example
          token_env: JIRA_TOKEN
          match: ["OPS-"]
        - kind: github
          api: https://api.github.com
          token_env: GITHUB_TOKEN
          match: ["https://github.com/acme/"]
"""

ISSUE_7 = "https://github.com/acme/app/issues/7"
# A public postmortem whose items cover every case (today is 2026-06-30):
#   a#1 open, its ticket closed            -> disagrees: set done
#   a#2 open (no status key), not planned  -> disagrees: set wont-do; warned at the item's line
#   a#3 done, its ticket reopened          -> disagrees: a person decides
#   a#4 in progress, its ticket open       -> agrees
#   a#5 never synced                       -> nothing shown, nulls
#   a#6 synced for another ticket than it names now -> as never synced
PUBLIC = f"""\
---
title: Checkout pool exhausted
status: published
severity: SEV2
started: 2026-01-10T10:00:00+00:00
teams: [checkout-team]
authors: [A. Writer]
summary: Checkout ran out of database connections.
causes: [global-rollout]
visibility: public
action_items:
  - title: Alert on pool saturation above 90% for 5 minutes
    owner: sre-team
    due: 2026-05-01
    status: open
    tracker: OPS-12
  - title: Stage pool config rollouts by zone
    owner: platform-team
    due: 2026-07-05
    tracker: {ISSUE_7}
  - title: Document pool sizing in the runbook
    status: done
    completed: 2026-06-01
    tracker: OPS-14
  - title: Add a 2 s timeout to the pool client
    owner: sre-team
    due: 2026-12-01
    status: in-progress
    tracker: OPS-15
  - title: Shard the orders table by region
    owner: data-team
    due: 2026-12-31
    tracker: OPS-16
  - title: Rotate the pool credentials every 90 days
    owner: sre-team
    due: 2026-12-31
    tracker: OPS-17
---

The pool ran dry.
"""
# An internal one, whose ticket a public build must not show anywhere.
INTERNAL = """\
---
title: Billing export stalled
status: published
severity: SEV3
started: 2026-02-10T10:00:00+00:00
teams: [billing]
authors: [A. Writer]
summary: The export stalled.
causes: [global-rollout]
action_items:
  - title: Page when the export is two hours late
    owner: billing
    due: 2026-08-01
    status: open
    tracker: OPS-20
---
"""
SYNCED = datetime(2026, 6, 10, 6, 0, tzinfo=UTC)  # 20 days before today: older than the 7 days allowed


def ticket(tracker: str, state: str, closed: date | None = None, url: str | None = None) -> Ticket:
    key = tracker.rsplit("/", 1)[-1]
    return Ticket(tracker, state, closed, url or f"https://jira.example/browse/{key}", SYNCED)  # type: ignore[arg-type]


TICKETS = {
    "a#1": ticket("OPS-12", "done", date(2026, 6, 5)),
    "a#2": ticket(ISSUE_7, "wont-do", date(2026, 6, 8), url=ISSUE_7),
    "a#3": ticket("OPS-14", "open"),
    "a#4": ticket("OPS-15", "open"),
    "a#6": ticket("OPS-99", "done", date(2026, 6, 1)),  # the item names OPS-17 now
    "b#1": ticket("OPS-20", "done", date(2026, 6, 7), url="https://jira.example/browse/OPS-20-internal"),
}
AT = SYNCED.isoformat()
EXPECTED_API = {
    "a#1": ("done", "2026-06-05", AT),
    "a#2": ("wont-do", "2026-06-08", AT),
    "a#3": ("open", None, AT),
    "a#4": ("open", None, AT),
    "a#5": (None, None, None),
    "a#6": (None, None, None),
    "b#1": ("done", "2026-06-07", AT),
}


def line_of(text: str, needle: str, after: str = "") -> int:
    """The line (from 1) of the first ``needle`` after ``after``."""
    start = text.index(after)
    return text[: text.index(needle, start)].count("\n") + 1


def write_library(root: Path, audience: str, synced: datetime = SYNCED) -> Path:
    files = {
        "mkdocs.yml": MKDOCS.format(audience=audience),
        "docs/index.md": "# Home\n",
        "postmortems/causes.yml": CAUSES_YML,
        "postmortems/a.md": PUBLIC,
        "postmortems/b.md": INTERNAL,
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    write_snapshot(root / "postmortems" / "tracker-state.json", Snapshot(synced, TICKETS))
    return root


@pytest.fixture(scope="module")
def tracked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Site]:
    """The library, internal audience, with a snapshot 20 days old: built once for the module."""
    root = tmp_path_factory.mktemp("tracked")
    project = write_library(root / "project", "internal")
    mkdocs_build(project, root / "site")
    return project, Site(root / "site", [])


def output(kb: Kb, project: Path, *args: str) -> str:
    code, out, err = kb(project, *args)
    assert code == 0, err
    return out


def test_the_api_gives_each_items_ticket_state_exactly(tracked: tuple[Path, Site], kb: Kb) -> None:
    project, site = tracked
    items = json.loads(site.html("api/action-items.json"))
    got = {i["id"]: (i["tracker_state"], i["tracker_closed"], i["tracker_synced"]) for i in items}
    assert got == EXPECTED_API
    # The same records in /api/postmortems.json and kb actions --format json.
    nested = [i for pm in json.loads(site.html("api/postmortems.json")) for i in pm["action_items"]]
    assert sorted(nested, key=lambda i: i["id"]) == sorted(items, key=lambda i: i["id"])
    cli = {i["id"]: i for i in json.loads(output(kb, project, "actions", "--format", "json"))}
    assert cli == {i["id"]: i for i in items}


def test_kb_lint_warns_at_each_disagreeing_items_line_with_the_fix(tracked: tuple[Path, Site], kb: Kb) -> None:
    project, _ = tracked
    code, out, _ = kb(project, "lint")
    a1 = line_of(PUBLIC, "    status: open", after="Alert on pool saturation")
    a2 = line_of(PUBLIC, "  - title: Stage pool config rollouts by zone")  # no status key: the item's line
    a3 = line_of(PUBLIC, "    status: done", after="Document pool sizing")
    b1 = line_of(INTERNAL, "    status: open")
    assert out.splitlines() == [
        f"postmortems/a.md:{a1}: warning: action item 'Alert on pool saturation above 90% for 5 minutes': its "
        "ticket OPS-12 was closed on 2026-06-05: set `status: done` and `completed: 2026-06-05` (or run "
        "`kb sync --write`)",
        f"postmortems/a.md:{a2}: warning: action item 'Stage pool config rollouts by zone': its ticket {ISSUE_7} "
        "was closed as not planned on 2026-06-08: set `status: wont-do` and a `note` that names the ticket, e.g. "
        f"`note: Closed as not planned in {ISSUE_7}` (or run `kb sync --write`)",
        f"postmortems/a.md:{a3}: warning: action item 'Document pool sizing in the runbook': its ticket OPS-14 is "
        "open again, but this item is closed: a person must decide whether to reopen the item (`status: open`, "
        "with an `owner` and a `due` date) or close the ticket; `kb sync --write` leaves it as it is",
        f"postmortems/b.md:{b1}: warning: action item 'Page when the export is two hours late': its ticket OPS-20 "
        "was closed on 2026-06-07: set `status: done` and `completed: 2026-06-07` (or run `kb sync --write`)",
    ]
    assert code == 0  # warnings: a sync never takes a postmortem off the site


def board_rows(board: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-item="([^"]+)"(.*?)</tr>', board, flags=re.S))


def tracker_facets(site: Site) -> dict[str, list[str] | None]:
    """Each item's values of the board's tracker filter, from the rows its script fetches."""
    rows = json.loads(site.html("action-items/list-rows.json"))
    strings, column = rows["strings"], rows["facets"].index("tracker")
    return {row["id"]: [strings[v] for v in row["f"][column]] or None for row in rows["rows"]}


def test_the_board_shows_ticket_states_a_disagreement_section_a_filter_and_the_stale_note(
    tracked: tuple[Path, Site],
) -> None:
    _, site = tracked
    board = site.article("action-items/index.html")
    assert 'data-facets="owner team service cause state tracker"' in board
    assert "The tracker states were last synced on 2026-06-10, 20 days ago: run <code>kb sync</code>" in board
    section = board[board.index('id="tracker-disagrees"') : board.index("data-pm-explorer")]
    # Those a person must decide first, then those kb sync --write can fix.
    assert re.findall(r'data-disagrees="([^"]+)"', section) == ["a#3", "a#1", "a#2", "b#1"]
    assert "a person must decide" in section.split('data-disagrees="a#1"')[0]
    assert "set <code>status: done</code> and <code>completed: 2026-06-05</code>" in section
    assert "more:" not in section  # all four shown: fewer than a page
    rows = board_rows(board)
    assert tracker_facets(site) == {
        "a#1": ["done", "disagrees"],
        "a#2": ["wont-do", "disagrees"],
        "a#3": ["open", "disagrees"],
        "a#4": ["open"],
        "a#5": None,
        "a#6": None,
        "b#1": ["done", "disagrees"],
    }
    assert (
        '<a href="https://jira.example/browse/OPS-12">OPS-12</a><br><small class="pm-ticket pm-ticket-disagrees"'
        in (rows["a#1"])
    )
    assert "ticket closed on 2026-06-05 (synced 2026-06-10): tracker disagrees</small>" in rows["a#1"]
    assert "ticket open (synced 2026-06-10)</small>" in rows["a#4"]
    assert "pm-ticket" not in rows["a#5"] + rows["a#6"]


def test_the_postmortem_and_team_pages_show_each_tickets_state_next_to_the_items(tracked: tuple[Path, Site]) -> None:
    _, site = tracked
    items = site.page("a").split('id="action-items"')[1].split("</table>")[0]
    rows = re.findall(r'<tr id="action-items\.\d">(.*?)</tr>', items)
    notes = [re.findall(r'<small class="pm-ticket[^"]*" data-pagefind-ignore>([^<]*)</small>', row) for row in rows]
    assert notes == [
        ["ticket closed on 2026-06-05 (synced 2026-06-10): tracker disagrees"],
        ["ticket closed as not planned on 2026-06-08 (synced 2026-06-10): tracker disagrees"],
        ["ticket open (synced 2026-06-10): tracker disagrees"],
        ["ticket open (synced 2026-06-10)"],
        [],
        [],
    ]
    assert 'pm-state-overdue"' in rows[0].split("pm-ticket")[0]  # next to the file's own state
    # And wherever else items are listed: a team's open items.
    team = site.article("teams/checkout-team/index.html")
    assert "ticket closed on 2026-06-05 (synced 2026-06-10): tracker disagrees</small>" in team


def test_kb_actions_csv_and_text_carry_the_ticket(tracked: tuple[Path, Site], kb: Kb) -> None:
    project, _ = tracked
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(output(kb, project, "actions", "--format", "csv")))}
    assert list(rows["a#1"])[-3:] == ["tracker_state", "tracker_closed", "tracker_synced"]
    assert {k: rows["a#1"][k] for k in ("tracker_state", "tracker_closed", "tracker_synced")} == {
        "tracker_state": "done",
        "tracker_closed": "2026-06-05",
        "tracker_synced": AT,
    }
    assert [rows["a#5"][k] for k in ("tracker_state", "tracker_closed", "tracker_synced")] == ["", "", ""]
    text = output(kb, project, "actions", "--all")
    assert "a#4  ticket open (synced 2026-06-10)" in text
    assert "a#1  ticket closed on 2026-06-05 (synced 2026-06-10): its ticket OPS-12 was closed" in text
    assert text.startswith("The tracker states were last synced on 2026-06-10, 20 days ago")


def test_the_agenda_puts_disagreeing_items_apart_and_says_the_snapshot_is_old(
    tracked: tuple[Path, Site], kb: Kb
) -> None:
    project, _ = tracked
    out = output(kb, project, "actions", "--format", "md")
    disagrees = out.split("### Tracker disagrees (4)")[1].split("##")[0]
    assert re.findall(r"\*\*(.+?)\*\*", disagrees) == [
        "Document pool sizing in the runbook",  # a person must decide: first, as on the board
        "Alert on pool saturation above 90% for 5 minutes",  # then the most urgent
        "Stage pool config rollouts by zone",
        "Page when the export is two hours late",
    ]
    assert "Its ticket OPS-12 was closed on 2026-06-05: set `status: done`" in disagrees
    open_items = out.split("### Open (3)")[1].split("###")[0]
    assert "**Add a 2 s timeout to the pool client** (sre-team, due 2026-12-01; ticket open (synced 2026-06-10))" in (
        open_items
    )
    assert "The tracker states were last synced on 2026-06-10, 20 days ago" in out.split("## Needs")[0]


def test_a_public_build_holds_nothing_of_internal_tickets_and_a_fresh_snapshot_is_not_stale(
    tmp_path: Path,
) -> None:
    project = write_library(tmp_path / "project", "public", synced=datetime(2026, 6, 28, tzinfo=UTC))
    site = tmp_path / "site"
    mkdocs_build(project, site)
    items = json.loads((site / "api" / "action-items.json").read_text(encoding="utf-8"))
    assert {i["id"] for i in items} == {f"a#{n}" for n in range(1, 7)}
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".json", ".xml", ".js"}:
            text = path.read_text(encoding="utf-8")
            assert "OPS-20" not in text and "Billing export" not in text, path
    board = (site / "action-items" / "index.html").read_text(encoding="utf-8")
    assert "were last synced" not in board and "never synced" not in board
    assert re.findall(r'data-disagrees="([^"]+)"', board) == ["a#3", "a#1", "a#2"]


def test_an_unreadable_snapshot_is_a_warning_and_the_rest_builds(
    write_project: WriteProject, build: Build, kb: Kb
) -> None:
    project = write_project(
        {
            "mkdocs.yml": MKDOCS.format(audience="internal"),
            "postmortems/a.md": PUBLIC,
            "postmortems/tracker-state.json": '{"version": 1, "items": {"a#1": {"state": "closed"}}}',
        }
    )
    site = build(project)
    warning = "postmortems/tracker-state.json:1: warning: tracker snapshot: not a snapshot `kb sync` wrote"
    assert any(w.startswith(warning) for w in site.warnings), site.warnings
    assert site.has_page("a")
    assert all(i["tracker_state"] is None for i in json.loads(site.html("api/action-items.json")))
    board = site.article("action-items/index.html")
    assert "Trackers are configured, but their states were never synced: run <code>kb sync</code>" in board
    assert "pm-ticket" not in board and "Tracker disagrees" not in board
    _, out, _ = kb(project, "lint")
    [line] = [line for line in out.splitlines() if "tracker" in line]
    assert line.startswith(f"{warning} (state 'closed' is not one of open, done, wont-do)")
    assert line.endswith("run `kb sync` to write it again")


def test_a_new_snapshot_changes_what_rebuilds_compare_and_no_file_is_read_again(tmp_path: Path) -> None:
    """``mkdocs serve --dirty`` writes only the pages of changed files when the library's
    fingerprint is the one of the last build (``kb.build.quick``); after a sync every page
    that shows a ticket must render again, so the fingerprint must change. The files'
    checks do not depend on it: a serve session's parse cache serves every file again."""
    project = write_library(tmp_path, "internal")
    settings = open_project(project / "mkdocs.yml").settings
    cache: ParseCache[CheckedFile] = ParseCache()
    first, again = load(settings, project, cache), load(settings, project, cache)
    assert (first.fingerprint, first.sources) == (again.fingerprint, again.sources)
    parsed = cache.keys()
    closed = {**TICKETS, "a#5": ticket("OPS-16", "done", date(2026, 6, 12))}
    write_snapshot(project / "postmortems" / "tracker-state.json", Snapshot(SYNCED, closed))
    synced = load(settings, project, cache)
    assert synced.fingerprint != first.fingerprint and synced.sources != first.sources
    assert cache.keys() == parsed  # no file was checked again
    new = {p.message for p in synced.problems} - {p.message for p in first.problems}
    assert new == {
        "action item 'Shard the orders table by region': its ticket OPS-16 was closed on 2026-06-12: set "
        "`status: done` and `completed: 2026-06-12` (or run `kb sync --write`)"
    }


def test_the_board_filters_by_the_tickets_state_in_a_browser(tracked: tuple[Path, Site], page: Any) -> None:
    _, site = tracked
    with serve(site.root) as url:
        page.goto(f"{url}/action-items/")
        select = page.get_by_label("Tracker", exact=True)
        options = select.locator("option").all_inner_texts()
        assert options == ["All (7)", "disagrees (4)", "done (2)", "open (2)", "wont-do (1)"]
        select.select_option("disagrees")
        sync_api.expect(page.locator(".pm-count")).to_have_text("4 of 7 action items")  # once the rows are fetched
        shown = [
            row.get_attribute("data-item")
            for row in page.query_selector_all("table.pm-list tr[data-item]")
            if row.is_visible()
        ]
        assert sorted(shown) == ["a#1", "a#2", "a#3", "b#1"]
        assert page.inner_text('.pm-figures [data-count-state="overdue"]') == "1"  # a#1, the only overdue one
        assert "tracker=disagrees" in page.url


def test_mkdocs_serve_rebuilds_after_a_sync_writes_a_snapshot_outside_the_source_folder(
    write_project: WriteProject,
) -> None:
    """``kb sync`` replaces the snapshot whole; where ``tracker_state`` puts it outside the
    watched source folder, serve watches its folder (not that folder's own folders)."""
    config = MKDOCS.format(audience="internal") + "      tracker_state: state/tracker-state.json\n"
    project = write_project({"mkdocs.yml": config, "postmortems/a.md": PUBLIC})
    write_snapshot(project / "state" / "tracker-state.json", Snapshot(SYNCED, {}))
    with serving(project, livereload=True) as url:
        write_snapshot(project / "state" / "tracker-state.json", Snapshot(SYNCED, {"a#1": TICKETS["a#1"]}))
        deadline = time.monotonic() + 30
        while json.loads(fetch(f"{url}/api/action-items.json")[1])[0]["tracker_state"] is None:
            assert time.monotonic() < deadline, "no rebuild after the snapshot changed"
            time.sleep(0.2)
