"""``kb import``: every source file imported into the library, or skipped with its reason.

Each document becomes ``<DIR>/<year>/<date>-<title words>.md``, with the images it
links copied into a folder named by its id next to it. Nothing is overwritten: a file
whose id is taken is skipped, unless ``force``; one this same source was imported to
before counts as already imported, so a second import writes nothing.
"""

from __future__ import annotations

import json
import posixpath
import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from kb import __version__
from kb.format.settings import Settings as LibrarySettings
from kb.importer import document, sources
from kb.importer.extract import Result, Settings, extract
from kb.importer.sections import SectionNames
from kb.load.new_postmortem import free_id
from kb.load.project import shown

TOOL = f"kb import {__version__}"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".pdf")


@dataclass
class Outcome:
    """What happened to one source file."""

    source: str
    action: str  # "imported", "would import" (dry run), "skipped", "already imported"
    reason: str = ""
    written: str = ""  # the postmortem file
    result: Result | None = None


@dataclass
class Import:
    """One run of ``kb import``. Ids are made unique among the run's sources; a source
    whose id the library has already is skipped, unless ``force``."""

    settings: LibrarySettings
    to: Path  # the folder the postmortems go under (year folders inside)
    taken: set[str]  # ids the library has already: a source that would take one is skipped
    causes: dict[str, tuple[str, str]] = field(default_factory=dict)
    dry_run: bool = False
    force: bool = False
    today: date = field(default_factory=date.today)
    outcomes: list[Outcome] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.extract_settings = Settings(
            zone=self.settings.zone(),
            zone_name=self.settings.timezone,
            severities=list(self.settings.severities),
            severity_words={k.lower(): v for k, v in self.settings.import_severities.items()},
            sections=SectionNames(self.settings.import_sections),
            causes=self.causes,
        )
        self.imported_from = _imported_from(self.to)
        self.batch: set[str] = set()  # the ids this run gave

    def run(self, paths: list[Path], progress: Callable[[Iterable[Path]], Iterable[Path]] = lambda p: p) -> None:
        for path in progress(list(sources.discover(paths))):
            try:
                self.outcomes.append(self.one(path))
            except Exception as exc:  # one odd document must not stop the rest of the import
                reason = f"could not be read ({type(exc).__name__}: {exc}); please report it"
                self.outcomes.append(Outcome(shown(path), "skipped", reason[:300]))

    def one(self, path: Path) -> Outcome:
        name = shown(path)  # however it was typed: legacy/a.md, ./legacy/a.md, /home/me/legacy/a.md
        found = sources.read(path)
        if isinstance(found, sources.Skipped):
            if path.suffix.lower() in IMAGE_SUFFIXES or path.suffix.lower() == ".svg":
                return Outcome(name, "skipped", "an image: copied with the postmortems that link it")
            return Outcome(name, "skipped", found.reason)
        result = extract(document.parse(found.text), path, self.extract_settings)
        if result.started is None:
            if path.name.split(".")[0].lower() in sources.INDEX_NAMES:
                return Outcome(name, "skipped", "an index page or a README, with no incident date")
            return Outcome(name, "skipped", "no incident date found: add 'Date: YYYY-MM-DD' to it and import it again")
        day = result.started.date().isoformat()
        # The id starts with the date: a title that starts with it too names it once.
        words = re.sub(r"^\W*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\W*", "", str(result.front["title"]))
        pm_id = free_id(words, day, self.batch)  # unique among this run's
        target = self.to / str(result.started.year) / f"{pm_id}.md"
        earlier = self.imported_from.get(name)
        if earlier and not self.force:
            return Outcome(name, "already imported", f"as {earlier}", result=result)
        if earlier:  # --force: write over what this same source gave before, and nothing else
            target, pm_id = Path(earlier), Path(earlier).stem
        elif target.exists() or pm_id in self.taken:
            if not self.force:
                return Outcome(name, "skipped", f"{pm_id!r} is taken; --force imports it under another id")
            pm_id = free_id(words, day, self.taken | self.batch | {pm_id})  # another file's: never replaced
            target = self.to / str(result.started.year) / f"{pm_id}.md"
        self.batch.add(pm_id)
        copies = _copies(result.images, path.parent, pm_id)
        text = self.render(result, name, pm_id, copies)
        if not self.dry_run:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            for source, link in copies.values():
                destination = target.parent / link
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, destination)
            self.imported_from[name] = shown(target)
        return Outcome(name, "would import" if self.dry_run else "imported", written=shown(target), result=result)

    def render(self, result: Result, source: str, pm_id: str, copies: dict[str, tuple[Path, str]]) -> str:
        front = dict(result.front)
        extras = front.pop("_extras", {})
        front["status"] = "published"
        # How it was read, beside where from: which field each moved section went to, the
        # sentence that stated the zone, the labelled lines as written.
        record = {"headings": result.headings, "zone": result.zone, "labels": result.labels}
        imported: dict[str, object] = {"from": source, "at": self.today, "tool": TOOL}
        imported |= {key: value for key, value in record.items() if value}
        if isinstance(extras, dict):
            imported.update({k: v for k, v in extras.items() if k not in imported})
        front = {"title": front.pop("title"), "status": front.pop("status"), **front, "imported": imported}
        narrative = result.narrative
        for image, (_, link) in copies.items():
            narrative = narrative.replace(f"]({image}", f"]({link}")
        head = yaml.dump(front, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
        return f"---\n{head}---\n\n{narrative}"

    # --- the summary and the report -------------------------------------------------

    def counts(self) -> dict[str, int]:
        counted: dict[str, int] = {}
        for outcome in self.outcomes:
            counted[outcome.action] = counted.get(outcome.action, 0) + 1
        return counted

    def report(self) -> list[dict[str, object]]:
        return [
            {
                "source": o.source,
                "action": o.action,
                **({"reason": o.reason} if o.reason else {}),
                **({"written": o.written} if o.written else {}),
                **({"extracted": o.result.extracted, "to_complete": o.result.todo} if o.result else {}),
            }
            for o in self.outcomes
        ]

    def write_report(self, path: Path) -> None:
        if path.suffix.lower() == ".json":
            path.write_text(json.dumps(self.report(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            return
        lines = ["# Import report", "", f"{summary(self.counts())}.", ""]
        for entry in self.report():
            lines += [
                f"## {entry['source']}",
                "",
                f"**{entry['action']}**" + (f": {entry['reason']}" if "reason" in entry else ""),
            ]
            if "written" in entry:
                lines.append(f"to `{entry['written']}`")
            for title, key in (("Extracted", "extracted"), ("To complete", "to_complete")):
                values = entry.get(key) or []
                if values:
                    lines += ["", f"{title}:", "", *(f"- {v}" for v in values)]  # type: ignore[union-attr]
            lines.append("")
        path.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")


class _Dumper(yaml.SafeDumper):
    """Safe YAML that writes a value twice rather than as an alias (``started`` is often the
    first timeline entry's moment): a reader sees both."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def cause_catalog(source_dir: Path) -> dict[str, tuple[str, str]]:
    """The causes of ``causes.yml`` (key -> title, description), to propose keys from;
    empty when it cannot be read (``kb lint`` says why)."""
    try:
        catalog = yaml.safe_load((source_dir / "causes.yml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    if not isinstance(catalog, dict):
        return {}
    return {
        str(key): (str(value.get("title", key)), str(value.get("description", "")))
        for key, value in catalog.items()
        if isinstance(value, dict)
    }


def summary(counts: dict[str, int]) -> str:
    """``3 imported, 1 skipped``: the end of a run, in one line."""
    order = ("imported", "would import", "already imported", "skipped")
    parts = [f"{counts[key]} {key}" for key in order if counts.get(key)]
    return ", ".join(parts) if parts else "nothing to import"


def _imported_from(folder: Path) -> dict[str, str]:
    """The sources earlier imports wrote into ``folder``: source -> the file written."""
    found: dict[str, str] = {}
    if not folder.is_dir():
        return found
    for path in folder.rglob("*.md"):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "\nimported:" not in text or not text.startswith("---\n"):
            continue
        try:
            front = yaml.safe_load(text.split("\n---", 2)[0].removeprefix("---\n"))
        except yaml.YAMLError:
            continue
        imported = front.get("imported") if isinstance(front, dict) else None
        if isinstance(imported, dict) and imported.get("from"):
            found[shown(Path(str(imported["from"])))] = shown(path)
    return found


def _copies(images: list[str], source_dir: Path, pm_id: str) -> dict[str, tuple[Path, str]]:
    """The images a narrative links that exist next to its source: for each link as
    written, the file, and the link to its copy in the folder named by the postmortem's
    id (by its name alone when the link leaves the source's folder)."""
    copies: dict[str, tuple[Path, str]] = {}
    for image in images:
        found = source_dir / image
        if posixpath.splitext(image)[1].lower() not in (*IMAGE_SUFFIXES, ".svg") or not found.is_file():
            continue
        inside = posixpath.normpath(image)
        copies[image] = (found, f"{pm_id}/{inside if not inside.startswith('..') else posixpath.basename(inside)}")
    return copies
