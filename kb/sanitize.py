"""Sanitizing the HTML of a postmortem's narrative (its Markdown body, once rendered).

Anyone can open a pull request with a postmortem, so raw HTML and links in the body are
untrusted: rendered HTML goes through nh3 (the maintained Rust ``ammonia`` sanitizer)
with an allowlist that keeps what Markdown and Material produce (tables, code
highlighting classes, heading anchors) and drops scripts, event handlers, styles and
``javascript:`` URLs. Everything before the narrative is built by us from escaped values.
"""

from __future__ import annotations

import nh3

# The generated part of a page ends here; everything after is the author's narrative.
# Author text cannot forge it: every front matter value is HTML-escaped, and the first
# occurrence is the one that counts.
NARRATIVE_MARK = "<!-- kb:narrative -->"

_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href", "hreflang", "title"},
    "img": {"src", "alt", "title", "width", "height"},
}
_TAGS = set(nh3.ALLOWED_TAGS) | {"input"}  # task lists render disabled checkboxes
_ATTRIBUTES["input"] = {"type", "checked", "disabled"}


def sanitize_narrative(html: str) -> str:
    """Clean everything after the narrative mark; the generated part is left as it is."""
    head, mark, narrative = html.partition(NARRATIVE_MARK)
    if not mark:
        return html
    return (
        head + mark + nh3.clean(narrative, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto"})
    )
