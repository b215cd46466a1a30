"""Script and event-handler payloads in every field and the body: none runs in a browser."""

from __future__ import annotations

from pathlib import Path

from browsing import serve
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
services: ['{P}svc']
teams: ['{Q}team']
authors: ['{P}']
tags: ['{Q}tag']
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


def test_no_payload_runs_on_any_page(write_project: WriteProject, build: Build, browser: object) -> None:
    project = write_project({"postmortems/evil.md": PAYLOADS, "postmortems/reading.yml": READING})
    site = build(project)
    pages = sorted(p.parent.relative_to(site.root).as_posix() for p in Path(site.root).rglob("index.html"))
    assert "postmortems/evil" in pages and "action-items" in pages and "insights" in pages
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
