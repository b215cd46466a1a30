"""What a hostile postmortem costs: `kb lint` and `mkdocs build` time, input by input.

Usage: .venv/bin/python benchmarks/hostile.py [--only NAME ...]

Each input is a draft whose narrative has the shape that cost minutes or took the whole
build down before the narrative limits (issue 16), at the sizes measured there, plus
shapes the issue did not list, the most expensive narrative that passes every limit, a
postmortem naming 5,000 services, one whose aliases repeat a long string, and a catalog
of 10,000 causes. Each is measured in a project of its own next to one ordinary postmortem, with the
example site's theme and Markdown extensions: `kb lint`, and `mkdocs build` against the
same project without it, from an empty cache. Targets: `kb lint` at most 5 s, and the
build at most 10 s more than without it. Writes results/hostile.md.
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
from collections.abc import Callable
from pathlib import Path

import yaml
from mkdocs.utils.yaml import yaml_load

REPO = Path(__file__).resolve().parent.parent
RESULT = Path(__file__).with_name("results") / "hostile.md"
LINT_TARGET_S, BUILD_TARGET_S = 5.0, 10.0

# name -> the narrative; built when measured, as some are hundreds of KB.
NARRATIVES: dict[str, Callable[[], str]] = {
    # The inputs of issue 16, at the sizes it gives.
    "nested-lists": lambda: "".join("    " * i + "- item\n" for i in range(300)),
    "failed-to": lambda: "the engineer failed to " * 10_000,
    "brackets": lambda: "[" * 40_000,
    "divs": lambda: "<div>" * 20_000,
    "divs-750k": lambda: "<div>" * 150_000,
    # Shapes it did not list.
    "list-markers": lambda: "- " * 1_000 + "x\n",
    "quotes": lambda: ">" * 5_000 + " x\n",
    "images": lambda: "![" * 20_000,
    "tag-openers": lambda: "<a " * 20_000,
    "comments": lambda: "<!-- " * 20_000,
    "code-blocks": lambda: "```\nx\n```\n\n" * 5_000,
    "paragraphs": lambda: "word\n\n" * 150_000,
    "links": lambda: ("[a](b " * 999 + "\n\n") * 11,
    "code-fences": lambda: "```\n```\n" * 25_000,
    # Fences that Markdown does not read as code, or that its two fence extensions read
    # differently, around what would be costly outside one.
    "unclosed-fence": lambda: "```\n" + "[" * 40_000,
    "indented-fence": lambda: "    ```\n" + "<div>" * 20_000 + "\n    ```\n",
    "fence-options": lambda: '```python title="a.py"\nx\n```\n' + "[" * 40_000 + "\n```\n",
    # What Markdown reads differently from a plain look at the text: tabs are four columns,
    # a line of no-break spaces is not blank, a closing tag closes only its own element.
    "tab-nesting": lambda: "".join(" \t" * i + "- item\n" for i in range(300)),
    "no-break-lines": lambda: ("[a](b " * 990 + "\n\u00a0\n") * 10,
    "mismatched-tags": lambda: ("<div></span>" * 999 + "\n\n") * 10,
    # Found by a red-team pass: attr_list on a heading, the tables extension on a row.
    "heading-braces": lambda: "## h" + " {" * 99_990,
    "table-backticks": lambda: "a|b\n-|-\n" + "`|" * 99_990,
    # Narratives that pass every limit: 230 KB of blameful wording, and the most expensive
    # shape, every limit reached with Markdown's slowest input (unclosed links).
    "failed-to-paragraphs": lambda: ("He failed to notice the alert. " * 4 + "\n\n") * 1_900,
    "at-every-limit": lambda: (
        "".join("    " * i + "- level [a](#b)\n" for i in range(20))
        + "\n"
        + ("<div>" * 50 + "x" + "</div>" * 50 + "\n\n")
        + ("[a](b " * 990 + "\n\n") * 10
        + "```\ncode\n```\n\n" * 1_900
    ),
}
LISTS = ("lessons", "went_well", "went_wrong", "got_lucky")
GOOD = """\
---
title: An ordinary postmortem
status: draft
severity: SEV3
started: 2024-03-12T14:00:00+00:00
---
The pool ran dry.
"""


def catalog(causes: int) -> str:
    """A ``causes.yml`` of ``causes`` entries of a few lines each."""
    return "".join(
        f"cause-{n}:\n  title: Cause number {n}\n  category: category-{n % 40}\n"
        f"  description: A systemic condition that made failure likely.\n"
        for n in range(causes)
    )


def draft(title: str, front: str = "") -> str:
    """A draft's front matter; ``front`` adds lines of YAML to it."""
    return f"---\ntitle: {title}\nstatus: draft\nseverity: SEV4\nstarted: 2021-05-01T10:00:00+00:00\n{front}---\n"


def project(root: Path, files: dict[str, str]) -> Path:
    """A project with the example site's theme and Markdown extensions."""
    # Read as MkDocs reads it: its Mermaid fence names a Python function (!!python/name:...).
    example = yaml_load((REPO / "mkdocs.yml").read_text(encoding="utf-8").split("\nplugins:")[0])
    config = {
        "site_name": "Hostile",
        "theme": example["theme"],
        "markdown_extensions": example["markdown_extensions"],
        "plugins": ["search", {"postmortems": {"today": "2026-06-30"}}],
    }
    (root / "docs").mkdir(parents=True)
    (root / "docs/index.md").write_text("# Home\n", encoding="utf-8")
    # yaml.dump, not safe_dump: it writes the fence's function back as the tag it was read from.
    (root / "mkdocs.yml").write_text(yaml.dump(config), encoding="utf-8")
    for rel, text in {"postmortems/good.md": GOOD, **files}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def timed(command: list[str], cwd: Path) -> tuple[float, str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, check=False, timeout=600)
    return time.perf_counter() - started, done.stdout + done.stderr


def build_seconds(root: Path) -> float:
    """The median of three builds, each from an empty cache (as CI builds)."""
    times = []
    for _ in range(3):
        shutil.rmtree(root / ".kb-cache", ignore_errors=True)
        times.append(timed([sys.executable, "-m", "mkdocs", "build", "-q"], root)[0])
    return statistics.median(times)


def measure(name: str, files: dict[str, str], tmp: Path) -> dict[str, object]:
    """Lint and build times of a project with ``files``, and the build without them."""
    with_it, without = project(tmp / name, files), project(tmp / f"{name}-without", {})
    lint_s, lint_out = timed([sys.executable, "-m", "kb.cli", "lint"], with_it)
    build_s, plain_s = build_seconds(with_it), build_seconds(without)
    errors = [line for line in lint_out.splitlines() if line.startswith(tuple(files)) and ": error: " in line]
    pages = [with_it / "site/postmortems" / Path(rel).stem / "index.html" for rel in files if rel.endswith(".md")]
    built = all(page.is_file() for page in pages)
    shutil.rmtree(tmp / name)
    shutil.rmtree(tmp / f"{name}-without")
    return {
        "name": name,
        "kb": sum(len(text.encode()) for text in files.values()),
        "lint_s": lint_s,
        "build_s": build_s,
        "extra_s": build_s - plain_s,
        "outcome": errors[0].split(": error: ", 1)[1][:90] if errors else ("built" if built else "left out"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", nargs="+", help="measure only these inputs")
    args = parser.parse_args()
    cases = {name: {f"postmortems/{name}.md": draft(name) + body()} for name, body in NARRATIVES.items()}
    # A page per service: 5,000 of them in one postmortem took a build 18 s. And aliases
    # that repeat one string: 27 KB of YAML made a 115 MB site in 16 s.
    services = ", ".join(f"service-{n}" for n in range(5_000))
    cases["services-5k"] = {"postmortems/services-5k.md": draft("services-5k", f"services: [{services}]\n")}
    repeated = f"[{', '.join(['*a'] * 500)}]"
    aliases = f"trigger: &a '{'word ' * 3_900}'\n" + "".join(f"{key}: {repeated}\n" for key in LISTS)
    cases["aliases"] = {"postmortems/aliases.md": draft("aliases", aliases)}
    cases["catalog-10k"] = {"postmortems/causes.yml": catalog(10_000), "postmortems/x.md": draft("x")}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, files in cases.items():
            if args.only and name not in args.only:
                continue
            rows.append(measure(name, files, Path(tmp)))
            row = rows[-1]
            print(f"{name}: lint {row['lint_s']:.2f}s, build +{row['extra_s']:.2f}s: {row['outcome']}", flush=True)
    met = all(r["lint_s"] <= LINT_TARGET_S and r["extra_s"] <= BUILD_TARGET_S for r in rows)  # type: ignore[operator]
    table = [
        f"Targets: `kb lint` at most {LINT_TARGET_S:.0f} s, the build at most {BUILD_TARGET_S:.0f} s more than "
        f"without the input: {'met by every input' if met else 'NOT MET'}.",
        "",
        "| input | size (KB) | `kb lint` (s) | build (s) | more than without it (s) | outcome |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
        *(
            f"| {r['name']} | {r['kb'] / 1000:,.0f} | {r['lint_s']:.2f} | {r['build_s']:.2f} | {r['extra_s']:.2f} "  # type: ignore[operator]
            f"| {r['outcome']} |"
            for r in rows
        ),
    ]
    print("\n".join(table))
    if not args.only:
        header = "# Hostile postmortems: what each costs\n\nWritten by `benchmarks/hostile.py`.\n\n"
        RESULT.write_text(header + "\n".join(table) + "\n", encoding="utf-8")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
