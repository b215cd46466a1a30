"""The judged queries of the search-box benchmark (benchmarks/search_box.py) stay true to
the library they judge, and a generated library gets its own, the same every time."""

from __future__ import annotations

import sys
from pathlib import Path

from support import MKDOCS_YML, REPO, generator

sys.path.insert(0, str(REPO / "benchmarks"))
from search_box import FIELDS, Query, check_judged, holders, judged, load_library, pick_queries


def test_each_judged_query_is_held_by_its_field_only() -> None:
    queries = judged()
    assert len(queries) == 20 and {q.field for q in queries} == set(FIELDS)
    assert check_judged(load_library(REPO), queries) == []


def test_a_judged_query_held_by_another_field_too_is_reported() -> None:
    # "retry budget" is in a lesson of this postmortem, and in its action items and other postmortems.
    query = Query("retry budget", "2025-11-28-black-friday-checkout-retry-storm", "lesson")
    problems = check_judged(load_library(REPO), [query])
    assert len(problems) == 1 and "not only by lesson" in problems[0]


def test_a_generated_library_gets_the_same_queries_each_time(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    generator().generate(80, tmp_path / "postmortems", seed=1)
    library = load_library(tmp_path)
    queries = pick_queries(library, count=8)
    assert len(queries) == 8 and pick_queries(library, count=8) == queries
    assert {q.field for q in queries} >= {"lesson", "went wrong", "trigger", "timeline event"}
    for q in queries:
        assert holders(library, q.query, narrative=False) == [(q.expect, q.field)], q
