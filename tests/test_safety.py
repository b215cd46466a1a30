"""Hostile input never crashes the build, never runs script, never leaks across audiences."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import REPO, TODAY_EPOCH, VALID_POSTMORTEM, Build, Kb, WriteProject

from kb.checks.library import load
from kb.format.problems import Problem
from kb.format.schema import fields_of
from kb.format.settings import Settings

# --- property: any front matter gives located problems, never an exception ---------------

KEYS = [*fields_of(__import__("kb.format.model", fromlist=["Postmortem"]).Postmortem), "serverity", "x"]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["2024-03-12T14:05:00+00:00", "2024-13-45T99:99", "14:05", "SEV1", "published", "done", ""]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
front_matters = st.dictionaries(st.sampled_from(KEYS), values, max_size=12)
EXAMPLES = 1000 if os.environ.get("CI") == "true" else 200


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(front=front_matters, body=st.text(max_size=200))
def test_any_front_matter_gives_located_problems_never_an_exception(
    tmp_path: Path, front: dict[str, object], body: str
) -> None:
    source = tmp_path / "postmortems"
    source.mkdir(exist_ok=True)
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + body
    (source / "pm.md").write_text(text, encoding="utf-8", errors="surrogatepass")
    library = load(Settings(today=None), tmp_path)
    assert all(isinstance(p, Problem) and p.path == "postmortems/pm.md" and p.line >= 1 for p in library.problems)
    assert len(library.postmortems) + any(p.level == "error" for p in library.problems) == 1


@settings(max_examples=EXAMPLES // 2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=300))
def test_any_bytes_give_located_problems_never_an_exception(tmp_path: Path, raw: bytes) -> None:
    source = tmp_path / "postmortems"
    source.mkdir(exist_ok=True)
    (source / "pm.md").write_bytes(b"---\n" + raw)
    library = load(Settings(today=None), tmp_path)
    assert all(p.path == "postmortems/pm.md" and p.line >= 1 for p in library.problems)


# --- named bad inputs: each located, and the rest of the library still builds -----------

BAD_INPUTS: dict[str, tuple[bytes, str]] = {
    "yaml-syntax": (b"---\ntitle: [unclosed\n---\n", ":3: error: invalid YAML"),
    "alias-bomb": (
        b"---\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        b"e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n---\n",
        "error: document too large",
    ),
    "too-big": (b"---\ntitle: x\n---\n" + b"word " * 250_000, ":1: error: file is larger than"),
    "binary": (b"---\n\x00\x01\x02\n---\n", ":1: error: binary file"),
    "not-utf8": (b"---\ntitle: caf\xe9\n---\n", ":2: error: not valid UTF-8"),
    "empty": (b"", ":1: error: empty file"),
    "unclosed-front-matter": (b"---\ntitle: x\nstatus: draft\n", ":1: error: front matter is not closed"),
    "no-front-matter": (b"# Just a heading\n", ":1: error: no front matter"),
    "date-out-of-range": (
        b"---\ntitle: x\nstatus: draft\nseverity: SEV1\nstarted: 2024-13-45T99:00:00+00:00\n---\n",
        ":5: error: 'started': '2024-13-45T99:00:00+00:00' is not a valid datetime",
    ),
    "offset-out-of-range": (
        b"---\ntitle: x\nstatus: draft\nseverity: SEV1\nstarted: 2024-01-01T10:00:00+25:00\n---\n",
        ":5: error: 'started'",
    ),
    "deep-nesting": (b"---\ntitle: " + b"[" * 3000 + b"]" * 3000 + b"\n---\n", "error: invalid YAML"),
    "python-tag": (b"---\ntitle: !!python/name:os.system x\n---\n", ":2: error: unsupported YAML value"),
    "wrong-types-everywhere": (
        b"---\ntitle: [a]\nstatus: {x: 1}\nstarted: 5\nimpact: {users_affected: -3}\n"
        b"causes: [{key: [x]}]\naction_items: [{title: {}, due: yesterday}]\ntimeline: [{at: 25:99, event: x}]\n---\n",
        ":2: error: 'title' must be a string",
    ),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_is_located_and_the_rest_builds(write_project: WriteProject, build: Build, kb: Kb, name: str) -> None:
    content, expected = BAD_INPUTS[name]
    project = write_project({"postmortems/good.md": VALID_POSTMORTEM})
    (project / "postmortems/bad.md").write_bytes(content)
    code, out, err = kb(project, "lint")
    assert code == 1 and "Traceback" not in err
    assert any(line.startswith("postmortems/bad.md:") and expected in line for line in out.splitlines()), out
    site = build(project)
    assert site.has_page("good") and not site.has_page("bad")


def test_bom_and_crlf_are_read_normally(write_project: WriteProject, build: Build) -> None:
    project = write_project({})
    text = VALID_POSTMORTEM.replace("\n", "\r\n").encode("utf-8-sig")
    (project / "postmortems/windows.md").write_bytes(text)
    site = build(project, strict=True)
    assert "Checkout database pool exhausted" in site.page("windows")


def test_symlinks_out_of_the_source_folder_are_not_followed(
    write_project: WriteProject, kb: Kb, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text(VALID_POSTMORTEM.replace("Checkout database pool exhausted", "OUTSIDE-MARKER"))
    project = write_project({"postmortems/inside.md": VALID_POSTMORTEM})
    (project / "postmortems/link.md").symlink_to(outside)
    (project / "postmortems/folder").symlink_to(tmp_path, target_is_directory=True)
    code, out, _ = kb(project, "search", "OUTSIDE-MARKER", "--format", "json")
    assert code == 0 and out.strip() == "[]"


def test_names_cannot_write_outside_the_site(write_project: WriteProject, build: Build, tmp_path: Path) -> None:
    evil = VALID_POSTMORTEM.replace("services: [checkout-api]", 'services: ["../../../escaped"]')
    site = build(write_project({"postmortems/a.md": evil}), strict=True)
    assert (site.root / "services/escaped/index.html").is_file()
    assert not list(tmp_path.glob("**/escaped*")) or all(site.root in p.parents for p in tmp_path.glob("**/escaped*"))


# --- audiences: no trace of what a build excludes -----------------------------------------


def marked(visibility: str, marker: str, day: int) -> str:
    return f"""\
---
title: {marker} title
status: published
severity: SEV2
visibility: {visibility}
started: 2024-03-{day:02d}T14:00:00+00:00
services: [{marker.lower()}-service, shared-service]
teams: [{marker.lower()}-team]
tags: [{marker.lower()}-tag]
authors: [{marker} Author]
summary: {marker} summary.
causes:
  - key: global-rollout
    detail: {marker} detail.
action_items:
  - title: Add a {marker} alert on queue depth
    owner: {marker.lower()}-owner
    due: 2026-01-01
lessons: [{marker} lesson]
got_lucky: [{marker} luck]
related: [public-one]
---
{marker} body.
"""


AUDIENCE_LIBRARY = {
    "postmortems/public-one.md": marked("public", "PUBLICMARK", 1),
    "postmortems/internal-one.md": marked("internal", "INTERNALMARK", 2),
    "postmortems/restricted-one.md": marked("restricted", "RESTRICTEDMARK", 3),
    "postmortems/reading.yml": (
        "tracks:\n  - name: Start here\n    items:\n      - id: public-one\n      - id: internal-one\n"
    ),
}


def site_text(root: Path) -> str:
    """Everything in a built site folder, as one lower-cased string (gzip included)."""
    import gzip

    files = [path for path in root.rglob("*") if path.is_file()]
    assert root.is_dir() and files, f"no built site in {root}"
    chunks = []
    for path in files:
        data = path.read_bytes()
        chunks.append(gzip.decompress(data) if path.suffix == ".gz" else data)
    return b"\n".join(chunks).decode("utf-8", "replace").lower()


@pytest.mark.parametrize(
    ("audience", "absent"),
    [("public", ["internalmark", "restrictedmark"]), ("internal", ["restrictedmark"]), ("restricted", [])],
)
def test_an_audience_build_holds_no_trace_of_what_it_excludes(
    write_project: WriteProject, build: Build, audience: str, absent: list[str]
) -> None:
    config = (
        "site_name: T\ntheme: {name: material}\nplugins:\n  - search\n  - tags\n"
        f"  - postmortems:\n      today: 2026-06-30\n      audience: {audience}\n"
    )
    site = build(write_project({**AUDIENCE_LIBRARY, "mkdocs.yml": config}))
    everything = site_text(site.root)
    assert "publicmark" in everything
    for marker in absent:
        assert marker not in everything, f"{marker} leaked into the {audience} build"
    for marker in {"internalmark", "restrictedmark"} - set(absent):
        assert marker in everything
    assert ("internal-one" in everything) == ("internalmark" not in absent)
    dropped = "postmortems/reading.yml:5: warning: 'internal-one' is not in audience 'public': left out"
    assert (dropped in site.warnings) == (audience == "public")


def test_public_build_of_the_example_library_has_no_internal_marker(tmp_path: Path) -> None:
    from kb.load.project import open_project

    project = open_project(REPO / "mkdocs.yml")
    everyone = load(Settings(audience="restricted", today=project.settings.today), REPO).postmortems
    hidden = [pm for pm in everyone if pm.visibility != "public"]
    assert hidden
    config = (REPO / "mkdocs.yml").read_text().replace("audience: internal", "audience: public")
    (tmp_path / "mkdocs.yml").write_text(config.replace("source: postmortems", f"source: {REPO / 'postmortems'}"))
    (tmp_path / "docs").symlink_to(REPO / "docs")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "-q",
            "-f",
            str(tmp_path / "mkdocs.yml"),
            "-d",
            str(tmp_path / "site"),
        ],
        check=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    everything = site_text(tmp_path / "site")
    public = [pm.slug for pm in everyone if pm.visibility == "public"]
    assert public and all(slug in everything for slug in public)  # the build read the library
    for pm in hidden:
        assert pm.slug not in everything, pm.slug
        assert pm.title.lower() not in everything, pm.title
    # The list pages' rows files, which the filters fetch: every row is a public postmortem's.
    for rows_file in ("postmortems", "action-items", "lessons"):
        rows = json.loads((tmp_path / "site" / rows_file / "list-rows.json").read_text(encoding="utf-8"))["rows"]
        owners = {re.split("[#:]", row["id"])[0] for row in rows}
        assert rows and owners <= set(public), rows_file


# --- reproducible builds --------------------------------------------------------------


def test_two_builds_of_the_example_library_are_identical(tmp_path: Path) -> None:
    sites = []
    for n in (1, 2):
        site = tmp_path / f"site{n}"
        subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)],
            cwd=REPO,
            check=True,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": TODAY_EPOCH},
        )
        sites.append(site)
    first, second = ({p.relative_to(s): p.read_bytes() for p in s.rglob("*") if p.is_file()} for s in sites)
    assert first.keys() == second.keys()
    assert [str(path) for path in first if first[path] != second[path]] == []
