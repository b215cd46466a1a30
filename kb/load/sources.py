"""Finding postmortem files and splitting them into front matter and body."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kb.format.yamltree import Tree, YamlProblem, parse

# A postmortem is prose plus a page of YAML; anything this big is a mistake (or an
# attack) and would slow every build.
MAX_FILE_BYTES = 1_000_000
DATA_FILES = ("causes.yml", "reading.yml")
# A data file is one per library, and a large company's cause catalog has thousands of
# entries: room for 50,000 causes of a few lines each.
MAX_DATA_FILE_BYTES = 20_000_000
MAX_DATA_VALUES = 250_000
MAX_DATA_CHARS = 20_000_000  # in its keys and values, aliases expanded


class SourceProblem(Exception):
    """A file that cannot be read as a postmortem, with the line to point at."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Source:
    """One postmortem file as read from disk."""

    path: Path  # absolute
    rel: str  # as shown in messages: relative to the project folder
    tree: Tree
    body: str
    body_line: int  # line of the body's first line in the file


def discover(source_dir: Path) -> Iterator[Path]:
    """Every postmortem file under ``source_dir``, in a stable order: a folder's files by
    name, then its folders by name.

    Names starting with ``_`` and ``README.md`` are not postmortems. Symbolic links are
    not followed out of the folder: a link is only read if it resolves inside it, and a
    linked folder is not entered. A folder that cannot be listed is left out.
    """
    return (Path(name) for name in discover_names(source_dir))


def discover_names(source_dir: Path) -> Iterator[str]:
    """``discover``'s files as absolute path strings: for a caller that only stats them
    (``kb search`` on an unchanged library), making a ``Path`` of each costs more."""
    root = source_dir.resolve()
    return _walk(str(root), root)


def _walk(folder: str, root: Path) -> Iterator[str]:
    # os.scandir, not os.walk: each entry says whether it is a link without another
    # system call, which matters for every file of an unchanged library.
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return
    folders = []
    for entry in entries:
        name = entry.name
        if entry.is_dir():
            if not entry.is_symlink() and not name.startswith(("_", ".")):
                folders.append(entry.path)
        elif (
            name.endswith(".md")
            and not name.startswith(("_", "."))
            and name != "README.md"
            and (not entry.is_symlink() or Path(entry.path).resolve().is_relative_to(root))
        ):
            yield entry.path
    for path in folders:
        yield from _walk(path, root)


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, unless it is larger than ``limit`` (that of a postmortem)."""
    try:
        if path.stat().st_size > limit:
            raise SourceProblem(f"file is larger than {limit:,} bytes, the limit for this file; split it or trim it")
        return path.read_bytes()
    except OSError as exc:
        raise SourceProblem(f"cannot read file: {exc.strerror}") from None


def read_text(path: Path, data: bytes | None = None) -> str:
    """The file's text (from ``data`` if it was read already): UTF-8, byte-order mark
    dropped, line ends made ``\\n``."""
    if data is None:
        data = read_bytes(path)
    if b"\0" in data:
        raise SourceProblem("binary file: a postmortem must be UTF-8 text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceProblem(f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8", line) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_source(path: Path, rel: str, data: bytes | None = None) -> Source:
    """Read one postmortem (from ``data`` if it was read already): front matter fenced
    by ``---`` lines, then the body."""
    text = read_text(path, data)
    if not text.strip():
        raise SourceProblem("empty file: a postmortem starts with front matter between '---' lines")
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        raise SourceProblem("no front matter: the file must start with a '---' line")
    index = next((i for i, line in enumerate(lines[1:], start=1) if line.rstrip() in ("---", "...")), None)
    if index is None:
        raise SourceProblem("front matter is not closed: add a '---' line after it")
    try:
        tree = parse("\n".join(lines[1:index]), first_line=2)
    except YamlProblem as exc:
        raise SourceProblem(exc.message, exc.line) from None
    return Source(path, rel, tree, "\n".join(lines[index + 1 :]), index + 2)


def read_data_file(path: Path) -> Tree:
    """Read ``causes.yml`` or ``reading.yml`` keeping line numbers."""
    try:
        data = read_bytes(path, MAX_DATA_FILE_BYTES)
        return parse(read_text(path, data), max_values=MAX_DATA_VALUES, max_chars=MAX_DATA_CHARS)
    except YamlProblem as exc:
        raise SourceProblem(exc.message, exc.line) from None
