"""One legacy postmortem, read into the format: front matter, narrative, and what to finish.

Sections whose heading names a field (``kb.importer.sections``) go to that field; a
section moves out of the narrative only when every line of it went into a field, so
nothing is lost: the rest stays under its original heading. Labelled ``Key: value``
lines give the date, severity, authors, services and the like. Values the source does
not give are left out, never made up; the report says what a person should complete.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from pathlib import PurePath

from kb.format.urls import RESERVED, slugify
from kb.importer import blocks
from kb.importer.actions import Action, actions
from kb.importer.document import KEY_VALUE, Document, plain
from kb.importer.labels import EMPTY_VALUES, FRONT_KEYS, LABELS, READ_VALUES, SEVERITY, SPLIT_NAMES, number
from kb.importer.sections import SectionNames, normalise
from kb.importer.timeline import Reader
from kb.importer.times import clock, duration, find_date, iso_moment, stated_zone

# Timeline events that mark a moment; the first that matches, but for "resolved" the last.
_MARKERS = {
    # Not "the start of the outage (~13:30)": an event may look back at an earlier moment.
    "started": re.compile(r"\b(?:outage|impact|incident|downtime) (?:begins|began|starts|started)\b", re.I),
    "detected": re.compile(
        r"\b(?:detected|alert(?:ed|s)? (?:fires|fired|triggered)|alert fires|paged|first report(?:ed)?)\b", re.I
    ),
    "mitigated": re.compile(r"\b(?:mitigated|mitigation (?:applied|in place)|workaround (?:applied|in place))\b", re.I),
    "resolved": re.compile(r"\b(?:outage|impact|incident|downtime) (?:ends|ended|is over|resolved)\b|"
                           r"\ball clear\b|\bfully (?:restored|recovered)\b", re.I),
}  # fmt: skip
# A template's title left in place: "# ISSUE NAME", "# Title", "# Incident title".
_PLACEHOLDER_TITLE = re.compile(r"^\W*(?:issue|incident|postmortem|post-mortem)?\s*(?:name|title)\W*$", re.I)
_NEAR_MISS = re.compile(r"\bnear[- ]miss\b", re.I)


@dataclass
class Settings:
    """What an import takes from the library's settings."""

    zone: tzinfo
    zone_name: str
    severities: list[str]
    severity_words: dict[str, str] = field(default_factory=dict)  # import_severities, lower-cased
    sections: SectionNames = field(default_factory=SectionNames)
    causes: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (title, description)


@dataclass
class Result:
    """One source, read: the front matter to write, the narrative, and notes for a person."""

    front: dict[str, object]
    narrative: str
    todo: list[str]  # what a person should complete or check
    extracted: list[str]  # what went where, for the report
    started: datetime | None
    images: list[str] = field(default_factory=list)  # relative paths the narrative links
    headings: list[dict[str, object]] = field(default_factory=list)  # moved sections: {heading, field, columns}
    zone: str | None = None  # the source's sentence that states its time zone
    labels: list[str] = field(default_factory=list)  # the labelled lines read into fields, as written


def extract(doc: Document, name: PurePath, settings: Settings) -> Result:
    return _Extraction(doc, name, settings).run()


class _Extraction:
    def __init__(self, doc: Document, name: PurePath, settings: Settings) -> None:
        self.doc = Document(doc.front, blocks.labelled_lists(doc.sections, settings.sections), doc.front_error)
        self.name = name
        self.settings = settings
        self.front: dict[str, object] = {}
        self.todo: list[str] = []
        self.extracted: list[str] = []
        self.dropped: set[tuple[int, int]] = set()  # (section index, line index) moved into a field
        self.extras: dict[str, object] = {}  # the source's front matter with no key in the format
        self.moments: dict[str, datetime] = {}
        self.pending: dict[str, str] = {}  # moments whose day is known only later
        self.labels: list[str] = []  # the labelled lines read into fields, as written
        self.headings: list[dict[str, object]] = []  # what became of the sections that left the narrative
        self.day: date | None = None
        self.text = "\n".join(line for s in doc.sections for line in s.lines)
        zone = stated_zone(self.text)
        self.zone_stated = zone is not None
        # The sentence that says so, as written: the report's reader checks the times by it.
        self.zone_sentence = _zone_sentence(self.text) if zone else None
        self.zone = zone or settings.zone

    # --- the whole document -------------------------------------------------------------

    def run(self) -> Result:
        self.read_front()
        self.read_title()
        self.read_labels()
        self.read_day()
        self.targets_found = self.targets()
        for index, target in self.targets_found.items():
            self.read_section(index, target)
        self.read_times()
        self.finish()
        narrative = self.narrative()
        return Result(
            front=self.ordered(),
            narrative=narrative,
            todo=self.todo,
            extracted=self.extracted,
            started=self.moments.get("started"),
            images=re.findall(r"!\[[^\]]*\]\(\s*<?([^)\s>:]+)>?", narrative),
            headings=self.headings,
            zone=self.zone_sentence,
            labels=self.labels,
        )

    def read_front(self) -> None:
        for key, value in self.doc.front.items():
            target = FRONT_KEYS.get(key.lower().replace("_", " "))
            # A key the format has is kept as the source's own beside it (imported.from
            # is the importer's), and so is a second key for a field already filled.
            kept = f"source_{key}" if key in ("from", "at", "tool") else key
            if target is None or target in self.front or not self.set_label(target, value):
                self.extras[kept] = _yaml_safe(value)
            elif target != key or target in READ_VALUES:  # the value as written, beside what it became
                self.labels.append(f"{key}: {_yaml_safe(value)}")
        if self.doc.front_error:
            self.todo.append(self.doc.front_error)

    def read_title(self) -> None:
        """The first level-1 heading; or, with none, the first heading that names no
        section; or else the file's name, without its date."""
        if "title" in self.front:
            return
        sections = self.doc.sections
        h1 = [i for i, s in enumerate(sections) if s.level == 1]
        # With no level-1 heading: a heading on the document's first line that names no section.
        first = next((i for i, s in enumerate(sections) if any(line.strip() for line in s.lines)), None)
        candidates = h1[:1] or [
            i
            for i in ([first] if first is not None else [])
            if sections[i].level and not self.settings.sections.target(sections[i].heading)
        ]
        for i in candidates:
            if sections[i].heading and not _PLACEHOLDER_TITLE.match(sections[i].heading):
                self.front["title"] = sections[i].heading
                self.dropped.update((i, n) for n in range(sections[i].heading_lines))
                self.extracted.append(f"title from the heading on line {sections[i].start}")
                return
        name = re.sub(r"^[\d_-]*?(?:\d{4}[-_]\d{2}[-_]\d{2}|\d{2}[-_]\d{2})[-_ ]+", "", self.name.name.split(".")[0])
        self.front["title"] = " ".join(re.split(r"[-_ ]+", name)).strip().capitalize() or self.name.name
        self.todo.append("the title was taken from the file name: check it")

    def read_labels(self) -> None:
        """``Key: value`` lines the importer knows, anywhere outside a mapped section's
        tables: each one that fills a key leaves the narrative."""
        for i, section in enumerate(self.doc.sections):
            mapped = self.settings.sections.target(section.heading) if section.level else None
            if mapped in ("timeline", "action_items"):
                continue
            for n, line in enumerate(section.lines):
                if n < section.heading_lines or line.startswith(("    ", "\t")):
                    continue
                match = KEY_VALUE.match(line)
                if not match:
                    continue
                key = LABELS.get(normalise(match["key"]))
                if key and key not in self.front and key not in self.moments and self.set_label(key, match["value"]):
                    self.dropped.add((i, n))
                    self.labels.append(re.sub(r"^[-+*]\s+", "", plain(line)))
                    self.extracted.append(f"{key} from line {section.start + n}")

    def set_label(self, key: str, value: object) -> bool:
        """Fill ``key`` from a labelled value; whether it was understood."""
        text = plain(", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)).strip()
        if not text or text.lower() in EMPTY_VALUES:
            return False
        match key:
            case "title":
                self.front["title"] = text
            case "date":
                if isinstance(value, datetime):
                    self.moments.setdefault("started", value if value.tzinfo else value.replace(tzinfo=self.zone))
                found = value if isinstance(value, date) else None
                if found is None and (hit := find_date(text)):
                    found = hit[0]
                if found is None:
                    return False
                self.day = found if isinstance(found, date) and not isinstance(found, datetime) else found.date()
                if (at := clock(text, anywhere=True)) and "started" not in self.moments and len(text) < 60:
                    self.moments["started"] = datetime.combine(self.day, at.at, at.zone or self.zone)
            case "started" | "detected" | "mitigated" | "resolved":
                moment = self.moment(value, text)
                if moment is None:
                    if self.day is None and clock(text, anywhere=True):  # a time, its day not known yet
                        self.pending[key] = text
                        return True
                    return False
                self.moments[key] = moment
            case "duration":
                span = duration(text)
                if span is None:
                    return False
                self.moments.setdefault("_duration", datetime.min.replace(tzinfo=self.zone) + span)
            case "authors" | "services" | "teams" | "tags":
                if text.lower().strip(" .") in EMPTY_VALUES:
                    return False
                names = [n.strip(" .@") for n in SPLIT_NAMES.split(text) if n.strip(" .@")]
                paged = key in ("services", "teams")  # each gets a page, named by its slug
                if not names or any(len(n) > 60 or (paged and slugify(n) in ("", *RESERVED)) for n in names):
                    return False  # left in the narrative, as written
                self.front[key] = names
            case "severity":
                severity = self.severity(text)
                if severity is None:
                    self.todo.append(
                        f"severity {text!r} is not on the scale: set 'severity' (or map it with import_severities)"
                    )
                    return False
                self.front["severity"] = severity
            case "users_affected" | "requests_failed" | "support_tickets" | "revenue_lost":
                figure = number(text)
                if figure is None:
                    return False
                impact = self.front.setdefault("impact", {})
                assert isinstance(impact, dict)
                impact[key] = figure if key == "revenue_lost" else int(figure)
            case "summary" | "trigger":
                self.front[key] = text
            case "impact":
                impact = self.front.setdefault("impact", {})
                assert isinstance(impact, dict)
                impact["summary"] = text
            case "source_status":
                return False
        return True

    def moment(self, value: object, text: str) -> datetime | None:
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=self.zone)
        if moment := iso_moment(text):
            return moment if moment.tzinfo else moment.replace(tzinfo=self.zone)
        at = clock(text, anywhere=True)
        day = find_date(text, self.day.year if self.day else None)
        if at is None:
            return None
        base = day[0] if day else self.day
        if base is None:
            return None
        return datetime.combine(base, at.at, at.zone or self.zone)

    def severity(self, text: str) -> str | None:
        scale = {s.lower().replace("-", "").replace(" ", ""): s for s in self.settings.severities}
        word = text.lower().strip(" .")
        if word in self.settings.severity_words:
            return self.settings.severity_words[word]
        squashed = word.replace("-", "").replace(" ", "")
        if squashed in scale:
            return scale[squashed]
        if (digit := SEVERITY.match(word)) and (f"sev{digit[1]}" in scale):
            return scale[f"sev{digit[1]}"]
        first = word.split()[0] if word.split() else ""
        return self.settings.severity_words.get(first) or scale.get(first.replace("-", ""))

    def read_day(self) -> None:
        """The incident's date: a labelled one, else the first in the title, the text, the
        file's name or its folders', in that order (a file's name is often the day it was
        published); the report says which. A timeline's own dates come later, and win."""
        self.find_day()
        for key, text in self.pending.items():
            if (moment := self.moment(text, text)) is not None:
                self.moments.setdefault(key, moment)

    def find_day(self) -> None:
        if self.day is None and "started" in self.moments:
            self.day = self.moments["started"].date()
        if self.day is not None:
            return
        title = str(self.front.get("title", ""))
        text = re.sub(r"^(`{3,}|~{3,}).*?^\1", "", self.text, flags=re.S | re.M)  # not in code
        for where, found in (
            ("title", find_date(title)),
            ("text", find_date(text)),
            ("file name", find_date(self.name.name)),
            ("folder", _folder_date(self.name)),
        ):
            if found:
                self.day = found[0]
                self.extracted.append(f"date from the {where}")
                if where != "title":
                    self.todo.append(f"the date {found[0].isoformat()} is from the {where}: check it")
                return

    # --- sections -----------------------------------------------------------------------

    def targets(self) -> dict[int, str]:
        """Each section's target: its own heading's, or the nearest enclosing section's
        (a timeline with one heading per entry, action items grouped under subheadings)."""
        found: dict[int, str] = {}
        stack: list[tuple[int, str | None]] = []  # (level, target) of the enclosing sections
        for i, section in enumerate(self.doc.sections):
            if not section.level:
                continue
            while stack and stack[-1][0] >= section.level:
                stack.pop()
            own = self.settings.sections.target(section.heading)
            inherited = next((t for _, t in reversed(stack) if t), None)
            target = own or (inherited if inherited in ("timeline", "action_items", "causes", "resolution") else None)
            stack.append((section.level, own or inherited))
            if target:
                found[i] = target if own else f"{target}/sub"
        return found

    def kept_body(self, index: int) -> list[str]:
        """Section ``index``'s body, with the lines already moved into a field blanked."""
        section = self.doc.sections[index]
        return ["" if (index, n) in self.dropped else line for n, line in enumerate(section.lines)][
            section.heading_lines :
        ]

    def read_section(self, index: int, target: str) -> None:
        section = self.doc.sections[index]
        kind, _, sub = target.partition("/")
        body = self.kept_body(index)
        if kind == "timeline":
            self.read_timeline(index, bool(sub))
        elif kind == "action_items":
            self.read_actions(index)
        elif kind in ("summary", "trigger", "detection", "impact") and not sub:
            text = blocks.prose(body)
            if text is None:
                return
            self.set_prose(kind, text, index, whole=True)
        elif kind in ("lessons", "went_well", "went_wrong", "got_lucky"):
            found = blocks.entries(body)
            if found:
                self.front.setdefault(kind, []).extend(found)  # type: ignore[union-attr]
                self.drop_section(index)
                self.extracted.append(f"{kind} from '{section.heading}' ({len(found)})")
        elif kind == "causes" and not sub and any(line.strip() for line in body):
            self.read_causes(index)

    def set_prose(self, kind: str, prose: str, index: int, whole: bool) -> None:
        section = self.doc.sections[index]
        if kind == "impact":
            impact = self.front.setdefault("impact", {})
            assert isinstance(impact, dict)
            if "summary" in impact:
                return
            impact["summary"] = prose
        elif kind == "detection":
            self.front["detection"] = {"detail": prose}
        else:
            if kind in self.front:
                return
            self.front[kind] = prose
        if whole:
            self.drop_section(index)
        self.extracted.append(f"{kind} from '{section.heading}'")

    def read_causes(self, index: int) -> None:
        """The root-cause text stays in the narrative, in full, under its heading; a cause
        of the catalog that it clearly describes is proposed."""
        section = self.doc.sections[index]
        text = " ".join(plain(line) for line in section.body)
        key = _matching_cause(text, self.settings.causes)
        if key:
            first = blocks.prose(self.kept_body(index))
            self.front.setdefault("causes", []).append({"key": key, **({"detail": first} if first else {})})  # type: ignore[union-attr]
            self.todo.append(f"cause key {key!r} was proposed for '{section.heading}': check it")
            self.extracted.append(f"cause {key!r} proposed from '{section.heading}'")
        else:
            self.todo.append(
                f"choose a cause key from causes.yml for '{section.heading}' (its text is in the narrative)"
            )

    def read_timeline(self, index: int, per_entry: bool) -> None:
        if self.day is None:
            self.todo.append("the timeline has no date to put its times on: entries left in the narrative")
            return
        if not hasattr(self, "reader"):
            self.reader = Reader(self.day, self.zone, self.zone_stated)
        section = self.doc.sections[index]
        before = len(self.reader.entries)
        self.reader.columns = []
        used = self.reader.section(section, with_heading=per_entry)
        body = [n for n, line in enumerate(section.lines) if n >= section.heading_lines and line.strip()]
        if used and all(n in used for n in body):  # all of it read: entries, and the zone or days they are in
            self.drop_section(index, self.reader.columns)
        if len(self.reader.entries) > before:
            self.extracted.append(f"timeline from '{section.heading}' ({len(self.reader.entries) - before})")

    def read_actions(self, index: int) -> None:
        section = self.doc.sections[index]
        found, used, columns = actions(section, self.day.year if self.day else None)
        if not found:
            return
        for group in dict.fromkeys(a.group for a in found if a.group):  # labels of groups: like headings
            self.headings.append({"heading": group, "field": "action_items"})
        self.front.setdefault("action_items", []).extend(found)  # type: ignore[union-attr]
        if all(n in used or not line.strip() for n, line in enumerate(section.lines) if n >= section.heading_lines):
            self.drop_section(index, columns)
        self.extracted.append(f"action items from '{section.heading}' ({len(found)})")

    def drop_section(self, index: int, columns: list[str] | None = None) -> None:
        """Every line of section ``index`` is in a field now: it leaves the narrative, and
        its heading is remembered with the field it went to (and a table's columns)."""
        section = self.doc.sections[index]
        self.dropped.update((index, n) for n in range(len(section.lines)))
        target = self.targets_found.get(index, "").split("/")[0]
        if section.heading and target:
            self.headings.append(
                {"heading": section.heading, "field": target, **({"columns": columns} if columns else {})}
            )

    # --- times and the end --------------------------------------------------------------

    def read_times(self) -> None:
        entries = self.reader.entries if hasattr(self, "reader") else []
        if entries:
            self.front["timeline"] = [{"at": e.at, "event": e.event} for e in entries if e.event]
            if not all(e.zone_stated for e in entries):
                self.todo.append(f"times with no zone were read in {self.settings.zone_name}: check them")
            for key, marker in _MARKERS.items():
                ordered = reversed(entries) if key == "resolved" else entries
                if key not in self.moments and (hit := next((e for e in ordered if marker.search(e.event)), None)):
                    self.moments[key] = hit.at
            self.moments.setdefault("started", entries[0].at)
        if "started" not in self.moments and self.day is not None:
            self.moments["started"] = datetime.combine(self.day, time(), self.zone)
            self.todo.append("the time of day it started is not in the source: 'started' is its date at 00:00")
        if (span := self.moments.pop("_duration", None)) and "started" in self.moments:
            self.moments.setdefault(
                "resolved", self.moments["started"] + (span - datetime.min.replace(tzinfo=self.zone))
            )
        # Times may not go backwards: one that does is left out, and said so.
        last = None
        for key in ("started", "detected", "mitigated", "resolved"):
            if key not in self.moments:
                continue
            if last is not None and self.moments[key] < last:
                self.todo.append(
                    f"'{key}' ({self.moments.pop(key).isoformat()}) came before an earlier moment: left out"
                )
                continue
            last = self.moments[key]

    def finish(self) -> None:
        front = self.front
        title = str(front.get("title", ""))
        if _NEAR_MISS.search(title) or _NEAR_MISS.search(str(self.extras.get("type", ""))):
            front["type"] = "near-miss"
        front.update(self.moments)
        items = front.get("action_items", [])
        if isinstance(items, list) and items:
            front["action_items"] = [i.as_front_matter() if isinstance(i, Action) else i for i in items]
            if any(
                not (i.owner and i.due) and i.status in ("open", "in-progress") for i in items if isinstance(i, Action)
            ):
                self.todo.append("give every open action item an owner and a due date")
        for key, message in (
            ("severity", "set 'severity'"),
            ("authors", "add 'authors'"),
            ("summary", "write a 'summary' of two or three sentences"),
        ):
            if key not in front and not (key == "severity" and front.get("type") == "near-miss"):
                self.todo.append(message)
        if "causes" not in front and not any("cause key" in t for t in self.todo):
            self.todo.append("add at least one cause from causes.yml")
        if self.extras:
            front["_extras"] = self.extras

    def ordered(self) -> dict[str, object]:
        order = (
            "title", "type", "severity", "started", "detected", "mitigated", "resolved", "services", "teams",
            "authors", "tags", "summary", "impact", "detection", "trigger", "causes", "action_items", "lessons",
            "went_well", "went_wrong", "got_lucky", "timeline", "_extras",
        )  # fmt: skip
        return {key: self.front[key] for key in order if key in self.front}

    def narrative(self) -> str:
        """What did not go into a field, in its order, under its original headings. A
        heading with nothing of its own whose subsections all went into fields (a
        timeline of one heading per entry) goes with them."""
        sections = self.doc.sections
        kept = [[line for n, line in enumerate(s.lines) if (i, n) not in self.dropped] for i, s in enumerate(sections)]
        out: list[str] = []
        for i, section in enumerate(sections):
            if section.level and not any(line.strip() for line in kept[i][section.heading_lines :]):
                level = section.level
                below = list(
                    itertools.takewhile(lambda j, level=level: sections[j].level > level, range(i + 1, len(sections)))
                )
                if (i, 0) in self.dropped or (below and not any(line.strip() for j in below for line in kept[j])):
                    if (i, 0) not in self.dropped:  # a heading whose subsections all moved: say so
                        self.headings.append({"heading": section.heading, "field": "its subsections"})
                    continue
            out += kept[i]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip() + "\n"


def _zone_sentence(text: str) -> str | None:
    """The line that states the document's time zone, as written."""
    for line in text.splitlines():
        if stated_zone(line):
            return plain(line)
    return None


def _folder_date(name: PurePath) -> tuple[date, int, int] | None:
    """``2023-04/04-25-name.md``: a year and month in the folder, the day in the name."""
    folder = re.search(r"(\d{4})[-_/]?(\d{2})$", name.parent.name)
    day = re.match(r"(\d{2})[-_](\d{2})\b", name.name)
    if folder and day and folder[2] == day[1]:
        return find_date(f"{folder[1]}-{day[1]}-{day[2]}")
    return None


_STOP = {"the", "a", "an", "of", "on", "in", "to", "for", "and", "or", "no", "not", "at", "by", "with", "is", "was"}


def _matching_cause(text: str, causes: dict[str, tuple[str, str]]) -> str | None:
    """The cause of the catalog the text clearly describes: every content word of its
    title is in the text, and no other cause's is; else ``None``."""
    words = set(re.findall(r"[a-z0-9]+", text.lower()))
    hits = []
    for key, (title, _description) in causes.items():
        wanted = {w for w in re.findall(r"[a-z0-9]+", title.lower()) if w not in _STOP}
        if len(wanted) >= 2 and wanted <= words:
            hits.append(key)
    return hits[0] if len(hits) == 1 else None


def _yaml_safe(value: object) -> object:
    """A front matter value as plain YAML data: dates and times as ISO text."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _yaml_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_yaml_safe(v) for v in value]
    return value
