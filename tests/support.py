"""Constants and types shared by the tests (fixtures are in ``conftest.py``)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent

# The date the tests run on, through SOURCE_DATE_EPOCH (conftest.py): the example library,
# which follows the build date, has its overdue and due-soon items counted for it.
TODAY = date(2026, 6, 30)
TODAY_EPOCH = str(int(datetime.combine(TODAY, time(), UTC).timestamp()))  # "1782777600"

MKDOCS_YML = """\
site_name: Test library
theme:
  name: material
plugins:
  - search
  - postmortems:
      today: 2026-06-30
"""

CAUSES_YML = """\
global-rollout:
  title: Change reached every host at once
  category: change-management
  description: The change had no staged rollout, so its blast radius was everything.
missing-alert:
  title: No alert on the symptom users saw
  category: detection
  description: Nothing paged while users saw errors.
"""

# A complete, valid, published incident: the baseline most tests start from.
VALID_POSTMORTEM = """\
---
title: Checkout database pool exhausted
status: published
severity: SEV2
started: 2024-03-12T14:00:00+00:00
detected: 2024-03-12T14:07:00+00:00
mitigated: 2024-03-12T14:52:00+00:00
resolved: 2024-03-12T17:10:00+00:00
services: [checkout-api]
teams: [checkout-team]
authors: [Priya Raman]
summary: Checkout ran out of database connections after a query plan change.
causes:
  - key: global-rollout
    detail: The pool change reached every pod at once.
action_items:
  - title: Alert on pool saturation
    owner: sre-team
    due: 2026-06-01
  - title: Stage pool config rollouts
    owner: platform-team
    due: 2026-07-05
  - title: Document pool sizing
    status: done
  - title: Rewrite the ORM
    status: wont-do
    note: Out of scope; the pooler fixes the symptom.
---

## What happened

The pool ran dry.
"""

# Mermaid diagrams as Material documents them, like the example mkdocs.yml; no web font.
MERMAID_YML = MKDOCS_YML.replace("  name: material\n", "  name: material\n  font: false\n") + (
    "markdown_extensions:\n"
    "  - pymdownx.superfences:\n"
    "      custom_fences:\n"
    "        - name: mermaid\n"
    "          class: mermaid\n"
    "          format: !!python/name:pymdownx.superfences.fence_code_format\n"
)
# A diagram's source, with characters that HTML escapes and Mermaid must get back as written.
DIAGRAM = """\
sequenceDiagram
    participant Web as checkout-web
    participant Pool as db-pool
    Web->>Pool: acquire a connection
    Pool-->>Web: timed out after 5 s & "retried" <later>"""
WITH_DIAGRAM = f"{VALID_POSTMORTEM}\n```mermaid\n{DIAGRAM}\n```\n"

DEFAULT_FILES = {
    "mkdocs.yml": MKDOCS_YML,
    "docs/index.md": "# Home\n\nWelcome.\n",
    "postmortems/causes.yml": CAUSES_YML,
}

WriteProject = Callable[[dict[str, str]], Path]
Kb = Callable[..., tuple[int, str, str]]


@dataclass(frozen=True)
class Site:
    """A finished build: its output folder and the WARNING messages it logged."""

    root: Path
    warnings: list[str]

    def html(self, rel: str) -> str:
        """The HTML of ``rel`` (e.g. ``postmortems/x/index.html``)."""
        return (self.root / rel).read_text(encoding="utf-8")

    def article(self, rel: str) -> str:
        """Only the page's own content: the ``<article>`` without nav, header and footer."""
        page = self.html(rel)
        start = page.index("<article")
        return page[start : page.index("</article>", start)]

    def page(self, pm_id: str) -> str:
        return self.article(f"postmortems/{pm_id}/index.html")

    def has_page(self, pm_id: str) -> bool:
        return (self.root / "postmortems" / pm_id / "index.html").is_file()


Build = Callable[..., Site]


def problem_lines(stdout: str) -> list[str]:
    """The ``path:line: level: message`` lines ``kb lint`` printed."""
    return [line for line in stdout.splitlines() if line.strip()]


def mkdocs_build(project: Path, site: Path) -> None:
    """``mkdocs build`` of ``project`` into ``site``, in a child process, as a user runs it."""
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet", "-d", str(site)],
        cwd=project,
        check=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def generator() -> ModuleType:
    """``benchmarks/generate.py``, which writes libraries no one here wrote by hand."""
    spec = importlib.util.spec_from_file_location("generate", REPO / "benchmarks" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
