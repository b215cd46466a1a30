"""The example library in ``postmortems/`` is a real library: it lints and builds strict.

These depend on the example library being complete; while it is being written they may
fail, which is expected.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO, Kb

from kb.load.project import open_project
from kb.load.sources import read_source
from kb.pages.postmortem import SECTIONS

pytestmark = pytest.mark.example_library


# Which visibilities a build for each audience holds (the spec's "Audiences").
VISIBLE = {
    "public": {"public"},
    "internal": {"public", "internal"},
    "restricted": {"public", "internal", "restricted"},
}


def example_postmortems() -> dict[str, tuple[str, str]]:
    """Each postmortem file of the example library: (the id its page should have, its visibility)."""
    folder = REPO / "postmortems"
    files = sorted(p for p in folder.rglob("*.md") if not p.name.startswith("_") and p.name != "README.md")
    found = {}
    for path in files:
        front_matter = read_source(path, path.name).tree.value
        found[path.relative_to(REPO).as_posix()] = (
            front_matter.get("id") or path.stem,
            front_matter.get("visibility", "internal"),
        )
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """``mkdocs build --strict`` of the repository's own site, once for this module."""
    site = tmp_path_factory.mktemp("example") / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    return done, site


def test_example_library_lints_strict(kb: Kb) -> None:
    code, out, _ = kb(REPO, "lint", "--strict")

    assert (code, out) == (0, "")


def test_example_site_builds_strict_without_warnings(built: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    done, _ = built

    assert done.returncode == 0, done.stderr
    assert [line for line in done.stderr.splitlines() if "WARNING" in line] == []


def test_every_example_postmortem_of_the_audience_gets_a_page(
    built: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, site = built
    audience = open_project(REPO / "mkdocs.yml").settings.audience
    postmortems = example_postmortems()
    assert postmortems, "the example library has no postmortems"

    missing = {
        rel: pm_id
        for rel, (pm_id, visibility) in postmortems.items()
        if visibility in VISIBLE[audience] and not (site / "postmortems" / pm_id / "index.html").is_file()
    }

    assert missing == {}
    assert (site / "postmortems" / "index.html").is_file()


def test_example_postmortems_outside_the_audience_leave_no_trace(
    built: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, site = built
    audience = open_project(REPO / "mkdocs.yml").settings.audience
    hidden = [pm_id for pm_id, visibility in example_postmortems().values() if visibility not in VISIBLE[audience]]
    if not hidden:
        pytest.skip(f"every example postmortem is visible to audience {audience!r}")
    pages = {p: p.read_text(encoding="utf-8") for p in site.rglob("*") if p.suffix in (".html", ".json", ".xml")}

    traces = {pm_id: [p.relative_to(site).as_posix() for p, text in pages.items() if pm_id in text] for pm_id in hidden}

    assert traces == {pm_id: [] for pm_id in hidden}


def test_the_sections_a_link_may_name_are_the_pages_own(built: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    """A link from another narrative to one of these keeps its fragment (no narrative prefix):
    each must be a section of a full postmortem page, and every section must be one of them."""
    _, site = built
    page = (site / "postmortems/2022-08-16-checkout-db-pool-exhaustion/index.html").read_text(encoding="utf-8")
    sections = {i for i in re.findall(r'<h2 id="([^"]+)"', page) if not i.startswith("narrative-")}
    assert sections == SECTIONS
    linked = (site / "postmortems/2024-03-12-checkout-db-pool/index.html").read_text(encoding="utf-8")
    assert 'href="../2022-08-16-checkout-db-pool-exhaustion/"' in linked  # the example's link by path
    assert (site / "postmortems/2022-08-16-checkout-db-pool-exhaustion/2022/2022-08-16-connections.png").is_file()
