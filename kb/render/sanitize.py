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
match, so they still lead where the author meant. A trusted narrative (``trust_html``) is
not cleaned, but its ids are prefixed all the same: the page's own must stay unique.
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
# Built once: nh3.clean() builds the same allowlists anew on every call, which costs more
# than cleaning a page.
_CLEANER = nh3.Cleaner(
    tags=set(nh3.ALLOWED_TAGS) | {"input"},  # task lists render disabled checkboxes
    attributes=_ATTRIBUTES,
    # A checkbox and nothing else: no text field or button to dress up as a login form. One
    # attribute set, not two: ammonia adds them in no fixed order, and builds must repeat.
    set_tag_attribute_values={"input": {"type": "checkbox"}},
    url_schemes={"http", "https", "mailto"},
    id_prefix=ID_PREFIX,
)
# An element's id, and a link's fragment: in the sanitizer's output (a "<" in text is
# always escaped, values are double-quoted) and in a trusted narrative's HTML as written.
_ID = re.compile(r"""(<[a-zA-Z][^\s>]*\s(?:[^>"']|"[^"]*"|'[^']*')*?)(?<=\s)id=(["'])(.*?)\2""", flags=re.S)
_FRAGMENT_LINK = re.compile(r"""(<a\s(?:[^>"']|"[^"]*"|'[^']*')*?(?<=\s)href=)(["'])#(.*?)\2""", flags=re.S)


def narrative_html(html: str, *, trusted: bool = False) -> str:
    """The HTML a narrative's Markdown became, as it joins its page: cleaned, unless every
    author is trusted. Either way each of its ids carries ``ID_PREFIX``, so none can be
    one of the generated sections' (a narrative with its own ``## Timeline``); an id it
    repeats is dropped, so each names one element; and its links to them follow."""
    own = html if trusted else _CLEANER.clean(html)
    written: set[str] = set()  # the ids as the author wrote them
    placed: set[str] = set()  # as they are on the page

    def prefixed(match: re.Match[str]) -> str:
        element, quote, given = match.groups()
        page_id = narrative_id(given) if trusted else given
        if page_id in placed:
            return element
        placed.add(page_id)
        written.add(given if trusted else given.removeprefix(ID_PREFIX))
        return f"{element}id={quote}{page_id}{quote}"

    own = _ID.sub(prefixed, own)
    if not written:
        return own
    # A link to an element of the narrative follows its new id; one to the rest of the
    # page (a generated section, say ``#action-items``) is left as it is, and so is text
    # that only looks like a link (a code sample).
    return _FRAGMENT_LINK.sub(lambda m: f"{m[1]}{m[2]}#{narrative_id(m[3])}{m[2]}" if m[3] in written else m[0], own)


def narrative_id(element_id: str) -> str:
    """The id that ``element_id``, written in a narrative, has on the page."""
    return element_id if element_id.startswith(ID_PREFIX) else ID_PREFIX + element_id
