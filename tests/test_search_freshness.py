"""``kb search`` keeps its own index fresh from file stats: it reads only what changed,
and finds what a full read of the library finds.

Every change is followed by the same queries three ways: as ``kb search`` answers after
its partial update; with ``--refresh`` (a full read, on the same index: had the partial
update written anything else, the full one would rewrite it and answer differently);
and on a copy of the project with no cache at all (a fresh clone).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from importlib.util import find_spec
from pathlib import Path

import pytest
from support import MKDOCS_YML, TODAY, VALID_POSTMORTEM, generator

ENGINES = [
    "whoosh",
    pytest.param("tantivy", marks=pytest.mark.skipif(find_spec("tantivy") is None, reason="needs the tantivy extra")),
]
# Every postmortem (the hits' fields, without the score), and a page's worth of ranked
# hits for words and a service.
EVERYTHING = "type:incident OR type:near-miss"
QUERIES = [EVERYTHING, "retry timeout", "service:checkout-api", "service:service-01"]


def kb(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "kb.cli", *args], cwd=project, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done


def search(project: Path, query: str, *args: str) -> list[dict[str, object]]:
    return json.loads(kb(project, "search", query, "--format", "json", "--limit", "500", *args).stdout)


def without_scores(hits: list[dict[str, object]]) -> list[dict[str, object]]:
    """The hits as a set: a fresh index has no deleted documents in its statistics, so
    its scores, and the order of close ones, may differ."""
    return sorted(({k: v for k, v in hit.items() if k != "score"} for hit in hits), key=lambda hit: str(hit["id"]))


def assert_as_full_read(project: Path, tmp_path: Path, *more: str) -> list[dict[str, object]]:
    """That the queries answer as after a full read; the answer to the last one given (by
    default the one that finds every postmortem)."""
    answers = {query: search(project, query) for query in [*QUERIES, *more]}
    for query, hits in answers.items():
        assert search(project, query, "--refresh") == hits, query
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns(".kb-cache"))
    for query, hits in answers.items():
        assert without_scores(search(fresh, query)) == without_scores(hits), query
    return answers[more[-1] if more else EVERYTHING]


def ids(hits: list[dict[str, object]]) -> set[str]:
    return {str(hit["id"]) for hit in hits}


def make_library(root: Path, engine: str, count: int) -> Path:
    project = root / "project"
    generator().generate(count, project / "postmortems", seed=3, today=TODAY)
    config = MKDOCS_YML.replace("  name: material\n", "  name: material\n  font: false\n")
    (project / "mkdocs.yml").write_text(config + f"      search_engine: {engine}\n", encoding="utf-8")
    # Written an hour ago, as a clone's files are by the time of a query: a file modified
    # within seconds of a query is read again by the next one, whatever its stats.
    an_hour_ago = time.time_ns() - 3600 * 10**9
    for path in project.rglob("*"):
        os.utime(path, ns=(an_hour_ago, an_hour_ago))
    return project


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert re.search(old, text, flags=re.MULTILINE), (path, old)
    path.write_text(re.sub(old, new, text, count=1, flags=re.MULTILINE), encoding="utf-8")


@pytest.mark.parametrize("engine", ENGINES)
def test_every_change_gives_what_a_full_read_gives(tmp_path: Path, engine: str) -> None:
    project = make_library(tmp_path, engine, 20)
    files = sorted((project / "postmortems").rglob("*.md"))
    seen = [path for path in files if 'visibility: "restricted"' not in _text(path)]
    first, second, third, fourth, fifth = seen[:5]
    everything = assert_as_full_read(project, tmp_path)
    assert len(everything) > 10

    # Added: a new file, with a service no other file names.
    (project / "postmortems" / "2024").mkdir(exist_ok=True)
    added = project / "postmortems" / "2024" / "2024-03-12-checkout-pool.md"
    added.write_text(VALID_POSTMORTEM.replace("global-rollout", "cause-00"), encoding="utf-8")
    assert "2024-03-12-checkout-pool" in ids(assert_as_full_read(project, tmp_path))

    # Modified: its title and words.
    edit(second, r"^title: .*$", 'title: "Retry storm after a timeout change"')
    hits = assert_as_full_read(project, tmp_path)
    assert "Retry storm after a timeout change" in {hit["title"] for hit in hits}

    # Deleted.
    third.unlink()
    assert third.stem not in ids(assert_as_full_read(project, tmp_path))

    # Renamed: the id follows the file name; the text output names the new file.
    renamed = fourth.with_name("2019-01-01-renamed.md")
    fourth.rename(renamed)
    assert {"2019-01-01-renamed"} <= ids(assert_as_full_read(project, tmp_path)) - {fourth.stem}
    text = kb(project, "search", EVERYTHING, "--limit", "500").stdout
    assert renamed.relative_to(project).as_posix() in text

    # An id made a duplicate: the first file in order keeps it, the other gets no page.
    edit(fifth, r"^---\n", f'---\nid: "{first.stem}"\n')
    hits = assert_as_full_read(project, tmp_path)
    assert fifth.stem not in ids(hits)
    edit(fifth, r"^id: .*\n", "")  # and back
    assert fifth.stem in ids(assert_as_full_read(project, tmp_path))

    # The audience: a restricted postmortem is not in an internal build's index.
    edit(first, r"^visibility: .*$", 'visibility: "restricted"')
    assert first.stem not in ids(assert_as_full_read(project, tmp_path))
    edit(first, r"^visibility: .*$", 'visibility: "public"')
    assert first.stem in ids(assert_as_full_read(project, tmp_path))

    # A related id, then the postmortem it names deleted: the one naming it gets an error.
    edit(added, r"^severity: ", f"related: [{first.stem}]\nseverity: ")
    assert "2024-03-12-checkout-pool" in ids(assert_as_full_read(project, tmp_path))
    first.unlink()
    assert "2024-03-12-checkout-pool" not in ids(assert_as_full_read(project, tmp_path))

    # Another spelling of a service other files name: the first file's spelling wins.
    # (Last but global changes: while two spellings are there, every change is a full read.)
    service = json.loads(re.findall(r"^services: (.*)$", _text(fifth), flags=re.MULTILINE)[0])[0]
    edit(second, r"^services: .*$", f'services: ["{service.replace("-", " ").capitalize()}"]')
    hits = assert_as_full_read(project, tmp_path, f"service:{service}")
    assert len({second.stem, fifth.stem} & ids(hits)) != 1  # one spelling for both, whichever

    # The cause catalog: a file naming a cause it no longer has gets an error.
    edit(project / "postmortems" / "causes.yml", r"^cause-00: .*\n", "")
    assert "2024-03-12-checkout-pool" not in ids(assert_as_full_read(project, tmp_path))

    # The settings: a restricted build sees restricted postmortems.
    restricted = [path.stem for path in files if 'visibility: "restricted"' in _text(path)]
    before = ids(assert_as_full_read(project, tmp_path))
    config = project / "mkdocs.yml"
    config.write_text(_text(config) + "      audience: restricted\n", encoding="utf-8")
    assert ids(assert_as_full_read(project, tmp_path)) - before >= set(restricted)


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def retitle_keeping_stats(path: Path, word: str) -> None:
    """Write ``word`` in the title, the file's size and modification time unchanged."""
    stat = path.stat()
    text = _text(path)
    title = re.search(r"^title: .*$", text, flags=re.MULTILINE)
    assert title
    path.write_text(text.replace(title[0], f'title: "{word}"'.ljust(len(title[0]))), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size


def test_only_files_whose_stats_changed_are_read(tmp_path: Path) -> None:
    """Freshness comes from file stats: a file whose size and modification time are as
    noted is not read again, so a change that keeps both is not seen until --refresh,
    neither when nothing else changed nor when another file did."""
    project = make_library(tmp_path, "whoosh", 5)
    first, second = sorted((project / "postmortems").rglob("*.md"))[:2]
    assert not search(project, "zanzibar")
    retitle_keeping_stats(first, "zanzibar")
    assert not search(project, "zanzibar")  # nothing changed: nothing read
    edit(second, r"^title: .*$", 'title: "Zanzibar too"')
    assert ids(search(project, "zanzibar")) == {second.stem}  # the changed file alone was read
    assert ids(search(project, "zanzibar", "--refresh")) == {first.stem, second.stem}


def test_a_file_modified_just_before_a_query_is_read_again(tmp_path: Path) -> None:
    """Its stats may not tell a second change within the file system clock's tick: the
    next query reads it again, whatever its stats (git's "racy" files)."""
    project = make_library(tmp_path, "whoosh", 3)
    path = sorted((project / "postmortems").rglob("*.md"))[0]
    edit(path, r"^title: .*$", 'title: "Edited just now"')
    assert not search(project, "zanzibar")
    retitle_keeping_stats(path, "zanzibar")
    assert ids(search(project, "zanzibar")) == {path.stem}
