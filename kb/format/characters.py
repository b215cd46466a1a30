"""Characters no postmortem may hold, and how to name them in a message.

Two kinds, found in every string of the front matter (``kb.format.schema.Text``) and in the body
(``kb.checks.narrative``):

- **Forbidden**: the controls XML cannot hold (all of C0 but tab and line ends), DEL and
  the C1 controls, surrogates (a YAML ``"\\ud800"`` escape makes one) and U+FFFE/U+FFFF.
  None can be seen, and one in a title would stop the whole build when the feed (XML)
  was written. An error: the postmortem is left out until the character is removed.
- **Bidirectional controls** (embeddings, overrides, isolates): invisible, and they make
  text display in another order than it is stored ("Trojan Source"). Text pasted from a
  right-to-left document can carry them honestly, so they are a warning.
"""

from __future__ import annotations

import re
import unicodedata

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_EITHER = re.compile(f"{FORBIDDEN.pattern}|{BIDI.pattern}")


def describe(char: str) -> str:
    """``U+0007`` with its name where Unicode gives one: ``U+202E (RIGHT-TO-LEFT OVERRIDE)``."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def forbidden_message(char: str) -> str:
    return f"invisible control character {describe(char)} is not allowed; remove it"


def bidi_message(char: str) -> str:
    return (
        f"invisible bidirectional control {describe(char)} can make the text display in another order "
        "than it reads; remove it unless the text is right-to-left"
    )


def printable(text: str) -> str:
    """``text`` with every such character written as an escape (``\\x07``, ``\\u202e``),
    so a message that quotes it is safe to print, log and encode."""
    if not _EITHER.search(text):
        return text
    return _EITHER.sub(lambda m: m[0].encode("unicode_escape", "backslashreplace").decode("ascii"), text)
