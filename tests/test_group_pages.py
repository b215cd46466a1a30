"""Cause, service and team pages stay light however many postmortems and items they have:
the newest postmortems first and the rest on plain later pages, the most urgent items
and a link to the board for the others, the latest of a cause's story."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from support import CAUSES_YML, MKDOCS_YML, TODAY, Site

PAGE_SIZE = 10
COUNT = 25  # postmortems of the big service, team and cause: three pages of ten
FIRST_STARTED = datetime(2024, 1, 1, 10, 0)

POSTMORTEM = """\
---
title: Incident number {n}
status: published
severity: SEV3
started: {started}
services: [Checkout API]
teams: [checkout-team]
authors: [A. Writer]
summary: Something failed.
causes: [global-rollout]
action_items:
  - title: Open fix {n}
    owner: platform-team
    due: {due}
    addresses: [global-rollout]
  - title: Done fix {n}
    status: done
    completed: {completed}
    addresses: [global-rollout]
---
"""

# One postmortem of a small service, team and cause: their pages look as they always did.
SMALL = """\
---
title: The small one
status: published
severity: SEV4
started: 2025-05-01T10:00:00+00:00
services: [payments]
teams: [payments-team]
authors: [A. Writer]
summary: Something small failed.
causes: [missing-alert]
action_items:
  - title: Page on the symptom
    owner: payments-team
    due: 2026-09-01
---
"""


def started(n: int) -> datetime:
    return FIRST_STARTED + timedelta(days=10 * n)


def due(n: int) -> date:
    """A third overdue, a third due soon, a third open later; every date its own."""
    if n % 3 == 0:
        return TODAY - timedelta(days=1 + n)
    if n % 3 == 1:
        return TODAY + timedelta(days=1 + n // 3)
    return TODAY + timedelta(days=60 + n)


def completed(n: int) -> date:
    return started(n).date() + timedelta(days=5)


def most_urgent_first() -> list[int]:
    """The big group's open items, as the pages order them: overdue, due soon, open, each by due date."""
    rank = {0: 0, 1: 1, 2: 2}  # n % 3: overdue, due soon, open
    return sorted(range(COUNT), key=lambda n: (rank[n % 3], due(n)))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    root = tmp_path_factory.mktemp("groups")
    files = {
        "mkdocs.yml": MKDOCS_YML.replace("  name: material\n", "  name: material\n  font: false\n")
        + f"      list_page_size: {PAGE_SIZE}\n",
        "docs/index.md": "# Home\n",
        "postmortems/causes.yml": CAUSES_YML,
        "postmortems/small.md": SMALL,
        **{
            f"postmortems/pm-{n:02d}.md": POSTMORTEM.format(
                n=n, started=f"{started(n):%Y-%m-%dT%H:%M:%S}+00:00", due=due(n), completed=completed(n)
            )
            for n in range(COUNT)
        },
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    cfg = load_config(config_file=str(root / "mkdocs.yml"), strict=True)  # a warning fails the build
    mkdocs_build(cfg)
    return Site(Path(cfg["site_dir"]), [])


def table(article: str, label: str) -> str:
    """The HTML of the table named ``label``; empty when the page has none."""
    found = re.search(rf'<table aria-label="{label}">.*?</table>', article, flags=re.S)
    return found.group(0) if found else ""


def listed(article: str) -> list[int]:
    """The numbers of the postmortems in a page's "Postmortems" table, in its order."""
    return [int(n) for n in re.findall(r'postmortems/pm-(\d+)/"', table(article, "Postmortems"))]


GROUPS = ["services/checkout-api", "teams/checkout-team", "causes/global-rollout"]


@pytest.mark.parametrize("group", GROUPS)
def test_postmortems_come_a_page_at_a_time_newest_first(site: Site, group: str) -> None:
    pages = [site.article(f"{group}/index.html"), site.article(f"{group}/page/2/index.html")]
    assert not (site.root / group / "page" / "3").exists()
    shown = [listed(page) for page in pages]
    assert [len(rows) for rows in shown] == [10, 15]  # a later page holds up to 5 first pages' worth
    # Newest first across the pages, every postmortem exactly once.
    assert [n for rows in shown for n in rows] == list(reversed(range(COUNT)))
    # Each page links to its neighbours; later pages back to the first.
    assert 'href="page/2/" rel="next"' in pages[0]
    assert "Postmortems 1 to 10 of 25, page 1 of 2." in pages[0]
    assert 'href="../../" rel="prev"' in pages[1]
    assert "Postmortems 11 to 25 of 25, page 2 of 2." in pages[1]
    assert 'rel="next"' not in pages[1]
    # Only the first page has the group's story and open work.
    for later in pages[1:]:
        assert "Open fix" not in later and "Most frequent causes" not in later
        assert "The story so far" not in later and "It came back" not in later


def test_a_later_page_says_where_it_belongs(site: Site) -> None:
    page = site.html("services/checkout-api/page/2/index.html")
    assert "<title>Service: Checkout API, page 2 - Test library</title>" in page
    article = site.article("services/checkout-api/page/2/index.html")
    assert '<h1 id="checkout-api-page-2">Checkout API, page 2</h1>' in article
    assert 'href="../../">first page</a>' in article
    cause = site.article("causes/global-rollout/page/2/index.html")
    assert "Change reached every host at once, page 2" in cause
    assert "How it played out" in table(cause, "Postmortems")


@pytest.mark.parametrize(
    ("group", "query"),
    [("services/checkout-api", "service=Checkout+API"), ("teams/checkout-team", "team=checkout-team")],
)
def test_open_items_are_capped_most_urgent_first_with_the_rest_on_the_board(site: Site, group: str, query: str) -> None:
    article = site.article(f"{group}/index.html")
    items = re.findall(r"<td>Open fix (\d+)</td>", table(article, "Open action items"))
    assert [int(n) for n in items] == most_urgent_first()[:PAGE_SIZE]
    assert "Done fix" not in article  # closed items are not open work
    assert "15 more are open." in article
    assert f'<a href="../../action-items/?{query}">' in article


def test_a_causes_items_put_open_ones_first_and_link_to_the_board(site: Site) -> None:
    article = site.article("causes/global-rollout/index.html")
    items = re.findall(r"<td>Open fix (\d+)</td>", table(article, "Action items that address it"))
    assert [int(n) for n in items] == most_urgent_first()[:PAGE_SIZE]
    assert "40 more address it." in article  # 25 open and 25 done, 10 shown
    assert '<a href="../../action-items/?cause=global-rollout">' in article


def test_a_causes_story_shows_its_latest_events_in_order(site: Site) -> None:
    article = site.article("causes/global-rollout/index.html")
    story = table(article, "The story so far")
    expected = []
    for n in range(COUNT - 5, COUNT):  # each incident, then its fix five days later
        expected += [(f"{started(n):%Y-%m-%d}", f"Incident number {n}"), (f"{completed(n)}", f"Done fix {n}")]
    events = re.findall(
        r"<tr><td>([0-9-]+)</td><td>(?:Postmortem: <a[^>]*>([^<]+)</a>|Fix done: ([^<]+) <small>)", story
    )
    assert [(when, pm or fix) for when, pm, fix in events] == expected
    assert "the 40 earlier ones are on the pages of the postmortems they come from" in article
    # Each later incident came back after the fix of the one before: the latest ten shown.
    came_back = article[article.index("It came back") :]
    assert came_back.count("came back in") == PAGE_SIZE
    assert "it came back 14 more times before them" in came_back


def test_a_small_group_shows_everything_and_no_pager(site: Site) -> None:
    for group in ("services/payments", "teams/payments-team", "causes/missing-alert"):
        article = site.article(f"{group}/index.html")
        assert "The small one" in table(article, "Postmortems")
        assert "pm-pager" not in article and "pm-more" not in article
        assert not (site.root / group / "page").exists()
    assert "Page on the symptom" in site.article("services/payments/index.html")
