"""``kb new``: a fresh postmortem from the template, with a free id."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from importlib import resources
from pathlib import Path
from string import Template

from kb.format.urls import slugify

MAX_ID = 80


def free_id(title: str, day: str, taken: set[str]) -> str:
    """``2025-01-31-title-words``, shortened between words to fit, with ``-2``, ``-3``...
    if taken."""
    words = slugify(title, max_length=MAX_ID - len(day) - len("--99"))
    base = f"{day}-{words}" if words else day
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def new_postmortem(
    title: str,
    ids: set[str],
    scale: list[str],
    source_dir: Path,
    started: datetime,
    kind: str = "incident",
    services: Sequence[str] = (),
) -> Path:
    """Write the template for ``title`` under ``source_dir/<year>/`` and return its path.

    Its id is the incident's date (``started``, not the day it is written) and the title,
    none of ``ids`` (the library's) and no file's name; its severity is the middle of
    ``scale``, its type ``kind``, its services ``services``.
    """
    taken = ids | {p.stem for p in source_dir.rglob("*.md")}
    pm_id = free_id(title, f"{started:%Y-%m-%d}", taken)
    text = Template(resources.files("kb.load").joinpath("new.md").read_text(encoding="utf-8"))
    path = source_dir / f"{started:%Y}" / f"{pm_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        text.substitute(
            title=json.dumps(title, ensure_ascii=False),  # JSON strings are valid YAML
            severity=scale[len(scale) // 2],
            scale=" | ".join(scale),
            started=started.isoformat(timespec="seconds"),
            clock=f"{started:%H:%M}",
            type=kind,
            services=json.dumps(list(services), ensure_ascii=False),
        ),
        encoding="utf-8",
    )
    return path
