"""Generate a realistic synthetic postmortem library for benchmarks.

Usage: python benchmarks/generate.py N DEST [--seed S]

Distributions follow what real libraries look like: most incidents are SEV3/SEV4, a
few causes account for most postmortems (Zipf-like), services and teams are many
with a long tail, bodies vary from a paragraph to a few pages, and older action items
are mostly done. The output is deterministic for a given N and seed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import textwrap
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

WORDS = (  # noqa: SIM905 (one string is easier to read and extend)
    "request latency replica primary failover timeout retry queue backlog consumer producer partition "
    "broker cache eviction stampede deploy rollout canary config flag certificate rotation token quota "
    "limit throttle pool connection socket thread heap memory disk inode volume snapshot backup restore "
    "migration index lock vacuum query plan scan checkout payment order inventory search ranking "
    "notification webhook gateway ingress dns resolver cdn edge origin tls handshake alert page dashboard "
    "runbook escalation rollback hotfix capacity headroom autoscaler node pod cluster region zone"
).split()
CATEGORIES = ["change-management", "capacity", "dependencies", "observability", "configuration", "data", "process"]
SEVERITIES = ["SEV1", "SEV2", "SEV3", "SEV4"]
SEVERITY_WEIGHTS = [2, 12, 46, 40]


def sentence(rng: random.Random, n: int) -> str:
    words = rng.choices(WORDS, k=n)
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng, rng.randint(8, 18)) for _ in range(rng.randint(3, 6)))


def causes_catalog(count: int = 40) -> dict[str, dict[str, str]]:
    return {
        f"cause-{i:02d}": {
            "title": f"Contributing cause number {i}",
            "category": CATEGORIES[i % len(CATEGORIES)],
            "description": "A systemic condition that made the failure likely or its impact larger.",
        }
        for i in range(count)
    }


def postmortem(rng: random.Random, n: int, causes: list[str], today: date) -> tuple[str, str]:
    started = datetime(2016, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 60 * 24 * 3700))
    pm_id = f"{started:%Y-%m-%d}-incident-{n:05d}"
    near_miss = rng.random() < 0.08
    detected = started + timedelta(minutes=int(rng.lognormvariate(2.5, 1.0)))
    mitigated = detected + timedelta(minutes=int(rng.lognormvariate(3.3, 1.0)))
    resolved = mitigated + timedelta(minutes=int(rng.lognormvariate(4.0, 1.0)))
    # Zipf-like: low-numbered causes are much more common.
    keys = sorted({causes[min(int(rng.paretovariate(1.2)) - 1, len(causes) - 1)] for _ in range(rng.randint(1, 3))})
    services = sorted({f"service-{int(rng.paretovariate(0.9)) % 80:02d}" for _ in range(rng.randint(1, 3))})
    items = []
    for i in range(rng.randint(0, 6)):
        due = (started + timedelta(days=rng.randint(7, 120))).date()
        done = due < today and rng.random() < 0.8
        item = {
            "title": f"Add a {rng.choice(WORDS)} check to the {rng.choice(WORDS)} pipeline ({i + 1})",
            "owner": f"team-{rng.randint(0, 24):02d}",
            "due": due.isoformat(),
            "status": "done" if done else rng.choice(["open", "open", "in-progress"]),
            "addresses": [rng.choice(keys)],
        }
        if done:
            item["completed"] = min(due, today).isoformat()
        items.append(item)
    front = {
        "title": f"{sentence(rng, rng.randint(5, 10))[:-1]} ({n})",
        "status": "published" if rng.random() < 0.95 else "draft",
        "type": "near-miss" if near_miss else "incident",
        **({} if near_miss else {"severity": rng.choices(SEVERITIES, SEVERITY_WEIGHTS)[0]}),
        "started": started.isoformat(),
        "detected": detected.isoformat(),
        "mitigated": mitigated.isoformat(),
        "resolved": resolved.isoformat(),
        "services": services,
        "teams": [f"team-{rng.randint(0, 24):02d}"],
        "authors": ["Synthetic Author"],
        "tags": sorted({rng.choice(WORDS) for _ in range(rng.randint(1, 4))}),
        "visibility": rng.choices(["public", "internal", "restricted"], [30, 65, 5])[0],
        "summary": " ".join(sentence(rng, rng.randint(10, 20)) for _ in range(2)),
        "impact": {"summary": sentence(rng, 12), "users_affected": rng.randint(0, 200_000)},
        "detection": {"method": rng.choice(["alert", "customer", "employee", "automation"])},
        "trigger": sentence(rng, 12),
        "causes": [{"key": k, "detail": sentence(rng, 14)} for k in keys],
        "action_items": items,
        "lessons": [sentence(rng, 12) for _ in range(rng.randint(1, 4))],
        "went_well": [sentence(rng, 10)],
        "went_wrong": [sentence(rng, 10)],
        "timeline": [
            {"at": (started + timedelta(minutes=10 * i)).isoformat(), "event": sentence(rng, 10)}
            for i in range(rng.randint(3, 10))
        ],
    }
    body = "\n\n".join(
        f"## {heading}\n\n" + "\n\n".join(paragraph(rng) for _ in range(rng.randint(1, 4)))
        for heading in ("What happened", "Analysis")
    )
    # JSON is valid YAML: no quoting rules to get wrong in a generator.
    lines = [f"{key}: {json.dumps(value)}" for key, value in front.items()]
    return pm_id, "---\n" + "\n".join(lines) + "\n---\n\n" + body + "\n"


def generate(count: int, dest: Path, seed: int = 1, today: date = date(2026, 6, 30)) -> list[str]:
    """Write ``count`` postmortems and a ``causes.yml`` under ``dest``; return the ids."""
    rng = random.Random(seed)
    catalog = causes_catalog()
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "causes.yml").write_text(
        "\n".join(f"{key}: {json.dumps(value)}" for key, value in catalog.items()) + "\n", encoding="utf-8"
    )
    ids = []
    for n in range(count):
        pm_id, text = postmortem(rng, n, list(catalog), today)
        folder = dest / pm_id[:4]
        folder.mkdir(exist_ok=True)
        (folder / f"{pm_id}.md").write_text(text, encoding="utf-8")
        ids.append(pm_id)
    return ids


def main() -> int:
    parser = argparse.ArgumentParser(description=textwrap.dedent(__doc__ or "").splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.count, args.dest, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
