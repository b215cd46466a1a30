"""``kb new``: a fresh postmortem from the template, with a free id."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from datetime import datetime
from importlib import resources
from pathlib import Path
from string import Template

import yaml

from kb.format.urls import slugify

MAX_ID = 80
# The template's example texts, which tell the writer what belongs there: a postmortem
# that still holds one has not written that part (kb.checks.library says so).
EXAMPLE_KEYS = (("summary",), ("impact", "summary"), ("detection", "detail"), ("trigger",))


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
    text = _template()
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


@functools.cache
def template_examples() -> dict[tuple[str, ...], str]:
    """The template's example text of each of ``EXAMPLE_KEYS``, as YAML reads it."""
    text = _template().substitute(
        title='""', severity="SEV1", scale="", started="2000-01-01T00:00:00+00:00", clock="00:00", type="incident",
        services="[]",
    )  # fmt: skip
    front = yaml.safe_load(text.split("---\n")[1])
    examples = {}
    for key in EXAMPLE_KEYS:
        value: object = front
        for part in key:
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, str):
            examples[key] = " ".join(value.split())
    return examples


def _template() -> Template:
    return Template(resources.files("kb.load").joinpath("new.md").read_text(encoding="utf-8"))
