"""Follow-through: action-item states everywhere, the board's figures, kb actions, lint."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from support import REPO, Build, Kb, Site, WriteProject

ITEM = """\
  - title: {title}
    owner: {owner}
    due: {due}
    status: {status}
{extra}"""

HEADER = """\
---
title: {title}
status: published
severity: {severity}
started: {started}T10:00:00+00:00
teams: [{team}]
authors: [A. Writer]
summary: Something failed.
causes: [global-rollout]
action_items:
"""


def postmortem(
    title: str, started: str, items: list[dict[str, str]], severity: str = "SEV2", team: str = "core"
) -> str:
    body = "".join(
        ITEM.format(
            title=i["title"],
            owner=i.get("owner", "sre-team"),
            due=i.get("due", "2026-12-31"),
            status=i.get("status", "open"),
            extra="".join(f"    {k}: {v}\n" for k, v in i.items() if k in ("completed", "note", "tracker")),
        )
        for i in items
    )
    return HEADER.format(title=title, started=started, severity=severity, team=team) + body + "---\n"


# Hand-counted, with today = 2026-06-30 and due-soon = 14 days:
#   overdue: a#1 (due 2026-05-31, 30 days), b#2 (2026-06-20, 10 days)
#   due-soon: a#2 (2026-07-10)    open: b#1 (2026-12-31)
#   done: a#3 (due 2026-02-01, completed 2026-01-31: on time, 14 days after 2026-01-17)
#         b#3 (due 2026-03-01, completed 2026-04-01: late, 44 days after 2026-02-16)
#   wont-do: b#4
HAND_COUNTED = {
    "postmortems/a.md": postmortem(
        "Alpha",
        "2026-01-17",
        [
            {"title": "Alert on queue depth above 10k for 5 minutes", "due": "2026-05-31", "owner": "Ana Lima"},
            {"title": "Add a 2 s timeout to the inventory client", "due": "2026-07-10"},
            {"title": "Stage config rollouts by zone", "due": "2026-02-01", "status": "done",
             "completed": "2026-01-31"},
        ],
    ),
    "postmortems/b.md": postmortem(
        "Beta",
        "2026-02-16",
        [
            {"title": "Shard the orders table by region", "due": "2026-12-31"},
            {"title": "Rotate the webhook key every 90 days", "due": "2026-06-20", "owner": "Ana Lima"},
            {"title": "Page on 5xx ratio above 1% at the edge", "due": "2026-03-01", "status": "done",
             "completed": "2026-04-01", "tracker": "https://tracker.example/OPS-1"},
            {"title": "Rewrite the scheduler in Rust", "status": "wont-do", "note": "Out of scope after the fix."},
        ],
        team="payments",
    ),
}  # fmt: skip
EXPECTED_STATES = {
    "a#1": "overdue",
    "a#2": "due-soon",
    "a#3": "done",
    "b#1": "open",
    "b#2": "overdue",
    "b#3": "done",
    "b#4": "wont-do",
}


@pytest.fixture
def hand_counted(write_project: WriteProject, build: Build) -> tuple[Path, Site]:
    project = write_project(HAND_COUNTED)
    return project, build(project, strict=True)


def board_states(site: Site) -> dict[str, str]:
    """Each item's state, as its row's badge on the board shows it."""
    rows = re.findall(r'<tr data-item="([^"]+)">(.*?)</tr>', site.article("action-items/index.html"), flags=re.S)
    return {item: re.findall(r'pm-badge pm-state-([a-z-]+)"', row)[0] for item, row in rows}


def page_states(site: Site, pm_id: str) -> list[str]:
    return re.findall(r'pm-badge pm-state-([a-z-]+)"', site.page(pm_id))


def test_states_agree_on_pages_json_and_cli(hand_counted: tuple[Path, Site], kb: Kb) -> None:
    project, site = hand_counted
    api = {i["id"]: i["state"] for i in json.loads(site.html("api/action-items.json"))}
    code, out, _ = kb(project, "actions", "--format", "json")
    cli = {i["id"]: i["state"] for i in json.loads(out)}
    assert code == 0
    assert api == cli == EXPECTED_STATES
    assert {(i["tracker_state"], i["tracker_closed"], i["tracker_synced"]) for i in json.loads(out)} == {(None,) * 3}
    assert page_states(site, "a") == ["overdue", "due-soon", "done"]
    assert page_states(site, "b") == ["open", "overdue", "done", "wont-do"]
    # The board shows every item but those done more than 90 days ago (a#3).
    assert board_states(site) == EXPECTED_STATES  # every item, done long ago too


def test_states_agree_on_the_example_library(tmp_path: Path, kb: Kb) -> None:
    import subprocess
    import sys

    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)], cwd=REPO, check=True)
    api = {i["id"]: i["state"] for i in json.loads((site / "api/action-items.json").read_text())}
    _, out, _ = kb(REPO, "actions", "--format", "json")
    assert {i["id"]: i["state"] for i in json.loads(out)} == api
    assert set(api.values()) == {"done", "wont-do", "overdue", "due-soon", "open"}
    for pm in json.loads((site / "api/postmortems.json").read_text()):
        html = (site / "postmortems" / pm["id"] / "index.html").read_text()
        assert re.findall(r'pm-badge pm-state-([a-z-]+)"', html) == [i["state"] for i in pm["action_items"]]


def test_board_headline_figures_match_hand_counts(hand_counted: tuple[Path, Site]) -> None:
    _, site = hand_counted
    board = site.article("action-items/index.html")
    figures = dict(
        (label, number) for number, label in re.findall(r"<strong[^>]*>([^<]+)</strong> ([a-z' ]+)</div>", board)
    )
    assert figures == {
        "open": "1",  # the state open: not overdue, not due soon, and the Open section's count
        "overdue": "2",
        "due soon": "1",
        "done": "2",
        "won't do": "1",
        "done by their due date": "50%",
        "median days from incident to done": "29",
    }
    assert "Alert on queue depth above 10k for 5 minutes" in board.split("Oldest overdue")[1].split("</div>")[0]
    overdue = board[board.index('scope="rowgroup">Overdue<') : board.index('scope="rowgroup">Due soon<')]
    assert overdue.index('data-item="a#1"') < overdue.index('data-item="b#2"')  # oldest first
    assert "30 days overdue" in overdue
    assert "Out of scope after the fix." in board  # won't do, with its note
    assert 'href="https://tracker.example/OPS-1"' in board  # b#3 links its tracker
    assert "Stage config rollouts by zone" in board  # a#3, done more than 90 days ago: still counted, still shown
    # Never synced: the board is the one a library without trackers always had.
    assert 'data-facets="owner team service cause state"' in board
    assert "pm-ticket" not in board + site.page("b") and "Tracker" not in re.sub(r"<th[^>]*>Tracker</th>", "", board)


def test_kb_actions_filters(hand_counted: tuple[Path, Site], kb: Kb) -> None:
    project, _ = hand_counted

    def ids(*args: str) -> list[str]:
        return [i["id"] for i in json.loads(kb(project, "actions", "--format", "json", *args)[1])]

    assert ids("--state", "overdue") == ["a#1", "b#2"]  # most overdue first
    assert ids("--owner", "ana lima") == ["a#1", "b#2"]
    assert set(ids("--team", "payments")) == {"b#1", "b#2", "b#3", "b#4"}
    assert set(ids("--team", "PAYMENTS")) == {"b#1", "b#2", "b#3", "b#4"}
    # A name nothing has is a typo, not a team with nothing to do.
    assert kb(project, "actions", "--team", "payment") == (
        2,
        "",
        "kb actions: no postmortem or action item names the team 'payment'; did you mean 'payments'?\n",
    )
    assert kb(project, "actions", "--owner", "ana lim")[2].endswith("; did you mean 'Ana Lima'?\n")
    assert kb(project, "actions", "--team", "nobody")[:2] == (2, "")


def test_kb_actions_csv_is_rfc4180(hand_counted: tuple[Path, Site]) -> None:
    import subprocess
    import sys

    project, _ = hand_counted
    raw = subprocess.run(
        [sys.executable, "-m", "kb.cli", "actions", "--format", "csv"],
        cwd=project,
        capture_output=True,
        check=True,
    ).stdout  # bytes: text mode would turn the CRLF line ends into LF
    out = raw.decode()
    assert raw.count(b"\r\n") == 8 and b"\n" not in raw.replace(b"\r\n", b"")
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert len(rows) == 7
    assert {r["id"]: r["state"] for r in rows} == EXPECTED_STATES
    assert next(r for r in rows if r["id"] == "b#3")["tracker"] == "https://tracker.example/OPS-1"


def test_kb_actions_md_all_lists_every_item_grouped_by_owner(write_project: WriteProject, kb: Kb) -> None:
    project = write_project(HAND_COUNTED)  # kb reads the files: no site needed
    _, out, _ = kb(project, "actions", "--format", "md", "--all")
    assert out.startswith("# Action items, 2026-06-30")
    sections = re.findall(r"^## (.+)$", out, flags=re.M)
    assert sections == ["Ana Lima", "sre-team"]
    ana = out.split("## Ana Lima")[1].split("## sre-team")[0]
    assert ana.count("- [ ]") == 2 and "30 days overdue" in ana
    assert "- [x] **Stage config rollouts by zone**" in out


HAND_COUNTED_AGENDA = """\
# Action item review, 2026-06-30

Links are relative to the site's root: set `site_url` in mkdocs.yml to make them absolute.

## Needs a decision (4)

### Overdue (2)

- [ ] **Alert on queue depth above 10k for 5 minutes** (Ana Lima, due 2026-05-31, 30 days overdue) from [Alpha](postmortems/a/).
- [ ] **Rotate the webhook key every 90 days** (Ana Lima, due 2026-06-20, 10 days overdue) from [Beta](postmortems/b/).

### Due soon (1)

- [ ] **Add a 2 s timeout to the inventory client** (sre-team, due 2026-07-10) from [Alpha](postmortems/a/).

### Open (1)

- [ ] **Shard the orders table by region** (sre-team, due 2026-12-31) from [Beta](postmortems/b/).

## Closed since 2026-03-25 (1)

- [x] **Page on 5xx ratio above 1% at the edge** (Done 2026-04-01, sre-team) from [Beta](postmortems/b/).

Not shown: 2 closed before 2026-03-25 or without a date (1 done and 1 won't do); `--all` lists every item.
"""  # noqa: E501  (the agenda as printed, one item a line)


def test_kb_actions_md_is_the_weekly_agenda(write_project: WriteProject, kb: Kb) -> None:
    project = write_project(HAND_COUNTED)  # kb reads the files: no site needed
    _, out, _ = kb(project, "actions", "--format", "md", "--since", "2026-03-25")
    assert out == HAND_COUNTED_AGENDA
    _, text, _ = kb(project, "actions", "--since", "2026-03-25")  # text: the same selection
    assert re.findall(r"^ {10}(\S+)$", text, flags=re.M) == ["a#1", "b#2", "a#2", "b#1", "b#3"]
    assert text.splitlines()[-1] == HAND_COUNTED_AGENDA.splitlines()[-1]


def example_agenda(kb: Kb, tmp_path: Path, *args: str, config: str = "") -> str:
    """``kb actions --format md`` on the example library, through a mkdocs.yml of ``config``."""
    mkdocs_yml = tmp_path / "mkdocs.yml"
    mkdocs_yml.write_text(
        f"site_name: Example\n{config}plugins:\n  - postmortems:\n      source: {REPO / 'postmortems'}\n",
        encoding="utf-8",
    )
    code, out, err = kb(tmp_path, "actions", "-f", str(mkdocs_yml), "--format", "md", "--today", "2026-06-20", *args)
    assert code == 0, err
    return out


def test_the_example_librarys_agenda_puts_overdue_first_and_only_this_weeks_closed_items(
    kb: Kb, tmp_path: Path
) -> None:
    out = example_agenda(kb, tmp_path)
    decide = out.split("## Needs a decision")[1].split("\n## ")[0]
    assert re.findall(r"^### (\w[\w ]*) \(", decide, flags=re.M)[0] == "Overdue"
    overdue = decide.split("### Overdue")[1].split("###")[0]
    late = [int(n) for n in re.findall(r"(\d+) days overdue", overdue)]
    assert len(late) >= 2 and late == sorted(late, reverse=True)
    assert "days overdue" not in decide.split("### Overdue")[1].split("###", 1)[1]  # only there

    _, listed, _ = kb(REPO, "actions", "--format", "json", "--today", "2026-06-20")
    closed = [i for i in json.loads(listed) if i["state"] in ("done", "wont-do")]
    this_week = {i["title"] for i in closed if i["completed"] and "2026-06-13" <= i["completed"] <= "2026-06-20"}
    assert this_week and len(this_week) < len(closed)  # the example has items closed long before
    section = out.split("## Closed since 2026-06-13")[1].split("\nNot shown")[0]
    assert set(re.findall(r"- \[x\] \*\*(.+?)\*\*", section)) == this_week
    assert f"Not shown: {len(closed) - len(this_week)} closed before 2026-06-13" in out
    assert out.count("Links are relative to the site's root") == 1
    links = re.findall(r"\]\(([^)]+)\)", out)
    assert links and all(re.fullmatch(r"postmortems/[a-z0-9-]+/", link) for link in links)


def test_with_site_url_every_link_of_the_agenda_is_absolute(kb: Kb, tmp_path: Path) -> None:
    config = "site_url: https://postmortems.example.com/library/\nuse_directory_urls: false\n"
    out = example_agenda(kb, tmp_path, "--since", "2026-05-20", config=config)
    links = re.findall(r"\]\(([^)]+)\)", out)
    assert len(links) > 10
    assert all(
        re.fullmatch(r"https://postmortems\.example\.com/library/postmortems/[a-z0-9-]+\.html", u) for u in links
    )
    assert "relative" not in out
    assert "## Closed since 2026-05-20 (" in out


VAGUE = ["Improve monitoring", "Investigate the outage", "Look into retries", "Be more careful with deploys"]


@pytest.mark.parametrize("title", VAGUE)
def test_vague_titles_are_flagged_with_path_and_line(write_project: WriteProject, kb: Kb, title: str) -> None:
    project = write_project({"postmortems/a.md": postmortem("Alpha", "2026-01-17", [{"title": title}])})
    code, out, _ = kb(project, "lint", "--strict")
    assert code == 1
    assert out.startswith(f"postmortems/a.md:11: warning: vague action item '{title}'")
    assert "specific" in out and "owned" in out and "dated" in out and "bounded" in out and "e.g." in out


def test_same_title_open_in_several_postmortems_is_reported(write_project: WriteProject, kb: Kb) -> None:
    item = [{"title": "Add a 2 s timeout to the inventory client"}]
    project = write_project(
        {
            "postmortems/a.md": postmortem("A", "2026-01-17", item),
            "postmortems/b.md": postmortem("B", "2026-02-17", item),
        }
    )
    _, out, _ = kb(project, "lint")
    assert out.strip() == (
        "postmortems/b.md:11: warning: action item 'Add a 2 s timeout to the inventory client' is also open in "
        "postmortems/a.md: track it once and link the postmortems with 'related'"
    )


def test_due_date_policy_per_severity(write_project: WriteProject, kb: Kb) -> None:
    config = (
        "site_name: T\nplugins:\n  - postmortems:\n      today: 2026-06-30\n      due_policy: {SEV1: 15, SEV2: 30}\n"
    )
    items = [{"title": "Add a 2 s timeout to the inventory client", "due": "2026-02-28"}]
    project = write_project(
        {
            "mkdocs.yml": config,
            "postmortems/a.md": postmortem("A", "2026-01-17", items, severity="SEV1"),  # 42 days > 15
            "postmortems/b.md": postmortem(
                "B", "2026-01-17", [{**items[0], "title": "Shard the orders table by region"}], severity="SEV3"
            ),
        }
    )
    _, out, _ = kb(project, "lint")
    [line] = out.splitlines()  # b is a SEV3: the policy has no limit for it
    assert line.startswith("postmortems/a.md:13: warning: action item due 2026-02-28, more than 15 days")


def test_overdue_items_fail_strict_builds_only_when_asked(write_project: WriteProject, kb: Kb) -> None:
    items = [{"title": "Add a 2 s timeout to the inventory client", "due": "2026-05-01"}]
    files = {"postmortems/a.md": postmortem("A", "2026-01-17", items)}
    assert kb(write_project(files), "lint", "--strict")[0] == 0
    gate = "site_name: T\nplugins:\n  - postmortems:\n      today: 2026-06-30\n      overdue_fails_strict: true\n"
    code, out, _ = kb(write_project({**files, "mkdocs.yml": gate}), "lint", "--strict")
    assert code == 1
    assert "postmortems/a.md:13: warning: action item 'Add a 2 s timeout to the inventory client' is overdue" in out


def test_example_library_team_typo_gets_a_did_you_mean(kb: Kb) -> None:
    code, _, err = kb(REPO, "actions", "--team", "checkout")
    assert code == 2
    assert err.endswith("did you mean 'checkout-team'?\n")


def test_example_library_action_items_pass_the_quality_checks(kb: Kb) -> None:
    code, out, _ = kb(REPO, "lint", "--strict")
    assert code == 0, out
