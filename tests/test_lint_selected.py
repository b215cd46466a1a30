"""``kb lint FILE...`` and ``kb lint --changed-only REF``: in those files, exactly what a lint of
the whole library reports there, the rules across files included, from a few files read."""

from __future__ import annotations

import json
import os
import random
import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml
from support import DEFAULT_FILES, MKDOCS_YML, TODAY, Kb, WriteProject, generator

from kb.facade import lint_files, load_library, open_project

GENERATED = 60


def front(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def draft(title: str, extra: str = "", body: str = "") -> str:
    return (
        f"---\ntitle: {title}\nstatus: draft\nseverity: SEV3\nstarted: 2025-01-10T09:00:00+00:00\n{extra}---\n\n{body}"
    )


def git(project: Path, *args: str) -> None:
    identity = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t"}
    env = {**os.environ, **identity, "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", *args], cwd=project, check=True, capture_output=True, env=env)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A generated library, committed; then, not committed, files that each meet another
    one through a rule across files. Returns the project and those files."""
    project = tmp_path_factory.mktemp("selected") / "project"
    for rel, text in DEFAULT_FILES.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(textwrap.dedent(text), encoding="utf-8")
    ids = generator().generate(GENERATED, project / "postmortems", seed=3, today=TODAY)
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "library")
    files = {path.stem: path for path in (project / "postmortems").rglob("*.md")}
    first, second = files[ids[0]], files[ids[1]]
    titled = next(
        (path, item["title"])
        for path in sorted(files.values())
        for item in front(path)["action_items"]
        if item["status"] != "done"
    )
    service = front(second)["services"][0]
    changed = {
        # Comes after the file whose id it takes: the error is its own.
        "postmortems/zz/late-duplicate.md": draft("Late", f"id: {ids[0]}\n"),
        # Comes before every generated file: the file whose id it takes has the error.
        "postmortems/aa-early-duplicate.md": draft("Early", f"id: {ids[1]}\n"),
        # The same service spelled otherwise, and an action item open elsewhere too.
        "postmortems/zz/respelled.md": draft(
            "Respelled",
            f"services: [{service.upper()}]\naction_items:\n  - title: {titled[1]}\n"
            "    owner: sre-team\n    due: 2026-01-31\n",
        ),
        # A related id and a link that exist.
        "postmortems/zz/linked.md": draft(
            "Linked", f"related: [{ids[2]}]\n", f"See [the first one](../{first.parent.name}/{first.name}).\n"
        ),
    }
    for rel, text in changed.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(text, encoding="utf-8")
    # A committed file changed: now with an error of its own.
    text = first.read_text(encoding="utf-8")
    misspelt = text.replace('status: "published"', 'status: "publish"').replace('status: "draft"', 'status: "drafted"')
    first.write_text(misspelt, encoding="utf-8")
    return project, [*changed, first.relative_to(project).as_posix()]


def problems(kb: Kb, project: Path, *args: str) -> list[dict]:
    _code, out, _err = kb(project, "lint", "--format", "json", *args)
    return json.loads(out)["problems"]


def test_files_get_what_a_full_lint_reports_in_them(kb: Kb, library: tuple[Path, list[str]]) -> None:
    project, changed = library
    full = problems(kb, project)

    selected = problems(kb, project, *changed)

    wanted = [p for p in full if p["path"] in changed or p["rule"] == "duplicate-id"]
    assert selected == wanted
    rules = {p["rule"] for p in selected}
    # Each rule across files had its say, the duplicate id on the unchanged file too.
    assert {"duplicate-id", "one-spelling", "repeated-action-item", "schema"} <= rules
    assert any(p["rule"] == "duplicate-id" and p["path"] not in changed for p in selected)


def test_changed_only_checks_what_changed_since_a_revision(kb: Kb, library: tuple[Path, list[str]]) -> None:
    project, changed = library

    assert problems(kb, project, "--changed-only", "HEAD") == problems(kb, project, *changed)


def test_few_files_are_read(library: tuple[Path, list[str]]) -> None:
    project, changed = library
    settings = open_project(project / "mkdocs.yml").settings

    selection = lint_files(settings, project, [project / rel for rel in changed])

    assert not selection.whole
    assert selection.library.files < GENERATED / 2


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (draft("Typo", "related: [2024-03-12-checkout-db-pol]\n"), "related-id"),
        (draft("Broken link", body="See [it](2024-03-12-checkout-db-pol.md).\n"), "missing-postmortem-link"),
    ],
    ids=["related-id", "link"],
)
def test_what_looks_at_every_file_reads_every_file(write_project: WriteProject, kb: Kb, text: str, rule: str) -> None:
    # The "did you mean" among every id or file needs them all.
    project = write_project(
        {
            "postmortems/2024/2024-03-12-checkout-db-pool.md": draft("Target"),
            "postmortems/2025/new.md": text,
        }
    )

    selected = problems(kb, project, "postmortems/2025/new.md")

    assert selected == [p for p in problems(kb, project) if p["path"] == "postmortems/2025/new.md"]
    assert [p["rule"] for p in selected] == [rule]
    assert "did you mean" in selected[0]["message"]


def test_files_outside_the_library_are_named_and_skipped(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({"postmortems/a.md": draft("A"), "notes.md": "# Not a postmortem\n"})

    code, out, err = kb(project, "lint", "notes.md", "postmortems/a.md")

    assert (code, out) == (0, "")
    assert "notes.md is not a postmortem of this library: not checked" in err
    assert "1 files checked: 0 errors, 0 warnings" in err


def test_a_changed_cause_catalog_checks_the_whole_library(write_project: WriteProject, kb: Kb) -> None:
    uses = draft("Uses a cause", "causes: [global-rollout]\n")
    project = write_project({"postmortems/a.md": uses, "postmortems/causes.yml": "other-cause:\n  title: Other\n"})

    code, out, _err = kb(project, "lint", "--format", "json", "postmortems/causes.yml")

    assert [(p["path"], p["rule"]) for p in json.loads(out)["problems"]] == [("postmortems/a.md", "causes")]
    assert (code, json.loads(out)["files"]) == (1, 1)


def test_a_file_that_does_not_exist_is_a_usage_error(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({"postmortems/a.md": draft("A")})

    code, _out, err = kb(project, "lint", "postmortems/a.md", "postmortems/typo.md")

    assert code == 2
    assert "no such file: postmortems/typo.md" in err


def test_changed_settings_check_the_whole_library(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({"postmortems/a.md": draft("A"), "postmortems/b.md": draft("B", "serverity: SEV3\n")})
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "library")

    assert problems(kb, project, "--changed-only", "HEAD") == []
    (project / "mkdocs.yml").write_text(MKDOCS_YML + "      blameless: error\n", encoding="utf-8")
    assert [p["path"] for p in problems(kb, project, "--changed-only", "HEAD")] == ["postmortems/b.md"]
    assert [p["path"] for p in problems(kb, project, "mkdocs.yml")] == ["postmortems/b.md"]


def test_files_and_changed_only_together_are_a_usage_error(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({"postmortems/a.md": draft("A")})

    code, _out, err = kb(project, "lint", "--changed-only", "HEAD", "postmortems/a.md")

    assert code == 2
    assert "not both" in err


def test_a_revision_git_does_not_know_is_a_usage_error(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({"postmortems/a.md": draft("A")})
    git(project, "init", "-q")

    code, _out, err = kb(project, "lint", "--changed-only", "no-such-branch")

    assert code == 2
    assert "git diff failed" in err


def test_a_page_whose_first_file_has_an_error_across_files_takes_the_next(write_project: WriteProject) -> None:
    # The first file to show the service relates to an id that does not exist: it has no
    # page, so the second one's spelling is the page's.
    project = write_project(
        {
            "postmortems/a.md": draft("A", "services: [Checkout API]\nrelated: [no-such-id]\n"),
            "postmortems/b.md": draft("B", "services: [checkout-api]\n"),
            "postmortems/c.md": draft("C", "services: [CHECKOUT-API]\n"),
        }
    )
    settings = open_project(project / "mkdocs.yml").settings

    selection = lint_files(settings, project, [project / "postmortems/c.md"])

    assert not selection.whole
    [problem] = selection.problems
    assert problem.rule == "one-spelling"
    assert "'CHECKOUT-API' is written 'checkout-api' in postmortems/b.md" in problem.message


# Ways to tie a generated postmortem to others, each through a rule across files.
TANGLES = [
    lambda text, other: text.replace("---\n", f"---\nid: {other}\n", 1),  # a duplicate id
    lambda text, other: text.replace('services: ["service-', 'services: ["Service ', 1),  # another spelling
    lambda text, other: text.replace('teams: ["team-', 'teams: ["TEAM ', 1),
    lambda text, other: text.replace("---\n", f"---\nrelated: [{other}]\n", 1),
    lambda text, other: text.replace("---\n", f"---\nrelated: [{other}x]\n", 1),  # one that does not exist
    lambda text, other: text.replace('status: "published"', 'status: "publishd"', 1),  # no page
    lambda text, other: text.replace('visibility: "public"', 'visibility: "restricted"', 1),  # not in the audience
    lambda text, other: text + f"\nSee [it]({other}) and [its file](../{other[:4]}/{other}.md).\n",
]


def test_any_files_of_a_tangled_library_get_what_a_full_lint_reports(write_project: WriteProject) -> None:
    project = write_project({})
    ids = generator().generate(80, project / "postmortems", seed=11, today=TODAY)
    rng = random.Random(11)
    files = sorted((project / "postmortems").rglob("*.md"))
    for path in rng.sample(files, 30):
        path.write_text(rng.choice(TANGLES)(path.read_text(encoding="utf-8"), rng.choice(ids)), encoding="utf-8")
    settings = open_project(project / "mkdocs.yml").settings
    full = load_library(settings, project).problems

    for _ in range(25):
        selection = lint_files(settings, project, rng.sample(files, rng.randint(1, 4)))
        asked = set(selection.asked)
        assert [p for p in selection.problems if p.path in asked] == [p for p in full if p.path in asked]
