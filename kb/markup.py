"""Turning values into Markdown safely, and the one Jinja environment that does it.

Every value written by an author is escaped by default: the environment's ``finalize``
escapes anything that is not already ``Markup``, for HTML and for Markdown, so a title
like ``<script>`` or ``[x](javascript:...)`` shows as text. Templates opt out only for
fragments this module built itself.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, timedelta, tzinfo
from functools import cache

import jinja2
from markupsafe import Markup

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


def link(label: object, target: str) -> Markup:
    """A Markdown link; ``target`` is built by us (a page path), never by an author."""
    return Markup(f"[{text(label)}]({target})")


def meta(data: dict[str, object]) -> Markup:
    """MkDocs page front matter; JSON is YAML, and it quotes every value safely.

    The title is HTML-escaped too: themes print it unescaped in ``<title>`` and the nav.
    """
    data = {**data, "title": html.escape(str(data["title"]))} if "title" in data else data
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in data.items()]
    return Markup("---\n" + "\n".join(lines) + "\n---\n")


def _finalize(value: object) -> object:
    if value is None:
        return ""
    return value if isinstance(value, Markup) else text(value)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kb", "templates"),
        autoescape=False,  # Markdown output: ``_finalize`` escapes instead
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(paragraph=paragraph, html_paragraphs=html_paragraphs, attr=attr)
    return env


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)


# --- times --------------------------------------------------------------------------


def moment(value: datetime, zone: tzinfo) -> str:
    """``2024-03-12 14:05 UTC`` in the display zone."""
    local = value.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def clock(value: datetime, zone: tzinfo, day_of: datetime) -> str:
    """``14:05``, or with the date when it is not the day ``day_of`` started."""
    local = value.astimezone(zone)
    return f"{local:%H:%M}" if local.date() == day_of.astimezone(zone).date() else f"{local:%Y-%m-%d %H:%M}"


def span(delta: timedelta | None) -> str:
    """A human duration: ``45 min``, ``3 h 10 min``, ``2 d 4 h``."""
    if delta is None:
        return ""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"
