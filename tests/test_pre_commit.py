"""The ``kb-lint`` hook of ``.pre-commit-hooks.yaml``, run by pre-commit as a library's repository would."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from support import REPO, VALID_POSTMORTEM, WriteProject

TYPO = """\
    ---
    title: Typo in a key
    status: draft
    serverity: SEV3
    started: 2024-01-10T09:00:00+00:00
    ---
    """


# What a commit changes: pre-commit passes the hook those its files: match.
COMMITTED = ["postmortems/2024/typo.md", "postmortems/2024/valid.md", "docs/notes.md"]


def test_kb_lint_hook_checks_the_postmortems_through_try_repo(write_project: WriteProject) -> None:
    project = write_project(
        {
            "postmortems/2024/typo.md": TYPO,
            "postmortems/2024/valid.md": VALID_POSTMORTEM,
            "docs/notes.md": "# Not a postmortem, and outside the hook's files\n",
        }
    )
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        # The hook's environment installs this repository with the versions the tests run
        # with: pip then takes them from its cache.
        "PIP_CONSTRAINT": str(REPO / "constraints.txt"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_COMPILE": "1",  # the hook runs once: bytecode for every dependency would cost more than it saves
    }
    for command in (["git", "init", "-q"], ["git", "add", "-A"]):
        subprocess.run(command, cwd=project, check=True, env=env)

    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "kb-lint", "--verbose", "--files", *COMMITTED],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )

    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "kb lint" in output and "Failed" in output, output
    assert "postmortems/2024/typo.md:4: error: unknown key 'serverity'" in output, output
    # Both postmortems were passed, and nothing outside postmortems/ (kb lint would name it).
    assert "2 files checked: 2 errors, 0 warnings" in output, textwrap.shorten(output, 2000)
    assert "notes.md" not in output, output
