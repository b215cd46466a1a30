"""``kb lint``: every problem names the file, the exact line and the offending key or value."""

from __future__ import annotations

import json

import pytest
from support import VALID_POSTMORTEM, Kb, WriteProject, problem_lines

# Each case: the postmortem files to write, then every problem `kb lint` must print, in
# its output order, as (``path:line: level:`` prefix, text the message must contain).
# Line 1 of a file is its opening `---`.
ERROR_CASES = [
    pytest.param(
        {
            "postmortems/a.md": """\
                ---
                title: Broken YAML
                status: draft
                summary: Oops: a colon inside a plain value
                started: 2024-01-10T09:00:00+00:00
                ---
                """
        },
        [("postmortems/a.md:4: error:", "invalid YAML")],
        id="yaml-syntax-error",
    ),
    pytest.param(
        {
            "postmortems/a.md": """\
                ---
                title: Typo in a key
                status: draft
                serverity: SEV3
                started: 2024-01-10T09:00:00+00:00
                ---
                """
        },
        [
            ("postmortems/a.md:1: error:", "missing required key 'severity'"),
            ("postmortems/a.md:4: error:", "unknown key 'serverity'; did you mean 'severity'?"),
        ],
        id="unknown-key",
    ),
    pytest.param(
        {
            "postmortems/a.md": """\
                ---
                title: Services as a string
                status: draft
                severity: SEV3
                started: 2024-01-10T09:00:00+00:00
                services: payments
                ---
                """
        },
        [("postmortems/a.md:6: error:", "'services' must be a list, not 'payments'")],
        id="string-instead-of-list",
    ),
    pytest.param(
        {
            "postmortems/a.md": """\
                ---
                title: Impact count as a word
                status: draft
                severity: SEV3
                started: 2024-01-10T09:00:00+00:00
                impact:
                  users_affected: many
                ---
                """
        },
        [("postmortems/a.md:7: error:", "'impact.users_affected' must be an integer, not 'many'")],
        id="word-instead-of-integer",
    ),
    pytest.param(
        {
            "postmortems/a.md": """\
                ---
                title: Status misspelt
                status: publish
                severity: SEV3
                started: 2024-01-10T09:00:00+00:00
                ---
                """
        },
        [
            (
                "postmortems/a.md:3: error:",
                "'status': 'publish' is not one of draft, in-review, published; did you mean 'published'?",
            )
        ],
        id="bad-enum",
    ),
    pytest.param(
        {
            "postmortems/a.md": """\
                ---
                title: Published too early
                status: published
                severity: SEV3
                started: 2024-01-10T09:00:00+00:00
                ---
                """
        },
        [
            ("postmortems/a.md:1: error:", "a published postmortem needs at least one cause"),
            ("postmortems/a.md:1: error:", "missing required key 'authors' (when status is published)"),
            ("postmortems/a.md:1: error:", "missing required key 'summary' (when status is published)"),
        ],
        id="published-without-summary-authors-causes",
    ),
    pytest.param(
        {
            "postmortems/a.md": """\
                ---
                title: Published with an empty cause list
                status: published
                severity: SEV3
                started: 2024-01-10T09:00:00+00:00
                authors: [Ana]
                summary: Something broke.
                causes: []
                ---
                """
        },
        [("postmortems/a.md:8: error:", "a published postmortem needs at least one cause")],
        id="published-with-empty-causes",
    ),
    pytest.param(
        {
            "postmortems/a.md": """\
                ---
                title: Incident without severity
                status: draft
                started: 2024-01-10T09:00:00+00:00
                ---
                """
        },
        [("postmortems/a.md:1: error:", "missing required key 'severity' (for incidents)")],
        id="incident-without-severity",
    ),
    pytest.param(
        {
            "postmortems/a.md": """\
                ---
                title: Resolved before it started
                status: draft
                severity: SEV3
                started: 2024-01-10T09:00:00+00:00
                detected: 2024-01-10T09:05:00+00:00
                resolved: 2024-01-10T08:00:00+00:00
                ---
                """
        },
        [("postmortems/a.md:7: error:", "'resolved' (2024-01-10T08:00:00+00:00) is before 'detected'")],
        id="times-going-backwards",
    ),
    pytest.param(
        {
            "postmortems/a.md": """\
                ---
                title: Cause key misspelt
                status: draft
                severity: SEV3
                started: 2024-01-10T09:00:00+00:00
                causes:
                  - global-rolout
                ---
                """
        },
        [("postmortems/a.md:7: error:", "unknown cause key 'global-rolout'; did you mean 'global-rollout'?")],
        id="unknown-cause-key",
    ),
    pytest.param(
        {
            "postmortems/a-first.md": """\
                ---
                title: First
                status: draft
                severity: SEV3
                started: 2024-01-10T09:00:00+00:00
                ---
                """,
            "postmortems/b-second.md": """\
                ---
                title: Second
                status: draft
                severity: SEV3
                id: a-first
                started: 2024-02-10T09:00:00+00:00
                ---
                """,
        },
        [("postmortems/b-second.md:5: error:", "duplicate id 'a-first': postmortems/a-first.md has it already")],
        id="duplicate-id",
    ),
    pytest.param(
        {
            "postmortems/a.md": """\
                ---
                title: Path traversal
                id: "../etc"
                status: draft
                severity: SEV3
                started: 2024-01-10T09:00:00+00:00
                ---
                """
        },
        [("postmortems/a.md:3: error:", "unsafe id '../etc'")],
        id="unsafe-id-traversal",
    ),
    pytest.param(
        {
            "postmortems/a.md": """\
                ---
                title: Upper case id
                status: draft
                severity: SEV3
                started: 2024-01-10T09:00:00+00:00
                id: Bad_ID
                ---
                """
        },
        [("postmortems/a.md:6: error:", "unsafe id 'Bad_ID'")],
        id="unsafe-id-case",
    ),
    pytest.param(
        {
            "postmortems/Checkout Outage.md": """\
                ---
                title: Unsafe file name and no id
                status: draft
                severity: SEV3
                started: 2024-01-10T09:00:00+00:00
                ---
                """
        },
        [("postmortems/Checkout Outage.md:1: error:", "file name 'Checkout Outage.md' is not a safe id")],
        id="unsafe-file-name",
    ),
    pytest.param(
        {
            "postmortems/checkout-outage.md": """\
                ---
                title: Target
                status: draft
                severity: SEV3
                started: 2024-01-10T09:00:00+00:00
                ---
                """,
            "postmortems/later.md": """\
                ---
                title: Points at a typo
                status: draft
                severity: SEV3
                started: 2024-02-10T09:00:00+00:00
                related:
                  - checkout-outag
                ---
                """,
        },
        [
            (
                "postmortems/later.md:7: error:",
                "related id 'checkout-outag' does not exist; did you mean 'checkout-outage'?",
            )
        ],
        id="unknown-related-id",
    ),
    pytest.param(
        {
            "postmortems/a.md": """\
                ---
                title: Unowned and undated work
                status: draft
                severity: SEV3
                started: 2024-01-10T09:00:00+00:00
                action_items:
                  - title: Add an alert
                    due: 2026-01-31
                  - title: Stage config rollouts by zone
                    owner: platform-team
                ---
                """
        },
        [
            ("postmortems/a.md:7: error:", "action_items[0]: missing required key 'owner'"),
            ("postmortems/a.md:9: error:", "action_items[1]: missing required key 'due'"),
        ],
        id="open-action-item-without-owner-or-due",
    ),
    pytest.param(
        {
            "postmortems/a.md": """\
                ---
                title: Dropped silently
                status: draft
                severity: SEV3
                started: 2024-01-10T09:00:00+00:00
                action_items:
                  - title: Rewrite the ORM
                    status: wont-do
                ---
                """
        },
        [("postmortems/a.md:7: error:", "action_items[0]: missing required key 'note' (when status is wont-do)")],
        id="wont-do-without-note",
    ),
    pytest.param(
        {
            "postmortems/a.md": """\
                ---
                title: Fix for a cause it does not have
                status: draft
                severity: SEV3
                started: 2024-01-10T09:00:00+00:00
                causes: [global-rollout]
                action_items:
                  - title: Add an alert
                    owner: sre-team
                    due: 2026-01-31
                    addresses: [missing-alert]
                ---
                """
        },
        [("postmortems/a.md:11: error:", "'addresses' names 'missing-alert', which is not a cause of this postmortem")],
        id="action-item-addresses-foreign-cause",
    ),
    pytest.param(
        {
            "postmortems/a.md": """\
                ---
                title: Never closed
                status: draft
                severity: SEV3
                started: 2024-01-10T09:00:00+00:00
                """
        },
        [("postmortems/a.md:1: error:", "front matter is not closed")],
        id="front-matter-not-closed",
    ),
    pytest.param(
        {"postmortems/a.md": ""},
        [("postmortems/a.md:1: error:", "empty file")],
        id="empty-file",
    ),
    pytest.param(
        {"postmortems/a.md": "# Just Markdown\n\nNo front matter here.\n"},
        [("postmortems/a.md:1: error:", "no front matter")],
        id="no-front-matter",
    ),
    pytest.param(
        {
            "postmortems/a.md": """\
                ---
                title: Said twice
                status: draft
                severity: SEV3
                started: 2024-01-10T09:00:00+00:00
                severity: SEV1
                ---
                """
        },
        [("postmortems/a.md:6: error:", "key 'severity' is written twice")],
        id="key-written-twice",
    ),
    pytest.param(
        {
            "postmortems/a.md": """\
                ---
                title: Listed for onboarding
                status: draft
                severity: SEV3
                started: 2024-01-10T09:00:00+00:00
                ---
                """,
            "postmortems/reading.yml": """\
                tracks:
                  - name: First week
                    items:
                      - id: b
                """,
        },
        [("postmortems/reading.yml:4: error:", "unknown postmortem id 'b'")],
        id="reading-list-unknown-id",
    ),
]


@pytest.mark.parametrize(("files", "expected"), ERROR_CASES)
def test_lint_reports_each_error_at_its_line_and_exits_1(
    write_project: WriteProject, kb: Kb, files: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    project = write_project(files)

    code, out, _ = kb(project, "lint")

    lines = problem_lines(out)
    assert len(lines) == len(expected), out
    for line, (where, text) in zip(lines, expected, strict=True):
        assert line.startswith(where + " "), out
        assert text in line, out
    assert code == 1


VALID_CASES = [
    pytest.param(
        """\
        ---
        title: Draft without summary, authors or causes
        status: draft
        severity: SEV3
        started: 2024-01-10T09:00:00+00:00
        ---
        """,
        id="draft-may-omit-published-fields",
    ),
    pytest.param(
        """\
        ---
        title: Near-miss without severity
        status: draft
        type: near-miss
        started: 2024-01-10T09:00:00+00:00
        ---
        """,
        id="near-miss-may-omit-severity",
    ),
    pytest.param(VALID_POSTMORTEM, id="complete-published-incident"),
]


@pytest.mark.parametrize("text", VALID_CASES)
def test_lint_accepts_valid_postmortem(write_project: WriteProject, kb: Kb, text: str) -> None:
    project = write_project({"postmortems/a.md": text})

    code, out, err = kb(project, "lint", "--strict")

    assert (code, out) == (0, ""), out
    assert "1 files checked: 0 errors, 0 warnings" in err


NO_OFFSET = """\
    ---
    title: Local time only
    status: draft
    severity: SEV3
    started: 2024-01-10T09:00:00
    ---
    """


def test_datetime_without_offset_is_only_a_warning(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({"postmortems/a.md": NO_OFFSET})

    code, out, _ = kb(project, "lint")

    assert code == 0
    assert problem_lines(out) == [
        "postmortems/a.md:5: warning: 'started': 2024-01-10T09:00:00 has no UTC offset; read as UTC. "
        "Add one, e.g. +00:00, so readers in other zones see the same moment"
    ]


def test_strict_lint_fails_on_a_warning(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({"postmortems/a.md": NO_OFFSET})

    code, out, _ = kb(project, "lint", "--strict")

    assert code == 1
    assert out.startswith("postmortems/a.md:5: warning:")


def test_warning_names_the_configured_timezone(write_project: WriteProject, kb: Kb) -> None:
    config = "site_name: T\nplugins:\n  - postmortems:\n      timezone: Europe/Paris\n"
    project = write_project({"mkdocs.yml": config, "postmortems/a.md": NO_OFFSET})

    _, out, _ = kb(project, "lint")

    assert "read as Europe/Paris" in out


def test_timeline_out_of_order_is_a_warning(write_project: WriteProject, kb: Kb) -> None:
    text = """\
        ---
        title: Timeline written backwards
        status: draft
        severity: SEV3
        started: 2024-01-10T09:00:00+00:00
        timeline:
          - at: "09:30"
            event: Rolled back.
          - at: "09:10"
            event: Paged.
        ---
        """
    project = write_project({"postmortems/a.md": text})

    code, out, _ = kb(project, "lint")

    assert code == 0
    assert problem_lines(out) == [
        "postmortems/a.md:9: warning: timeline[1] (2024-01-10T09:10:00+00:00) is before the entry above it; "
        "keep the timeline in order"
    ]


def test_json_report_counts_files_errors_and_warnings(write_project: WriteProject, kb: Kb) -> None:
    bad = """\
        ---
        title: Typo
        status: draft
        severity: SEV3
        started: 2024-01-10T09:00:00+00:00
        servces: [checkout]
        ---
        """
    project = write_project({"postmortems/a.md": bad, "postmortems/b.md": NO_OFFSET})

    code, out, _ = kb(project, "lint", "--format", "json")

    assert code == 1
    report = json.loads(out)
    assert report == {
        "files": 2,
        "errors": 1,
        "warnings": 1,
        "problems": [
            {
                "path": "postmortems/a.md",
                "line": 6,
                "level": "error",
                "message": "unknown key 'servces'; did you mean 'services'?",
                "rule": "unknown-key",
            },
            {
                "path": "postmortems/b.md",
                "line": 5,
                "level": "warning",
                "message": report["problems"][1]["message"],
                "rule": "schema",
            },
        ],
    }
    assert report["problems"][1]["message"].startswith("'started': 2024-01-10T09:00:00 has no UTC offset")


def test_json_report_of_a_clean_library(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({"postmortems/a.md": VALID_POSTMORTEM})

    code, out, _ = kb(project, "lint", "--format", "json")

    assert code == 0
    assert json.loads(out) == {"files": 1, "errors": 0, "warnings": 0, "problems": []}


def test_paths_are_relative_to_the_current_folder(write_project: WriteProject, kb: Kb) -> None:
    project = write_project(
        {"handbook/postmortems/a.md": NO_OFFSET, "handbook/mkdocs.yml": "site_name: T\nplugins: [postmortems]\n"}
    )

    code, out, _ = kb(project, "lint", "-f", "handbook/mkdocs.yml")

    assert code == 0
    assert out.startswith("handbook/postmortems/a.md:5: warning:")  # opens from here, as CI annotations need


def test_missing_config_file_is_a_usage_error(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({})

    code, out, err = kb(project, "lint", "-f", "nowhere.yml")

    assert code == 2
    assert out == ""
    assert "nowhere.yml" in err


def test_unknown_timezone_is_a_usage_error(write_project: WriteProject, kb: Kb) -> None:
    config = "site_name: T\nplugins:\n  - postmortems:\n      timezone: Mars/Olympus\n"
    project = write_project({"mkdocs.yml": config})

    code, _, err = kb(project, "lint")

    assert code == 2
    assert "unknown zone 'Mars/Olympus'" in err
