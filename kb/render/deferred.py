"""Deferred HTML: the part of a generated page that goes in after the site generator.

A page is Markdown with markers (``<!-- kb:html 0 -->``) and, for each marker, the HTML
fragment that replaces it in the finished page. Every marker and every fragment pair up
once, or the build stops: a page with a hole in it is never published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

Toc = list[dict[str, Any]]  # headings as MkDocs' toc tokens (level, id, name, children), in page order


@dataclass(frozen=True)
class Rendered:
    """A generated page: Markdown for MkDocs, and HTML that goes in after MkDocs is done.

    Tables, badges, link lists and their headings are built as HTML already. Left in
    the Markdown, MkDocs would parse them twice more (Python-Markdown's HTML block parser
    and table of contents, then the search plugin's indexer), the largest cost of a
    large build (``benchmarks/``). Behind a marker they cost nothing
    and stay out of the in-browser search index, which keeps it small; their headings
    reach the page's table of contents through ``toc`` and ``toc_after``, on either side
    of the headings of the page's own Markdown.
    """

    markdown: str
    deferred: dict[str, str]  # marker -> the HTML that replaces it in the finished page
    toc: Toc  # the deferred headings before the Markdown's own
    # Those after them: a postmortem's cross-references, which follow its narrative.
    toc_after: Toc = field(default_factory=list)


_DEFERRED = re.compile(r"<!-- kb:html (\d+) -->")


def marker(n: int) -> str:
    """Where the ``n``-th deferred fragment of a page goes, counting from 0."""
    return f"<!-- kb:html {n} -->"


class DeferredError(RuntimeError):
    """A page's deferred HTML and its markers do not pair up: a defect of ours, never of
    an author's input, so the build stops rather than publish a page with a hole in it."""


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
