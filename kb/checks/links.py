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
_REFERENCE = re.compile(r"^ {0,3}\[(?:[^\[\]\\\n]|\\.)+\]:[ \t]*(?:<([^<>\n]*)>|(\S+))", re.M)
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})", re.M)
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
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
    outside fenced code and code spans."""
    if "](" not in body and "]:" not in body:  # most narratives: one pass, no line splitting
        return
    offset, fence = 0, ""
    for number, line in enumerate(body.splitlines(keepends=True), start=body_line):
        opening = _FENCE.match(line)
        if fence:
            closing = opening and opening[1][0] == fence[0] and len(opening[1]) >= len(fence)
            if closing and opening and not line[opening.end() :].strip():
                fence = ""
        elif opening:
            fence = opening[1]
        elif "](" in line or "]:" in line:
            # Code spans keep their length, so positions still point into the body.
            text = _CODE_SPAN.sub(lambda m: " " * len(m[0]), line)
            for match in sorted((*_INLINE.finditer(text), *_REFERENCE.finditer(text)), key=lambda m: m.start()):
                group = 1 if match[1] is not None else 2
                target = match[group].strip()
                if target and not _EXTERNAL.match(target):
                    yield Link(number, offset + match.start(group), offset + match.end(group), target)
        offset += len(line)


def resolve(
    postmortems: list[Postmortem], valid: set[str], included: set[str], source_dir: Path, source_root: str
) -> NarrativeLinks:
    """Resolve the links of every postmortem's narrative. ``postmortems`` are all those
    read, errors or not, of any audience, each with its ``source`` path as the loader
    writes paths (relative to the project folder), and ``source_root`` is the source
    folder's; ``valid`` are the ids without errors, ``included`` those this build
    publishes. Only they get resolved links and published files; every one's broken links
    are reported."""
    return _Resolver(postmortems, valid, included, source_dir.resolve(), source_root).run()


@dataclass
class _Resolver:
    postmortems: list[Postmortem]
    valid: set[str]
    included: set[str]
    source_dir: Path  # resolved
    source_root: str  # the source folder, written as the postmortems' ``source`` paths are

    def __post_init__(self) -> None:
        self.by_source = {pm.source: pm for pm in self.postmortems}
        self.by_id = {pm.slug: pm for pm in self.postmortems}
        self.result = NarrativeLinks()

    def run(self) -> NarrativeLinks:
        for pm in self.postmortems:
            resolved = [r for link in find(pm.body, pm.body_line) if (r := self.one(pm, link))]
            if resolved and pm.slug in self.included:
                self.result.resolved[pm.slug] = resolved
        return self.result

    def one(self, pm: Postmortem, link: Link) -> Resolved | None:
        """Where ``link`` leads on the site; ``None``, and a warning, if nowhere."""
        where = posixpath.normpath(posixpath.join(posixpath.dirname(pm.source), link.path))
        target = self.by_source.get(where)
        bare = "/" not in link.path and "." not in link.path
        if target is None and bare:
            target = self.by_id.get(link.path)
        written = f"link '{link.target}'"
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
        file = self.source_dir / inside
        if where.endswith(".md"):
            return self.warn(pm, link, f"{written}: no postmortem there" + self.fix(pm, link, where))
        if not file.is_file():
            if bare:
                return self.warn(pm, link, f"{written}: no postmortem {link.path!r}" + self.fix(pm, link, where))
            return self.warn(pm, link, f"{written}: no file '{where}'")
        if not file.resolve().is_relative_to(self.source_dir):  # a symbolic link out of the library
            return self.warn(pm, link, f"{written} leads outside the source folder, which the site does not publish")
        page = f"postmortems/{pm.slug}/{inside}"
        if pm.slug in self.included:
            self.result.files[page] = file
        return Resolved(link.start, link.end, page, link.rest, False)

    def warn(self, pm: Postmortem, link: Link, message: str) -> None:
        self.result.problems.append(Problem(pm.source, link.line, "warning", message))
        return None

    def fix(self, pm: Postmortem, link: Link, where: str) -> str:
        """The link that would work, when a postmortem has the name this one was meant to have."""
        name = posixpath.basename(where).removesuffix(".md")
        here = posixpath.dirname(pm.source)
        if other := self.by_id.get(name):
            return f"; write '{posixpath.relpath(other.source, here)}{link.rest}'"
        stems = {posixpath.basename(source).removesuffix(".md"): source for source in self.by_source}
        if name in stems:
            return f"; write '{posixpath.relpath(stems[name], here)}{link.rest}'"
        if suggestion := did_you_mean(name, stems):
            close = suggestion.split("'")[1]
            return f"; did you mean '{posixpath.relpath(stems[close], here)}{link.rest}'?"
        return ""
