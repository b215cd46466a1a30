"""The review checklist: each check passes and fails on hand-made drafts, loaded like the site loads them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from support import MKDOCS_YML, Build, WriteProject

from kb.checks.completeness import Completeness, checklist_text, completeness, shows_checklist
from kb.checks.library import load
from kb.format.model import ActionItem, Postmortem
from kb.format.settings import CHECK_KEYS, Settings, SettingsError
from kb.load.project import open_project

STARTED = datetime(2024, 3, 12, 14, tzinfo=UTC)
DUE = date(2026, 9, 1)

COMPLETE_DRAFT = """\
---
title: Checkout returned 502s after a config push
status: draft
severity: SEV2
started: 2024-03-12T14:00:00+00:00
summary: A config push with an invalid rule made checkout return 502s for 40 minutes.
impact:
  summary: Checkout failed for a third of users.
  users_affected: 12000
detection:
  method: alert
  detail: The checkout 5xx alert paged the on-call engineer.
causes:
  - key: global-rollout
    detail: The config reached every edge node at once.
action_items:
  - title: Validate edge configs in the pipeline
    owner: edge-team
    due: 2026-09-01
  - title: Rewrite the config format
    status: wont-do
    note: Validation removes the risk.
lessons:
  - A config is code; it needs the same checks.
timeline:
  - at: "14:00"
    event: Config push reaches the edge.
---

## What happened

The push went out.
"""


def load_one(write_project: WriteProject, text: str, mkdocs_yml: str = MKDOCS_YML) -> tuple[Postmortem, Settings]:
    project = write_project({"mkdocs.yml": mkdocs_yml, "postmortems/a.md": text})
    settings = open_project(project / "mkdocs.yml").settings
    library = load(settings, Path(project))
    assert [p for p in library.problems if p.level == "error"] == []
    [pm] = library.postmortems
    return pm, settings


def replace(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


def passed(result: Completeness) -> dict[str, bool]:
    return {check.key: check.passed for check in result.checks}


def test_a_complete_draft_passes_every_check(write_project: WriteProject) -> None:
    pm, settings = load_one(write_project, COMPLETE_DRAFT)

    result = completeness(pm, settings)

    assert passed(result) == dict.fromkeys(CHECK_KEYS, True)
    assert (result.score, result.missing) == (100, [])


def block(key: str) -> str:
    """The lines of a top-level key of ``COMPLETE_DRAFT``, up to the next top-level key."""
    lines = COMPLETE_DRAFT.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith(" "))
    return "".join(lines[start:end])


FAILING = [
    pytest.param("summary", (block("summary"), ""), id="no-summary"),
    pytest.param("impact", ("  users_affected: 12000\n", ""), id="impact-not-quantified"),
    pytest.param("impact", (block("impact"), ""), id="no-impact"),
    pytest.param("detection", (block("detection"), ""), id="no-detection"),
    pytest.param("timeline", (block("timeline"), ""), id="no-timeline"),
    pytest.param("causes", (block("causes"), ""), id="no-causes"),
    pytest.param(
        "causes",
        ("    detail: The config reached every edge node at once.\n", "  - missing-alert\n"),
        id="cause-without-detail",
    ),
    pytest.param("lessons", (block("lessons"), "lessons: []\n"), id="no-lessons"),
    pytest.param("action_items", (block("action_items"), ""), id="no-action-items"),
]


@pytest.mark.parametrize(("key", "edit"), FAILING)
def test_each_check_fails_on_its_own(write_project: WriteProject, key: str, edit: tuple[str, str]) -> None:
    pm, settings = load_one(write_project, replace(COMPLETE_DRAFT, *edit))

    result = completeness(pm, settings)

    assert passed(result) == {k: k != key for k in CHECK_KEYS}
    assert [check.key for check in result.missing] == [key]
    assert result.score == round(100 * 6 / 7) == 86


def test_impact_counts_zero_and_slos_as_quantified(write_project: WriteProject) -> None:
    zero = replace(COMPLETE_DRAFT, "users_affected: 12000", "support_tickets: 0")
    slos = replace(COMPLETE_DRAFT, "users_affected: 12000", "slos: [checkout-availability]")

    for text in (zero, slos):
        pm, settings = load_one(write_project, text)
        assert passed(completeness(pm, settings))["impact"]


def test_detection_needs_only_a_method_or_a_detail(write_project: WriteProject) -> None:
    method_only = replace(COMPLETE_DRAFT, "  detail: The checkout 5xx alert paged the on-call engineer.\n", "")
    detail_only = replace(COMPLETE_DRAFT, "  method: alert\n", "")

    for text in (method_only, detail_only):
        pm, settings = load_one(write_project, text)
        assert passed(completeness(pm, settings))["detection"]


def test_an_open_action_item_without_owner_and_due_fails() -> None:
    # The format requires both on open items, so such a file has errors; the checklist
    # still answers for the record the loader builds from it.
    for item in (ActionItem(title="Validate configs", owner="edge-team"), ActionItem(title="Validate", due=DUE)):
        pm = Postmortem(title="t", status="draft", started=STARTED, action_items=[item])
        assert not passed(completeness(pm, Settings()))["action_items"]


def test_closed_action_items_need_no_owner_or_due(write_project: WriteProject) -> None:
    text = replace(
        COMPLETE_DRAFT,
        "    owner: edge-team\n    due: 2026-09-01\n",
        "    status: done\n",
    )
    pm, settings = load_one(write_project, text)

    assert passed(completeness(pm, settings))["action_items"]


def test_a_near_miss_is_not_asked_to_quantify_impact(write_project: WriteProject) -> None:
    text = replace(COMPLETE_DRAFT, "severity: SEV2\n", "type: near-miss\n")
    text = replace(text, "  users_affected: 12000\n", "")
    pm, settings = load_one(write_project, text)

    result = completeness(pm, settings)

    assert [check.key for check in result.checks] == [k for k in CHECK_KEYS if k != "impact"]
    assert result.score == 100


def test_the_checks_that_apply_are_configured_per_type(write_project: WriteProject) -> None:
    config = MKDOCS_YML + "      completeness_incident: [lessons, summary, timeline]\n"
    text = replace(COMPLETE_DRAFT, block("lessons"), "")
    pm, settings = load_one(write_project, text, config)

    result = completeness(pm, settings)

    assert passed(result) == {"summary": True, "timeline": True, "lessons": False}  # in the checklist's order
    assert result.score == 67
    assert result.as_json() == {"score": 67, "missing": ["Lessons learned: at least one"]}


def test_no_applicable_check_scores_100(write_project: WriteProject) -> None:
    pm, settings = load_one(write_project, COMPLETE_DRAFT, MKDOCS_YML + "      completeness_incident: []\n")

    assert completeness(pm, settings) == Completeness(100, [])


def test_checklist_text_for_the_terminal(write_project: WriteProject) -> None:
    text = replace(COMPLETE_DRAFT, "  users_affected: 12000\n", "")
    text = replace(text, block("lessons"), "")
    pm, settings = load_one(write_project, text)

    assert checklist_text(pm, settings) == (
        "postmortems/a.md: draft, review checklist 71% (5 of 7)\n"
        "  [x] Summary: two or three sentences\n"
        "  [ ] Impact quantified: users, requests, revenue, support tickets or SLOs\n"
        "  [x] Detection described: method or detail\n"
        "  [x] Timeline: at least one entry\n"
        "  [x] Causes: at least one, each with a detail\n"
        "  [x] Action items: at least one; every open one owned and dated\n"
        "  [ ] Lessons learned: at least one"
    )
    assert shows_checklist(pm)


def test_checklist_on_a_draft_page_and_in_the_json(write_project: WriteProject, build: Build) -> None:
    import html
    import json

    text = replace(COMPLETE_DRAFT, block("lessons"), "")
    site = build(write_project({"postmortems/a.md": text}))
    page = html.unescape(site.page("a"))
    assert "Review checklist: <strong>86%</strong> complete." in page
    # The browser's own checkboxes, not emoji that many machines cannot draw.
    assert '<input type="checkbox" disabled aria-label="to do"> Lessons learned: at least one' in page
    assert '<input type="checkbox" disabled checked aria-label="done"> Summary: two or three sentences' in page
    [record] = json.loads(site.html("api/postmortems.json"))
    assert record["completeness"] == {"score": 86, "missing": ["Lessons learned: at least one"]}


def test_only_drafts_and_postmortems_in_review_show_the_checklist(write_project: WriteProject) -> None:
    for status, shown in (("draft", True), ("in-review", True), ("published", False)):
        text = replace(COMPLETE_DRAFT, "status: draft", f"status: {status}\nauthors: [Priya Raman]")
        pm, _ = load_one(write_project, text)
        assert shows_checklist(pm) is shown


def test_an_unknown_check_name_is_a_settings_error(write_project: WriteProject) -> None:
    project = write_project({"mkdocs.yml": MKDOCS_YML + "      completeness_near_miss: [summary, lesson]\n"})

    with pytest.raises(SettingsError, match="did you mean 'lessons'"):
        open_project(project / "mkdocs.yml")
