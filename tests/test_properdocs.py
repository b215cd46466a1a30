"""The plugin under ProperDocs, the drop-in fork of MkDocs 1.x."""

from __future__ import annotations

import subprocess
import sys

from support import VALID_POSTMORTEM, WriteProject


def test_properdocs_builds_the_library_and_fails_strict_on_problems(write_project: WriteProject) -> None:
    project = write_project({"postmortems/pool.md": VALID_POSTMORTEM})
    command = [sys.executable, "-m", "properdocs", "build", "--strict", "-d", str(project / "site")]
    done = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (project / "site/postmortems/pool/index.html").is_file()
    assert (project / "site/causes/global-rollout/index.html").is_file()

    (project / "postmortems/bad.md").write_text("---\ntitle: x\nserverity: SEV1\n---\n")
    done = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
    assert done.returncode != 0
    assert "postmortems/bad.md:3: error: unknown key 'serverity'; did you mean 'severity'?" in done.stderr


def test_properdocs_finds_the_plugin_in_its_own_entry_point_group() -> None:
    from properdocs.plugins import get_plugins

    # ProperDocs reads MkDocs' group too, for now; its own is the one that will stay.
    assert get_plugins()["postmortems"].group == "properdocs.plugins"


def test_properdocs_yml_is_built_and_found_by_kb(write_project: WriteProject) -> None:
    project = write_project({"postmortems/pool.md": VALID_POSTMORTEM})
    (project / "mkdocs.yml").rename(project / "properdocs.yml")
    (project / "postmortems/2025").mkdir()

    command = [sys.executable, "-m", "properdocs", "build", "--strict", "-d", str(project / "site")]
    done = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (project / "site/postmortems/pool/index.html").is_file()

    # kb, run below it, reads the same file.
    command = [sys.executable, "-m", "kb.cli", "lint"]
    done = subprocess.run(command, cwd=project / "postmortems/2025", capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "1 files checked: 0 errors, 0 warnings" in done.stderr
