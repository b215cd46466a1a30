"""Reading a tracker's JSON: every value checked, a missing or odd one a clear failure.

A proxy's error page, an API version we do not speak or a field renamed must fail the
item with a message that names the value, never pass as a ticket in some state.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, tzinfo
from typing import TypeVar

from kb.format.characters import printable
from kb.load.tracker_state import Ticket
from kb.sync.http import Answer, Client, Failure

T = TypeVar("T")


def changed(
    client: Client, url: str, headers: dict[str, str], previous: Ticket | None, now: datetime
) -> Answer | Ticket:
    """A conditional ``GET``: the answer, or the ``previous`` ticket, fetched ``now``, if the
    tracker says it has not changed since the ETag it came with (304)."""
    if previous and previous.etag:
        headers = {**headers, "If-None-Match": previous.etag}
    answer = client.get(url, headers)
    return dataclasses.replace(previous, fetched=now) if answer.status == 304 and previous else answer


def record(data: object, where: str) -> dict[str, object]:
    """``data``, which must be a JSON object."""
    if not isinstance(data, dict):
        raise Failure(f"unexpected answer from {where}: a JSON {type(data).__name__}, not an object")
    return data


def one_of(value: str, choices: tuple[str, ...], key: str, where: str) -> str:
    if value not in choices:
        raise Failure(f"unexpected answer from {where}: its {key} is not one of {choices}")
    return value


def member(data: object, key: str, kind: type[T], where: str) -> T:
    """``data[key]``, which must be a ``kind``."""
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, kind):
        raise Failure(f"unexpected answer from {where}: no {kind.__name__} {key!r} in it")
    return value


def optional(data: dict[str, object], key: str, kind: type[T], where: str) -> T | None:
    return None if data.get(key) is None else member(data, key, kind, where)


def day(timestamp: str | None, zone: tzinfo, where: str) -> date | None:
    """The date, in the library's time zone, of an ISO 8601 time a tracker gave."""
    if timestamp is None:
        return None
    try:
        moment = datetime.fromisoformat(timestamp)
    except ValueError:
        raise Failure(f"unexpected answer from {where}: a date in it is not a time") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(zone).date()


def words(*parts: str | None) -> str:
    """The tracker's own words for a state, as the snapshot keeps them: printable, short."""
    return printable(" ".join(part for part in parts if part))[:80]
