"""``kb actions`` output: the list a team reviews every week, as text, JSON, CSV or Markdown."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

from kb import facade
from kb.facade import ACTION_ITEM_STATE_LABELS as LABELS
from kb.facade import ACTION_ITEM_STATES as STATES
from kb.facade import Tracked, postmortem_url

CSV_COLUMNS = (
    "id", "postmortem", "title", "owner", "due", "status", "state", "days_overdue",
    "completed", "type", "priority", "tracker", "addresses", "note",
)  # fmt: skip


def ordered(items: list[Tracked]) -> list[Tracked]:
    """Most urgent first: overdue (oldest first), due soon, open, then closed items."""
    return sorted(items, key=lambda t: (STATES.index(t.state), -t.days_overdue, str(t.item.due or ""), t.item.id or ""))


def as_json(items: list[Tracked]) -> str:
    # The same records as /api/action-items.json, so the two always agree.
    return json.dumps([facade.action_item_json(t) for t in items], indent=2, ensure_ascii=False)


def as_csv(items: list[Tracked]) -> str:
    """RFC 4180: CRLF line ends, quoted where needed; lists joined with "; "."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record in (facade.action_item_json(t) for t in items):
        writer.writerow(
            ["; ".join(v) if isinstance(v, list) else "" if v is None else v for v in (record[c] for c in CSV_COLUMNS)]
        )
    return out.getvalue()


def as_text(items: list[Tracked]) -> str:
    lines = []
    for t in items:
        late = f" ({t.days_overdue} days overdue)" if t.days_overdue else ""
        lines.append(
            f"{LABELS[t.state]:<9} {t.item.due or ''!s:<10} {t.item.owner or 'unowned':<20} {t.item.title}{late}"
        )
        lines.append(f"{'':<9} {t.item.id}")
    return "\n".join(lines)


def as_markdown(items: list[Tracked], today: str) -> str:
    """A ready agenda: one section per owner, most urgent first, a checkbox per item."""
    by_owner: dict[str, list[Tracked]] = defaultdict(list)
    for t in items:
        by_owner[t.item.owner or "Unowned"].append(t)
    lines = [f"# Action item review, {today}", ""]
    for owner in sorted(by_owner, key=str.lower):
        lines += [f"## {owner}", ""]
        for t in by_owner[owner]:
            due = f"due {t.item.due}" if t.item.due else "no due date"
            late = f", {t.days_overdue} days overdue" if t.days_overdue else ""
            link = f"[{t.pm.title}]({postmortem_url(t.pm.slug)})"
            lines.append(
                f"- [{'x' if t.closed else ' '}] **{t.item.title}** ({LABELS[t.state]}, {due}{late}) from {link}"
            )
        lines.append("")
    return "\n".join(lines)
