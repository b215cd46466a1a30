"""Load a library: read every file, check it against the schema and across files.

A build (``kb.build.pipeline``) and every ``kb`` command read the library through
``load``, so a build and ``kb lint`` always report the same problems.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import itertools
import os
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import NamedTuple, Protocol

from kb.checks import action_item_rules, blameless, links, narrative, tracker_rules
from kb.format.model import Cause, Postmortem, ReadingList
from kb.format.problems import Problem, did_you_mean
from kb.format.schema import INVALID, SLUG_PATTERN, Checker, check, show
from kb.format.settings import Settings
from kb.format.urls import RESERVED, slugify
from kb.format.yamltree import Location, Tree
from kb.load.cache import CacheKey, ParseCache
from kb.load.new_postmortem import template_examples
from kb.load.sources import DATA_FILES, SourceProblem, discover, read_bytes, read_data_file, read_source
from kb.load.tracker_state import Snapshot, SnapshotProblem, read_snapshot

AUDIENCES: dict[str, frozenset[str]] = {
    "public": frozenset({"public"}),
    "internal": frozenset({"public", "internal"}),
    "restricted": frozenset({"public", "internal", "restricted"}),
}
_SLUG = re.compile(SLUG_PATTERN)
HELPER_BATCH = 50  # files a helper process sends at a time
HELPER_POLL = 10  # files checked here between two looks at what the helper sent
_MOMENTS = ("started", "detected", "mitigated", "resolved")
# Lists of names, and what one of them is called; services and teams each get a page.
_NAME_LISTS = {"services": "service", "teams": "team", "tags": "tag"}
_PAGED = ("services", "teams")


CheckedFile = tuple["_Parsed | None", list[Problem]]  # what the cache keeps of a file


@dataclass(frozen=True)
class Catalog:
    """What ``causes.yml`` gave: its causes (``None`` when the file could not be read at
    all, so its keys are unknown), and the keys it has that cannot be used."""

    causes: dict[str, Cause] | None
    rejected: frozenset[str] = frozenset()


class Facts(NamedTuple):
    """What the rules across files read of one file (``check_across``, the audience,
    ``_one_spelling``): enough for ``kb search`` to tell whether a changed file can
    change whether, or how, another one is published, without reading the others."""

    slug: str
    ok: bool  # no error in the file itself
    visibility: str
    related: tuple[str, ...]
    names: tuple[tuple[str, str], ...]  # (services or teams, the name as written), each once

    @classmethod
    def of(cls, pm: Postmortem, ok: bool) -> Facts:
        names = tuple((key, name) for key in _PAGED for name in getattr(pm, key))
        return cls(pm.slug, ok, pm.visibility, tuple(pm.related), names)

    def published(self, audience: str) -> bool:
        """Whether an audience sees it, when no rule across files finds an error in it."""
        return self.ok and self.visibility in AUDIENCES[audience]


class _Parsed(NamedTuple):
    pm: Postmortem
    tree: Tree  # only the lines of its keys: the values are in the postmortem
    ok: bool  # no error in the file itself


@dataclass
class Library:
    """Every valid postmortem this build's audience may see, plus the catalogs."""

    settings: Settings
    today: date
    postmortems: list[Postmortem]  # newest first
    causes: dict[str, Cause]  # those this build lists (``_listed_causes``), not the whole catalog
    reading: ReadingList
    problems: list[Problem] = field(default_factory=list)
    links: links.NarrativeLinks = field(default_factory=links.NarrativeLinks)  # the narratives' links and files
    # By the id each would have: the files this audience would see, had they no errors.
    unpublished: dict[str, Unpublished] = field(default_factory=dict)
    files: int = 0  # postmortem files read, valid or not, any audience
    # Each file's ``Facts`` by its path (as problems name it), for those read as a postmortem.
    facts: dict[str, Facts] = field(default_factory=dict)
    # What ``kb sync`` last learnt of the action items' tickets (empty when it never ran).
    tracker_state: Snapshot = field(default_factory=Snapshot)
    # What it was read from (every file's path and content, the settings, the catalogs,
    # the tracker snapshot), as a digest: two processes that read the library can tell
    # they read the same one.
    sources: bytes = b""
    # Each postmortem file's content digest, by its path (``Postmortem.source``), and the
    # digest of everything else every check and page depends on (the tracker snapshot
    # too): a rebuild can tell which changed.
    file_digests: dict[str, bytes] = field(default_factory=dict)
    fingerprint: bytes = b""

    @property
    def by_id(self) -> dict[str, Postmortem]:
        return {pm.slug: pm for pm in self.postmortems}


@dataclass(frozen=True)
class Unpublished:
    """A postmortem file with errors: no page, until they are fixed."""

    source: str  # its path, as problems name it
    title: str  # its title, or its file name when it has none that can be read


class Helper(Protocol):
    """Another process that checks files from the end of the library while this one
    starts from the front (see ``check_from_the_end``)."""

    def reached(self, index: int) -> None:
        """This process is about to check file ``index``: the helper can stop there."""

    def checked(self) -> Iterable[tuple[CacheKey, CheckedFile]]:
        """The files it has checked since last asked, without waiting."""


def load(
    settings: Settings,
    project_dir: Path,
    cache: ParseCache[CheckedFile] | None = None,
    helper: Helper | None = None,
    progress: Callable[[int], None] | None = None,
    only: Collection[str] | None = None,
) -> Library:
    """Read and check the library under ``project_dir / settings.source``; ``cache`` holds
    the files an earlier load with it checked, and gets those this one checks;
    ``progress`` is told of each file read. With ``only`` (paths as problems name them),
    the library is those files alone: the rules across files see no other
    (``kb.checks.selection`` chooses them so that they need no other)."""
    return _Loader(settings, project_dir, ParseCache() if cache is None else cache).run(helper, progress, only)


def read_files(
    settings: Settings, project_dir: Path, paths: list[Path], progress: Callable[[int], None] | None = None
) -> list[tuple[str, Postmortem | None, Facts | None]]:
    """Read and check these files alone, as ``load`` reads each one: its path as problems
    name it, and its postmortem and ``Facts`` (``None`` if it cannot be read as one). The
    rules across files are not applied: the ``Facts`` of all files say when they matter."""
    reader = FileReader(settings, project_dir)
    found = []
    for path in paths:
        found.append(reader.read(path))
        if progress:
            progress(1)
    return found


class FileReader:
    """Reads and checks one file at a time, as ``load`` does (``read_files``); ``cache``
    keeps what it checked for a ``load`` with the same cache."""

    def __init__(self, settings: Settings, project_dir: Path, cache: ParseCache[CheckedFile] | None = None) -> None:
        self._loader = _Loader(settings, project_dir, ParseCache() if cache is None else cache)
        self._catalog = self._loader.load_causes()

    def rel(self, path: Path) -> str:
        """``path`` as problems name it."""
        return self._loader.rel(path)

    def read(self, path: Path) -> tuple[str, Postmortem | None, Facts | None]:
        key, data = self._loader.key(path, self._catalog)
        parsed, _problems = self._loader.checked(key, path, self._catalog, data)
        rel = self._loader.rel(path)
        return (rel, parsed.pm, Facts.of(parsed.pm, parsed.ok)) if parsed else (rel, None, None)


def check_from_the_end(
    settings: Settings,
    project_dir: Path,
    cache: ParseCache[CheckedFile],
    reached: Callable[[], int],
    send: Callable[[list[tuple[CacheKey, CheckedFile]]], None],
) -> None:
    """Check files from the last one back, for a process running ``load`` from the first
    one (its ``Helper``), until ``reached()`` says it got there. Only files not already
    in ``cache`` are checked and sent: a file both processes have seen before
    (a ``mkdocs serve`` rebuild) is in the other one's cache too.

    What is sent is what the cache holds: the postmortem, the line of every key, the
    problems.
    """
    loader = _Loader(settings, project_dir, cache)
    catalog = loader.load_causes()
    files = list(discover(loader.source_dir)) if loader.source_dir.is_dir() else []
    batch: list[tuple[CacheKey, CheckedFile]] = []
    for index in range(len(files) - 1, -1, -1):
        if index <= reached():
            break
        key, data = loader.key(files[index], catalog)
        if key in cache:
            continue
        batch.append((key, loader.checked(key, files[index], catalog, data)))
        if len(batch) == HELPER_BATCH:
            send(batch)
            batch = []
    send(batch)


class _Loader:
    def __init__(self, settings: Settings, project_dir: Path, cache: ParseCache[CheckedFile]) -> None:
        self.settings = settings
        self.cache = cache
        self.project_dir = project_dir
        self.source_dir = settings.source_dir(project_dir)
        self.problems: list[Problem] = []
        self.today = settings.build_date()
        self._fingerprint: bytes | None = None

    @functools.cached_property
    def _project_prefix(self) -> str:
        return self.project_dir.resolve().as_posix().rstrip("/") + "/"

    def rel(self, path: Path) -> str:
        """``path`` relative to the project, as problems name it. By its text: it is asked
        for every file of every build, and ``Path.relative_to`` cost a 5,000-postmortem
        serve rebuild a tenth of a second."""
        text = path.as_posix()
        return text[len(self._project_prefix) :] if text.startswith(self._project_prefix) else text

    def new_checker(self, rel: str, tree: Tree) -> Checker:
        return Checker(rel, tree, self.settings.severities, self.settings.zone(), self.settings.timezone)

    def run(
        self,
        helper: Helper | None,
        progress: Callable[[int], None] | None = None,
        only: Collection[str] | None = None,
    ) -> Library:
        if not self.source_dir.is_dir():
            message = "source folder does not exist"
            self.problems.append(Problem(self.settings.source, 1, "error", message, "source-folder"))
        catalog = self.load_causes()
        files = list(discover(self.source_dir)) if self.source_dir.is_dir() else []
        if only is not None:
            files = [path for path in files if self.rel(path) in only]
        candidates = []
        read: list[tuple[Path, _Parsed | None]] = []
        sources = hashlib.blake2b(self.fingerprint(catalog), digest_size=16)
        file_digests: dict[str, bytes] = {}
        for index, path in enumerate(files):
            if helper and index % HELPER_POLL == 0:
                helper.reached(index)
                for checked_key, checked in helper.checked():
                    self.cache.put(checked_key, checked)
            key, data = self.key(path, catalog)
            sources.update(os.fsencode(key[0]) + key[1])  # a name need not be UTF-8
            file_digests[self.rel(path)] = key[1]
            parsed, problems = self.checked(key, path, catalog, data)
            self.problems += problems
            read.append((path, parsed))
            if parsed is not None:
                candidates.append(parsed)
            if progress:
                progress(1)
        valid = self.check_across(candidates)
        allowed = AUDIENCES[self.settings.audience]
        trees = {id(pm): tree for pm, tree, _ok in candidates}
        included, respelled = _one_spelling([pm for pm in valid if pm.visibility in allowed], trees)
        self.problems += respelled
        narrative_links = links.resolve(
            [pm for pm, _tree, _ok in candidates],
            {pm.slug for pm in valid},
            {pm.slug for pm in included},
            self.source_dir,
            self.rel(self.source_dir),
            trusted=self.settings.trust_html,
        )
        self.problems += narrative_links.problems
        included.sort(key=lambda pm: (pm.started, pm.slug), reverse=True)
        reading = self.load_reading({pm.slug for pm in valid}, {pm.slug for pm in included})
        snapshot, snapshot_digest = self.load_snapshot()
        # After the cache: a sync changes no file's own checks, so it re-reads no file.
        self.problems += tracker_rules.check(((pm, tree) for pm, tree, _ok in candidates), snapshot)
        fingerprint = self.fingerprint(catalog)
        return Library(
            settings=self.settings,
            today=self.today,
            postmortems=included,
            causes=_listed_causes(catalog, included, allowed),
            reading=reading,
            problems=sorted(set(self.problems)),
            links=narrative_links,
            unpublished=self.unpublished(read, {pm.slug for pm in included}, allowed),
            files=len(files),
            facts={pm.source: Facts.of(pm, ok) for pm, _tree, ok in candidates},
            tracker_state=snapshot,
            sources=hashlib.blake2b(
                sources.digest() + repr(reading).encode() + snapshot_digest, digest_size=16
            ).digest(),
            file_digests=file_digests,
            # Not the parse cache's key (``fingerprint``): a new snapshot makes every page
            # that shows tracker states render again, and no file be parsed again.
            fingerprint=hashlib.blake2b(fingerprint + snapshot_digest, digest_size=16).digest(),
        )

    def unpublished(
        self, read: list[tuple[Path, _Parsed | None]], included: set[str], allowed: frozenset[str]
    ) -> dict[str, Unpublished]:
        """The files with errors, by the id each would have: the one it names, or its file
        name's, when that is free and safe as a page name."""
        with_errors = {p.path for p in self.problems if p.level == "error"}
        found: dict[str, Unpublished] = {}
        for path, parsed in read:
            rel = self.rel(path)
            if rel not in with_errors or (parsed and parsed.pm.visibility not in allowed):
                continue
            slug = parsed.pm.slug if parsed else path.stem
            if _SLUG.match(slug) and slug not in RESERVED and slug not in included:
                found.setdefault(slug, Unpublished(rel, (parsed.pm.title if parsed else "") or path.name))
        return found

    # --- data files ---------------------------------------------------------------

    def read_data(self, name: str) -> tuple[str, Tree] | None:
        path = self.source_dir / name
        rel = self.rel(path)
        if not path.is_file():
            return None
        try:
            return rel, read_data_file(path)
        except SourceProblem as exc:
            self.problems.append(Problem(rel, exc.line, "error", exc.message, "source"))
            return None

    def load_causes(self) -> Catalog:
        """The cause catalog. One that cannot be read is one error about the file, not one
        "unknown cause key" per postmortem: its keys are then not checked."""
        data = self.read_data(DATA_FILES[0])
        if data is None:
            return Catalog(None if (self.source_dir / DATA_FILES[0]).is_file() else {})
        rel, tree = data
        checker = self.new_checker(rel, tree)
        if not isinstance(tree.value, dict):
            checker.error((), "causes.yml must map cause keys to {title, category, description}", "cause-catalog")
            self.problems += checker.problems
            return Catalog(None)
        causes: dict[str, Cause] = {}
        rejected = set()
        for key, value in tree.value.items():
            if not _SLUG.match(key):
                checker.error(
                    (key,), f"cause key {key!r} must be lower-case letters, digits and dashes", "cause-catalog"
                )
            elif key in RESERVED:
                checker.error((key,), _reserved(f"cause key {key!r}", f"/causes/{key}/"), "reserved-name")
            elif (cause := check(Cause, value, checker, (key,))) is not INVALID:
                # An entry with a wrong value still names its cause; its title is at least its key.
                causes[key] = cause if cause.title else dataclasses.replace(cause, title=key)
                continue
            rejected.add(key)
        self.problems += checker.problems
        return Catalog(causes, frozenset(rejected))

    def load_reading(self, known_ids: set[str], included: set[str]) -> ReadingList:
        """The reading lists, with entries outside this build's audience dropped (and said so)."""
        data = self.read_data(DATA_FILES[1])
        if data is None:
            return ReadingList()
        rel, tree = data
        checker = self.new_checker(rel, tree)
        reading = check(ReadingList, tree.value if tree.value is not None else {}, checker)
        if reading is INVALID:
            self.problems += checker.problems
            return ReadingList()
        tracks = []
        for t, track in enumerate(reading.tracks):
            for i, item in enumerate(track.items):
                loc = ("tracks", t, "items", i, "id")
                if item.id not in known_ids:
                    checker.error(
                        loc, f"unknown postmortem id {item.id!r}" + did_you_mean(item.id, known_ids), "reading-list"
                    )
                elif item.id not in included:
                    message = f"{item.id!r} is not in audience {self.settings.audience!r}: left out"
                    checker.report("warning", loc, message, "reading-list")
            tracks.append(dataclasses.replace(track, items=[item for item in track.items if item.id in included]))
        self.problems += checker.problems
        return ReadingList(tracks=tracks)

    def load_snapshot(self) -> tuple[Snapshot, bytes]:
        """The tracker snapshot and a digest of its file. One that cannot be read is a
        warning at it, and no ticket: the site still builds, as if never synced."""
        path = self.settings.tracker_state_path(self.project_dir)
        try:
            digest = hashlib.blake2b(path.read_bytes(), digest_size=16).digest()
        except OSError:  # missing, or unreadable: read_snapshot says which
            digest = b""
        try:
            return read_snapshot(path), digest
        except SnapshotProblem as exc:
            self.problems.append(Problem(self.rel(path), 1, "warning", f"tracker snapshot: {exc}", "tracker-snapshot"))
            return Snapshot(), digest

    # --- one postmortem -------------------------------------------------------------

    def key(self, path: Path, catalog: Catalog) -> tuple[CacheKey, bytes | None]:
        """What a file's checks depend on (its content, the settings, the cause catalog),
        and its bytes, read once for both; ``None`` if they cannot be read (the checks
        say why)."""
        try:
            data: bytes | None = read_bytes(path)
        except SourceProblem:
            data = None
        digest = hashlib.blake2b(data, digest_size=16).digest() if data is not None else b""
        return (str(path), digest, self.fingerprint(catalog)), data

    def checked(self, key: CacheKey, path: Path, catalog: Catalog, data: bytes | None) -> CheckedFile:
        """Read and check one file, or reuse what the cache has of it (from an earlier
        load, or from the helper)."""
        if key not in self.cache:
            problems_before = len(self.problems)
            parsed = self.parse_postmortem(path, catalog, data)
            if parsed:  # the YAML values are in the postmortem now: keep only their lines
                parsed = parsed._replace(tree=Tree(None, parsed.tree.lines))
            self.cache.put(key, (parsed, self.problems[problems_before:]))
            del self.problems[problems_before:]
        return self.cache[key]

    def fingerprint(self, catalog: Catalog) -> bytes:
        # A digest, not hash(): the helper process must compute the same one.
        if self._fingerprint is None:
            causes = sorted(catalog.causes.items()) if catalog.causes is not None else None
            state = repr((self.settings, causes, sorted(catalog.rejected), self.today)).encode()
            self._fingerprint = hashlib.blake2b(state, digest_size=16).digest()
        return self._fingerprint

    def parse_postmortem(self, path: Path, catalog: Catalog, data: bytes | None) -> _Parsed | None:
        rel = self.rel(path)
        try:
            source = read_source(path, rel, data)
        except SourceProblem as exc:
            self.problems.append(Problem(rel, exc.line, "error", exc.message, "source"))
            return None
        checker = self.new_checker(rel, source.tree)
        for loc, _line in source.tree.duplicate_keys:
            checker.error(loc, f"key '{show(loc)}' is written twice; the second would silently win", "duplicate-key")
        for finding in narrative.check(source.body, source.body_line):
            checker.problems.append(Problem(rel, finding.line, finding.level, finding.message, "narrative"))
        front = _without_examples(source.tree.value, checker)
        pm = check(Postmortem, front if front is not None else {}, checker)
        if pm is not INVALID:
            pm = self.complete(pm, path, source.body, source.body_line, checker)
            self.check_postmortem(pm, catalog, checker)
        self.problems += checker.problems
        if pm is INVALID:
            return None
        return _Parsed(pm, source.tree, ok=not any(p.level == "error" for p in checker.problems))

    def complete(self, pm: Postmortem, path: Path, body: str, body_line: int, checker: Checker) -> Postmortem:
        """Fill what the loader derives: id from the file name, clock times, item ids."""
        slug = pm.id or path.stem
        if not pm.id and not _SLUG.match(slug):
            checker.error((), f"file name {path.name!r} is not a safe id: rename the file or set 'id'", "id")
        elif slug in RESERVED:
            where = "'id'" if pm.id else f"file name {path.name!r}"
            message = _reserved(f"{where}: id {slug!r}", f"/postmortems/{slug}/")
            checker.error(("id",) if pm.id else (), message, "reserved-name")
        timeline = [
            dataclasses.replace(entry, at=datetime.combine(pm.started.date(), entry.at, pm.started.tzinfo))
            if isinstance(entry.at, time) and pm.started
            else entry
            for entry in pm.timeline
        ]
        items = [
            item if item.id else dataclasses.replace(item, id=f"{slug}#{n}")
            for n, item in enumerate(pm.action_items, start=1)
        ]
        names = {key: _distinct_names(getattr(pm, key), key, checker) for key in _NAME_LISTS}
        return dataclasses.replace(
            pm,
            id=slug,
            timeline=timeline,
            action_items=items,
            source=checker.rel,
            body=body,
            body_line=body_line,
            **names,
        )

    def check_postmortem(self, pm: Postmortem, catalog: Catalog, checker: Checker) -> None:
        self.check_times(pm, checker)
        if pm.status == "published" and not pm.causes:
            checker.missing(
                ("causes",), "a published postmortem needs at least one cause", relaxable=True, rule="causes"
            )
        causes = catalog.causes
        for i, ref in enumerate(pm.causes):
            if ref.key in catalog.rejected:
                message = f"cause key {ref.key!r} cannot be used: see its error in causes.yml"
                checker.error(("causes", i, "key"), message, "causes")
            elif causes is not None and ref.key is not None and ref.key not in causes:
                checker.error(
                    ("causes", i, "key"),
                    f"unknown cause key {ref.key!r}" + did_you_mean(ref.key, causes) + " (add it to causes.yml)",
                    "causes",
                )
        own = set(pm.cause_keys)
        for i, item in enumerate(pm.action_items):
            for j, key in enumerate(item.addresses):
                if key not in own:
                    checker.error(
                        ("action_items", i, "addresses", j),
                        f"'addresses' names {key!r}, which is not a cause of this postmortem" + did_you_mean(key, own),
                        "addresses",
                    )
        blameless.check(pm, self.settings, checker)
        action_item_rules.check(pm, self.settings, self.today, checker)

    def check_times(self, pm: Postmortem, checker: Checker) -> None:
        known = [(name, getattr(pm, name)) for name in _MOMENTS if getattr(pm, name)]
        for (before, earlier), (after, later) in itertools.pairwise(known):
            if later < earlier:
                message = f"'{after}' ({later.isoformat()}) is before '{before}' ({earlier.isoformat()})"
                checker.error((after,), message + ": times cannot go backwards", "times")
        moments = [e.at for e in pm.timeline]
        for i, (prev, at) in enumerate(itertools.pairwise(moments), start=1):
            if isinstance(prev, datetime) and isinstance(at, datetime) and at < prev:
                message = f"timeline[{i}] ({at.isoformat()}) is before the entry above it; keep the timeline in order"
                checker.report("warning", ("timeline", i), message, "times")

    # --- across files ---------------------------------------------------------------

    def check_across(self, parsed: list[_Parsed]) -> list[Postmortem]:
        """Duplicate ids and unknown related ids; a file with any error gets no page."""
        first: dict[str, Postmortem] = {}
        for pm, _tree, _ok in parsed:
            first.setdefault(pm.slug, pm)
        valid = []
        for pm, tree, ok in parsed:
            errors = []
            owner = first[pm.slug]
            if owner is not pm:
                errors.append(
                    Problem(
                        pm.source,
                        tree.line(("id",)),
                        "error",
                        f"duplicate id {pm.slug!r}: {owner.source} has it already",
                        "duplicate-id",
                    )
                )
            for i, rid in enumerate(pm.related):
                if rid not in first:
                    errors.append(
                        Problem(
                            pm.source,
                            tree.line(("related", i)),
                            "error",
                            f"related id {rid!r} does not exist" + did_you_mean(rid, first),
                            "related-id",
                        )
                    )
            self.problems += errors
            if ok and not errors:
                valid.append(pm)
        self.problems += action_item_rules.repeated_titles((pm, tree) for pm, tree, _ in parsed)
        return valid


def _without_examples(front: object, checker: Checker) -> object:
    """The front matter with the template's example texts left unwritten: a summary that
    still reads "Two or three sentences: ..." is not a summary, and must not tick the
    review checklist or pass as a published one's. Past the draft stage each is also a
    warning; a draft is still being written."""
    if not isinstance(front, dict):
        return front
    found = []
    for key, example in template_examples().items():
        *parents, last = key
        holder: object = front
        for part in parents:
            holder = holder.get(part) if isinstance(holder, dict) else None
        value = holder.get(last) if isinstance(holder, dict) else None
        if isinstance(value, str) and " ".join(value.split()) == example:
            found.append(key)
    if not found:
        return front
    front = copy.deepcopy(front)
    for key in found:
        *parents, last = key
        holder = front
        for part in parents:
            holder = holder[part]
        holder[last] = ""
        if front.get("status") != "draft":
            message = f"'{show(key)}' still holds the template's example text; write this part"
            checker.report("warning", key, message, "template-text")
    return front


def _reserved(what: str, url: str) -> str:
    return f"{what} is reserved: {url} is the site's own; choose another name"


def _distinct_names(names: list[str], key: str, checker: Checker) -> list[str]:
    """``names`` once each: two services or teams that share a page (``Checkout``,
    ``checkout``), or two tags that differ only in case, count once.

    A service or team with no letter or digit has no page name, and one whose page name is
    reserved would replace a page of the site: both are errors.
    """
    paged = key in _PAGED
    kept: dict[str, str] = {}  # page name (tags: the name in any case) -> the name as first written
    for i, name in enumerate(names):
        same = slugify(name) if paged else name.casefold()
        loc: Location = (key, i)
        if paged and not same:
            checker.error(loc, f"'{show(loc)}': {name!r} has no letter or digit to name its page by", "names")
        elif paged and same in RESERVED:
            checker.error(loc, _reserved(f"'{show(loc)}': {name!r}", f"/{key}/{same}/"), "reserved-name")
        elif same in kept:
            message = f"'{show(loc)}': {name!r} and {kept[same]!r} are the same {_NAME_LISTS[key]}: listed once"
            checker.report("warning", loc, message, "names")
        else:
            kept[same] = name
    return list(kept.values())


def _one_spelling(postmortems: list[Postmortem], trees: dict[int, Tree]) -> tuple[list[Postmortem], list[Problem]]:
    """``postmortems`` (in file order) with each service and team spelled as the first of
    them spelled it: one name per page, on every page, chart and filter that shows it, and
    in the JSON API. And a warning where another file spells one differently."""
    first: dict[tuple[str, str], tuple[str, str]] = {}  # (key, slug) -> (name, file)
    spelled, problems = [], []
    for pm in postmortems:
        changed = {}
        for key in _PAGED:
            names = []
            for name in getattr(pm, key):
                seen, source = first.setdefault((key, slugify(name)), (name, pm.source))
                if seen != name:
                    message = (
                        f"'{key}': {_NAME_LISTS[key]} {name!r} is written {seen!r} in {source}; both are the page "
                        f"/{key}/{slugify(name)}/: write them the same way"
                    )
                    problems.append(Problem(pm.source, trees[id(pm)].line((key,)), "warning", message, "one-spelling"))
                names.append(seen)
            if names != getattr(pm, key):
                changed[key] = names
        spelled.append(dataclasses.replace(pm, **changed) if changed else pm)
    return spelled, problems


def _listed_causes(catalog: Catalog, included: list[Postmortem], allowed: frozenset[str]) -> dict[str, Cause]:
    """The causes a build lists: those its postmortems name, and those the catalog marks
    for its audience. A cause that only restricted postmortems name leaves no trace in a
    public build. When the catalog could not be read, each named key stands for itself."""
    named = {key: None for pm in included for key in pm.cause_keys}  # a set in a fixed order
    if catalog.causes is None:
        return {key: Cause(title=key) for key in named}
    return {
        key: cause
        for key, cause in catalog.causes.items()
        if key in named or (cause.visibility is not None and cause.visibility in allowed)
    }
