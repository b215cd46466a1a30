"""Is a postmortem ready for review? A checklist modelled on common review criteria.

Each check is one question a reviewer asks (Google SRE's postmortem review among the
models): is the impact quantified, is detection described, are the causes explained...
Which checks apply depends on the postmortem's type and is configured in ``mkdocs.yml``
(``completeness_incident``, ``completeness_near_miss``); the score is the share of the
applicable checks that pass. See ``docs/review.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kb.format.model import Postmortem
from kb.format.settings import CHECK_KEYS, Settings

# Statuses whose pages and ``kb lint`` show the checklist: the ones still being written.
CHECKLIST_STATUSES = ("draft", "in-review")

LABELS: dict[str, str] = {
    "summary": "Summary: two or three sentences",
    "impact": "Impact quantified: users, requests, revenue, support tickets or SLOs",
    "detection": "Detection described: method or detail",
    "timeline": "Timeline: at least one entry",
    "causes": "Causes: at least one, each with a detail",
    "action_items": "Action items: at least one; every open one owned and dated",
    "lessons": "Lessons learned: at least one",
}


def _impact(pm: Postmortem) -> bool:
    impact = pm.impact
    if impact is None:
        return False
    counts = (impact.users_affected, impact.requests_failed, impact.revenue_lost, impact.support_tickets)
    return any(n is not None for n in counts) or bool(impact.slos)


def _detection(pm: Postmortem) -> bool:
    return pm.detection is not None and bool(pm.detection.method or (pm.detection.detail or "").strip())


def _causes(pm: Postmortem) -> bool:
    return bool(pm.causes) and all((cause.detail or "").strip() for cause in pm.causes)


def _action_items(pm: Postmortem) -> bool:
    open_items = [item for item in pm.action_items if not item.closed]
    return bool(pm.action_items) and all((item.owner or "").strip() and item.due for item in open_items)


_TESTS: dict[str, Callable[[Postmortem], bool]] = {
    "summary": lambda pm: bool((pm.summary or "").strip()),
    "impact": _impact,
    "detection": _detection,
    "timeline": lambda pm: bool(pm.timeline),
    "causes": _causes,
    "action_items": _action_items,
    "lessons": lambda pm: any(lesson.strip() for lesson in pm.lessons),
}


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    passed: bool


@dataclass(frozen=True)
class Completeness:
    score: int  # 0-100: the share of applicable checks passed
    checks: list[Check]

    @property
    def missing(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]

    def as_json(self) -> dict[str, object]:
        """For ``/api/postmortems.json``: ``{"score": 80, "missing": [labels]}``."""
        return {"score": self.score, "missing": [check.label for check in self.missing]}


def applicable(pm: Postmortem, settings: Settings) -> list[str]:
    """The check keys for this postmortem's type, in the checklist's fixed order."""
    wanted = set(settings.completeness_near_miss if pm.type == "near-miss" else settings.completeness_incident)
    return [key for key in CHECK_KEYS if key in wanted]


def completeness(pm: Postmortem, settings: Settings) -> Completeness:
    checks = [Check(key, LABELS[key], _TESTS[key](pm)) for key in applicable(pm, settings)]
    passed = sum(check.passed for check in checks)
    score = round(100 * passed / len(checks)) if checks else 100
    return Completeness(score, checks)


def shows_checklist(pm: Postmortem) -> bool:
    """Drafts and postmortems in review show the checklist; published ones do not."""
    return pm.status in CHECKLIST_STATUSES


def checklist_text(pm: Postmortem, settings: Settings, path: str | None = None) -> str:
    """The checklist for a terminal, headed by ``path`` (default: the file's, relative to
    the project), e.g. under ``kb lint``'s problems::

    postmortems/a.md: draft, review checklist 71% (5 of 7)
      [x] Summary: two or three sentences
      [ ] Impact quantified: users, requests, revenue, support tickets or SLOs
    """
    result = completeness(pm, settings)
    passed = len(result.checks) - len(result.missing)
    lines = [f"{path or pm.source}: {pm.status}, review checklist {result.score}% ({passed} of {len(result.checks)})"]
    lines += [f"  [{'x' if check.passed else ' '}] {check.label}" for check in result.checks]
    return "\n".join(lines)
