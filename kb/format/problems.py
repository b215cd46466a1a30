"""Problems found while reading a library: located, levelled, printable."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from kb.format.characters import printable

Level = Literal["error", "warning"]
MAX_MESSAGE = 1_000  # characters


@dataclass(frozen=True, order=True)
class Problem:
    """One finding, printed as ``path:line: level: message`` like a compiler.

    ``rule`` names the check that found it, in the words of the code that makes it (no
    list of rules is kept anywhere else): what a CI report groups problems by
    (``kb lint --format sarif|gitlab``), the same from run to run.
    """

    path: str
    line: int
    level: Level
    message: str
    rule: str

    def __post_init__(self) -> None:
        # A message may quote what an author wrote, invisible controls included: written as
        # escapes, they cannot garble a terminal or a log, nor fail to encode. And however
        # long what it quotes, a message stays a line.
        object.__setattr__(self, "path", printable(self.path))
        message = printable(self.message)
        if len(message) > MAX_MESSAGE:
            message = message[: MAX_MESSAGE - 1] + "…"
        object.__setattr__(self, "message", message)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.level}: {self.message}"

    def as_json(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "level": self.level, "message": self.message, "rule": self.rule}


def did_you_mean(word: object, candidates: Iterable[str]) -> str:
    """A ``; did you mean 'x'?`` suffix for near-misses, or nothing."""
    matches = difflib.get_close_matches(str(word), list(candidates), n=1, cutoff=0.6)
    return f"; did you mean '{matches[0]}'?" if matches else ""


def count(problems: Iterable[Problem], level: Level) -> int:
    return sum(1 for p in problems if p.level == level)


class UserError(Exception):
    """A problem that stops a build or a command, with a message fit for the user: the
    front ends print it without a traceback. A wrong option, a missing extra, an index
    another build holds."""
