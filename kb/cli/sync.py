"""``kb sync [--write]``: the trackers' states into the snapshot, and optionally the files."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kb import facade
from kb.cli import EXIT_OK, EXIT_PROBLEMS, progress
from kb.facade import UserError, open_project


def add_command(commands: argparse._SubParsersAction[Any], common: argparse.ArgumentParser) -> None:
    sync = commands.add_parser(
        "sync", parents=[common], help="ask the issue trackers for the state of each action item's ticket"
    )
    sync.add_argument(
        "--write",
        action="store_true",
        help="also set status, completed (and note) of open items whose ticket is closed, in their files",
    )
    sync.add_argument(
        "--timeout", type=_seconds, default=30.0, metavar="S", help="seconds to wait for a tracker (default: 30)"
    )
    sync.set_defaults(run=cmd_sync)


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < 3600:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds between 0 and 3600")
    return seconds


def cmd_sync(args: argparse.Namespace) -> int:
    project = open_project(args.config_file)
    if not project.settings.trackers:
        raise UserError(
            f"{args.config_file}: no trackers under plugins.postmortems.trackers: add one for GitHub, GitLab or Jira "
            "(see Issue trackers in the docs)"
        )
    try:
        outcome = facade.sync(
            project.settings, project.root, facade.SyncPolicy(timeout=args.timeout), progress.meter("item")
        )
    except OSError as exc:  # the snapshot's folder cannot be written, say
        snapshot = facade.shown(project.settings.tracker_state_path(project.root))
        raise UserError(f"cannot write the tracker snapshot {snapshot} ({exc.filename}: {exc.strerror})") from None
    for note in outcome.notes:
        print(f"kb sync: {note}", file=sys.stderr)
    for failure in outcome.failures:
        print(failure, file=sys.stderr)
    skipped: list[str] = []
    if args.write:
        changes, skipped = facade.write_back(outcome.library.postmortems, outcome.snapshot, project.root)
        for change in changes:
            print(change)
        for reason in skipped:
            print(reason, file=sys.stderr)
    synced = outcome.items - len(outcome.failures)
    print(
        f"{outcome.items} action items: {synced} synced ({outcome.unchanged} unchanged), "
        f"{len(outcome.failures)} failed; snapshot: {facade.shown(outcome.path)}",
        file=sys.stderr,
    )
    return EXIT_PROBLEMS if outcome.failures or skipped else EXIT_OK
