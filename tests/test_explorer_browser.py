"""The explorer's filter in a real browser: it also matches lessons, action items and causes'
details, which the page does not carry, from a file fetched when the filter is first used."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browsing import serve
from playwright import sync_api
from support import CAUSES_YML, MKDOCS_YML, VALID_POSTMORTEM, Build, WriteProject, mkdocs_build

WORDS = "postmortems/filter-words.json"
BROWSER_YML = MKDOCS_YML.replace("  name: material\n", "  name: material\n  font: false\n")


def postmortem(title: str, started: str, extra: str) -> str:
    """``VALID_POSTMORTEM`` with its own title, summary and date, and ``extra`` front matter."""
    return (
        VALID_POSTMORTEM.replace("Checkout database pool exhausted", title)
        .replace("Checkout ran out of database connections after a query plan change.", f"{title}, in short.")
        .replace("2024-03-12", started)
        .replace("Alert on pool saturation", f"Alert on {title.lower()}")  # open items are tracked once
        .replace("Stage pool config rollouts", f"Stage {title.lower()} fixes")
        .replace("\n---\n\n## What happened", f"\n{textwrap.dedent(extra).strip()}\n---\n\n## What happened")
    )


# Each odd word is written in one place only, none of which the explorer's rows show.
LIBRARY = {
    "postmortems/causes.yml": CAUSES_YML,
    "postmortems/pool-exhausted.md": postmortem(
        "Pool exhausted",
        "2024-03-12",
        """
        visibility: public
        lessons: [Pool limits need a zanzibar review.]
        went_wrong: [The quetzal dashboard lagged.]
        """,
    ),
    "postmortems/indexer-lagged.md": postmortem("Indexer lagged", "2024-04-02", "visibility: public")
    .replace("Alert on indexer lagged", "Install the flamingo gauge")
    .replace("The pool change reached every pod at once.", "A marmalade overflow went unnoticed."),
    "postmortems/ledger-drift.md": postmortem(
        "Ledger drift",
        "2024-05-20",
        """
        visibility: internal
        lessons: [Reconcile the kumquat ledger daily.]
        """,
    ),
}


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in {"docs/index.md": "# Home\n", **files}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module", params=[True, False], ids=["directory-urls", "html-urls"])
def explorer_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The explorer of an internal build of ``LIBRARY``, in either URL style."""
    root = tmp_path_factory.mktemp("explorer")
    config = BROWSER_YML if request.param else f"{BROWSER_YML}use_directory_urls: false\n"
    project = write(root / "project", {**LIBRARY, "mkdocs.yml": config})
    mkdocs_build(project, root / "site")
    with serve(root / "site") as url:
        yield f"{url}/postmortems/" if request.param else f"{url}/postmortems/index.html"


def shown(page: Any) -> set[str]:
    return {row.get_attribute("data-pm") for row in page.locator("tr[data-pm]:visible").all()}


def expect_rows(page: Any, ids: set[str]) -> None:
    """The rows shown, once the count says how many (the words may arrive after the typing)."""
    sync_api.expect(page.locator(".pm-count")).to_have_text(f"{len(ids)} of 3 postmortems")
    assert shown(page) == ids


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("zanzibar", {"pool-exhausted"}),  # a lesson
        ("quetzal", {"pool-exhausted"}),  # what went wrong
        ("flamingo", {"indexer-lagged"}),  # an action item's title
        ("marmalade", {"indexer-lagged"}),  # a cause's detail
        ("kumquat", {"ledger-drift"}),  # an internal postmortem's lesson, in an internal build
        ("ZANZIBAR pool", {"pool-exhausted"}),  # with a word of the row: every word must match, either place
        ("zanzibar flamingo", set()),
        ("Ledger", {"ledger-drift"}),  # the row's own text, as before
    ],
)
def test_filter_matches_words_the_rows_do_not_show(explorer_url: str, page: Any, query: str, expected: set) -> None:
    words: list[str] = []
    page.on("request", lambda request: words.append(request.url) if request.url.endswith(WORDS) else None)
    page.goto(explorer_url)
    page.wait_for_load_state("networkidle")
    expect_rows(page, {"pool-exhausted", "indexer-lagged", "ledger-drift"})
    assert not words, "a page load does not fetch the words"

    page.fill(".pm-filter-text", query)
    expect_rows(page, expected)
    assert len(words) == 1
    assert f"q={query.replace(' ', '+')}" in page.url


def test_a_linked_query_matches_them_too(explorer_url: str, page: Any) -> None:
    page.goto(f"{explorer_url}?q=flamingo&severity=SEV2")
    expect_rows(page, {"indexer-lagged"})
    # Counted when the typing pauses, over the rows that match every other filter.
    sync_api.expect(page.locator("select[name=severity] option[value=SEV2]")).to_have_text("SEV2 (1)")


def test_filter_refines_when_the_words_arrive_and_works_without_them(explorer_url: str, page: Any) -> None:
    held: list[Any] = []
    page.route(f"**/{WORDS}", lambda route: held.append(route))  # held back until the test lets it go
    page.goto(explorer_url)
    page.fill(".pm-filter-text", "zanzibar")
    expect_rows(page, set())  # only the rows' own text so far
    page.fill(".pm-filter-text", "ledger")
    expect_rows(page, {"ledger-drift"})
    page.fill(".pm-filter-text", "zanzibar")
    for _ in range(100):  # Playwright hands the paused request over between calls
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1, "fetched once"
    held[0].continue_()
    expect_rows(page, {"pool-exhausted"})

    page.unroute(f"**/{WORDS}")
    page.route(f"**/{WORDS}", lambda route: route.abort())
    page.goto(explorer_url)
    page.fill(".pm-filter-text", "zanzibar")
    expect_rows(page, set())
    page.fill(".pm-filter-text", "ledger")
    expect_rows(page, {"ledger-drift"})


def test_a_public_build_writes_no_word_of_an_internal_postmortem(write_project: WriteProject, build: Build) -> None:
    config = MKDOCS_YML.replace("      today: 2026-06-30\n", "      today: 2026-06-30\n      audience: public\n")
    site = build(write_project({**LIBRARY, "mkdocs.yml": config}))
    words = json.loads((site.root / WORDS).read_text(encoding="utf-8"))
    assert set(words) == {"pool-exhausted", "indexer-lagged"}
    assert "zanzibar" in words["pool-exhausted"] and "marmalade" in words["indexer-lagged"]
    assert "kumquat" not in (site.root / WORDS).read_text(encoding="utf-8")
