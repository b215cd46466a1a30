""" "This week in incident history": postmortems from the same ISO week of earlier years.

A small, recurring reminder on the home page that old incidents still have something to
teach; it changes every week without anyone curating it.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from kb.checks.library import Library
from kb.format import urls
from kb.pages.reading import reading_badges
from kb.pages.rendering import render
from kb.render.escape import link

HOME = "index.md"


@dataclass(frozen=True)
class Anniversary:
    year: int
    years_ago: int
    link: Markup
    badges: Markup


def this_week(library: Library) -> list[Anniversary]:
    """Newest first; the week is the ISO week of ``library.today``, in the display zone."""
    zone = library.settings.zone()
    year, week, _ = library.today.isocalendar()
    found = []
    for pm in library.postmortems:
        started = pm.started.astimezone(zone).date().isocalendar()
        if started.week == week and started.year < year:
            target = urls.relative(HOME, urls.postmortem(pm.slug))
            badges = reading_badges(pm, library.settings.severities)
            found.append(Anniversary(started.year, year - started.year, link(pm.title, target), badges))
    return found


def this_week_in_history(library: Library) -> str:
    """A Markdown fragment (links relative to the home page ``index.md``). It names the
    week and the date it was built on: the page is read long after."""
    year, week, _ = library.today.isocalendar()
    entries = this_week(library)
    return render("history.md.j2", year=year, week=week, as_of=library.today, entries=entries).markdown


# Where a home page asks for the fragment; a page without it is left as written.
MARKER = "<!-- kb:this-week -->"


def with_this_week(markdown: str, library: Library) -> str:
    """``markdown`` with its marker replaced by this week's fragment."""
    return markdown.replace(MARKER, this_week_in_history(library)) if MARKER in markdown else markdown
