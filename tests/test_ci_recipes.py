"""``docs/ci.md``'s recipes, tried as far as this machine can: each YAML block parses, and the
lint and agenda steps run as written in a library's git repository."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from support import REPO, VALID_POSTMORTEM, WriteProject
from test_lint_formats import GITLAB_CODE_QUALITY

BLOCKS = re.findall(r"```yaml\n(.*?)```", (REPO / "docs" / "ci.md").read_text(encoding="utf-8"), re.S)
TYPO = "---\ntitle: Typo in a key\nstatus: draft\nserverity: SEV3\nstarted: 2024-01-10T09:00:00+00:00\n---\n"
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
}


def recipe(key: str) -> dict:
    """The YAML block with ``key`` at its top level: a GitLab job, or a GitHub workflow's name."""
    blocks = [block for block in map(yaml.safe_load, BLOCKS) if isinstance(block, dict)]
    [found] = [block for block in blocks if key in block or block.get("name") == key]
    return found


def shell(project: Path, script: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``script`` run by bash as a CI runner runs a step, with ``kb`` of this test run on the PATH."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_IDENTITY, "PATH": path, **env},
        timeout=120,
        check=False,
    )


@pytest.fixture
def pull_request(write_project: WriteProject) -> Path:
    """A library on ``main`` (its remote too), and a branch that adds a postmortem with an error."""
    project = write_project({"postmortems/2024/valid.md": VALID_POSTMORTEM})
    setup = "git init -q -b main && git add -A && git commit -q -m library"
    setup += " && git remote add origin . && git fetch -q origin"
    assert shell(project, setup).returncode == 0
    (project / "postmortems/2024/typo.md").write_text(TYPO, encoding="utf-8")
    assert shell(project, "git checkout -q -b change && git add -A && git commit -q -m typo").returncode == 0
    return project


def test_every_yaml_block_parses() -> None:
    assert len(BLOCKS) >= 6
    for block in BLOCKS:
        assert yaml.safe_load(block)


def test_github_lint_step_annotates_the_pull_request(pull_request: Path) -> None:
    [step] = [s for s in recipe("Postmortems")["jobs"]["lint"]["steps"] if s.get("name") == "kb lint"]

    done = shell(pull_request, step["run"], BASE="origin/main")

    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("::error file=postmortems/2024/typo.md,line=1,title=kb lint%3A required::")
    assert "1 files checked" in done.stderr


def test_gitlab_lint_job_writes_a_code_quality_report(pull_request: Path) -> None:
    job = recipe("postmortems-lint")["postmortems-lint"]

    base = shell(pull_request, "git merge-base main HEAD").stdout.strip()

    done = shell(pull_request, "\n".join(job["script"]), CI_MERGE_REQUEST_DIFF_BASE_SHA=base)

    assert done.returncode == 1, done.stderr
    report = json.loads((pull_request / job["artifacts"]["reports"]["codequality"]).read_text(encoding="utf-8"))
    jsonschema.validate(report, GITLAB_CODE_QUALITY)
    assert {issue["location"]["path"] for issue in report} == {"postmortems/2024/typo.md"}


def test_weekly_agenda_is_written_only_when_items_are_overdue(write_project: WriteProject) -> None:
    steps = recipe("Overdue action items")["jobs"]["overdue"]["steps"]
    [step] = [s for s in steps if s.get("name") == "Post the agenda"]
    # Up to the agenda: posting it needs GitHub.
    script = step["run"].split("gh issue create")[0] + "true\nfi\n"
    not_yet = VALID_POSTMORTEM.replace("due: 2026-06-01", "due: 2026-12-01")

    clean = write_project({"postmortems/a.md": not_yet})
    assert shell(clean, script).returncode == 0
    assert not (clean / "overdue.md").exists()

    overdue = write_project({"postmortems/a.md": VALID_POSTMORTEM})
    assert shell(overdue, script).returncode == 0
    agenda = (overdue / "overdue.md").read_text(encoding="utf-8")
    assert agenda.startswith("# Action items, 2026-06-30")
    assert "**Alert on pool saturation**" in agenda
