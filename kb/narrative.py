"""What a narrative (a postmortem's Markdown body) may hold, checked before it is rendered.

Python-Markdown, the sanitizer and the search plugin's HTML parser are quick on prose, but
some shapes cost them far more than their size: lists nested hundreds deep overflow
Python's stack, and thousands of unclosed ``[`` or ``<tag`` on one line take minutes
(each opener is matched against the rest of the text). One such file must not hold up,
or take down, a build of thousands. So a narrative has limits, each generous for a real
postmortem and each a located error: the postmortem is left out of the site, the rest
builds. With them, the most expensive narrative that passes renders in a few seconds.

Every check is linear in the size of the body. Cheap counts over the whole text come
first; only a body they cannot clear is read line by line.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from kb.characters import BIDI, FORBIDDEN, bidi_message, forbidden_message
from kb.problems import Level

MAX_DEPTH = 20  # lists, block quotes and indentation, nested
MAX_HTML_DEPTH = 50  # raw HTML elements, nested
MAX_BLOCKS = 2_000  # paragraphs, lists, tables, headings and code blocks
MAX_BLOCK_CHARS = 200_000  # one of them
MAX_OPENERS_PER_BLOCK = 1_000  # "[" and "<tag" in one block outside code
MAX_OPENERS = 10_000  # and in the whole narrative

# One level of nesting at the start of a line: four columns of indentation, a quote
# marker, or a list marker (several can open one line: "- - - item").
# Atomic, so that a line that is not too deep fails at once, however it could be split.
_LEVEL = r"(?> {4}|\t| {0,3}> ?| {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$))"
_LEVELS = re.compile(_LEVEL)
_TOO_DEEP = re.compile(rf"^(?:{_LEVEL}){{{MAX_DEPTH + 1}}}", re.M)
_PREFIX = re.compile(rf"(?:{_LEVEL})*+")
_OPENER = re.compile(r"\[|<[A-Za-z!]")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
_BLANK_LINE = re.compile(r"\n[ \t]*(?=\n)")
# A fence as fenced_code reads one: at the start of a line, then a language or {attributes}.
_FENCE = re.compile(r"^(`{3,}|~{3,}) *(?:\{[^}\n]*\}|\.?[\w#.+-]*) *$")
# Elements that are never nested, or that HTML closes by itself when the next one opens.
_FLAT = frozenset(
    {
        *("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"),
        *("p", "li", "dt", "dd", "tr", "td", "th", "option", "thead", "tbody", "tfoot"),
    }
)


@dataclass(frozen=True)
class Finding:
    line: int  # in the file
    level: Level
    message: str


def check(body: str, body_line: int) -> list[Finding]:
    """Every problem of ``body``, whose first line is line ``body_line`` of its file."""
    return [*_characters(body, body_line), *_structure(body, body_line)]


def _line_of(body: str, offset: int, body_line: int) -> int:
    return body_line + body.count("\n", 0, offset)


def _characters(body: str, body_line: int) -> Iterator[Finding]:
    for pattern, level, message in ((FORBIDDEN, "error", forbidden_message), (BIDI, "warning", bidi_message)):
        if found := pattern.search(body):
            count = len(pattern.findall(body))
            more = f" ({count} in the body)" if count > 1 else ""
            yield Finding(_line_of(body, found.start(), body_line), level, f"body: {message(found[0])}{more}")


def _structure(body: str, body_line: int) -> Iterator[Finding]:
    """The limits, from whole-text counts when they clear it, else line by line."""
    if (
        _TOO_DEEP.search(body) is None
        and len(_OPENER.findall(body)) <= MAX_OPENERS_PER_BLOCK
        and len(_TAG.findall(body)) <= MAX_HTML_DEPTH
        and len(_BLANK_LINE.findall(body)) + body.count("```") + body.count("~~~") < MAX_BLOCKS
        and len(body) <= MAX_BLOCK_CHARS
    ):
        return
    yield from _Reader(body_line).read(body)


@dataclass
class _Counts:
    """What the reader has counted so far: copied when a fence opens, put back if it closes."""

    blocks: int = 0
    block_start: int = 0  # the line the current block began on, 1-based; 0 between blocks
    block_chars: int = 0
    block_openers: int = 0
    openers: int = 0
    html_depth: int = 0
    findings: dict[str, Finding] = field(default_factory=dict)  # the first of each kind: one is enough

    def copy(self) -> _Counts:
        return dataclasses.replace(self, findings=dict(self.findings))


class _Reader:
    """One pass over the lines: nesting, blocks and what they hold.

    Fenced code is not parsed as Markdown, so what it holds does not count; but a fence is
    code only if Markdown reads it so (``fenced_code``, which MkDocs always enables: a fence
    at the start of a line, closed by the same fence). Until it closes, its lines are read
    as text, and only its closing puts the counts back as they were when it opened. So a
    fence that never closes, or an indented one at the top level, hides nothing.
    """

    def __init__(self, body_line: int) -> None:
        self.body_line = body_line
        self.counts = _Counts()

    def report(self, kind: str, line: int, message: str) -> None:
        self.counts.findings.setdefault(kind, Finding(self.body_line + line, "error", f"body: {message}"))

    def read(self, body: str) -> list[Finding]:
        fence, before, opened, code_chars = "", self.counts, 0, 0
        for n, line in enumerate(body.split("\n")):
            if fence and line.rstrip(" ") == fence:  # it was code: a block of its own, never parsed
                self.counts, fence = before, ""
                self.counts.block_chars += code_chars + len(line) + 1
                self.counts.blocks += self.counts.block_start != opened + 1  # unless it began one
                continue
            if fence:
                code_chars += len(line) + 1
            elif m := _FENCE.match(line):
                fence, opened, code_chars = m.group(1), n, 0
            self.read_line(n, line)
            if fence and n == opened:  # the opening line, read: what the fence may take back to
                before = self.counts.copy()
        self.end_block()
        counts = self.counts
        if counts.blocks > MAX_BLOCKS:
            blocks = f"{counts.blocks:,} blocks (paragraphs, lists, tables, code), more than {MAX_BLOCKS:,}"
            self.report("blocks", 0, f"{blocks}: move some of it to a page of its own")
        if counts.openers > MAX_OPENERS:
            openers = f"{counts.openers:,} '[' and '<' in all, more than {MAX_OPENERS:,}"
            self.report("openers", 0, f"{openers}: put what is not a link or HTML in code blocks")
        return sorted(self.counts.findings.values(), key=lambda f: f.line)

    def end_block(self) -> None:
        counts = self.counts
        if not counts.block_start:
            return
        line = counts.block_start - 1
        if counts.block_chars > MAX_BLOCK_CHARS:
            size = f"a block of {counts.block_chars:,} characters, more than {MAX_BLOCK_CHARS:,}"
            self.report("size", line, f"{size}: split it with blank lines")
        if counts.block_openers > MAX_OPENERS_PER_BLOCK:
            self.report(
                "block openers",
                line,
                f"{counts.block_openers:,} '[' and '<' in one block, more than {MAX_OPENERS_PER_BLOCK:,}: "
                "split it, or put it in a code block",
            )
        counts.block_start = 0

    def read_line(self, n: int, line: str) -> None:
        counts = self.counts
        if not line.strip():
            self.end_block()
            return
        if not counts.block_start:
            counts.blocks += 1
            counts.block_start = n + 1
            counts.block_chars = counts.block_openers = 0
        counts.block_chars += len(line) + 1
        prefix = _PREFIX.match(line)
        depth = len(_LEVELS.findall(prefix.group())) if prefix else 0
        if depth > MAX_DEPTH:
            nested = f"lists, quotes or indentation nested {depth} levels deep, more than {MAX_DEPTH}"
            self.report("depth", n, f"{nested}: flatten them, or put the text in a code block")
        openers = len(_OPENER.findall(line))
        counts.block_openers += openers
        counts.openers += openers
        for closing, name in _TAG.findall(line):
            if name.lower() in _FLAT:
                continue
            counts.html_depth = max(0, counts.html_depth - 1) if closing else counts.html_depth + 1
            if counts.html_depth > MAX_HTML_DEPTH:
                nested = f"HTML elements nested more than {MAX_HTML_DEPTH} deep"
                self.report("html", n, f"{nested}: close them, or put the HTML in a code block")
