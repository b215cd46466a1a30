"""Dates, clock times and time zones as legacy postmortems write them.

``14:41``, ``11:21a``, ``12:28p``, ``~16:05``, ``2:05 PM PST``, ``14:41 UTC``; dates as
``2019-05-08``, ``2019/05/08``, ``May 8, 2019``, ``8 May 2019`` or ``Wed, May 8``
(the year carried from an earlier date); a zone stated once for a document ("all times
in PST") or next to a time. Nothing here guesses: what does not parse is ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

MONTHS = {
    name: n
    for n, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
# Abbreviations as writers use them: fixed offsets, since "PST" means -8 even in July.
_HOURS = {
    "pst": -8, "pdt": -7, "mst": -7, "mdt": -6, "cst": -6, "cdt": -5, "est": -5, "edt": -4, "akst": -9, "akdt": -8,
    "hst": -10, "bst": 1, "cet": 1, "cest": 2, "eet": 2, "eest": 3, "msk": 3, "jst": 9, "kst": 9, "aest": 10,
    "aedt": 11, "nzst": 12, "nzdt": 13, "sgt": 8,
}  # fmt: skip
ZONES: dict[str, tzinfo] = {
    "utc": UTC,
    "gmt": UTC,
    "z": UTC,
    **{name: timezone(timedelta(hours=hours), name.upper()) for name, hours in _HOURS.items()},
    "ist": timezone(timedelta(hours=5, minutes=30), "IST"),
}
# Zones named in words, read as the place's zone on the day (daylight saving included).
NAMED_ZONES = {
    "pacific": "America/Los_Angeles",
    "mountain": "America/Denver",
    "central": "America/Chicago",
    "eastern": "America/New_York",
    "copenhagen": "Europe/Copenhagen",
    "london": "Europe/London",
    "berlin": "Europe/Berlin",
    "paris": "Europe/Paris",
}
_ZONE_WORD = "|".join(sorted((re.escape(z) for z in ZONES if z != "z"), key=len, reverse=True))
# An offset as writers put it next to a time or in a sentence: "UTC+2", "GMT -5", "gmt+1".
# A bare "-08:00" after a time is left alone: "13:30-13:45" is a range far more often.
_OFFSET = r"(?:utc|gmt)\s*[+-]\s*\d{1,2}(?::?\d{2})?(?![\d:])"
# A clock time: 14:41, 14:41:05, ~16:05, 11:21a, 12:28p, 2:05 PM, 2 PM; then an optional zone.
TIME = re.compile(
    rf"(?<![\w:.])~?(?P<hour>2[0-3]|[01]?\d)(?::(?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d))?)?"
    rf"(?:\s?(?P<ampm>[ap])\.?(?:m\.?)?(?![a-z]))?"
    rf"(?:\s*\(?(?P<zone>{_OFFSET}|{_ZONE_WORD}|z)\)?(?![a-z]))?",
    re.I,
)
_ISO = re.compile(
    r"(?<!\d)(\d{4})[-/](\d{1,2})[-/](\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?(?!\d)"
)
_MONTH_NAME = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_MONTH_DAY = re.compile(rf"\b{_MONTH_NAME}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>\d{{4}}))?", re.I)
_DAY_MONTH = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th|\.)?\s+(?:of\s+)?{_MONTH_NAME}(?:,?\s+(?P<year>\d{{4}}))?\b", re.I
)
# Month first, as US writers do: 10/20/2022, 7/5/2023, 4/21/23, 07-27-2023.
_US_DATE = re.compile(r"(?<![\d/-])(\d{1,2})([/-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/-])")
_COMPACT = re.compile(r"(?<!\d)(20\d{2}|19\d{2})(0[1-9]|1[0-2])([0-2]\d|3[01])(?!\d)")
# "All times are in PST", "times in UTC", "(times in Pacific time)", "Timezone: CET".
# "All times are in PST", "times in UTC", "(all times UTC)", "Timezone: CET", "Time (CEST)".
_STATED_ZONE = re.compile(
    rf"(?:\btimes?\b[^.\n]{{0,30}}?|time ?zone\W{{1,3}})\(?(?P<zone>{_OFFSET}|{_ZONE_WORD}|"
    rf"{'|'.join(NAMED_ZONES)})\b",
    re.I,
)


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(d(?:ays?)?|h(?:ours?|rs?)?|m(?:in(?:utes?|s)?)?)\b", re.I)


@dataclass(frozen=True)
class Clock:
    """A time of day found in text, with the zone written next to it if any."""

    at: time
    zone: tzinfo | None
    start: int  # where it was found
    end: int
    twelve_hour: bool = False  # written with AM or PM


def zone_named(word: str, day: date | None = None) -> tzinfo | None:
    word = word.lower()
    if word in ZONES:
        return ZONES[word]
    if word in NAMED_ZONES:
        return ZoneInfo(NAMED_ZONES[word])
    if offset := re.fullmatch(r"(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", word):
        sign = 1 if offset[1] == "+" else -1
        hours, minutes = int(offset[2]), int(offset[3] or 0)
        if hours > 14 or minutes > 59:
            return None
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    return None


def stated_zone(text: str) -> tzinfo | None:
    """The zone a document says its times are in, if it says so."""
    found = _STATED_ZONE.search(text)
    return zone_named(found["zone"]) if found else None


def clock(text: str, *, anywhere: bool = False) -> Clock | None:
    """The clock time at the start of ``text`` (after list markers, bold and brackets),
    or anywhere in it when ``anywhere``."""
    body = text if anywhere else re.sub(r"^[\s*_`\[(|>#-]*", "", text)
    offset = len(text) - len(body) if not anywhere else 0
    for match in TIME.finditer(body):
        if not anywhere and match.start() > 0:
            return None
        if match["minute"] is None and not match["ampm"]:  # "2" alone is not a time
            if not anywhere:
                return None
            continue
        hour = int(match["hour"])
        if match["ampm"]:
            if hour > 12 or hour == 0:
                continue
            hour = hour % 12 + (12 if match["ampm"].lower() == "p" else 0)
        at = time(hour, int(match["minute"] or 0), int(match["second"] or 0))
        zone = zone_named(match["zone"]) if match["zone"] else None
        return Clock(at, zone, offset + match.start(), offset + match.end(), bool(match["ampm"]))
    return None


def find_date(text: str, year: int | None = None) -> tuple[date, int, int] | None:
    """The first date written in ``text`` and where it is; a date without a year takes
    ``year`` (carried from an earlier date in the document), or is not a date."""
    found: list[tuple[int, int, date]] = []
    for match in _ISO.finditer(text):
        if day := _day(int(match[1]), int(match[2]), int(match[3])):
            found.append((match.start(), match.end(), day))
    for pattern in (_MONTH_DAY, _DAY_MONTH):
        for match in pattern.finditer(text):
            # "Between November 11 and November 15, 2025": the year written a little later.
            later = re.search(r"\b(19[7-9]\d|2[01]\d\d)\b", text[match.end() : match.end() + 60])
            given = int(match["year"]) if match["year"] else int(later[1]) if later else year
            if given and (day := _day(given, MONTHS[match["month"].lower().rstrip(".")], int(match["day"]))):
                found.append((match.start(), match.end(), day))
    for match in _US_DATE.finditer(text):
        year = int(match[4]) + (2000 if len(match[4]) == 2 else 0)
        if day := _day(year, int(match[1]), int(match[3])):
            found.append((match.start(), match.end(), day))
    for match in _COMPACT.finditer(text):
        if day := _day(int(match[1]), int(match[2]), int(match[3])):
            found.append((match.start(), match.end(), day))
    if not found:
        return None
    start, end, day = min(found)
    return day, start, end


def _day(year: int, month: int, day: int) -> date | None:
    if not 1970 <= year <= 2199:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def iso_moment(text: str) -> datetime | None:
    """A full ISO 8601 date and time (``2019-05-08T14:41:00Z``, ``2019-05-08 14:41``)."""
    match = _ISO.search(text)
    if not match or match[4] is None or int(match[4]) > 23 or int(match[5]) > 59:  # "24:00" is not a time
        return None
    day = _day(int(match[1]), int(match[2]), int(match[3]))
    if day is None:
        return None
    zone = zone_named(match[7]) if match[7] else None
    return datetime.combine(day, time(int(match[4]), int(match[5]), int(match[6] or 0)), zone)


def duration(text: str) -> timedelta | None:
    """A stated duration: ``2h 30m``, ``2 hours and 30 minutes``, ``45 min``, ``1.5 hours``."""
    total = timedelta()
    try:
        for amount, unit in _DURATION.findall(text):
            total += timedelta(**{{"d": "days", "h": "hours", "m": "minutes"}[unit[0].lower()]: float(amount)})
    except OverflowError:  # "999999999 days" is not a duration
        return None
    return total if timedelta() < total < timedelta(days=365) else None
