"""Shell completion (argcomplete): commands, options and the values of ``--state`` and
``--format``, in bash for real, and in zsh and fish through the environment their
argcomplete scripts set (neither shell is on the test machine)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent  # kb and register-python-argcomplete, installed with the project
COMMANDS = ["actions", "export", "import", "lint", "new", "schema", "search", "sync"]
# zsh shows each value with its option's help
LINT_FORMATS = "github: workflow commands (annotations); gitlab: a Code Quality report; sarif: SARIF 2.1.0"
STATES = ["done", "due-soon", "open", "overdue", "wont-do"]


def test_bash_completes_commands_and_state_values() -> None:
    # The script `register-python-argcomplete kb` prints, sourced as docs/cli.md says, and
    # its function called as bash calls it on Tab.
    script = """
        eval "$(register-python-argcomplete kb)"
        tab() { COMP_LINE="$1"; COMP_POINT=${#1}; _python_argcomplete kb; printf '%s\\n' "${COMPREPLY[@]}"; }
        tab "kb "
        echo ---
        tab "kb actions --state "
    """
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=60, check=True)
    commands, states = done.stdout.split("---\n")
    options = ["--config-file", "--help", "--today", "--version", "-f", "-h"]  # taken before the command too
    assert sorted(commands.split()) == sorted(options + COMMANDS)
    assert sorted(states.split()) == STATES


def completions(shell: str, line: str, tmp_path: Path, **env: str) -> str:
    """What ``kb`` answers the completion script of ``shell`` for ``line``, the cursor at its end."""
    answer = tmp_path / "completions"
    protocol = {"_ARGCOMPLETE": "1", "_ARGCOMPLETE_SHELL": shell, "COMP_LINE": line, "COMP_POINT": str(len(line))}
    subprocess.run(
        [BIN / "kb"],
        env={**os.environ, **protocol, **env, "_ARGCOMPLETE_STDOUT_FILENAME": str(answer)},
        capture_output=True,
        timeout=60,
        check=True,
    )
    return answer.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("kb lint --format ", [f"{value}:{LINT_FORMATS}" for value in ("text", "json", "github", "gitlab", "sarif")]),
        ("kb actions --st", ["--state:only items in this state"]),
    ],
)
def test_zsh_gets_values_and_options_with_their_help(line: str, expected: list[str], tmp_path: Path) -> None:
    assert sorted(completions("zsh", line, tmp_path, _ARGCOMPLETE_SUPPRESS_SPACE="1").split("\013")) == sorted(expected)


def test_fish_gets_format_values(tmp_path: Path) -> None:
    answer = completions(
        "fish",
        "kb actions --format ",
        tmp_path,
        _ARGCOMPLETE_IFS="\n",
        _ARGCOMPLETE_DFS="\t",
        _ARGCOMPLETE_SUPPRESS_SPACE="1",
    )
    assert sorted(answer.split("\n")) == ["csv\t", "json\t", "md\t", "text\t"]
