"""The postmortem format, declared once (see ``kb.format.schema`` for what derives from it).

Field names, types and requirements follow the contract in the format spec exactly;
each ``spec`` line is also the documentation of that key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import ClassVar, Literal

from kb.format.schema import ALWAYS, Severity, Slug, Url, spec, unless, when

Status = Literal["draft", "in-review", "published"]
ItemStatus = Literal["open", "in-progress", "done", "wont-do"]
Visibility = Literal["public", "internal", "restricted"]
CLOSED: tuple[ItemStatus, ...] = ("done", "wont-do")


@dataclass(frozen=True, kw_only=True)
class Impact:
    shorthand: ClassVar[str] = "summary"

    summary: str | None = spec("what users and the business felt, in a sentence or two")
    customer_facing: bool | None = spec("whether customers could notice it")
    users_affected: int | None = spec("how many users were affected")
    requests_failed: int | None = spec("how many requests failed")
    revenue_lost: float | None = spec("revenue lost, in the company's currency")
    data_loss: bool | None = spec("whether any data was lost")
    slos: list[str] = spec("SLOs whose error budget it consumed", default=[])
    support_tickets: int | None = spec("support tickets it caused")


@dataclass(frozen=True, kw_only=True)
class Detection:
    method: Literal["alert", "customer", "employee", "automation", "other"] | None = spec("how it was first noticed")
    detail: str | None = spec("which alert, who noticed, and how")


@dataclass(frozen=True, kw_only=True)
class CauseRef:
    shorthand: ClassVar[str] = "key"

    key: str = spec("a key of `causes.yml`", required=ALWAYS)
    detail: str | None = spec("how this cause played out in this incident")


@dataclass(frozen=True, kw_only=True)
class ActionItem:
    title: str = spec("verb first, specific, bounded", required=ALWAYS)
    owner: str | None = spec("one owner: a person or a team", required=unless("status", *CLOSED, relaxable=True))
    due: date | None = spec("when it is due", required=unless("status", *CLOSED, relaxable=True))
    status: ItemStatus = spec("progress of the work", default="open")
    completed: date | None = spec("when it was done")
    type: Literal["prevent", "mitigate", "detect", "process"] | None = spec("what kind of fix it is")
    priority: str | None = spec("priority, in your tracker's terms")
    tracker: Url | None = spec("link or key of the ticket that tracks it")
    addresses: list[str] = spec("cause keys of this postmortem that the fix is meant to remove", default=[])
    scope: list[str] = spec(
        "the services the fix covers, when not this postmortem's services and teams: a later incident in one "
        "of them with a cause it addresses means it did not hold",
        default=[],
    )
    note: str | None = spec("why it was re-scoped or dropped: never silently", required=when("status", "wont-do"))
    id: str | None = spec("stable id; defaults to `<postmortem id>#<n>`, n counting from 1")

    @property
    def closed(self) -> bool:
        """Done, or dropped with a note: no longer on anyone's list."""
        return self.status in CLOSED


@dataclass(frozen=True, kw_only=True)
class TimelineEntry:
    at: datetime | time = spec(
        'a datetime, or "HH:MM" meaning that time on the day of `started`, in its offset',
        required=ALWAYS,
    )
    event: str = spec("what happened or was done", required=ALWAYS)


@dataclass(frozen=True, kw_only=True)
class Imported:
    """Where an imported postmortem came from; ``kb import`` writes it."""

    source: str = spec("the source's path or URL", required=ALWAYS, key="from")
    at: date = spec("when it was imported", required=ALWAYS)
    tool: str = spec("the importer's name and version, e.g. `kb import 1.4.0`", required=ALWAYS)
    extra: dict[str, object] = spec(
        "the source's own front matter that has no key in this format, kept as it was written", rest=True, default={}
    )


@dataclass(frozen=True, kw_only=True)
class Postmortem:
    # An imported postmortem often lacks what its source never recorded (a severity, an
    # owner): the relaxable requirements below are warnings for it until someone adds them.
    relaxed_by: ClassVar[str] = "imported"

    title: str = spec("what happened, in a line", required=ALWAYS)
    id: Slug | None = spec("unique; the page lives at `/postmortems/<id>/`; defaults to the file stem")
    status: Status = spec("review state; drafts are shown with a clear banner", required=ALWAYS)
    type: Literal["incident", "near-miss"] = spec(
        "near-misses are first-class: listed, counted, searchable", default="incident"
    )
    severity: Severity | None = spec(
        "a key of the configured scale", required=when("type", "incident", label="for incidents", relaxable=True)
    )
    started: datetime = spec("impact began (near-miss: the risk began)", required=ALWAYS)
    detected: datetime | None = spec("someone or something noticed")
    mitigated: datetime | None = spec("impact stopped")
    resolved: datetime | None = spec("the incident was closed")
    services: list[str] = spec("services involved", default=[])
    teams: list[str] = spec("teams involved", default=[])
    authors: list[str] = spec("who wrote it", required=when("status", "published", relaxable=True), default=[])
    tags: list[str] = spec("free tags", default=[])
    summary: str | None = spec("two or three sentences", required=when("status", "published", relaxable=True))
    impact: Impact | None = spec("a mapping, or a string that is its `summary`")
    detection: Detection | None = spec("how it was detected")
    trigger: str | None = spec("what set it off (not the cause)")
    causes: list[CauseRef] = spec(
        "contributing causes: `{key, detail}` or plain keys; at least one when published", default=[]
    )
    action_items: list[ActionItem] = spec("follow-up work", default=[])
    lessons: list[str] = spec("lessons learned, aggregated site-wide", default=[])
    went_well: list[str] = spec("what went well", default=[])
    went_wrong: list[str] = spec("what went wrong", default=[])
    got_lucky: list[str] = spec("where we got lucky", default=[])
    timeline: list[TimelineEntry] = spec("what happened when", default=[])
    related: list[str] = spec("ids of related postmortems; every id must exist", default=[])
    visibility: Visibility = spec("who may read it: see Audiences", default="internal")
    imported: Imported | None = spec(
        "set by `kb import`: where it came from; its missing `severity`, `authors`, `summary`, causes "
        "and action items' `owner` and `due` are warnings, not errors"
    )

    # Filled in by the loader, not written by authors (no ``spec``: not part of the format).
    source: str = field(default="", compare=False)
    body: str = field(default="", compare=False, repr=False)
    body_line: int = field(default=1, compare=False)

    @property
    def slug(self) -> str:
        """The id; the loader always sets it (from the file stem when not written)."""
        return self.id or ""

    @property
    def time_to_detect(self) -> timedelta | None:
        return duration(self.started, self.detected)

    @property
    def time_to_mitigate(self) -> timedelta | None:
        return duration(self.started, self.mitigated)

    @property
    def time_to_resolve(self) -> timedelta | None:
        return duration(self.started, self.resolved)

    @property
    def cause_keys(self) -> list[str]:
        return [c.key for c in self.causes]


NESTED_RECORDS: dict[str, type] = {
    "impact": Impact,
    "detection": Detection,
    "causes[]": CauseRef,
    "action_items[]": ActionItem,
    "timeline[]": TimelineEntry,
    "imported": Imported,
}


@dataclass(frozen=True, kw_only=True)
class Cause:
    """One entry of ``causes.yml``, keyed by its cause key."""

    title: str = spec("short name of the cause", required=ALWAYS)
    category: str = spec("group on the causes page, e.g. change-management", default="uncategorized")
    description: str | None = spec("what the cause is, stated systemically")
    visibility: Visibility | None = spec(
        "also list it in builds for this audience when none of their postmortems names it; "
        "without it, a build lists only the causes its postmortems name"
    )


@dataclass(frozen=True, kw_only=True)
class ReadingItem:
    id: str = spec("id of a postmortem", required=ALWAYS)
    why: str | None = spec("why it is worth reading")


@dataclass(frozen=True, kw_only=True)
class ReadingTrack:
    name: str = spec("name of the track", required=ALWAYS)
    description: str | None = spec("who it is for")
    items: list[ReadingItem] = spec("postmortems to read, in order", default=[])


@dataclass(frozen=True, kw_only=True)
class ReadingList:
    tracks: list[ReadingTrack] = spec("reading tracks, in order", default=[])


def duration(start: datetime | None, end: datetime | None) -> timedelta | None:
    """Time between two moments, when both are known."""
    return end - start if start and end else None
