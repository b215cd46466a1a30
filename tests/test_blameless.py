"""Blameless language: blameful wording is reported with its file and line, in lint and in the build.

Line 1 of a postmortem file is its opening `---`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support import MKDOCS_YML, REPO, Build, Kb, WriteProject

from kb.checks.library import load
from kb.load.project import open_project

GUIDE = "(see docs/blameless.md)"
_PROBLEM = re.compile(r"^(?P<where>\S+:\d+): (?P<level>error|warning): (?P<message>.*)$")


def findings(stdout: str) -> list[tuple[str, str, str]]:
    """(``path:line``, level, message) of each blameless finding ``kb lint`` printed."""
    found = []
    for line in stdout.splitlines():
        m = _PROBLEM.match(line)
        if m and GUIDE in m["message"]:
            found.append((m["where"], m["level"], m["message"]))
    return found


def postmortem(front: str = "", body: str = "## What happened\n\nThe pool ran dry.\n", **keys: str) -> str:
    """A valid draft; ``front`` is extra front-matter lines, starting on line 7."""
    return (
        "---\n"
        "title: Checkout returned 502s\n"  # line 2
        "status: draft\n"
        "severity: SEV3\n"
        "started: 2024-03-12T14:00:00+00:00\n"
        "authors: [Priya Raman]\n"  # line 6
        f"{front}"
        "---\n"
        f"{body}"
    )


def mkdocs_yml(**options: str) -> str:
    return MKDOCS_YML + "".join(f"      {key}: {value}\n" for key, value in options.items())


# --- each phrase class, in the front matter and the body ------------------------------

FRONT = """\
summary: The outage was put down to human error.
impact:
  summary: Users were blamed for retrying.
detection:
  detail: An engineer carelessly silenced the alert.
trigger: A mistake by the release manager.
causes:
  - key: global-rollout
    detail: >-
      The operator was negligent.
action_items:
  - title: Stop saying operator error
    owner: sre-team
    due: 2026-09-01
  - title: Drop the ORM
    status: wont-do
    note: Whoever was at fault has left.
lessons:
  - The on-call should have known the limits.
went_well: [Nobody blamed the pager]
went_wrong: [The engineer failed to page the database team]
got_lucky: [Someone noticed; nobody should've known that]
timeline:
  - at: "14:05"
    event: On-call blames the CDN.
"""

EXPECTED_FRONT = [
    ("postmortems/a.md:7", "'summary': \"human error\" stops at a person"),
    ("postmortems/a.md:9", "'impact.summary': \"blamed\" assigns fault"),
    ("postmortems/a.md:11", "'detection.detail': \"carelessly\" judges a person"),
    ("postmortems/a.md:12", "'trigger': \"mistake by\" stops at a person"),
    ("postmortems/a.md:15", "'causes[0].detail': \"negligent\" judges a person"),
    ("postmortems/a.md:18", "'action_items[0].title': \"operator error\" stops at a person"),
    ("postmortems/a.md:23", "'action_items[1].note': \"was at fault\" assigns fault"),
    ("postmortems/a.md:25", "'lessons[0]': \"should have known\" is hindsight"),
    ("postmortems/a.md:26", "'went_well[0]': \"blamed\" assigns fault"),
    ("postmortems/a.md:27", "'went_wrong[0]': \"The engineer failed to\" puts the failure on a person"),
    ("postmortems/a.md:28", "'got_lucky[0]': \"should've known\" is hindsight"),
    ("postmortems/a.md:31", "'timeline[0].event': \"blames\" assigns fault"),
]


def test_blameful_phrases_in_every_text_field_are_reported_at_their_key(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({"postmortems/a.md": postmortem(FRONT)})

    code, out, _ = kb(project, "lint")

    found = findings(out)
    assert [(where, level) for where, level, _ in found] == [(where, "warning") for where, _ in EXPECTED_FRONT]
    for (_, _, message), (_, text) in zip(found, EXPECTED_FRONT, strict=True):
        assert text in message
    assert code == 0  # warnings only


def test_a_finding_names_the_phrase_a_reframe_and_the_guide(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({"postmortems/a.md": postmortem("summary: Root cause was human error.\n")})

    _, out, _ = kb(project, "lint")

    [(where, level, message)] = findings(out)
    assert (where, level) == ("postmortems/a.md:7", "warning")
    assert message == (
        "'summary': \"human error\" stops at a person; describe what made the action easy to take and what did "
        "not catch it: a missing validation, review, test or guard rail (see docs/blameless.md)"
    )


def test_the_title_is_checked(write_project: WriteProject, kb: Kb) -> None:
    text = postmortem().replace("Checkout returned 502s", "Careless deploy broke checkout")
    project = write_project({"postmortems/a.md": text})

    _, out, _ = kb(project, "lint")

    assert [(w, m.split(";")[0]) for w, _, m in findings(out)] == [
        ("postmortems/a.md:2", "'title': \"Careless\" judges a person")
    ]


BODY = """\
## What happened

At 14:05 the deploy went out. It was human
error, said the first report.

## Analysis

The operator was careless
and negligent. Nobody is to blame.
"""


def test_findings_in_the_body_give_the_exact_line(write_project: WriteProject, kb: Kb) -> None:
    # The body starts on line 8; a phrase split over two lines is found on its first.
    project = write_project({"postmortems/a.md": postmortem(body=BODY)})

    _, out, _ = kb(project, "lint")

    assert [(w, m.split(";")[0]) for w, _, m in findings(out)] == [
        ("postmortems/a.md:10", "'body': \"human error\" stops at a person"),
        ("postmortems/a.md:15", "'body': \"careless\" judges a person"),
        ("postmortems/a.md:16", "'body': \"blame\" assigns fault"),  # same line: by message
        ("postmortems/a.md:16", "'body': \"negligent\" judges a person"),
    ]


# --- "failed to" ---------------------------------------------------------------------

TECHNICAL_PROSE = """\
summary: >-
  The health check failed to connect to the database, and the load balancer failed to drain
  the bad hosts. Kafka rebalanced the partitions twice. They failed to rejoin the cluster.
trigger: Kafka rebalanced after a broker restart.
causes:
  - key: global-rollout
    detail: >-
      The Postgres operator failed to promote the replica. Traffic pushed the pool over its
      limit. Nginx returned 502s. This pushed retries up. Deploy pushed the change to every
      region because the deploy job has no stages.
  - key: missing-alert
    detail: Retries failed to back off. The blameless review found no blame-free way around it.
lessons:
  - Writes that fail to commit are retried; the worker fails to start without its config.
timeline:
  - at: "14:05"
    event: See https://github.com/acme/edge/blame/main/rules.yml for the change.
"""

TECHNICAL_BODY = """\
## What happened

The canary failed to report, and the probe failed to resolve the host. Checkout failed to
reach payments. `git blame` shows the line was unchanged.

<!-- nothing here was careless -->
"""


def test_ordinary_technical_prose_is_not_reported(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({"postmortems/a.md": postmortem(TECHNICAL_PROSE, body=TECHNICAL_BODY)})

    code, out, _ = kb(project, "lint", "--strict")

    assert findings(out) == []
    assert code == 0, out


@pytest.mark.parametrize(
    ("sentence", "phrase"),
    [
        ("The on-call engineer failed to notice the alert.", "The on-call engineer failed to"),
        ("After the rollback, he failed to restart the workers.", "he failed to"),
        ("Someone failed to update the runbook.", "Someone failed to"),
        ("The payments team failed to review the change.", "The payments team failed to"),
        ("We also failed to page the database team.", "We also failed to"),
        ("Priya failed to escalate.", "Priya failed to"),
        ("The reviewer, then the approver failed to spot it.", "the approver failed to"),
    ],
)
def test_failed_to_is_reported_when_its_subject_is_a_person(
    write_project: WriteProject, kb: Kb, sentence: str, phrase: str
) -> None:
    project = write_project({"postmortems/a.md": postmortem(f"went_wrong: ['{sentence}']\n")})

    _, out, _ = kb(project, "lint")

    [(where, _, message)] = findings(out)
    assert where == "postmortems/a.md:7"
    assert message.startswith(f"'went_wrong[0]': \"{phrase}\" puts the failure on a person; name the safeguard")


# --- a person as the subject of a cause or trigger ---------------------------------------


@pytest.mark.parametrize(
    ("detail", "phrase"),
    [
        ("Alice pushed a bad config.", "Alice pushed"),
        ("The config had no schema. Bob accidentally deleted the key.", "Bob accidentally deleted"),
        ("Someone merged the change without review.", "Someone merged"),
        ("The on-call engineer ignored the first page.", "The on-call engineer ignored"),
        ("The change Priya approved had an invalid regex.", "Priya"),  # an author, named anywhere
        ("Marta Nowak ran the script by hand.", "Marta Nowak"),  # an action item owner
    ],
)
def test_a_person_as_the_subject_of_a_cause_is_reported(
    write_project: WriteProject, kb: Kb, detail: str, phrase: str
) -> None:
    front = (
        "causes:\n"
        "  - key: global-rollout\n"
        f"    detail: {detail}\n"  # line 9
        "action_items:\n"
        "  - title: Validate configs in the pipeline\n"
        "    owner: Marta Nowak\n"
        "    due: 2026-09-01\n"
    )
    project = write_project({"postmortems/a.md": postmortem(front)})

    _, out, _ = kb(project, "lint")

    [(where, _, message)] = findings(out)
    assert where == "postmortems/a.md:9"
    assert message.startswith(f"'causes[0].detail': \"{phrase}\" makes a person the subject of a cause;")
    assert "because the pipeline has no validation" in message


def test_a_person_as_the_subject_of_the_trigger_is_reported(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({"postmortems/a.md": postmortem("trigger: Alice pushed a bad config to the edge.\n")})

    _, out, _ = kb(project, "lint")

    assert [(w, m.split(";")[0]) for w, _, m in findings(out)] == [
        ("postmortems/a.md:7", "'trigger': \"Alice pushed\" makes a person the subject of a trigger")
    ]


def test_names_outside_causes_and_trigger_are_not_reported(write_project: WriteProject, kb: Kb) -> None:
    # The timeline may say who did what; team owners and lower-case handles are not names.
    front = (
        "summary: Alice pushed a config; Priya Raman led the response.\n"
        "trigger: A config push to the edge.\n"
        "causes:\n"
        "  - key: global-rollout\n"
        "    detail: Kafka rebalanced when Edge pushed the change to every node at once.\n"
        "timeline:\n"
        '  - at: "14:05"\n'
        "    event: Alice rolls back the change.\n"
        "action_items:\n"
        "  - title: Stage edge rollouts\n"
        "    owner: edge-team\n"
        "    due: 2026-09-01\n"
    )
    text = postmortem(front).replace("authors: [Priya Raman]\n", "authors: [Priya Raman]\nservices: [edge]\n")
    project = write_project({"postmortems/a.md": text})

    code, out, _ = kb(project, "lint", "--strict")

    assert findings(out) == []
    assert code == 0, out


def test_a_first_name_that_is_also_a_word_is_not_taken_for_the_person(write_project: WriteProject, kb: Kb) -> None:
    front = (
        "causes:\n  - key: global-rollout\n    detail: Max connections were reached because the max was set per pod.\n"
    )
    text = postmortem(front).replace("authors: [Priya Raman]", "authors: [Max Power]")
    project = write_project({"postmortems/a.md": text})

    code, out, _ = kb(project, "lint", "--strict")

    assert (code, findings(out)) == (0, [])


# --- quoted material ----------------------------------------------------------------------

QUOTED_BODY = """\
## Chat log

<!-- kb:quote -->
14:02 <sam> probably human error, whoever pushed this was careless
14:03 <kim> let's not blame anyone yet
<!-- /kb:quote -->

> 14:04 <sam> the operator should have known
continued, still part of the quote: human error

```text
ERROR: blame tracker: operator error
```

## Analysis

After the quote, checks resume: human error.
"""


def test_quoted_material_is_not_reported(write_project: WriteProject, kb: Kb) -> None:
    # Body starts on line 8; "## Analysis" is line 22.
    project = write_project({"postmortems/a.md": postmortem(body=QUOTED_BODY)})

    _, out, _ = kb(project, "lint")

    assert [(w, m.split(";")[0]) for w, _, m in findings(out)] == [
        ("postmortems/a.md:24", "'body': \"human error\" stops at a person")
    ]


def test_an_unclosed_quote_marker_is_reported(write_project: WriteProject, kb: Kb) -> None:
    body = "## Chat log\n\n<!-- kb:quote -->\n<sam> human error\n"
    project = write_project({"postmortems/a.md": postmortem(body=body)})

    _, out, _ = kb(project, "lint")

    [(where, level, message)] = findings(out)
    assert (where, level) == ("postmortems/a.md:10", "warning")
    assert message.startswith("'<!-- kb:quote -->' is never closed")


# --- levels and options ---------------------------------------------------------------------


def test_warning_is_the_default_and_fails_only_strict_lint(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({"postmortems/a.md": postmortem("summary: Human error.\n")})

    assert kb(project, "lint")[0] == 0
    code, out, _ = kb(project, "lint", "--strict")
    assert code == 1
    assert [(w, level) for w, level, _ in findings(out)] == [("postmortems/a.md:7", "warning")]


def test_a_file_with_only_blameless_warnings_builds_and_warns(write_project: WriteProject, build: Build) -> None:
    project = write_project({"postmortems/a.md": postmortem("summary: Human error.\n")})

    site = build(project)

    assert site.has_page("a")
    assert [w for w in site.warnings if GUIDE in w] == [
        "postmortems/a.md:7: warning: 'summary': \"Human error\" stops at a person; describe what made the action "
        "easy to take and what did not catch it: a missing validation, review, test or guard rail "
        "(see docs/blameless.md)"
    ]


def test_level_error_fails_lint(write_project: WriteProject, kb: Kb) -> None:
    project = write_project(
        {"mkdocs.yml": mkdocs_yml(blameless="error"), "postmortems/a.md": postmortem("summary: Human error.\n")}
    )

    code, out, _ = kb(project, "lint")

    assert code == 1
    assert [(w, level) for w, level, _ in findings(out)] == [("postmortems/a.md:7", "error")]


def test_level_off_reports_nothing(write_project: WriteProject, kb: Kb) -> None:
    body = "<!-- kb:quote -->\nnever closed\n"
    project = write_project(
        {
            "mkdocs.yml": mkdocs_yml(blameless="off"),
            "postmortems/a.md": postmortem("summary: Human error.\ntrigger: Alice pushed it.\n", body=body),
        }
    )

    code, out, _ = kb(project, "lint", "--strict")

    assert (code, findings(out)) == (0, [])


def test_extra_phrases_and_allowed_rules(write_project: WriteProject, kb: Kb) -> None:
    project = write_project(
        {
            "mkdocs.yml": mkdocs_yml(
                blameless_phrases='["dropped the ball"]', blameless_allow='["blame", "failed to"]'
            ),
            "postmortems/a.md": postmortem(
                "summary: Ops Dropped  the Ball; nobody is to blame.\nwent_wrong: [He failed to page.]\n"
            ),
        }
    )

    _, out, _ = kb(project, "lint")

    assert [(w, m.split(";")[0]) for w, _, m in findings(out)] == [
        ("postmortems/a.md:7", "'summary': \"Dropped the Ball\" is on this library's blameless word list")
    ]


def test_an_unknown_allowed_rule_is_a_settings_error(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({"mkdocs.yml": mkdocs_yml(blameless_allow="[human-error]")})

    code, _, err = kb(project, "lint")

    assert code == 2
    assert "did you mean 'human error'?" in err


def test_the_example_library_has_no_blameless_findings() -> None:
    settings = open_project(REPO / "mkdocs.yml").settings
    library = load(settings, Path(REPO))

    assert [str(p) for p in library.problems if GUIDE in p.message] == []


# --- forgetting and hindsight, in the narrative too ------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "phrase", "problem"),
    [
        ("Bob forgot to configure Sentinel on the new replica.", "Bob forgot", "on a person's memory"),
        ("The on-call engineer neglected the second page.", "The on-call engineer neglected", "on a person's memory"),
        ("We should have caught this in staging.", "We should have caught", "is hindsight"),
        ("- should have caught this in staging", "should have caught", "is hindsight"),
        ("He could've noticed the lag sooner.", "He could've noticed", "is hindsight"),
        ("The on-call engineer failed to notice the page.", "The on-call engineer failed to", "on a person"),
    ],
)
def test_forgetting_and_hindsight_about_people_are_reported_in_the_narrative(
    write_project: WriteProject, kb: Kb, sentence: str, phrase: str, problem: str
) -> None:
    body = f"## What happened\n\nThe pool ran dry.\n\n{sentence}\n"
    project = write_project({"postmortems/a.md": postmortem(body=body)})

    _, out, _ = kb(project, "lint")

    [(where, _, message)] = findings(out)
    assert where == "postmortems/a.md:12"  # the body's line 5
    assert message.startswith(f"'body': \"{phrase}\" ") and problem in message


def test_systems_that_should_have_or_forgot_are_not_people(write_project: WriteProject, kb: Kb) -> None:
    body = (
        "## What happened\n\n"
        "The health check failed to connect. The cache should have expired after five minutes, and the\n"
        "replica would have been promoted by the operator tool. The setting was forgotten in the runbook.\n"
        "The retry queue should have been bounded.\n"
    )
    project = write_project({"postmortems/a.md": postmortem(body=body)})

    code, out, _ = kb(project, "lint", "--strict")

    assert findings(out) == []
    assert code == 0, out


def test_the_new_rules_can_be_switched_off(write_project: WriteProject, kb: Kb) -> None:
    body = "## What happened\n\nBob forgot to configure Sentinel. We should have caught this in staging.\n"
    config = "site_name: T\nplugins:\n  - postmortems:\n      blameless_allow: [forgot, should have]\n"
    project = write_project({"mkdocs.yml": config, "postmortems/a.md": postmortem(body=body)})

    _, out, _ = kb(project, "lint")

    assert findings(out) == []
