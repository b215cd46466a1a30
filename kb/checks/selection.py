"""``kb lint FILE...`` and ``--changed-only``: what a lint of the whole library reports in
some files, from those files and the few others the rules across files tie them to.

A file's own checks need nothing else. The rules across files (``library.check_across``,
``_one_spelling``, ``action_item_rules.repeated_titles``, ``links.resolve``) need, for a
file F:

- every file with F's id (the first one keeps it), and with each id F names in ``related``;
- for each service and team page of F, the first file before F that shows that page
  (published: no error, in this build's audience): its spelling is the page's;
- for each open action item of F, the first file before F with that title open;
- the files F's narrative links to, by path or by id.

Those are found by their text first (an id, a name or a title anywhere in a file's front
matter), which is cheap, and only the files found are read and checked. Each
file added brings the files with its id and its related ids, so whether it is published
is decided as in the whole library. ``load(only=...)`` then applies every rule to that
small library. What would need the whole library (a "did you mean" among every id, a
link that does not resolve, a changed cause catalog or reading list) reads the whole
library instead. A page's first file that turns out to have an error from a rule across
files is passed over for the next one, a few times, before the whole library is read.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import slugify as python_slugify

from kb.checks import links
from kb.checks.library import CheckedFile, Facts, FileReader, Library, load
from kb.format.model import Postmortem
from kb.format.problems import Problem
from kb.format.settings import Settings
from kb.format.urls import slugify
from kb.load.cache import ParseCache
from kb.load.sources import DATA_FILES, discover

_WORD = re.compile(r"\w+")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# Rules whose message looks at the whole library ("did you mean" among every id or file).
_WHOLE_LIBRARY_RULES = frozenset({"related-id", links.MISSING})
# Times a page's first file may turn out to have an error from a rule across files, before
# the whole library is read instead.
MAX_ROUNDS = 4


@dataclass(frozen=True)
class Selection:
    """The problems a whole lint reports in the files asked about, and what was read."""

    library: Library  # of the files read (all of them when ``whole``)
    problems: list[Problem]
    asked: list[str]  # the postmortems checked, as problems name them: those asked about, or all
    ignored: list[str]  # those that are not: a full lint reports nothing in them either
    whole: bool  # the whole library was read


def lint_files(settings: Settings, project_dir: Path, paths: Iterable[Path]) -> Selection:
    """The problems ``load`` finds in ``paths`` (and the duplicate-id errors of the files that
    share an id with one of them: whichever comes second has it), reading as little else as
    the rules across files allow."""
    source_dir = settings.source_dir(project_dir)
    files = list(discover(source_dir)) if source_dir.is_dir() else []
    library = _Files(settings, project_dir, files)
    asked: list[Path] = []
    ignored, data_changed = [], False
    for path in paths:
        where = _where(path)
        if where in library.position:
            if where not in asked:  # given twice, checked once
                asked.append(where)
        elif path.name in DATA_FILES and where.parent == source_dir.resolve():
            data_changed = True  # every file's checks read the cause catalog, the reading list names ids
        else:
            ignored.append(str(path))
    if data_changed:
        whole = load(settings, project_dir, library.cache)
        return Selection(whole, whole.problems, [library.rel(path) for path in files], ignored, whole=True)
    names = [library.rel(path) for path in asked]
    subset, chosen = _small_library(settings, project_dir, library, asked)
    whole = subset is None
    if subset is None:
        subset = load(settings, project_dir, library.cache)
    # The files that share an id with one asked about: whichever comes second has the error.
    shared = {library.rel(path) for path in chosen if library.slug(path) in library.asked_ids}
    problems = [p for p in subset.problems if p.path in names or (p.rule == "duplicate-id" and p.path in shared)]
    return Selection(subset, problems, names, ignored, whole)


def _small_library(
    settings: Settings, project_dir: Path, library: _Files, asked: list[Path]
) -> tuple[Library | None, set[Path]]:
    """The library of the files ``asked`` need, and those files; ``None`` when only the whole
    library gives what it gives."""
    names = {library.rel(path) for path in asked}
    chosen: set[Path] = set()
    for _round in range(MAX_ROUNDS):
        chosen = library.needed(asked)
        subset = load(settings, project_dir, library.cache, only={library.rel(path) for path in chosen})
        if any(p.path in names and p.rule in _WHOLE_LIBRARY_RULES for p in subset.problems):
            return None, chosen
        # A page's first file may have an error from a rule across files: the next one is looked for.
        published = {pm.source for pm in subset.postmortems}
        unpublished = {path for path in library.first_shown if library.rel(path) not in published}
        if not unpublished:
            return subset, chosen
        library.unpublished |= unpublished
    return None, chosen


def _where(path: Path) -> Path:
    """``path`` absolute as ``discover`` writes it: its folder resolved, a link itself kept."""
    return path.absolute().parent.resolve() / path.name


class _Files:
    """Every postmortem file of the library, read as text only when a rule asks, and
    checked only when its text says it may matter."""

    def __init__(self, settings: Settings, project_dir: Path, files: list[Path]) -> None:
        self.settings = settings
        self.project_dir = project_dir
        self.files = files
        self.position = {path: i for i, path in enumerate(files)}
        self.cache: ParseCache[CheckedFile] = ParseCache()
        self.reader = FileReader(settings, project_dir, self.cache)
        self.read: dict[Path, tuple[Postmortem | None, Facts | None]] = {}
        self.asked_ids: set[str] = set()
        self.first_shown: list[Path] = []  # for each page of an asked file, the first file before it to show it
        self.unpublished: set[Path] = set()  # files found to have an error from a rule across files
        self.rel = self.reader.rel

    def check(self, path: Path) -> tuple[Postmortem | None, Facts | None]:
        if path not in self.read:
            _rel, pm, facts = self.reader.read(path)
            self.read[path] = (pm, facts)
        return self.read[path]

    def slug(self, path: Path) -> str | None:
        facts = self.check(path)[1]
        return facts.slug if facts else None

    @functools.cached_property
    def fronts(self) -> list[str]:
        """Each file's front matter (up to its closing ``---``), in lower case."""
        found = []
        for path in self.files:
            try:
                data = path.read_bytes()
            except OSError:
                data = b""
            end = data.find(b"\n---", 3)
            found.append(data[: end if end > 0 else len(data)].decode("utf-8", "replace").lower())
        return found

    @functools.cache  # noqa: B019 (for one selection)
    def page_text(self, index: int) -> str:
        """A front matter spelled as page names are (``slugify``): a service or team's page
        name is in it, as written, however YAML quotes or folds the name."""
        front = self.fronts[index]
        # Plain ASCII spelled as python-slugify spells it (no entity to decode, nothing to transliterate), faster.
        if front.isascii() and "&" not in front:
            return _NOT_SLUG.sub("-", front.replace("'", ""))
        return python_slugify.slugify(front, max_length=0)

    @functools.cache  # noqa: B019 (for one selection)
    def title_text(self, index: int) -> str:
        """A front matter as titles are compared: words, one space apart, without quotes."""
        return _unquoted(self.fronts[index])

    def holders(self, slug: str) -> list[Path]:
        """The files with id ``slug`` (written in the file, or its file name)."""
        if not slug:
            return []
        written = slug.lower()
        return [
            path
            for path, front in zip(self.files, self.fronts, strict=True)
            if (path.stem == slug or written in front) and (facts := self.check(path)[1]) and facts.slug == slug
        ]

    def first_before(self, limit: Path, found: Callable[[int], bool], fits: Callable[[Path], bool]) -> Path | None:
        """The first file before ``limit`` whose text ``found`` and that ``fits``."""
        for index in range(self.position[limit]):
            if found(index) and fits(self.files[index]):
                return self.files[index]
        return None

    def needed(self, asked: list[Path]) -> set[Path]:
        """The files whose checks decide what a whole lint reports in ``asked``."""
        chosen: set[Path] = set()
        self.first_shown = []

        def add(path: Path) -> None:
            todo = [path]
            while todo:
                path = todo.pop()
                if path in chosen:
                    continue
                chosen.add(path)
                pm, facts = self.check(path)
                if pm is not None and facts is not None:
                    for slug in (facts.slug, *facts.related):
                        todo += self.holders(slug)

        for path in asked:
            add(path)
            pm, facts = self.check(path)
            if pm is None or facts is None:
                continue
            self.asked_ids.add(facts.slug)
            for key in ("services", "teams"):
                for name in getattr(pm, key):
                    page = slugify(name)
                    first = self.first_before(path, self.page_in(page), self.shows(key, page))
                    if first is not None:
                        self.first_shown.append(first)
                        add(first)
            for title in _open_titles(pm):
                first = self.first_before(path, self.title_in(title), self.has_open(title))
                if first is not None:
                    add(first)
            for link in links.find(pm.body, pm.body_line):
                # A link to a postmortem: its file, or its bare id (as ``links`` resolves them).
                if link.path.endswith(".md") or ("/" not in link.path and "." not in link.path):
                    name = posixpath.basename(link.path).removesuffix(".md")
                    for target in [*self.holders(name), *(p for p in self.files if p.stem == name)]:
                        add(target)
        return chosen

    def shows(self, key: str, page: str) -> Callable[[Path], bool]:
        """Whether a file is published, in this build's audience, with that service or team page."""

        def fits(path: Path) -> bool:
            pm, facts = self.check(path)
            published = facts and facts.published(self.settings.audience) and path not in self.unpublished
            return bool(pm and published and page in map(slugify, getattr(pm, key)))

        return fits

    def page_in(self, page: str) -> Callable[[int], bool]:
        """Whether a file's front matter may name a service or team with that page."""
        words = page.split("-")

        def found(index: int) -> bool:
            front = self.fronts[index]
            # Most files lack a word of it, which costs less to see than spelling the file as a page name.
            if front.isascii() and not all(word in front.replace("'", "") for word in words):
                return False
            return page in self.page_text(index)

        return found

    def title_in(self, title: str) -> Callable[[int], bool]:
        """Whether a file's front matter may have ``title``: as written, or, where YAML may
        have escaped a character (a backslash), word by word."""
        written, words = _unquoted(title), _WORD.findall(title)

        def found(index: int) -> bool:
            text = self.title_text(index)
            return written in text if "\\" not in self.fronts[index] else all(word in text for word in words)

        return found

    def has_open(self, title: str) -> Callable[[Path], bool]:
        def fits(path: Path) -> bool:
            pm = self.check(path)[0]
            return pm is not None and title in _open_titles(pm)

        return fits


def _unquoted(text: str) -> str:
    # YAML writes a quote in a quoted value twice ('it''s'): compared without any.
    return " ".join(text.lower().replace("'", "").replace('"', "").split())


def _open_titles(pm: Postmortem) -> list[str]:
    """Its open action items' titles, as ``repeated_titles`` compares them."""
    return [" ".join(item.title.lower().split()) for item in pm.action_items if item.title and not item.closed]
