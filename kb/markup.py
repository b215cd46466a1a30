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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup, escape

from kb.sanitize import ID_PREFIX as NARRATIVE_ID_PREFIX

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

    An f-string, not ``Markup.format``: the pure-Python formatter was a second of every
    thousand pages' render time, and this runs for every link to a postmortem.
    """
    return Markup(f'<a href="{escape(href)}">{escape(label)}</a>')


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


@dataclass(frozen=True)
class Rendered:
    """A generated page: Markdown for MkDocs, and HTML that goes in after MkDocs is done.

    Tables, badges, link lists and their headings are built here as HTML already. Left
    in the Markdown, MkDocs would parse them twice more (Python-Markdown's HTML block
    parser and table of contents, then the search plugin's indexer), which at thousands
    of pages cost several times the rest of the build. Behind a marker they cost nothing
    and stay out of the in-browser search index, which keeps it small; their headings
    reach the page's table of contents through ``toc``.
    """

    markdown: str
    deferred: dict[str, str]  # marker -> the HTML that replaces it in the finished page
    toc: list[dict[str, Any]]  # the deferred headings, as MkDocs' toc tokens, in page order


_DEFERRED = re.compile(r"<!-- kb:html (\d+) -->")


def marker(n: int) -> str:
    """Where the ``n``-th deferred fragment of a page goes, counting from 0."""
    return f"<!-- kb:html {n} -->"


class DeferredError(RuntimeError):
    """A page's deferred HTML and its markers do not pair up: a defect of ours, never of
    an author's input, so the build stops rather than publish a page with a hole in it."""


class _Page:
    """What a template collects while it renders: deferred HTML and its headings.

    With ``fragments=False`` a ``defer`` block leaves its marker and is not rendered: the
    template's own output (a postmortem page's head) is then known from the postmortem
    alone, and its markers are the ones the full rendering fills.
    """

    def __init__(self, fragments: bool = True) -> None:
        self.fragments = fragments
        self.deferred: dict[str, str] = {}
        self.toc: list[dict[str, Any]] = []
        self.ids: set[str] = set()

    def defer(self, caller: Callable[[], str]) -> Markup:
        mark = marker(len(self.deferred))
        self.deferred[mark] = str(caller()).strip() if self.fragments else ""
        return Markup(mark)

    def heading(self, level: int, title: object) -> Markup:
        """An ``<h2>``/``<h3>`` with a unique id and a permalink, listed in the toc."""
        label = text(title)
        base = re.sub(r"[^\w]+", "-", html.unescape(str(title)).lower()).strip("-_") or "section"
        if base.startswith(NARRATIVE_ID_PREFIX):  # the narrative's ids: a heading of the same name there
            base = f"section-{base}"
        slug, n = base, 0
        while slug in self.ids:
            n += 1
            slug = f"{base}_{n}"
        self.ids.add(slug)
        token = {"level": level, "id": slug, "name": str(label), "children": []}
        parent = self.toc[-1]["children"] if level > 2 and self.toc else self.toc
        parent.append(token)
        anchor = escape(slug)
        return Markup(
            f'<h{level} id="{anchor}">{label}<a class="headerlink" href="#{anchor}" title="Permanent link">&para;</a>'
            f"</h{level}>"
        )


def render(template: str, **context: object) -> Rendered:
    """Render a page template. ``{% call defer() %}...{% endcall %}`` marks deferred HTML;
    ``heading(level, title)`` writes a heading inside it."""
    page = _Page()
    markdown = environment().get_template(template).render(defer=page.defer, heading=page.heading, **context)
    return Rendered(markdown, page.deferred, page.toc)


def render_head(template: str, **context: object) -> str:
    """What ``render`` gives as the page's Markdown, with the markers of its deferred HTML,
    without rendering that HTML: ``context`` needs only what the template uses outside
    its ``defer`` blocks."""
    page = _Page(fragments=False)
    return environment().get_template(template).render(defer=page.defer, heading=page.heading, **context)


def fill_deferred(page_html: str, deferred: dict[str, str]) -> str:
    """Put each deferred fragment in place of its marker, in one pass over the page.

    Every marker in the page must have its fragment, and every fragment its one marker;
    otherwise ``DeferredError``. A narrative's own look-alikes are made inert before it
    joins a page (``inert_markers``), so every marker here is ours.
    """
    pending = dict(deferred)

    def fragment(match: re.Match[str]) -> str:
        mark = match.group(0)
        if mark not in pending:
            again = "is in the page twice" if mark in deferred else "has no fragment"
            raise DeferredError(f"marker {mark} {again}")
        return pending.pop(mark)

    filled = _DEFERRED.sub(fragment, page_html) if deferred or "<!-- kb:html" in page_html else page_html
    if pending:
        raise DeferredError(f"no place in the page for the fragment of {', '.join(pending)}")
    return filled


def inert_markers(narrative_html: str) -> str:
    """A narrative's HTML with any comment that reads like a marker changed so it is not one."""
    return _DEFERRED.sub(lambda m: f"<!-- kb:html {m[1]} (as written in the narrative) -->", narrative_html)


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
