"""The sync: which action items, their requests a few at a time, the new snapshot.

Every audience's items are asked for (the library is read as ``restricted``): one
snapshot serves every build. An item whose request fails keeps what the last sync
learnt of it; an item that no longer exists, or names another ticket, or that no
tracker owns any more, leaves the snapshot.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from kb.checks.library import Library, load
from kb.format.characters import printable
from kb.format.settings import Settings, Tracker
from kb.format.yamltree import Tree
from kb.load.sources import SourceProblem, read_source
from kb.load.tracker_state import Snapshot, SnapshotProblem, Ticket, read_snapshot, write_snapshot
from kb.sync import github, gitlab, jira
from kb.sync.http import Client, Failure, Policy
from kb.sync.references import EXPECTED, Wanted, parse
from kb.sync.secret import Token, scrub

WORKERS = 4  # requests at once: a few, so a sync is quick without crowding a shared tracker
Meter = Callable[[str, int], AbstractContextManager[Callable[[int], object]]]
Results = dict[str, Ticket | Failure]  # by action item id
Task = Callable[[], Results]


@dataclass(frozen=True)
class ItemFailure:
    """An action item whose ticket could not be read this time."""

    source: str
    line: int  # of its ``tracker`` key
    item_id: str
    value: str  # its ``tracker``
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.item_id} ({self.value}): {self.message}"


@dataclass
class Outcome:
    library: Library  # as read for the sync: every audience
    snapshot: Snapshot  # as written
    path: Path  # where
    items: int = 0  # action items a tracker owns
    unchanged: int = 0  # of them, the same as at the last sync (a 304 among them cost no rate limit)
    failures: list[ItemFailure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the user should know, not failures


def sync(settings: Settings, project_dir: Path, policy: Policy, meter: Meter) -> Outcome:
    """Ask every configured tracker for its items' tickets and write the snapshot."""
    library = load(dataclasses.replace(settings, audience="restricted"), project_dir)
    path = settings.tracker_state_path(project_dir)
    outcome = Outcome(library, Snapshot(), path)
    try:
        previous = read_snapshot(path)
    except SnapshotProblem as exc:
        outcome.notes.append(f"{path.name}: {exc}; writing a new one")
        previous = Snapshot()
    now = datetime.now(UTC).replace(microsecond=0)
    wanted = list(_wanted(library, settings, previous))
    outcome.items = len(wanted)
    tokens = [_token(tracker) for tracker in settings.trackers]
    client = Client(policy)
    try:
        results, tasks = _plan(wanted, settings, tokens, client, now)
        with meter("syncing", len(wanted)) as progress:
            progress(len(results))
            results.update(_run(tasks, progress))
    finally:
        client.close()
    tickets = _merge(wanted, results, [token for token in tokens if token is not None], now, outcome, project_dir)
    if library.unpublished:
        # A file with errors is not read, so its items are unknown: their entries are kept
        # (those under its default ids) until it is fixed, rather than lost to a typo.
        kept = {i: t for i, t in previous.tickets.items() if i.rpartition("#")[0] in library.unpublished}
        tickets = {**kept, **tickets}
        outcome.notes.append(
            f"{len(library.unpublished)} postmortem(s) have errors and were not read: their action items were not "
            "synced (see kb lint)"
        )
    outcome.snapshot = Snapshot(now, tickets)
    write_snapshot(path, outcome.snapshot)
    return outcome


def _merge(
    wanted: list[Wanted], results: Results, tokens: list[Token], now: datetime, outcome: Outcome, project_dir: Path
) -> dict[str, Ticket]:
    """Each item's new entry: its ticket, or after a failure (counted in ``outcome``) its last one."""
    tickets: dict[str, Ticket] = {}
    trees: dict[str, Tree] = {}  # the files with a failure, read again for their lines only
    for item in wanted:
        result = results[item.item_id]
        if isinstance(result, Ticket):
            # What the tracker wrote goes into a committed file: a token it echoed must not.
            etag = scrub(result.etag, tokens) if result.etag else None
            result = dataclasses.replace(
                result, status=scrub(result.status, tokens), url=scrub(result.url, tokens), etag=etag
            )
            tickets[item.item_id] = result
            outcome.unchanged += item.previous is not None and result == dataclasses.replace(item.previous, fetched=now)
            continue
        message = printable(scrub(str(result), tokens))  # scrubbed first: escaping would hide a token
        line = _tree(project_dir, item.source, trees).line(("action_items", item.index, "tracker"))
        outcome.failures.append(ItemFailure(item.source, line, item.item_id, item.value, message))
        if item.previous:
            tickets[item.item_id] = item.previous  # nothing is lost to a failed request
    outcome.failures.sort(key=lambda f: (f.source, f.item_id))
    return tickets


def _tree(project_dir: Path, source: str, trees: dict[str, Tree]) -> Tree:
    """The lines of a postmortem's keys (a ``Postmortem`` keeps no lines); a file changed
    since it was read is pointed at its first line."""
    if source not in trees:
        try:
            trees[source] = read_source(project_dir / source, source).tree
        except SourceProblem:
            trees[source] = Tree(None)
    return trees[source]


def _token(tracker: Tracker) -> Token | None:
    value = os.environ.get(tracker.token_env, "").strip()
    return Token(value) if value else None


def _wanted(library: Library, settings: Settings, previous: Snapshot) -> Iterator[Wanted]:
    """Every action item whose ``tracker`` a configured tracker owns."""
    for pm in library.postmortems:
        for index, item in enumerate(pm.action_items):
            if item.tracker and item.id and (tracker := settings.tracker_for(item.tracker)):
                yield Wanted(
                    item_id=item.id,
                    value=item.tracker,
                    source=pm.source,
                    index=index,
                    tracker=settings.trackers.index(tracker),
                    ref=parse(tracker.kind, item.tracker),
                    previous=previous.ticket(item.id, item.tracker),
                )


def _plan(
    wanted: list[Wanted], settings: Settings, tokens: list[Token | None], client: Client, now: datetime
) -> tuple[Results, list[tuple[list[str], Task]]]:
    """The items that fail before any request, and the tasks that ask for the others,
    each with the ids of the items it answers."""
    failed: Results = {}
    tasks: list[tuple[list[str], Task]] = []
    zone = settings.zone()
    for n, tracker in enumerate(settings.trackers):
        token = tokens[n]
        owned = [item for item in wanted if item.tracker == n]
        for item in owned:
            if token is None:
                failed[item.item_id] = Failure(
                    f"{tracker.token_env} is not set: set it to the token of trackers[{n}] ({tracker.kind})"
                )
            elif item.ref is None:
                failed[item.item_id] = Failure(f"not a {tracker.kind} ticket: write it as {EXPECTED[tracker.kind]}")
        asked = [item for item in owned if item.item_id not in failed]
        if token is not None and asked:
            tasks += _tasks(client, tracker, token, asked, zone, now)
    return failed, tasks


def _tasks(
    client: Client, tracker: Tracker, token: Token, items: list[Wanted], zone: tzinfo, now: datetime
) -> list[tuple[list[str], Task]]:
    if tracker.kind == "jira":
        by_key: dict[str, list[Wanted]] = {}
        for item in items:
            by_key.setdefault(jira.key_of(item), []).append(item)
        keys = sorted(by_key)
        batches = [
            [item for key in keys[i : i + jira.BATCH] for item in by_key[key]] for i in range(0, len(keys), jira.BATCH)
        ]
        return [
            ([item.item_id for item in batch], functools.partial(jira.fetch, client, tracker, token, batch, zone, now))
            for batch in batches
        ]
    fetch = github.fetch if tracker.kind == "github" else gitlab.fetch

    def one(item: Wanted) -> Results:
        return {item.item_id: fetch(client, tracker, token, item, zone, now)}

    return [([item.item_id], functools.partial(one, item)) for item in items]


def _run(tasks: list[tuple[list[str], Task]], progress: Callable[[int], object]) -> Results:
    results: Results = {}
    with ThreadPoolExecutor(WORKERS, thread_name_prefix="kb-sync") as pool:
        futures = {pool.submit(task): ids for ids, task in tasks}
        for future in as_completed(futures):
            ids = futures[future]
            try:
                results.update(future.result())
            except Failure as failure:
                results.update(dict.fromkeys(ids, failure))
            except Exception as exc:
                # Whatever else went wrong (a server's odd answer a library trips on) fails
                # these items, not the run; and as a message, scrubbed of the token, never
                # as a traceback that could quote it.
                results.update(dict.fromkeys(ids, Failure(f"unexpected {type(exc).__name__}: {exc}")))
            progress(len(ids))
    return results
