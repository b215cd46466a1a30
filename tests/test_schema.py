"""The exported JSON Schema and field tables: committed copies equal the command output,
and the one committed schema both accepts the example library and rejects mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from support import REPO, VALID_POSTMORTEM, Kb, WriteProject

from kb.load.sources import read_source

SCHEMA_FILE = REPO / "schema" / "postmortem.schema.json"
FIELDS_FILE = REPO / "docs" / "reference" / "fields.md"


def example_files() -> list[Path]:
    """Every postmortem of the example library, found independently of ``kb``."""
    folder = REPO / "postmortems"
    return sorted(p for p in folder.rglob("*.md") if not p.name.startswith("_") and p.name != "README.md")


def front_matter(path: Path) -> object:
    """The front matter as parsed YAML, timestamps kept as the strings written."""
    return read_source(path, path.name).tree.value


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_committed_schema_is_the_command_output(kb: Kb) -> None:
    code, out, _ = kb(REPO, "schema")

    assert code == 0
    assert out == SCHEMA_FILE.read_text(encoding="utf-8"), "run `make schema`"


def test_committed_field_reference_is_the_command_output(kb: Kb) -> None:
    code, out, _ = kb(REPO, "schema", "--format", "markdown")

    assert code == 0
    assert out == FIELDS_FILE.read_text(encoding="utf-8"), "run `make schema`"


def test_schema_follows_the_configured_severity_scale(write_project: WriteProject, kb: Kb) -> None:
    config = "site_name: T\nplugins:\n  - postmortems:\n      severities: [critical, major, minor]\n"
    project = write_project({"mkdocs.yml": config})

    schema = json.loads(kb(project, "schema")[1])

    assert schema["properties"]["severity"]["enum"] == ["critical", "major", "minor"]


@pytest.mark.example_library
def test_example_library_validates_against_the_schema(validator: Draft202012Validator) -> None:
    files = example_files()
    assert files, "the example library has no postmortems"

    failures = {
        path.relative_to(REPO).as_posix(): [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]
        for path in files
        if (errors := list(validator.iter_errors(front_matter(path))))
    }

    assert failures == {}


def test_schema_accepts_a_valid_postmortem(validator: Draft202012Validator, write_project: WriteProject) -> None:
    path = write_project({"postmortems/a.md": VALID_POSTMORTEM}) / "postmortems" / "a.md"

    assert [e.message for e in validator.iter_errors(front_matter(path))] == []


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("serverity: SEV1", "'serverity' was unexpected"),
        ("tags: payments", "'payments' is not of type 'array'"),
        ("visibility: secret", "'secret' is not one of"),
        ("id: ../etc", "does not match"),
    ],
)
def test_schema_rejects_what_lint_rejects(
    validator: Draft202012Validator, write_project: WriteProject, line: str, error: str
) -> None:
    text = VALID_POSTMORTEM.replace("---\n", f"---\n{line}\n", 1)
    path = write_project({"postmortems/a.md": text}) / "postmortems" / "a.md"

    messages = [e.message for e in validator.iter_errors(front_matter(path))]

    assert any(error in m for m in messages), messages


def test_schema_requires_published_fields(validator: Draft202012Validator) -> None:
    draft = {"title": "T", "status": "draft", "severity": "SEV1", "started": "2024-01-10T09:00:00+00:00"}

    assert list(validator.iter_errors(draft)) == []
    published = [e.message for e in validator.iter_errors({**draft, "status": "published"})]
    assert "'authors' is a required property" in published
    assert "'summary' is a required property" in published
