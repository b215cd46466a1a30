"""Where every generated page lives: the contract's URLs, in one place.

Pages are addressed by their Markdown source path (``postmortems/<id>.md``); MkDocs
turns that into the URL (``/postmortems/<id>/``) and checks every link between them.
"""

from __future__ import annotations

import functools
import posixpath

import slugify as python_slugify

POSTMORTEMS = "postmortems/index.md"
CAUSES = "causes/index.md"
ACTION_ITEMS = "action-items/index.md"

# Names that no postmortem id, cause key, service or team may take: each becomes a folder
# (/postmortems/<id>/, /services/<name>/), and these are the site's own: a folder's list
# page (index: a postmortem with that id replaced the explorer), the later pages of a
# long list (page), and every folder at the top of a site that the library, the theme or
# a plugin writes, kept free in every folder for what a later version adds there. A test
# builds a site with every option on and checks that each of its folders is here.
RESERVED = frozenset(
    {
        *("index", "page", "feed", "api", "assets", "search", "tags", "sitemap", "404"),
        *("postmortems", "causes", "services", "teams", "action-items", "lessons", "reading", "insights"),
        *("search-library", "search-index", "pagefind"),
    }
)
MAX_SLUG = 80


def postmortem(pm_id: str) -> str:
    return f"postmortems/{pm_id}.md"


@functools.lru_cache(maxsize=65_536)  # the same names come back on every page that lists them
def slugify(name: str, max_length: int = MAX_SLUG) -> str:
    """``"Checkout API"`` -> ``checkout-api``, ``"東京"`` -> ``dong-jing``: a name made safe
    for a URL by python-slugify, which spells other scripts in ASCII letters and cuts a
    long name between words. Empty when the name has no letter or digit."""
    return python_slugify.slugify(name, max_length=max_length, word_boundary=True)


def relative(from_page: str, to_page: str) -> str:
    """A link from one generated page to another, as MkDocs resolves Markdown links.

    Both are docs-relative paths without ``..``, so plain string work does what
    ``posixpath.relpath`` would, without its calls to the file system's working folder
    (tens of thousands of links per build).
    """
    source, target = from_page.split("/")[:-1], to_page.split("/")
    common = 0
    while common < len(source) and common < len(target) - 1 and source[common] == target[common]:
        common += 1
    return "/".join([".."] * (len(source) - common) + target[common:])


def url(page: str) -> str:
    """The site URL of a page source path: ``postmortems/x.md`` -> ``/postmortems/x/``."""
    stem = page.removesuffix(".md")
    stem = stem.removesuffix("index").rstrip("/")
    return f"/{stem}/" if stem else "/"


def html_path(page: str, directory_urls: bool = True) -> str:
    """Where MkDocs writes a page: ``postmortems/x.md`` -> ``postmortems/x/`` (or ``x.html``)."""
    stem = page.removesuffix(".md")
    if not directory_urls:
        return f"{stem}.html"
    if stem == "index" or stem.endswith("/index"):
        return stem.removesuffix("index")
    return f"{stem}/"


def site_link(page: str, directory_urls: bool = True, site_url: str | None = None) -> str:
    """A page's link for outside the site (a feed, an issue, a chat message): absolute when
    the site's address is known; else relative to the site's root."""
    path = html_path(page, directory_urls)
    return f"{site_url.rstrip('/')}/{path}" if site_url else path or "./"


def href(from_page: str, to_page: str, directory_urls: bool = True) -> str:
    """A relative URL for raw HTML, where MkDocs does not rewrite ``.md`` links."""
    base = html_path(from_page, directory_urls)
    base = base if base.endswith("/") else posixpath.dirname(base) + "/"
    target = html_path(to_page, directory_urls)
    return relative(base + "index.html" if base != "/" else "index.html", target) or "./"


def cause(key: str) -> str:
    return f"causes/{key}.md"


def service(name: str) -> str:
    return f"services/{slugify(name)}.md"


def team(name: str) -> str:
    return f"teams/{slugify(name)}.md"
