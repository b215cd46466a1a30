"""Finding and reading the files to import: Markdown by its content, HTML through markdownify.

A source folder is searched recursively. A file is read only if it is text: binary,
huge and non-UTF-8 files are refused with a reason, and so are empty files, index pages
(a list of links to other documents) and templates (placeholders still in them). Every
file found is either a document or a skipped file with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 2_000_000  # a postmortem is a few pages; anything larger is not one
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
# Not documents: what a source folder of exports also holds. Listed as skipped all the same.
# A line that is a link to another document, maybe with a date or a few words around it.
_LINK_LINE = re.compile(
    r"^\s*(?:[-*+]|\d+[.)])\s+(?:[^\[\n]{0,40})\[[^\]]+\]\([^)]+\)[^\n]{0,40}$|^\s*\|?\s*\[[^\]]+\]\([^)]+\)"
)
_PLACEHOLDER = re.compile(
    r"\{\{[^}\n]{0,200}\}\}|<%[^%\n]{0,200}%>|\[(?:insert|enter|add|describe|your|name of|link to)[^\]\n]{0,200}\]|"
    r"<(?:insert|describe|enter)[^>\n]{0,200}>|\bTODO: fill\b|\bXX:XX\b|\bYYYY-MM-DD\b",
    re.I,
)
_MARKDOWN_SIGNS = re.compile(r"^(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\||---\s*$)|\*\*|\]\(", re.M)
# Code and data, whatever Markdown-looking lines they hold ("# comment" in Python).
_NOT_DOCUMENTS = {
    ".py", ".js", ".ts", ".json", ".yml", ".yaml", ".toml", ".ini", ".cfg", ".sh", ".bash", ".css", ".scss",
    ".go", ".rs", ".java", ".rb", ".php", ".c", ".h", ".cpp", ".xml", ".csv", ".lock", ".svg", ".sql", ".tf",
}  # fmt: skip
INDEX_NAMES = {"index", "readme", "_index", "summary", "toc", "contents", "_sidebar"}


@dataclass(frozen=True)
class Document:
    path: Path
    text: str  # as Markdown
    html: bool  # converted from HTML


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str


def discover(sources: list[Path]) -> Iterator[Path]:
    """Every file under ``sources``, in a stable order, hidden folders left out."""
    for source in sources:
        if source.is_dir():
            for path in sorted(source.rglob("*")):
                parts = path.relative_to(source).parts
                if path.is_file() and not any(part.startswith(".") for part in parts):
                    yield path
        else:
            yield source


def read(path: Path) -> Document | Skipped:
    if path.suffix.lower() in _NOT_DOCUMENTS:
        return Skipped(path, f"not a document: a {path.suffix} file")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return Skipped(path, f"too large ({size:,} bytes; a postmortem is under {MAX_BYTES:,})")
        data = path.read_bytes()
    except OSError as exc:
        return Skipped(path, f"cannot be read: {exc.strerror or exc}")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return Skipped(path, "not UTF-8 but UTF-16; convert it to UTF-8 and import it again")
    if b"\0" in data[:8192]:
        return Skipped(path, "binary, not a document")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Skipped(path, f"not UTF-8 (byte {exc.start}); convert it to UTF-8 and import it again")
    if not text.strip():
        return Skipped(path, "empty")
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # Windows and old Mac line ends
    html = path.suffix.lower() in HTML_SUFFIXES or text.lstrip()[:15].lower().startswith(("<!doctype html", "<html"))
    if html:
        try:
            text = _markdown_of(text)
        except RecursionError:
            return Skipped(path, "HTML nested too deeply to read; save it again from its editor")
    elif not _MARKDOWN_SIGNS.search(text) and len(text.split()) < 40:
        return Skipped(path, "not a document: no Markdown and only a few words")
    if reason := _not_a_postmortem(path, text):
        return Skipped(path, reason)
    return Document(path, text, html)


def _markdown_of(html: str) -> str:
    """An HTML export as Markdown: headings as ``#``, lists, tables and links kept;
    scripts, styles and the head dropped (their content is not the document's)."""
    # Here: markdownify and Beautiful Soup cost every other kb command 60 ms to import.
    from bs4 import BeautifulSoup
    from markdownify import MarkdownConverter

    soup = BeautifulSoup(html, "html.parser")
    for element in soup(["script", "style", "head"]):
        element.decompose()
    converted = MarkdownConverter(heading_style="ATX", bullets="-").convert_soup(soup)
    return re.sub(r"\n{3,}", "\n\n", converted).strip() + "\n"


def _not_a_postmortem(path: Path, text: str) -> str | None:
    """Why a readable document is not one to import: an index page or a template."""
    stem = path.name.split(".")[0].lower()
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    links = sum(1 for line in lines if _LINK_LINE.match(line))
    if lines and links >= 3 and links >= 0.6 * len(lines):
        return "an index page: a list of links to other documents"
    if stem in INDEX_NAMES and links >= 2:
        return "an index page: a list of links to other documents"
    if "template" in stem or len(_PLACEHOLDER.findall(text)) >= 3:
        return "a template: its placeholders are still in it"
    return None
