"""``kb export`` at scale: the export, a second one with nothing changed, and the site
generators that build it, next to the plugin's own build (issue 22).

    .venv/bin/python benchmarks/export.py --sizes 200 1000 [--repeat 3]

For each size, a generated library (``generate.py``, seed 1) with the example site's theme
and Markdown extensions; each step is timed as a whole child process (wall time, median
of ``--repeat`` runs, each after the last one's output is deleted):

- plugin build: ``mkdocs build`` with the plugin, as the harness measures it;
- export: ``kb export docs`` into an empty ``docs/`` (its home page aside);
- re-export: ``kb export docs`` again, with nothing changed (it writes nothing);
- MkDocs without the plugin, and ``zensical build``, of the export.

Writes a Markdown table to stdout.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from generate import generate
from harness import AUDIENCE, TODAY, example_config

BIN = Path(sys.executable).parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def write_project(project: Path, size: int) -> None:
    generate(size, project / "postmortems", seed=1, today=TODAY)
    config = {"site_name": "Export benchmark", **example_config()}
    plugin = {**config, "plugins": ["search", {"postmortems": {"today": TODAY, "audience": AUDIENCE}}]}
    plain = {**config, "plugins": ["search"], "not_in_nav": "/postmortems/\n/causes/\n/services/\n/teams/\n"}
    plain["nav"] = plugin["nav"] = ["index.md", "postmortems/index.md"]
    # yaml.dump: the example's Mermaid fence names a function, written back as its tag.
    (project / "kb.yml").write_text(yaml.dump(plugin, sort_keys=False), encoding="utf-8")
    (project / "mkdocs.yml").write_text(yaml.dump(plain, sort_keys=False), encoding="utf-8")


def reset_docs(project: Path) -> None:
    shutil.rmtree(project / "docs", ignore_errors=True)
    (project / "docs").mkdir()
    (project / "docs/index.md").write_text("# Home\n", encoding="utf-8")


def measure(size: int, repeat: int, workdir: Path) -> dict[str, float]:
    project = workdir / f"export-{size}"
    write_project(project, size)
    runs: dict[str, list[float]] = {}
    steps = {
        "plugin build": [str(BIN / "mkdocs"), "build", "-q", "-f", "kb.yml", "-d", "site-plugin"],
        "export": [str(BIN / "kb"), "export", "-f", "kb.yml", "docs"],
        "re-export, nothing changed": [str(BIN / "kb"), "export", "-f", "kb.yml", "docs"],
        "MkDocs without the plugin": [str(BIN / "mkdocs"), "build", "-q", "-d", "site-plain"],
        "Zensical": [str(BIN / "zensical"), "build", "--clean"],
    }
    for _ in range(repeat):
        shutil.rmtree(project / ".kb-cache", ignore_errors=True)
        reset_docs(project)
        for step, command in steps.items():
            runs.setdefault(step, []).append(timed(command, project))
    return {step: statistics.median(times) for step, times in runs.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kb-export-bench-") as workdir:
        results = {size: measure(size, options.repeat, Path(workdir)) for size in options.sizes}
    steps = list(next(iter(results.values())))
    print("| postmortems | " + " | ".join(steps) + " |")
    print("| ---: | " + " | ".join("---:" for _ in steps) + " |")
    for size, seconds in results.items():
        print(f"| {size:,} | " + " | ".join(f"{seconds[step]:.2f} s" for step in steps) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
