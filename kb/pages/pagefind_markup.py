"""What the pages carry for Pagefind, the opt-in search for large libraries (``pagefind: true``).

- lists of links to other postmortems, whose titles would make a page match another's
  words, carry ``data-pagefind-ignore`` (``PageMarkup``);
- filters (severity, service, team, cause, year, type) and the date come from a hidden
  element each postmortem page carries when the option is on;
- the search page (``PAGE``) loads Pagefind's own UI from the bundle.

The site is indexed after it is built: ``kb.site.pagefind_index``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from kb.format.model import Postmortem
from kb.render.escape import attr, meta

if TYPE_CHECKING:
    from kb.pages.common import Context

BUNDLE = "pagefind"  # Pagefind's default output folder, under the site
# Not search/: that folder is Material's search plugin's (search/search_index.json), and
# the two searches stay apart while both are on. An index.md in a folder is written to
# search-library/index.html with and without use_directory_urls, so the page's relative
# URLs (../pagefind/, ../assets/) are the same in both layouts.
PAGE = "search-library/index.md"
SCRIPT = "assets/pagefind-search.js"
STYLESHEET = "assets/pagefind-search.css"
# The page's own stylesheet and script: unlike kb.site.plan's STYLESHEETS and SCRIPTS, no other page loads them.
ASSETS = (STYLESHEET, SCRIPT)


@dataclass(frozen=True)
class PageMarkup:
    """What a postmortem page carries for Pagefind: nothing while the option is off."""

    filters: Markup = Markup()  # a hidden element: the page's filter values and date
    ignore: Markup = Markup()  # an attribute for lists of links to other postmortems


OFF = PageMarkup()


def page_markup(pm: Postmortem, ctx: Context) -> PageMarkup:
    """The filters Pagefind's UI offers, as one hidden element on the page.

    Each value is an element's text, not a ``name:value`` attribute, so a comma or colon
    in a service name or cause title stays part of the value. ``data-pagefind-ignore``
    keeps the values out of the page's words while Pagefind still reads them as filters.
    """
    started, causes = pm.started.astimezone(ctx.zone), ctx.library.causes
    values = [("type", "Near-miss" if pm.type == "near-miss" else "Incident"), ("year", str(started.year))]
    if pm.severity:
        values.append(("severity", pm.severity))
    values += [("service", name) for name in pm.services]
    values += [("team", name) for name in pm.teams]
    values += [("cause", causes[ref.key].title) for ref in pm.causes if ref.key in causes]
    spans = "".join(f'<span data-pagefind-filter="{name}">{attr(value)}</span>' for name, value in values)
    date = f'<span data-pagefind-meta="date">{started:%Y-%m-%d}</span>'
    return PageMarkup(Markup(f"<div hidden data-pagefind-ignore>{spans}{date}</div>"), Markup(" data-pagefind-ignore"))


def search_page() -> str:
    """The search page's Markdown: Pagefind's own UI, loaded from the bundle, and a word for readers."""
    return (
        # str(): adding text to Markup would escape the text, HTML included.
        str(meta({"title": "Search postmortems", "hide": ["toc"], "search": {"exclude": True}}))
        + "\nSearch the full text of every postmortem: its summary, impact, causes, action items, timeline and "
        "narrative. Narrow the results by severity, service, team, cause, year or type. Your browser downloads "
        "only the parts of the index a search needs, so the first results come quickly however large the library.\n\n"
        '<div class="kb-pagefind">\n'
        '<div id="kb-pagefind"></div>\n'
        "<noscript><p>Search runs in your browser and needs JavaScript.</p></noscript>\n"
        f'<link rel="stylesheet" href="../{BUNDLE}/pagefind-ui.css">\n'
        f'<link rel="stylesheet" href="../{STYLESHEET}">\n'
        f'<script src="../{BUNDLE}/pagefind-ui.js"></script>\n'
        f'<script src="../{SCRIPT}"></script>\n'
        "</div>\n"
    )
