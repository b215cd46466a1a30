"""Full-text search: what is indexed, and the small interface every engine provides.

Callers (the build, ``kb search``) use :class:`SearchEngine` only, so an engine can be
added without touching them. :func:`document` decides what a postmortem contributes to
the index; the Whoosh engine is in ``kb.whoosh_engine``. (Similar postmortems need no
engine: ``kb.wording`` computes them from the postmortems themselves.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from kb.model import Postmortem

# Prose fields and how much a match in each counts. Everything but the title and the
# summary goes into one ``content`` field: one analysis pass per word keeps indexing
# fast, and users search the whole text anyway.
PROSE: dict[str, float] = {"title": 4.0, "summary": 2.0, "content": 1.0}
# Exact-value fields users can prefix a query with, e.g. ``service:payments``.
KEYWORDS = ("service", "team", "cause", "severity", "type", "tag", "status", "year")

Progress = Callable[[int], None]  # called with how many documents were just written


def _lines(values: Iterable[str | None]) -> str:
    return "\n".join(v for v in values if v)


def document(pm: Postmortem) -> dict[str, str]:
    """The searchable text and keywords of one postmortem, plus a digest of them."""
    impact = pm.impact
    fields = {
        "id": pm.slug,
        "title": pm.title,
        "summary": pm.summary or "",
        # Short prose first: snippets come from the first match, and the body is last.
        "content": _lines(
            [
                pm.trigger,
                impact.summary if impact else None,
                pm.detection.detail if pm.detection else None,
                *(f"{c.key.replace('-', ' ')} {c.detail or ''}" for c in pm.causes),
                *pm.lessons,
                *pm.went_well,
                *pm.went_wrong,
                *pm.got_lucky,
                *(f"{a.title} {a.note or ''}" for a in pm.action_items),
                *(e.event for e in pm.timeline),
                pm.body,
            ]
        ),
        "service": ",".join(pm.services),
        "team": ",".join(pm.teams),
        "cause": ",".join(pm.cause_keys),
        "severity": pm.severity or "",
        "type": pm.type,
        "tag": ",".join(pm.tags),
        "status": pm.status,
        "year": str(pm.started.year),
        "started": pm.started.date().isoformat(),
    }
    fields["digest"] = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()
    return fields


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    score: float
    started: str
    severity: str
    type: str
    status: str
    snippet: str  # matched terms marked with ``highlight``


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    total: int
    suggestion: str | None = None  # the corrected query the hits are for, when a word was unknown


@dataclass
class UpdateStats:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return len(self.added) + len(self.updated) + len(self.removed)


class SearchError(Exception):
    """A search or index problem with a message fit for the user (no traceback)."""


class SearchEngine(Protocol):
    def update(self, postmortems: Iterable[Postmortem], progress: Progress | None = None) -> UpdateStats:
        """Bring the index in step with ``postmortems``, writing only what changed."""
        ...

    def search(self, query: str, limit: int = 10, marks: tuple[str, str] = ("**", "**")) -> Results:
        """Run a user's query: words, phrases, AND/OR/NOT, ``field:value``."""
        ...
