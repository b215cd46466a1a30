"""Sanitizing the HTML of a postmortem's narrative (its Markdown body, once rendered).

Anyone can open a pull request with a postmortem, so raw HTML and links in the body are
untrusted: rendered HTML goes through nh3 (the maintained Rust ``ammonia`` sanitizer)
with an allowlist that keeps what Markdown and Material produce (tables, code
highlighting classes, heading anchors) and drops scripts, event handlers, styles and
``javascript:`` URLs. The rest of a page is built by us from escaped values.

The allowlist also stops DOM clobbering (OWASP's "DOM Clobbering Prevention Cheat
Sheet"): an element's ``id`` or ``name`` becomes a global (``window.x``) and the answer
to ``querySelector("#x")``, so an author who names an element ``__config`` replaces
Material's settings, search worker URL included. No ``name`` attribute is allowed, and
every ``id`` is prefixed with ``narrative-`` (ammonia's ``id_prefix``, as GitHub does with
``user-content-``): nothing the theme or our scripts look up starts with it. Links within
the narrative (``#what-happened``, footnotes) and its table of contents are prefixed to
match, so they still lead where the author meant.
"""

from __future__ import annotations

import re

import nh3

ID_PREFIX = "narrative-"

_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href", "hreflang", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "input": {"checked", "disabled"},
}
# Built once: nh3.clean() builds the same allowlists anew on every call, which was most
# of its time on a page.
_CLEANER = nh3.Cleaner(
    tags=set(nh3.ALLOWED_TAGS) | {"input"},  # task lists render disabled checkboxes
    attributes=_ATTRIBUTES,
    # A checkbox and nothing else: no text field or button to dress up as a login form. One
    # attribute set, not two: ammonia adds them in no fixed order, and builds must repeat.
    set_tag_attribute_values={"input": {"type": "checkbox"}},
    url_schemes={"http", "https", "mailto"},
    id_prefix=ID_PREFIX,
)
# Read in the sanitizer's own output, where a "<" in text is always escaped, so "<a" starts
# a tag; and attribute values are double-quoted, with any quote in them escaped.
_PREFIXED_ID = re.compile(rf'<[a-z0-9]+\s(?:[^>"]|"[^"]*")*?\bid="{ID_PREFIX}([^"]*)"')
_FRAGMENT_LINK = re.compile(r'(<a\s(?:[^>"]|"[^"]*")*?\bhref=")#([^"]*)"')


def sanitize_narrative(html: str) -> str:
    """Clean the HTML a narrative's Markdown became; its ids get ``ID_PREFIX``."""
    clean = _CLEANER.clean(html)
    ids = set(_PREFIXED_ID.findall(clean))
    if not ids:
        return clean
    # A link to an element of the narrative follows its new id; one to the rest of the
    # page (a generated section, say ``#action-items``) is left as it is, and so is text
    # that only looks like a link (a code sample).
    return _FRAGMENT_LINK.sub(lambda m: f'{m[1]}#{narrative_id(m[2])}"' if m[2] in ids else m[0], clean)


def narrative_id(element_id: str) -> str:
    """The id that ``element_id``, written in a narrative, has on the page."""
    return element_id if element_id.startswith(ID_PREFIX) else ID_PREFIX + element_id
