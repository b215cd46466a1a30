"""Timeline entries from a legacy timeline section, in any of its shapes.

A table with a time column; a list (``- 14:41 text``, ``- **2:05 PM PST**: text``);
plain lines; or one heading per entry (``### 14:41 Alert fires``, with the paragraphs
under it). A line or heading that holds only a date (``### May 8``) sets the day of the
entries after it; a time earlier than the one before it, with no date between, is on the
next day. Each entry records the lines it took, so the caller can tell whether the whole
section became entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from kb.importer.document import Section, Table, plain, tables
from kb.importer.times import clock, find_date, iso_moment, stated_zone

_TIME_HEADER = re.compile(r"^(?:time|date|day|when|timestamp|date ?/ ?time|time \(.*\)|hh:mm|utc|pst|cet)\b", re.I)
# What a date line may hold besides its date: a weekday, punctuation.
_WEEKDAY_ONLY = re.compile(
    r"^[\W_]*(?:(?:mon|tues|wednes|thurs|fri|satur|sun)(?:day)?|mon|tue|wed|thu|fri|sat|sun)?[\W_]*$", re.I
)


@dataclass
class Entry:
    at: datetime
    event: str
    zone_stated: bool  # the time had a zone next to it, or the document stated one
    lines: set[int] = field(default_factory=set)  # indexes into the section's lines it took


@dataclass
class Reader:
    """Reads entries across the timeline sections of one document, carrying the day."""

    day: date | None  # the incident's date, as far as it is known
    zone: tzinfo  # the document's stated zone, or the library's
    zone_stated: bool
    last: datetime | None = None
    entries: list[Entry] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # the header of the last table read

    def section(self, section: Section, with_heading: bool) -> set[int]:
        """Read ``section`` (a timeline section, or a heading-per-entry subsection when
        ``with_heading``); return the indexes of the lines that became entries."""
        lines = section.lines
        used: set[int] = set()
        body_from = section.heading_lines
        if with_heading:
            heading = section.heading
            if self._date_line(heading):
                used.update(range(body_from))
            else:
                entry = self._entry(heading, set(range(body_from)), empty=True)
                if entry:
                    rest = [n for n in range(body_from, len(lines)) if lines[n].strip()]
                    # The paragraphs under a heading-per-entry are its event's words.
                    if rest and not any(clock(lines[n]) for n in rest):
                        entry.event = " ".join([entry.event, *(plain(lines[n]) for n in rest)]).strip()
                        entry.lines.update(rest)
                    entry.event = entry.event or plain(heading)
                    used |= entry.lines
                    if all(not line.strip() for n, line in enumerate(lines) if n not in used):
                        return set(range(len(lines)))  # the heading and its paragraphs are the entry
        for table in tables(lines[body_from:]):
            used |= {n + body_from for n in self._table(table, body_from)}
        current: Entry | None = None
        for n in range(body_from, len(lines)):
            if n in used:
                continue
            line = lines[n]
            if not line.strip():
                current = None
                continue
            if self._date_line(line) or (stated_zone(line) and not clock(line, anywhere=True)):
                used.add(n)  # a day, or the zone, of the entries after it: each entry's time holds it now
                current = None
                continue
            entry = self._entry(line, {n})
            if entry:
                used.add(n)
                current = entry
            elif current is not None and (line[:1].isspace() or line.lstrip()[:1] not in "-*+#|"):
                current.event = f"{current.event} {plain(line)}".strip()  # a line that continues the entry
                current.lines.add(n)
                used.add(n)
        return used

    def _date_line(self, text: str) -> bool:
        """A line or heading that only states the day of the entries after it."""
        found = find_date(text, self.day.year if self.day else None)
        if not found or clock(text, anywhere=True):
            return False
        rest = plain(text[: found[1]] + text[found[2] :])
        if not (_WEEKDAY_ONLY.match(rest) or (stated_zone(rest) and len(rest) < 40)):
            return False  # "March 6 - follow up" says more than its day: an entry or a paragraph
        self.day, self.last = found[0], None
        return True

    def _entry(self, text: str, lines: set[int], empty: bool = False) -> Entry | None:
        """The entry ``text`` starts with a time (and maybe a date) for, or ``None``. Its
        event is the rest of the text; with nothing after the time, the whole text,
        unless ``empty`` (a heading whose paragraphs are the event)."""
        body = plain(text)
        body = re.sub(r"^[\s>*+-]*", "", body)
        moment = iso_moment(body[:30])
        day = self.day
        if moment is None:
            found = find_date(body[:40], self.day.year if self.day else None)
            if found and found[1] <= 3:  # the line starts with its date
                day = found[0]
                body = re.sub(r"^[\s,:\u2013\u2014-]*(?:at\b|@)?\s*", "", body[found[2] :])
            start = clock(body)
            if start is None:
                return None
            event = body[start.end :]
            if start.twelve_hour or start.zone:  # the time as written stays with the event, its words too
                event = f"{event.strip(' :-')} ({body[start.start : start.end].strip()})"
            if day is None:
                return None
            zone = start.zone or self.zone
            at = datetime.combine(day, start.at, zone)
            stated = start.zone is not None or self.zone_stated
        else:
            event = body[_iso_end(body) :]
            zone = moment.tzinfo or self.zone
            at = moment.replace(tzinfo=zone)
            stated = moment.tzinfo is not None or self.zone_stated
        same_zone = self.last is not None and self.last.tzinfo == at.tzinfo  # "10:00 PST" then "17:30 UTC" is later
        if moment is None and day is self.day and same_zone and self.last and at < self.last - timedelta(minutes=1):
            at += timedelta(days=1)  # no date written: a time before the last one is on the next day
        self.day = at.date()
        self.last = at
        event = re.sub(r"^[\s*_)\]:|\u2013\u2014-]+", "", event).strip()
        entry = Entry(at, event or ("" if empty else body), stated, set(lines))
        self.entries.append(entry)
        return entry

    def _table(self, table: Table, offset: int) -> set[int]:
        """Rows of a table with a time column: one entry each, the other cells its event
        (each named by its column when there are several). Indexes are of the table's
        lines, counted from ``offset``."""
        header = [plain(h) for h in table.header]
        time_columns = [i for i, h in enumerate(header) if _TIME_HEADER.match(h)]
        if not time_columns and table.rows and all(clock(r[0]) or iso_moment(r[0]) for r in table.rows if r):
            time_columns = [0]
        if not time_columns:
            return set()
        named = len(header) - len(time_columns) > 1
        if year := re.search(r"\b(19[7-9]\d|2[01]\d\d)\b", " ".join(header[i] for i in time_columns)):
            day = self.day or date(int(year[1]), 1, 1)  # "Date (2021)": the year of the rows
            self.day = day.replace(year=int(year[1]), day=min(day.day, 28) if day.month == 2 else day.day)
        used = {table.first, table.first + 1}
        self.columns = header
        for r, row in enumerate(table.rows):
            when = " ".join(row[i] for i in time_columns if i < len(row))
            others = [
                f"{header[i]}: {plain(cell)}" if named and i < len(header) and header[i] else plain(cell)
                for i, cell in enumerate(row)
                if i not in time_columns and cell.strip()
            ]
            if self._entry(f"{when} {' — '.join(others)}", {offset + table.first + 2 + r}):
                used.add(table.first + 2 + r)
        return used if len(used) > 2 else set()


def _iso_end(text: str) -> int:
    """Where an ISO 8601 date (and time) at the start of ``text`` ends."""
    match = re.match(
        r"\s*\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?", text
    )
    return match.end() if match else 0
