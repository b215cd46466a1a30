"""The plugin's options, shared by the MkDocs build and the ``kb`` command line.

Declared with the same machinery as the format, so the plugin's accepted options, the
CLI's reading of ``mkdocs.yml`` and the configuration docs cannot disagree.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Literal, TypeVar, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kb.format.model import Visibility
from kb.format.problems import UserError, did_you_mean
from kb.format.schema import ALWAYS, INVALID, Checker, check, spec
from kb.format.yamltree import Tree

T = TypeVar("T")
DEFAULT_SEVERITIES = ["SEV1", "SEV2", "SEV3", "SEV4"]

# The names options use for the checks; the checks themselves are kb.checks.blameless
# and kb.checks.completeness, which read these settings.
BlamelessRule = Literal[
    "human error",
    "operator error",
    "mistake by",
    "careless",
    "negligent",
    "should have known",
    "was at fault",
    "blame",
    "failed to",
    "should have",
    "forgot",
    "person as subject",
]
"""The built-in rules, by the name ``blameless_allow`` uses to switch one off."""

CheckKey = Literal["summary", "impact", "detection", "timeline", "causes", "action_items", "lessons"]
CHECK_KEYS: tuple[str, ...] = get_args(CheckKey)
INCIDENT_CHECKS: list[str] = list(CHECK_KEYS)
# A near-miss had no impact to quantify; everything else a reviewer still asks for.
NEAR_MISS_CHECKS: list[str] = [key for key in CHECK_KEYS if key != "impact"]


ImportTarget = Literal[
    "summary",
    "impact",
    "trigger",
    "causes",
    "detection",
    "resolution",
    "timeline",
    "action_items",
    "lessons",
    "went_well",
    "went_wrong",
    "got_lucky",
    "narrative",
]
IMPORT_TARGETS: tuple[str, ...] = get_args(ImportTarget)
"""Where ``kb import`` may put a section of a legacy postmortem (``import_sections``)."""


TrackerKind = Literal["github", "gitlab", "jira"]
TOKEN_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True, kw_only=True)
class Tracker:
    """One issue tracker that ``kb sync`` asks for the state of the action items it owns."""

    kind: TrackerKind = spec("which API it speaks", required=ALWAYS)
    api: str = spec(
        "its API's base URL: `https://api.github.com`, a GitHub Enterprise `https://HOST/api/v3`, a GitLab "
        "`https://HOST`, a Jira `https://HOST`",
        required=ALWAYS,
    )
    token_env: str = spec(
        "the environment variable that holds its token; the token itself never goes in a file", required=ALWAYS
    )
    match: list[str] = spec(
        "which action items' `tracker` values it owns, by prefix: URLs (`https://github.com/acme/`) or issue keys "
        "(`OPS-`)",
        required=ALWAYS,
    )

    def owns(self, tracker: str) -> bool:
        return tracker.startswith(tuple(self.match))


class SettingsError(UserError, ValueError):
    """An option in ``mkdocs.yml`` that cannot be used."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    source: str = spec("folder of postmortems, relative to `mkdocs.yml`", default="postmortems")
    today: date | None = spec(
        'pins the date that action-item states and "this week" are computed for; best left unset: then '
        "`SOURCE_DATE_EPOCH`, else the build date"
    )
    audience: Visibility = spec("which postmortems this build holds: see Audiences", default="internal")
    timezone: str = spec("IANA zone for times without an offset, and for display", default="UTC")
    severities: list[str] = spec("the severity scale, most severe first", default=DEFAULT_SEVERITIES)
    due_soon_days: int = spec("an open action item due within this many days is `due-soon`", default=14)
    similar_limit: int = spec("how many similar postmortems each page shows", default=5)
    list_page_size: int = spec(
        "rows on the first screen of a list page (postmortems, action items, lessons, a cause's, service's or "
        "team's postmortems; and the most a cause, service or team page shows of its items, the story of a "
        "cause, or the board of its items whose tracker disagrees); its later pages hold five times as many",
        default=100,
    )
    due_policy: dict[str, int] = spec(
        "per severity, the most days after `started` an action item may be due, e.g. `{SEV1: 15, SEV2: 30}`",
        default={},
    )
    overdue_fails_strict: bool = spec(
        "report every overdue action item as a warning, so `--strict` builds fail on them", default=False
    )
    trust_html: bool = spec(
        "render raw HTML in postmortem bodies as written, unsanitized: only if every author is trusted",
        default=False,
    )
    cache_dir: str = spec("folder for the search index and other caches, relative to `mkdocs.yml`", default=".kb-cache")
    search_engine: Literal["whoosh", "tantivy"] = spec(
        "the full-text engine behind the index and `kb search`: `tantivy` is faster and needs the `tantivy` extra; "
        "see [engines](../searching.md#engines-whoosh-or-tantivy)",
        default="whoosh",
    )
    publish_index: bool = spec("also copy the search index into the built site, under `search-index/`", default=False)
    pagefind: bool = spec(
        "index the built site with Pagefind and add the `/search-library/` page; needs the `pagefind` extra: "
        "see [large libraries](../searching.md#large-libraries-pagefind)",
        default=False,
    )
    blameless: Literal["off", "warning", "error"] = spec(
        "level of the [blameless-language check](../blameless.md)", default="warning"
    )
    blameless_phrases: list[str] = spec("more phrases the blameless check reports, matched as whole words", default=[])
    blameless_allow: list[BlamelessRule] = spec("built-in blameless rules to switch off, e.g. `failed to`", default=[])
    completeness_incident: list[CheckKey] = spec(
        "[review checks](../review.md) an incident is scored on", default=INCIDENT_CHECKS
    )
    completeness_near_miss: list[CheckKey] = spec(
        "[review checks](../review.md) a near-miss is scored on", default=NEAR_MISS_CHECKS
    )
    trackers: list[Tracker] = spec(
        "issue trackers that `kb sync` reads action items' states from: see [trackers](../trackers.md)", default=[]
    )
    tracker_state: str | None = spec(
        "the snapshot `kb sync` writes and the build reads, relative to `mkdocs.yml`; by default "
        "`tracker-state.json` in the `source` folder",
    )
    tracker_max_age: int = spec("days after which the board says the tracker snapshot is out of date", default=7)
    import_sections: dict[str, ImportTarget] = spec(
        "`kb import`: more section headings of your old postmortems, compared case-insensitively, and where "
        "each goes, e.g. `{Background: narrative, Follow-ups: action_items}`",
        default={},
    )
    import_severities: dict[str, str] = spec(
        "`kb import`: words your old postmortems use for severity, compared case-insensitively, and the key of "
        "`severities` each means, e.g. `{major: SEV2, P1: SEV1}`",
        default={},
    )

    def import_target(self, heading: str) -> ImportTarget | None:
        """Where ``import_sections`` puts a section of this heading, if it names it."""
        return _folded(self.import_sections).get(_fold(heading))

    def import_severity(self, word: str) -> str | None:
        """The severity ``import_severities`` gives a legacy source's ``word``, if any."""
        return _folded(self.import_severities).get(_fold(word))

    def zone(self) -> tzinfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(
                f"plugins.postmortems.timezone: unknown zone {self.timezone!r}; use an IANA name like Europe/Paris"
            ) from None

    def build_date(self) -> date:
        """``today`` if set; else ``SOURCE_DATE_EPOCH`` (reproducible builds); else the real date."""
        if self.today:
            return self.today
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if epoch and epoch.isdigit():
            return datetime.fromtimestamp(int(epoch), UTC).date()
        return date.today()

    def source_dir(self, project_dir: Path) -> Path:
        return (project_dir / self.source).resolve()

    def tracker_state_path(self, project_dir: Path) -> Path:
        if self.tracker_state:
            return (project_dir / self.tracker_state).resolve()
        return self.source_dir(project_dir) / "tracker-state.json"

    def tracker_for(self, tracker: str) -> Tracker | None:
        """The configured tracker that owns an action item's ``tracker`` value, if any."""
        return next((t for t in self.trackers if t.owns(tracker)), None)

    def cache_path(self, project_dir: Path) -> Path:
        """Per audience: a public build's index must not hold internal postmortems."""
        return (project_dir / self.cache_dir / self.audience).resolve()


def _fold(name: str) -> str:
    """A name as options compare it: in any case, spaced in any way."""
    return " ".join(name.casefold().split())


def _folded(names: dict[str, T]) -> dict[str, T]:
    return {_fold(name): value for name, value in names.items()}


def _import_problems(settings: Settings) -> list[str]:
    """What the import options say that cannot be used; their values' kinds are checked already."""
    where = "plugins.postmortems"
    problems = []
    for option in ("import_sections", "import_severities"):
        seen: dict[str, str] = {}
        for name in getattr(settings, option):
            if (first := seen.setdefault(_fold(name), name)) != name:
                problems.append(
                    f"{where}.{option}: {first!r} and {name!r} are the same name (compared case-insensitively): "
                    "keep one"
                )
    for word, severity in settings.import_severities.items():
        if severity not in settings.severities:
            problems.append(
                f"{where}.import_severities.{word}: {severity!r} is not one of the severities "
                f"({', '.join(settings.severities)})" + did_you_mean(severity, settings.severities)
            )
    return problems


def _tracker_problems(settings: Settings) -> list[str]:
    """What ``trackers`` says that cannot be used: its values' kinds are checked already."""
    problems = []
    owners: list[tuple[str, int]] = []  # every prefix, with the tracker that claims it
    for n, tracker in enumerate(settings.trackers):
        where = f"plugins.postmortems.trackers[{n}]"
        if not TOKEN_ENV.match(tracker.token_env):
            # Never echo the value: someone may have pasted the token itself here.
            problems.append(
                f"{where}.token_env: name an environment variable, e.g. GITHUB_TOKEN; the token itself must not "
                "be written in mkdocs.yml"
            )
        if not tracker.api.startswith(("https://", "http://")):
            problems.append(f"{where}.api: {tracker.api!r} is not an http(s) URL, e.g. https://api.github.com")
        if not tracker.match:
            problems.append(f"{where}.match: list at least one URL or key prefix this tracker owns")
        for prefix in tracker.match:
            for other, m in owners:
                if prefix.startswith(other) or other.startswith(prefix):
                    problems.append(
                        f"{where}.match: {prefix!r} overlaps {other!r} of trackers[{m}]: each action item's "
                        "tracker must belong to one tracker"
                    )
            owners.append((prefix, n))
    if settings.tracker_max_age < 1:
        problems.append("plugins.postmortems.tracker_max_age: give a number of days, at least 1")
    return problems


def parse_settings(raw: object, where: str = "mkdocs.yml") -> Settings:
    """Check the plugin's options; every problem is in the one ``SettingsError``."""
    if isinstance(raw, dict) and isinstance(raw.get("blameless"), bool):
        # YAML reads a bare `blameless: off` as false (and `on` as true).
        raw = {**raw, "blameless": "warning" if raw["blameless"] else "off"}
    checker = Checker(where, Tree(raw), DEFAULT_SEVERITIES, UTC, "UTC")
    settings = check(Settings, raw if raw is not None else {}, checker, ("plugins", "postmortems"))
    # A record is built even when some values were rejected; any error makes it unusable.
    if settings is INVALID or any(p.level == "error" for p in checker.problems):
        raise SettingsError("\n".join(p.message for p in checker.problems))
    if not settings.severities:
        raise SettingsError("plugins.postmortems.severities: the scale needs at least one level")
    if settings.list_page_size < 10:  # a pager of a thousand pages helps nobody
        raise SettingsError("plugins.postmortems.list_page_size: give a number of rows, at least 10")
    if problems := _import_problems(settings) + _tracker_problems(settings):
        raise SettingsError("\n".join(problems))
    settings.zone()
    return settings
