"""``kb export``: the library as plain files that a site generator without the plugin
(Zensical, MkDocs with the plugin left out) turns into the plugin's site, at its URLs.

The example library is exported once for the module, and built three ways: by MkDocs
with the plugin (the reference), by MkDocs without it, and by Zensical.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import REPO, VALID_POSTMORTEM, Kb, WriteProject

# The plugin's settings, for kb and for the reference build; the site generators that
# build the export get a mkdocs.yml without the plugin.
KB_YML = """\
site_name: Export test
theme:
  name: material
  font: false
plugins:
  - search
  - postmortems:
      source: postmortems
"""
SITE = {"site_name": "Export test", "theme": {"name": "material", "font": False}, "plugins": ["search", "tags"]}
# The contract's pages, by folder (every page under them is the library's), and its files.
PAGE_FOLDERS = ("postmortems", "causes", "services", "teams", "action-items", "lessons", "reading", "insights")
DATA_FILES = ("api/postmortems.json", "api/causes.json", "api/action-items.json", "feed.xml")
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
A_POSTMORTEM = "postmortems/2023-11-24-black-friday-search-cache-stampede/index.html"  # tags, items, a timeline


@dataclass(frozen=True)
class Sites:
    reference: Path  # MkDocs with the plugin
    plain: Path  # MkDocs without it, from the export
    zensical: Path
    export_output: str


def _run(command: list[str], cwd: Path) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, check=False, env=ENV)
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _config_lines(output: str) -> dict[str, Any]:
    """The ``mkdocs.yml`` lines ``kb export`` printed: the last paragraph of its output."""
    return yaml.safe_load(output.rstrip().rsplit("\n\n", 1)[1])


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Sites:
    project = tmp_path_factory.mktemp("export")
    shutil.copytree(REPO / "postmortems", project / "postmortems")
    (project / "kb.yml").write_text(KB_YML, encoding="utf-8")
    (project / "docs").mkdir()
    (project / "docs/index.md").write_text("# Home\n", encoding="utf-8")
    _run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", "kb.yml", "-d", "reference"], project)
    output = _run([sys.executable, "-m", "kb.cli", "export", "-f", "kb.yml", "docs"], project)
    printed = _config_lines(output)
    config = {**SITE, **printed, "nav": ["index.md", *printed["nav"]]}
    (project / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    _run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", "plain"], project)
    zensical = shutil.which("zensical", path=str(Path(sys.executable).parent))
    assert zensical, "zensical is in the test extra"
    _run([zensical, "build", "--clean"], project)
    return Sites(project / "reference", project / "plain", project / "site", output)


def contract_files(site: Path) -> set[str]:
    """The site's pages under the contract's folders, and its data files."""
    pages = {p.relative_to(site).as_posix() for folder in PAGE_FOLDERS for p in (site / folder).rglob("index.html")}
    return pages | {path for path in DATA_FILES if (site / path).is_file()}


def page_title(page: Path) -> str:
    """A page's title as the theme shows it in ``<title>``, without the site's name."""
    found = re.search(r"<title>(.*?)</title>", page.read_text(encoding="utf-8"), flags=re.S)
    assert found, page
    return html.unescape(found[1].strip()).rsplit(" - Export test", 1)[0]


def item_ids(page: Path) -> set[str]:
    """The ids and data attributes that the generated sections give their headings, rows
    and items; not the theme's (``__``), nor the narrative's, which the site generator
    names without the plugin's prefix (docs/export.md)."""
    text = page.read_text(encoding="utf-8")
    found = set(re.findall(r'(?:id|data-item|data-pm)="([^"]+)"', text))
    return {found_id for found_id in found if not found_id.startswith(("__", "narrative-"))}


def searched_pages(site: Path) -> set[str]:
    """The pages Material's search index has entries for."""
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    return {doc["location"].split("#")[0] for doc in index["docs"]}


def shape(page: Path) -> tuple[int, ...]:
    """How many of each content element the page's article has, its scripts aside."""
    text = page.read_text(encoding="utf-8")
    article = re.sub(r"<script\b.*?</script>", "", text[text.index("<article") : text.index("</article>")], flags=re.S)
    tags = ("h2", "h3", "li", "tr", "table", "svg", "p", "strong", "code")
    return tuple(len(re.findall(f"<{tag}[ >]", article)) for tag in tags)


def test_the_export_covers_every_contract_url(sites: Sites) -> None:
    expected = contract_files(sites.reference)
    ids = [pm["id"] for pm in json.loads((sites.reference / "api/postmortems.json").read_text(encoding="utf-8"))]
    assert len(ids) >= 30
    assert {f"postmortems/{pm_id}/index.html" for pm_id in ids} <= expected
    for folder in PAGE_FOLDERS:
        assert any(path.startswith(folder + "/") for path in expected), folder
    assert set(DATA_FILES) <= expected


def test_zensical_builds_the_export_at_the_plugins_urls_with_its_titles(sites: Sites) -> None:
    expected = contract_files(sites.reference)
    assert contract_files(sites.zensical) >= expected
    for path in sorted(p for p in expected if p.endswith(".html")):
        assert page_title(sites.zensical / path) == page_title(sites.reference / path), path
    for path in DATA_FILES:
        assert (sites.zensical / path).read_bytes() == (sites.reference / path).read_bytes(), path
    ET.fromstring((sites.zensical / "feed.xml").read_bytes())  # well-formed XML
    for asset in ("assets/postmortems.css", "assets/postmortems.js"):
        assert (sites.zensical / asset).is_file()


@pytest.mark.parametrize("built", ["plain", "zensical"])
def test_the_generated_sections_come_through_as_html(sites: Sites, built: str) -> None:
    # Every page's content as the plugin's own build has it: the same headings, lists,
    # tables, charts and paragraphs, not escaped into text nor dropped, and the same
    # rows and items (the explorer's, the board's, a postmortem's numbered ones).
    site = getattr(sites, built)
    for path in sorted(p for p in contract_files(sites.reference) if p.endswith(".html")):
        assert shape(site / path) == shape(sites.reference / path), path
        assert item_ids(sites.reference / path) <= item_ids(site / path), path
    for path in ["postmortems/index.html", "action-items/index.html", A_POSTMORTEM]:
        assert len(item_ids(sites.reference / path)) > 10, path


def test_mkdocs_without_the_plugin_builds_the_same_urls(sites: Sites) -> None:
    assert contract_files(sites.plain) == contract_files(sites.reference)
    for path in sorted(p for p in contract_files(sites.reference) if p.endswith(".html")):
        assert page_title(sites.plain / path) == page_title(sites.reference / path), path
    # Material's search leaves out the same pages (the list pages' `search: exclude`).
    assert searched_pages(sites.plain) == searched_pages(sites.reference)
    assert "action-items/" not in searched_pages(sites.plain)
    # Material's own tags plugin reads the tags in the postmortem pages' front matter.
    assert 'class="md-tag' in (sites.plain / A_POSTMORTEM).read_text(encoding="utf-8")


def test_kb_export_prints_the_configuration_it_needs(sites: Sites) -> None:
    config = _config_lines(sites.export_output)
    assert config["extra_css"] == ["assets/postmortems.css", "assets/learning.css", "assets/print.css"]
    assert config["extra_javascript"] == ["assets/postmortems.js", "assets/reading.js"]
    assert {"Postmortems": "postmortems/index.md"} in config["nav"]
    assert "/postmortems/" in config["not_in_nav"].split()
    summary = sites.export_output.splitlines()[0]
    # The API's three, the feed, the explorer's words, and the rows of the explorer, the board and lessons.
    assert re.search(r"\d+ pages, 5 assets, 8 data files", summary), summary


# --- writing into a folder that is not only the export's ----------------------------

# Another team's: when the first one leaves the library, so do its team's and service's pages.
OTHER = (
    VALID_POSTMORTEM.replace("Checkout database pool exhausted", "Search index went stale")
    .replace("[checkout-api]", "[search-api]")
    .replace("[checkout-team]", "[search-team]")
)


def test_a_re_export_replaces_only_its_own_files(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({"postmortems/pool.md": VALID_POSTMORTEM, "postmortems/stale.md": OTHER})
    code, out, err = kb(project, "export", "docs")
    assert code == 0, err
    docs = project / "docs"
    assert (docs / "postmortems/stale.md").is_file() and (docs / "postmortems/pool.md").is_file()
    (docs / "postmortems/notes.md").write_text("# Someone's notes\n", encoding="utf-8")  # among the export's
    (docs / "teams/checkout-team.md").write_text("edited\n", encoding="utf-8")  # the export's, edited
    explorer = (docs / "postmortems/index.md").stat().st_mtime_ns

    (project / "postmortems/pool.md").unlink()
    code, out, err = kb(project, "export", "docs")
    assert code == 0, err
    assert not (docs / "postmortems/pool.md").exists()  # it left the library
    assert not (docs / "services/checkout-api.md").exists()
    assert (docs / "postmortems/stale.md").is_file()
    assert (docs / "postmortems/notes.md").read_text(encoding="utf-8") == "# Someone's notes\n"
    assert (docs / "teams/checkout-team.md").read_text(encoding="utf-8") == "edited\n"  # not deleted: edited
    assert (docs / "index.md").read_text(encoding="utf-8") == "# Home\n\nWelcome.\n"  # the project's home page
    assert "1 files it wrote before were edited since" in out.splitlines()[0]
    assert (docs / "postmortems/index.md").stat().st_mtime_ns != explorer  # its count changed

    # A third export with nothing changed writes nothing: a site generator's incremental build sees no change.
    code, out, err = kb(project, "export", "docs")
    assert code == 0, err
    assert " 0 written" in out.splitlines()[0] and " 0 removed" in out.splitlines()[0]


def test_the_export_never_writes_over_a_file_it_did_not_write(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({"postmortems/pool.md": VALID_POSTMORTEM, "docs/causes/index.md": "# Our causes\n"})
    code, _, err = kb(project, "export", "docs")
    assert code == 2
    assert "causes/index.md" in err and "nothing was written" in err
    assert (project / "docs/causes/index.md").read_text(encoding="utf-8") == "# Our causes\n"
    assert not (project / "docs/postmortems").exists()
    # Nor into the library itself, whose next read would take its pages for postmortems.
    for folder in ("postmortems", "postmortems/site", "."):
        code, _, err = kb(project, "export", folder)
        assert code == 2 and "the library's source" in err, folder
    assert sorted(p.name for p in (project / "postmortems").iterdir()) == ["causes.yml", "pool.md"]


def test_a_manifest_that_names_a_file_outside_the_folder_deletes_nothing(write_project: WriteProject, kb: Kb) -> None:
    # The manifest is in the repository, where a pull request can change it.
    project = write_project({"postmortems/pool.md": VALID_POSTMORTEM, "keep.txt": "keep me\n"})
    digest = hashlib.sha256(b"keep me\n").hexdigest()
    (project / "docs/.kb-export.json").write_text(json.dumps({"files": {"../keep.txt": digest}}), encoding="utf-8")
    code, _, err = kb(project, "export", "docs")
    assert code == 0, err
    assert (project / "keep.txt").read_text(encoding="utf-8") == "keep me\n"


def test_an_export_inside_docs_dir_names_its_folder_and_reports_problems(write_project: WriteProject, kb: Kb) -> None:
    bad = VALID_POSTMORTEM.replace("severity: SEV2", "serverity: SEV2")
    project = write_project({"postmortems/pool.md": OTHER, "postmortems/bad.md": bad})
    code, out, err = kb(project, "export", "docs/library")
    assert code == 1  # as kb lint: the export is written, and CI sees the errors
    assert "postmortems/bad.md:4: error: unknown key 'serverity'" in err
    config = _config_lines(out)
    assert config["extra_css"][0] == "library/assets/postmortems.css"
    assert "/library/postmortems/" in config["not_in_nav"].split()
    assert "under /library/" in out
    assert "without the plugin's sanitizer" in err  # trust_html is off: the export cannot keep that promise
    assert (project / "docs/library/postmortems/pool.md").is_file()


def test_a_link_to_another_narratives_heading_leads_to_it_in_the_export(write_project: WriteProject, kb: Kb) -> None:
    # The plugin prefixes a narrative's ids (narrative-what-happened); a site generator does not.
    linking = VALID_POSTMORTEM + "\nSee [how search went stale](stale.md#what-happened).\n"
    project = write_project({"postmortems/pool.md": linking, "postmortems/stale.md": OTHER})
    code, out, err = kb(project, "export", "docs")
    assert code == 0, err
    config = {**SITE, **_config_lines(out), "plugins": ["search"]}
    (project / "plain.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    _run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", "plain.yml", "-d", "plain"], project)
    assert 'href="../stale/#what-happened"' in (project / "plain/postmortems/pool/index.html").read_text()
    assert 'id="what-happened"' in (project / "plain/postmortems/stale/index.html").read_text()
