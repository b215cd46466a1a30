"""``kb search``'s index, kept in step with the library without reading it when nothing changed.

Next to the engine's index, a manifest notes each postmortem file's size and modification
time (as ``git status`` tells a changed file), what the rules across files need of it
(:class:`kb.checks.library.Facts`) and the digest of its document in the index; plus a digest of
everything else the checks and the indexed documents depend on (the settings, the date
they are checked for, the cause catalog and reading list, this tool's version) and the
index's stamp. A query then:

- finds every file as noted, and the rest the same: searches at once, reading nothing;
- finds some files added, changed or gone: reads those alone and writes what changed in
  the index, when the rules across files cannot make the others change (``_independent``);
- else (anything global changed, the index was written by someone else, no manifest):
  reads and checks the whole library, as every other command does, and updates the index
  from it (the engine writes only documents whose content changed).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from kb import __version__
from kb.checks.library import Facts, Library, read_files
from kb.format.settings import Settings
from kb.format.urls import slugify
from kb.load.sources import DATA_FILES, discover_names
from kb.search.choice import engine_for
from kb.search.engine import Progress, SearchEngine, document

# Bump when what the manifest holds, or what it means, changes: an older one is then ignored.
MANIFEST_VERSION = 1
# A file modified this close to when its stats were taken may change again within the same
# tick of a coarse file system clock, keeping its stats: it is noted as changed, to be read
# again next time, as git does with such "racy" files.
RACY_NS = 2_000_000_000

# Starts a progress bar: its label and total, and gives what to tell of each step.
Meter = Callable[[str, int], AbstractContextManager[Progress | None]]
# Reads and checks the whole library (``kb.checks.library.load``), telling ``progress`` of each file.
Load = Callable[[Settings, Path, Progress | None], Library]
Stats = tuple[int, int]  # size, modification time in nanoseconds


@dataclass(frozen=True)
class Entry:
    """What the manifest notes of one postmortem file."""

    stats: Stats
    facts: Facts | None  # None: it cannot be read as a postmortem
    digest: str | None  # its postmortem's in the index, under ``facts.slug``; None: not there

    def as_json(self) -> list[object]:
        return [*self.stats, self.digest, self.facts]

    @classmethod
    def from_json(cls, value: list) -> Entry:
        size, mtime, digest, facts = value
        if facts is not None:
            slug, ok, visibility, related, names = facts
            facts = Facts(slug, ok, visibility, tuple(related), tuple((key, name) for key, name in names))
        return cls((size, mtime), facts, digest)


@dataclass(frozen=True)
class Fresh:
    """An index in step with the library, and where each postmortem in it comes from."""

    engine: SearchEngine
    sources: dict[str, str]  # postmortem id -> its file, as problems name it


def fresh_index(
    settings: Settings, project_dir: Path, load: Load, meter: Meter | None = None, refresh: bool = False
) -> Fresh:
    """The engine ``settings`` choose, its index brought in step with the library
    (``refresh``: by reading all of it)."""
    meter = meter or (lambda _label, _total: nullcontext(None))
    engine = engine_for(settings, settings.cache_path(project_dir))
    manifest = engine.directory.with_name(f"{engine.directory.name}.manifest.json")
    started = time.time_ns()
    files = _stats(settings.source_dir(project_dir), project_dir)
    state = _state(settings, project_dir, engine)
    noted = None if refresh else _read(manifest, state, engine.stamp())
    entries = None
    if noted is not None:
        # Compared as noted, in JSON: making an ``Entry`` of each costs more than the rest.
        changed = [rel for rel, (_name, stats) in files.items() if noted.get(rel, [None])[:2] != list(stats)]
        gone = [rel for rel in noted if rel not in files]
        if not changed and not gone:
            return Fresh(engine, _sources(noted))
        noted_entries = {rel: Entry.from_json(value) for rel, value in noted.items()}
        entries = _partial(settings, project_dir, engine, meter, files, noted_entries, changed, gone)
    if entries is None:
        entries = _full(settings, project_dir, engine, meter, load, files)
    written = _write(manifest, state, engine.stamp(), entries, started - RACY_NS)
    return Fresh(engine, _sources(written))


def _stats(source_dir: Path, project_dir: Path) -> dict[str, tuple[str, Stats]]:
    """Every postmortem file, by its path as problems name it, with its stats."""
    if not source_dir.is_dir():
        return {}
    # As ``kb.checks.library`` names a file: relative to the project folder when inside it
    # (by slicing strings: pathlib's relative_to is slow enough to matter here).
    inside = os.path.join(project_dir.resolve(), "")
    found = {}
    for name in discover_names(source_dir):
        with contextlib.suppress(OSError):  # gone meanwhile: as if it had not been found
            stat = os.stat(name)
            rel = name[len(inside) :] if name.startswith(inside) else name
            found[rel.replace(os.sep, "/")] = (name, (stat.st_size, stat.st_mtime_ns))
    return found


def _state(settings: Settings, project_dir: Path, engine: SearchEngine) -> str:
    """A digest of what every file's checks and document depend on besides the file."""
    source_dir = settings.source_dir(project_dir)
    data = []
    for name in DATA_FILES:  # the cause catalog, the reading list
        try:
            stat = (source_dir / name).stat()
            data.append((name, stat.st_size, stat.st_mtime_ns))
        except OSError:
            data.append((name, None, None))
    # The date, for ``today`` unset: action items' checks depend on it.
    facts = (MANIFEST_VERSION, __version__, settings, settings.build_date(), str(source_dir), data, engine.directory)
    return hashlib.blake2b(repr(facts).encode(), digest_size=16).hexdigest()


def _read(manifest: Path, state: str, stamp: str | None) -> dict[str, list] | None:
    """The manifest's entries as JSON (``Entry.as_json``), if it is there and still
    describes this state of the index."""
    try:
        noted = json.loads(manifest.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(noted, dict) or noted.get("state") != state or stamp is None or noted.get("stamp") != stamp:
        return None
    files = noted.get("files")
    return files if isinstance(files, dict) else None


def _write(manifest: Path, state: str, stamp: str | None, entries: dict[str, Entry], racy: int) -> dict[str, list]:
    """Note ``entries``, those modified after ``racy`` with a time no file has; and
    return them as noted."""
    files = {
        rel: (entry if entry.stats[1] < racy else dataclasses.replace(entry, stats=(entry.stats[0], -1))).as_json()
        for rel, entry in entries.items()
    }
    # Written whole, then renamed into place: a reader sees the old manifest or the new one.
    partial = manifest.with_name(f"{manifest.name}.{os.getpid()}")
    partial.write_text(json.dumps({"state": state, "stamp": stamp, "files": files}), encoding="utf-8")
    partial.replace(manifest)
    return files


def _sources(noted: dict[str, list]) -> dict[str, str]:
    """Postmortem id -> file, for those in the index (with a digest), from entries as noted."""
    return {facts[0]: rel for rel, (_size, _mtime, digest, facts) in noted.items() if digest}


def _full(
    settings: Settings,
    project_dir: Path,
    engine: SearchEngine,
    meter: Meter,
    load: Load,
    files: dict[str, tuple[str, Stats]],
) -> dict[str, Entry]:
    """Read and check the whole library, and bring the index in step with it."""
    with meter("reading", len(files)) as progress:
        library = load(settings, project_dir, progress)
    documents = [document(pm) for pm in library.postmortems]
    with meter("indexing", len(documents)) as progress:
        engine.update_documents(documents, progress)
    indexed = {pm.source: doc["digest"] for pm, doc in zip(library.postmortems, documents, strict=True)}
    # Stats taken before reading: a file changed meanwhile is read again next time.
    return {rel: Entry(stats, library.facts.get(rel), indexed.get(rel)) for rel, (_path, stats) in files.items()}


def _partial(
    settings: Settings,
    project_dir: Path,
    engine: SearchEngine,
    meter: Meter,
    files: dict[str, tuple[str, Stats]],
    noted: dict[str, Entry],
    changed: list[str],
    gone: list[str],
) -> dict[str, Entry] | None:
    """Read the changed files alone and write what changed in the index; ``None`` when
    that might not give what reading the whole library gives."""
    with meter("reading", len(changed)) as progress:
        read = read_files(settings, project_dir, [Path(files[rel][0]) for rel in changed], progress)
    entries = {rel: entry for rel, entry in noted.items() if rel not in gone}
    written, published = [], set()
    for rel, pm, facts in read:
        doc = document(pm) if pm and facts and facts.published(settings.audience) else None
        entries[rel] = Entry(files[rel][1], facts, doc["digest"] if doc else None)
        if doc:
            published.add(doc["id"])
            # Unless its stats changed and not what it says (the digest covers the id too).
            if rel not in noted or noted[rel].digest != doc["digest"]:
                written.append(doc)
    before = [noted[rel].facts for rel in [*changed, *gone] if rel in noted]
    after = [facts for _rel, _pm, facts in read]
    if not _independent(before, after, noted.values(), entries.values()):
        return None
    was = {noted[rel].facts.slug for rel in [*changed, *gone] if rel in noted and noted[rel].digest}
    with meter("indexing", len(written)) as progress:
        engine.write(written, sorted(was - published), progress)
    return entries


def _independent(
    before: Iterable[Facts | None],
    after: Iterable[Facts | None],
    then: Iterable[Entry],
    now: Iterable[Entry],
) -> bool:
    """Whether the files that went from ``before`` to ``after`` (the library going from
    ``then`` to ``now``) are published by their own facts alone, and leave every other
    file published as it was. The rules across files (``kb.checks.library``) that could
    make it otherwise, each ruled out rather than applied again here:

    - duplicate ids (the first file keeps it, the others get an error): none of their ids
      (before or after) is held by two files, before or after;
    - related ids (each must be some file's id): none of them names any, and no file names
      theirs; they are rare, so a full read then costs little;
    - one spelling per service and team page (the first file's wins): before, every file
      spells each of theirs the same way, and after too.

    Anything else across files (links between narratives, the reading list, repeated
    action item titles, items that disagree with the tracker snapshot) gives problems
    only, which ``kb search`` does not show; and no document holds a ticket's state, so
    the snapshot is not part of ``_state`` either.
    """
    mine = [facts for facts in [*before, *after] if facts is not None]
    if any(facts.related for facts in mine):
        return False
    ids = {facts.slug for facts in mine}
    pages = {(key, slugify(name)) for facts in mine for key, name in facts.names}
    for library in (then, now):
        everyone = [entry.facts for entry in library if entry.facts is not None]
        held = [facts.slug for facts in everyone if facts.slug in ids]
        if len(held) != len(set(held)) or any(ids.intersection(facts.related) for facts in everyone):
            return False
        spellings: dict[tuple[str, str], set[str]] = {}
        for facts in everyone:
            for key, name in facts.names:
                if (key, slugify(name)) in pages:
                    spellings.setdefault((key, slugify(name)), set()).add(name)
        if any(len(names) > 1 for names in spellings.values()):
            return False
    return True
