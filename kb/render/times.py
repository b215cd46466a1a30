"""Times and durations as pages show them, in the library's display zone."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo


def moment(value: datetime, zone: tzinfo) -> str:
    """``2024-03-12 14:05 UTC`` in the display zone."""
    local = value.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def clock(value: datetime, zone: tzinfo, day_of: datetime) -> str:
    """``14:05``, or with the date when it is not the day ``day_of`` started."""
    local = value.astimezone(zone)
    return f"{local:%H:%M}" if local.date() == day_of.astimezone(zone).date() else f"{local:%Y-%m-%d %H:%M}"


def span(delta: timedelta | None) -> str:
    """A human duration: ``45 min``, ``3 h 10 min``, ``2 d 4 h``."""
    if delta is None:
        return ""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"
