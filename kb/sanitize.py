"""Sanitizing the HTML of a postmortem's narrative (its Markdown body, once rendered).

Anyone can open a pull request with a postmortem, so raw HTML and links in the body are
untrusted: rendered HTML goes through nh3 (the maintained Rust ``ammonia`` sanitizer)
with an allowlist that keeps what Markdown and Material produce (tables, code
highlighting classes, heading anchors) and drops scripts, event handlers, styles and
``javascript:`` URLs. The rest of a page is built by us from escaped values.
"""

from __future__ import annotations

import nh3

_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href", "hreflang", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "input": {"type", "checked", "disabled"},
}
# Built once: nh3.clean() builds the same allowlists anew on every call, which was most
# of its time on a page.
_CLEANER = nh3.Cleaner(
    tags=set(nh3.ALLOWED_TAGS) | {"input"},  # task lists render disabled checkboxes
    attributes=_ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
)


def sanitize_narrative(html: str) -> str:
    """Clean the HTML a narrative's Markdown became."""
    return _CLEANER.clean(html)
