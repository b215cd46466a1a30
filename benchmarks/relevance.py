"""Mean reciprocal rank of `kb search` over the judged queries in relevance.yml.

Usage: .venv/bin/python benchmarks/relevance.py [-f mkdocs.yml] [--engine whoosh|tantivy]
Prints one line per query (rank of the expected postmortem) and the MRR. The engine is
the one mkdocs.yml chooses unless --engine says otherwise.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import yaml

from kb.checks.library import load
from kb.load.project import open_project
from kb.search.choice import engine_for

JUDGEMENTS = Path(__file__).with_name("relevance.yml")


def ranks(config_file: str, engine_name: str | None = None) -> list[tuple[dict[str, object], int | None]]:
    project = open_project(config_file)
    library = load(project.settings, project.root)
    settings = replace(project.settings, search_engine=engine_name) if engine_name else project.settings
    with tempfile.TemporaryDirectory() as cache:
        engine = engine_for(settings, Path(cache))
        engine.update(library.postmortems)
        results = []
        for judged in yaml.safe_load(JUDGEMENTS.read_text(encoding="utf-8")):
            ids = [hit.id for hit in engine.search(str(judged["query"]), limit=10).hits]
            results.append((judged, ids.index(judged["expect"]) + 1 if judged["expect"] in ids else None))
        return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-f", "--config-file", default="mkdocs.yml")
    parser.add_argument("--engine", choices=["whoosh", "tantivy"], help="the search engine (default: mkdocs.yml's)")
    args = parser.parse_args()
    results = ranks(args.config_file, args.engine)
    for judged, rank in results:
        print(f"{rank or '-':>3}  {judged['query']}")
    mrr = sum(1 / rank for _, rank in results if rank) / len(results)
    print(f"\n{len(results)} queries, MRR {mrr:.3f}, rank 1 for {sum(1 for _, r in results if r == 1)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
