"""A tracker's token, kept out of every text ``kb sync`` writes.

The token is read from the environment only when a request is sent. Wrapped, it prints
as ``'***'`` in a repr, a log or a traceback's locals; ``scrub`` is the second guard, for
a message that quotes a header back (a server's error, a library's exception).
"""

from __future__ import annotations

import base64

MASK = "***"


class Token:
    """The value of a tracker's ``token_env``: only ``reveal`` gives it, to build a header."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value.strip()  # `export T=$(cat file)` keeps no newline, a pasted one may

    def __repr__(self) -> str:
        return repr(MASK)

    __str__ = __repr__

    def reveal(self) -> str:
        return self._value

    def forms(self) -> list[str]:
        """Every way a message may quote it: as is, escaped (a library quoting a header it
        refused), as Basic's base64, and the API token of Jira Cloud's ``email:api-token``."""
        basic = base64.b64encode(self._value.encode()).decode("ascii")
        escaped = self._value.encode("unicode_escape").decode("ascii")
        secret = self._value.split(":", 1)[1:]  # the email is no secret
        return [form for form in (self._value, escaped, basic, *secret) if form]


def scrub(text: str, tokens: list[Token]) -> str:
    for token in tokens:
        for form in token.forms():
            text = text.replace(form, MASK)
    return text
