"""Every generated page is whole: each deferred fragment is in its place, each element
id is unique, and each table-of-contents link reaches its own heading."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from support import MKDOCS_YML, REPO, VALID_POSTMORTEM, Build, WriteProject

from kb.render.deferred import DeferredError, fill_deferred, marker


class _Ids(HTMLParser):
    """The ids of a page, and the fragment links of its table of contents."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        # Material prints the table of contents twice: in the sidebar, and in the main nav for
        # small screens. Each copy is checked on its own.
        self.tocs: list[list[str]] = []
        self._toc_depth = 0  # inside a table of contents (Material's secondary nav)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(str(attributes["id"]))
        if tag == "nav":
            if not self._toc_depth and "md-nav--secondary" in (attributes.get("class") or ""):
                self.tocs.append([])
            if self._toc_depth or "md-nav--secondary" in (attributes.get("class") or ""):
                self._toc_depth += 1
        elif tag == "a" and self._toc_depth and (attributes.get("href") or "").startswith("#"):
            self.tocs[-1].append(str(attributes["href"])[1:])

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._toc_depth:
            self._toc_depth -= 1


def _page_problems(html: str, contents: bool = False) -> list[str]:
    """Duplicate ids, and table-of-contents links that miss their heading or share one;
    with ``contents``, a page must have a table of contents to check."""
    page = _Ids()
    page.feed(html)
    assert page.tocs or not contents, "no table of contents found: has the theme's markup changed?"
    problems = [f"id {i!r} is used {n} times" for i, n in Counter(page.ids).items() if n > 1]
    for toc in page.tocs:
        problems += [f"the contents link to #{link}, which no element has" for link in toc if link not in page.ids]
        problems += [f"{n} contents entries lead to #{link}" for link, n in Counter(toc).items() if n > 1]
    return problems


def _site_problems(root: Path) -> dict[str, list[str]]:
    pages = sorted(root.rglob("*.html"))
    assert len(pages) > 10, f"no site was built in {root}"
    found = {str(page.relative_to(root)): _page_problems(page.read_text(encoding="utf-8")) for page in pages}
    return {page: problems for page, problems in found.items() if problems}


# --- deferred HTML -------------------------------------------------------------------------


def test_a_fragment_whose_marker_is_missing_fails_the_page() -> None:
    with pytest.raises(DeferredError, match="kb:html 1"):
        fill_deferred(f"<p>{marker(0)}</p>", {marker(0): "<p>one</p>", marker(1): "<p>two</p>"})


def test_a_marker_with_no_fragment_fails_the_page() -> None:
    with pytest.raises(DeferredError, match="kb:html 1"):
        fill_deferred(f"{marker(0)}<p>between</p>{marker(1)}", {marker(0): "<p>one</p>"})


def test_every_fragment_takes_its_own_marker_once() -> None:
    page = fill_deferred(f"{marker(1)}<p>between</p>{marker(0)}", {marker(0): "<b>0</b>", marker(1): "<i>1</i>"})

    assert page == "<i>1</i><p>between</p><b>0</b>"


def test_a_marker_written_in_a_trusted_narrative_stays_a_comment_and_breaks_nothing(
    write_project: WriteProject, build: Build
) -> None:
    # An author's comment that looks like a marker, even one with no fragment, is the author's.
    body = "\n<!-- kb:html 0 -->\n\n<!-- kb:html 7 -->\n\nThe end.\n"
    trusted = MKDOCS_YML + "      trust_html: true\n"
    project = write_project({"mkdocs.yml": trusted, "postmortems/good.md": VALID_POSTMORTEM + body})

    page = build(project).page("good")

    assert page.count('class="pm-badges"') == 1
    assert page.index('class="pm-badges"') < page.index("The end.")
    assert "<!--" in page[page.index("The end.") - 80 :]  # the comments are still comments
    assert "<!-- kb:html 7 (as written in the narrative) -->" in page  # inert: no fragment is sought for it


# --- ids and the table of contents -----------------------------------------------------------

# A postmortem written before this tool: its narrative repeats the generated sections.
OLD_STYLE_BODY = """
## Summary

As told in the summary.

## Timeline

Told again, by hand.

## Action items

1. Listed again, by hand.

## Timeline

And a second time.
"""
# A cause whose title makes a heading id the narrative's own headings use.
CAUSES = """\
global-rollout:
  title: Narrative timeline
  category: change-management
  description: The change had no staged rollout.
missing-alert:
  title: No alert on the symptom users saw
  category: detection
  description: Nothing paged while users saw errors.
"""


@pytest.mark.parametrize("trust_html", [False, True])
def test_a_narrative_that_repeats_a_generated_section_keeps_every_id_unique(
    write_project: WriteProject, build: Build, trust_html: bool
) -> None:
    config = MKDOCS_YML + ("      trust_html: true\n" if trust_html else "")
    project = write_project(
        {
            "mkdocs.yml": config,
            "postmortems/causes.yml": CAUSES,
            "postmortems/good.md": VALID_POSTMORTEM + OLD_STYLE_BODY,
        }
    )

    site = build(project)
    page = site.html("postmortems/good/index.html")

    assert _page_problems(page, contents=True) == []
    headings = site.page("good")
    assert headings.count(">Action items<") == 2  # the generated section's heading and the narrative's
    assert headings.count(">Timeline<") == 2  # the narrative's two
    assert _site_problems(site.root) == {}


@pytest.mark.parametrize("audience", ["public", "internal", "restricted"])
def test_every_page_of_the_example_library_has_unique_ids_and_working_contents(tmp_path: Path, audience: str) -> None:
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("audience: internal", f"audience: {audience}")
    (tmp_path / "mkdocs.yml").write_text(config.replace("source: postmortems", f"source: {REPO / 'postmortems'}"))
    (tmp_path / "docs").symlink_to(REPO / "docs")
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(tmp_path / "mkdocs.yml"), "-d", str(site)],
        check=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )

    assert _site_problems(site) == {}
