"""WCAG 2.2 AA in a real browser: axe-core on every kind of page the plugin generates.

A library no one here wrote (the benchmarks' generator, and one postmortem with every
section), built with Material's default palette and served on loopback. Each kind of
page is audited in the light and the dark scheme, and on a 360 px wide screen; a serious
or critical violation inside the page's content (the ``<article>``, all of which the
plugin writes on these pages) fails the test, and so does one in the theme's markup
around it, where the plugin fixed what axe found. Then by hand what axe
cannot judge: the filters by keyboard, the count announced, the charts described, a
table scrolled by keyboard, a postmortem on paper.

One Chromium for the whole run (conftest's ``browser``), one built site for this module.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from browsing import serve
from playwright import sync_api
from support import generator, mkdocs_build

from kb.load.tracker_state import Snapshot, Ticket, write_snapshot

MKDOCS_YML = """\
site_name: Accessibility audit
theme:
  name: material
  font: false
  features: [navigation.tabs]
  palette:  # Material's default colours, with its light/dark toggle
    - scheme: default
      toggle:
        icon: material/weather-night
        name: Switch to dark mode
    - scheme: slate
      toggle:
        icon: material/weather-sunny
        name: Switch to light mode
plugins:
  - search
  - postmortems:
      today: 2026-06-30
      trackers:
        - kind: jira
          api: https://jira.example
          token_env: JIRA_TOKEN
          match: ["OPS-"]
"""
REVIEW = "2026-05-20-audit-review"
EVERY_SECTION = """\
---
title: Checkout queue stalled during the audit
status: in-review
severity: SEV2
visibility: public
started: 2026-05-20T09:00:00+00:00
detected: 2026-05-20T09:06:00+00:00
mitigated: 2026-05-20T09:40:00+00:00
resolved: 2026-05-20T11:00:00+00:00
services: [service-00, service-01]
teams: [team-03]
authors: [Ana Ruiz]
summary: The checkout queue stopped draining after a consumer deploy.
impact:
  summary: Orders waited up to forty minutes.
  users_affected: 1200
detection:
  method: alert
  detail: The queue depth alert paged the on-call engineer.
trigger: A consumer deploy changed the prefetch setting.
causes:
  - key: cause-00
    detail: The deploy reached every consumer at once.
  - key: cause-01
    detail: Nothing alerted on consumer lag.
action_items:
  - title: Alert on consumer lag
    owner: team-03
    due: 2026-06-01
    tracker: OPS-1
  - title: Stage consumer deploys
    owner: team-03
    due: 2026-07-03
    tracker: OPS-2
  - title: Document the prefetch setting
    status: done
    completed: 2026-05-25
    tracker: OPS-3
  - title: Rewrite the consumer
    status: wont-do
    note: The staged deploy removes the risk.
lessons:
  - Stage every consumer change.
went_well:
  - The alert fired within minutes.
went_wrong:
  - The runbook was out of date.
got_lucky:
  - It happened outside the sales peak.
timeline:
  - at: 2026-05-20T09:00:00+00:00
    event: The consumer deploy starts.
  - at: 2026-05-20T09:40:00+00:00
    event: The deploy is rolled back.
---

## What happened

The queue stopped draining; see the [broker's documentation](https://broker.example.org/prefetch).
"""

# Tickets as `kb sync` last saw them, a month ago: the board says the snapshot is old,
# and lists a ticket closed under an open item and one reopened under a done item.
SYNCED = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
TICKETS = {
    f"{REVIEW}#{n}": Ticket(f"OPS-{n}", state, closed, f"https://jira.example/browse/OPS-{n}", SYNCED)
    for n, state, closed in [(1, "done", date(2026, 5, 28)), (2, "open", None), (3, "open", None)]
}

# Every section a postmortem page can have, badges that were too pale (SEV2, in review,
# public), action items in every state, and an external link for the printed page.
# Each kind of generated page, at its address on the site.
PAGES = {
    "postmortem": f"postmortems/{REVIEW}/",
    "explorer": "postmortems/",
    "cause": "causes/cause-00/",
    "service": "services/service-00/",
    "team": "teams/team-03/",
    "board": "action-items/",
    "lessons": "lessons/",
    "reading": "reading/",
    "insights": "insights/",
}
# WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
}
GENERATED = "article.md-content__inner"  # the page's content: on these pages, all the plugin's
# Outside it, in the theme's markup, nothing serious is left either: the plugin fixes what
# it can (docs/accessibility.md, "On the theme's side"), and a new finding must be listed there.
THEME_MESSAGE = "a serious finding in the theme's markup: fix it, or list it in docs/accessibility.md"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("a11y")
    project = root / "project"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text(textwrap.dedent(MKDOCS_YML), encoding="utf-8")
    ids = generator().generate(24, project / "postmortems", seed=3)
    (project / "postmortems" / f"{REVIEW}.md").write_text(EVERY_SECTION, encoding="utf-8")
    items = [{"id": REVIEW, "why": "Every section."}, *({"id": pm_id} for pm_id in ids[:3])]
    reading = {"tracks": [{"name": "Start here", "items": items}]}
    (project / "postmortems" / "reading.yml").write_text(json.dumps(reading), encoding="utf-8")
    write_snapshot(project / "postmortems" / "tracker-state.json", Snapshot(SYNCED, TICKETS))
    mkdocs_build(project, root / "site")
    with serve(root / "site") as url:
        yield url


@contextmanager
def viewing(browser: Any, url: str, width: int = 1280, scheme: str = "default") -> Iterator[Any]:
    """A page in a fresh browser context, ``width`` px wide, in Material's ``scheme``:
    switched as a reader does, with the header's toggle, which the theme remembers."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(f"{url}/")
    if scheme != "default":
        page.click('form[data-md-component="palette"] label[for="__palette_1"]')
    try:
        yield page
    finally:
        context.close()


def open_page(page: Any, url: str, path: str, scheme: str) -> None:
    page.goto(f"{url}/{path}")
    assert page.evaluate("document.body.dataset.mdColorScheme") == scheme


def serious(page: Any, axe: Axe) -> tuple[list[str], set[str]]:
    """The serious and critical violations: in the generated content, one line each; and
    the rule ids of those outside it."""
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    found = [(v, node) for v in violations if v["impact"] in ("serious", "critical") for node in v["nodes"]]
    inside = page.evaluate(
        "([selectors, scope]) => selectors.map(s => Boolean(document.querySelector(s)?.closest(scope)))",
        [[node["target"][0] for _, node in found], GENERATED],
    )
    ours = [
        f"{v['id']} ({v['impact']}): {node['html'][:160]}: {node.get('failureSummary', '')[:240]}"
        for (v, node), generated in zip(found, inside, strict=True)
        if generated
    ]
    theirs = {v["id"] for (v, _), generated in zip(found, inside, strict=True) if not generated}
    return ours, theirs


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_no_serious_violation_in_what_the_plugin_generates(browser: Any, site: str, axe: Axe, scheme: str) -> None:
    failures, theme = [], set()
    with viewing(browser, site, scheme=scheme) as page:
        for kind, path in PAGES.items():
            open_page(page, site, path, scheme)
            ours, theirs = serious(page, axe)
            failures += [f"{kind}: {line}" for line in ours]
            theme |= theirs
    assert failures == []
    assert theme == set(), THEME_MESSAGE


def test_on_a_360_px_screen_no_page_is_wider_and_none_has_a_violation(browser: Any, site: str, axe: Axe) -> None:
    failures, theme = [], set()
    with viewing(browser, site, width=360) as page:
        for kind, path in PAGES.items():
            open_page(page, site, path, "default")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 360:
                failures.append(f"{kind}: the page is {width} px wide")
            ours, theirs = serious(page, axe)
            failures += [f"{kind}: {line}" for line in ours]
            theme |= theirs
    assert failures == []
    assert theme == set(), THEME_MESSAGE


@pytest.mark.parametrize(
    ("path", "noun", "facet", "value"),
    [("postmortems/", "postmortems", "Severity", "SEV2"), ("action-items/", "action items", "State", "overdue")],
)
def test_filters_are_labelled_work_by_keyboard_and_announce_the_count(
    browser: Any, site: str, path: str, noun: str, facet: str, value: str
) -> None:
    with viewing(browser, site) as page:
        page.goto(f"{site}/{path}")
        status = page.get_by_role("status")
        total = int(status.inner_text().split(" of ")[1].split()[0])
        assert status.inner_text() == f"{total} of {total} {noun}"

        search = page.get_by_role("searchbox", name=f"Filter {noun}")
        search.focus()  # fetches the rows, then the word filters every one
        page.wait_for_selector("[data-pm-explorer][data-loaded]", state="attached")
        page.keyboard.type("audit")  # REVIEW's title, and its action items' postmortem
        sync_api.expect(status).not_to_have_text(f"{total} of {total} {noun}")
        shown = int(status.inner_text().split()[0])
        assert 0 < shown < total
        page.keyboard.press("Control+a")
        page.keyboard.press("Backspace")
        sync_api.expect(status).to_have_text(f"{total} of {total} {noun}")

        select = page.get_by_role("combobox", name=facet)
        for _ in range(10):  # Tab from the search box, past the facets before this one
            page.keyboard.press("Tab")
            if select.evaluate("el => el === document.activeElement"):
                break
        option = select.locator("option", has_text=f"{value} (").first.get_attribute("value")
        for _ in range(select.locator("option").count()):
            if select.input_value() == option:
                break
            page.keyboard.press("ArrowDown")
        assert select.input_value() == option
        sync_api.expect(status).not_to_have_text(f"{total} of {total} {noun}")
        assert status.inner_text().split(" of ")[1] == f"{total} {noun}"
        shown = int(status.inner_text().split()[0])
        rows = page.locator("table.pm-list tr[data-pm], table.pm-list tr[data-item]").count()
        assert 0 < shown < total and rows == min(shown, 50)  # a filtered list shows 50 rows at a time


SEVERITY_RANK = """Array.from(document.querySelectorAll("table.pm-list tr[data-pm]")).map(row => {
    const badge = row.querySelector("[class*=pm-sev-]");
    return badge ? Number(badge.className.match(/pm-sev-(\\d+)/)[1]) : 99;
})"""


def test_the_explorer_sorts_by_keyboard(browser: Any, site: str) -> None:
    with viewing(browser, site) as page:
        page.goto(f"{site}/postmortems/")
        heading = page.locator("th[data-sort=severity]")
        page.get_by_role("button", name="Severity").focus()
        page.keyboard.press("Enter")
        sync_api.expect(heading).to_have_attribute("aria-sort", "ascending")
        ranks = page.evaluate(SEVERITY_RANK)
        assert ranks == sorted(ranks) and len(set(ranks)) > 1
        page.keyboard.press(" ")
        sync_api.expect(heading).to_have_attribute("aria-sort", "descending")
        ranks = page.evaluate(SEVERITY_RANK)
        assert ranks == sorted(ranks, reverse=True)


def test_charts_are_described_and_their_numbers_reachable_by_keyboard(browser: Any, site: str) -> None:
    with viewing(browser, site, width=360) as page:
        page.goto(f"{site}/insights/")
        chart = page.get_by_role("img", name="Postmortems per month, by severity")
        description = chart.evaluate("svg => document.getElementById(svg.getAttribute('aria-describedby')).textContent")
        assert description.startswith("The busiest month was ") and description.endswith("gives its numbers.")
        # The table under it, in a box the keyboard reaches next and scrolls.
        table = page.get_by_role("region", name="Postmortems per month, by severity")
        assert table.get_by_role("table", name="Postmortems per month, by severity").count() == 1
        table.focus()
        assert table.evaluate("box => box.scrollWidth > box.clientWidth")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("box => box.scrollLeft > 0", arg=table.element_handle(), timeout=5_000)  # may glide


def test_reading_checkboxes_are_labelled_controls_big_enough_to_hit(browser: Any, site: str) -> None:
    with viewing(browser, site) as page:
        page.goto(f"{site}/reading/")
        box = page.get_by_role("checkbox", name="Read: Checkout queue stalled during the audit")
        size = box.bounding_box()
        assert size["width"] >= 24 and size["height"] >= 24  # WCAG 2.5.8
        box.focus()
        page.keyboard.press("Space")
        assert box.is_checked()


def test_a_printed_postmortem_has_every_section_and_no_header_tabs_or_search(browser: Any, site: str) -> None:
    with viewing(browser, site, scheme="slate") as page:
        page.goto(f"{site}/postmortems/{REVIEW}/")
        page.emulate_media(media="print")
        for hidden in (".md-header", ".md-tabs", ".md-search", ".md-sidebar--primary", ".md-sidebar--secondary"):
            assert not page.locator(hidden).is_visible(), hidden
        sections = [
            *("summary", "impact", "detection", "trigger", "contributing-causes"),
            *("action-items", "lessons-learned", "timeline", "narrative-what-happened"),
        ]
        for section in sections:
            assert page.locator(f"[id='{section}']").is_visible(), section
        for title in ("What went well", "What went wrong", "Where we got lucky"):
            assert page.get_by_text(title, exact=True).is_visible(), title
        # Every action item with its state, nothing cut off at the edge of the paper.
        states = page.locator("[id^='action-items.'] .pm-badge").all_inner_texts()
        assert len(states) == 4 and "Overdue" in states
        assert page.evaluate("[...document.querySelectorAll('.pm-scroll')].every(b => b.scrollWidth <= b.clientWidth)")
        # Dark text on white paper, and an external link's address after it.
        assert page.evaluate("getComputedStyle(document.querySelector('#summary + p')).color") == "rgba(0, 0, 0, 0.87)"
        link = "document.querySelector('a[href^=\"https://broker\"]')"
        after = page.evaluate(f"getComputedStyle({link}, '::after').content")
        assert after == '" (" attr(href) ")"' or "https://broker.example.org/prefetch" in after
