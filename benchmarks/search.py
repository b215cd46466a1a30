"""Search at scale: index build time and median `kb search` query time, per engine.

Usage: .venv/bin/python benchmarks/search.py [--sizes 1000 5000] [--engine whoosh|tantivy]
Generates each library with benchmarks/generate.py, indexes it from scratch, runs a
fixed set of queries, prints a table and writes it to benchmarks/results/search.md
(Whoosh, the default) or search-tantivy.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from generate import generate

from kb.checks.library import load
from kb.format.settings import Settings
from kb.search.choice import engine_for

QUERIES = [
    "replica failover",
    "connection pool timeout",
    '"cache eviction"',
    "certificate AND rotation",
    "deploy NOT canary",
    "severity:sev1",
    "service:service-03",
    "cause:cause-01 retry",
    "stampde",  # typo: goes through correction
    "year:2020 dns",
]
RESULTS = {
    "whoosh": Path(__file__).with_name("results") / "search.md",
    "tantivy": Path(__file__).with_name("results") / "search-tantivy.md",
}


def measure(size: int, engine_name: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(size, root / "postmortems")
        settings = replace(Settings(), today=None, audience="restricted", search_engine=engine_name)
        library = load(settings, root)
        engine = engine_for(settings, root / "cache")
        started = time.perf_counter()
        engine.update(library.postmortems)
        index_seconds = time.perf_counter() - started
        timings = []
        for _ in range(3):
            for query in QUERIES:
                started = time.perf_counter()
                engine.search(query, limit=10)
                timings.append(time.perf_counter() - started)
        return {
            "postmortems": len(library.postmortems),
            "index_s": index_seconds,
            "query_median_ms": statistics.median(timings) * 1000,
            "query_p90_ms": statistics.quantiles(timings, n=10)[-1] * 1000,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--engine", choices=list(RESULTS), default="whoosh")
    args = parser.parse_args()
    rows = [measure(size, args.engine) for size in args.sizes]
    table = [
        "| postmortems | index build (s) | median query (ms) | p90 query (ms) |",
        "| ---: | ---: | ---: | ---: |",
        *(
            f"| {r['postmortems']:,} | {r['index_s']:.1f} | {r['query_median_ms']:.1f} | {r['query_p90_ms']:.1f} |"
            for r in rows
        ),
    ]
    print("\n".join(table))
    results = RESULTS[args.engine]
    results.parent.mkdir(exist_ok=True)
    title = "Search benchmark" if args.engine == "whoosh" else f"Search benchmark: {args.engine}"
    command = "benchmarks/search.py" + ("" if args.engine == "whoosh" else f" --engine {args.engine}")
    header = f"# {title}\n\nFrom `{command}`, on a {os.cpu_count()}-core machine.\n\n"
    results.write_text(header + "\n".join(table) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
