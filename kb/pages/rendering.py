"""The one Jinja environment every page template renders in, and what a template may call.

A template writes Markdown; ``{% call defer() %}...{% endcall %}`` marks HTML that joins
the page only once the site generator is done with it (``kb.render.deferred``), and
``heading(level, title)`` writes a heading inside it that still reaches the page's table
of contents. A template that frames an author's narrative (a postmortem page) writes
``narrative()`` where it goes: its output is then HTML on either side of it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import cache

import jinja2
from markupsafe import Markup, escape

from kb.render.deferred import Rendered, Toc, marker
from kb.render.escape import attr, html_paragraphs, paragraph, text
from kb.render.sanitize import ID_PREFIX as NARRATIVE_ID_PREFIX

# Where the narrative goes in a template's own output: ``render_frame`` cuts there.
NARRATIVE = "<!-- kb:narrative -->"


def _finalize(value: object) -> object:
    if value is None:
        return ""
    return value if isinstance(value, Markup) else text(value)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kb.pages", "templates"),
        autoescape=False,  # Markdown output: ``_finalize`` escapes instead
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(paragraph=paragraph, html_paragraphs=html_paragraphs, attr=attr)
    env.globals.update(scroll_box=scroll_box)
    return env


def scroll_box(label: object, css: str = "") -> Markup:
    """The opening tag of the box a wide table scrolls sideways in, so the page never does.

    It takes the keyboard's focus (``tabindex``), so it scrolls with the arrow keys, and a
    name (``aria-label``), which screen readers say on getting there: WCAG 2.1.1 and 4.1.2.
    """
    return Markup('<div class="pm-scroll{css}" role="region" tabindex="0" aria-label="{label}">').format(
        css=f" {css}" if css else "", label=attr(label)
    )


class _Page:
    """What a template collects while it renders: deferred HTML and its headings.

    With ``fragments=False`` a ``defer`` block leaves its marker and is not rendered: the
    template's own output (a postmortem page's frame) is then known from the postmortem
    alone, and its markers are the ones the full rendering fills.
    """

    def __init__(self, fragments: bool = True) -> None:
        self.fragments = fragments
        self.deferred: dict[str, str] = {}
        # The deferred headings before the narrative, and after it once ``narrative`` is
        # called: the table of contents lists the narrative's own between the two.
        self.tocs: list[Toc] = [[]]
        self.ids: set[str] = set()

    def defer(self, caller: Callable[[], str]) -> Markup:
        mark = marker(len(self.deferred))
        self.deferred[mark] = str(caller()).strip() if self.fragments else ""
        return Markup(mark)

    def narrative(self) -> Markup:
        """Where the page's narrative goes: the headings deferred after it follow its own."""
        if len(self.tocs) > 1:
            raise ValueError("a page has one narrative")
        self.tocs.append([])
        return Markup(NARRATIVE)

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
        toc = self.tocs[-1]
        parent = toc[-1]["children"] if level > 2 and toc else toc
        parent.append(token)
        anchor = escape(slug)
        return Markup(
            f'<h{level} id="{anchor}">{label}<a class="headerlink" href="#{anchor}" title="Permanent link">&para;</a>'
            f"</h{level}>"
        )


def render(template: str, **context: object) -> Rendered:
    """Render a page template. ``{% call defer() %}...{% endcall %}`` marks deferred HTML;
    ``heading(level, title)`` writes a heading inside it; ``narrative()`` places the
    narrative of a page that has one (``render_frame``)."""
    page = _Page()
    markdown = _render(template, page, context)
    return Rendered(markdown, page.deferred, *page.tocs)  # the headings before the narrative, and after


def render_frame(template: str, **context: object) -> tuple[str, str]:
    """The template's own output before and after its ``narrative()``, with the markers of
    its deferred HTML, without rendering that HTML: ``context`` needs only what the
    template uses outside its ``defer`` blocks. The markers are those ``render`` fills."""
    output = _render(template, _Page(fragments=False), context)
    head, placed, tail = output.partition(NARRATIVE)
    if not placed:
        raise ValueError(f"{template} does not place a narrative")
    return head, tail


def _render(template: str, page: _Page, context: dict[str, object]) -> str:
    functions = {"defer": page.defer, "heading": page.heading, "narrative": page.narrative}
    return environment().get_template(template).render(**functions, **context)
