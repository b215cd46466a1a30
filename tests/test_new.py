"""``kb new``: a fresh postmortem from the template, dated today, with a free id."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from support import Build, Kb, WriteProject

from kb.load.sources import read_source


def recent_dates() -> set[str]:
    """Today's date in UTC, and a minute ago, in case ``kb new`` ran just before midnight."""
    now = datetime.now(UTC)
    return {f"{now:%Y-%m-%d}", f"{now - timedelta(minutes=1):%Y-%m-%d}"}


def test_new_writes_a_dated_file_under_its_year(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({})

    code, out, _ = kb(project, "new", "Checkout API down")

    assert code == 0
    match = re.fullmatch(r"postmortems/(\d{4})/((\d{4}-\d{2}-\d{2})-checkout-api-down)\.md\n", out)
    assert match, out
    year, _, day = match.groups()
    assert day in recent_dates()
    assert day.startswith(year)
    assert (project / out.strip()).is_file()


def test_new_file_lints_clean(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({})
    kb(project, "new", "Checkout API down")

    code, out, err = kb(project, "lint", "--strict")

    assert (code, out) == (0, ""), out
    assert "1 files checked: 0 errors, 0 warnings" in err


def test_new_takes_a_free_id(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({})

    first = kb(project, "new", "Queue backlog")[1].strip()
    second = kb(project, "new", "Queue backlog")[1].strip()

    assert second == first.removesuffix(".md") + "-2.md"
    assert Path(project, first).is_file()
    assert Path(project, second).is_file()
    assert kb(project, "lint")[0] == 0


def test_new_keeps_the_title_verbatim(write_project: WriteProject, kb: Kb) -> None:
    title = 'Checkout "down": 50% of #orders failed <b>again</b>'
    project = write_project({})

    rel = kb(project, "new", title)[1].strip()

    source = read_source(project / rel, rel)
    assert source.tree.value["title"] == title
    assert rel.endswith("-checkout-down-50-of-orders-failed-b-again-b.md")


def test_new_uses_the_configured_severity_scale(write_project: WriteProject, kb: Kb) -> None:
    config = "site_name: T\nplugins:\n  - postmortems:\n      severities: [critical, major, minor]\n"
    project = write_project({"mkdocs.yml": config})

    rel = kb(project, "new", "Disk full")[1].strip()

    assert read_source(project / rel, rel).tree.value["severity"] in ("critical", "major", "minor")
    assert kb(project, "lint", "--strict")[0] == 0


def test_new_postmortem_builds_as_a_draft(write_project: WriteProject, kb: Kb, build: Build) -> None:
    project = write_project({})
    rel = kb(project, "new", "Checkout API down")[1].strip()

    site = build(project, strict=True)

    page = site.page(Path(rel).stem)
    assert "Checkout API down" in page
    assert '<p class="admonition-title">Draft</p>' in page


def test_new_dates_the_id_by_the_incident_and_fills_type_and_services(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({})

    code, out, _ = kb(
        project, "new", "Queue backlog", "--started", "2025-11-28T09:30", "--type", "near-miss",
        "--service", "checkout-api", "--service", "order-events",
    )  # fmt: skip

    assert code == 0
    assert out == "postmortems/2025/2025-11-28-queue-backlog.md\n"
    source = read_source(project / out.strip(), out.strip())
    front = source.tree.value
    assert front["started"] == "2025-11-28T09:30:00+00:00"  # in the library's zone, UTC here
    assert front["type"] == "near-miss"
    assert front["services"] == ["checkout-api", "order-events"]
    assert kb(project, "lint")[0] == 0


def test_new_refuses_an_empty_title_and_a_bad_date(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({})

    empty = kb(project, "new", "  ")
    bad_date = kb(project, "new", "Queue backlog", "--started", "last tuesday")

    assert empty[0] == 2 and "give the postmortem a title" in empty[2]
    assert bad_date[0] == 2 and "not an ISO 8601 date" in bad_date[2]
    assert not list((project / "postmortems").rglob("*.md"))


def test_new_gives_any_title_a_readable_id_cut_between_words(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({})
    long_title = "Checkout returned errors for every customer during the whole of the holiday sale weekend " * 2

    japanese = kb(project, "new", "決済サービスの障害", "--started", "2025-01-31")[1].strip()
    long = kb(project, "new", long_title, "--started", "2025-01-31")[1].strip()

    assert re.fullmatch(r"postmortems/2025/2025-01-31-[a-z]+(-[a-z]+)+\.md", japanese), japanese
    stem = Path(long).stem
    assert len(stem) <= 80
    words = set(long_title.lower().split())
    assert all(word in words for word in stem.removeprefix("2025-01-31-").split("-")), stem  # no word cut


def test_the_template_s_example_texts_count_as_not_written(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({})
    rel = kb(project, "new", "Queue backlog", "--started", "2025-11-28T09:30")[1].strip()
    path = project / rel
    draft = path.read_text(encoding="utf-8")

    _, _, err = kb(project, "lint")
    assert "[ ] Summary" in err and "[ ] Detection described" in err  # nothing ticked for the examples

    path.write_text(draft.replace("status: draft", "status: published"), encoding="utf-8")
    code, out, _ = kb(project, "lint")

    assert code == 1
    assert f"{rel}:17: error: 'summary' is empty" in out  # required once published: not written
    for key in ("summary", "impact.summary", "detection.detail", "trigger"):
        assert f"'{key}' still holds the template's example text" in out
