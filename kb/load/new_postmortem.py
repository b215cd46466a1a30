"""``kb new``: a fresh postmortem from the template, with a free id."""

from __future__ import annotations

import json
from datetime import datetime
from importlib import resources
from pathlib import Path
from string import Template

from kb.format.urls import slugify

MAX_ID = 80


def free_id(title: str, day: str, taken: set[str]) -> str:
    """``2025-01-31-title-words``, shortened to fit, with ``-2``, ``-3``... if taken."""
    base = f"{day}-{slugify(title)}"[: MAX_ID - 3].rstrip("-")
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def new_postmortem(title: str, ids: set[str], scale: list[str], source_dir: Path, now: datetime) -> Path:
    """Write the template for ``title`` under ``source_dir/<year>/`` and return its path;
    its id is none of ``ids`` (the library's) and no file's name, and its severity is the
    middle of ``scale``."""
    taken = ids | {p.stem for p in source_dir.rglob("*.md")}
    pm_id = free_id(title, f"{now:%Y-%m-%d}", taken)
    text = Template(resources.files("kb.load").joinpath("new.md").read_text(encoding="utf-8"))
    path = source_dir / f"{now:%Y}" / f"{pm_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        text.substitute(
            title=json.dumps(title, ensure_ascii=False),  # JSON strings are valid YAML
            severity=scale[len(scale) // 2],
            scale=" | ".join(scale),
            started=now.isoformat(timespec="seconds"),
            clock=f"{now:%H:%M}",
        ),
        encoding="utf-8",
    )
    return path
