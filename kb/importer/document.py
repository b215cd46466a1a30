"""A legacy postmortem read as Markdown: its front matter, and its sections by heading.

Only what the importer needs: headings at any level (ATX and setext, never inside a
code fence), and inside a section its lines, its list items (with their nested lines),
its tables and its ``Key: value`` lines. Every line keeps its place, so whatever the
importer does not move into a field goes back into the narrative as it was written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml

_FRONT = re.compile(r"\A(?:\ufeff)?---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>[-+*]|\d{1,9}[.)])[ \t]+(?P<text>.*)$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$|^[^|\n]+\|[^|\n]+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
# "Key: value", "**Key**: value", "**Key:** value", "- *Key*: value"; a key of one to four words.
KEY_VALUE = re.compile(
    r"^\s*(?:[-+*][ \t]+)?(?P<open>\*\*|__|\*|_)?(?P<key>[A-Za-z][\w ()/&'-]{0,40}?)(?::(?P=open)|(?P=open):|:)"
    r"[ \t]+(?P<value>\S(?:.*\S)?)\s*$"
)
_INLINE_LINK = re.compile(r"!?\[([^\]\n]{0,500})\]\(\s*<?([^)\s>]{0,2000})>?(?:\s+\"[^\"\n]{0,500}\")?\s*\)")


@dataclass
class Section:
    """A heading and the lines up to the next heading (of any level)."""

    heading: str  # its text, without the markers; "" for the lines before the first heading
    level: int  # 1-6; 0 for the lines before the first heading
    lines: list[str] = field(default_factory=list)  # the heading's own line(s) first, as written
    start: int = 0  # the line number of its first line in the source (1-based)

    @property
    def heading_lines(self) -> int:
        """How many of ``lines`` are the heading (setext headings take two)."""
        if not self.level:
            return 0
        return 2 if len(self.lines) > 1 and _SETEXT.match(self.lines[1]) and not _ATX.match(self.lines[0]) else 1

    @property
    def body(self) -> list[str]:
        return self.lines[self.heading_lines :]


@dataclass
class Document:
    front: dict[str, object]  # the source's own front matter, if it had any
    sections: list[Section]
    front_error: str | None = None  # front matter that would not parse: kept in the narrative


class _WithoutAliases(yaml.SafeLoader):
    """Safe YAML that refuses aliases: in a document from elsewhere, a few lines of them
    can stand for gigabytes once written out (a "billion laughs")."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("an alias (*name)")
        return super().compose_node(parent, index)  # type: ignore[arg-type]


def parse(text: str) -> Document:
    front: dict[str, object] = {}
    error = None
    if match := _FRONT.match(text):
        try:
            loaded = yaml.load(match[1] or "", Loader=_WithoutAliases)
        except (yaml.YAMLError, ValueError, RecursionError) as exc:  # 2024-02-30, nesting thousands deep
            loaded, error = None, f"its front matter does not parse ({type(exc).__name__}); kept in the narrative"
        first = text[: match.end()].count("\n") + 1  # report lines as the file numbers them
        if isinstance(loaded, dict):
            front = {str(key): value for key, value in loaded.items() if value is not None}
            return Document(front, list(_sections(text[match.end() :], first)), error)
        if error:  # kept as the source wrote it, in a code block: text, not Markdown to render
            fence = "`" * max([3, *(len(run) + 1 for run in re.findall(r"`+", match[0]))])
            kept = f"{fence}yaml\n{match[0].rstrip()}\n{fence}\n"
            return Document(front, list(_sections(kept + text[match.end() :], first - kept.count("\n"))), error)
    return Document(front, list(_sections(text, 1)), error)


def _sections(text: str, first: int) -> Iterator[Section]:
    """The sections of ``text``, whose first line is line ``first`` of its file."""
    lines = text.splitlines()
    current = Section("", 0, [], first)
    fence = ""
    n = 0
    while n < len(lines):
        line = lines[n]
        opening = _FENCE.match(line)
        if fence:
            if opening and opening[1][0] == fence[0] and len(opening[1]) >= len(fence):
                fence = ""
        elif opening:
            fence = opening[1]
        elif atx := _ATX.match(line):
            yield current
            current = Section(clean_heading(atx[2] or ""), len(atx[1]), [line], n + first)
            n += 1
            continue
        elif (
            n + 1 < len(lines)
            and line.strip()
            and _SETEXT.match(lines[n + 1])
            and not _LIST_ITEM.match(line)
            and (n == 0 or not lines[n - 1].strip())
            and not (lines[n + 1].strip().startswith("-") and not line.strip())
            and not _TABLE_ROW.match(line)
        ):
            yield current
            level = 1 if lines[n + 1].strip().startswith("=") else 2
            current = Section(clean_heading(line), level, [line, lines[n + 1]], n + first)
            n += 2
            continue
        current.lines.append(line)
        n += 1
    yield current


def clean_heading(text: str) -> str:
    """A heading's words: links, emphasis, code marks and anchors (``{#id}``) dropped."""
    text = re.sub(r"\{[#.][^}]*\}\s*$", "", text)
    return plain(text).strip()


def plain(text: str) -> str:
    """Inline Markdown as the words a reader sees: ``[text](url)`` keeps both as
    ``text (url)`` (nothing lost), emphasis and code marks go, HTML tags go."""

    def link(match: re.Match[str]) -> str:
        label, url = match[1].strip(), match[2].strip()
        if not url or url == label or url.startswith("#"):
            return label
        return f"{label} ({url})" if label else url

    text = _INLINE_LINK.sub(link, text)
    text = re.sub(r"<(https?://[^>\s]+)>", r"\1", text)
    text = re.sub(r"</?[A-Za-z][^>]*>", "", text)
    text = re.sub(r"(\*\*|__|~~)([^\n]{1,500}?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])([*_])(?!\s)([^*_\n]{1,300}?)(?<!\s)\1(?![\w*])", r"\2", text)
    text = re.sub(r"`([^`]*)`", r"\1", text)
    return " ".join(text.split())


@dataclass
class Item:
    """A list item: its first line's text, the lines nested under it, and where it was."""

    text: str
    indent: int
    line: int  # index into the section's lines
    ordered: bool = False  # "1." rather than "-"
    nested: list[str] = field(default_factory=list)
    children: list[Item] = field(default_factory=list)
    last: int = 0  # index of its last line


def list_items(lines: list[str]) -> list[Item]:
    """The top-level items of the lists in ``lines``, each with its nested items; lines
    that continue an item (indented, or right after it) belong to it."""
    top: list[Item] = []
    stack: list[Item] = []
    fence, blank_before = "", False
    for n, line in enumerate(lines):
        opening = _FENCE.match(line)
        if fence or opening:
            if fence and opening and opening[1][0] == fence[0]:
                fence = ""
            elif not fence and opening:
                fence = opening[1]
            if stack:
                stack[-1].nested.append(line)
                for item in stack:
                    item.last = n
            continue
        if not line.strip():
            blank_before = True
            continue
        if match := _LIST_ITEM.match(line):
            indent = len(match["indent"].expandtabs(4))
            item = Item(match["text"].strip(), indent, n, ordered=match["marker"][0].isdigit(), last=n)
            while stack and stack[-1].indent >= indent:
                if stack[-1].indent == indent and stack[-1].ordered and not item.ordered and len(stack) == 1:
                    indent += 1  # "- detail" under "1. **Step**", not indented: a detail of the step
                    item.indent = indent
                    break
                stack.pop()
            (stack[-1].children if stack else top).append(item)
            for parent in stack:
                parent.last = n
            stack.append(item)
        elif stack and (line[:1].isspace() or not blank_before):
            stack[-1].nested.append(line.strip())
            for item in stack:
                item.last = n
        else:
            stack.clear()  # a paragraph ends the list
        blank_before = False
    return top


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    first: int  # index of its header line in the section's lines
    last: int


def tables(lines: list[str]) -> list[Table]:
    """The pipe tables in ``lines``: a header row, a rule, and the rows after it."""
    found = []
    n = 0
    while n + 1 < len(lines):
        if _TABLE_ROW.match(lines[n]) and _TABLE_RULE.match(lines[n + 1]) and "-" in lines[n + 1]:
            header = cells(lines[n])
            rows, m = [], n + 2
            while m < len(lines) and lines[m].strip() and ("|" in lines[m]):
                rows.append(cells(lines[m]))
                m += 1
            found.append(Table(header, rows, n, m - 1))
            n = m
        else:
            n += 1
    return found


def cells(row: str) -> list[str]:
    """A table row's cells, ``\\|`` kept as a character."""
    row = row.strip()
    row = row.removeprefix("|")
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", row)]


def words(text: str) -> set[str]:
    """The words of ``text``, lower-cased: what "nothing lost" compares."""
    return set(re.findall(r"[^\W_]+", text.lower()))
