"""What a narrative (a postmortem's Markdown body) may hold, checked before it is rendered.

Python-Markdown, the sanitizer and the search plugin's HTML parser are quick on prose, but
some shapes cost them far more than their size: lists nested hundreds deep overflow
Python's stack, and the time thousands of unclosed ``[`` or ``<tag`` on one line take
grows with the square of their number (each opener is matched against the rest of the
text). One such file must not hold up,
or take down, a build of thousands. So a narrative has limits, each generous for a real
postmortem and each a located error: the postmortem is left out of the site, the rest
builds. ``benchmarks/hostile.py`` measures what the costliest narrative within them takes.

The text is read as Python-Markdown reads it: tabs expanded to four columns, and a line
blank only when it holds nothing but spaces. Where it cannot be sure how Markdown reads a
line, it counts as if the text were parsed: it may refuse a narrative Markdown would have
rendered quickly, never the other way round.

Every check is linear in the size of the body. Cheap counts over the whole text come
first; only a body they cannot clear is read line by line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import nh3

from kb.format.characters import BIDI, FORBIDDEN, bidi_message, forbidden_message
from kb.format.problems import Level

MAX_DEPTH = 20  # lists, block quotes and indentation, nested
MAX_HTML_DEPTH = 50  # raw HTML elements, nested
MAX_BLOCKS = 2_000  # paragraphs, lists, tables, headings and code blocks
MAX_BLOCK_CHARS = 200_000  # one of them
MAX_OPENERS_PER_BLOCK = 1_000  # "[" and "<tag" in one block
MAX_OPENERS = 10_000  # and in the whole narrative
# "{" and "`" in one line: attr_list tries each "{" of a heading or a table cell against
# the rest of the line, and the tables extension each "`" of a row.
MAX_PER_LINE = 200
_PER_LINE = "{`"
TAB = 4  # columns, as Python-Markdown expands a tab

# One level of nesting at the start of a line: four columns of indentation, a quote
# marker, or a list marker (several can open one line: "- - - item").
# Atomic, so that a line that is not too deep fails at once, however it could be split.
_LEVEL = r"(?> {4}| {0,3}> ?| {0,3}(?:[-+*]|\d{1,9}[.)])(?: |$))"
_LEVELS = re.compile(_LEVEL)
_TOO_DEEP = re.compile(rf"^(?:{_LEVEL}){{{MAX_DEPTH + 1}}}", re.M)
_PREFIX = re.compile(rf"(?:{_LEVEL})*+")
_OPENER = re.compile(r"\[|<[A-Za-z!]")
_BLANK_LINE = re.compile(r"\n *(?=\n)")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?=[\s/>]|$)")
# Elements that nest in the page: those the sanitizer keeps, but the ones that hold
# nothing and those HTML closes by itself when the next one opens.
_FLAT = {"br", "col", "hr", "img", "input", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot"}
_NESTING = frozenset(nh3.ALLOWED_TAGS) - _FLAT
# Fences. A line that starts like one, at the start of a line or indented; of those, one
# that every fence extension reads the same way: at the start of a line, with at most a
# plain language name after it.
_FENCE_LIKE = re.compile(r"^ *(`{3,}|~{3,})")
_PLAIN_FENCE = re.compile(r"^(`{3,}|~{3,}) *(?:[\w+#-][\w+#.-]*)? *$")


@dataclass(frozen=True)
class Finding:
    line: int  # in the file
    level: Level
    message: str


def check(body: str, body_line: int) -> list[Finding]:
    """Every problem of ``body``, whose first line is line ``body_line`` of its file."""
    return [*_characters(body, body_line), *_structure(body.expandtabs(TAB), body_line)]


def _characters(body: str, body_line: int) -> Iterator[Finding]:
    for pattern, level, message in ((FORBIDDEN, "error", forbidden_message), (BIDI, "warning", bidi_message)):
        if found := pattern.search(body):
            count = len(pattern.findall(body))
            more = f" ({count} in the body)" if count > 1 else ""
            line = body_line + body.count("\n", 0, found.start())
            yield Finding(line, level, f"body: {message(found[0])}{more}")


def _structure(text: str, body_line: int) -> Iterator[Finding]:
    """The limits, from whole-text counts when they clear it, else line by line."""
    if (
        _TOO_DEEP.search(text) is None
        and len(_OPENER.findall(text)) <= MAX_OPENERS_PER_BLOCK
        and sum(name.lower() in _NESTING for _, name in _TAG.findall(text)) <= MAX_HTML_DEPTH
        and len(_BLANK_LINE.findall(text)) + text.count("```") + text.count("~~~") < MAX_BLOCKS
        and len(text) <= MAX_BLOCK_CHARS
        and max(text.count(char) for char in _PER_LINE) <= MAX_PER_LINE
    ):
        return
    yield from _Reader(body_line).read(text)


@dataclass
class _Counts:
    """What the reader has counted so far: copied when a fence opens, put back if it closes."""

    blocks: int = 0
    block_start: int = 0  # the line the current block began on, 1-based; 0 between blocks
    block_chars: int = 0
    block_openers: int = 0
    openers: int = 0
    open_tags: list[str] = field(default_factory=list)
    findings: dict[str, Finding] = field(default_factory=dict)  # the first of each kind: one is enough

    def copy(self) -> _Counts:
        return replace(self, open_tags=list(self.open_tags), findings=dict(self.findings))


@dataclass
class _Fence:
    marker: str  # the opening line's backticks or tildes: the closing line is exactly these
    line: int
    before: _Counts  # the counts once its opening line was read
    chars: int = 0  # of the lines since


class _Reader:
    """One pass over the lines: nesting, blocks and what they hold.

    What fenced code holds is not parsed, so it counts for nothing but its size. A fence
    is code only when both of Markdown's fence extensions (``fenced_code``, which MkDocs
    always enables, and ``pymdownx.superfences``) read it so: a plain fence at the start
    of a line, closed by the same fence. Until it closes, its lines are read as text, and
    only its closing puts the counts back as they were. And once a line starts like a
    fence that the two could read differently (indented, with options, a longer closing
    fence), no later fence is taken for code: an author cannot make the checks and the
    renderer disagree on where code ends.
    """

    def __init__(self, body_line: int) -> None:
        self.body_line = body_line
        self.counts = _Counts()
        self.fence: _Fence | None = None
        self.fences_read = True  # until a line is met that may start a fence or not

    def report(self, kind: str, line: int, message: str) -> None:
        self.counts.findings.setdefault(kind, Finding(self.body_line + line, "error", f"body: {message}"))

    def read(self, text: str) -> list[Finding]:
        for n, line in enumerate(text.split("\n")):
            if not self.read_fence(n, line):
                self.read_line(n, line)
        self.end_block()
        counts = self.counts
        if counts.blocks > MAX_BLOCKS:
            blocks = f"{counts.blocks:,} blocks (paragraphs, lists, tables, code), more than {MAX_BLOCKS:,}"
            self.report("blocks", 0, f"{blocks}: move some of it to a page of its own")
        if counts.openers > MAX_OPENERS:
            openers = f"{counts.openers:,} '[' and '<' in all, more than {MAX_OPENERS:,}"
            self.report("openers", 0, f"{openers}: put what is not a link or HTML in code blocks")
        return sorted(counts.findings.values(), key=lambda f: f.line)

    def read_fence(self, n: int, line: str) -> bool:
        """Follow fences; True when ``line`` closed one (the code was one block, not text)."""
        fence = self.fence
        if fence and line.rstrip(" ") == fence.marker:
            self.counts, self.fence = fence.before, None
            self.counts.block_chars += fence.chars + len(line) + 1
            self.counts.blocks += self.counts.block_start != fence.line + 1  # unless its opening began one
            return True
        like = _FENCE_LIKE.match(line) if self.fences_read else None
        if fence:
            fence.chars += len(line) + 1
            if like and like[1][0] == fence.marker[0] and len(like[1]) >= len(fence.marker) and not line.strip(" `~"):
                # A closing fence indented, or longer: superfences closes there, fenced_code
                # does not. From here on, everything is read as text.
                self.fences_read, self.fence = False, None
        elif like and (plain := _PLAIN_FENCE.match(line)):
            self.read_line(n, line)
            self.fence = _Fence(plain[1], n, self.counts.copy())
            return True
        elif like:
            self.fences_read = False
        return False

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
        if not line.strip(" "):
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
        for char in _PER_LINE:
            if (many := line.count(char)) > MAX_PER_LINE:
                many_chars = f"a line with {many:,} '{char}', more than {MAX_PER_LINE}"
                self.report(char, n, f"{many_chars}: split it, or put it in a code block")
        self.read_tags(n, line)

    def read_tags(self, n: int, line: str) -> None:
        """Nesting as an HTML parser sees it: a closing tag closes the last element of its
        name that is open, and those opened inside it; one with none open closes nothing."""
        tags = self.counts.open_tags
        if "html" in self.counts.findings:  # too deep already: no need to follow it deeper
            return
        for closing, name in _TAG.findall(line):
            name = name.lower()
            if name not in _NESTING:
                continue
            if not closing:
                tags.append(name)
                if len(tags) > MAX_HTML_DEPTH:
                    nested = f"HTML elements nested more than {MAX_HTML_DEPTH} deep"
                    self.report("html", n, f"{nested}: close them, or put the HTML in a code block")
                    return
            elif name in tags:
                del tags[len(tags) - 1 - tags[::-1].index(name) :]
