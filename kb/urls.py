"""Where every generated page lives: the contract's URLs, in one place.

Pages are addressed by their Markdown source path (``postmortems/<id>.md``); MkDocs
turns that into the URL (``/postmortems/<id>/``) and checks every link between them.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata

POSTMORTEMS = "postmortems/index.md"
CAUSES = "causes/index.md"
ACTION_ITEMS = "action-items/index.md"


def postmortem(pm_id: str) -> str:
    return f"postmortems/{pm_id}.md"


def slugify(name: str) -> str:
    """``"Checkout API"`` -> ``checkout-api``: a name made safe for a URL."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "unnamed"


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
