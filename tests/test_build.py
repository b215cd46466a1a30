"""Real MkDocs builds of small projects in ``tmp_path``; assertions on the HTML they write."""

from __future__ import annotations

import html
import json
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from mkdocs.structure.toc import get_toc
from mkdocs_postmortems import material_toc
from support import MKDOCS_YML, REPO, VALID_POSTMORTEM, Build, WriteProject

INVALID = """\
    ---
    title: Severity misspelt
    status: draft
    serverity: SEV2
    started: 2024-05-01T10:00:00+00:00
    ---
    """


def draft(title: str, started: str, *extra: str, status: str = "draft") -> str:
    """A small valid unpublished postmortem; ``extra`` lines are added to its front matter."""
    lines = ["---", f"title: {title}", f"status: {status}", "severity: SEV3", f"started: {started}", *extra, "---", ""]
    return "\n".join(lines)


def text_of(html: str) -> str:
    """Visible text: tags dropped, entities decoded, whitespace folded."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


# --- problems in the build ---------------------------------------------------------


def test_invalid_postmortem_is_a_warning_and_gets_no_page(write_project: WriteProject, build: Build) -> None:
    project = write_project({"postmortems/good.md": VALID_POSTMORTEM, "postmortems/bad.md": INVALID})

    site = build(project)

    assert "postmortems/bad.md:4: error: unknown key 'serverity'; did you mean 'severity'?" in site.warnings
    assert "postmortems/bad.md:1: error: front matter: missing required key 'severity' (for incidents)" in site.warnings
    assert site.has_page("good")
    assert not site.has_page("bad")
    index = site.article("postmortems/index.html")
    assert "Checkout database pool exhausted" in index
    assert "Severity misspelt" not in index


def test_strict_build_fails_on_an_invalid_postmortem(write_project: WriteProject, build: Build) -> None:
    project = write_project({"postmortems/good.md": VALID_POSTMORTEM, "postmortems/bad.md": INVALID})

    with pytest.raises(Abort, match="in strict mode"):
        build(project, strict=True)


def test_valid_library_builds_strict_without_warnings(write_project: WriteProject, build: Build) -> None:
    project = write_project({"postmortems/good.md": VALID_POSTMORTEM})

    site = build(project, strict=True)

    assert site.warnings == []
    assert site.has_page("good")


def test_warning_only_library_fails_strict_build(write_project: WriteProject, build: Build) -> None:
    project = write_project({"postmortems/local.md": draft("Local time", "2024-01-10T09:00:00")})

    with pytest.raises(Abort):
        build(project, strict=True)


# --- the list and the navigation ---------------------------------------------------------


def test_index_lists_postmortems_newest_first_grouped_by_year(write_project: WriteProject, build: Build) -> None:
    project = write_project(
        {
            "postmortems/2023/old.md": draft("Oldest outage", "2023-02-01T09:00:00+00:00"),
            "postmortems/2024/mid.md": draft("Middle outage", "2024-03-01T09:00:00+00:00"),
            "postmortems/2024/new.md": draft("Newest outage", "2024-11-01T09:00:00+00:00"),
        }
    )

    index = build(project).article("postmortems/index.html")

    # A year heading is an element holding just the year (dates in rows hold more).
    years = list(re.finditer(r">(\d{4})<", index))
    assert [y.group(1) for y in years] == ["2024", "2023"]
    positions = [index.index("Newest outage"), index.index("Middle outage"), years[1].start(), index.index("Oldest")]
    assert years[0].start() < positions[0]
    assert positions == sorted(positions)
    assert 'href="new/"' in index
    assert 'href="old/"' in index


def test_postmortem_pages_stay_out_of_the_nav(write_project: WriteProject, build: Build) -> None:
    project = write_project({"postmortems/good.md": VALID_POSTMORTEM})

    site = build(project)

    home = site.html("index.html")
    assert 'href="postmortems/"' in home
    assert "postmortems/good/" not in home
    assert site.has_page("good")
    assert (site.root / "postmortems" / "index.html").is_file()


# --- one postmortem page -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "banner"),
    [
        ("draft", '<div class="admonition warning"><p class="admonition-title">Draft</p>'),
        ("in-review", '<div class="admonition info"><p class="admonition-title">In review</p>'),
    ],
)
def test_unpublished_page_shows_a_banner(write_project: WriteProject, build: Build, status: str, banner: str) -> None:
    wip = draft("Work in progress", "2024-01-10T09:00:00+00:00", status=status)
    project = write_project({"postmortems/wip.md": wip})

    page = build(project).page("wip")

    assert banner in page


def test_published_page_has_no_banner(write_project: WriteProject, build: Build) -> None:
    project = write_project({"postmortems/good.md": VALID_POSTMORTEM})

    page = build(project).page("good")

    assert "admonition" not in page


def test_header_shows_severity_status_times_and_durations(write_project: WriteProject, build: Build) -> None:
    project = write_project({"postmortems/good.md": VALID_POSTMORTEM})

    page = text_of(build(project).page("good"))

    assert "SEV2 Published" in page
    assert "Started 2024-03-12 14:00 UTC" in page
    assert "Detected 2024-03-12 14:07 UTC (after 7 min)" in page
    assert "Mitigated 2024-03-12 14:52 UTC (after 52 min)" in page
    assert "Resolved 2024-03-12 17:10 UTC (after 3 h 10 min)" in page


def test_times_are_shown_in_the_configured_timezone(write_project: WriteProject, build: Build) -> None:
    config = """\
        site_name: Paris
        theme: {name: material}
        plugins:
          - postmortems:
              today: 2026-06-30
              timezone: Europe/Paris
        """
    winter = draft("Winter", "2024-01-10T09:00:00+00:00", "detected: 2024-01-10T09:30:00Z")
    summer = draft("Summer", "2024-07-10T09:00:00+00:00", "resolved: 2024-07-12T13:00:00-04:00")
    project = write_project({"mkdocs.yml": config, "postmortems/winter.md": winter, "postmortems/summer.md": summer})

    site = build(project)

    assert site.warnings == []
    winter_page, summer_page = text_of(site.page("winter")), text_of(site.page("summer"))
    assert "Started 2024-01-10 10:00 CET" in winter_page
    assert "Detected 2024-01-10 10:30 CET (after 30 min)" in winter_page
    assert "Started 2024-07-10 11:00 CEST" in summer_page
    assert "Resolved 2024-07-12 19:00 CEST (after 2 d 8 h)" in summer_page


def test_action_items_show_owner_due_and_state(write_project: WriteProject, build: Build) -> None:
    project = write_project({"postmortems/good.md": VALID_POSTMORTEM})

    page = text_of(build(project).page("good"))

    # today is 2026-06-30: due 2026-06-01 is overdue, 2026-07-05 is within 14 days.
    assert "Alert on pool saturation sre-team 2026-06-01 Overdue" in page
    assert "Stage pool config rollouts platform-team 2026-07-05 Due soon" in page
    assert "Document pool sizing Done" in page
    assert "Rewrite the ORM Out of scope; the pooler fixes the symptom. Won't do" in page


def test_due_soon_window_follows_the_option(write_project: WriteProject, build: Build) -> None:
    config = """\
        site_name: T
        theme: {name: material}
        plugins:
          - postmortems:
              today: 2026-06-30
              due_soon_days: 3
        """
    project = write_project({"mkdocs.yml": config, "postmortems/good.md": VALID_POSTMORTEM})

    page = text_of(build(project).page("good"))

    assert "Stage pool config rollouts platform-team 2026-07-05 Open" in page


def h1_text(page: str) -> str:
    """The text a reader sees in the page's heading, entities decoded."""
    match = re.search(r"<h1[^>]*>(.*?)</h1>", page, flags=re.S)
    assert match
    return html.unescape(match.group(1))


def test_html_in_a_title_is_escaped(write_project: WriteProject, build: Build) -> None:
    hostile = draft(
        '"<script>alert(1)</script>"', "2024-01-10T09:00:00+00:00", 'services: ["<img src=x onerror=alert(2)>"]'
    )
    project = write_project({"postmortems/xss.md": hostile})

    site = build(project)

    for built in (site.html("postmortems/xss/index.html"), site.html("postmortems/index.html")):
        assert "<script>alert(1)" not in built
        assert "<img src=x" not in built
    assert h1_text(site.page("xss")) == "<script>alert(1)</script>"


def test_title_is_escaped_exactly_once(write_project: WriteProject, build: Build) -> None:
    project = write_project({"postmortems/amp.md": draft('"Cache & queue <b>down</b>"', "2024-01-10T09:00:00+00:00")})

    site = build(project)

    page, index = site.html("postmortems/amp/index.html"), site.html("postmortems/index.html")
    shown = "Cache &amp; queue &lt;b&gt;down&lt;/b&gt;"
    assert f"<title>{shown} - Test library</title>" in page
    assert h1_text(page) == "Cache & queue <b>down</b>"
    assert f">{shown}</a>" in index
    assert "&amp;amp;" not in page + index
    assert "&amp;lt;" not in page + index


def test_markdown_body_is_rendered_below_the_header(write_project: WriteProject, build: Build) -> None:
    project = write_project({"postmortems/good.md": VALID_POSTMORTEM})

    page = build(project).page("good")

    assert '<h2 id="narrative-what-happened">What happened</h2>' in page
    assert page.index("Action items") < page.index("What happened")


def test_the_summary_is_escaped_html_before_the_sanitized_narrative(write_project: WriteProject, build: Build) -> None:
    summary = "summary: 'Pool <b>ran</b> *dry* & [link](javascript:alert(1))'"
    body = '\n<b onclick="alert(2)">Kept</b>, handler dropped.\n'
    postmortem = VALID_POSTMORTEM.replace(
        "summary: Checkout ran out of database connections after a query plan change.", summary
    )
    project = write_project({"postmortems/good.md": postmortem + body})

    page = build(project).page("good")

    shown = "<p>Pool &#60;b&#62;ran&#60;/b&#62; &#42;dry&#42; &#38; &#91;link&#93;(javascript:alert(1))</p>"
    assert shown in page  # as written: not Markdown, not HTML
    narrative = page.index('<hr class="pm-narrative">')
    assert page.index(shown) < page.index("Action items") < narrative < page.index("Kept")
    assert "<b>Kept</b>" in page and "onclick" not in page  # the narrative went through the sanitizer


def test_generated_sections_are_in_the_table_of_contents_before_the_narrative(
    write_project: WriteProject, build: Build
) -> None:
    project = write_project({"postmortems/good.md": VALID_POSTMORTEM})

    page = build(project).html("postmortems/good/index.html")

    toc = page[page.index('<nav class="md-nav md-nav--secondary"') :]
    toc = toc[: toc.index('class="md-content"')]
    anchors = re.findall(r'href="#([^"]+)"', toc)
    cause = "change-reached-every-host-at-once"  # its title, from causes.yml
    assert anchors == ["summary", "contributing-causes", cause, "action-items", "narrative-what-happened"]
    assert "kb:toc" not in page  # the stand-in entry was replaced
    causes = toc[toc.index('href="#contributing-causes"') : toc.index('href="#action-items"')]
    assert '<ul class="md-nav__list">' in causes  # the cause is nested under its section
    for anchor in anchors:  # each entry leads somewhere on the page
        assert f'id="{anchor}"' in page
    assert "kb:html" not in page  # every deferred fragment is in place


# A postmortem with a narrative of two sections, one related postmortem and one similar
# (it shares the cause and the service).
CROSS_REFERENCED = {
    "postmortems/good.md": VALID_POSTMORTEM.replace("summary:", "related: [other]\nsummary:", 1)
    + "\n## Analysis\n\nThe pool was sized for last year.\n",
    "postmortems/other.md": draft("Search reindex stalled", "2024-02-01T09:00:00+00:00"),
    "postmortems/alike.md": draft(
        "Checkout pool config reached every pod",
        "2024-01-10T09:00:00+00:00",
        "services: [checkout-api]",
        "causes: [{key: global-rollout}]",
    ),
}
# A site's own table-of-contents entry, unlike Material's: the plugin cannot write its entries.
OWN_TOC_ITEM = """\
<li class="md-nav__item"><a href="{{ toc_item.url }}" class="md-nav__link">{{ toc_item.title }}</a>
{%- if toc_item.children %}<ul>
{%- for toc_item in toc_item.children %}{% include "partials/toc-item.html" %}{% endfor %}
</ul>{% endif %}</li>
"""


@pytest.mark.parametrize(
    "theme",
    [
        "{name: material, font: false}",  # one stand-in entry for the headings on each side of the narrative
        "{name: material, font: false, custom_dir: overrides}",  # every entry through the site's own partial
        "mkdocs",  # MkDocs' own theme: every entry, in its markup
    ],
)
def test_the_narrative_comes_before_the_cross_references_on_the_page_and_in_its_contents(
    write_project: WriteProject, build: Build, theme: str
) -> None:
    config = MKDOCS_YML.replace("theme:\n  name: material\n", f"theme: {theme}\n")
    project = write_project(
        {"mkdocs.yml": config, "overrides/partials/toc-item.html": OWN_TOC_ITEM, **CROSS_REFERENCED}
    )

    page = build(project).html("postmortems/good/index.html")

    article = page[page.index('id="summary"') :]
    order = ['<hr class="pm-narrative">', 'id="narrative-what-happened"', 'id="narrative-analysis"']
    order += ["sized for last year."]
    order += ['id="related-postmortems"', 'id="similar-postmortems"']
    assert [article.index(part) for part in order] == sorted(article.index(part) for part in order)
    sections = ["summary", "contributing-causes", "action-items", "narrative-what-happened", "narrative-analysis"]
    sections += ["related-postmortems", "similar-postmortems"]
    contents = re.findall(r'<a href="#([^"]+)" class="(?:md-nav__link|nav-link)"', page)
    assert [anchor for anchor in contents if anchor in sections] == sections  # in page order, each once
    assert "kb:toc" not in page and "kb:html" not in page  # every stand-in and fragment is in place


def test_a_postmortem_without_a_narrative_has_no_rule_before_its_cross_references(
    write_project: WriteProject, build: Build
) -> None:
    told = CROSS_REFERENCED["postmortems/good.md"]
    project = write_project({**CROSS_REFERENCED, "postmortems/good.md": told[: told.index("## What happened")]})

    page = build(project).page("good")

    assert "Related postmortems" in page and "Similar postmortems" in page
    assert "<hr" not in page


HEADINGS = [
    {
        "level": 2,
        "id": "contributing-causes",
        "name": "Contributing causes",
        "children": [{"level": 3, "id": "pool", "name": "Pool &amp; <code>x</code> &#39;y&#39;", "children": []}],
    },
    {"level": 2, "id": "timeline", "name": "Timeline", "children": []},
]
AFTER = [{"level": 2, "id": "related-postmortems", "name": "Related postmortems", "children": []}]


@pytest.mark.parametrize(("before", "after"), [(HEADINGS, AFTER), (HEADINGS, []), ([], AFTER)])
def test_deferred_headings_are_written_in_the_toc_as_material_writes_them(
    before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> None:
    """The plugin gives Material one stand-in entry for the deferred headings on each side
    of the narrative's and writes the rest itself (it is cheaper): the result must be what
    Material's own partial makes of every entry, in page order."""
    env = load_config(config_file=str(REPO / "mkdocs.yml")).theme.get_env()
    item = env.get_template("partials/toc-item.html")
    narrative = get_toc([{"level": 2, "id": "narrative-what-happened", "name": "What happened", "children": []}])

    def written(stand_in: bool) -> str:
        toc = material_toc.with_headings(before, narrative, after, stand_in)
        return "<ul>" + "".join(item.render(toc_item=entry) for entry in toc) + "</ul>"

    def squeeze(markup: str) -> str:
        return re.sub(r">\s+", ">", re.sub(r"\s+<", "<", markup)).strip()

    stand_ins = written(stand_in=True)
    assert stand_ins.count("kb:toc") == bool(before) + bool(after)
    assert squeeze(material_toc.fill(stand_ins, before, after)) == squeeze(written(stand_in=False))


def test_the_toc_shortcut_is_used_only_where_the_theme_writes_entries_as_material_does(tmp_path: Path) -> None:
    def fits(theme: str) -> bool:
        (tmp_path / "mkdocs.yml").write_text(f"site_name: T\ntheme: {theme}\n", encoding="utf-8")
        config = load_config(config_file=str(tmp_path / "mkdocs.yml"))
        return material_toc.fits(config, config.theme.get_env())

    (tmp_path / "docs").mkdir()
    override = tmp_path / "overrides" / "partials"
    override.mkdir(parents=True)
    (override / "toc-item.html").write_text('<li><a href="{{ toc_item.url }}">{{ toc_item.title }}</a></li>')
    assert fits("material")
    assert not fits("{name: material, features: [toc.integrate]}")
    assert not fits("{name: material, custom_dir: overrides}")  # a site's own partial: every entry the usual way
    assert not fits("mkdocs")


def test_material_search_indexes_the_page_and_each_section_apart(write_project: WriteProject, build: Build) -> None:
    project = write_project({"postmortems/good.md": VALID_POSTMORTEM})

    index = json.loads((build(project).root / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs = {doc["location"]: doc for doc in index["docs"]}

    assert "after a query plan change" in docs["postmortems/good/"]["text"]
    assert "Alert on pool saturation" not in docs["postmortems/good/"]["text"]  # no table HTML parsed into the page's
    assert docs["postmortems/good/#action-items.1"]["title"] == "Alert on pool saturation"  # its own, from the library
    assert "Stage pool config rollouts" in build(project).page("good")


def test_a_marker_written_in_the_narrative_stays_a_comment(write_project: WriteProject, build: Build) -> None:
    body = "\n<!-- kb:html 0 -->\n\nThe end.\n"
    trusted = MKDOCS_YML + "      trust_html: true\n"  # else the sanitizer drops the comment anyway
    project = write_project({"mkdocs.yml": trusted, "postmortems/good.md": VALID_POSTMORTEM + body})

    page = build(project).page("good")

    assert page.count('class="pm-badges"') == 1  # the badges are in once, before the narrative
    assert page.index('class="pm-badges"') < page.index("The end.")
    assert "<!-- kb:html 0 (as written in the narrative) -->" in page  # the narrative's own, made inert


# --- audiences ---------------------------------------------------------------------------


def test_public_build_leaves_no_trace_of_internal_postmortems(write_project: WriteProject, build: Build) -> None:
    config = """\
        site_name: Public
        theme: {name: material}
        plugins:
          - search
          - postmortems:
              today: 2026-06-30
              audience: public
        """
    public = draft("Shared with customers", "2024-01-10T09:00:00+00:00", "visibility: public", "related: [secret]")
    internal = draft("Internal only outage", "2024-02-10T09:00:00+00:00")
    project = write_project({"mkdocs.yml": config, "postmortems/open.md": public, "postmortems/secret.md": internal})

    site = build(project)

    assert site.has_page("open")
    assert not site.has_page("secret")
    everything = "".join(p.read_text(encoding="utf-8") for p in site.root.rglob("*") if p.suffix in (".html", ".json"))
    assert "Internal only outage" not in everything
    assert "secret/" not in everything
    assert "1 postmortems, 0 of them near-misses" in site.article("postmortems/index.html")
