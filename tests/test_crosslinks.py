"""Cause, service and team pages, recurrence ("it came back"), related and similar links, JSON."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from support import REPO, Build, Site, WriteProject

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate

from kb.format.urls import slugify


def linked_postmortems(html: str) -> set[str]:
    """Ids of the postmortem pages an article links to."""
    return set(re.findall(r'href="(?:\.\./)+postmortems/([a-z0-9-]+)/"', html))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Site]:
    """A 120-postmortem synthetic library that follows the spec, built once."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    root = tmp_path_factory.mktemp("generated")
    generate(120, root / "postmortems", seed=7)
    (root / "docs").mkdir()
    (root / "docs/index.md").write_text("# Home\n")
    (root / "mkdocs.yml").write_text(
        "site_name: Generated\ntheme: {name: material}\nplugins:\n  - search\n"
        "  - postmortems: {today: 2026-06-30, audience: restricted}\n"
    )
    cfg = load_config(config_file=str(root / "mkdocs.yml"))
    mkdocs_build(cfg)
    return root, Site(Path(cfg["site_dir"]), [])


def test_every_group_page_lists_exactly_its_postmortems(generated: tuple[Path, Site]) -> None:
    _, site = generated
    postmortems = json.loads(site.html("api/postmortems.json"))
    assert len(postmortems) == 120
    expected: dict[str, set[str]] = {}
    for pm in postmortems:
        for key in pm["cause_keys"]:
            expected.setdefault(f"causes/{key}", set()).add(pm["id"])
        for name in pm["services"]:
            expected.setdefault(f"services/{slugify(name)}", set()).add(pm["id"])
        for name in pm["teams"]:
            expected.setdefault(f"teams/{slugify(name)}", set()).add(pm["id"])
    for page, ids in expected.items():
        article = site.article(f"{page}/index.html")
        listed = article[article.index('id="postmortems"') :]  # the list, not "open action items"
        assert linked_postmortems(listed) == ids, page


def test_causes_json_agrees_with_the_cause_pages(generated: tuple[Path, Site]) -> None:
    _, site = generated
    causes = json.loads(site.html("api/causes.json"))
    named = {key for pm in json.loads(site.html("api/postmortems.json")) for key in pm["cause_keys"]}
    assert set(causes) == named and len(named) > 10  # the causes its postmortems name, no other of the 40
    for key, cause in causes.items():
        assert cause["count"] == len(cause["postmortems"]) > 0
        article = site.article(f"causes/{key}/index.html")
        assert linked_postmortems(article[article.index('id="postmortems"') :]) == set(cause["postmortems"])
        assert f"<strong>{cause['count']}</strong>" in article
        assert key in site.article("causes/index.html")


RECURRENCE = """\
---
title: {title}
status: published
severity: SEV3
started: {started}
services: [{services}]
teams: [{teams}]
authors: [A. Writer]
summary: Something failed.
causes: [global-rollout]
action_items:
  - title: Stage every config rollout by zone
    owner: platform-team
    due: 2024-03-01
    status: {status}
    {completed}
    addresses: [global-rollout]
    scope: [{scope}]
---
"""


def recurrence_project(
    write_project: WriteProject,
    fix_completed: str,
    second_started: str,
    second_services: str = "checkout-api",
    second_teams: str = "checkout-team",
    scope: str = "",
) -> Path:
    """Two postmortems with the cause ``global-rollout``; the first, in ``checkout-api``
    and ``checkout-team``, has a fix for it completed on ``fix_completed``."""
    return write_project(
        {
            "postmortems/first.md": RECURRENCE.format(
                title="First",
                started="2024-01-10T10:00:00+00:00",
                services="checkout-api",
                teams="checkout-team",
                status="done",
                completed=f"completed: {fix_completed}",
                scope=scope,
            ),
            "postmortems/second.md": RECURRENCE.format(
                title="Second",
                started=second_started,
                services=second_services,
                teams=second_teams,
                status="open",
                completed="",
                scope="",
            ),
        }
    )


def test_cause_that_comes_back_after_its_fix_is_called_out(write_project: WriteProject, build: Build) -> None:
    site = build(recurrence_project(write_project, "2024-02-01", "2024-06-01T10:00:00+00:00"), strict=True)
    for page in ("postmortems/second/index.html", "causes/global-rollout/index.html"):
        article = site.article(page)
        assert "It came back after a fix was done" in article, page
        assert "Stage every config rollout by zone" in article
        assert re.search(r'href="(\.\./)+(postmortems/)?first/"', article)
    assert "It came back" not in site.page("first")
    cause = json.loads(site.html("api/causes.json"))["global-rollout"]
    assert cause["recurred_after_fix"] is True
    assert cause["addressed_by"] == ["first#1", "second#1"]
    second = next(pm for pm in json.loads(site.html("api/postmortems.json")) if pm["id"] == "second")
    assert second["came_back"] == [
        {
            "cause": "global-rollout",
            "action_item": "first#1",
            "fixed_in": "first",
            "shared": {"service": "checkout-api"},
        }
    ]
    assert "same cause, same service <code>checkout-api</code>" in site.page("second")


@pytest.mark.parametrize(
    ("services", "teams", "scope", "reason"),
    [
        ("search-api", "search-team", "", None),  # the same cause elsewhere: not this fix's failure
        ("search-api", "checkout-team", "", "same team <code>checkout-team</code>"),
        ("search-api, checkout-api", "search-team", "", "same service <code>checkout-api</code>"),
        ("search-api", "search-team", "search-api", "in the scope of the fix: service <code>search-api</code>"),
        ("checkout-api", "checkout-team", "payments-api", None),  # a scope narrower than its postmortem
    ],
)
def test_a_fix_counts_against_a_later_postmortem_only_where_it_could_have_prevented_it(
    write_project: WriteProject, build: Build, services: str, teams: str, scope: str, reason: str | None
) -> None:
    project = recurrence_project(write_project, "2024-02-01", "2024-06-01T10:00:00+00:00", services, teams, scope)

    site = build(project, strict=True)

    second, cause_page = site.page("second"), site.article("causes/global-rollout/index.html")
    cause = json.loads(site.html("api/causes.json"))["global-rollout"]
    came_back = next(pm for pm in json.loads(site.html("api/postmortems.json")) if pm["id"] == "second")["came_back"]
    assert "It came back" not in site.page("first")
    if reason is None:
        assert "It came back" not in second and "came back in" not in cause_page
        assert cause["recurred_after_fix"] is False and came_back == []
    else:
        assert "It came back after a fix was done" in second and f"same cause, {reason}" in second
        assert f"same cause, {reason}" in cause_page
        assert cause["recurred_after_fix"] is True and len(came_back) == 1


def test_recurrence_before_the_fix_was_done_is_not_called_out(write_project: WriteProject, build: Build) -> None:
    # The second incident happened while the fix was still being written.
    site = build(recurrence_project(write_project, "2024-08-01", "2024-06-01T10:00:00+00:00"), strict=True)
    assert "It came back" not in site.page("second")
    assert "It came back" not in site.article("causes/global-rollout/index.html")
    assert json.loads(site.html("api/causes.json"))["global-rollout"]["recurred_after_fix"] is False


def test_related_is_shown_in_both_directions(write_project: WriteProject, build: Build) -> None:
    pm = "---\ntitle: {t}\nstatus: draft\nseverity: SEV4\nstarted: 2024-01-0{d}T10:00:00+00:00\nrelated: [{r}]\n---\n"
    project = write_project(
        {"postmortems/a.md": pm.format(t="A", d=1, r=""), "postmortems/b.md": pm.format(t="B", d=2, r="a")}
    )
    site = build(project, strict=True)
    assert 'href="../b/"' in site.page("a")
    assert 'href="../a/"' in site.page("b")
    by_id = {p["id"]: p for p in json.loads(site.html("api/postmortems.json"))}
    assert by_id["a"]["related"] == ["b"]
    assert by_id["b"]["related"] == ["a"]


def test_example_library_first_similar_shares_a_cause_or_service() -> None:
    from kb.analysis.analyze import analyze
    from kb.checks.library import load
    from kb.load.project import open_project

    project = open_project(REPO / "mkdocs.yml")
    library = load(project.settings, project.root)
    analysis = analyze(library)
    sharing = 0
    for pm in library.postmortems:
        first = analysis.similar[pm.slug][0].pm
        assert first is not pm and first.slug not in pm.related
        sharing += bool(set(first.cause_keys) & set(pm.cause_keys) or set(first.services) & set(pm.services))
    assert sharing / len(library.postmortems) >= 0.8
    reasons = [r for similar in analysis.similar.values() for s in similar for r in s.reasons]
    assert any(r.startswith("shares cause") for r in reasons)
    assert "similar wording" in reasons


def test_postmortems_json_has_fields_durations_and_links(write_project: WriteProject, build: Build) -> None:
    from support import VALID_POSTMORTEM

    site = build(write_project({"postmortems/pool.md": VALID_POSTMORTEM}), strict=True)
    [pm] = json.loads(site.html("api/postmortems.json"))
    assert pm["id"] == "pool"
    assert pm["url"] == "/postmortems/pool/"
    assert pm["started"] == "2024-03-12T14:00:00+00:00"
    assert pm["durations"] == {"time_to_detect": 420, "time_to_mitigate": 3120, "time_to_resolve": 11400}
    assert pm["cause_keys"] == ["global-rollout"]
    assert pm["similar"] == [] and pm["related"] == []
    assert [i["state"] for i in pm["action_items"]] == ["overdue", "due-soon", "done", "wont-do"]
    assert "body" not in pm and "source" not in pm


def test_service_and_team_pages_link_from_postmortem_and_explorer(write_project: WriteProject, build: Build) -> None:
    from support import VALID_POSTMORTEM

    site = build(write_project({"postmortems/pool.md": VALID_POSTMORTEM}), strict=True)
    assert 'href="../../services/checkout-api/"' in site.page("pool")
    assert 'href="../../teams/checkout-team/"' in site.page("pool")
    service = site.article("services/checkout-api/index.html")
    assert "Alert on pool saturation" in service  # an open action item
    assert "Document pool sizing" not in service  # done: not open
    assert "postmortems/?service=checkout-api" in service
