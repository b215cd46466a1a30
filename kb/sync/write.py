"""``kb sync --write``: set ``status``, ``completed`` and ``note`` of the items whose
ticket was closed, editing the text of the front matter, never dumping it again.

The positions come from ``yaml.compose``: the value of an existing key is replaced
where it is written (in its quotes, if it had some), and a missing key is a new line at
the column of the item's keys, after its last value; comments, order, quoting and
every other line stay as they were.

Only items open or in progress in their file are touched. An item done in its file
whose ticket is open again is left alone: someone has to decide which is right.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from kb.checks.tracker_rules import disagreement, not_planned_note
from kb.format.model import ActionItem, Postmortem
from kb.load.tracker_state import Snapshot, Ticket


@dataclass(frozen=True)
class Change:
    """One line changed, printed ``file:line: old -> new``."""

    source: str
    line: int
    old: str | None  # ``None``: a new line
    new: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.old or '(none)'} -> {self.new}"


class CannotEdit(Exception):
    """The file is not written in a way this can edit safely; it is left as it is."""


@dataclass(frozen=True)
class _Edit:
    start: int  # character offsets in the front matter
    end: int  # == start for an insertion
    text: str
    line: int  # of the edit in the front matter as it was, from 0
    old: str | None
    new: str


def updates(item: ActionItem, ticket: Ticket | None) -> dict[str, str]:
    """The keys to set on ``item``, and their values as YAML, for its ``ticket``: the fix
    the lint warning gives, where it has one answer (a reopened ticket needs a person)."""
    found = disagreement(item, ticket)
    if found is None or found.needs_a_person:
        return {}
    closed = found.ticket.closed
    if found.kind == "closed":
        return {"status": "done", **({"completed": closed.isoformat()} if closed else {})}
    if item.note:
        return {"status": "wont-do"}  # its note says why already
    return {"status": "wont-do", "note": json.dumps(not_planned_note(found.tracker), ensure_ascii=False)}


def write_back(postmortems: list[Postmortem], snapshot: Snapshot, project_dir: Path) -> tuple[list[Change], list[str]]:
    """Bring the files in line with the snapshot: the changes made, and the files that
    could not be edited, with why."""
    changes: list[Change] = []
    skipped: list[str] = []
    for pm in sorted(postmortems, key=lambda pm: pm.source):
        wanted = {
            index: keys
            for index, item in enumerate(pm.action_items)
            if (keys := updates(item, snapshot.ticket(item.id, item.tracker)))
        }
        if not wanted:
            continue
        path = project_dir / pm.source
        try:
            changes += _edit_file(path, pm.source, wanted)
        except CannotEdit as exc:
            skipped.append(f"{pm.source}: {exc}: edit it by hand")
        except OSError as exc:
            skipped.append(f"{pm.source}: cannot edit it ({exc.strerror}): edit it by hand")
        except (UnicodeDecodeError, yaml.YAMLError):  # changed since the sync read it
            skipped.append(f"{pm.source}: its front matter no longer reads as YAML: fix it, then run kb sync again")
    return changes, skipped


def _edit_file(path: Path, source: str, wanted: dict[int, dict[str, str]]) -> list[Change]:
    raw = path.read_bytes().decode("utf-8")  # as it is: byte-order mark and line ends kept
    newline = "\r\n" if "\r\n" in raw else "\n"
    start, end = _front_matter(raw)
    front = raw[start:end]
    # The pure-Python loader: its marks count characters of this text, as the edits do.
    root = yaml.compose(front, Loader=yaml.SafeLoader)
    items = _value(root, "action_items")
    if not isinstance(items, yaml.SequenceNode):
        raise CannotEdit("its action_items are not a list")
    first_line = raw.count("\n", 0, start) + 1
    edits: list[_Edit] = []
    for index, keys in wanted.items():
        item = items.value[index] if index < len(items.value) else None
        if not isinstance(item, yaml.MappingNode):
            raise CannotEdit(f"action item {index + 1} is not a mapping")
        edits += [_edit(front, item, key, value, newline) for key, value in keys.items()]
    edits.sort(key=lambda e: (e.start, e.line))
    text, shift, changes = raw, 0, []
    for edit in edits:
        changes.append(Change(source, first_line + edit.line + shift, edit.old, edit.new))
        shift += edit.text.count("\n") if edit.old is None else 0
    for edit in reversed(edits):
        text = text[: start + edit.start] + edit.text + text[start + edit.end :]
    path.write_bytes(text.encode("utf-8"))
    return changes


def _front_matter(raw: str) -> tuple[int, int]:
    """Where the front matter's YAML is in the file's text: between its ``---`` lines."""
    lines = raw.splitlines(keepends=True)
    if not lines or lines[0].lstrip("\ufeff").rstrip() != "---":
        raise CannotEdit("it does not start with front matter")
    offset = len(lines[0])
    for line in lines[1:]:
        if line.rstrip() in ("---", "..."):
            return len(lines[0]), offset
        offset += len(line)
    raise CannotEdit("its front matter is not closed")


def _value(mapping: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(mapping, yaml.MappingNode):
        for key_node, value_node in mapping.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return value_node
    return None


def _edit(front: str, item: yaml.MappingNode, key: str, value: str, newline: str) -> _Edit:
    """Set ``key`` of one item: its value replaced where written, or a new line."""
    existing = _value(item, key)
    if existing is not None:
        if not isinstance(existing, yaml.ScalarNode) or existing.style in ("|", ">"):
            raise CannotEdit(f"its {key} is not a one-line value")
        begin, end = existing.start_mark.index, existing.end_mark.index
        quote = existing.style if existing.style in ("'", '"') and not value.startswith('"') else ""
        new = f"{quote}{value}{quote}"
        # An empty value (``completed:``) is marked right after its colon: the new one needs a space.
        text = new if end > begin or front[begin - 1 : begin].isspace() else f" {new}"
        return _Edit(begin, end, text, existing.start_mark.line, f"{key}: {front[begin:end]}".rstrip(), f"{key}: {new}")
    if item.flow_style:  # {title: ..., status: open}: the key goes before the closing brace
        at = item.end_mark.index - 1
        return _Edit(at, at, f", {key}: {value}", item.end_mark.line, None, f"{key}: {value}")
    column = item.value[0][0].start_mark.column
    at, line = _after(front, item)
    return _Edit(at, at, f"{' ' * column}{key}: {value}{newline}", line, None, f"{key}: {value}")


def _after(front: str, item: yaml.MappingNode) -> tuple[int, int]:
    """Where a new line after the item's last value goes: its index, and its line."""
    node: yaml.Node = item
    while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.value and not node.flow_style:
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    end = node.end_mark
    if end.column == 0:  # a block scalar ends at the start of the line after it
        return end.index, end.line
    newline = front.find("\n", end.index)
    return (newline + 1, end.line + 1) if newline != -1 else (len(front), end.line + 1)
