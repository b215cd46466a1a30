"""How long a whole ``kb search`` process takes, as someone at a terminal waits for it.

Usage: python benchmarks/kb_search_process.py PROJECT [--engine whoosh|tantivy]

PROJECT is a plugin project (``mkdocs.yml`` with the ``postmortems`` plugin, e.g. one
``harness.make_projects`` wrote). Three numbers, each the wall time of a ``kb search``
subprocess: the first query with no index (a fresh clone: it reads and indexes the whole
library), the median of ten different queries on an unchanged library (it reads nothing),
and a query after one file changed (it reads that file). The one file is put back after.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml
from mkdocs.utils.yaml import yaml_load
from search import QUERIES

from kb.load.project import open_project
from kb.search.choice import engine_for


def config_for(project: Path, engine: str) -> Path:
    """A copy of the project's ``mkdocs.yml`` that searches with ``engine``, beside it (so
    the same library and cache folder): each engine keeps its own index and manifest."""
    source = project / "mkdocs.yml"
    config = yaml_load(source.read_text(encoding="utf-8"))
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "postmortems" in plugin:
            plugin["postmortems"]["search_engine"] = engine
    target = project / f"mkdocs-kb-search-{engine}.yml"
    # yaml.dump, not safe_dump: it writes the fence's function back as the tag it was read from.
    target.write_text(yaml.dump(config, sort_keys=False), encoding="utf-8")
    return target


def timed_query(config: Path, query: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kb.cli", "search", "-f", str(config), query, "--format", "json"],
        cwd=config.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,  # "did you mean" lines; shown only if the query fails
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"kb search {query!r} failed: {done.stderr}")
    return elapsed


def measure(project: Path, engine: str) -> dict[str, float]:
    config = config_for(project, engine)
    settings = open_project(config).settings
    index = engine_for(settings, settings.cache_path(project)).directory
    # Neither the index nor its manifest: a fresh clone's state.
    shutil.rmtree(index, ignore_errors=True)
    for manifest in index.parent.glob(f"{index.name}.*"):
        manifest.unlink()
    first = timed_query(config, QUERIES[0])
    unchanged = statistics.median(timed_query(config, query) for query in QUERIES)
    changed = min(settings.source_dir(project).rglob("*.md"))
    text = changed.read_text(encoding="utf-8")
    try:
        changed.write_text(text + "\nOne more line, written by the benchmark.\n", encoding="utf-8")
        one_changed = timed_query(config, QUERIES[0])
    finally:
        changed.write_text(text, encoding="utf-8")
    timed_query(config, QUERIES[0])  # the file as it was, read again: the index as the library is
    config.unlink()
    return {"first_query_s": first, "unchanged_median_s": unchanged, "one_changed_s": one_changed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--engine", choices=["whoosh", "tantivy"], default="whoosh")
    args = parser.parse_args()
    result = measure(args.project.resolve(), args.engine)
    print(json.dumps({name: round(value, 3) for name, value in result.items()}, indent=2))


if __name__ == "__main__":
    main()
