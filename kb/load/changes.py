"""The files changed since a git revision: what ``kb lint --changed-only REF`` checks."""

from __future__ import annotations

import subprocess
from pathlib import Path

from kb.format.problems import UserError


def changed_since(project_dir: Path, ref: str) -> list[Path]:
    """The files under ``project_dir`` that differ from ``ref`` (committed since, staged or
    not) or that git does not track yet (and does not ignore); those deleted since are left
    out, having nothing left to check."""
    if ref.startswith("-"):  # git would read it as an option (--output=FILE writes a file)
        raise UserError(f"--changed-only: {ref!r} is not a git revision")
    changed = _git(project_dir, "diff", "--name-only", "--relative", "--no-renames", "-z", ref, "--")
    untracked = _git(project_dir, "ls-files", "--others", "--exclude-standard", "-z")
    names = dict.fromkeys(name for name in (changed + untracked).split("\0") if name)  # a set in a fixed order
    return [project_dir / name for name in names if (project_dir / name).is_file()]


def _git(project_dir: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=project_dir, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise UserError("--changed-only asks git what changed, and git is not installed") from None
    if done.returncode != 0:
        raise UserError(f"--changed-only: git {args[0]} failed: {done.stderr.strip()}")
    return done.stdout
