"""The labelled values of legacy postmortems: ``Key: value`` lines, bold-label bullets and
front matter keys, and what each label fills.

``Severity: major``, ``**Authors**: Mei, @rob``, ``- **Users affected**: 12,500``: the label
is compared without case or punctuation, and only a value the importer understands fills
a key; anything else stays where it was written.
"""

from __future__ import annotations

import re

# Labels of "Key: value" lines, and the key each gives.
LABELS: dict[str, str] = {
    label: key
    for key, labels in {
        "date": ("date", "incident date", "date of incident", "day", "when", "incident start date"),
        "started": ("start", "started", "start time", "incident start", "began", "impact start", "outage start"),
        "detected": ("detected", "detection time", "time detected", "identified"),
        "mitigated": ("mitigated", "mitigation time", "time mitigated"),
        "resolved": ("resolved", "end", "ended", "end time", "resolution time", "time resolved", "incident end"),
        "duration": ("duration", "outage duration", "length", "total duration", "time to resolve"),
        "authors": ("authors", "author", "written by", "prepared by", "postmortem owner", "incident owner"),
        "severity": (
            "severity", "sev", "severity level", "priority", "impact level", "incident severity", "level",
        ),
        "services": (
            "services", "service", "services affected", "affected services", "systems affected",
            "affected systems", "components", "affected components", "component", "system", "systems",
        ),
        "teams": ("team", "teams", "owning team", "teams involved"),
        "tags": ("tags", "labels", "keywords"),
        "users_affected": ("users affected", "affected users", "customers affected", "affected customers"),
        "requests_failed": ("requests failed", "failed requests", "errors"),
        "support_tickets": ("support tickets", "tickets"),
        "revenue_lost": ("revenue lost", "lost revenue", "revenue impact"),
        "summary": ("summary", "tl;dr", "tldr", "overview"),
        "impact": ("impact",),
        "trigger": ("trigger",),
    }.items()
    for label in labels
}  # fmt: skip
# Front matter keys of the source that name a key of the format.
FRONT_KEYS = {**LABELS, "title": "title", "tags": "tags", "categories": "tags", "status": "source_status"}
# Labels whose value a field holds in another form ("major" became SEV2): kept as written.
READ_VALUES = ("date", "severity", "duration", "started", "detected", "mitigated", "resolved")
# "SEV-2", "Sev 2", "P1", "priority 1": a level of the scale by its number.
SEVERITY = re.compile(r"^\W*(?:sev(?:erity)?|p|priority)?[\s-]*(\d)\W*$", re.I)
_NUMBER = re.compile(r"^\D{0,3}?(\d[\d,]*(?:\.\d+)?)\s*(k|m|thousand|million)?\b", re.I)
# What a form writes where it has nothing to say: not a name, not a value.
EMPTY_VALUES = frozenset({"n/a", "na", "none", "-", "--", "tbd", "tba", "unknown", "?", "todo", "nil", "null"})
SPLIT_NAMES = re.compile(r"\s*(?:,|;|\band\b|&|/|\+)\s*")  # "Mei Tanaka, Rob and Ana"


def number(text: str) -> float | None:
    """A labelled figure: ``12,500``, ``~300 users``, ``1.2k``; ``None`` if it is not one."""
    match = _NUMBER.match(text.strip())
    if not match:
        return None
    value = float(match[1].replace(",", ""))
    scale = (match[2] or "").lower()
    value *= 1_000 if scale in ("k", "thousand") else 1_000_000 if scale in ("m", "million") else 1
    return value if value < 1e15 else None  # no incident has more: a figure that large is a typo
