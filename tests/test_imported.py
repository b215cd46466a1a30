"""Imported postmortems (``imported:``, written by ``kb import``): where they came from is
kept and shown, what their source never recorded is a warning until a person adds it, and
the import options in ``mkdocs.yml`` are checked like every other option."""

from __future__ import annotations

import json
from datetime import date

import pytest
from jsonschema import Draft202012Validator
from support import MKDOCS_YML, VALID_POSTMORTEM, Build, Kb, WriteProject, problem_lines

from kb.checks.library import load
from kb.format.settings import IMPORT_TARGETS
from kb.load.project import open_project
from kb.load.sources import read_source

MKDOCS_NO_FONT = MKDOCS_YML.replace("  name: material\n", "  name: material\n  font: false\n")
HINT = "(imported: complete it by hand)"

# A published incident as a legacy source had it: no severity, authors, summary or
# causes, and an open action item nobody owns, with no due date.
LEGACY = """\
---
title: Search returned stale results for a day
status: published
started: 2023-05-02T08:00:00+00:00
services: [catalog-search]
action_items:
  - title: Alert when the search index is more than an hour old
imported:
  from: https://wiki.example.com/pm/<b>stale</b>?a=1&b=2
  at: 2026-06-01
  tool: kb import 1.0.0
---

## What happened

The index stopped refreshing.
"""
# The same file without its ``imported`` key (nor the blank line it leaves).
NOT_IMPORTED = LEGACY[: LEGACY.index("imported:")] + LEGACY[LEGACY.index("---\n\n## What") :]


def test_an_imported_postmortem_missing_legacy_fields_lints_with_warnings_only(
    write_project: WriteProject, kb: Kb
) -> None:
    project = write_project({"postmortems/legacy.md": LEGACY})

    code, out, _ = kb(project, "lint")
    strict_code, _, _ = kb(project, "lint", "--strict")

    lines = problem_lines(out)
    problems = [line for line in lines if ": warning: " in line or ": error: " in line]
    assert code == 0
    assert strict_code == 1
    assert not [line for line in problems if ": error: " in line]
    expected = [
        f"postmortems/legacy.md:1: warning: a published postmortem needs at least one cause {HINT}",
        f"postmortems/legacy.md:1: warning: front matter: missing required key 'severity' (for incidents) {HINT}",
        "postmortems/legacy.md:1: warning: front matter: missing required key 'authors' "
        f"(when status is published) {HINT}",
        "postmortems/legacy.md:1: warning: front matter: missing required key 'summary' "
        f"(when status is published) {HINT}",
        "postmortems/legacy.md:7: warning: action_items[0]: missing required key 'owner' "
        f"(unless status is done or wont-do) {HINT}",
        "postmortems/legacy.md:7: warning: action_items[0]: missing required key 'due' "
        f"(unless status is done or wont-do) {HINT}",
    ]
    for line in expected:
        assert line in problems


def test_an_imported_postmortem_missing_legacy_fields_gets_a_page_that_says_where_it_came_from(
    write_project: WriteProject, build: Build
) -> None:
    project = write_project({"mkdocs.yml": MKDOCS_NO_FONT, "postmortems/legacy.md": LEGACY})

    site = build(project)

    assert site.has_page("legacy")
    page = site.page("legacy")
    assert "Imported from <code>" in page
    assert "on 2026-06-01 by kb import 1.0.0" in page
    assert "Some fields may still need a person to complete them." in page
    # The source's address is shown as text: its markup is escaped, never rendered.
    assert "<b>stale</b>" not in page
    assert "&lt;b&gt;stale&lt;/b&gt;" in page or "&#60;b&#62;stale&#60;/b&#62;" in page
    records = json.loads((site.root / "api" / "postmortems.json").read_text(encoding="utf-8"))
    (record,) = records
    assert record["imported"] == {
        "from": "https://wiki.example.com/pm/<b>stale</b>?a=1&b=2",
        "at": "2026-06-01",
        "tool": "kb import 1.0.0",
    }
    assert record["severity"] is None


def test_a_postmortem_that_was_not_imported_gets_errors_and_no_page(
    write_project: WriteProject, kb: Kb, build: Build
) -> None:
    project = write_project({"mkdocs.yml": MKDOCS_NO_FONT, "postmortems/legacy.md": NOT_IMPORTED})

    code, out, _ = kb(project, "lint")
    site = build(project)

    assert code == 1
    errors = [line for line in problem_lines(out) if ": error: " in line]
    assert len(errors) == 6  # severity, authors, summary, causes, owner, due
    assert not [line for line in errors if HINT in line]
    assert not site.has_page("legacy")


def test_a_valid_postmortem_with_imported_shows_the_note_and_no_warning_about_it(
    write_project: WriteProject, kb: Kb, build: Build
) -> None:
    imported = "imported:\n  from: old/checkout.md\n  at: 2026-06-01\n  tool: kb import 1.0.0\n"
    text = VALID_POSTMORTEM.replace("---\n\n## What happened", imported + "---\n\n## What happened")
    project = write_project({"mkdocs.yml": MKDOCS_NO_FONT, "postmortems/a.md": text})

    code, out, _ = kb(project, "lint", "--strict")
    site = build(project)

    assert (code, out) == (0, "")
    assert "Imported from <code>old/checkout.md</code> on 2026-06-01" in site.page("a")


def test_imported_keeps_the_sources_own_keys(write_project: WriteProject, kb: Kb) -> None:
    text = LEGACY.replace(
        "  tool: kb import 1.0.0\n",
        "  tool: kb import 1.0.0\n"
        "  incident_commander: Dana\n"
        "  jira: OPS-1234\n"
        "  detected_by: [pager, customer]\n"
        "  metrics: {p99_ms: 2300, ratio: 0.5, paged: true}\n"
        "  reviewed: 2023-05-10\n"
        "  notes:\n",
    )
    project = write_project({"postmortems/legacy.md": text})

    code, out, _ = kb(project, "lint")
    library = load(open_project(project / "mkdocs.yml").settings, project)

    assert code == 0
    assert "incident_commander" not in out  # no "unknown key"
    (pm,) = library.postmortems
    assert pm.imported is not None
    assert (pm.imported.source, pm.imported.at, pm.imported.tool) == (
        "https://wiki.example.com/pm/<b>stale</b>?a=1&b=2",
        date(2026, 6, 1),
        "kb import 1.0.0",
    )
    assert pm.imported.extra == {
        "incident_commander": "Dana",
        "jira": "OPS-1234",
        "detected_by": ["pager", "customer"],
        "metrics": {"p99_ms": 2300, "ratio": 0.5, "paged": True},
        "reviewed": "2023-05-10",  # as written: it has no meaning here
        "notes": None,
    }


def test_the_sources_own_keys_reach_the_json_api(write_project: WriteProject, build: Build) -> None:
    text = LEGACY.replace("  tool: kb import 1.0.0\n", "  tool: kb import 1.0.0\n  jira: OPS-1234\n  sev: [3]\n")
    project = write_project({"mkdocs.yml": MKDOCS_NO_FONT, "postmortems/legacy.md": text})

    site = build(project)

    (record,) = json.loads((site.root / "api" / "postmortems.json").read_text(encoding="utf-8"))
    assert record["imported"]["jira"] == "OPS-1234"
    assert record["imported"]["sev"] == [3]


@pytest.mark.parametrize(
    ("imported", "expected"),
    [
        pytest.param(
            "imported:\n  at: 2026-06-01\n  tool: kb import 1.0.0\n",
            "postmortems/legacy.md:8: error: imported: missing required key 'from'",
            id="missing-from",
        ),
        pytest.param(
            "imported:\n  form: old.md\n  at: 2026-06-01\n  tool: kb import 1.0.0\n",
            "postmortems/legacy.md:8: error: imported: missing required key 'from' (is 'form' a typo for it?)",
            id="misspelt-from",
        ),
        pytest.param(
            "imported:\n  from: old.md\n  at: last week\n  tool: kb import 1.0.0\n",
            "postmortems/legacy.md:10: error: 'imported.at': 'last week' is not a valid date (YYYY-MM-DD)",
            id="bad-date",
        ),
        pytest.param(
            'imported:\n  from: old.md\n  at: 2026-06-01\n  tool: kb import 1.0.0\n  owner: "\\a x"\n',
            "postmortems/legacy.md:12: error: 'imported.owner': ",
            id="control-character-in-a-kept-key",
        ),
        pytest.param(
            "imported: old.md\n",
            "postmortems/legacy.md:8: error: 'imported' must be a mapping, not 'old.md'",
            id="not-a-mapping",
        ),
    ],
)
def test_a_wrong_imported_is_an_error_at_its_line(
    write_project: WriteProject, kb: Kb, imported: str, expected: str
) -> None:
    start = LEGACY.index("imported:")
    text = LEGACY[:start] + imported + LEGACY[LEGACY.index("---\n\n## What") :]
    project = write_project({"postmortems/legacy.md": text})

    code, out, _ = kb(project, "lint")

    assert code == 1
    assert any(line.startswith(expected) for line in problem_lines(out)), out


def test_imported_relaxes_only_the_legacy_requirements(write_project: WriteProject, kb: Kb) -> None:
    text = LEGACY.replace("services: [catalog-search]\n", "services: [catalog-search]\nserverity: SEV2\n").replace(
        "  - title: Alert when the search index is more than an hour old\n",
        "  - title: Alert when the search index is more than an hour old\n"
        "  - title: Rewrite the indexer in a weekend\n"
        "    status: wont-do\n",
    )
    project = write_project({"postmortems/legacy.md": text})

    code, out, _ = kb(project, "lint")

    errors = [line for line in problem_lines(out) if ": error: " in line]
    assert code == 1
    assert errors == [
        "postmortems/legacy.md:6: error: unknown key 'serverity'; did you mean 'severity'?",
        "postmortems/legacy.md:9: error: action_items[1]: missing required key 'note' (when status is wont-do)",
    ]


def test_the_json_schema_relaxes_the_same_requirements(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({"postmortems/legacy.md": LEGACY, "postmortems/plain.md": NOT_IMPORTED})
    _, schema, _ = kb(project, "schema")
    validator = Draft202012Validator(json.loads(schema))

    def errors(name: str) -> list[str]:
        front = read_source(project / "postmortems" / name, name).tree.value
        return sorted(e.message for e in validator.iter_errors(front))

    assert errors("legacy.md") == []
    assert errors("plain.md") == [
        "'authors' is a required property",
        "'due' is a required property",
        "'owner' is a required property",
        "'severity' is a required property",
        "'summary' is a required property",
    ]
    (project / "postmortems" / "extra.md").write_text(
        LEGACY.replace("  at: 2026-06-01\n", "  at: 2026-06-01\n  jira: OPS-1\n").replace("  from: ", "  source: "),
        encoding="utf-8",
    )
    assert errors("extra.md") == ["'from' is a required property"]


# --- the import options -----------------------------------------------------------------


def options(text: str) -> str:
    return MKDOCS_YML + "".join(f"      {line}\n" for line in text.splitlines())


def test_import_options_are_read_and_compared_case_insensitively(write_project: WriteProject) -> None:
    config = options(
        "severities: [critical, major, minor]\n"
        "import_sections: {Background: narrative, 'Follow-up  items': action_items}\n"
        "import_severities: {P1: critical, sev 2: major}"
    )
    project = write_project({"mkdocs.yml": config})

    settings = open_project(project / "mkdocs.yml").settings

    assert settings.import_sections == {"Background": "narrative", "Follow-up  items": "action_items"}
    assert settings.import_severities == {"P1": "critical", "sev 2": "major"}
    assert settings.import_target("BACKGROUND") == "narrative"
    assert settings.import_target("follow-up items") == "action_items"
    assert settings.import_target("Analysis") is None
    assert settings.import_severity("p1") == "critical"
    assert settings.import_severity("SEV 2") == "major"
    assert settings.import_severity("P3") is None
    assert "narrative" in IMPORT_TARGETS and "action_items" in IMPORT_TARGETS


def test_the_import_options_default_to_nothing(write_project: WriteProject) -> None:
    settings = open_project(write_project({}) / "mkdocs.yml").settings

    assert (settings.import_sections, settings.import_severities) == ({}, {})


def test_the_mkdocs_plugin_accepts_the_import_options(write_project: WriteProject, build: Build) -> None:
    config = MKDOCS_NO_FONT + "      import_sections: {Background: narrative}\n      import_severities: {P1: SEV1}\n"
    project = write_project({"mkdocs.yml": config, "postmortems/a.md": VALID_POSTMORTEM})

    site = build(project, strict=True)

    assert site.has_page("a")


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        pytest.param(
            "import_sections: {Background: story}",
            "'plugins.postmortems.import_sections.Background': 'story' is not one of " + ", ".join(IMPORT_TARGETS),
            id="unknown-section-target",
        ),
        pytest.param(
            "import_sections: {Follow-ups: action-items}",
            "'action-items' is not one of summary, impact, trigger, causes, detection, resolution, timeline, "
            "action_items, lessons, went_well, went_wrong, got_lucky, narrative; did you mean 'action_items'?",
            id="misspelt-section-target",
        ),
        pytest.param(
            "import_sections: [Background]",
            "'plugins.postmortems.import_sections' must be a mapping, not a list",
            id="sections-not-a-mapping",
        ),
        pytest.param(
            "import_sections: {Background: narrative, background: summary}",
            "plugins.postmortems.import_sections: 'Background' and 'background' are the same name",
            id="same-section-in-two-cases",
        ),
        pytest.param(
            "import_severities: {major: SEV 2}",
            "plugins.postmortems.import_severities.major: 'SEV 2' is not one of the severities "
            "(SEV1, SEV2, SEV3, SEV4); did you mean 'SEV2'?",
            id="unknown-severity",
        ),
        pytest.param(
            "severities: [critical, major]\nimport_severities: {P1: SEV1}",
            "plugins.postmortems.import_severities.P1: 'SEV1' is not one of the severities (critical, major)",
            id="severity-of-the-default-scale-when-another-is-configured",
        ),
    ],
)
def test_a_bad_import_option_is_a_clear_error(write_project: WriteProject, kb: Kb, option: str, expected: str) -> None:
    project = write_project({"mkdocs.yml": options(option), "postmortems/a.md": VALID_POSTMORTEM})

    code, out, err = kb(project, "lint")

    assert code != 0
    assert out == ""
    assert expected in err
    assert err.startswith("kb: ")
