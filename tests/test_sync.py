"""``kb sync``, run as a user runs it, against a loopback server that speaks GitHub's,
GitLab's and Jira's APIs (``tracker_server.py``), faults included.

One library and one server for the module: a first sync records every state through a
429, a rate-limited 403 and a 500; a second one meets a malformed answer that quotes the
token, a slow one, a missing token and a file with an error, and sends the ETags it has;
a third writes the files. Each test reads what its run left. Smaller projects check
Jira without its search, a token no header can hold, and the configuration errors.
"""

from __future__ import annotations

import base64
import difflib
import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from support import CAUSES_YML
from test_scale import on_a_terminal
from tracker_server import Seen, Trackers, TrackerServer, github_issue, gitlab_issue, jira_issue

from kb.sync.references import GitHubIssue, GitLabIssue, JiraIssue, parse

# Recognisable, so that any leak shows; the Jira one is Cloud's email:api-token.
GITHUB_TOKEN = "ghp_SECRETgithubTOKEN0123456789"
GITLAB_TOKEN = "glpat-SECRETgitlabTOKEN98765"
JIRA_TOKEN = "lead@acme.test:SECRETjiraAPItoken4242"
TOKENS = {"KB_TEST_GITHUB_TOKEN": GITHUB_TOKEN, "KB_TEST_GITLAB_TOKEN": GITLAB_TOKEN, "KB_TEST_JIRA_TOKEN": JIRA_TOKEN}

CONFIG = """\
site_name: Sync
theme:
  name: material
  font: false
plugins:
  - search
  - postmortems:
      today: 2026-06-30
      trackers:
        - kind: github
          api: {url}
          token_env: KB_TEST_GITHUB_TOKEN
          match: ["https://github.com/acme/", "acme/"]  # the short form too
        - kind: gitlab
          api: {url}/
          token_env: KB_TEST_GITLAB_TOKEN
          match: ["https://gitlab.acme.test/"]
        - kind: jira
          api: {url}
          token_env: KB_TEST_JIRA_TOKEN
          match: ["OPS-", "https://jira.acme.test/browse/"]
"""

PM = "2026-03-12-checkout-db-pool"
# Comments, quoting and a status left out: --write must keep all of it.
POSTMORTEM = """\
---
title: Checkout database pool exhausted
status: published
severity: SEV2
started: 2026-03-12T14:00:00+00:00
services: [checkout-api]
authors: [Priya Raman]
summary: Checkout ran out of database connections after a query plan change.
causes: [global-rollout]
action_items:
  # The pool itself
  - title: Alert on pool saturation above 90 percent
    owner: sre-team
    due: 2026-07-01
    tracker: https://github.com/acme/shop/issues/1
  - title: Stage pool config rollouts region by region
    owner: platform-team
    due: 2026-07-05
    status: in-progress   # half the regions done
    tracker: "https://github.com/acme/shop/issues/2"
  - title: Drop the legacy pool sizing script entirely
    owner: platform-team
    due: 2026-07-05
    tracker: https://github.com/acme/shop/issues/3
  - title: Cap connections per pod at twenty
    owner: platform-team
    due: 2026-07-05
    tracker: acme/shop#4
  - title: Page the database on-call on pool exhaustion
    owner: sre-team
    due: 2026-07-05
    tracker: https://github.com/acme/shop/issues/5
  - title: Add a pool dashboard per service and region
    owner: sre-team
    due: 2026-07-05
    tracker: https://github.com/acme/shop/issues/6
  - title: Load test the pooler at twice peak traffic
    owner: sre-team
    due: 2026-07-05
    tracker: https://github.com/acme/shop/issues/7
  # Elsewhere
  - title: Move the pooler config into the platform repo
    owner: platform-team
    due: 2026-07-05
    tracker: https://gitlab.acme.test/acme/platform/db/-/issues/7
  - title: Document pool sizing for every service owner
    owner: platform-team
    due: 2026-07-05
    tracker: https://gitlab.acme.test/acme/platform/db/-/issues/8
  - title: Roll back query plan changes automatically
    owner: dba-team
    due: 2026-07-05
    status: 'open'
    tracker: OPS-1
  - title: Rewrite the ORM layer of checkout
    owner: dba-team
    due: 2026-07-05
    tracker: OPS-2
    note: |
      Kept as a record of the idea.
  - title: Review every query plan change in checkout
    owner: dba-team
    due: 2026-07-05
    tracker: OPS-3
  - title: Pin the planner statistics of the orders table
    owner: dba-team
    due: 2026-07-05
    tracker: https://jira.acme.test/browse/OPS-4
  - title: Kill idle transactions after thirty seconds
    owner: dba-team
    status: done
    completed: 2026-05-01
    tracker: OPS-5
  - title: Send pool metrics to the new observability vendor
    owner: sre-team
    due: 2026-07-05
    tracker: https://tickets.example.org/9
---

## What happened

The pool ran dry.
"""
# Another file, with Windows line ends, an item written as a flow mapping, and one
# dropped in the file whose ticket was done: a person decided, --write leaves it.
FLOW = (
    "---\r\n"
    "title: Orders replica fell behind\r\n"
    "status: published\r\n"
    "severity: SEV3\r\n"
    "started: 2026-04-02T09:00:00+00:00\r\n"
    "authors: [Priya Raman]\r\n"
    "summary: The orders replica lagged ten minutes behind.\r\n"
    "causes: [missing-alert]\r\n"
    "action_items:\r\n"
    "  - {title: Alert on replica lag above one minute, owner: dba-team, due: 2026-07-01, tracker: OPS-6}\r\n"
    "  - title: Page on replica lag above five minutes\r\n"
    "    owner: dba-team\r\n"
    "    due: 2026-07-01\r\n"
    "    tracker: OPS-7\r\n"
    "  - {title: Move orders to the new replica set, status: wont-do, note: Superseded., tracker: OPS-8}\r\n"
    "---\r\n"
    "\r\n"
    "Lag.\r\n"
)
FLOW_PM = "2026-04-02-orders-replica-lag"


def item(n: int) -> str:
    return f"{PM}#{n}"


@dataclass
class Run:
    code: int
    out: str
    err: str
    snapshot: dict[str, object]
    text: str  # the snapshot file


@dataclass
class Synced:
    project: Path
    trackers: Trackers
    first: Run
    second: Run
    written: Run
    seen: tuple[list[Seen], list[Seen]]  # the requests of the first and the second run
    before: dict[str, str]  # each postmortem's text before --write


def write_files(root: Path, config: str, postmortems: dict[str, str]) -> None:
    """A project: its ``mkdocs.yml``, the causes, and postmortems by their path in the source folder."""
    files = {"mkdocs.yml": config, "causes.yml": textwrap.dedent(CAUSES_YML), **postmortems}
    for rel, text in files.items():
        path = root / rel if rel == "mkdocs.yml" else root / "postmortems" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def sync(project: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    done = subprocess.run(
        [sys.executable, "-m", "kb.cli", "sync", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(TOKENS if env is None else env)},
    )
    path = project / "postmortems" / "tracker-state.json"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return Run(done.returncode, done.stdout, done.stderr, json.loads(text) if text else {}, text)


def served() -> Trackers:
    trackers = Trackers(GITHUB_TOKEN, GITLAB_TOKEN, JIRA_TOKEN)
    web = "https://github.com/acme/shop/issues/"
    trackers.github.update(
        {
            "acme/shop#1": github_issue("open", url=f"{web}1"),
            "acme/shop#2": github_issue("closed", "completed", "2026-05-02T23:30:00Z", f"{web}2"),
            "acme/shop#3": github_issue("closed", "not_planned", "2026-05-03T08:00:00Z", f"{web}3"),
            "acme/shop#4": github_issue("closed", "completed", "2026-05-04T08:00:00Z", f"{web}4"),
            "acme/shop#6": github_issue("open", "reopened", url=f"{web}6"),
            "acme/shop#7": github_issue("open", url=f"{web}7"),
        }
    )
    trackers.gitlab.update(
        {
            "acme/platform/db#7": gitlab_issue("closed", "2026-05-07T10:00:00.000Z", "https://gitlab.acme.test/7"),
            "acme/platform/db#8": gitlab_issue("opened", url="https://gitlab.acme.test/8"),
        }
    )
    trackers.jira.update(
        {
            "OPS-1": jira_issue("Closed", "done", "Done", "2026-05-11T10:00:00.000+0000"),
            "OPS-2": jira_issue("Closed", "done", "Won't Do", "2026-05-12T10:00:00.000+0000"),
            "OPS-3": jira_issue("In Progress", "indeterminate"),
            "OPS-4": jira_issue("Resolved", "done", "Fixed", "2026-05-14T23:00:00.000-0700"),
            "OPS-5": jira_issue("Reopened", "new"),
            "OPS-6": jira_issue("Done", "done", "Done", "2026-05-16T10:00:00.000+0000"),
            "OPS-7": jira_issue("Done", "done", "Done", "2026-05-17T10:00:00.000+0000"),
            "OPS-8": jira_issue("Done", "done", "Done", "2026-05-18T10:00:00.000+0000"),
        }
    )
    return trackers


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synced]:
    trackers = served()
    with TrackerServer(trackers) as url:
        project = tmp_path_factory.mktemp("sync")
        write_files(project, CONFIG.format(url=url), {f"2026/{PM}.md": POSTMORTEM})
        (project / f"postmortems/2026/{FLOW_PM}.md").write_bytes(FLOW.encode())

        issue = "/repos/acme/shop/issues/"
        trackers.fail(f"{issue}4", "429")
        trackers.fail(f"{issue}6", "500")
        trackers.fail(f"{issue}7", "403-rate-limit")
        first = sync(project)
        seen_first = trackers.take_seen()

        trackers.fail(f"{issue}1", "malformed")
        trackers.fail(f"{issue}2", "slow")
        flow = project / f"postmortems/2026/{FLOW_PM}.md"
        flow.write_bytes(FLOW.replace("severity:", "serverity:").encode())  # an error: the file is not read
        second = sync(project, "--timeout", "1", env={k: v for k, v in TOKENS.items() if "GITLAB" not in k})
        seen = (seen_first, trackers.take_seen())
        flow.write_bytes(FLOW.encode())

        before = {path.name: path.read_bytes().decode() for path in (project / "postmortems/2026").iterdir()}
        written = sync(project, "--write")
        yield Synced(project, trackers, first, second, written, seen, before)


def states(run: Run) -> dict[str, tuple[str, str | None]]:
    return {key: (entry["state"], entry["closed"]) for key, entry in run.snapshot["items"].items()}  # type: ignore[attr-defined]


def failures(run: Run) -> list[str]:
    return [line for line in run.err.splitlines() if line.startswith("postmortems/")]


def test_every_state_is_recorded_through_429_403_and_500(synced: Synced) -> None:
    assert states(synced.first) == {
        item(1): ("open", None),
        item(2): ("done", "2026-05-02"),
        item(3): ("wont-do", "2026-05-03"),
        item(4): ("done", "2026-05-04"),
        item(6): ("open", None),
        item(7): ("open", None),
        item(8): ("done", "2026-05-07"),
        item(9): ("open", None),
        item(10): ("done", "2026-05-11"),
        item(11): ("wont-do", "2026-05-12"),
        item(12): ("open", None),
        item(13): ("done", "2026-05-15"),  # 23:00 at -07:00 is the 15th in UTC, the library's zone
        item(14): ("open", None),
        f"{FLOW_PM}#1": ("done", "2026-05-16"),
        f"{FLOW_PM}#2": ("done", "2026-05-17"),
        f"{FLOW_PM}#3": ("done", "2026-05-18"),
    }
    entry = synced.first.snapshot["items"][item(11)]  # type: ignore[index]
    assert entry["status"] == "Closed (Won't Do)" and entry["not_planned"] is True
    assert entry["url"].endswith("/browse/OPS-2") and entry["tracker"] == "OPS-2"
    assert synced.first.snapshot["items"][item(1)]["url"] == "https://github.com/acme/shop/issues/1"  # type: ignore[index]


def test_exit_1_lists_exactly_the_ticket_that_is_gone(synced: Synced) -> None:
    assert synced.first.code == 1, synced.first.err
    (line,) = failures(synced.first)
    at = POSTMORTEM.splitlines().index("    tracker: https://github.com/acme/shop/issues/5") + 1  # its tracker's line
    gone = "https://github.com/acme/shop/issues/5"
    assert line.startswith(f"postmortems/2026/{PM}.md:{at}: {item(5)} ({gone}): not found")
    assert "16 synced" in synced.first.err and "1 failed" in synced.first.err


def answers(seen: list[Seen], issue: int) -> list[int]:
    return [s.status for s in seen if s.path == f"/repos/acme/shop/issues/{issue}"]


def test_rate_limits_and_server_errors_are_waited_out_and_retried(synced: Synced) -> None:
    first = synced.seen[0]
    assert (answers(first, 4), answers(first, 7), answers(first, 6)) == ([429, 200], [403, 200], [500, 200])


def test_jira_is_asked_in_pages_for_the_three_fields_only(synced: Synced) -> None:
    searches = [s for s in synced.seen[0] if s.path.startswith("/rest/api/2/search")]
    starts = sorted(int(s.path.split("startAt=")[1].split("&")[0]) for s in searches)
    assert starts == [0, 2, 4, 6]  # 8 keys, 2 a page: the server's cap, not the 50 asked
    assert all("validateQuery=warn" in s.path for s in searches)
    assert all(s.headers["authorization"].startswith("Basic ") for s in searches)


def test_the_token_is_nowhere_in_output_or_snapshot(synced: Synced) -> None:
    for run in (synced.first, synced.second, synced.written):
        basic = base64.b64encode(JIRA_TOKEN.encode()).decode()
        for token in (GITHUB_TOKEN, GITLAB_TOKEN, JIRA_TOKEN, JIRA_TOKEN.split(":")[1], basic):
            assert token not in run.out + run.err + run.text


def test_conditional_requests_send_the_etag_and_a_304_keeps_the_entry(synced: Synced) -> None:
    github = [s for s in synced.seen[1] if s.path.startswith("/repos/")]
    not_modified = {s.path.rsplit("/", 1)[1] for s in github if s.status == 304}
    assert not_modified == {"2", "3", "4", "6", "7"}  # 1 was malformed, 5 is gone
    assert all(s.headers.get("if-none-match", "").startswith('W/"') for s in github if s.path.endswith(("3", "7")))
    entry, before = synced.second.snapshot["items"][item(3)], synced.first.snapshot["items"][item(3)]  # type: ignore[index]
    assert entry["fetched"] == synced.second.snapshot["synced"] != before["fetched"]
    assert {**entry, "fetched": None} == {**before, "fetched": None}
    assert "10 unchanged" in synced.second.err  # those 5, and the 5 Jira tickets searched again


def test_a_failed_item_keeps_its_entry_and_says_why(synced: Synced) -> None:
    assert synced.second.code == 1
    lines = failures(synced.second)
    assert [line.split(": ")[1].split(" ")[0] for line in lines] == [item(1), item(5), item(8), item(9)]
    assert "not JSON" in lines[0]
    assert all(": KB_TEST_GITLAB_TOKEN is not set: set it to the token of trackers[1]" in line for line in lines[2:]), (
        lines
    )
    for kept in (item(1), item(8), item(9), f"{FLOW_PM}#1", f"{FLOW_PM}#3"):
        assert synced.second.snapshot["items"][kept] == synced.first.snapshot["items"][kept]  # type: ignore[index]
    assert "kb sync: 1 postmortem(s) have errors and were not read" in synced.second.err


def test_a_slow_answer_is_retried(synced: Synced) -> None:
    assert answers(synced.seen[1], 2) == [200, 304]  # too slow (given up after a second), then unchanged
    assert states(synced.second)[item(2)] == ("done", "2026-05-02")


def test_write_prints_each_change(synced: Synced) -> None:
    rel, flow = f"postmortems/2026/{PM}.md", f"postmortems/2026/{FLOW_PM}.md"
    assert synced.written.out.splitlines() == [
        f"{rel}:19: status: in-progress -> status: done",
        f"{rel}:21: (none) -> completed: 2026-05-02",
        f"{rel}:26: (none) -> status: wont-do",
        f'{rel}:27: (none) -> note: "Closed as not planned in https://github.com/acme/shop/issues/3"',
        f"{rel}:32: (none) -> status: done",
        f"{rel}:33: (none) -> completed: 2026-05-04",
        f"{rel}:51: (none) -> status: done",
        f"{rel}:52: (none) -> completed: 2026-05-07",
        f"{rel}:60: status: 'open' -> status: 'done'",
        f"{rel}:62: (none) -> completed: 2026-05-11",
        f"{rel}:69: (none) -> status: wont-do",
        f"{rel}:78: (none) -> status: done",
        f"{rel}:79: (none) -> completed: 2026-05-15",
        f"{flow}:10: (none) -> status: done",
        f"{flow}:10: (none) -> completed: 2026-05-16",
        f"{flow}:15: (none) -> status: done",
        f"{flow}:16: (none) -> completed: 2026-05-17",
    ]


def diff(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines removed, and the lines added."""
    lines = [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:2] in ("- ", "+ ")]
    return [line[2:] for line in lines if line[0] == "-"], [line[2:] for line in lines if line[0] == "+"]


def test_write_changes_only_status_completed_and_note_lines(synced: Synced) -> None:
    main = synced.project / f"postmortems/2026/{PM}.md"
    removed, added = diff(synced.before[main.name], main.read_text(encoding="utf-8"))
    assert [line.strip() for line in removed] == ["status: in-progress   # half the regions done", "status: 'open'"]
    assert "    status: done   # half the regions done" in added
    assert len(added) == 13 and all(
        line.startswith(("    status: ", "    completed: ", "    note: ")) for line in added
    )
    flow = synced.project / f"postmortems/2026/{FLOW_PM}.md"
    after = flow.read_bytes().decode()
    flow_done = FLOW.replace("tracker: OPS-6}", "tracker: OPS-6, status: done, completed: 2026-05-16}")
    block_done = "tracker: OPS-7\r\n    status: done\r\n    completed: 2026-05-17\r\n"
    assert after == flow_done.replace("tracker: OPS-7\r\n", block_done)


def test_write_leaves_a_done_item_whose_ticket_is_open_and_the_files_stay_valid(synced: Synced) -> None:
    text = (synced.project / f"postmortems/2026/{PM}.md").read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---\n")[1])
    by_tracker = {entry["tracker"]: entry for entry in front["action_items"]}
    assert by_tracker["OPS-5"]["status"] == "done" and by_tracker["OPS-5"]["completed"].isoformat() == "2026-05-01"
    assert by_tracker["OPS-3"].get("status") is None  # open in both
    assert by_tracker["OPS-2"]["note"] == "Kept as a record of the idea.\n"
    assert by_tracker["https://github.com/acme/shop/issues/3"]["status"] == "wont-do"
    assert "# half the regions done" in text and "  # Elsewhere\n" in text
    code = subprocess.run([sys.executable, "-m", "kb.cli", "lint"], cwd=synced.project, capture_output=True).returncode
    assert code == 0


@pytest.mark.parametrize(
    ("trackers", "message"),
    [
        ("[{kind: youtrack, api: 'https://x.test', token_env: T, match: [X-]}]", "trackers[0].kind"),
        ("[{kind: github, api: 'https://x.test', match: [X-]}]", "trackers[0]: missing required key 'token_env'"),
        ("[{kind: jira, api: 'https://x.test', token_env: T, match: [OPS-, OPS-1]}]", "overlaps"),
        ("[]", "no trackers"),
    ],
)
def test_configuration_errors_exit_2(tmp_path: Path, trackers: str, message: str) -> None:
    config = f"site_name: S\nplugins:\n  - postmortems:\n      trackers: {trackers}\n"
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    run = sync(tmp_path)
    assert run.code == 2 and message in run.err, run.err


def small_project(root: Path, tracker: str, postmortem: str = POSTMORTEM) -> None:
    """One postmortem, and one tracker: its entry in YAML's flow style."""
    write_files(root, CONFIG.split("      trackers:")[0] + f"      trackers: [{tracker}]\n", {f"{PM}.md": postmortem})


@pytest.mark.parametrize("search", ["removed", "strict"])
def test_jira_without_a_usable_search_is_asked_one_ticket_at_a_time(tmp_path: Path, search: str) -> None:
    # Jira Cloud removed /rest/api/2/search (410); a server may ignore validateQuery (400).
    # And a Server personal access token is sent as Bearer.
    trackers = Trackers("", "", "pat-SECRETserverTOKEN", jira_search=search)  # type: ignore[arg-type]
    trackers.jira.update(served().jira)
    trackers.jira["OPS-1"] = jira_issue("Done", "done", "Won't Fix", "2026-05-11T10:00:00.000+0000")
    with TrackerServer(trackers) as url:
        small_project(
            tmp_path,
            f"{{kind: jira, api: '{url}', token_env: T, match: [OPS-, 'https://jira.acme.test/']}}",
            POSTMORTEM.replace("tracker: OPS-2", "tracker: OPS-9").replace("/browse/OPS-4", "/issues/OPS-4"),
        )
        run = sync(tmp_path, env={"T": "pat-SECRETserverTOKEN"})
    assert run.code == 1
    gone, unreadable = failures(run)
    assert f"{item(11)} (OPS-9): Jira has no ticket OPS-9" in gone
    assert unreadable.endswith(
        f"{item(13)} (https://jira.acme.test/issues/OPS-4): not a jira ticket: write it as a key like OPS-12 or "
        "https://HOST/browse/OPS-12"
    )
    assert states(run)[item(10)] == ("wont-do", "2026-05-11")
    paths = [s.path.split("?")[0] for s in trackers.seen]
    assert paths[0] == "/rest/api/2/search" and "/rest/api/2/issue/OPS-1" in paths
    assert all(s.headers["authorization"] == "Bearer pat-SECRETserverTOKEN" for s in trackers.seen)


def test_a_token_no_header_can_hold_fails_its_items_without_showing_it(tmp_path: Path) -> None:
    token = "ghp_FIRSTpartOFtoken\nSECONDpartOFtoken"  # a line break pasted into the variable
    trackers = Trackers(token, "", "")
    with TrackerServer(trackers) as url:
        small_project(tmp_path, f"{{kind: github, api: '{url}', token_env: T, match: [acme/, 'https://github.com/']}}")
        (tmp_path / "postmortems/tracker-state.json").write_text("{not json", encoding="utf-8")  # written over
        run = sync(tmp_path, env={"T": token})
    assert run.code == 1 and len(failures(run)) == 7 and not trackers.seen
    assert all("a header holds a line break or a control character; check the token" in f for f in failures(run))
    assert "FIRSTpart" not in run.out + run.err + run.text and "SECONDpart" not in run.out + run.err + run.text
    assert "tracker-state.json: not a snapshot `kb sync` wrote" in run.err and run.snapshot["items"] == {}


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("github", "https://github.com/acme/shop/issues/12#issuecomment-1", GitHubIssue("acme", "shop", 12)),
        ("github", "https://ghe.acme.test/acme/shop.web/issues/3/", GitHubIssue("acme", "shop.web", 3)),
        ("github", "acme/shop#7", GitHubIssue("acme", "shop", 7)),
        ("github", "https://github.com/acme/shop/pull/12", None),
        ("github", "acme/sub/shop#7", None),
        ("gitlab", "https://gitlab.acme.test/acme/platform/db/-/issues/8", GitLabIssue("acme/platform/db", 8)),
        ("gitlab", "acme/platform/db#8", GitLabIssue("acme/platform/db", 8)),
        ("gitlab", "https://gitlab.acme.test/acme/db/-/merge_requests/8", None),
        ("jira", "OPS-12", JiraIssue("OPS-12")),
        ("jira", "https://acme.test/jira/browse/OPS_2-12?focus=1", JiraIssue("OPS_2-12")),
        ("jira", "ops-12", None),
    ],
)
def test_each_kind_reads_the_ways_its_tickets_are_written(kind: str, value: str, expected: object) -> None:
    assert parse(kind, value) == expected  # type: ignore[arg-type]


def test_a_rate_limit_longer_than_we_wait_fails_the_host_saying_when_to_retry(tmp_path: Path) -> None:
    trackers = Trackers("ghp_token", "", "")
    trackers.github.update(served().github)
    for n in range(1, 8):
        trackers.fail(f"/repos/acme/shop/issues/{n}", "429-for-an-hour")
    with TrackerServer(trackers) as url:
        small_project(tmp_path, f"{{kind: github, api: '{url}', token_env: T, match: [acme/, 'https://github.com/']}}")
        run = sync(tmp_path, env={"T": "ghp_token"})
    assert run.code == 1 and len(failures(run)) == 7
    assert all(
        re.search(r"limits the rate of requests until 20\d\d-.* UTC: run `kb sync` again then", f)
        for f in failures(run)
    )
    assert len(trackers.seen) <= 4  # those sent at once; none after the first answer


def test_a_progress_bar_shows_on_a_terminal_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Answers that take a while, as across a network: past the half second a bar waits
    before it shows, on a terminal. Redirected, the output has no bar."""
    trackers = served()
    trackers.latency = 0.4
    with TrackerServer(trackers) as url:
        small_project(tmp_path, f"{{kind: github, api: '{url}', token_env: T, match: ['https://github.com/acme/']}}")
        monkeypatch.setenv("T", GITHUB_TOKEN)
        status, shown = on_a_terminal([sys.executable, "-m", "kb.cli", "sync"], tmp_path)
        redirected = sync(tmp_path, env={"T": GITHUB_TOKEN})
    assert status == 1  # issue 5 is gone, as in every run here
    assert re.search(r"syncing: +100%\|.*\| (\d+)/\1 ", shown), shown[-500:]
    assert redirected.code == 1 and "syncing" not in redirected.err


def test_write_fills_a_key_left_empty(tmp_path: Path) -> None:
    # Templates leave `completed:` empty; the value goes after the colon and a space.
    trackers = Trackers("", "", "pat-SECRET")
    trackers.jira.update(served().jira)
    written = "    status: 'open'\n    tracker: OPS-1\n"
    assert written in POSTMORTEM
    with TrackerServer(trackers) as url:
        small_project(
            tmp_path,
            f"{{kind: jira, api: '{url}', token_env: T, match: [OPS-]}}",
            POSTMORTEM.replace(written, "    status: 'open'\n    completed:\n    tracker: OPS-1\n"),
        )
        run = sync(tmp_path, "--write", env={"T": "pat-SECRET"})
    text = (tmp_path / "postmortems" / f"{PM}.md").read_text(encoding="utf-8")
    assert "    status: 'done'\n    completed: 2026-05-11\n    tracker: OPS-1\n" in text, run.out
    lint = subprocess.run([sys.executable, "-m", "kb.cli", "lint"], cwd=tmp_path, capture_output=True, text=True)
    assert " error: " not in lint.stdout, lint.stdout


def test_a_token_the_tracker_echoes_stays_out_of_the_snapshot(tmp_path: Path) -> None:
    trackers = served()
    trackers.github["acme/shop#1"] = github_issue("open", f"as {GITHUB_TOKEN}", url=f"https://x.test/?t={GITHUB_TOKEN}")
    with TrackerServer(trackers) as url:
        small_project(tmp_path, f"{{kind: github, api: '{url}', token_env: T, match: ['https://github.com/acme/']}}")
        run = sync(tmp_path, env={"T": GITHUB_TOKEN})
    entry = run.snapshot["items"][item(1)]  # type: ignore[index]
    assert entry["state"] == "open" and entry["url"] == "https://x.test/?t=***"
    assert GITHUB_TOKEN not in run.text and GITHUB_TOKEN not in run.out + run.err


def test_a_host_whose_tickets_keep_failing_is_given_up_on(tmp_path: Path) -> None:
    # Every GitHub ticket answers 500 to each of its four tries. Four are asked at once;
    # once three have failed, the fifth is not asked again and again: it fails at once.
    trackers = served()
    issues = [1, 3, 5, 6, 7]
    for n in issues:
        trackers.fail(f"/repos/acme/shop/issues/{n}", "500", "500", "500", "500")
    with TrackerServer(trackers) as url:
        small_project(tmp_path, f"{{kind: github, api: '{url}', token_env: T, match: ['https://github.com/acme/']}}")
        run = sync(tmp_path, env={"T": GITHUB_TOKEN})
    assert len(failures(run)) == len(issues), run.err
    assert all("answered 500" in line for line in failures(run)), run.err
    assert len(trackers.seen) < 4 * len(issues)  # asked until it was given up on, not 20 times
