"""How much faster ``kb lint --changed-only`` is than a lint of the whole library, after one edit.

Usage: python benchmarks/lint_changed.py N [--runs R]      (a generated library of N postmortems)

``measure(project)`` takes a plugin project (``mkdocs.yml`` and ``postmortems/``, e.g. one
``harness.make_projects`` wrote): it commits the library and ``mkdocs.yml`` in a git
repository of its own (in the project folder, if it has none), edits one postmortem as a
pull request would (a sentence in its narrative, another service), and times whole ``kb
lint`` and ``kb lint --changed-only HEAD`` processes, the median of R runs each, taking
turns. It checks both report the same problems in the edited file, then puts the file back.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from generate import generate

EDIT = "\nOne more sentence, as a reviewer asked for in the pull request.\n"
GIT = {"GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.org", "GIT_COMMITTER_NAME": "b"}


def kb_lint(project: Path, *args: str) -> tuple[float, list[dict]]:
    """The wall time of one ``kb lint --format json`` process, and the problems it reported."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kb.cli", "lint", "--format", "json", *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise RuntimeError(f"kb lint {' '.join(args)} failed: {done.stderr}")
    return elapsed, json.loads(done.stdout)["problems"]


def git(project: Path, *args: str) -> None:
    env = {**os.environ, **GIT, "GIT_COMMITTER_EMAIL": "b@example.org"}
    subprocess.run(["git", *args], cwd=project, check=True, capture_output=True, env=env)


def measure(project: Path, runs: int = 3) -> dict[str, float]:
    if not (project / ".git").exists():
        git(project, "init", "-q")
        (project / ".git" / "info" / "exclude").write_text(".kb-cache/\n", encoding="utf-8")  # kb search's index
        # The library and its settings: an uncommitted mkdocs.yml would have every file checked.
        git(project, "add", "postmortems", "mkdocs.yml")
        git(project, "commit", "-q", "-m", "library")
    edited = sorted((project / "postmortems").rglob("*.md"))[len(list((project / "postmortems").rglob("*.md"))) // 2]
    rel = edited.relative_to(project).as_posix()
    original = edited.read_text(encoding="utf-8")
    changed = original.replace("services: [", 'services: ["ledger-api", ', 1) + EDIT
    if "ledger-api" not in changed:
        raise RuntimeError(f"{rel} has no services line to edit")
    edited.write_text(changed, encoding="utf-8")
    try:
        full, only = [], []
        for _ in range(runs):
            seconds, everything = kb_lint(project)
            full.append(seconds)
            seconds, selected = kb_lint(project, "--changed-only", "HEAD")
            only.append(seconds)
        if selected != [p for p in everything if p["path"] == rel]:
            raise RuntimeError(f"--changed-only and a full lint disagree on {rel}")
    finally:
        edited.write_text(original, encoding="utf-8")
    full_s, changed_s = statistics.median(full), statistics.median(only)
    return {"full_s": full_s, "changed_only_s": changed_s, "speedup": full_s / changed_s}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kb-lint-changed-") as tmp:
        project = Path(tmp)
        (project / "mkdocs.yml").write_text(
            "site_name: kb lint benchmark\nplugins:\n  - postmortems:\n      today: 2026-06-30\n", encoding="utf-8"
        )
        generate(options.size, project / "postmortems", seed=1, today=date(2026, 6, 30))
        result = {"postmortems": options.size, **measure(project, options.runs)}
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
