"""What the worker process sends the build, one dataclass per kind of message."""

from __future__ import annotations

from dataclasses import dataclass

from kb.checks.library import CheckedFile
from kb.load.cache import CacheKey
from kb.render.deferred import Rendered
from kb.search.engine import UpdateStats


@dataclass(frozen=True)
class CheckedFiles:
    """Files it checked from the end of the library while the build read from the front."""

    files: list[tuple[CacheKey, CheckedFile]]


@dataclass(frozen=True)
class Loaded:
    """It read the library whose digest this is (``Library.sources``): the build compares."""

    sources: bytes


@dataclass(frozen=True)
class RenderedPages:
    """Pages of the plan, by path, without the Markdown the plan has already."""

    pages: list[tuple[str, Rendered]]


@dataclass(frozen=True)
class DataFiles:
    """What the data stage makes: files for the site, the index update, the time of each stage."""

    files: dict[str, str]  # site path -> content
    index: UpdateStats | None  # None: the site does not publish the index, so the build left it alone
    seconds: dict[str, float]
    search: list[dict[str, object]]  # entries for the site's search box (kb.site.search_entries)


@dataclass(frozen=True)
class Failed:
    """Its part of the build stopped: the build does the rest itself."""

    why: str


Message = CheckedFiles | Loaded | RenderedPages | DataFiles | Failed
