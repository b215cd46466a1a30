"""``kb export``: everything the plugin adds to a site, as plain files, for a site generator
that runs without it (Zensical, ProperDocs or MkDocs with the plugin left out).

It is the build's own pipeline (``kb.build.pipeline``): the same plan, the same pages,
the same data files. What differs is where the generated sections go. In a build they
are deferred HTML, put in after the site generator is done with a page
(``kb.render.deferred``); here they go into the page's Markdown as raw HTML blocks, which
Python-Markdown (MkDocs', ProperDocs' and Zensical's) passes through as they are. Their
links are written for the site's URL style already, as the build writes them.

Files are written with ``kb.build.owned_files``: a second export replaces the first one's
files and never touches anyone else's.
"""

from __future__ import annotations

import dataclasses
import html
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from kb.build.owned_files import Outcome, write_owned
from kb.build.pipeline import LibraryBuild, build_library
from kb.format import urls
from kb.format.model import Postmortem
from kb.format.problems import Problem, UserError
from kb.format.settings import Settings
from kb.pages.postmortem import postmortem_markdown
from kb.render.deferred import Rendered, fill_deferred, inert_markers
from kb.site.plan import MARKDOWN_EXTENSIONS, SCRIPTS, STYLESHEETS, Page


@dataclass(frozen=True)
class Export:
    """What one export wrote, and what a site's configuration needs to show it."""

    folder: Path
    outcome: Outcome
    counts: dict[str, int]  # pages, assets, data files, files the narratives link
    nav: list[tuple[str, str]]  # (title, path) of the pages the plugin puts in the navigation
    not_in_nav: list[str]  # the folders of the pages it leaves out of it (thousands of postmortems)
    stylesheets: tuple[str, ...]
    scripts: tuple[str, ...]
    problems: list[Problem]

    def summary(self) -> str:
        """One line: what was written, by kind, and what changed since the last export."""
        out = self.outcome
        kinds = ", ".join(f"{n:,} {kind}" for kind, n in self.counts.items())
        kept = ""
        if out.kept:
            kept = f"; {len(out.kept)} files it wrote before were edited since, and are left as they are"
        return (
            f"{sum(self.counts.values()):,} files in {self.folder} ({kinds}): {len(out.written):,} written, "
            f"{len(out.unchanged):,} unchanged, {len(out.removed):,} removed{kept}"
        )

    def mkdocs_yml(self, prefix: str = "") -> str:
        """The lines of ``mkdocs.yml`` that show the export, its paths under ``prefix``
        (where the export folder is in the site's ``docs_dir``, ``/``-terminated)."""
        lines = ["extra_css:", *(f"  - {prefix}{css}" for css in self.stylesheets)]
        lines += ["extra_javascript:", *(f"  - {prefix}{js}" for js in self.scripts)]
        lines += ["markdown_extensions:", *(f"  - {extension}" for extension in MARKDOWN_EXTENSIONS)]
        lines += ["nav:", *(f"  - {json.dumps(title)}: {prefix}{path}" for title, path in self.nav)]
        lines += ["not_in_nav: |", *(f"  /{prefix}{folder}/" for folder in self.not_in_nav)]
        return "\n".join(lines) + "\n"


def export_library(
    settings: Settings, project_dir: Path, folder: Path, directory_urls: bool = True, site_url: str | None = None
) -> Export:
    """Build the library's pages, assets and data files, and write them into ``folder`` at
    the paths a site generator makes the plugin's URLs from (``folder`` is its docs_dir)."""
    source_dir = settings.source_dir(project_dir).resolve()
    folder = folder.resolve()
    if folder.is_relative_to(source_dir) or source_dir.is_relative_to(folder):
        # Its pages would be read back as postmortems, or written among them.
        raise UserError(f"kb export writes into {folder}, which holds or is inside the library's source {source_dir}")
    build = build_library(settings, project_dir, directory_urls, site_url)
    postmortems = {urls.postmortem(pm.slug): pm for pm in build.library.postmortems}
    try:
        pages = {page.path: page_markdown(page, _rendered(build, page, postmortems)) for page in build.pages}
        data = build.data_files()
    except BaseException:
        build.abandon()
        raise
    files = {path: markdown.encode() for path, markdown in pages.items()}
    files |= {asset.path: asset.content.encode() for asset in build.assets}
    files |= {path: content.encode() for path, content in data.items()}
    files |= {path: linked.read_bytes() for path, linked in build.files.items()}
    outcome = write_owned(folder, files)
    return Export(
        folder,
        outcome,
        {"pages": len(pages), "assets": len(build.assets), "data files": len(data), "linked files": len(build.files)},
        nav=[(title(pages[page.path]), page.path) for page in build.pages if page.in_nav],
        not_in_nav=_folders_out_of_nav(build),
        stylesheets=STYLESHEETS,
        scripts=SCRIPTS,
        problems=build.library.problems,
    )


def _rendered(build: LibraryBuild, page: Page, postmortems: dict[str, Postmortem]) -> Rendered:
    """Page ``page`` of the build (``postmortems`` by their page's path); a postmortem's
    narrative with its links to other narratives' headings naming the ids the site
    generator gives them."""
    rendered = build.rendered(page.path)
    pm = postmortems.get(page.path)
    if pm is None:
        return rendered
    markdown = postmortem_markdown(pm, build.library.links.resolved.get(pm.slug, []), prefixed=False)
    return dataclasses.replace(rendered, markdown=markdown)


def page_markdown(page: Page, rendered: Rendered) -> str:
    """A page as one Markdown file: its deferred HTML in place, each fragment a raw HTML
    block. A postmortem page is its front matter, the HTML before the narrative, the
    narrative as its author wrote it, and the HTML after it."""
    # A raw HTML block is one that starts a line after a blank one, wherever its marker is.
    blocks = {mark: f"\n\n{fragment}\n\n" for mark, fragment in rendered.deferred.items()}
    if page.head is None:
        return fill_deferred(rendered.markdown, blocks)
    front, narrative = split_front_matter(rendered.markdown)
    # An author's comment that reads like a marker must stay text, as in a build.
    body = f"{page.head}\n\n{inert_markers(narrative)}\n\n{page.tail}"
    return front + fill_deferred(body, blocks).strip("\n") + "\n"


def split_front_matter(markdown: str) -> tuple[str, str]:
    """``(front matter with its --- lines, the rest)``; the front matter is empty if there is none."""
    if markdown.startswith("---\n"):
        end = markdown.find("\n---\n", 3)
        if end >= 0:
            return markdown[: end + 5], markdown[end + 5 :]
    return "", markdown


def title(markdown: str) -> str:
    """A generated page's title, from its front matter (where it is HTML-escaped)."""
    front, _ = split_front_matter(markdown)
    meta = yaml.safe_load(front.strip().strip("-")) if front else None
    return html.unescape(str(meta["title"])) if isinstance(meta, dict) and "title" in meta else ""


def _folders_out_of_nav(build: LibraryBuild) -> list[str]:
    """The top folders of the pages the plugin keeps out of the navigation."""
    return sorted({page.path.split("/")[0] for page in build.pages if not page.in_nav and "/" in page.path})
