"""Links and images in narratives: found, resolved to the site's pages and files, or reported.

A writer links another postmortem the way the repository shows it, by a relative path
to its file (``[the 2024 incident](../2024/2024-03-12-checkout-db-pool.md)``), which the
repository host's preview follows too; or by its bare id. Neither is where its page is
on the site (``/postmortems/<id>/``), so each is resolved here, and the page's Markdown
gets the site's path (``kb.pages.postmortem``). A file next to a postmortem (a graph, a
log excerpt) is published with its page. What does not resolve is a warning at its
line, found by ``load``, so ``kb lint`` and a build report the same links.

Links are found in the Markdown text (``](target)`` and reference definitions ``[x]:
target``), outside code; a link written as raw HTML is left to the author.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from kb.format.model import Postmortem
from kb.format.problems import Problem, did_you_mean
from kb.format.urls import postmortem as postmortem_page

# An inline link's or image's destination, after "](": "<any text>" or text without
# spaces, with balanced parentheses one deep (``wiki/Foo_(bar)``); then an optional title
# and the closing parenthesis, without which Markdown writes it as text.
_INLINE = re.compile(
    r"(?<!\\)\]\([ \t]*(?:<([^<>\n]*)>|([^\s()<>]+(?:\([^\s()]*\)[^\s()<>]*)*))"
    r"""(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*\)"""
)
# A reference definition, at any indentation (under a list item too); not a footnote.
_REFERENCE = re.compile(r"^[ \t]*\[(?!\^)(?:[^\[\]\\\n]|\\.)+\]:[ \t]*(?:<([^<>\n]*)>|(\S+))", re.M)
# A fence: a backtick fence's info string has no backtick (```SELECT 1``` is a code span).
_FENCE = re.compile(r"^[ \t]*(`{3,}(?=[^`]*$)|~{3,})", re.M)
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")
_INDENTED = re.compile(r"^(?: {4}|\t)")
# The files a narrative may publish with its page: ones a browser shows, never runs. An
# HTML or SVG file would run its scripts on the site's own origin, and a Markdown file
# would become a page no one checked; SVG only when every author is trusted.
PUBLISHED = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".pdf", ".txt", ".log", ".csv"})
MAX_SUGGESTIONS = 50  # broken links that get a "did you mean"
PREFIX = 7  # a "did you mean" compares names that start alike: ids start with their date, "2024-03"
# The rule of a link to a postmortem that is not there: its "did you mean" looks at every file.
MISSING = "missing-postmortem-link"
_EXTERNAL = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:|/|#)")  # a URL, an absolute path, this page


@dataclass(frozen=True)
class Link:
    """A relative link in a narrative, as written."""

    line: int  # in the file
    start: int  # where its target is in the body
    end: int
    target: str

    @property
    def path(self) -> str:
        """The file part, decoded: ``my%20graph.png#x`` -> ``my graph.png``."""
        return unquote(re.split(r"[#?]", self.target, maxsplit=1)[0])

    @property
    def rest(self) -> str:
        """The query and fragment, as written: ``#what-happened``."""
        return self.target[len(re.split(r"[#?]", self.target, maxsplit=1)[0]) :]


@dataclass(frozen=True)
class Resolved:
    """Where a link of a narrative leads on the site."""

    start: int  # the link's target in the body
    end: int
    page: str  # docs-relative: ``postmortems/<id>.md``, or a file published with the page
    rest: str  # query and fragment, as written
    to_narrative: bool  # a postmortem page: a fragment names a heading of its narrative


@dataclass
class NarrativeLinks:
    """Every narrative's links as the site has them, and the files published with pages."""

    resolved: dict[str, list[Resolved]] = field(default_factory=dict)  # by postmortem id
    files: dict[str, Path] = field(default_factory=dict)  # docs-relative path -> the file
    problems: list[Problem] = field(default_factory=list)


def find(body: str, body_line: int) -> Iterator[Link]:
    """The relative links of ``body``, whose first line is line ``body_line`` of its file,
    outside code (fenced, indented, spans) and HTML comments, where Markdown makes no link."""
    if "](" not in body and "]:" not in body:  # most narratives: one pass, no line splitting
        return
    offset, fence, comment, in_list, code, blank_before = 0, "", False, False, False, True
    for number, line in enumerate(body.splitlines(keepends=True), start=body_line):
        blank = not line.strip()
        opening = None if comment else _FENCE.match(line)
        if fence:  # inside a fence until one of the same kind, as long, closes it
            closing = opening and opening[1][0] == fence[0] and len(opening[1]) >= len(fence)
            if closing and opening and not line[opening.end() :].strip():
                fence = ""
        elif opening:
            fence = opening[1]
        elif not comment and not blank and _INDENTED.match(line) and (code or (blank_before and not in_list)):
            code = True  # an indented code block: after a blank line, outside a list
        elif not blank:
            code = False
            if not comment and not _INDENTED.match(line):
                in_list = bool(_LIST_ITEM.match(line))  # a list goes on while its lines are indented
            # What is not Markdown becomes spaces, so positions still point into the body.
            text = line
            if comment:  # a comment opened on an earlier line
                end = text.find("-->")
                comment = end < 0
                text = " " * len(text) if comment else " " * (end + 3) + text[end + 3 :]
            text = _CODE_SPAN.sub(lambda m: " " * len(m[0]), text)
            for match in _COMMENT.finditer(text):
                comment = not match[0].endswith("-->")  # only the last one can be left open
            text = _COMMENT.sub(lambda m: " " * len(m[0]), text)
            yield from _links(text, number, offset)
        blank_before = blank
        offset += len(line)


def _links(text: str, number: int, offset: int) -> Iterator[Link]:
    """The relative links of one line of text, ``offset`` characters into the body."""
    if "](" not in text and "]:" not in text:
        return
    for match in sorted((*_INLINE.finditer(text), *_REFERENCE.finditer(text)), key=lambda m: m.start()):
        group = 1 if match[1] is not None else 2
        target = match[group].strip()
        if target and not _EXTERNAL.match(target) and not target.startswith("?"):
            yield Link(number, offset + match.start(group), offset + match.end(group), target)


def resolve(
    postmortems: list[Postmortem],
    valid: set[str],
    included: set[str],
    source_dir: Path,
    source_root: str,
    trusted: bool = False,
) -> NarrativeLinks:
    """Resolve the links of every postmortem's narrative. ``postmortems`` are all those
    read, errors or not, of any audience, each with its ``source`` path as the loader
    writes paths (relative to the project folder), and ``source_root`` is the source
    folder's; ``valid`` are the ids without errors, ``included`` those this build
    publishes. Only they get resolved links and published files; every one's broken links
    are reported. ``trusted`` (every author is) lets SVG files be published too."""
    kinds = PUBLISHED | {".svg"} if trusted else PUBLISHED
    return _Resolver(postmortems, valid, included, source_dir.resolve(), source_root, kinds).run()


@dataclass
class _Resolver:
    postmortems: list[Postmortem]
    valid: set[str]
    included: set[str]
    source_dir: Path  # resolved
    source_root: str  # the source folder, written as the postmortems' ``source`` paths are
    kinds: frozenset[str]  # the file name extensions published

    def __post_init__(self) -> None:
        self.by_source = {pm.source: pm for pm in self.postmortems}
        self.by_id = {pm.slug: pm for pm in self.postmortems}
        self.result = NarrativeLinks()
        self.suggested = 0

    @functools.cached_property
    def stems(self) -> dict[str, str]:
        """Every postmortem file by its name without ``.md``: made once, for the first broken link."""
        return {posixpath.basename(source).removesuffix(".md"): source for source in self.by_source}

    @functools.cached_property
    def alike(self) -> dict[str, list[str]]:
        """The names of ``stems`` by their first ``PREFIX`` characters: a suggestion is
        looked for among a month's postmortems, not the whole library's."""
        grouped: dict[str, list[str]] = {}
        for stem in self.stems:
            grouped.setdefault(stem[:PREFIX], []).append(stem)
        return grouped

    def run(self) -> NarrativeLinks:
        for pm in self.postmortems:
            resolved = [r for link in find(pm.body, pm.body_line) if (r := self.one(pm, link))]
            if resolved and pm.slug in self.included:
                self.result.resolved[pm.slug] = resolved
        return self.result

    def one(self, pm: Postmortem, link: Link) -> Resolved | None:
        """Where ``link`` leads on the site; ``None``, and a warning, if nowhere."""
        if not link.path:  # only a query: this page
            return None
        written = f"link '{link.target}'"
        where = posixpath.normpath(posixpath.join(posixpath.dirname(pm.source), link.path))
        target = self.by_source.get(where)
        bare = "/" not in link.path and "." not in link.path
        if target is None and bare:
            target = self.by_id.get(link.path)
        if target is not None:
            if target.slug not in self.valid:
                return self.warn(pm, link, f"{written}: {target.source} has errors, so it has no page until fixed")
            if pm.slug in self.included and target.slug not in self.included:
                return self.warn(
                    pm,
                    link,
                    f"{written}: {target.slug!r} is not in this build's audience, so its page does not exist here; "
                    "link only to postmortems that every reader of this one may see",
                )
            return Resolved(link.start, link.end, postmortem_page(target.slug), link.rest, True)
        inside = posixpath.relpath(where, self.source_root) if self.source_root != "." else where
        if inside == ".." or inside.startswith("../"):
            return self.warn(pm, link, f"{written} leads outside the source folder, which the site does not publish")
        extension = posixpath.splitext(where)[1].lower()
        if extension == ".md":
            return self.warn(pm, link, f"{written}: no postmortem there" + self.fix(pm, link, where), MISSING)
        try:
            where.encode("utf-8")
            file = self.source_dir / inside
            found = file.is_file()
            escapes = found and not file.resolve().is_relative_to(self.source_dir)  # a symbolic link out
        except (OSError, ValueError, UnicodeError) as exc:  # a name too long, not UTF-8, unreadable
            return self.warn(pm, link, f"{written}: the file cannot be read ({type(exc).__name__}); rename it")
        if not found:
            if bare:
                message = f"{written}: no postmortem {link.path!r}" + self.fix(pm, link, where)
                return self.warn(pm, link, message, MISSING)
            return self.warn(pm, link, f"{written}: no file '{where}'")
        if escapes:
            return self.warn(pm, link, f"{written} leads outside the source folder, which the site does not publish")
        if extension not in self.kinds:
            kinds = ", ".join(sorted(self.kinds))
            return self.warn(pm, link, f"{written}: only these kinds of file are published with a page: {kinds}")
        page = f"postmortems/{pm.slug}/{inside}"
        if pm.slug in self.included:
            self.result.files[page] = file
        return Resolved(link.start, link.end, page, link.rest, False)

    def warn(self, pm: Postmortem, link: Link, message: str, rule: str = "link") -> None:
        self.result.problems.append(Problem(pm.source, link.line, "warning", message, rule))
        return None

    def fix(self, pm: Postmortem, link: Link, where: str) -> str:
        """The link that would work, when a postmortem has the name this one was meant to have."""
        name = posixpath.basename(where).removesuffix(".md")
        here = posixpath.dirname(pm.source)
        if other := self.by_id.get(name):
            return f"; write '{posixpath.relpath(other.source, here)}{link.rest}'"
        if name in self.stems:
            return f"; write '{posixpath.relpath(self.stems[name], here)}{link.rest}'"
        self.suggested += 1
        candidates = self.alike.get(name[:PREFIX], []) if self.suggested <= MAX_SUGGESTIONS else []
        if suggestion := did_you_mean(name, candidates):
            close = suggestion.split("'")[1]
            return f"; did you mean '{posixpath.relpath(self.stems[close], here)}{link.rest}'?"
        return ""
