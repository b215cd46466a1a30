"""A small library for the learning pages, with its figures counted by hand.

Five postmortems: four visible to the default (internal) audience and one restricted
one that must leave no trace. ``today`` is 2026-06-30 (ISO week 27), from ``MKDOCS_YML``.
Every expected number below is counted from these files by hand, not computed.
"""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from support import DEFAULT_FILES, MKDOCS_YML, Site

# No web fonts, so the browser tests can check that the pages fetch nothing.
LEARNING_MKDOCS_YML = MKDOCS_YML.replace("  name: material\n", "  name: material\n  font: false\n")

XSS_TITLE = "<script>alert(1)</script> *Pay* [x](javascript:alert(1))"
ODD_SERVICE = "pay$ment <svc>"

# 6 + 380 + 4 + 3 + 4 + (4 + 4 + 3) + 6 = 414 words: 3 minutes at 200 words a minute.
POOL = (
    """\
---
title: Checkout pool exhausted
status: published
severity: SEV2
started: 2024-03-12T14:00:00+00:00
detected: 2024-03-12T14:07:00+00:00
resolved: 2024-03-12T17:10:00+00:00
services: [checkout-api]
authors: [Priya Raman]
summary: Checkout ran out of database connections.
causes:
  - key: global-rollout
    detail: The pool change reached every pod.
  - missing-alert
lessons:
  - Stage every pool change.
went_well:
  - Alert fired fast.
got_lucky:
  - It happened at night.
action_items:
  - title: Alert on pool saturation
    status: done
    completed: 2024-04-01
    due: 2024-04-10
  - title: Stage pool config rollouts
    status: done
    completed: 2024-07-20
    due: 2024-06-30
  - title: Document pool sizing
    owner: sre-team
    due: 2026-06-01
---
"""
    + "word " * 380
    + "\n"
)

# ISO week 27 of 2024: "this week in incident history" on 2026-06-30.
NEAR_MISS = """\
---
title: Truncated export nearly shipped
status: published
type: near-miss
started: 2024-07-02T09:00:00+00:00
detected: 2024-07-02T09:30:00+00:00
resolved: 2024-07-02T11:00:00+00:00
services: [checkout-api, search-api]
authors: [Sam Lee]
summary: A truncated export nearly replaced the search index.
causes: [missing-alert]
lessons:
  - Check exports for completeness.
got_lucky:
  - A freeze paused the swap.
action_items:
  - title: Count rows before swapping
    status: done
    completed: 2024-07-10
---
"""

DRAFT = """\
---
title: Search index rebuild stalled
status: draft
severity: SEV1
started: 2025-01-15T10:00:00+00:00
detected: 2025-01-15T11:00:00+00:00
resolved: 2025-01-16T11:00:00+00:00
services: [search-api]
lessons:
  - Drafts teach too.
---
"""

HIDDEN = """\
---
title: Restricted credential leak
status: published
severity: SEV3
visibility: restricted
started: 2025-03-04T10:00:00+00:00
services: [secret-service]
authors: [Ana Ruiz]
summary: Kept out of internal builds.
causes: [global-rollout]
lessons:
  - Restricted lesson must not leak.
got_lucky:
  - Restricted luck must not leak.
---
"""

ODD = f"""\
---
title: '{XSS_TITLE}'
status: published
severity: SEV4
started: 2025-06-10T08:00:00+00:00
detected: 2025-06-10T08:03:00+00:00
resolved: 2025-06-10T08:40:00+00:00
services: ['{ODD_SERVICE}']
authors: [Kim Park]
summary: 'A <b>bold</b> summary & more.'
causes: [global-rollout]
lessons:
  - 'Use <b>bold</b> & `code` safely.'
went_well:
  - '<img onerror> stayed text.'
---
"""

READING_YML = """\
tracks:
  - name: Start here
    description: The first two to read.
    items:
      - id: a-pool
        why: Shows why staged rollouts matter.
      - id: d-hidden
        why: Not for this audience.
      - id: b-near
        why: A near-miss worth a full write-up.
  - name: Only restricted
    items:
      - id: d-hidden
  - name: Escaping
    items:
      - id: e-odd
        why: '<i>why</i> with *stars*'
"""

FILES = {
    "mkdocs.yml": LEARNING_MKDOCS_YML,
    "postmortems/a-pool.md": POOL,
    "postmortems/b-near.md": NEAR_MISS,
    "postmortems/c-draft.md": DRAFT,
    "postmortems/d-hidden.md": HIDDEN,
    "postmortems/e-odd.md": ODD,
    "postmortems/reading.yml": READING_YML,
}

VISIBLE = ["e-odd", "c-draft", "b-near", "a-pool"]  # newest first
LESSONS = {  # lesson text -> postmortem id
    "Stage every pool change.": "a-pool",
    "Check exports for completeness.": "b-near",
    "Drafts teach too.": "c-draft",
    "Use <b>bold</b> & `code` safely.": "e-odd",
}
GOT_LUCKY = {"It happened at night.": "a-pool", "A freeze paused the swap.": "b-near"}
WENT_WELL = {"Alert fired fast.": "a-pool", "<img onerror> stayed text.": "e-odd"}
# category heading -> lessons listed under it (a-pool has causes in two categories)
BY_CATEGORY = {
    "Change management": ["Use <b>bold</b> & `code` safely.", "Stage every pool change."],
    "Detection": ["Check exports for completeness.", "Stage every pool change."],
    "No cause recorded": ["Drafts teach too."],
}
BY_SERVICE = {
    "checkout-api": ["Check exports for completeness.", "Stage every pool change."],
    ODD_SERVICE: ["Use <b>bold</b> & `code` safely."],
    "search-api": ["Drafts teach too.", "Check exports for completeness."],
}
READING = {  # track -> [(id, why, minutes)]
    "Start here": [
        ("a-pool", "Shows why staged rollouts matter.", 3),
        ("b-near", "A near-miss worth a full write-up.", 1),
    ],
    "Escaping": [("e-odd", "<i>why</i> with *stars*", 1)],
}
FEED = ["e-odd", "b-near", "a-pool"]  # published and visible, newest first

# The insights tables, exactly as the page shows them (cells as text).
PER_MONTH = [
    ["Month", "SEV1", "SEV2", "SEV3", "SEV4", "Near-miss", "Total"],
    ["2024-03", "0", "1", "0", "0", "0", "1"],
    ["2024-07", "0", "0", "0", "0", "1", "1"],
    ["2025-01", "1", "0", "0", "0", "0", "1"],
    ["2025-06", "0", "0", "0", "1", "0", "1"],
]
NEAR_MISSES = [
    ["Year", "Incidents", "Near-misses", "Near-miss share"],
    ["2024", "1", "1", "50%"],
    ["2025", "2", "0", "0%"],
]
# Incidents only (a-pool, c-draft, e-odd): detect 7, 60, 3 min; resolve 190 min, 25 h, 40 min.
DURATIONS = [
    ["Measure", "Incidents", "Median", "90th percentile", "Longest"],
    ["Time to detect", "3", "7 min", "1 h", "1 h"],
    ["Time to resolve", "3", "3 h 10 min", "1 d 1 h", "1 d 1 h"],
]
DURATION_BUCKETS = [
    ["Duration", "Time to detect", "Time to resolve"],
    ["under 15 min", "2", "0"],
    ["15 min to 1 h", "0", "1"],
    ["1 h to 4 h", "1", "1"],
    ["4 h to 1 d", "0", "0"],
    ["1 d or more", "0", "1"],
]
CAUSES = [
    ["Cause", "Total", "2024", "2025"],
    ["Change reached every host at once (global-rollout)", "2", "1", "1"],
    ["No alert on the symptom users saw (missing-alert)", "2", "2", "0"],
]
ACTION_ITEMS = [
    ["Quarter", "Opened", "Closed"],
    ["2024-Q1", "3", "0"],
    ["2024-Q2", "0", "1"],
    ["2024-Q3", "1", "2"],
]
SERVICES = [
    ["Service", "Postmortems", "Incidents", "Near-misses"],
    ["checkout-api", "2", "1", "1"],
    ["search-api", "2", "1", "1"],
    [ODD_SERVICE, "1", "1", "0"],
]
TABLES = {
    "per-month": [PER_MONTH],
    "near-misses": [NEAR_MISSES],
    "durations": [DURATIONS, DURATION_BUCKETS],
    "causes": [CAUSES],
    "action-items": [ACTION_ITEMS],
    "services": [SERVICES],
}
# 3 of the 4 items are done, 1 is overdue; of the 2 done items with a due date, 1 on time.
FOLLOW_THROUGH = (
    "3 of 4 action items done, 1 overdue as of 2026-06-30. Closed on time: 1 of the 2 done items with a due date (50%)."
)


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in {**DEFAULT_FILES, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


# A build for the internal audience drops the restricted reading-list entries, and says so.
LEFT_OUT = [
    "postmortems/reading.yml:7: warning: 'd-hidden' is not in audience 'internal': left out",
    "postmortems/reading.yml:13: warning: 'd-hidden' is not in audience 'internal': left out",
]


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def strict_build(project: Path, site_dir: Path | None = None) -> Site:
    """A build in which any warning but the expected ``LEFT_OUT`` ones fails the test."""
    overrides = {"site_dir": str(site_dir)} if site_dir else {}
    cfg = load_config(config_file=str(project / "mkdocs.yml"), **overrides)
    warnings = _Warnings()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(warnings)
    try:
        mkdocs_build(cfg)
    finally:
        logger.removeHandler(warnings)
    unexpected = [m for m in warnings.messages if m not in LEFT_OUT]
    assert unexpected == []
    return Site(Path(cfg["site_dir"]), warnings.messages)
