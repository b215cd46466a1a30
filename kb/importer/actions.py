"""Action items from a legacy follow-up section: list items, checkboxes and table rows.

Each item keeps its words. What can be read off it moves to its own key: the owner (a
table column, ``@name``, ``owner: x``), the tracker (an issue or pull request link, an
``org/repo#123``, a key like ``OPS-123``) and the status (``[x]``, DONE/TODO, a
struck-through item). A bullet that only labels a group (``- **Short term:**`` with the
items nested under it) is not an item; its items are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.importer.document import Item, Section, Table, list_items, plain, tables
from kb.importer.times import find_date

_CHECKBOX = re.compile(r"^\[( |x|X)\]\s*")
_STRUCK = re.compile(r"^~~(.+)~~\W*$")
_ISSUE_URL = re.compile(
    r"https?://[^\s)>\]]+?/(?:issues|pull|merge_requests|-/issues|browse|tickets?)/[A-Za-z0-9-]+|"
    r"https?://[^\s)>\]]*(?:jira|atlassian)[^\s)>\]]*/browse/[A-Z][A-Z0-9]+-\d+"
)
_REPO_ISSUE = re.compile(r"(?<![\w/])([A-Za-z0-9][\w.-]*/[\w.-]+)#(\d+)\b")
_KEY = re.compile(r"(?<![\w-])([A-Z][A-Z0-9]{1,9}-\d{1,7})(?![\w-])")
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9][\w.-]*[A-Za-z0-9])")
_OWNER = re.compile(r"[(\[]?\b(?:owner|owners|assignee|assigned to|responsible)\s*[:=-]\s*([^,;)\]]+)[)\]]?", re.I)
_DUE = re.compile(r"\b(?:due|by|deadline)\b\s*:?\s*([^,;)]{6,30})", re.I)
_DONE = re.compile(r"^\W*(?:done|completed?|fixed|resolved|closed)\b\W*|\W*\b(?:done|completed|fixed)\W*$|✅|✔️?", re.I)
_TODO = re.compile(r"^\W*(?:todo|to do|open|pending)\b\W*", re.I)
_PROGRESS = re.compile(r"\b(?:in[ -]progress|wip|ongoing|started)\b", re.I)
_WONT = re.compile(r"\b(?:won'?t (?:do|fix)|wontfix|not planned|dropped|cancell?ed)\b", re.I)
_GROUP_LABEL = re.compile(r"^(?:\*\*|__)?[^.!?]{1,60}?(?::|\*\*:|:\*\*|__:|:__)?(?:\*\*|__)?$")
_COLUMNS = {
    "title": re.compile(
        r"^(?:action|action items?|item|task|description|what|title|follow[- ]?ups?|summary|todo)\b", re.I
    ),
    "owner": re.compile(r"^(?:owner|owners|assignee|assigned|who|responsible|dri|team)\b", re.I),
    "status": re.compile(r"^(?:status|state|done|progress)\b", re.I),
    "due": re.compile(r"^(?:due|deadline|eta|target|by when|date)\b", re.I),
    "tracker": re.compile(r"^(?:issue|ticket|link|jira|tracking|bug|pr|reference)\b", re.I),
    "type": re.compile(r"^(?:type|kind|category)\b", re.I),
}
KINDS = ("prevent", "mitigate", "detect", "process")  # an action item's ``type``


@dataclass
class Action:
    title: str
    owner: str | None = None
    due: str | None = None  # ISO date
    kind: str | None = None  # its ``type``
    group: str | None = None  # the label it was listed under ("Short term:"), recorded, not a key
    status: str = "open"
    tracker: str | None = None
    note: str | None = None
    lines: set[int] = field(default_factory=set)  # indexes into the section's lines it took

    def as_front_matter(self) -> dict[str, object]:
        """The item as its front matter writes it: only the keys it has a value for."""
        values = {
            "title": self.title,
            "owner": self.owner,
            "due": self.due,
            "status": None if self.status == "open" else self.status,  # the default
            "type": self.kind,
            "tracker": self.tracker,
            "note": self.note,
        }
        return {key: value for key, value in values.items() if value}


def actions(section: Section, year: int | None) -> tuple[list[Action], set[int], list[str]]:
    """The action items of ``section``'s body, the indexes of the lines they took, and the
    columns of the table they came from, if any."""
    offset = section.heading_lines
    body = section.body
    found: list[Action] = []
    used: set[int] = set()
    columns: list[str] = []
    for table in tables(body):
        rows = _table(table, year)
        if rows:
            found += rows
            columns = columns or [plain(cell) for cell in table.header]
            used |= {offset + n for n in range(table.first, table.last + 1)}
    for item in list_items(body):
        if offset + item.line in used:
            continue
        for action in _from_item(item):
            action.lines = {offset + n for n in action.lines}
            used |= action.lines
            if action.title:  # an empty "- [ ]" is not an item
                found.append(action)
    if not found:  # no list and no table: each paragraph is an item, or each line of one
        for first, last in _paragraphs(body):
            lines = body[first : last + 1]
            one_per_line = len(lines) > 1 and all(line.strip()[:1].isupper() for line in lines)
            groups = [[n] for n in range(first, last + 1)] if one_per_line else [list(range(first, last + 1))]
            for group in groups:
                action = read(" ".join(body[n].strip() for n in group))
                action.lines = {offset + n for n in group}
                found.append(action)
                used |= action.lines
    return found, used, columns


def _paragraphs(lines: list[str]) -> list[tuple[int, int]]:
    """The first and last index of each paragraph of plain text in ``lines``; none if
    there is code, a quote or raw HTML, which are not a list of things to do."""
    if any(line.lstrip().startswith(("```", "~~~", ">", "<", "|")) for line in lines):
        return []
    found, start = [], None
    for n, line in enumerate([*lines, ""]):
        if line.strip() and start is None:
            start = n
        elif not line.strip() and start is not None:
            found.append((start, n - 1))
            start = None
    return found


def _from_item(item: Item) -> list[Action]:
    """The action items of one top-level list item: itself, or, when it only labels a
    group, the items nested under it."""
    text = item.text
    label = plain(text).endswith(":") or (not item.ordered and re.fullmatch(r"(\*\*|__)[^*_]+\1:?", text.strip()))
    if item.children and label and _GROUP_LABEL.match(text) and not _CHECKBOX.match(text) and len(text.split()) <= 6:
        group = [action for child in item.children for action in _from_item(child)]
        for action in group[:1]:
            action.lines.add(item.line)
        for action in group:
            action.group = action.group or plain(text).rstrip(": ")
        return group
    words = [text, *item.nested, *(_flatten(child) for child in item.children)]
    action = read(" ".join(w for w in words if w))
    action.lines = set(range(item.line, max(item.last, *(c.last for c in item.children), item.line) + 1))
    return [action]


def _flatten(item: Item) -> str:
    return " ".join([item.text, *item.nested, *(_flatten(child) for child in item.children)])


def read(text: str) -> Action:
    """An action item from its text as written: owner, tracker and status moved out."""
    status = "open"
    if checkbox := _CHECKBOX.match(text):
        status = "open" if checkbox[1] == " " else "done"
        text = text[checkbox.end() :]
    if struck := _STRUCK.match(text.strip()):
        status, text = "done", struck[1]
    tracker = None
    if url := _ISSUE_URL.search(text):
        tracker = url[0]
    elif repo := _REPO_ISSUE.search(text):
        tracker = f"https://github.com/{repo[1]}/issues/{repo[2]}"
    elif key := _KEY.search(text):
        tracker = key[1]
    owner = None
    if named := _OWNER.search(text):
        owner = plain(named[1]).strip(" .")
        text = re.sub(r"\s*,\s*,", ",", text[: named.start()] + text[named.end() :]).strip(" ,")
    elif mention := _MENTION.search(text):
        owner = mention[1]
    due = None
    if (when := _DUE.search(text)) and (found := find_date(when[1])):
        due = found[0].isoformat()
    title = plain(text)
    if status == "open":
        # The words that say it stay in the title: nothing of the source is dropped.
        if _DONE.search(title):
            status = "done"
        elif _WONT.search(title):
            status = "wont-do"
        elif _TODO.match(title):
            pass
        elif _PROGRESS.search(title):
            status = "in-progress"
    title = " ".join(title.split()) or plain(text) or text.strip(" []")
    note = "marked as not to be done in the source" if status == "wont-do" else None
    return Action(title, owner=owner, due=due, status=status, tracker=tracker, note=note)


def _table(table: Table, year: int | None) -> list[Action]:
    """One action item per row of a table that has an action column (or whose first
    column reads as one)."""
    header = [plain(h) for h in table.header]
    columns: dict[str, int] = {}
    for role, pattern in _COLUMNS.items():
        for i, name in enumerate(header):
            if i not in columns.values() and pattern.match(name) and role not in columns:
                columns[role] = i
    if "title" not in columns:
        free = [i for i in range(len(header)) if i not in columns.values()]
        if not ({"owner", "status"} & set(columns)) or not free:
            return []
        columns["title"] = free[0]
    found = []
    for row in table.rows:
        if not any(cell.strip() for cell in row):
            continue
        cell = {role: row[i] if i < len(row) else "" for role, i in columns.items()}
        action = read(cell["title"])
        if not action.title:
            continue
        named = [*header, *(f"column {n + 1}" for n in range(len(header), len(row)))]  # a row longer than its header
        extra = [f"{named[i]}: {plain(c)}" for i, c in enumerate(row) if i not in columns.values() and c.strip()]
        if cell.get("owner", "").strip():
            action.owner = plain(cell["owner"]).lstrip("@")
        if status := cell.get("status", "").strip():
            done = _DONE.search(status) or (_CHECKBOX.match(status) and "x" in status.lower()) or status in ("✅", "✔")
            action.status = (
                "done"
                if done
                else "wont-do"
                if _WONT.search(status)
                else "in-progress"
                if _PROGRESS.search(status)
                else "open"
            )
            if not re.fullmatch(
                r"\W*(?:done|open|todo|to do|closed|completed?|in[ -]progress|wip|x|✅|✔️?)\W*", status, re.I
            ):
                extra.append(f"{header[columns['status']]}: {plain(status)}")
            if action.status == "wont-do":
                action.note = plain(status)
        if due := cell.get("due", "").strip():
            day = find_date(due, year)
            if day:
                action.due = day[0].isoformat()
            else:
                extra.append(f"{header[columns['due']]}: {plain(due)}")
        if (kind := plain(cell.get("type", "")).lower()) in KINDS:
            action.kind = kind
        elif kind:
            extra.append(f"{header[columns['type']]}: {plain(cell['type'])}")
        if tracker := cell.get("tracker", "").strip():
            link = _ISSUE_URL.search(tracker) or re.search(r"https?://\S+", tracker)
            key = _KEY.search(tracker)
            action.tracker = link[0].rstrip(")>") if link else key[1] if key else action.tracker
            if not link and not key:
                extra.append(f"{header[columns['tracker']]}: {plain(tracker)}")
        if extra:
            action.title = f"{action.title} ({'; '.join(extra)})"
        found.append(action)
    return found
