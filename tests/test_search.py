"""Full-text search: relevance on the example library, field queries, the index's life cycle.

Everything meant to behave the same runs on both engines, Whoosh and tantivy.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from importlib.util import find_spec
from pathlib import Path

import pytest
import yaml
from support import MKDOCS_YML, REPO, VALID_POSTMORTEM, Build, Kb, WriteProject
from whoosh import index

from kb.checks.library import Library, load
from kb.format.settings import Settings
from kb.load.project import open_project
from kb.search.choice import engine_for
from kb.search.engine import SearchEngine, SearchError, document

JUDGED = yaml.safe_load((REPO / "benchmarks/relevance.yml").read_text(encoding="utf-8"))
ENGINES = [
    "whoosh",
    pytest.param("tantivy", marks=pytest.mark.skipif(find_spec("tantivy") is None, reason="needs the tantivy extra")),
]


def new_engine(name: str, cache_dir: Path) -> SearchEngine:
    return engine_for(Settings(search_engine=name), cache_dir)  # type: ignore[arg-type]


def config(engine_name: str) -> dict[str, str]:
    """The files of a project that searches with ``engine_name``."""
    return {"mkdocs.yml": MKDOCS_YML + f"      search_engine: {engine_name}\n"}


def project_engine(project: Path) -> SearchEngine:
    """The engine, and the index, that ``project``'s build and ``kb search`` use."""
    settings = open_project(project / "mkdocs.yml").settings
    return engine_for(settings, settings.cache_path(project))


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def example() -> Library:
    project = open_project(REPO / "mkdocs.yml")
    return load(project.settings, project.root)


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest, example: Library, tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    engine = new_engine(request.param, tmp_path_factory.mktemp("cache"))
    engine.update(example.postmortems)
    return engine


@pytest.mark.parametrize("judged", JUDGED, ids=[j["query"] for j in JUDGED])
def test_judged_query_finds_the_intended_postmortem(engine: SearchEngine, judged: dict[str, object]) -> None:
    ids = [hit.id for hit in engine.search(str(judged["query"]), limit=10).hits]
    top = int(judged.get("top", 1))  # type: ignore[call-overload]
    assert judged["expect"] in ids[:top], f"{judged['query']!r} ranked {ids[:5]}"


def test_at_least_twenty_judged_queries() -> None:
    assert len(JUDGED) >= 20


@pytest.mark.parametrize("field", ["service", "team", "cause", "tag", "severity", "type", "status", "year"])
def test_field_query_returns_exactly_the_postmortems_with_that_value(
    engine: SearchEngine, example: Library, field: str
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


def test_phrases_and_boolean_operators(engine: SearchEngine) -> None:
    both = {h.id for h in engine.search("kafka AND near-miss", limit=100).hits}
    assert both and all("near-miss" in i or "kafka" in i or "lag" in i for i in both)
    without = {h.id for h in engine.search("retry NOT service:payments-service", limit=100).hits}
    assert "2023-02-07-payments-retry-storm" not in without
    assert "2022-03-09-push-notification-retry-storm" in without
    phrase = [h.id for h in engine.search('"oat milk"', limit=5).hits]
    assert phrase[0] == "2026-02-10-search-synonyms-config"
    everything = engine.search("*", limit=1000).total
    assert engine.search("NOT service:payments-service", limit=1000).total == everything - len(
        engine.search("service:payments-service", limit=1000).hits
    )


def test_wildcards_and_fuzzy_words(engine: SearchEngine) -> None:
    pool = {h.id for h in engine.search("pool", limit=100).hits}
    assert pool <= {h.id for h in engine.search("poo*", limit=100).hits}
    assert pool < {h.id for h in engine.search("pool~2", limit=100).hits}  # "poll", "post", ...


def test_stop_words_and_stray_syntax_are_forgiven(engine: SearchEngine) -> None:
    assert engine.search("the", limit=5).total == 0
    pool = [h.id for h in engine.search("pool", limit=10).hits]
    for query in ('"pool', "(pool", "pool)", "the pool"):
        assert sorted(h.id for h in engine.search(query, limit=10).hits) == sorted(pool), query
    assert set(pool) <= {h.id for h in engine.search("pool http://example.com 10:30", limit=100).hits}


def test_whoosh_ranges_and_unknown_fields_search_without_a_suggestion(example: Library, tmp_path: Path) -> None:
    engine = new_engine("whoosh", tmp_path)
    engine.update(example.postmortems)
    years = {pm.slug for pm in example.postmortems if 2022 <= pm.started.year <= 2023}
    ranged = engine.search("year:[2022 TO 2023]", limit=100)  # its corrector cannot read ranges
    assert {h.id for h in ranged.hits} == years and ranged.suggestion is None
    assert engine.search("foo:bar").total == 0  # nor words under a field the index does not have


@pytest.mark.skipif(find_spec("tantivy") is None, reason="needs the tantivy extra")
def test_tantivy_says_which_syntax_it_does_not_support(tmp_path: Path) -> None:
    engine = new_engine("tantivy", tmp_path)
    engine.update([])
    with pytest.raises(SearchError, match=r"^ranges are not supported by the tantivy search engine"):
        engine.search("year:[2020 TO 2022]")


def test_typo_is_corrected_and_said(engine: SearchEngine) -> None:
    results = engine.search("pgbuoncer", limit=3)
    assert results.suggestion == "pgbouncer"
    assert results.hits[0].id == "2025-06-24-checkout-pgbouncer-saturation"
    assert engine.search("certficate expird").suggestion == "certificate expired"
    assert engine.search("type:near-mis").suggestion == "type:near-miss"
    assert engine.search("conection pol").suggestion == "connection pool"
    assert engine.search("pool").suggestion is None  # known words are left alone


def test_snippets_mark_the_matched_words(engine: SearchEngine) -> None:
    [hit] = engine.search('"oat milk"', limit=1, marks=("<", ">")).hits
    assert "<oat> <milk>" in hit.snippet.lower()
    [hit] = engine.search("service:payments-service", limit=1).hits
    assert hit.snippet and "**" not in hit.snippet  # no word to mark: the summary


def test_an_update_rewrites_only_what_changed(example: Library, engine_name: str, tmp_path: Path) -> None:
    engine = new_engine(engine_name, tmp_path)
    kept, edited, dropped = example.postmortems[:3]
    assert sorted(engine.update([kept, edited, dropped]).added) == sorted([kept.slug, edited.slug, dropped.slug])
    before = engine.generations()

    now = [document(kept), document(replace(edited, summary="A zanzibar of a summary."))]
    stats = engine.update_documents(now)
    assert (stats.added, stats.updated, stats.removed, stats.unchanged) == ([], [edited.slug], [dropped.slug], 1)
    after = engine.generations()
    assert set(after) == {kept.slug, edited.slug}
    assert after[kept.slug] == before[kept.slug] < after[edited.slug]
    assert [h.id for h in engine.search("zanzibar").hits] == [edited.slug]

    assert engine.update_documents(now).changed == 0  # nothing changed: nothing is rewritten
    assert engine.generations() == after


def test_kb_search_in_a_fresh_clone_builds_its_index(write_project: WriteProject, kb: Kb, engine_name: str) -> None:
    project = write_project({"postmortems/2024-03-12-pool.md": VALID_POSTMORTEM, **config(engine_name)})
    assert not (project / ".kb-cache").exists()
    code, out, err = kb(project, "search", "pool", "--format", "json")
    assert code == 0, err
    hits = json.loads(out)
    assert [h["id"] for h in hits] == ["2024-03-12-pool"]
    assert hits[0]["url"] == "/postmortems/2024-03-12-pool/"
    assert {"title", "score", "severity", "started", "snippet"} <= set(hits[0])
    assert (project / ".kb-cache").is_dir()


def test_kb_search_text_output_highlights_and_suggests(write_project: WriteProject, kb: Kb, engine_name: str) -> None:
    project = write_project({"postmortems/2024-03-12-pool.md": VALID_POSTMORTEM, **config(engine_name)})
    code, out, err = kb(project, "search", "databse")
    assert code == 0, err
    assert out.splitlines()[0] == "did you mean: database (showing results for it)"
    assert "Checkout database pool exhausted" in out
    assert "**database**" in out  # not a terminal: matches are marked with **


@pytest.mark.parametrize("code", ["502", "OPS-124", "E2BIG", "2024-03-13-pool"])
def test_numbers_ids_and_error_codes_are_never_corrected(
    write_project: WriteProject, kb: Kb, engine_name: str, code: str
) -> None:
    pool = VALID_POSTMORTEM.replace("The pool ran dry.", "The pool ran dry: errors 503, OPS-123, E2BIGX.")
    project = write_project({"postmortems/2024-03-12-pool.md": pool, **config(engine_name)})
    _, out, err = kb(project, "search", f"checkout {code}")
    assert "did you mean" not in out + err, out  # "checkout 502" is not "checkout 503"


def test_each_text_result_says_where_to_open_it(write_project: WriteProject, kb: Kb, engine_name: str) -> None:
    project = write_project({"postmortems/2024/2024-03-12-pool.md": VALID_POSTMORTEM, **config(engine_name)})
    _, out, _ = kb(project, "search", "pool")
    assert "    postmortems/2024/2024-03-12-pool.md  /postmortems/2024-03-12-pool/" in out.splitlines()


def test_a_pasted_error_message_ranks_the_postmortem_that_holds_it_first(
    write_project: WriteProject, kb: Kb, engine_name: str
) -> None:
    message = "You can't write against a read only replica"
    files = {
        f"postmortems/2024-0{n}-01-noise.md": VALID_POSTMORTEM.replace("2024-03-12", f"2024-0{n}-01")
        .replace("Checkout database pool exhausted", f"Replica read only writes against write replica {n}")
        .replace("The pool ran dry.", "Write, read, replica, only, against, write, replica, read only, can't.")
        for n in range(1, 8)
    }
    files["postmortems/2024-09-09-holds-it.md"] = VALID_POSTMORTEM.replace("2024-03-12", "2024-09-09").replace(
        "The pool ran dry.", f"The app logged: {message}."
    )
    project = write_project({**files, **config(engine_name)})
    _, out, _ = kb(project, "search", message, "--format", "json")
    assert json.loads(out)[0]["id"] == "2024-09-09-holds-it"


def test_an_unknown_engine_is_a_located_settings_error(write_project: WriteProject, kb: Kb) -> None:
    project = write_project(config("elasticsearch"))
    code, _, err = kb(project, "search", "pool")
    assert code == 2
    assert "'plugins.postmortems.search_engine': 'elasticsearch' is not one of whoosh, tantivy" in err
    assert "Traceback" not in err


# ``kb`` in an interpreter where tantivy cannot be imported, as when the extra is not installed.
WITHOUT_TANTIVY = "import sys; sys.modules['tantivy'] = None; from kb.cli.main import main; sys.exit(main())"


def test_without_the_extra_tantivy_is_asked_for_and_whoosh_still_works(write_project: WriteProject) -> None:
    project = write_project({"postmortems/a.md": VALID_POSTMORTEM})

    def kb_without_tantivy(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", WITHOUT_TANTIVY, *args]
        return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=60, check=False)

    whoosh = kb_without_tantivy("search", "pool", "--format", "json")
    assert whoosh.returncode == 0, whoosh.stderr
    assert [h["id"] for h in json.loads(whoosh.stdout)] == ["a"]

    (project / "mkdocs.yml").write_text(config("tantivy")["mkdocs.yml"], encoding="utf-8")
    tantivy = kb_without_tantivy("search", "pool")
    assert tantivy.returncode == 2
    assert tantivy.stderr == (
        "kb: plugins.postmortems.search_engine: tantivy needs the optional extra: "
        "pip install 'postmortem-library[tantivy]'\n"
    )


# A build writes the index only for a site that publishes it (kb search keeps its own).
PUBLISHING = {"mkdocs.yml": MKDOCS_YML + "      publish_index: true\n"}


def test_a_build_writes_no_index_unless_the_site_publishes_it(write_project: WriteProject, build: Build) -> None:
    project = write_project({"postmortems/a.md": VALID_POSTMORTEM})
    build(project)
    assert not (project / ".kb-cache").exists()
    project = write_project({"postmortems/a.md": VALID_POSTMORTEM, **PUBLISHING})
    site = build(project)
    assert set(project_engine(project).generations()) == {"a"}
    assert (site.root / "search-index").is_dir()


def test_rebuild_after_editing_one_postmortem_reindexes_only_that_one(
    write_project: WriteProject, build: Build
) -> None:
    files = {f"postmortems/2024-03-1{n}-pm{n}.md": VALID_POSTMORTEM for n in range(3)}
    project = write_project({**files, **PUBLISHING})
    build(project)
    engine = project_engine(project)
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
    project = write_project({"postmortems/a.md": VALID_POSTMORTEM, "postmortems/b.md": VALID_POSTMORTEM, **PUBLISHING})
    build(project)
    (project / "postmortems/b.md").unlink()
    build(project)
    assert set(project_engine(project).generations()) == {"a"}


@contextmanager
def another_writer(engine_name: str, directory: Path) -> Iterator[None]:
    """The index held by a writer, as another build would hold it."""
    if engine_name == "whoosh":
        writer = index.open_dir(directory).writer()
        try:
            yield
        finally:
            writer.cancel()
    else:
        import tantivy

        tantivy_writer = tantivy.Index.open(str(directory)).writer()
        try:
            yield
        finally:
            tantivy_writer.rollback()
            tantivy_writer.wait_merging_threads()


def test_a_second_writer_gets_a_clear_message(write_project: WriteProject, kb: Kb, engine_name: str) -> None:
    project = write_project({"postmortems/a.md": VALID_POSTMORTEM, **config(engine_name)})
    engine = project_engine(project)
    engine.update([])  # create the index, empty
    with another_writer(engine_name, engine.directory):
        code, _, err = kb(project, "search", "pool")
    assert code == 2
    assert "being updated by another build or kb command" in err
    assert "Traceback" not in err


KILLED_WRITER = {
    "whoosh": """
import os, signal, sys
from whoosh import index
ix = index.open_dir(sys.argv[1])
writer = ix.writer()
for n in range(50):
    writer.add_document(id=f"half-{n}", title="half written")
os.kill(os.getpid(), signal.SIGKILL)
""",
    "tantivy": """
import os, signal, sys
import tantivy
from kb.search.tantivy_engine import ANALYZERS
ix = tantivy.Index.open(sys.argv[1])
for name, analyzer in ANALYZERS.items():  # without them, the writer's thread fails on our fields
    ix.register_tokenizer(name, analyzer)
writer = ix.writer(heap_size=15_000_000, num_threads=1)
for n in range(50):
    writer.add_document(tantivy.Document(id=f"half-{n}", digest="half written"))
os.kill(os.getpid(), signal.SIGKILL)
""",
}


def test_a_build_killed_mid_write_leaves_the_previous_index_usable(
    write_project: WriteProject, tmp_path: Path, engine_name: str
) -> None:
    project = write_project({"postmortems/a.md": VALID_POSTMORTEM})
    project_settings = open_project(project / "mkdocs.yml")
    engine = new_engine(engine_name, tmp_path / "cache")
    engine.update(load(project_settings.settings, project).postmortems)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER[engine_name], str(engine.directory)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert [h.id for h in engine.search("pool").hits] == ["a"]
    assert engine.update(load(project_settings.settings, project).postmortems).changed == 0
    assert os.listdir(engine.directory)  # and the next writer can still take the lock
    assert engine.update([]).removed == ["a"]
