"""Quick rebuilds for ``mkdocs serve --dirty``: a saved edit shows on its page at once,
and the pages that list it follow in the next rebuild.

A rebuild of a large library is mostly the site generator writing thousands of pages,
nearly all of them the same as before. In a ``--dirty`` serve session it writes only the
pages whose parts changed (``LibraryBuild.modified``), by these rules:

- the session's first build writes every page;
- after an edit, a *quick* build writes the pages of the postmortem files that changed
  (and new pages), rendered in this process, while the worker renders the whole site on
  the other core; when it is done, it touches a file the serve session watches
  (``signal_path``), which starts the next rebuild;
- that next build, and any other, renders every page (the worker's renders, when the
  library is the one they were made from) and writes those whose digest differs from the
  one the site has. Pages that left the library are deleted from the site.

So the site is complete again after the second rebuild, and a full build is one
``mkdocs build`` (or a serve without ``--dirty``) away.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kb.format.settings import Settings
from kb.render.deferred import Rendered
from kb.site.plan import Page

SIGNAL = "serve/rendered"  # under the cache folder: the worker has rendered the whole site


def signal_path(settings: Settings, project_dir: Path) -> Path:
    """The file the worker touches when it has rendered the whole site for a quick build."""
    return settings.cache_path(project_dir) / SIGNAL


def page_digest(markdown: str, rendered: Rendered) -> bytes:
    """What the site generator makes a page from: its Markdown and its deferred parts."""
    parts = (markdown, sorted(rendered.deferred.items()), rendered.toc, rendered.toc_after)
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).digest()


def changed_pages(pages: Iterable[Page], before: dict[str, bytes], now: dict[str, bytes]) -> set[str]:
    """The pages of the postmortem files whose content is not what it was (``before``),
    new files included: what a quick build writes."""
    return {page.path for page in pages if page.source is not None and before.get(page.source) != now.get(page.source)}


@dataclass
class SiteState:
    """What the served site was written from, as far as the session knows."""

    pages: dict[str, bytes] = field(default_factory=dict)  # page path -> page_digest, as written
    files: dict[str, bytes] = field(default_factory=dict)  # postmortem file -> its content digest, last build
    fingerprint: bytes = b""  # of the settings and catalogs, last build (``Library.fingerprint``)
