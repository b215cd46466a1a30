"""``kb actions`` output: the list a team reviews every week, as text, JSON, CSV or Markdown.

By default text and Markdown are the weekly review's agenda (``Agenda``): what needs a
decision, what was closed since the last review, and a count of the rest. A list of every
item, as JSON and CSV always give, is one ``--all`` away.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from kb import facade
from kb.facade import ACTION_ITEM_STATE_LABELS as LABELS
from kb.facade import ACTION_ITEM_STATES as STATES
from kb.facade import Tracked

CSV_COLUMNS = (
    "id", "postmortem", "title", "owner", "due", "status", "state", "days_overdue",
    "completed", "type", "priority", "tracker", "addresses", "note",
    "tracker_state", "tracker_closed", "tracker_synced",
)  # fmt: skip
REVIEW_DAYS = 7  # a weekly review: what was closed since the last one
TO_DECIDE = ("overdue", "due-soon", "open")  # the open states, most urgent first
DISAGREES = "Tracker disagrees"

Link = Callable[[str], str]  # a postmortem id -> its page's link, as the output gives it


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


@dataclass(frozen=True)
class Agenda:
    """A weekly review: each item in one place, or counted in ``others``."""

    today: date
    since: date
    decide: dict[str, list[Tracked]]  # heading -> items: each open state, then the tracker's disagreements
    closed: list[Tracked]  # completed from ``since`` to ``today``, newest first
    others: Counter[str]  # everything else (closed before, or without a date), by state's label

    @property
    def to_decide(self) -> int:
        return sum(len(items) for items in self.decide.values())


def agenda(items: list[Tracked], today: date, since: date) -> Agenda:
    """What a review goes through. An item whose ticket disagrees with its file is
    decided as that (close it, or reopen one of the two), whatever its state."""
    decide: dict[str, list[Tracked]] = {LABELS[s]: [] for s in STATES if s in TO_DECIDE}
    disagrees, closed, others = [], [], Counter[str]()
    for t in ordered(items):
        if t.disagreement:
            disagrees.append(t)
        elif not t.closed:
            decide[LABELS[t.state]].append(t)
        elif t.item.completed and since <= t.item.completed <= today:
            closed.append(t)
        else:
            others[LABELS[t.state].lower()] += 1
    closed.sort(key=lambda t: (t.item.completed, t.item.id or ""), reverse=True)
    decide[DISAGREES] = sorted(disagrees, key=lambda t: not (t.disagreement and t.disagreement.needs_a_person))
    return Agenda(today, since, {heading: ts for heading, ts in decide.items() if ts}, closed, others)


def others_line(plan: Agenda) -> str:
    total = sum(plan.others.values())
    if not total:
        return "No other action items."
    counts = " and ".join(f"{n} {label}" for label, n in sorted(plan.others.items()))
    return f"Not shown: {total} closed before {plan.since} or without a date ({counts}); `--all` lists every item."


def _due(t: Tracked) -> str:
    due = f"due {t.item.due}" if t.item.due else "no due date"
    return due + (f", {t.days_overdue} days overdue" if t.days_overdue else "")


def _markdown_item(t: Tracked, link: Link, detail: str) -> str:
    ticket = f"; {t.ticket_words}" if t.ticket_words and not t.disagreement else ""
    fix = f" Its ticket {t.disagreement.fix}." if t.disagreement else ""
    pm = f"[{t.pm.title}]({link(t.pm.slug)})"
    return f"- [{'x' if t.closed else ' '}] **{t.item.title}** ({detail}{ticket}) from {pm}.{fix}"


def agenda_markdown(plan: Agenda, link: Link, notes: list[str]) -> str:
    """The agenda as a Markdown document, to paste in an issue or a chat."""
    lines = [f"# Action item review, {plan.today}", "", *(f"{note}\n" for note in notes)]
    lines += [f"## Needs a decision ({plan.to_decide})", ""]
    for heading, items in plan.decide.items():
        lines += [f"### {heading} ({len(items)})", ""]
        for t in items:
            detail = f"{t.item.owner or 'unowned'}, {_due(t)}"
            lines.append(_markdown_item(t, link, f"{LABELS[t.state]}, {detail}" if heading == DISAGREES else detail))
        lines.append("")
    if not plan.decide:
        lines += ["Nothing is open.", ""]
    lines += [f"## Closed since {plan.since} ({len(plan.closed)})", ""]
    for t in plan.closed:
        lines.append(_markdown_item(t, link, f"{LABELS[t.state]} {t.item.completed}, {t.item.owner or 'unowned'}"))
    lines += [*([] if plan.closed else ["Nothing was closed."]), "", others_line(plan)]
    return "\n".join(lines)


def as_text(items: list[Tracked]) -> str:
    lines = []
    for t in items:
        late = f" ({t.days_overdue} days overdue)" if t.days_overdue else ""
        lines.append(
            f"{LABELS[t.state]:<9} {t.item.due or ''!s:<10} {t.item.owner or 'unowned':<20} {t.item.title}{late}"
        )
        ticket = f"  {t.ticket_words}" if t.ticket_words else ""
        fix = f": its ticket {t.disagreement.fix}" if t.disagreement else ""
        lines.append(f"{'':<9} {t.item.id}{ticket}{fix}")
    return "\n".join(lines)


def agenda_text(plan: Agenda, notes: list[str]) -> str:
    """The agenda for a terminal: the same selection as the Markdown one."""
    lines = [f"Action item review, {plan.today}", *notes, "", f"Needs a decision ({plan.to_decide})"]
    for heading, items in plan.decide.items():
        lines += ["", f"{heading} ({len(items)})", as_text(items)]
    lines += ["", f"Closed since {plan.since} ({len(plan.closed)})", as_text(plan.closed) or "Nothing was closed."]
    lines += ["", others_line(plan)]
    return "\n".join(lines)


def as_markdown(items: list[Tracked], today: date, link: Link, notes: list[str]) -> str:
    """Every item (``--all``): one section per owner, most urgent first, a checkbox per item."""
    by_owner: dict[str, list[Tracked]] = defaultdict(list)
    for t in items:
        by_owner[t.item.owner or "Unowned"].append(t)
    lines = [f"# Action items, {today}", "", *(f"{note}\n" for note in notes)]
    for owner in sorted(by_owner, key=str.lower):
        lines += [f"## {owner}", ""]
        for t in by_owner[owner]:
            lines.append(_markdown_item(t, link, f"{LABELS[t.state]}, {_due(t)}"))
        lines.append("")
    return "\n".join(lines)
