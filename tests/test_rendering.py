"""The example configuration renders what authors write as they expect it."""

from __future__ import annotations

from pathlib import Path

from support import REPO, mkdocs_build


def test_the_home_page_shows_a_key_as_a_key(tmp_path: Path) -> None:
    site = tmp_path / "site"
    mkdocs_build(REPO, site)
    home = (site / "index.html").read_text(encoding="utf-8")

    assert '<kbd class="key-slash">' in home
    assert "++slash++" not in home
