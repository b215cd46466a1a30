"""Pagefind, the opt-in search for large libraries (``pagefind: true``): indexing the site.

Material's search sends every reader the whole index as one JSON file: tens of MB at
thousands of postmortems, seconds before the first result. Pagefind indexes the built
site into a chunked bundle (``pagefind/``) from which the browser fetches only what a
query needs. It runs after the site generator has written the site.

What is indexed, and how (see docs/searching.md):

- only the postmortem pages, chosen by a glob over the site's own URL layout;
- on each, only Material's ``<article>``: the page's title, facts, structured sections
  and narrative, without the navigation, header and footer;
- inside it, not what the pages mark to be left out (``kb.pages.pagefind_markup``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from kb.format import urls
from kb.format.problems import UserError
from kb.pages.pagefind_markup import BUNDLE

EXTRA = "pagefind: true needs the optional extra: pip install 'postmortem-library[pagefind]'"
# Material's article holds the page's own content; pages without one are skipped.
ROOT_SELECTOR = "article.md-content__inner"
# Inside the article but not the postmortem: heading permalinks (¶), edit buttons,
# revision dates and the feedback widget.
EXCLUDE_SELECTORS = (".headerlink", ".md-content__button", ".md-source-file", ".md-feedback")
# A large site takes minutes; a hung indexer must not hold the build forever.
TIMEOUT_S = 900.0


class PagefindError(UserError):
    """Pagefind is missing or could not index the site; the message is fit for the user."""


@dataclass(frozen=True)
class IndexStats:
    pages: int  # pages in the index
    seconds: float  # wall time of the indexer
    bytes: int  # the whole bundle, as served: what readers may fetch, at most

    def summary(self) -> str:
        return f"Pagefind: {self.pages} pages indexed in {self.seconds:.1f}s; bundle {self.bytes / 1e6:.1f} MB"


def index_site(site_dir: Path, *, directory_urls: bool = True, timeout: float = TIMEOUT_S) -> IndexStats:
    """Index the postmortem pages of the built site in ``site_dir`` into ``site_dir/pagefind/``.

    Runs the binary the ``pagefind`` package bundles, as a child process: its Python API
    talks to the same binary but pauses after every message, and a child is simple to stop
    when it overruns ``timeout``.
    """
    executable = require()
    bundle = site_dir / BUNDLE
    # The folder is Pagefind's. It adds to an existing bundle and never removes chunks
    # it no longer needs (a `--dirty` build leaves the previous bundle in place).
    shutil.rmtree(bundle, ignore_errors=True)
    command = [str(executable), "--site", str(site_dir), "--glob", pages_glob(directory_urls)]
    command += ["--root-selector", ROOT_SELECTOR, "--exclude-selectors", ", ".join(EXCLUDE_SELECTORS), "--quiet"]
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise PagefindError(f"Pagefind did not finish indexing {site_dir} within {timeout:.0f} s") from None
    except OSError as exc:
        raise PagefindError(f"Pagefind could not start ({executable}): {exc}") from None
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        output = " ".join((done.stdout + done.stderr).split())
        raise PagefindError(
            f"Pagefind could not index {site_dir} (exit status {done.returncode}): {output or 'no output'}. "
            f"It indexes the <{ROOT_SELECTOR}> of postmortem pages: a site without postmortems, "
            "or with a theme other than Material, has none."
        )
    return IndexStats(pages=_page_count(bundle), seconds=seconds, bytes=bundle_bytes(bundle))


def pages_glob(directory_urls: bool) -> str:
    """The postmortem pages, as a glob in Pagefind's syntax (wax); the explorer is not one of them."""
    folder, _, explorer = urls.html_path(urls.POSTMORTEMS, directory_urls=False).rpartition("/")
    if directory_urls:
        return f"{folder}/*/index.html"  # the explorer is postmortems/index.html, a level up
    # Pages are postmortems/<id>.html, next to the explorer. The syntax cannot exclude
    # one name: "any name but index" is spelled as a name that differs from it at some
    # letter, or is shorter, or longer.
    stem = explorer.removesuffix(".html")
    names = [f"{'?' * n}[!{letter}]*" for n, letter in enumerate(stem)]
    names += ["?" * n for n in range(1, len(stem))] + [f"{'?' * (len(stem) + 1)}*"]
    return f"{folder}/{{{','.join(names)}}}.html"


def bundle_bytes(bundle: Path) -> int:
    return sum(path.stat().st_size for path in bundle.rglob("*") if path.is_file())


def require() -> Path:
    """The Pagefind binary; a build can call this first, to fail before the site is built."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        raise PagefindError(EXTRA) from None
    # None when neither pagefind[bin] nor a pagefind on PATH is installed.
    executable = get_executable()
    if executable is None:
        raise PagefindError(EXTRA)
    return executable


def _page_count(bundle: Path) -> int:
    """Pages in the index, from the bundle's entry file (one count per language)."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    return sum(language["page_count"] for language in entry["languages"].values())
