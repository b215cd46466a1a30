"""A library written by another team from the spec alone, using the freedoms it allows.

Flat folder, its own severity scale, a README and a template that are not postmortems,
a reading list, plain-key causes, ``impact`` as a string, ``"HH:MM"`` timeline times and
a near-miss without severity. It must build strict, with a page for every postmortem.
"""

from __future__ import annotations

import pytest
from support import Build, Kb, Site, WriteProject

FILES = {
    "mkdocs.yml": """\
        site_name: Acme incident reviews
        theme:
          name: material
        plugins:
          - search
          - postmortems:
              source: reviews
              today: 2025-06-30
              timezone: America/New_York
              severities: [critical, major, minor]
        """,
    "reviews/README.md": """\
        # Incident reviews

        Copy `_template.md`, fill it in, open a pull request.
        """,
    "reviews/_template.md": """\
        ---
        title: TITLE
        status: draft
        severity: pick one
        started: YYYY-MM-DDTHH:MM
        ---
        """,
    "reviews/causes.yml": """\
        global-rollout:
          title: Change reached every host at once
          category: change-management
          description: The change had no staged rollout, so its blast radius was everything.
        regex-backtracking:
          title: Catastrophic regex backtracking
          category: code
          description: A pattern with nested quantifiers took exponential time on some inputs.
        """,
    "reviews/reading.yml": """\
        tracks:
          - name: First week on call
            description: Read these before your first shift.
            items:
              - id: 2019-07-02-waf-regex
                why: A single regex took the whole edge down; shows why staged rollouts matter.
              - id: disk-almost-full
        """,
    "reviews/2019-07-02-waf-regex.md": """\
        ---
        title: A WAF regex took the edge down
        status: published
        severity: critical
        started: 2019-07-02T13:42:00+00:00
        detected: 2019-07-02T13:45:00+00:00
        mitigated: 2019-07-02T14:09:00+00:00
        services: [edge, waf]
        authors: [Jo Park]
        summary: >-
          A new WAF rule with a backtracking regex pinned every edge CPU at 100%.
          Traffic failed for 27 minutes until the rule set was rolled back globally.
        impact: Most requests to every site failed for 27 minutes.
        causes: [regex-backtracking, global-rollout]
        timeline:
          - at: "13:42"
            event: The rule set reached every edge host.
          - at: "13:45"
            event: CPU alerts paged the on-call.
          - at: "14:09"
            event: Global rollback finished; traffic recovered.
        action_items:
          - title: Stage WAF rule rollouts through a canary
            owner: edge-team
            due: 2019-09-01
            status: done
            addresses: [global-rollout]
        related: [disk-almost-full]
        ---

        ## What happened

        A rule meant to block an attack pattern was deployed everywhere at once.
        """,
    "reviews/disk-almost-full.md": """\
        ---
        title: Database disk nearly filled up
        status: in-review
        type: near-miss
        started: 2020-01-15T08:00:00-05:00
        impact: None; the disk reached 97% before cleanup.
        causes:
          - global-rollout
        visibility: public
        ---

        The log level change went everywhere and logs grew tenfold.
        """,
}

IDS = ["2019-07-02-waf-regex", "disk-almost-full"]


@pytest.fixture
def site(write_project: WriteProject, build: Build) -> Site:
    return build(write_project(FILES), strict=True)


def test_foreign_library_builds_strict_with_a_page_per_postmortem(site: Site) -> None:
    assert site.warnings == []
    assert [pm_id for pm_id in IDS if site.has_page(pm_id)] == IDS
    assert (site.root / "postmortems" / "index.html").is_file()


def test_readme_and_template_are_not_postmortems(site: Site) -> None:
    pages = sorted(p.parent.name for p in (site.root / "postmortems").glob("*/index.html"))
    assert pages == sorted(IDS)


def test_foreign_library_renders_its_own_conventions(site: Site) -> None:
    waf, disk = site.page("2019-07-02-waf-regex"), site.page("disk-almost-full")

    assert '<span class="pm-badge pm-sev-1">critical</span>' in waf
    assert "Most requests to every site failed for 27 minutes." in waf
    assert "Catastrophic regex backtracking" in waf
    assert "<td>09:45</td>" in waf  # "13:45" on the day of started, shown in New York time
    assert "Near-miss" in disk
    assert "admonition" in disk  # in review: a banner


def test_foreign_library_lints_clean(write_project: WriteProject, kb: Kb) -> None:
    project = write_project(FILES)

    code, out, err = kb(project, "lint", "--strict")

    assert (code, out) == (0, ""), out
    assert "2 files checked: 0 errors, 0 warnings" in err
