"""Full-text search: what is indexed, and the small interface every engine provides.

Callers (the build, ``kb search``) get an engine from ``kb.search.choice.engine_for``
and use it through :class:`SearchEngine` only, so they never know which one runs.
:func:`document` decides what a postmortem contributes to the index, :func:`plan` which
documents an update rewrites. (Similar postmortems need no engine:
``kb.analysis.wording`` computes them from the postmortems themselves.)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from kb.format.model import Postmortem
from kb.format.problems import UserError

# Prose fields and how much a match in each counts. Everything but the title and the
# summary goes into one ``content`` field: one analysis pass per word keeps indexing
# fast, and users search the whole text anyway.
PROSE: dict[str, float] = {"title": 4.0, "summary": 2.0, "content": 1.0}
# Exact-value fields users can prefix a query with, e.g. ``service:payments``.
KEYWORDS = ("service", "team", "cause", "severity", "type", "tag", "status", "year")

Progress = Callable[[int], None]  # called with how many more documents are done (written, or unchanged)


def correctable(word: str) -> bool:
    """Whether "did you mean" may replace ``word``: only one without a digit. A number, an
    id or an error code (``502``, ``OPS-123``, ``E2BIG``) is exactly what someone on call
    pastes, and a "correction" of it answers another question."""
    return not any(character.isdigit() for character in word)


# Words from which a query reads as pasted text (a sentence, an error message) rather than
# keywords, whose ranking (benchmarks/relevance.yml) the phrase must not change.
PASTED = 5
# Query syntax: a query that uses any of it is taken as written.
_SYNTAX = re.compile(r'["():*~^\[\]{}]|\b(?:AND|OR|NOT|TO)\b')


def with_phrase(query: str) -> str:
    """``query``, so that a pasted sentence or error message ranks the postmortems that
    hold it as written first: the whole text as a phrase, boosted, or any of its words.
    A query of keywords, or one written in the query syntax, is left as it is."""
    words = query.split()
    if len(words) < PASTED or _SYNTAX.search(query):
        return query
    return f'"{" ".join(words)}"^50 OR {" ".join(words)}'


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
    # Each value after its length, in the fixed order above: no two documents give the
    # same text, and it is quicker to make than JSON (most of it is the content).
    text = "".join(f"{len(value)}:{value}" for value in fields.values())
    fields["digest"] = hashlib.sha256(text.encode()).hexdigest()
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


def plan(indexed: Mapping[str, str], documents: Iterable[dict[str, str]]) -> UpdateStats:
    """What an update must do to an index holding ``{id: digest}``: write the added and
    updated documents, delete the removed ones, leave the unchanged ones alone."""
    stats = UpdateStats()
    current: set[str] = set()
    for doc in documents:
        current.add(doc["id"])
        digest = indexed.get(doc["id"])
        if digest is None:
            stats.added.append(doc["id"])
        elif digest != doc["digest"]:
            stats.updated.append(doc["id"])
        else:
            stats.unchanged += 1
    stats.removed = sorted(set(indexed) - current)
    return stats


class SearchError(UserError):
    """A search or index problem with a message fit for the user (no traceback)."""

    # The same words whichever engine hits the problem, so the docs can quote them.
    @classmethod
    def busy(cls, directory: Path) -> SearchError:
        return cls(
            f"the search index in {directory} is being updated by another build or kb command; "
            "try again when it has finished"
        )

    @classmethod
    def missing(cls, directory: Path) -> SearchError:
        return cls(f"no search index in {directory}: build the site or run `kb search` first")


class SearchEngine(Protocol):
    """What the build, ``kb search``, the tests and the benchmarks use of an engine."""

    directory: Path  # the index folder, inside the cache folder the engine was given

    def update(self, postmortems: Iterable[Postmortem], progress: Progress | None = None) -> UpdateStats:
        """Bring the index in step with ``postmortems``, writing only what changed."""
        ...

    def update_documents(self, documents: list[dict[str, str]], progress: Progress | None = None) -> UpdateStats:
        """The same from :func:`document` records (picklable, for a worker process)."""
        ...

    def write(
        self, documents: list[dict[str, str]], delete: Iterable[str] = (), progress: Progress | None = None
    ) -> None:
        """Write ``documents`` (replacing those with the same id) and delete the ids in
        ``delete``, without comparing with what the index holds: for a caller that knows
        what changed (``kb.search.freshness``). Does nothing when given nothing."""
        ...

    def stamp(self) -> str | None:
        """What changes each time the index is written, cheap to get; ``None`` if there is
        no index. ``kb search`` notes it to tell whether another writer (a build) came by."""
        ...

    def generations(self) -> dict[str, int]:
        """In which index generation each document was last written (for tests and stats)."""
        ...

    def search(self, query: str, limit: int = 10, marks: tuple[str, str] = ("**", "**")) -> Results:
        """Run a user's query: words, phrases, AND/OR/NOT, ``field:value``."""
        ...
