"""The plugin under Backstage TechDocs: ``mkdocs-techdocs-core`` at the version Backstage's
generator image pins, with the Material and Markdown it pins, in an environment of their
own (``make techdocs-env``, from ``constraints-techdocs.txt``).

TechDocs drops ``extra_javascript``, ``hooks`` and a theme's ``custom_dir`` from a
project's ``mkdocs.yml``, so this one has none: the plugin brings its own assets. Its
reader strips scripts, so the explorer and the board must be readable as HTML alone.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from browsing import serve
from support import REPO

TECHDOCS_BIN = REPO / ".venv-techdocs" / "bin"
MKDOCS_YML = """\
site_name: Postmortems in TechDocs
site_description: What we learned from our incidents.
nav:
  - Home: index.md
plugins:
  - techdocs-core
  - postmortems:
      source: postmortems
"""
CONTRACT_PAGES = ("postmortems", "causes", "action-items", "lessons", "reading", "insights")


@pytest.fixture(scope="module")
def techdocs_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Made once, then reused while constraints-techdocs.txt and pyproject.toml are unchanged.
    subprocess.run(["make", "-s", "techdocs-env"], cwd=REPO, check=True, timeout=900)
    project = tmp_path_factory.mktemp("techdocs")
    shutil.copytree(REPO / "postmortems", project / "postmortems")
    (project / "docs").mkdir()
    (project / "docs/index.md").write_text("# Postmortems\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    # As techdocs-cli runs it (`mkdocs build -d site`), with --strict on top: no warning either.
    done = subprocess.run(
        [str(TECHDOCS_BIN / "mkdocs"), "build", "--strict", "-d", "site"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return project / "site"


def test_the_environment_has_techdocs_pins() -> None:
    pins = dict(
        line.split("==") for line in (REPO / "constraints-techdocs.txt").read_text().splitlines() if "==" in line
    )
    assert pins["mkdocs-techdocs-core"] == "1.6.2"
    assert pins["mkdocs-material"] == "9.7.6"
    assert pins["Markdown"].startswith("3.10.")


def test_every_contract_page_builds_with_techdocs_metadata(techdocs_site: Path) -> None:
    metadata = json.loads((techdocs_site / "techdocs_metadata.json").read_text(encoding="utf-8"))
    assert metadata["site_name"] == "Postmortems in TechDocs"
    for folder in CONTRACT_PAGES:
        assert (techdocs_site / folder / "index.html").is_file(), folder
    postmortems = json.loads((techdocs_site / "api/postmortems.json").read_text(encoding="utf-8"))
    assert len(postmortems) >= 30
    for pm in postmortems:
        assert (techdocs_site / "postmortems" / pm["id"] / "index.html").is_file(), pm["id"]
        for cause in pm["cause_keys"]:
            assert (techdocs_site / "causes" / cause / "index.html").is_file()
    assert (techdocs_site / "feed.xml").is_file()
    # The plugin's own assets, though mkdocs.yml names none.
    page = (techdocs_site / "action-items/index.html").read_text(encoding="utf-8")
    for asset in ("assets/postmortems.css", "assets/learning.css", "assets/postmortems.js"):
        assert asset in page and (techdocs_site / asset).is_file(), asset


def _without_scripts(page: str) -> str:
    """What TechDocs' reader keeps of a page's markup: no script."""
    return re.sub(r"<script\b.*?</script>", "", page, flags=re.S | re.I)


def _rows(page: str, attribute: str) -> dict[str, str]:
    """Table rows carrying ``attribute``: its value -> the row's text."""
    rows = re.findall(rf'<tr [^>]*{attribute}="([^"]+)"[^>]*>(.*?)</tr>', page, flags=re.S)
    return {html.unescape(key): html.unescape(re.sub(r"<[^>]+>", " ", cells)) for key, cells in rows}


def _board_pages(site: Path) -> list[str]:
    """The board's pages: the first, then its later ones (``/action-items/page/2/``) in order."""
    later = sorted((site / "action-items/page").glob("*/index.html"), key=lambda p: int(p.parent.name))
    return ["action-items/", *(f"action-items/page/{p.parent.name}/" for p in later)]


def test_the_explorer_and_the_board_are_tables_without_scripts(techdocs_site: Path) -> None:
    postmortems = json.loads((techdocs_site / "api/postmortems.json").read_text(encoding="utf-8"))
    explorer = _without_scripts((techdocs_site / "postmortems/index.html").read_text(encoding="utf-8"))
    rows = _rows(explorer, "data-pm")
    assert set(rows) == {pm["id"] for pm in postmortems}
    for pm in postmortems:
        assert " ".join(pm["title"].split()) in " ".join(rows[pm["id"]].split())
        assert f'href="../{pm["id"]}/"' in explorer or f'href="{pm["id"]}/"' in explorer
    items = json.loads((techdocs_site / "api/action-items.json").read_text(encoding="utf-8"))
    rows = {}
    for path in _board_pages(techdocs_site):  # more items than a page: the rest by links alone
        rows.update(
            _rows(_without_scripts((techdocs_site / path / "index.html").read_text(encoding="utf-8")), "data-item")
        )
    assert set(rows) == {item["id"] for item in items}
    for item in items:
        assert " ".join(item["title"].split()) in " ".join(rows[item["id"]].split())


def test_without_scripts_every_row_is_visible(techdocs_site: Path, browser: object) -> None:
    # What a reader of TechDocs sees: the stylesheets apply, no script runs.
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        with serve(techdocs_site) as base:
            for paths, attribute, data in [
                (["postmortems/"], "data-pm", "api/postmortems.json"),
                (_board_pages(techdocs_site), "data-item", "api/action-items.json"),
            ]:
                shown = 0
                for path in paths:
                    page.goto(f"{base}/{path}")
                    rows = page.locator(f"tr[{attribute}]")
                    assert all(rows.nth(n).is_visible() for n in range(rows.count())), path
                    shown += rows.count()
                assert shown == len(json.loads((techdocs_site / data).read_text(encoding="utf-8")))
    finally:
        context.close()
