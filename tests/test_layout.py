"""The core is laid out as its pipeline, and ``lint-imports`` keeps it so: each case below
breaks one rule in a copy of the code, and the contracts must catch it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
LAYERS = "Each stage of the core imports only the stages before it"
STAGES = [
    "analysis",
    "build",
    "checks",
    "cli",
    "format",
    "importer",
    "load",
    "pages",
    "render",
    "search",
    "site",
    "sync",
]


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the code under ``root`` (the repository, or a copy of it)."""
    path = os.pathsep.join([str(root), str(root / "plugins")])
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_import_contracts_hold() -> None:
    done = lint_imports(REPO)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("kb/format/urls.py", "import kb.build.pipeline", LAYERS),
        ("kb/checks/blameless.py", "import kb.analysis.links", LAYERS),
        ("kb/sync/run.py", "import kb.search.engine", LAYERS),  # kb.sync is a stage, just above kb.importer
        ("kb/search/engine.py", "import kb.search.choice", "No import cycle"),
        ("kb/render/escape.py", "import kb.pages.rendering", "No import cycle"),
        ("plugins/mkdocs_postmortems/plugin.py", "import kb.build.pipeline", "through its facade alone"),
        ("kb/cli/main.py", "import kb.format.urls", "through its facade alone"),
        ("kb/render/escape.py", "import mkdocs.utils", "The core never imports MkDocs"),
    ],
)
def test_breaking_a_rule_fails_the_contracts(tmp_path: Path, module: str, line: str, contract: str) -> None:
    copy = tmp_path / "repo"
    for part in ("kb", "plugins"):
        shutil.copytree(REPO / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", copy)
    source = copy / module
    source.write_text(source.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")

    done = lint_imports(copy)

    assert done.returncode != 0
    broken = [row for row in done.stdout.splitlines() if row.endswith("BROKEN")]
    assert any(contract in row for row in broken), done.stdout  # an upward import makes a cycle too


def test_only_the_facade_and_the_stages_sit_at_the_top_of_the_core() -> None:
    top = sorted(path.name for path in (REPO / "kb").iterdir() if path.name != "__pycache__")

    assert top == sorted(["__init__.py", "facade.py", *STAGES])
    assert all((REPO / "kb" / stage / "__init__.py").is_file() for stage in STAGES)
