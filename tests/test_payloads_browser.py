"""Script and event-handler payloads in every field and the body: none runs in a browser."""

from __future__ import annotations

import re
from pathlib import Path

from browsing import serve
from playwright import sync_api
from support import Build, WriteProject

P = "<img src=x onerror=window.__pwned=1><script>window.__pwned=1</script>"
Q = '"><svg onload=window.__pwned=1>'
PAYLOADS = f"""\
---
title: '{P} title {Q}'
status: in-review
severity: SEV2
started: 2024-03-12T14:00:00+00:00
detected: 2024-03-12T14:07:00+00:00
services: ['{P}svc', "Payments\\L---\\L![x](x){{: onerror=window.__pwned=1 }}"]
teams: ['{Q}team', "Ops\\P...\\P![y](y){{: onerror=window.__pwned=1 }}"]
authors: ['{P}']
tags: ['{Q}tag', '{P}']
summary: '{P} summary [click](javascript:window.__pwned=1)'
impact:
  summary: '{Q} impact'
  slos: ['{P}']
detection:
  method: alert
  detail: '{P}'
trigger: '{Q} trigger {{: onclick=window.__pwned=1 }}'
causes:
  - key: global-rollout
    detail: '{P} detail'
  - key: separated
action_items:
  - title: 'Add a {P} alert on queue depth'
    owner: '{Q}'
    due: 2026-01-01
    tracker: 'javascript:window.__pwned=1'
  - title: 'Drop the {Q} thing entirely'
    status: wont-do
    note: '{P}'
lessons: ['{P} lesson']
went_well: ['{Q}']
went_wrong: ['{P}']
got_lucky: ['{Q}']
timeline:
  - at: "14:05"
    event: '{P} event'
---

## Narrative

<script>window.__pwned=1</script>
<img src=x onerror="window.__pwned=1">
<a href="javascript:window.__pwned=1" id="js-link">a link</a>
<div onmouseover="window.__pwned=1" style="width:100%;height:100px">hover</div>
[markdown link](javascript:window.__pwned=1)
"""
READING = "tracks:\n  - name: Start\n    items:\n      - id: evil\n        why: '" + Q + "'\n"
# YAML reads U+2028 and U+2029 as line breaks: in a generated page's front matter, a raw one
# followed by "---" used to end it, and the rest became Markdown, attribute lists included.
SEPARATED = 'separated:\n  title: "Evil\\L---\\L![z](z){: onerror=window.__pwned=1 }"\n  category: detection\n'


def test_no_payload_runs_on_any_page(write_project: WriteProject, build: Build, browser: object) -> None:
    from support import CAUSES_YML, MKDOCS_YML

    project = write_project(
        {
            "mkdocs.yml": MKDOCS_YML.replace("  - search\n", "  - search\n  - tags\n"),  # it prints each tag
            "docs/tags.md": "# Tags\n\n<!-- material/tags -->\n",
            "postmortems/evil.md": PAYLOADS,
            "postmortems/reading.yml": READING,
            "postmortems/causes.yml": CAUSES_YML + SEPARATED,
        }
    )
    site = build(project)
    pages = sorted(p.parent.relative_to(site.root).as_posix() for p in Path(site.root).rglob("index.html"))
    assert {"postmortems/evil", "action-items", "insights", "tags", "causes/separated"} <= set(pages)
    # An event handler among a tag's attributes (not inside an attribute's quoted value).
    handler = re.compile(r"""<[a-z][a-z0-9]*(?:\s+[\w:.-]+(?:="[^"]*"|='[^']*'|=[^\s>"']+)?)*?\s+on[a-z]+=""", re.I)
    assert [page for page in pages if handler.search(site.html(f"{page}/index.html"))] == []
    dialogs: list[str] = []
    with serve(site.root) as url:
        context = browser.new_context()  # type: ignore[attr-defined]
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for path in pages:
            page.goto(f"{url}/{path}/" if path != "." else f"{url}/")
            page.mouse.move(200, 400)  # hover handlers, if any survived
            for link in page.locator("a[href^='javascript']").all():
                link.click()
            assert page.evaluate("window.__pwned") is None, path
        context.close()
    assert dialogs == []


# --- DOM clobbering: author HTML must not name what the theme or our scripts look up -----

# The reproducer from issue 16: an element that stands in for Material's settings and
# points its search worker at a script that writes a result title as HTML.
WORKER = (
    "data:text/javascript,onmessage%3Dfunction%28%29%7BpostMessage%28%7Btype%3A1%7D%29%3BpostMessage%28%7Btype"
    "%3A3%2Cdata%3A%7Bitems%3A%5B%5B%7Blocation%3A%27x%27%2Ctitle%3A%27%5Cu003cimg%20src%3Dx%20onerror%3Dwindow."
    "__pwned%3D1%5Cu003e%27%2Ctext%3A%27%27%2Cscore%3A1%2Cterms%3A%7B%7D%7D%5D%5D%7D%7D%29%7D"
)
CONFIG = '{"base":"../..","features":[],"search":"' + WORKER + '","translations":{}}'
CLOBBER = f"""\
---
title: Clobber
status: draft
severity: SEV4
started: 2021-05-01T10:00:00+00:00
---
<div id="__config">{CONFIG}</div>
"""
# What Material's bundle and our scripts read by id or as a global (window.x resolves to
# an element with that id or name when nothing else defines it).
NAMES = [
    "__config", "__search", "__drawer", "__toc", "__consent", "__palette_0", "__codelineno-0-1", "__md_scope",
    "__md_get", "__md_set", "__md_hash", "document$", "location$", "target$", "keyboard$", "viewport$",
    "tablet$", "screen$", "print$", "alert$", "progress$", "component$", "mermaid", "kb-pagefind", "PagefindUI",
]  # fmt: skip
CLOBBER_ALL = (
    f"---\ntitle: 'Clobber everything {P}'\nstatus: draft\nseverity: SEV4\nstarted: 2021-05-02T10:00:00+00:00\n---\n"
    "## __config\n\n## __search {#__search}\n\n"  # ids from Markdown headings and attr_list
    "## Clobber &lt;img src=x onerror=window.__pwned=1&gt;\n\n"  # a search result's title
    + "".join(f'<img id="{n}" name="{n}" src="x.png"><a id="{n}" name="{n}" href="#{n}">{n}</a>\n' for n in NAMES)
    + '<form id="__search" name="__search"><input name="transform" id="transform"></form>\n'
    + f'<pre id="__config">{CONFIG}</pre>\n'
    + '<table class="pm-list" data-pm-explorer data-facets="severity">'
    + '<tr data-text="x" data-pm="x"><td>x</td></tr></table>\n'
)


def test_author_html_cannot_clobber_the_theme(write_project: WriteProject, build: Build, browser: object) -> None:
    from support import VALID_POSTMORTEM

    site = build(
        write_project(
            {
                "postmortems/clobber.md": CLOBBER,
                "postmortems/clobber-all.md": CLOBBER_ALL,
                "postmortems/good.md": VALID_POSTMORTEM,
            }
        )
    )
    for name in ("clobber", "clobber-all"):
        article = site.page(name)
        assert ' name="' not in article
        assert not [n for n in NAMES if f'id="{n}"' in article], name
    with serve(site.root) as url:
        context = browser.new_context()  # type: ignore[attr-defined]
        page = context.new_page()
        for name in ("clobber", "clobber-all"):
            page.goto(f"{url}/postmortems/{name}/")
            named = page.evaluate(
                """names => names.filter(n => document.querySelector(`article [id="${CSS.escape(n)}"],
                                                                     article [name="${CSS.escape(n)}"]`))""",
                NAMES,
            )
            assert named == [], name
            # Material read its own settings: search still finds the other postmortem.
            search = page.locator("input.md-search__input")
            search.click()
            meta = page.locator(".md-search-result__meta")
            sync_api.expect(meta).not_to_have_text(re.compile("Initializing"), timeout=15_000)
            search.press_sequentially("pool exhausted")
            first = page.locator(".md-search-result__item a").first
            sync_api.expect(first).to_have_attribute("href", re.compile("/postmortems/good/"), timeout=10_000)
            search.fill("")
            search.press_sequentially("clobber")  # results whose titles carry payloads
            sync_api.expect(first).to_have_attribute("href", re.compile("/postmortems/clobber"), timeout=10_000)
            page.wait_for_timeout(300)
            assert page.evaluate("window.__pwned") is None, name
        context.close()


def test_links_within_a_narrative_follow_its_prefixed_ids(write_project: WriteProject, build: Build) -> None:
    body = (
        "\n## What happened\n\nSee [the detail](#the-detail), [the items](#action-items).\n\n"
        '```html\n<a href="#the-detail">a code sample</a>\n```\n\n## The detail\n'
    )
    site = build(write_project({"postmortems/x.md": CLOBBER.split("<div")[0] + body}))
    page = site.html("postmortems/x/index.html")
    assert 'id="narrative-the-detail"' in page and 'href="#narrative-the-detail"' in page
    assert 'href="#action-items"' in page  # a generated section keeps its own id
    assert 'href="#narrative-what-happened"' in page.split('class="md-nav md-nav--secondary"')[1]  # the toc
    assert '&lt;a href="#the-detail"&gt;' in page  # text that looks like a link is left as written


def test_an_input_in_a_narrative_is_a_checkbox(write_project: WriteProject, build: Build) -> None:
    body = '\n<input type="text" name="password" placeholder="Password"><input disabled type="image" src="x.png">\n'
    site = build(write_project({"postmortems/x.md": CLOBBER.split("<div")[0] + body}))
    page = site.page("x")
    assert '<input type="checkbox"><input disabled="" type="checkbox">' in page
