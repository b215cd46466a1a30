"""What the tracker snapshot costs a build: loading the library (reading the snapshot and
checking every item against its ticket), the JSON API's action items, the board and
every postmortem page, without a snapshot and with a ticket for every action item.

    .venv/bin/python benchmarks/tracker_state.py [N ...] [--repeat R]

Each size gets a generated library (``generate.py``, seed 1) whose every action item names
a ticket; the snapshot gives a third of them each state. Each figure is the median of R
runs, in seconds. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from generate import generate

from kb.analysis.action_item_states import tracked_items
from kb.analysis.analyze import analyze
from kb.checks.library import load
from kb.format.settings import Settings, parse_settings
from kb.load.tracker_state import TICKET_STATES, Snapshot, Ticket, write_snapshot
from kb.pages.board import board_page
from kb.pages.common import Context
from kb.pages.postmortem import postmortem_page
from kb.site.api import action_item

SYNCED = datetime(2026, 6, 29, 6, 0, tzinfo=UTC)


def with_trackers(source: Path) -> list[tuple[str, str]]:
    """Give every action item a ticket key; return each item's (id, key)."""
    items = []
    for path in sorted(source.rglob("*.md")):
        lines = path.read_text(encoding="utf-8").split("\n")
        for n, line in enumerate(lines):
            if line.startswith("action_items: "):
                found = json.loads(line.removeprefix("action_items: "))
                for i, item in enumerate(found, start=1):
                    item["tracker"] = f"OPS-{len(items) + 1}"
                    items.append((f"{path.stem}#{i}", item["tracker"]))
                lines[n] = f"action_items: {json.dumps(found)}"
        path.write_text("\n".join(lines), encoding="utf-8")
    return items


def snapshot(items: list[tuple[str, str]]) -> Snapshot:
    rng = random.Random(1)
    tickets = {}
    for item_id, key in items:
        state = rng.choice(TICKET_STATES)
        closed = None if state == "open" else date(2026, 6, rng.randint(1, 28))
        tickets[item_id] = Ticket(key, state, closed, f"https://jira.example/browse/{key}", SYNCED)
    return Snapshot(SYNCED, tickets)


def median(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def timings(settings: Settings, project: Path, repeat: int) -> list[str]:
    """Load, the API's action items, the board, every postmortem page: seconds, median of ``repeat``."""
    library = load(settings, project)
    ctx = Context(library, analyze(library))

    def records() -> list[dict[str, object]]:
        return [action_item(t) for t in tracked_items(library.postmortems, library.today, 14, library.tracker_state)]

    return [
        f"{median(run, repeat):.3f}"
        for run in (
            lambda: load(settings, project),
            records,
            lambda: board_page(ctx),
            lambda: [postmortem_page(pm, ctx) for pm in library.postmortems],
        )
    ]


def measure(size: int, repeat: int, work: Path) -> list[str]:
    project = work / f"library-{size}"
    generate(size, project / "postmortems", seed=1)
    items = with_trackers(project / "postmortems")
    settings = parse_settings({"today": "2026-06-30", "audience": "restricted"})
    state = project / "postmortems" / "tracker-state.json"
    rows = []
    for label in ("no snapshot", "a ticket per item"):
        if label != "no snapshot":
            write_snapshot(state, snapshot(items))
        figures = timings(settings, project, repeat)
        size_kb = state.stat().st_size / 1024 if state.exists() else 0
        rows.append(f"| {size:,} | {len(items):,} | {label} | {size_kb:,.0f} KB | {' | '.join(figures)} |")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("sizes", nargs="*", type=int, default=[1000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    columns = ["postmortems", "action items", "snapshot", "its size", "load (s)", "API items (s)", "board (s)"]
    print(f"| {' | '.join(columns)} | postmortem pages (s) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as work:
        for size in args.sizes:
            for row in measure(size, args.repeat, Path(work)):
                print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
