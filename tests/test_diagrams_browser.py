"""Material draws a narrative's Mermaid diagram in a real browser (Debian's Chromium).

Material loads Mermaid from unpkg.com unless the page has one already, and tests
download nothing: so Mermaid's place is taken by a stand-in the site serves, as a site
serves its own copy (``docs/writing.md``), that records what Material asks it to draw.
"""

from __future__ import annotations

from typing import Any

from browsing import serve
from support import DIAGRAM, MERMAID_YML, WITH_DIAGRAM, Build, WriteProject

STAND_IN = """\
window.mermaid = {
  initialize() {},
  async render(id, text) {
    (window.kbDrawn = window.kbDrawn || []).push(text);
    return { svg: `<svg id="${id}" width="10" height="10"></svg>` };
  },
};
"""


def test_material_draws_the_diagram_with_the_mermaid_the_site_serves(
    write_project: WriteProject, build: Build, page: Any
) -> None:
    config = MERMAID_YML + "extra_javascript:\n  - javascripts/mermaid.min.js\n"
    files = {"mkdocs.yml": config, "docs/javascripts/mermaid.min.js": STAND_IN, "postmortems/good.md": WITH_DIAGRAM}
    site = build(write_project(files), strict=True)

    with serve(site.root) as url:
        page.goto(f"{url}/postmortems/good/")
        page.wait_for_function("window.kbDrawn !== undefined")
        page.wait_for_load_state("networkidle")

        assert page.evaluate("window.kbDrawn") == [DIAGRAM]  # the source as written, unescaped once
        assert page.locator("div.mermaid").count() == 1  # Material put the drawing in its place
        assert page.locator("pre").count() == 0
    assert page.requested_hosts == {"127.0.0.1"}  # nothing fetched from a CDN


def test_a_site_without_its_own_mermaid_has_material_fetch_it(
    write_project: WriteProject, build: Build, page: Any
) -> None:
    site = build(write_project({"mkdocs.yml": MERMAID_YML, "postmortems/good.md": WITH_DIAGRAM}), strict=True)
    page.route("https://unpkg.com/**", lambda route: route.abort())  # asked for, never downloaded

    with serve(site.root) as url:
        page.goto(f"{url}/postmortems/good/")
        page.wait_for_load_state("networkidle")

        assert "unpkg.com" in page.requested_hosts
        assert page.locator("pre code").text_content() == DIAGRAM  # without Mermaid, the source is shown
