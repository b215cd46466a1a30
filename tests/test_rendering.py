"""The example configuration renders what authors write as they expect it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support import REPO


def test_the_home_page_shows_a_key_as_a_key(tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet", "-d", str(site)],
        cwd=REPO,
        check=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    home = (site / "index.html").read_text(encoding="utf-8")

    assert '<kbd class="key-slash">' in home
    assert "++slash++" not in home
