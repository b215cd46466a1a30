"""Hostile input, round two: characters, reserved and colliding names, costly narratives and
data files, and causes across audiences. Each bad postmortem gets a located problem, the
rest of the library builds, and no generated page is replaced.

The browser half (DOM clobbering) is in ``test_payloads_browser.py``; how long the costly
inputs take is measured by ``benchmarks/hostile.py``, not asserted here.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mkdocs.exceptions import Abort
from support import CAUSES_YML, MKDOCS_YML, REPO, VALID_POSTMORTEM, Build, Kb, Site, WriteProject, problem_lines
from test_safety import site_text

from kb.format.urls import RESERVED

sys.path.insert(0, str(REPO / "benchmarks"))
from hostile import NARRATIVES, catalog
from hostile import draft as front_matter


def draft(title: str = "Draft", day: int = 1, **front: str) -> str:
    """A small valid draft; ``front`` adds or replaces keys, written as YAML as given."""
    keys = {"title": title, "status": "draft", "severity": "SEV4", "started": f"2021-05-{day:02d}T10:00:00+00:00"}
    lines = [f"{key}: {value}" for key, value in {**keys, **front}.items()]
    return "---\n" + "\n".join(lines) + "\n---\nWhat happened.\n"


def lint(kb: Kb, project: Path, *args: str) -> tuple[int, list[str]]:
    code, out, err = kb(project, "lint", *args)
    assert "Traceback" not in err, err
    return code, problem_lines(out)


# --- characters that XML cannot hold, or that hide ---------------------------------------

CONTROL_CHARACTERS = {
    "postmortems/bell.md": (
        draft('"Bell \\a in title"'),
        "bell.md:2: error: 'title': invisible control character U+0007",
    ),
    "postmortems/start.md": (draft(summary='"\\x01 summary"'), "start.md:6: error: 'summary': invisible control"),
    "postmortems/nul.md": (
        draft(trigger='"a \\0 b"'),
        "nul.md:6: error: 'trigger': invisible control character U+0000",
    ),
    "postmortems/feed.md": (draft(services='["a\\fb"]'), "feed.md:6: error: 'services[0]': invisible control"),
    "postmortems/nel.md": (draft(teams='["\\N"]'), "nel.md:6: error: 'teams[0]': invisible control character U+0085"),
    "postmortems/body.md": (draft() + "Line two\nA \x07 bell\n", "body.md:9: error: body: invisible control character"),
}


def test_control_characters_are_located_and_the_rest_builds(write_project: WriteProject, build: Build, kb: Kb) -> None:
    files = {path: text for path, (text, _) in CONTROL_CHARACTERS.items()}
    project = write_project({**files, "postmortems/good.md": VALID_POSTMORTEM})
    code, problems = lint(kb, project)
    assert code == 1
    for _, expected in CONTROL_CHARACTERS.values():
        assert any(line.startswith("postmortems/") and expected in line for line in problems), expected
    site = build(project)
    ElementTree.fromstring((site.root / "feed.xml").read_bytes())
    assert site.has_page("good")
    assert [name for name in ("bell", "start", "nul", "feed", "nel", "body") if site.has_page(name)] == []


def test_a_blank_required_value_is_one_error(write_project: WriteProject, kb: Kb) -> None:
    published = VALID_POSTMORTEM.replace("title: Checkout database pool exhausted", "title: '  '")
    project = write_project(
        {
            "postmortems/a.md": published.replace("authors: [Priya Raman]", "authors: []"),
            "postmortems/b.md": draft(severity='""', trigger='"   "'),  # a blank optional value is unwritten
        }
    )
    assert lint(kb, project) == (
        1,
        [
            "postmortems/a.md:2: error: 'title' is empty; it is required",
            "postmortems/a.md:11: error: 'authors' is empty (when status is published); it is required",
            "postmortems/b.md:4: error: 'severity' is empty (for incidents); it is required",
        ],
    )


def test_an_implausible_date_is_located_and_the_rest_builds(write_project: WriteProject, build: Build, kb: Kb) -> None:
    # A year 1 at +14:00 failed the build when moved to UTC; a year 999 when the insights
    # read its month; a year 9999 drew charts of 96,000 months for a minute and more.
    item = "[{title: Fix it, status: done, completed: 9999-12-31}]"
    project = write_project(
        {
            "postmortems/early.md": draft(started="0001-01-01T00:00:00+14:00"),
            "postmortems/typo.md": draft(started="0202-03-12T10:00:00+00:00"),
            "postmortems/late.md": draft(action_items=item),
            "postmortems/good.md": VALID_POSTMORTEM,
        }
    )
    code, problems = lint(kb, project)
    assert code == 1 and problems == [
        "postmortems/early.md:5: error: 'started': 0001-01-01T00:00:00+14:00 is not a plausible date: its year must "
        "be 1970 to 2199",
        "postmortems/late.md:6: error: 'action_items[0].completed': 9999-12-31 is not a plausible date: its year "
        "must be 1970 to 2199",
        "postmortems/typo.md:5: error: 'started': 0202-03-12T10:00:00+00:00 is not a plausible date: its year must "
        "be 1970 to 2199",
    ]
    site = build(project)
    assert site.has_page("good") and not any(site.has_page(name) for name in ("early", "typo", "late"))


def test_bidirectional_controls_are_a_warning_and_still_build(
    write_project: WriteProject, build: Build, kb: Kb
) -> None:
    project = write_project({"postmortems/rtl.md": draft('"Abc \\u202e cba"')})
    code, problems = lint(kb, project, "--strict")
    assert code == 1 and problems == [
        "postmortems/rtl.md:2: warning: 'title': invisible bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE) "
        "can make the text display in another order than it reads; remove it unless the text is right-to-left"
    ]
    site = build(project)
    assert site.has_page("rtl")
    ElementTree.fromstring((site.root / "feed.xml").read_bytes())


def test_a_message_quoting_a_control_character_prints_it_escaped(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({"postmortems/key.md": draft(**{'"ti\\atle"': "x"})})
    code, out, err = kb(project, "lint")
    assert code == 1 and "Traceback" not in err
    assert "unknown key 'ti\\x07tle'" in out and "\x07" not in out


# Text of every kind: any code point (surrogates included), plus the ones that used to break
# the feed and the ones that hide; and text that passes, hidden characters and all.
NASTY = "\x00\x01\x07\x0b\x0c\x1b\x7f\x85\x9f\u202a\u202e\u2066\u2069\ufeff\ufffe\uffff\ud800\udfff\u200b"
HIDDEN = "\u202a\u202e\u2066\u2069\u200b\u200d\ufeff\u2028\u0301"
any_text = st.text(st.one_of(st.characters(exclude_categories=()), st.sampled_from(NASTY)), max_size=12)
passing_text = st.text(
    st.one_of(
        st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff"), st.sampled_from(HIDDEN)
    ),
    max_size=12,
)


def hostile_front(
    texts: st.SearchStrategy[str], filled: st.SearchStrategy[str]
) -> st.SearchStrategy[dict[str, object]]:
    """Every text field of a published postmortem; ``filled`` for those that must not be
    blank (the title, the summary...) and for services and teams, which need a letter."""
    lists = {key: st.lists(texts, min_size=1, max_size=2) for key in ("tags", "lessons", "went_wrong")}
    return st.fixed_dictionaries(
        {
            "title": filled,
            "summary": filled,
            "trigger": texts,
            **lists,
            **{key: st.lists(filled, min_size=1, max_size=2) for key in ("services", "teams", "authors")},
            "impact": st.fixed_dictionaries({"summary": texts, "slos": st.lists(texts, max_size=1)}),
            "detection": st.fixed_dictionaries({"method": st.just("alert"), "detail": texts}),
            "causes": st.lists(st.fixed_dictionaries({"key": st.just("global-rollout"), "detail": texts}), min_size=1),
            "action_items": st.lists(
                st.fixed_dictionaries({"title": filled, "owner": filled, "due": st.just("2026-01-01"), "note": texts}),
                max_size=1,
            ),
            "timeline": st.lists(st.fixed_dictionaries({"at": st.just("10:05"), "event": filled}), max_size=1),
        }
    )


BUILDS = 40 if os.environ.get("CI") == "true" else 15


def build_hostile(write_project: WriteProject, build: Build, front: dict[str, object], body: str) -> Site:
    """A site of ``VALID_POSTMORTEM`` and a published postmortem with ``front`` and ``body``."""
    fixed = {"status": "published", "severity": "SEV2", "started": "2021-05-01T10:00:00+00:00"}
    text = "---\n" + yaml.safe_dump({**front, **fixed}, allow_unicode=True) + "---\n" + body
    project = write_project({"postmortems/good.md": VALID_POSTMORTEM})
    # A new search index for each example, as for a new site: Hypothesis seeds the random
    # module the same way before each one, so Whoosh would name its next segment after the
    # last example's.
    shutil.rmtree(project / ".kb-cache", ignore_errors=True)
    (project / "postmortems/hostile.md").write_text(text, encoding="utf-8", errors="surrogatepass")
    site = build(project)
    assert site.has_page("good")
    ElementTree.fromstring((site.root / "feed.xml").read_bytes())
    for data in ("api/postmortems.json", "api/causes.json", "api/action-items.json", "postmortems/filter-words.json"):
        json.loads(site.html(data))
    for page in site.root.rglob("*.html"):
        page.read_text(encoding="utf-8")  # every page is valid UTF-8: no surrogate was written
    return site


@settings(max_examples=BUILDS, deadline=None, suppress_health_check=list(HealthCheck))
@given(front=hostile_front(any_text, any_text), body=any_text)
def test_any_text_in_any_field_gives_a_whole_site_with_a_valid_feed(
    write_project: WriteProject, build: Build, front: dict[str, object], body: str
) -> None:
    site = build_hostile(write_project, build, front, body)
    reported = [w for w in site.warnings if w.startswith("postmortems/hostile.md:")]
    assert site.has_page("hostile") or any(": error: " in w for w in reported)


@settings(max_examples=BUILDS, deadline=None, suppress_health_check=list(HealthCheck))
@given(front=hostile_front(passing_text, passing_text.map(lambda text: f"n{text}")), body=passing_text)
def test_text_that_passes_reaches_its_page_the_api_and_the_feed(
    write_project: WriteProject, build: Build, front: dict[str, object], body: str
) -> None:
    site = build_hostile(write_project, build, front, body)
    assert site.has_page("hostile"), site.warnings
    feed = ElementTree.fromstring((site.root / "feed.xml").read_bytes())
    assert [item.findtext("title") for item in feed.iter("item")].count(front["title"]) == 1
    record = next(pm for pm in json.loads(site.html("api/postmortems.json")) if pm["id"] == "hostile")
    assert record["title"] == front["title"] and record["summary"] == front["summary"]


# --- reserved names -------------------------------------------------------------------------

RESERVED_NAMES = [
    pytest.param(
        {"postmortems/index.md": draft()},
        "postmortems/index.md:1: error: file name 'index.md': id 'index' is reserved",
        id="file-index",
    ),
    pytest.param(
        {"postmortems/x.md": draft(id="index")}, "postmortems/x.md:6: error: 'id': id 'index' is reserved", id="id"
    ),
    pytest.param(
        {"postmortems/2021/page.md": draft()}, "postmortems/2021/page.md:1: error: file name 'page.md'", id="page"
    ),
    pytest.param(
        {
            "postmortems/causes.yml": CAUSES_YML + "index:\n  title: Reused name\n",
            "postmortems/x.md": draft(causes="[index]"),
        },
        "postmortems/causes.yml:9: error: cause key 'index' is reserved",
        id="cause",
    ),
    pytest.param(
        {"postmortems/x.md": draft(services="[checkout, Index]")},
        "postmortems/x.md:6: error: 'services[1]': 'Index' is reserved: /services/index/",
        id="service",
    ),
    pytest.param(
        {"postmortems/x.md": draft(teams='["API "]')},
        "postmortems/x.md:6: error: 'teams[0]': 'API ' is reserved",
        id="team",
    ),
]


@pytest.mark.parametrize(("files", "expected"), RESERVED_NAMES)
def test_a_reserved_name_is_located_and_replaces_no_page(
    write_project: WriteProject, build: Build, kb: Kb, files: dict[str, str], expected: str
) -> None:
    project = write_project({**files, "postmortems/good.md": VALID_POSTMORTEM})
    code, problems = lint(kb, project)
    assert code == 1 and any(line.startswith(expected) for line in problems), problems
    with pytest.raises(Abort):
        build(project, strict=True)
    site = build(project)
    assert site.has_page("good")
    assert "data-pm-explorer" in site.html("postmortems/index.html")  # the explorer is the explorer
    assert "Change reached every host at once" in site.article("causes/index.html")  # and the catalog is the catalog
    assert not (site.root / "services/index.html").exists() and not (site.root / "teams/index.html").exists()
    assert "Reused name" not in site_text(site.root)


def test_every_folder_a_full_site_writes_is_a_reserved_name(write_project: WriteProject, build: Build) -> None:
    options = "      pagefind: true\n      publish_index: true\n"
    config = MKDOCS_YML.replace("  - search\n", "  - search\n  - tags\n") + options
    site = build(write_project({"mkdocs.yml": config, "postmortems/good.md": VALID_POSTMORTEM}))
    written = {path.name.split(".")[0] for path in site.root.iterdir()}
    assert {"postmortems", "search-library", "search-index", "pagefind", "api", "feed"} <= written
    assert written - RESERVED == set()


# --- names that collide ---------------------------------------------------------------------


def test_a_postmortem_counts_once_per_service_team_and_tag_whatever_the_case(
    write_project: WriteProject, build: Build, kb: Kb
) -> None:
    twice = draft("Twice", 1, services="[Checkout, checkout]", teams="[SRE, sre]", tags="[Postgres, postgres]")
    project = write_project(
        {"postmortems/twice.md": twice, "postmortems/once.md": draft("Once", 2, services="[Checkout]")}
    )
    code, problems = lint(kb, project)
    assert code == 0 and problems[:3] == [
        "postmortems/twice.md:6: warning: 'services[1]': 'checkout' and 'Checkout' are the same service: listed once",
        "postmortems/twice.md:7: warning: 'teams[1]': 'sre' and 'SRE' are the same team: listed once",
        "postmortems/twice.md:8: warning: 'tags[1]': 'postgres' and 'Postgres' are the same tag: listed once",
    ]
    site = build(project)
    service = site.article("services/checkout/index.html")
    assert "Service · 2 postmortems ·" in service and service.count('href="../../postmortems/twice/"') == 1
    record = next(pm for pm in json.loads(site.html("api/postmortems.json")) if pm["id"] == "twice")
    assert (record["services"], record["teams"], record["tags"]) == (["Checkout"], ["SRE"], ["Postgres"])


def test_names_in_other_scripts_get_readable_distinct_pages(write_project: WriteProject, build: Build) -> None:
    project = write_project(
        {
            "postmortems/a.md": draft("Japan", 1, services="[日本]", teams="[東京]"),
            "postmortems/b.md": draft("Tokyo", 2, services="[東京]", teams="[Équipe Île]"),
            "postmortems/c.md": draft("Literal", 3, services="[unnamed]"),
        }
    )
    site = build(project, strict=True)
    pages = {
        page: site.article(f"{page}/index.html")
        for page in ("services/ri-ben", "services/dong-jing", "services/unnamed", "teams/dong-jing", "teams/equipe-ile")
    }
    assert "Japan" in pages["services/ri-ben"] and "Tokyo" not in pages["services/ri-ben"]
    assert "Tokyo" in pages["services/dong-jing"] and "Japan" not in pages["services/dong-jing"]
    assert "Literal" in pages["services/unnamed"] and "Japan" not in pages["services/unnamed"]
    assert ">東京</h1>" in pages["services/dong-jing"]


def test_two_spellings_of_one_page_are_a_warning_that_names_both(write_project: WriteProject, kb: Kb) -> None:
    project = write_project(
        {
            "postmortems/a.md": draft("A", 1, services="[Checkout API]"),
            "postmortems/b.md": draft("B", 2, services="[checkout-api]"),
        }
    )
    code, problems = lint(kb, project, "--strict")
    assert code == 1 and problems == [
        "postmortems/b.md:6: warning: 'services': service 'checkout-api' is written 'Checkout API' in "
        "postmortems/a.md; both are the page /services/checkout-api/: write them the same way"
    ]


def test_a_name_with_no_letter_or_digit_is_an_error(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({"postmortems/a.md": draft(services='["🔥", "!!"]')})
    code, problems = lint(kb, project)
    assert code == 1 and problems == [
        "postmortems/a.md:6: error: 'services[0]': '🔥' has no letter or digit to name its page by",
        "postmortems/a.md:6: error: 'services[1]': '!!' has no letter or digit to name its page by",
    ]


# --- narratives and data files that cost too much ------------------------------------------

# What each costly narrative of the benchmark is told (those that fail a limit).
COSTLY = {
    "nested-lists": "lists, quotes or indentation nested 21 levels deep, more than 20",
    "failed-to": "a block of 230,001 characters, more than 200,000",
    "brackets": "40,000 '[' and '<' in one block, more than 1,000",
    "divs": "HTML elements nested more than 50 deep",
    "divs-750k": "HTML elements nested more than 50 deep",
    "list-markers": "nested 1000 levels deep",
    "quotes": "nested 5000 levels deep",
    "images": "20,000 '[' and '<' in one block, more than 1,000",
    "tag-openers": "HTML elements nested more than 50 deep",
    "comments": "20,000 '[' and '<' in one block, more than 1,000",
    "code-blocks": "5,000 blocks (paragraphs, lists, tables, code), more than 2,000",
    "paragraphs": "150,000 blocks",
    "links": "10,989 '[' and '<' in all, more than 10,000",
    "code-fences": "25,000 blocks",
    "unclosed-fence": "40,000 '[' and '<' in one block, more than 1,000",
    "indented-fence": "HTML elements nested more than 50 deep",
    "fence-options": "40,000 '[' and '<' in one block, more than 1,000",
    "tab-nesting": "nested 21 levels deep, more than 20",
    "no-break-lines": "9,900 '[' and '<' in one block, more than 1,000",
    "mismatched-tags": "HTML elements nested more than 50 deep",
    "heading-braces": "a line with 99,990 '{', more than 200",
    "table-backticks": "a line with 99,990 '`', more than 200",
}


def test_costly_narratives_fail_only_their_own_postmortem(write_project: WriteProject, build: Build, kb: Kb) -> None:
    files = {f"postmortems/{name}.md": front_matter(name) + NARRATIVES[name]() for name in COSTLY}
    project = write_project({**files, "postmortems/good.md": VALID_POSTMORTEM})
    code, problems = lint(kb, project)
    assert code == 1
    for name, expected in COSTLY.items():
        located = [
            line for line in problems if line.startswith(f"postmortems/{name}.md:") and ": error: body: " in line
        ]
        assert any(expected in line for line in located), (name, located)
    site = build(project)
    assert site.has_page("good") and [name for name in COSTLY if site.has_page(name)] == []


def test_code_in_a_fence_counts_for_no_limit_but_its_size(write_project: WriteProject, build: Build) -> None:
    trace = "".join(f"    at com.example.Pool{n}.<init>(Pool.java:{n})\n" for n in range(2_000))
    nested = "".join(" " * 4 * level + "- [x]\n" for level in range(40))
    body = f"```text\n{trace}```\n\n~~~yaml\n{nested}~~~\n"
    site = build(write_project({"postmortems/trace.md": front_matter("Trace") + body}), strict=True)
    assert site.page("trace").count("&lt;init&gt;") == 2_000


def test_the_most_costly_narrative_within_the_limits_builds(write_project: WriteProject, build: Build) -> None:
    body = NARRATIVES["at-every-limit"]()
    site = build(write_project({"postmortems/big.md": front_matter("Big") + body}), strict=True)
    assert site.page("big").count("level") == 20


def test_a_list_of_more_than_two_hundred_items_is_an_error(write_project: WriteProject, build: Build, kb: Kb) -> None:
    services = ", ".join(f"service-{n}" for n in range(201))
    project = write_project({"postmortems/many.md": draft(services=f"[{services}]")})
    assert lint(kb, project) == (
        1,
        ["postmortems/many.md:6: error: 'services' has 201 items, more than 200: keep those a reader needs, and say "
         "the rest in the body"],
    )  # fmt: skip
    site = build(project)
    assert not site.has_page("many") and not (site.root / "services").exists()


def test_text_repeated_by_aliases_counts_as_written_out(write_project: WriteProject, build: Build, kb: Kb) -> None:
    items = ", ".join(["*a"] * 200)
    front = {"trigger": f"&a '{'word ' * 1_000}'", "lessons": f"[{items}]"}  # 5 KB of YAML, 1 MB of text
    keys = {"impact": f"{{? &k '{'k' * 60_000}' : 1, *k : 2}}"}  # a key, repeated: 120 KB
    project = write_project(
        {
            "postmortems/aliases.md": draft(**front),
            "postmortems/keys.md": draft(**keys),
            "postmortems/good.md": VALID_POSTMORTEM,
        }
    )
    code, problems = lint(kb, project)
    too_large = "error: document too large: its keys and values hold more than 100,000 characters once aliases"
    assert code == 1 and [line.split(": ")[0] for line in problems if too_large in line] == [
        "postmortems/aliases.md:6",
        "postmortems/keys.md:6",
    ]
    assert all(len(line) < 1_100 for line in problems)
    site = build(project)
    assert site.has_page("good") and not site.has_page("aliases") and not site.has_page("keys")


def test_blameless_findings_are_summed_up_past_fifty(write_project: WriteProject, kb: Kb) -> None:
    body = "He failed to notice the alert.\n\n" * 400
    code, problems = lint(kb, write_project({"postmortems/a.md": draft() + body}))
    assert code == 0 and len(problems) == 51
    assert problems[-1].startswith("postmortems/a.md:")
    assert "350 more blameless findings in this file are not shown" in problems[-1]


def test_a_catalog_of_ten_thousand_causes_is_read(write_project: WriteProject, kb: Kb) -> None:
    project = write_project(
        {"postmortems/causes.yml": catalog(10_000), "postmortems/a.md": draft(causes="[cause-9999]")}
    )
    assert lint(kb, project, "--strict") == (0, [])


def test_a_catalog_over_its_limit_is_one_error_and_the_library_builds(
    write_project: WriteProject, build: Build, kb: Kb
) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{b}: &{b} [{', '.join([f'*{a}'] * 10)}]\n" for a, b in zip("abcde", "bcdef", strict=True)
    )
    project = write_project(
        {
            "postmortems/causes.yml": bomb,
            "postmortems/good.md": VALID_POSTMORTEM,
            "postmortems/other.md": VALID_POSTMORTEM.replace("Checkout database", "Other database"),
        }
    )
    code, problems = lint(kb, project)
    assert code == 1 and [line for line in problems if ": error: " in line] == [
        "postmortems/causes.yml:1: error: document too large: more than 250,000 values once aliases are expanded, "
        "the limit for this file"
    ]
    site = build(project)
    assert site.has_page("good") and site.has_page("other")
    assert "global-rollout" in site.article("causes/global-rollout/index.html")  # the key stands for its title


# --- causes across audiences ----------------------------------------------------------------

AUDIENCE_CAUSES = """\
global-rollout:
  title: Change reached every host at once
restricted-only:
  title: RESTRICTEDCAUSE title
  description: RESTRICTEDCAUSE description.
listed:
  title: LISTEDCAUSE title
  visibility: public
internal-listed:
  title: INTERNALCAUSE title
  visibility: internal
"""


@pytest.mark.parametrize(
    ("audience", "present", "absent"),
    [
        ("public", {"listedcause"}, {"restrictedcause", "internalcause"}),
        ("internal", {"listedcause", "internalcause"}, {"restrictedcause"}),
        ("restricted", {"listedcause", "internalcause", "restrictedcause"}, set()),
    ],
)
def test_a_build_lists_the_causes_of_its_audience(
    write_project: WriteProject, build: Build, audience: str, present: set[str], absent: set[str]
) -> None:
    restricted = VALID_POSTMORTEM.replace("key: global-rollout", "key: restricted-only").replace(
        "status: published", "status: published\nvisibility: restricted"
    )
    project = write_project(
        {
            "mkdocs.yml": MKDOCS_YML + f"      audience: {audience}\n",
            "postmortems/causes.yml": AUDIENCE_CAUSES,
            "postmortems/public.md": VALID_POSTMORTEM.replace(
                "status: published", "status: published\nvisibility: public"
            ),
            "postmortems/secret.md": restricted.replace("Checkout database pool exhausted", "Secret incident"),
        }
    )
    site = build(project)
    everything = site_text(site.root)
    assert {marker for marker in present | absent if marker in everything} == present
    listed = json.loads(site.html("api/causes.json"))
    assert ("restricted-only" in listed) == (audience == "restricted")
    assert listed["listed"]["count"] == 0


def test_a_service_spelled_two_ways_is_one_name_everywhere(write_project: WriteProject, build: Build) -> None:
    project = write_project(
        {
            "postmortems/a.md": draft("First", 1, services="[Checkout API]", teams="[SRE]"),
            "postmortems/b.md": draft("Second", 2, services="[checkout-api]", teams="[sre]"),
        }
    )
    site = build(project)
    records = json.loads(site.html("api/postmortems.json"))
    assert {(pm["id"], *pm["services"], *pm["teams"]) for pm in records} == {
        ("a", "Checkout API", "SRE"),
        ("b", "Checkout API", "SRE"),
    }
    rows = json.loads(site.html("postmortems/list-rows.json"))  # one filter value, for both
    service = [[rows["strings"][i] for i in row["f"][rows["facets"].index("service")]] for row in rows["rows"]]
    assert service == [["Checkout API"], ["Checkout API"]]
