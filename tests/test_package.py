"""The package as users get it: ``python -m build`` makes an sdist and a wheel that
``twine check`` accepts, and the wheel, installed into a fresh virtual environment rather
than this checkout, builds a library. A template or an asset left out of the package
fails here, not in a user's build."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import DEFAULT_FILES, MKDOCS_YML, REPO, VALID_POSTMORTEM

from kb import __version__


def run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist, and the wheel built from it (``python -m build``'s default), made once,
    from a copy of the checkout as git sees it: the ``*.egg-info`` an editable install
    leaves in the checkout lists every file the package once had, and setuptools would
    put them in the sdist even when ``pyproject.toml`` no longer names them."""
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("dist")
    listed = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    for name in run(*listed, cwd=REPO).stdout.split("\0"):
        if name and (REPO / name).is_file():  # a file deleted but not yet committed is left out
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    done = run(sys.executable, "-m", "build", "--outdir", out, source)
    # What setuptools deprecates in pyproject.toml fails the builds of a later version.
    assert "deprecat" not in (done.stdout + done.stderr).lower(), done.stderr
    return out


def test_twine_accepts_the_sdist_and_the_wheel(dist: Path) -> None:
    files = sorted(dist.iterdir())
    name = f"postmortem_library-{__version__}"
    assert [f.name for f in files] == [f"{name}-py3-none-any.whl", f"{name}.tar.gz"]
    run(sys.executable, "-m", "twine", "check", "--strict", *files)


def test_the_wheel_builds_a_library_in_a_fresh_environment(dist: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    # The cheapest honest install: no pip of its own (this one installs into it), no
    # bytecode compiled ahead, and the versions this checkout is tested with, which pip's
    # cache serves on a re-run.
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    wheel = next(dist.glob("*.whl"))
    pip = [sys.executable, "-m", "pip", "--python", venv / "bin/python", "install", "--quiet", "--no-compile"]
    run(*pip, "-c", REPO / "constraints.txt", wheel)
    project = tmp_path / "project"
    files = {
        **DEFAULT_FILES,
        "mkdocs.yml": MKDOCS_YML.replace("  name: material\n", "  name: material\n  font: false\n"),
    }
    for rel, text in {**files, "postmortems/pool.md": VALID_POSTMORTEM}.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(text, encoding="utf-8")

    run(venv / "bin/mkdocs", "build", "--strict", "--quiet", "-d", project / "site", cwd=project)
    # kb writes from its template, which the package carries too.
    new = run(venv / "bin/kb", "new", "Checkout returned 502s", "--started", "2026-05-04", cwd=project).stdout

    site = project / "site"
    for page in ("postmortems/pool/index.html", "causes/global-rollout/index.html", "insights/index.html"):
        assert (site / page).is_file(), page
    for asset in ("postmortems.css", "learning.css", "postmortems.js", "reading.js"):
        assert (site / "assets" / asset).is_file(), asset
    written = (project / new.strip()).read_text(encoding="utf-8")
    assert "Checkout returned 502s" in written
    assert "# Write blamelessly" in written  # the template's
    # The wheel's code, registered for both builders by the wheel's metadata alone.
    where, *groups = run(
        venv / "bin/python",
        "-c",
        "import kb; from importlib.metadata import entry_points as e; "
        "print(kb.__file__, *sorted(p.group for p in e(name='postmortems')))",
        cwd=project,  # not this checkout, which `python -c` would import kb from
    ).stdout.split()
    assert Path(where).is_relative_to(venv)
    assert groups == ["mkdocs.plugins", "properdocs.plugins"]
