"""How long ``kb sync`` takes for a library's action items, against a loopback tracker.

Usage: python benchmarks/kb_sync.py [--items N] [--latency SECONDS]

Writes a project of N GitHub-tracked action items (5 a postmortem) and serves their
issues from ``tests/tracker_server.py``, each answer delayed by ``--latency`` as a real
tracker's is by the network. Four wall times, each a whole ``kb sync`` process: the first
sync (every issue answered in full), a second one (every issue answers 304 Not
Modified), one with the tracker down (the port closed: the first item to exhaust its
retries fails the others at once), and ``kb lint`` alone, the part spent reading the library.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from tracker_server import Trackers, TrackerServer, github_issue

PER_POSTMORTEM = 5
CONFIG = """\
site_name: Sync benchmark
plugins:
  - postmortems:
      today: 2026-06-30
      trackers: [{{kind: github, api: "{url}", token_env: KB_BENCH_TOKEN, match: [acme/]}}]
"""


def write_project(root: Path, items: int) -> None:
    (root / "postmortems").mkdir(parents=True)
    for p in range(items // PER_POSTMORTEM):
        entries = "".join(
            f"  - title: Cap the checkout pool of region {n} at forty connections\n"
            f"    owner: sre-team\n    due: 2026-07-01\n    tracker: acme/shop#{n}\n"
            for n in range(p * PER_POSTMORTEM + 1, (p + 1) * PER_POSTMORTEM + 1)
        )
        (root / "postmortems" / f"2026-01-01-incident-{p}.md").write_text(
            f"---\ntitle: Incident {p}\nstatus: draft\nseverity: SEV3\nstarted: 2026-01-01T00:00:00Z\n"
            f"action_items:\n{entries}---\n\nWhat happened.\n",
            encoding="utf-8",
        )


def timed(root: Path, *command: str) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kb.cli", *command],
        cwd=root,
        env={**os.environ, "KB_BENCH_TOKEN": "bench-token"},
        capture_output=True,
        text=True,
        check=False,
    )
    return round(time.perf_counter() - start, 2), (done.stderr.strip().splitlines() or [""])[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    trackers = Trackers("bench-token", "", "", latency=args.latency)
    for n in range(1, args.items + 1):
        trackers.github[f"acme/shop#{n}"] = github_issue("closed", "completed", "2026-05-02T10:00:00Z")
    results: dict[str, object] = {"items": args.items, "latency_s": args.latency}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        with TrackerServer(trackers) as url:
            (root / "mkdocs.yml").write_text(CONFIG.format(url=url), encoding="utf-8")
            write_project(root, args.items)
            results["first_sync"] = timed(root, "sync")
            results["unchanged_sync"] = timed(root, "sync")
        results["tracker_down"] = timed(root, "sync")  # the server is shut: its port refuses
        results["reading_alone"] = timed(root, "lint")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
