"""Writing a set of files into a folder that other people's files share: ``kb export``'s output.

A manifest in the folder (``MANIFEST``) lists each file the last export wrote, with a
digest of what it wrote. A file is the export's own while it is listed and still holds
what was written: the next export replaces it, or deletes it when the library no longer
has it. Any other file is someone else's: a file that is not listed, and a listed one
that was edited since. It is never written over nor deleted; a new export that would
write over one stops before writing anything, and says which.

Before writing, the manifest lists what is about to be written as ``pending``: an export
that is interrupted leaves files that the next one still knows as its own.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from kb.format.problems import UserError

MANIFEST = ".kb-export.json"
_FORMAT = 1  # the manifest's own version: a later one may read an older one


@dataclass
class Outcome:
    """What a write did, path by path (relative to the folder, ``/``-separated)."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # the export's once, edited since: left as they are


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _read_manifest(folder: Path) -> dict[str, set[str]]:
    """Each path the export wrote, with the digests it may hold as the export's own."""
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise UserError(f"{path} cannot be read ({exc}); remove it, and the files it listed, to export again") from None
    owned: dict[str, set[str]] = {}
    for key in ("files", "pending"):
        for rel, digest in data.get(key, {}).items():
            # The manifest is a file in the repository like any other: one that names a
            # path outside the folder must not make an export delete it.
            if _inside(rel):
                owned.setdefault(rel, set()).add(digest)
    return owned


def _inside(rel: str) -> bool:
    """Whether ``rel`` is a plain relative path that stays inside the folder."""
    parts = PurePosixPath(rel).parts
    return bool(parts) and not PurePosixPath(rel).is_absolute() and ".." not in parts and "\\" not in rel


def _write_manifest(folder: Path, files: dict[str, str], pending: dict[str, str] | None = None) -> None:
    data: dict[str, object] = {"format": _FORMAT, "tool": "kb export", "files": dict(sorted(files.items()))}
    if pending:
        data["pending"] = dict(sorted(pending.items()))
    (folder / MANIFEST).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def _on_disk(path: Path) -> str | None:
    """The digest of the file at ``path``, or ``None`` if there is none."""
    try:
        return _digest(path.read_bytes())
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return "a folder"


def write_owned(folder: Path, files: dict[str, bytes]) -> Outcome:
    """Make ``folder`` hold ``files`` (relative path -> content) as the export's own, and
    no longer any file of an earlier export that ``files`` lacks. ``UserError``, before
    anything is written, if that would write over a file that is not the export's."""
    folder.mkdir(parents=True, exist_ok=True)
    owned = _read_manifest(folder)
    disk = {rel: _on_disk(folder / rel) for rel in {*files, *owned}}
    # The export's own files, as they are now.
    mine = {rel: digest for rel, digest in disk.items() if digest is not None and digest in owned.get(rel, set())}
    clashes = sorted(rel for rel in files if disk[rel] is not None and rel not in mine)
    if clashes:
        shown = ", ".join(clashes[:5]) + (f" and {len(clashes) - 5} more" if len(clashes) > 5 else "")
        raise UserError(
            f"{folder}: {len(clashes)} files that kb export did not write, or that were edited since, are where it "
            f"writes: {shown}. Move them away, or export into another folder; nothing was written"
        )
    digests = {rel: _digest(content) for rel, content in files.items()}
    outcome = Outcome()
    _write_manifest(folder, mine, pending=digests)
    for rel, content in sorted(files.items()):
        if disk[rel] == digests[rel]:  # left alone: a site generator's incremental build sees no change
            outcome.unchanged.append(rel)
            continue
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        outcome.written.append(rel)
    for rel in sorted(set(owned) - set(files)):
        if rel in mine:
            (folder / rel).unlink()
            outcome.removed.append(rel)
            _remove_empty_parents(folder, rel)
        elif disk[rel] is not None:
            outcome.kept.append(rel)
    _write_manifest(folder, digests)
    return outcome


def _remove_empty_parents(folder: Path, rel: str) -> None:
    """The folders that held ``rel``, up to ``folder``, while they are empty."""
    parent = (folder / rel).parent
    while parent != folder:
        try:
            parent.rmdir()
        except OSError:  # not empty: someone else's files, or the export's
            return
        parent = parent.parent
