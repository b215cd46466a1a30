"""Where people type: ``kb`` finds its configuration from any folder of the repository, as
git finds its repository, names files so they open from there, and takes ``-f`` before
the command as well as after it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from support import DEFAULT_FILES, VALID_POSTMORTEM, problem_lines

# A draft whose start has no UTC offset: one warning, at line 5.
LOCAL_TIME = """\
---
title: Local time only
status: draft
severity: SEV3
started: 2025-01-10T09:00:00
---
"""


def run(cwd: Path, *args: str) -> tuple[int, str, str]:
    """``kb`` as someone types it in ``cwd``."""
    done = subprocess.run(
        [sys.executable, "-m", "kb.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository (its ``.git`` folder is all discovery looks at) holding a library."""
    root = tmp_path_factory.mktemp("repository")
    files = {
        **DEFAULT_FILES,
        "postmortems/2024/pool.md": VALID_POSTMORTEM,
        "postmortems/2025/local.md": LOCAL_TIME,
        "postmortems/2025/notes/.keep": "",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text), encoding="utf-8")
    (root / ".git").mkdir()
    return root


def test_lint_in_a_subfolder_reads_the_repository_configuration(repository: Path) -> None:
    here = repository / "postmortems/2025/notes"

    code, out, err = run(here, "lint")

    assert code == 0, err
    assert "2 files checked: 0 errors, 1 warnings" in err
    # Named so that it opens from where the command ran: absolute, as it is not below it.
    [problem] = problem_lines(out)
    assert problem.startswith(f"{repository / 'postmortems/2025/local.md'}:5: warning:")
    assert f"\n{repository / 'postmortems/2025/local.md'}: draft, review checklist" in f"\n{err}"


def test_paths_are_relative_to_the_current_folder_below_it(repository: Path) -> None:
    code, out, _ = run(repository / "postmortems", "lint", "--format", "json")

    assert code == 0
    assert [p["path"] for p in json.loads(out)["problems"]] == ["2025/local.md"]


def test_search_in_a_subfolder_reads_the_repository_configuration(repository: Path) -> None:
    here = repository / "postmortems/2024"

    code, out, err = run(here, "search", "pool")

    assert code == 0, err
    assert "Checkout database pool exhausted" in out
    assert "\n    pool.md  /postmortems/pool/\n" in out  # the file, as it opens from here
    assert (repository / ".kb-cache").is_dir()  # the index is the repository's, wherever one asks
    assert not (here / ".kb-cache").exists()


def test_f_before_the_command(repository: Path) -> None:
    # From the folder above the repository, as a script in a checkout's parent runs it.
    code, out, _ = run(repository.parent, "-f", f"{repository.name}/mkdocs.yml", "lint")

    assert code == 0
    assert problem_lines(out)[0].startswith(f"{repository.name}/postmortems/2025/local.md:5: warning:")


def test_no_configuration_says_where_it_looked(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    here = tmp_path / "postmortems/2025"
    here.mkdir(parents=True)

    code, out, err = run(here, "lint")

    assert code == 2
    assert out == ""
    assert err == (
        f"kb: no mkdocs.yml or properdocs.yml in {here}, nor in a folder above it up to {tmp_path}; "
        "run kb in your library's repository, or name the configuration with -f PATH\n"
    )


def test_new_in_a_subfolder_prints_a_path_that_opens_there(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text(DEFAULT_FILES["mkdocs.yml"], encoding="utf-8")
    here = tmp_path / "docs"
    here.mkdir()

    code, out, err = run(here, "new", "Checkout returned 502s", "--started", "2026-05-04")

    assert code == 0, err
    assert out == f"{tmp_path / 'postmortems/2026/2026-05-04-checkout-returned-502s.md'}\n"
