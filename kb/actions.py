"""Action-item follow-through: the state of every item on the build's ``today``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from kb.model import ActionItem

State = Literal["done", "wont-do", "overdue", "due-soon", "open"]
STATES: tuple[State, ...] = ("overdue", "due-soon", "open", "done", "wont-do")
LABELS: dict[State, str] = {
    "overdue": "Overdue",
    "due-soon": "Due soon",
    "open": "Open",
    "done": "Done",
    "wont-do": "Won't do",
}


def state(item: ActionItem, today: date, due_soon_days: int) -> State:
    """The spec's derived state: closed items keep their status; open ones age."""
    if item.status in ("done", "wont-do"):
        return item.status
    if item.due and item.due < today:
        return "overdue"
    if item.due and item.due <= today + timedelta(days=due_soon_days):
        return "due-soon"
    return "open"


def days_overdue(item: ActionItem, today: date, due_soon_days: int) -> int:
    return (today - item.due).days if item.due and state(item, today, due_soon_days) == "overdue" else 0
