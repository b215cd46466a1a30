"""``kb import``, run as a user runs it, on sources written here in the shapes real
postmortems take (``tests/fixtures/import/sources``: the Google SRE, PagerDuty and
Atlassian templates, a Confluence HTML export, a timeline of one heading per entry,
front matter), and on hostile files. Every written file is read back as YAML, linted
and built."""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from support import REPO, Build, Kb, WriteProject

SOURCES = REPO / "tests" / "fixtures" / "import" / "sources"
CONFIG = """\
site_name: Imported
theme:
  name: material
  font: false
plugins:
  - search
  - postmortems:
      import_severities: {major: SEV2}
"""


def front_and_body(path: Path) -> tuple[dict[str, object], str]:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


@pytest.fixture
def project(write_project: WriteProject) -> Path:
    return write_project({"mkdocs.yml": CONFIG})


@pytest.fixture
def imported(project: Path, kb: Kb) -> dict[str, tuple[dict[str, object], str]]:
    """The fixtures, imported: by source file name, each written file's front matter and body."""
    sources = project / "legacy"
    shutil.copytree(SOURCES, sources)
    code, _, err = kb(project, "import", "legacy", "--report", "report.json")
    assert code == 0, err
    found = {}
    for path in (project / "postmortems").rglob("*.md"):
        front, body = front_and_body(path)
        found[Path(str(front["imported"]["from"])).name] = (front, body)  # type: ignore[index]
    return found


def test_every_source_is_imported_or_skipped_with_its_reason(project: Path, kb: Kb) -> None:
    shutil.copytree(SOURCES, project / "legacy")
    code, out, err = kb(project, "import", "legacy")
    outcomes = {name: action for action, name in re.findall(r"^(imported|skipped): legacy/(\S+)", out, re.M)}
    assert code == 0
    assert {name for name, action in outcomes.items() if action == "imported"} == {
        "google-sre-search-outage.md",
        "pagerduty-payments-timeouts.md",
        "heading-per-entry-builds-stuck.md",
        "front-matter-cdn.qmd",  # Markdown by its content, whatever the extension
        "atlassian-queue-backlog.md.erb",
        "confluence-export-login.html",
        "bold-labels-webhooks.md",
    }
    reasons = dict(re.findall(r"^skipped: legacy/(\S+) \((.*)\)$", out, re.M))
    assert reasons["index.md"].startswith("an index page")
    assert reasons["_template.md"].startswith("a template")
    assert reasons["empty.md"] == "empty"
    assert reasons["no-date.md"].startswith("no incident date found")
    assert "img/flow.png" in reasons
    assert err.strip().endswith("7 imported, 5 skipped")


def test_google_sre_shape(imported: dict[str, tuple[dict[str, object], str]]) -> None:
    front, body = imported["google-sre-search-outage.md"]
    assert front["title"] == "Search results empty after an index alias swap"
    assert front["severity"] == "SEV2" and front["authors"] == ["Mei Tanaka", "rob"]
    # Key events: the marked ones, in the stated zone
    assert str(front["started"]) == "2024-02-03 02:41:00+00:00"  # OUTAGE BEGINS, not the first entry
    assert str(front["detected"]) == "2024-02-03 02:46:00+00:00"
    assert str(front["mitigated"]) == "2024-02-03 03:10:00+00:00"
    assert str(front["resolved"]) == "2024-02-03 03:19:00+00:00"
    assert front["impact"] == {"users_affected": 41200, "support_tickets": 87}
    assert front["detection"] == {"detail": "A synthetic search probe alerted after five consecutive empty results."}
    assert front["trigger"].startswith("The nightly reindex at 02:00")  # type: ignore[union-attr]
    items = front["action_items"]
    assert [(i["owner"], i["type"], i["tracker"]) for i in items] == [  # type: ignore[union-attr, index]
        ("mei", "prevent", "https://tracker.example.com/browse/SRCH-412"),
        ("search-team", "detect", "SRCH-413"),
        ("rob", "mitigate", "SRCH-414"),
    ]
    assert front["went_well"] and front["went_wrong"] and front["got_lucky"]
    assert len(front["timeline"]) == 5  # type: ignore[arg-type]
    # What has no field stays under its heading: the resolution, the root cause, the appendix
    for heading in ("## Root Causes", "## Resolution", "## Supporting information", "**Status**: Complete"):
        assert heading in body
    assert "## Summary" not in body and "## Timeline" not in body


def test_pagerduty_shape_with_twelve_hour_times_and_checkboxes(
    imported: dict[str, tuple[dict[str, object], str]],
) -> None:
    front, body = imported["pagerduty-payments-timeouts.md"]
    assert front["title"] == "Pagerduty payments timeouts"  # no title heading: the file's name
    assert front["severity"] == "SEV1"  # "Severity: P1"
    assert [str(e["at"]) for e in front["timeline"]] == [  # type: ignore[union-attr, index]
        "2023-03-14 11:21:00-08:00",  # 11:21a, all times in PST, on the date the overview states
        "2023-03-14 11:26:00-08:00",
        "2023-03-14 12:28:00-08:00",  # 12:28p
        "2023-03-14 12:55:00-08:00",
    ]
    items = {i["title"]: i for i in front["action_items"]}  # type: ignore[union-attr, index]
    backoff = items["Add exponential backoff with jitter to the payments client @dana OPS-231"]
    assert (backoff["owner"], backoff["tracker"], backoff.get("status", "open")) == ("dana", "OPS-231", "open")
    assert items["Document the retry feature flag in the runbook"] == {
        "title": "Document the retry feature flag in the runbook",
        "owner": "lee",
        "status": "done",  # [x]
    }
    dropped = next(i for t, i in items.items() if t.startswith("Move to a second provider"))
    assert dropped["status"] == "wont-do" and dropped["note"]  # struck through, and "won't do"
    assert front["went_well"] and front["went_wrong"]
    assert "## Contributing Factors" in body and "Our retry policy sent three attempts" in body


def test_timeline_of_one_heading_per_entry_carries_the_date(
    imported: dict[str, tuple[dict[str, object], str]],
) -> None:
    front, body = imported["heading-per-entry-builds-stuck.md"]
    assert front["title"] == "2023-09-14, Builds stuck in the queue"
    assert [(str(e["at"]), e["event"]) for e in front["timeline"]] == [  # type: ignore[union-attr, index]
        ("2023-09-14 11:21:00+02:00", "The scheduler loses its lease after a network blip."),
        ("2023-09-14 11:45:00+02:00", "Users report on the forum that builds do not start."),  # ~11:45
        ("2023-09-14 13:30:00+02:00", "A new scheduler pod is started and takes the lease."),
        ("2023-09-15 09:00:00+02:00", "Backlog cleared."),
    ]
    items = front["action_items"]
    assert [i.get("tracker") for i in items] == [  # type: ignore[union-attr]
        "https://github.com/example/builds/issues/42",
        "https://github.com/example/builds/issues/43",  # example/builds#43
        None,
    ]
    assert front["went_well"] == ["Users told us quickly."]
    assert "## Timeline" not in body and "### ~11:45" not in body


def test_front_matter_key_value_lines_and_durations(imported: dict[str, tuple[dict[str, object], str]]) -> None:
    front, _ = imported["front-matter-cdn.qmd"]
    assert front["severity"] == "SEV2"  # "major", through import_severities
    assert front["tags"] == ["cdn", "cache"] and front["authors"] == ["Ana Ruiz"]
    assert front["services"] == ["cdn-edge", "storefront"]  # "Services affected: ..."
    assert str(front["started"]) == "2022-11-08 14:05:00-08:00"  # 2:05 PM PST
    assert str(front["resolved"]) == "2022-11-08 15:15:00-08:00"  # started + "Duration: 1h 10m"
    assert [str(e["at"]) for e in front["timeline"]][1] == "2022-11-08 14:20:00-08:00"  # type: ignore[union-attr, index]
    assert front["imported"]["jira"] == "INC-9"  # type: ignore[index]  # the source's own key, kept
    done, todo, progress = front["action_items"]  # type: ignore[misc]
    assert done["status"] == "done" and todo["owner"] == "web-team" and todo["due"] == "2022-12-01"
    assert progress["status"] == "in-progress"


def test_html_export_and_its_image(project: Path, imported: dict[str, tuple[dict[str, object], str]]) -> None:
    front, body = imported["confluence-export-login.html"]
    assert front["title"] == "Login failures after certificate rotation"
    assert str(front["started"]) == "2021-06-22 09:02:00+00:00"
    assert [i["title"] for i in front["action_items"]] == [  # type: ignore[union-attr, index]
        "Subscribe to the provider's certificate rotation notices",
        "Pin the certificate",
    ]
    assert front["action_items"][1]["status"] == "done"  # type: ignore[index]  # <s>...</s>
    assert "alert(" not in json.dumps(front, default=str) + body  # scripts are not the document's
    image = re.search(r"!\[login flow\]\(([^)]+)\)", body)
    assert image and (project / "postmortems" / "2021" / image[1]).read_bytes().startswith(b"\x89PNG")


def test_bullets_with_bold_labels(imported: dict[str, tuple[dict[str, object], str]]) -> None:
    front, body = imported["bold-labels-webhooks.md"]
    assert front["impact"] == {"summary": "webhook deliveries were late by up to 40 minutes."}  # - **Impact**: ...
    assert [e["event"] for e in front["timeline"]] == [  # type: ignore[union-attr, index]  # - **Key events**, nested
        "queue consumer deploy starts (10:02 UTC)",  # a time written with its zone keeps it
        "delivery lag alert fires (10:05 UTC)",
        "rollback done, lag back to zero (10:44 UTC)",
    ]
    assert [(i.get("owner"), i.get("status", "open")) for i in front["action_items"]] == [  # type: ignore[union-attr]
        ("sam", "open"),
        (None, "done"),
    ]
    assert "**Notes**: nothing else." in body and "## Analysis" in body


def test_atlassian_shape_with_a_table_of_actions(imported: dict[str, tuple[dict[str, object], str]]) -> None:
    front, _ = imported["atlassian-queue-backlog.md.erb"]
    assert front["trigger"].startswith("A config change merged")  # type: ignore[union-attr]  # "Leadup"
    assert str(front["detected"]) == "2025-03-04 09:32:00+00:00"
    validate, lower = front["action_items"]  # type: ignore[misc]
    assert (validate["owner"], validate["due"], validate.get("status", "open")) == (
        "platform-team",
        "2025-04-01",
        "open",
    )
    assert (lower["owner"], lower["due"], lower["status"]) == ("sre-team", "2025-03-15", "done")


def test_nothing_is_lost(project: Path, imported: dict[str, tuple[dict[str, object], str]]) -> None:
    """Every word of every source is in the file it became: a field, the narrative, or
    the record of where a section went."""
    for path in (project / "postmortems").rglob("*.md"):
        written = path.read_text(encoding="utf-8").lower()
        source = project / str(yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])["imported"]["from"])
        text = source.read_text(encoding="utf-8")
        if source.suffix == ".html":
            text = re.sub(r"<(script|style|head)\b.*?</\1>|<[^>]+>", " ", text, flags=re.S)
        text = re.sub(r"\[[ xX]\]", " ", text)  # a checkbox is syntax: the status holds it
        words = set(re.findall(r"[^\W_]+", text.lower()))
        lost = {w for w in words if w not in written}
        assert len(lost) <= 0.02 * len(words), (source.name, sorted(lost))


def test_the_result_lints_without_errors_and_every_page_says_it_was_imported(
    project: Path, imported: dict[str, tuple[dict[str, object], str]], kb: Kb, build: Build
) -> None:
    code, out, _ = kb(project, "lint")
    assert code == 0 and ": error:" not in out, out
    assert "(imported: complete it by hand)" in out  # what a legacy document cannot give
    site = build(project)
    pages = list((project / "postmortems").rglob("*.md"))
    assert len(pages) == 7
    for path in pages:
        page = site.page(path.stem)
        assert "Imported" in page and "legacy/" in page
        assert "<script" not in page.split("md-content")[1] and "onerror" not in page


def test_the_report_says_what_to_complete(project: Path, imported: dict[str, tuple[dict[str, object], str]]) -> None:
    report = {Path(e["source"]).name: e for e in json.loads((project / "report.json").read_text(encoding="utf-8"))}
    cdn = report["front-matter-cdn.qmd"]
    assert cdn["action"] == "imported" and cdn["written"].endswith(".md")
    assert "severity from the front matter" not in cdn["extracted"]
    assert any("cause" in todo for todo in cdn["to_complete"])
    assert report["index.md"]["action"] == "skipped"


def test_a_markdown_report(project: Path, kb: Kb) -> None:
    shutil.copytree(SOURCES, project / "legacy")
    kb(project, "import", "legacy", "--report", "report.md")
    report = (project / "report.md").read_text(encoding="utf-8")
    assert report.startswith("# Import report\n\n7 imported, 5 skipped.")
    assert "To complete:" in report and "## legacy/index.md" in report


def test_dry_run_writes_nothing(project: Path, kb: Kb) -> None:
    shutil.copytree(SOURCES, project / "legacy")
    code, out, err = kb(project, "import", "--dry-run", "legacy")
    assert code == 0 and out.count("would import: ") == 7 and "7 would import" in err
    assert not (project / "postmortems").exists() or not list((project / "postmortems").rglob("*.md"))


def test_a_second_import_writes_nothing_and_force_writes_again(project: Path, kb: Kb) -> None:
    shutil.copytree(SOURCES, project / "legacy")
    kb(project, "import", "legacy")
    written = {p: p.read_text(encoding="utf-8") for p in (project / "postmortems").rglob("*.md")}
    edited = next((project / "postmortems/2024").glob("*.md"))
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA paragraph added by hand.\n", encoding="utf-8")
    code, out, err = kb(project, "import", "legacy")
    assert code == 0 and "7 already imported" in err and not re.search("^imported: ", out, re.M)
    assert "added by hand" in edited.read_text(encoding="utf-8")
    code, out, err = kb(project, "import", "--force", "legacy")
    assert "7 imported" in err
    assert {p: p.read_text(encoding="utf-8") for p in written} == written  # the same files, as first written


def test_an_id_the_library_has_is_not_overwritten(project: Path, kb: Kb) -> None:
    existing = project / "postmortems/2024/2024-02-03-search-results-empty-after-an-index-alias-swap.md"
    existing.parent.mkdir(parents=True)
    existing.write_text("written by hand\n", encoding="utf-8")
    source = str(SOURCES / "google-sre-search-outage.md")
    _, out, _ = kb(project, "import", source)
    assert "skipped:" in out and "is taken; --force imports it under another id" in out
    _, out, _ = kb(project, "import", "--force", source)
    assert existing.read_text(encoding="utf-8") == "written by hand\n"  # never replaced, even with --force
    assert "2024-02-03-search-results-empty-after-an-index-alias-swap-2.md" in out


@pytest.mark.parametrize(
    "written, expected",
    [
        ("14:41", "14:41:00+00:00"),
        ("11:21a", "11:21:00+00:00"),
        ("12:28p", "12:28:00+00:00"),
        ("~16:05", "16:05:00+00:00"),
        ("2:05 PM PST", "14:05:00-08:00"),
        ("14:41 UTC", "14:41:00+00:00"),
        ("14:41 CEST", "14:41:00+02:00"),
        ("9:15:04 UTC+2", "09:15:04+02:00"),
    ],
)
def test_each_time_format(project: Path, kb: Kb, written: str, expected: str) -> None:
    source = project / "legacy.md"
    source.write_text(
        f"# Queue stalled\n\nDate: 2024-05-06\n\n## Timeline\n\n- {written} queue stalls\n", encoding="utf-8"
    )
    kb(project, "import", "legacy.md")
    front, _ = front_and_body(next((project / "postmortems").rglob("*.md")))
    assert str(front["timeline"][0]["at"]) == f"2024-05-06 {expected}"  # type: ignore[index]


def test_times_without_a_zone_are_read_in_the_library_zone_with_a_note(project: Path, kb: Kb) -> None:
    (project / "mkdocs.yml").write_text(CONFIG + "      timezone: Europe/Copenhagen\n", encoding="utf-8")
    (project / "legacy.md").write_text(
        "# Queue stalled\n\nDate: 2024-05-06\n\n## Timeline\n\n- 23:50 queue stalls\n- 00:10 queue drains\n",
        encoding="utf-8",
    )
    kb(project, "import", "legacy.md", "--report", "r.json")
    front, _ = front_and_body(next((project / "postmortems").rglob("*.md")))
    # The date carries over midnight; the zone is the library's, and the report says so
    assert [str(e["at"]) for e in front["timeline"]] == [  # type: ignore[union-attr, index]
        "2024-05-06 23:50:00+02:00",
        "2024-05-07 00:10:00+02:00",
    ]
    todo = json.loads((project / "r.json").read_text(encoding="utf-8"))[0]["to_complete"]
    assert any("read in Europe/Copenhagen" in t for t in todo)


def test_a_site_adds_its_own_section_names(project: Path, kb: Kb) -> None:
    (project / "mkdocs.yml").write_text(CONFIG + "      import_sections: {Was wir lernen: lessons}\n", encoding="utf-8")
    (project / "legacy.md").write_text(
        "# Queue stalled\n\nDate: 2024-05-06\n\n## Was wir lernen\n\n- Queues need an age alert.\n", encoding="utf-8"
    )
    kb(project, "import", "legacy.md")
    front, body = front_and_body(next((project / "postmortems").rglob("*.md")))
    assert front["lessons"] == ["Queues need an age alert."] and "Was wir lernen" not in body


def test_a_cause_of_the_catalog_is_proposed_and_the_text_kept(project: Path, kb: Kb) -> None:
    (project / "postmortems").mkdir(exist_ok=True)
    (project / "postmortems/causes.yml").write_text(
        "missing-alert:\n  title: No alert on the symptom users saw\n  category: detection\n", encoding="utf-8"
    )
    (project / "legacy.md").write_text(
        "# Queue stalled\n\nDate: 2024-05-06\n\n## Root cause\n\nThere was no alert on the symptom users saw: "
        "orders simply waited.\n",
        encoding="utf-8",
    )
    kb(project, "import", "legacy.md", "--report", "r.json")
    front, body = front_and_body(next((project / "postmortems").rglob("*.md")))
    assert front["causes"][0]["key"] == "missing-alert"  # type: ignore[index]
    assert "## Root cause" in body and "orders simply waited" in body
    todo = json.loads((project / "r.json").read_text(encoding="utf-8"))[0]["to_complete"]
    assert any("'missing-alert' was proposed" in t for t in todo)


def test_hostile_files_are_refused_and_the_rest_goes_on(project: Path, kb: Kb, build: Build) -> None:
    legacy = project / "legacy"
    legacy.mkdir()
    (legacy / "binary.md").write_bytes(b"\x00\x01\x02PK" * 100)
    (legacy / "latin1.md").write_bytes("# Caf\xe9 outage\n\nDate: 2024-01-02\n".encode("latin-1"))
    (legacy / "huge.md").write_text("# Huge\n\nDate: 2024-01-02\n\n" + "word " * 500_000, encoding="utf-8")
    (legacy / "script.py").write_text("# a comment, not a heading\nprint('x')\n", encoding="utf-8")
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    )
    (legacy / "laughs.md").write_text(f"---\n{laughs}---\n# Laughs\n\nDate: 2024-01-02\n", encoding="utf-8")
    (legacy / "good.md").write_text(
        "# Good one\n\nDate: 2024-01-02\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
        "[click](javascript:alert(3))\n",
        encoding="utf-8",
    )
    code, out, _ = kb(project, "import", "legacy")
    reasons = dict(re.findall(r"^skipped: legacy/(\S+) \((.*)\)$", out, re.M))
    assert reasons["binary.md"].startswith("binary")
    assert reasons["latin1.md"].startswith("not UTF-8")
    assert reasons["huge.md"].startswith("too large")
    assert reasons["script.py"].startswith("not a document")
    assert code == 0 and "imported: legacy/good.md" in out
    assert "imported: legacy/laughs.md" in out  # its front matter refused, and kept as text
    laughs_file = next((project / "postmortems").rglob("*laughs.md"))
    assert laughs_file.stat().st_size < 10_000
    site = build(project)
    page = site.page(next((project / "postmortems").rglob("*good-one.md")).stem)
    assert "alert(" not in page  # the narrative's HTML went through the sanitizer


def test_imported_times_are_real_datetimes(imported: dict[str, tuple[dict[str, object], str]]) -> None:
    for front, _ in imported.values():
        assert isinstance(front["started"], datetime) and front["started"].tzinfo is not None


def test_a_long_source_name_with_spaces_is_known_again(project: Path, kb: Kb) -> None:
    name = "PM2021-010 - A limited number of services deployed in the cluster returned errors for an hour.md"
    (project / name).write_text("# Errors\n\nDate: 2021-03-04\n\nSome services returned errors.\n", encoding="utf-8")
    kb(project, "import", name)
    _, out, err = kb(project, "import", name)
    assert "1 already imported" in err, out


ODD = {
    "a table row longer than its header": "## Action items\n\n| Action | Owner |\n|---|---|\n| Fix | mei | extra |\n",
    "a table of owners and states only": "## Action items\n\n| Owner | Status |\n|---|---|\n| mei | open |\n",
    "a day that does not exist": "---\ndate: 2024-02-30\n---\n# Odd\n\nDate: 2024-03-01\n",
    "front matter nested thousands deep": "---\nx: " + "[" * 5000 + "\n---\n# Odd\n\nDate: 2024-03-01\n",
    "24:00": "## Timeline\n\n- 2024-03-01 24:00 OUTAGE ENDS\n",
    "a duration of ages": "Duration: 999999999 days\n",
    "a figure of 400 digits": "Users affected: " + "9" * 400 + "\n",
    "a leap day and a year in a column": "## Timeline\n\n| Time (2023) | Event |\n|---|---|\n| 10:00 | x |\n",
    "an empty heading": "#\n\n## Summary\n\nText.\n",
    "a reserved service": "Service: Search\n\nTeam: N/A\n",
    "an empty checkbox": "## Action items\n\n- [ ]\n- [ ] Real one\n",
    "Windows line ends": "---\r\ntitle: Crlf\r\nauthors: [Mei]\r\n---\r\n# Crlf\r\n\r\nDate: 2024-03-01\r\n",
    "zones that differ": "## Timeline\n\n- 10:00 PST deploy\n- 17:30 UTC alert fires\n",
}


@pytest.mark.parametrize("text", ODD.values(), ids=ODD.keys())
def test_odd_documents_import_and_lint_without_errors(project: Path, kb: Kb, text: str) -> None:
    source = project / "odd.md"
    body = text if text.startswith("---") else f"# Odd one\n\nDate: 2024-02-29\n\n{text}"
    source.write_bytes(body.encode("utf-8"))
    code, out, err = kb(project, "import", "odd.md")
    assert code == 0 and "imported: odd.md" in out, (out, err)
    code, out, _ = kb(project, "lint")
    assert ": error:" not in out, out


def test_odd_values_are_left_as_written_not_made_up(project: Path, kb: Kb) -> None:
    (project / "odd.md").write_text(
        "# Odd one\n\nDate: 2024-02-29\n\nService: Search\n\nTeam: N/A\n\n## Timeline\n\n"
        "- 10:00 PST deploy\n- 17:30 UTC alert fires\n\n## Action items\n\n- **Short term, this sprint:**\n"
        "    - Add a probe\n",
        encoding="utf-8",
    )
    kb(project, "import", "odd.md")
    path = next((project / "postmortems").rglob("*.md"))
    front, body = front_and_body(path)
    assert "services" not in front and "teams" not in front  # a reserved name, and no value at all
    assert "Service: Search" in body and "Team: N/A" in body
    assert [str(e["at"]) for e in front["timeline"]] == [  # type: ignore[union-attr, index]
        "2024-02-29 10:00:00-08:00",
        "2024-02-29 17:30:00+00:00",  # earlier than 10:00 PST, and the same day: not the next one
    ]
    assert {"heading": "Short term, this sprint", "field": "action_items"} in front["imported"]["headings"]  # type: ignore[index]


def test_the_same_source_typed_another_way_is_the_same_source(project: Path, kb: Kb) -> None:
    (project / "legacy").mkdir()
    (project / "legacy/a.md").write_text("# Errors\n\nDate: 2021-03-04\n\nSome errors.\n", encoding="utf-8")
    kb(project, "import", "legacy")
    _, out, err = kb(project, "import", str(project / "legacy"))
    assert "1 already imported" in err, out
    _, out, err = kb(project, "import", "./legacy/../legacy/a.md")
    assert "1 already imported" in err, out


def test_force_never_replaces_another_sources_file(project: Path, kb: Kb) -> None:
    for name in ("a", "b"):
        (project / f"{name}.md").write_text(f"# Same title\n\nDate: 2021-03-04\n\nFrom {name}.\n", encoding="utf-8")
    kb(project, "import", "b.md")
    _, out, _ = kb(project, "import", "--force", "a.md")
    written = sorted(p.name for p in (project / "postmortems").rglob("*.md"))
    assert written == ["2021-03-04-same-title-2.md", "2021-03-04-same-title.md"], out
    assert "From b." in (project / "postmortems/2021/2021-03-04-same-title.md").read_text(encoding="utf-8")


def test_report_lines_count_the_front_matter(project: Path, kb: Kb) -> None:
    (project / "fm.md").write_text("---\ntags: [x]\n---\n\n# Title here\n\nDate: 2021-03-04\n", encoding="utf-8")
    kb(project, "import", "fm.md", "--report", "r.json")
    extracted = json.loads((project / "r.json").read_text(encoding="utf-8"))[0]["extracted"]
    assert "title from the heading on line 5" in extracted and "date from line 7" in extracted
