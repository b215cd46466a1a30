"""Full-text search: relevance on the example library, field queries, the index's life cycle."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support import REPO, VALID_POSTMORTEM, Build, Kb, WriteProject
from whoosh import index

from kb.library import Library, load
from kb.project import open_project
from kb.whoosh_engine import WhooshEngine

JUDGED = yaml.safe_load((REPO / "benchmarks/relevance.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def example() -> Library:
    project = open_project(REPO / "mkdocs.yml")
    return load(project.settings, project.root)


@pytest.fixture(scope="module")
def engine(example: Library, tmp_path_factory: pytest.TempPathFactory) -> WhooshEngine:
    engine = WhooshEngine(tmp_path_factory.mktemp("cache"))
    engine.update(example.postmortems)
    return engine


@pytest.mark.parametrize("judged", JUDGED, ids=[j["query"] for j in JUDGED])
def test_judged_query_finds_the_intended_postmortem(engine: WhooshEngine, judged: dict[str, object]) -> None:
    ids = [hit.id for hit in engine.search(str(judged["query"]), limit=10).hits]
    top = int(judged.get("top", 1))  # type: ignore[call-overload]
    assert judged["expect"] in ids[:top], f"{judged['query']!r} ranked {ids[:5]}"


def test_at_least_twenty_judged_queries() -> None:
    assert len(JUDGED) >= 20


@pytest.mark.parametrize("field", ["service", "team", "cause", "tag", "severity", "type", "status", "year"])
def test_field_query_returns_exactly_the_postmortems_with_that_value(
    engine: WhooshEngine, example: Library, field: str
) -> None:
    values_of = {
        "service": lambda pm: pm.services,
        "team": lambda pm: pm.teams,
        "cause": lambda pm: pm.cause_keys,
        "tag": lambda pm: pm.tags,
        "severity": lambda pm: [pm.severity] if pm.severity else [],
        "type": lambda pm: [pm.type],
        "status": lambda pm: [pm.status],
        "year": lambda pm: [str(pm.started.year)],
    }[field]
    all_values = {v for pm in example.postmortems for v in values_of(pm)}
    assert all_values
    for value in sorted(all_values):
        expected = {pm.slug for pm in example.postmortems if value in values_of(pm)}
        found = {hit.id for hit in engine.search(f"{field}:{value}", limit=1000).hits}
        assert found == expected, f"{field}:{value}"


def test_phrases_and_boolean_operators(engine: WhooshEngine) -> None:
    both = {h.id for h in engine.search("kafka AND near-miss", limit=100).hits}
    assert both and all("near-miss" in i or "kafka" in i or "lag" in i for i in both)
    without = {h.id for h in engine.search("retry NOT service:payments-service", limit=100).hits}
    assert "2023-02-07-payments-retry-storm" not in without
    assert "2022-03-09-push-notification-retry-storm" in without
    phrase = [h.id for h in engine.search('"oat milk"', limit=5).hits]
    assert phrase[0] == "2026-02-10-search-synonyms-config"


def test_typo_is_corrected_and_said(engine: WhooshEngine) -> None:
    results = engine.search("pgbuoncer", limit=3)
    assert results.suggestion == "pgbouncer"
    assert results.hits[0].id == "2025-06-24-checkout-pgbouncer-saturation"


def test_kb_search_in_a_fresh_clone_builds_its_index(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({"postmortems/2024-03-12-pool.md": VALID_POSTMORTEM})
    assert not (project / ".kb-cache").exists()
    code, out, err = kb(project, "search", "pool", "--format", "json")
    assert code == 0, err
    hits = json.loads(out)
    assert [h["id"] for h in hits] == ["2024-03-12-pool"]
    assert hits[0]["url"] == "/postmortems/2024-03-12-pool/"
    assert {"title", "score", "severity", "started", "snippet"} <= set(hits[0])
    assert (project / ".kb-cache").is_dir()


def test_kb_search_text_output_highlights_and_suggests(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({"postmortems/2024-03-12-pool.md": VALID_POSTMORTEM})
    code, out, _ = kb(project, "search", "databse")
    assert code == 0
    assert out.splitlines()[0] == "did you mean: database (showing results for it)"
    assert "Checkout database pool exhausted" in out
    assert "**database**" in out  # not a terminal: matches are marked with **


def test_rebuild_after_editing_one_postmortem_reindexes_only_that_one(
    write_project: WriteProject, build: Build
) -> None:
    files = {f"postmortems/2024-03-1{n}-pm{n}.md": VALID_POSTMORTEM for n in range(3)}
    project = write_project(files)
    build(project)
    engine = WhooshEngine(project / ".kb-cache" / "internal")
    before = engine.generations()
    assert len(before) == 3

    edited = project / "postmortems/2024-03-11-pm1.md"
    edited.write_text(edited.read_text().replace("The pool ran dry.", "The pool ran dry twice."))
    build(project)
    after = engine.generations()
    changed = {pm_id for pm_id in after if after[pm_id] != before[pm_id]}
    assert changed == {"2024-03-11-pm1"}

    build(project)  # nothing changed: nothing is rewritten
    assert engine.generations() == after


def test_removed_postmortem_leaves_the_index(write_project: WriteProject, build: Build) -> None:
    project = write_project({"postmortems/a.md": VALID_POSTMORTEM, "postmortems/b.md": VALID_POSTMORTEM})
    build(project)
    (project / "postmortems/b.md").unlink()
    build(project)
    assert set(WhooshEngine(project / ".kb-cache" / "internal").generations()) == {"a"}


def test_a_second_writer_gets_a_clear_message(write_project: WriteProject, kb: Kb) -> None:
    project = write_project({"postmortems/a.md": VALID_POSTMORTEM})
    engine = WhooshEngine(project / ".kb-cache" / "internal")
    engine.update([])  # create the index, empty
    writer = index.open_dir(engine.directory).writer()  # another process is writing
    try:
        code, _, err = kb(project, "search", "pool")
    finally:
        writer.cancel()
    assert code == 2
    assert "being updated by another build or kb command" in err
    assert "Traceback" not in err


KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from whoosh import index
ix = index.open_dir(sys.argv[1])
writer = ix.writer()
for n in range(50):
    writer.add_document(id=f"half-{n}", title="half written")
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_build_killed_mid_write_leaves_the_previous_index_usable(write_project: WriteProject, tmp_path: Path) -> None:
    project = write_project({"postmortems/a.md": VALID_POSTMORTEM})
    project_settings = open_project(project / "mkdocs.yml")
    engine = WhooshEngine(tmp_path / "cache")
    engine.update(load(project_settings.settings, project).postmortems)
    killed = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(engine.directory)], check=False)
    assert killed.returncode == -signal.SIGKILL
    assert [h.id for h in engine.search("pool").hits] == ["a"]
    assert engine.update(load(project_settings.settings, project).postmortems).changed == 0
    assert os.listdir(engine.directory)  # and the next writer can still take the lock
    assert engine.update([]).removed == ["a"]
