"""Turning an author's values into Markdown and HTML that show them as text.

Every value written by an author is escaped by default: the template environment
(``kb.pages.rendering``) escapes anything that is not already ``Markup``, for HTML and
for Markdown, so a title like ``<script>`` or ``[x](javascript:...)`` shows as text.
Templates opt out only for fragments built here.
"""

from __future__ import annotations

import html
import json
import re

from markupsafe import Markup, escape

# Characters Markdown (with its common extensions) or HTML could read as syntax
# anywhere in a line. Each becomes a numeric character reference: unlike a backslash
# escape, it reads the same whatever extensions a site enables (``\\=`` shows its
# backslash without pymdownx.mark), and no Markdown rule matches it.
_SPECIAL = "\\`*_{}[]<>|~^=&\"'"
_ENTITIES = {ord(c): f"&#{ord(c)};" for c in _SPECIAL}
# And those that are syntax only where a line starts: headings, list items.
_LINE_START = re.compile(r"^(\s*)([#+-]|\d+(?=\.(?:\s|$)))(\.?)", flags=re.M)


def _neutral_start(match: re.Match[str]) -> str:
    indent, marker, dot = match.groups()
    if dot:  # "1." starts an ordered list: neutralise the dot, keep the number
        return f"{indent}{marker}&#46;"
    return f"{indent}&#{ord(marker)};"


def text(value: object, *, inline: bool = True) -> Markup:
    """Escape ``value`` for Markdown and the HTML it becomes.

    ``inline`` folds newlines so a value cannot break a table row or start a block.
    """
    escaped = str(value).translate(_ENTITIES)
    if inline:
        escaped = " ".join(escaped.split())
    return Markup(_LINE_START.sub(_neutral_start, escaped))


def paragraph(value: object) -> Markup:
    """Escape multi-line prose, keeping its line breaks as paragraph breaks."""
    parts = [text(p) for p in re.split(r"\n\s*\n", str(value).strip())]
    return Markup("\n\n".join(parts))


def html_paragraphs(value: object) -> Markup:
    """Prose as ``<p>`` elements, for raw HTML blocks that Markdown passes through untouched."""
    parts = [text(p) for p in re.split(r"\n\s*\n", str(value).strip())]
    return Markup("".join(f"<p>{p}</p>" for p in parts))


def attr(value: object) -> Markup:
    """Escape for an HTML attribute or raw HTML text, where Markdown does not apply."""
    return Markup(html.escape(str(value), quote=True))


def html_link(href: str, label: object) -> Markup:
    """An HTML link; both escaped (a ``Markup`` label is kept as it is).

    An f-string, not ``Markup.format``, whose formatter is pure Python: this runs for
    every link to a postmortem, on every page that lists them.
    """
    return Markup(f'<a href="{escape(href)}">{escape(label)}</a>')


_CODE = re.compile(r"`([^`]+)`")


def html_code_spans(value: str) -> Markup:
    """Our own sentence for raw HTML, escaped, with what it writes between backticks (what
    to type in a file) as ``<code>``: one text for a terminal and a page."""
    return Markup(_CODE.sub(r"<code>\1</code>", str(attr(value))))


def link(label: object, target: str) -> Markup:
    """A Markdown link; ``target`` is built by us (a page path), never by an author."""
    return Markup(f"[{text(label)}]({target})")


def meta(data: dict[str, object]) -> Markup:
    """MkDocs page front matter; JSON is YAML, and it quotes every value safely. In ASCII:
    YAML reads U+2028 and U+2029 as line breaks, so a raw one in a value could end the
    front matter early and make the rest of it Markdown.

    The title and the tags are HTML-escaped too: MkDocs' templates do not escape, and
    themes print the title in ``<title>`` and the nav, and Material's tags plugin each tag
    on the page and on the tags index.
    """
    escaped = {"title": html.escape(str(data["title"]))} if "title" in data else {}
    if "tags" in data:
        escaped["tags"] = [html.escape(str(tag)) for tag in data["tags"]]  # type: ignore[attr-defined]
    data = {**data, **escaped}
    lines = [f"{key}: {json.dumps(value)}" for key, value in data.items()]
    return Markup("---\n" + "\n".join(lines) + "\n---\n")
