"""Which field a legacy section's heading names, in the templates teams use.

The Google SRE, PagerDuty and Atlassian templates and their everyday variants, compared
case-insensitively and without numbering ("2. Root causes:"). A site adds its own names
with the ``import_sections`` option.
"""

from __future__ import annotations

import re

# Target -> the headings that name it. "resolution" and "narrative" stay in the narrative.
SECTION_NAMES: dict[str, tuple[str, ...]] = {
    "summary": (
        "summary", "overview", "tl;dr", "tldr", "executive summary", "incident summary", "issue summary", "description",
    ),
    "impact": ("impact", "customer impact", "user impact", "business impact", "impact assessment", "incident impact"),
    "causes": (
        "root cause", "root causes", "root cause analysis", "rca", "contributing factors", "contributing factor",
        "causes", "cause", "causal factors", "why did it happen", "identified cause", "how did it happen",
    ),
    "trigger": ("trigger", "triggers", "leadup", "lead-up", "lead up", "fault", "trigger event"),
    "detection": ("detection", "identified", "identification", "how was it detected", "how it was detected"),
    "resolution": (
        "resolution", "recovery", "mitigation", "resolution and recovery", "fix", "mitigation and resolution",
        "response",
    ),
    "timeline": (
        "timeline", "key events", "timeline of events", "incident timeline", "chronology", "sequence of events",
        "detailed timeline",
    ),
    "action_items": (
        "action items", "action item", "follow-ups", "follow ups", "followups", "follow-up", "follow up",
        "follow-up actions", "review actions", "corrective actions", "corrective and preventative actions",
        "next steps", "action plan", "actions", "preventive actions", "preventative actions", "todo", "to do",
        "remediation items", "remediations", "remediation", "corrective and preventative measures",
        "corrective and preventative measure", "corrective and preventive measures", "corrective measures",
        "preventative measures", "how are we preventing it from happening again",
        "lessons learned and future improvements", "future improvements", "improvements",
    ),
    "lessons": ("lessons learned", "lessons", "learnings", "takeaways", "key takeaways", "lessons learnt"),
    "went_well": ("what went well", "things that went well", "went well"),
    "went_wrong": (
        "what went wrong", "what went poorly", "what didn't go so well", "what did not go so well",
        "things that went wrong", "what didn't go well", "what did not go well", "what could have gone better",
        "what could have been better", "went wrong",
    ),
    "got_lucky": ("where we got lucky", "where we were lucky", "got lucky", "lucky"),
}  # fmt: skip


def normalise(heading: str) -> str:
    """``"2. Root Causes:"`` -> ``"root causes"``: numbering, punctuation at the ends and
    case dropped."""
    text = heading.lower().strip()
    text = re.sub(r"^(?:\d+(?:\.\d+)*[.)]?|[ivx]+[.)]|[a-z][.)])\s+", "", text)
    text = re.sub(r"[^\w;'/&() -]+", " ", text)
    return " ".join(text.strip(" :.-").split())


class SectionNames:
    """The heading names of each target: the built-in ones and a site's own."""

    def __init__(self, extra: dict[str, str] | None = None) -> None:
        self.names: dict[str, str] = {}
        for target, names in SECTION_NAMES.items():
            for name in names:
                self.names[name] = target
        for name, target in (extra or {}).items():
            self.names[normalise(name)] = target
        # Longest first, so "action items" wins over "actions" and "lessons learned" over "lessons".
        self._ordered = sorted(self.names, key=len, reverse=True)

    def target(self, heading: str) -> str | None:
        """The target ``heading`` names: exactly, or as its first words ("Timeline (all
        times PST)", "Action items and follow-ups")."""
        text = normalise(heading)
        if text in self.names:
            return self.names[text]
        for name in self._ordered:
            if text.startswith(name) and not text[len(name) : len(name) + 1].isalnum():
                return self.names[name]
        return None
