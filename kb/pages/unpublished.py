"""A postmortem's page while ``mkdocs serve`` runs and the file has errors.

A build leaves such a file out of the site; while a writer serves it, its URL would be a
bare 404 and the reason would only reach the terminal. So the serve shows, at that URL,
the problems at their lines. A static build never has this page.
"""

from __future__ import annotations

from kb.checks.library import Library, Unpublished
from kb.pages.rendering import render
from kb.render.escape import meta


def unpublished_page(unpublished: Unpublished, library: Library) -> str:
    """The page's Markdown: the file's problems, in the order of its lines."""
    problems = [p for p in library.problems if p.path == unpublished.source]
    front = meta({"title": unpublished.title, "hide": ["navigation"], "search": {"exclude": True}})
    page = render("unpublished.md.j2", meta=front, unpublished=unpublished, problems=problems)
    return page.markdown
