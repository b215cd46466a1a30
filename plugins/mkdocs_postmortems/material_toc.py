"""A generated page's deferred headings in Material's table of contents, at little cost.

Material renders each table-of-contents entry through a Jinja ``include``, which copies
the whole template context, and a postmortem page has a dozen deferred headings: on a
large library that is seconds of every build (``benchmarks/``). So MkDocs gets one
stand-in entry for each group of them (those before the page's own headings, and those
after), pointing at the group's first heading, and the finished page gets the entries,
written here in Material's markup (``partials/toc-item.html``), in its place.
Where the theme writes entries differently (another theme, an override of that partial,
``toc.integrate``), pages get every entry the usual way.
"""

from __future__ import annotations

import html
import re
from typing import Any

import jinja2
from markupsafe import Markup, escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.toc import TableOfContents, get_toc

Headings = list[dict[str, Any]]  # MkDocs toc tokens
MARK = "<!-- kb:toc {} -->"  # a stand-in's title, with the number of the group it stands for
# A stand-in entry as Material writes it, its title ``MARK`` with the group's number. One
# pattern for every page and group: compiling one per page (for its first heading's id)
# would cost more than the search.
_STAND_IN = re.compile(
    r'<li class="md-nav__item">\s*<a href="#[^"]*" class="md-nav__link">\s*'
    r'<span class="md-ellipsis">\s*<!-- kb:toc (\d) -->\s*</span>\s*</a>\s*</li>'
)


def fits(config: MkDocsConfig, env: jinja2.Environment) -> bool:
    """Whether the theme writes a table-of-contents entry as ``fill`` expects: Material's
    own ``partials/toc-item.html`` (a site may override it), without ``toc.integrate``."""
    if config.theme.name != "material" or "toc.integrate" in config.theme.get("features", []):
        return False
    try:
        item = env.get_template("partials/toc-item.html")
    except jinja2.TemplateNotFound:
        return False
    probe = [{"level": 2, "id": "kb-probe", "name": "", "children": []}]
    toc = with_headings(probe, TableOfContents([]), [], stand_in=True)
    return _STAND_IN.search("".join(item.render(toc_item=entry) for entry in toc)) is not None


def with_headings(before: Headings, page_toc: TableOfContents, after: Headings, stand_in: bool) -> TableOfContents:
    """The page's table of contents with the deferred headings around its own: ``before``
    first, ``after`` last; all of them, or one entry standing in for each group until ``fill``."""
    groups = [before, after]
    if stand_in:
        groups = [
            [{**group[0], "name": MARK.format(n), "children": []}] if group else [] for n, group in enumerate(groups)
        ]
    return TableOfContents([*get_toc(groups[0]), *page_toc, *get_toc(groups[1])])  # type: ignore[arg-type]


def fill(page_html: str, before: Headings, after: Headings) -> str:
    """Replace each stand-in entry (wherever the theme printed it) with the entries of its group."""
    entries = ["".join(_item(token) for token in group) for group in (before, after)]
    return _STAND_IN.sub(lambda stand_in: entries[int(stand_in[1])], page_html)


def _item(token: dict[str, Any]) -> str:
    # The name is HTML already (kb.render.escape.text escaped the title); the label is text.
    name = token["name"]
    entry = (
        f'<li class="md-nav__item"><a href="#{html.escape(token["id"])}" class="md-nav__link">'
        f'<span class="md-ellipsis">{name}</span></a>'
    )
    if token["children"]:
        label = escape(Markup(name).striptags())  # as Material's "striptags | e"
        children = "".join(_item(child) for child in token["children"])
        entry += f'<nav class="md-nav" aria-label="{label}"><ul class="md-nav__list">{children}</ul></nav>'
    return entry + "</li>"
