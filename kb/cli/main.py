"""``kb``: the command line. It reads the plugin's settings from the same ``mkdocs.yml``."""
# PYTHON_ARGCOMPLETE_OK: argcomplete's global completion completes commands that say so here.

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path

from kb import __version__, facade
from kb.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, action_report, progress, sync
from kb.facade import (
    ACTION_ITEM_STATES,
    DEFAULT_SEVERITIES,
    Library,
    Postmortem,
    Project,
    Tracked,
    UserError,
    checklist_text,
    count,
    did_you_mean,
    find_config,
    json_schema,
    markdown_tables,
    new_postmortem,
    open_project,
    postmortem_link,
    postmortem_url,
    reports,
    shown,
    shows_checklist,
    tracked_items,
)


def _open(args: argparse.Namespace) -> Project:
    """The project of ``-f``, its ``today`` replaced by ``--today`` when given."""
    project = open_project(args.config_file)
    if args.today is None:
        return project
    return replace(project, settings=replace(project.settings, today=args.today))


def _load(args: argparse.Namespace) -> tuple[Project, Library]:
    project = _open(args)
    return project, facade.load_library(project.settings, project.root)


def cmd_lint(args: argparse.Namespace) -> int:
    project = _open(args)
    if args.files and args.changed_only is not None:
        print("kb lint: give files or --changed-only, not both", file=sys.stderr)
        return EXIT_USAGE
    if missing := [name for name in args.files if not Path(name).is_file()]:
        print(f"kb lint: no such file: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    paths = [Path(name) for name in args.files]
    if args.changed_only is not None:
        paths = facade.changed_since(project.root, args.changed_only)
    # The settings decide every file's checks: with them changed, the whole library is checked.
    some = bool(args.files) or args.changed_only is not None
    if some and project.config_file.resolve() not in {path.resolve() for path in paths}:
        selected = facade.lint_files(project.settings, project.root, paths)
        for name in selected.ignored if args.files else ():  # what changed besides postmortems is no news
            print(f"kb lint: {name} is not a postmortem of this library: not checked", file=sys.stderr)
        library, problems, files = selected.library, selected.problems, len(selected.asked)
        asked = set(selected.asked)
        reviewed = [pm for pm in library.postmortems if pm.source in asked]
    else:
        library = facade.load_library(project.settings, project.root)
        problems, files, reviewed = library.problems, library.files, library.postmortems
    # Named as every path kb prints is, whichever folder it runs in (``shown``).
    problems = [replace(p, path=shown(project.root / p.path)) for p in problems]
    errors, warnings = count(problems, "error"), count(problems, "warning")
    if args.format == "json":
        report = {
            "files": files,
            "errors": errors,
            "warnings": warnings,
            "problems": [p.as_json() for p in problems],
        }
        print(json.dumps(report, indent=2))
    elif args.format == "github":
        sys.stdout.write(reports.github(problems))
    elif args.format in ("gitlab", "sarif"):
        print(reports.gitlab(problems) if args.format == "gitlab" else reports.sarif(problems))
    else:
        for problem in problems:
            print(problem)
        # Review checklists go to stderr: stdout stays one problem per line for tools.
        for pm in reviewed:
            if shows_checklist(pm):
                print(checklist_text(pm, library.settings, shown(project.root / pm.source)), file=sys.stderr)
    if args.format != "json":
        print(f"{files} files checked: {errors} errors, {warnings} warnings", file=sys.stderr)
    failed = errors > 0 or (args.strict and warnings > 0)
    return EXIT_PROBLEMS if failed else EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    if not args.title.strip():
        print('kb new: give the postmortem a title, e.g. kb new "Checkout API returned 502s"', file=sys.stderr)
        return EXIT_USAGE
    project, library = _load(args)
    zone = project.settings.zone()
    try:
        started = _started(args.started, args.today, zone)
    except ValueError:
        print(
            f"kb new: --started {args.started!r} is not an ISO 8601 date or time, e.g. 2026-11-30T14:05",
            file=sys.stderr,
        )
        return EXIT_USAGE
    ids = {pm.slug for pm in library.postmortems}
    severities = library.settings.severities
    path = new_postmortem(args.title, ids, severities, project.source_dir, started, args.type, args.service)
    print(shown(path))
    return EXIT_OK


def _started(value: str | None, today: date | None, zone: tzinfo) -> datetime:
    """When the incident started: ``value`` (a date, or a time without an offset, in the
    library's zone); else the start of ``--today``; else now. Never the settings' date: a
    ``today`` pinned in ``mkdocs.yml`` or by ``SOURCE_DATE_EPOCH`` must not misdate what
    someone writes down now."""
    if value is not None:
        started = datetime.fromisoformat(value)
    elif today is not None:
        started = datetime.combine(today, time())
    else:
        return datetime.now(zone).replace(second=0, microsecond=0)
    return started if started.tzinfo else started.replace(tzinfo=zone)


def cmd_search(args: argparse.Namespace) -> int:
    project = _open(args)
    fresh = facade.search_index(project.settings, project.root, progress.meter("postmortem"), refresh=args.refresh)
    tty = sys.stdout.isatty()
    results = fresh.engine.search(args.query, limit=args.limit, marks=("\033[1m", "\033[0m") if tty else ("**", "**"))
    if results.suggestion:
        note = f"did you mean: {results.suggestion} (showing results for it)"
        print(note, file=sys.stderr if args.format == "json" else sys.stdout)
    if args.format == "json":
        print(json.dumps([{**asdict(hit), "url": postmortem_url(hit.id)} for hit in results.hits], indent=2))
        return EXIT_OK
    for rank, hit in enumerate(results.hits, start=1):
        facts = " · ".join(f for f in (hit.severity or "near-miss", hit.started, hit.status) if f)
        # Where to open it: the file, and its page on the site.
        source = fresh.sources.get(hit.id)
        where = f"{shown(project.root / source) if source else hit.id}  {postmortem_url(hit.id)}"
        print(f"{rank:>2}. {hit.title}  [{facts}]\n    {where}\n    {hit.snippet}\n")
    if not results.hits:
        print("no postmortem matches", file=sys.stderr)
    return EXIT_OK


def cmd_actions(args: argparse.Namespace) -> int:
    project, library = _load(args)
    items = tracked_items(library.postmortems, library.today, library.settings.due_soon_days, library.tracker_state)
    if unknown := _unknown_name(args, library, items):
        print(f"kb actions: {unknown}", file=sys.stderr)
        return EXIT_USAGE
    selected = action_report.ordered(
        [t for t in items if t.matches(owner=args.owner, team=args.team, state=args.state)]
    )
    if args.format == "json":
        print(action_report.as_json(selected))
        return EXIT_OK
    if args.format == "csv":
        sys.stdout.write(action_report.as_csv(selected))
        return EXIT_OK
    # Said once, at the top: the tracker states are old; the Markdown's links are relative.
    notes = []
    if stale := facade.stale_tracker_state(library.tracker_state, library.settings, library.today):
        notes.append(stale.sentence)
    if args.format == "md" and not project.site_url:
        notes.append("Links are relative to the site's root: set `site_url` in mkdocs.yml to make them absolute.")
    # Absolute under ``site_url``; else relative to the site's root, which works under any path.
    link = functools.partial(postmortem_link, site_url=project.site_url, directory_urls=project.use_directory_urls)
    if args.all or args.state:  # a list, not an agenda
        if args.format == "md":
            print(action_report.as_markdown(selected, library.today, link, notes))
        else:
            print("\n".join([*notes, action_report.as_text(selected) or "no action items match"]))
        return EXIT_OK
    since = args.since or library.today - timedelta(days=action_report.REVIEW_DAYS)
    plan = action_report.agenda(selected, library.today, since)
    if args.format == "md":
        print(action_report.agenda_markdown(plan, link, notes))
    else:
        print(action_report.agenda_text(plan, notes))
    return EXIT_OK


def _unknown_name(args: argparse.Namespace, library: Library, items: list[Tracked]) -> str | None:
    """What is wrong with a ``--team`` or ``--owner`` that nothing in the library names: a
    typo would otherwise print an empty agenda, as if that team had nothing left to do."""
    owners = {t.item.owner for t in items if t.item.owner}
    known = {"team": owners | {team for pm in library.postmortems for team in pm.teams}, "owner": owners}
    for option, names in known.items():
        value = getattr(args, option)
        if value is not None and value.lower() not in {name.lower() for name in names}:
            return f"no postmortem or action item names the {option} {value!r}{did_you_mean(value, sorted(names))}"
    return None


def cmd_import(args: argparse.Namespace) -> int:
    project, library = _load(args)
    to = Path(args.to) if args.to else project.source_dir
    # Every id a file has or would have, valid or not: the library's, and the target folder's.
    folders = [folder for folder in (project.source_dir, to) if folder.is_dir()]
    taken = {pm.slug for pm in library.postmortems} | {path.stem for folder in folders for path in folder.rglob("*.md")}
    run = facade.Import(
        project.settings,
        to,
        taken,
        causes=facade.cause_catalog(project.source_dir),
        dry_run=args.dry_run,
        force=args.force,
        today=args.today or date.today(),
    )
    missing = [source for source in args.sources if not Path(source).exists()]
    if missing:
        print(f"kb import: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    run.run(
        [Path(source) for source in args.sources],
        lambda paths: progress.bar_class()(
            paths, desc="importing", unit="file", delay=0.5, disable=not progress.shown()
        ),
    )
    for outcome in run.outcomes:
        detail = f" -> {outcome.written}" if outcome.written and outcome.action != "already imported" else ""
        print(f"{outcome.action}: {outcome.source}{detail}" + (f" ({outcome.reason})" if outcome.reason else ""))
    if args.report:
        run.write_report(Path(args.report))
    print(
        f"{facade.import_summary(run.counts())}" + (f"; report in {args.report}" if args.report else ""),
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    project = _open(args)
    folder = Path(args.directory).resolve()
    done = facade.export_library(project.settings, project.root, folder, project.use_directory_urls, project.site_url)
    for problem in done.problems:
        print(problem, file=sys.stderr)
    print(done.summary())
    if not project.settings.trust_html:  # the one thing an export cannot keep: it is the site generator's to render
        print(
            "kb export: narratives are written as their authors wrote them; the site generator renders their HTML "
            "without the plugin's sanitizer (docs/export.md)",
            file=sys.stderr,
        )
    docs_dir = (project.root / project.docs_dir).resolve()
    # The lines name files relative to docs_dir: the export's folder, or one inside it.
    if folder.is_relative_to(docs_dir):
        prefix = folder.relative_to(docs_dir).as_posix() + "/" if folder != docs_dir else ""
        where = "" if not prefix else f" (the pages are under /{prefix}, not at the plugin's URLs)"
    else:
        prefix, where = "", f" with docs_dir: {folder}"
    print(f"\nAdd to mkdocs.yml, for a site generator without the postmortems plugin{where}:\n")
    print(done.mkdocs_yml(prefix), end="")
    return EXIT_PROBLEMS if count(done.problems, "error") else EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    if args.format == "markdown":
        print(markdown_tables(), end="")
        return EXIT_OK
    # Without a configuration, the schema has the default severity scale.
    config = args.config_file or find_config(Path.cwd())
    severities = open_project(config).settings.severities if config and Path(config).exists() else None
    schema = json_schema(Postmortem, "Postmortem front matter", severities or DEFAULT_SEVERITIES)
    print(json.dumps(schema, indent=2))
    return EXIT_OK


def _iso_date(value: str) -> date:
    """``--today``'s value: a calendar date written YYYY-MM-DD, and nothing looser, so a
    script's typo is an error rather than another date."""
    with contextlib.suppress(ValueError):
        if (parsed := date.fromisoformat(value)).isoformat() == value:
            return parsed
    raise argparse.ArgumentTypeError(f"{value!r} is not a date written YYYY-MM-DD, e.g. 2026-12-02")


def _add_common(parser: argparse.ArgumentParser, default: object) -> None:
    """``-f`` and ``--today``, which every command takes: ``--today`` so a script or a test
    can pin the date of any command the way SOURCE_DATE_EPOCH pins a build's."""
    parser.add_argument(
        "-f",
        "--config-file",
        default=default,
        metavar="PATH",
        help="the MkDocs or ProperDocs configuration to read the plugin's settings from (default: mkdocs.yml "
        "or properdocs.yml in the current folder or the nearest folder above it)",
    )
    parser.add_argument(
        "--today",
        type=_iso_date,
        default=default,
        metavar="YYYY-MM-DD",
        help="the date to compute action-item states for (default: the plugin's today option, else "
        "SOURCE_DATE_EPOCH, else the current date); kb new dates a postmortem without --started on it",
    )


def _parser() -> argparse.ArgumentParser:
    # The common options are accepted before the command (``kb -f x/mkdocs.yml lint``) and
    # after it. A command's parser fills in its defaults over what the main parser read, so
    # there they have none (SUPPRESS): a value given before the command stays.
    common = argparse.ArgumentParser(add_help=False)
    _add_common(common, argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="kb", description="Work with a library of postmortems.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_common(parser, None)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    new = commands.add_parser("new", parents=[common], help="write a new postmortem from the template")
    new.add_argument("title", help="the postmortem's title, in quotes")
    new.add_argument(
        "--started", metavar="WHEN", help="when impact began, ISO 8601 (default: now, or --today); it dates the id"
    )
    new.add_argument("--type", choices=["incident", "near-miss"], default="incident")
    new.add_argument("--service", action="append", default=[], metavar="NAME", help="a service involved (repeat)")
    new.set_defaults(run=cmd_new)

    lint = commands.add_parser("lint", parents=[common], help="check every postmortem, as the build does")
    lint.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="check only these postmortems, with the rules across files that involve them (what pre-commit passes)",
    )
    lint.add_argument(
        "--changed-only",
        metavar="REF",
        help="check only the postmortems changed since the git revision REF, and those git does not track yet",
    )
    lint.add_argument("--strict", action="store_true", help="fail on warnings too")
    lint.add_argument(
        "--format",
        choices=["text", "json", "github", "gitlab", "sarif"],
        default="text",
        help="github: workflow commands (annotations); gitlab: a Code Quality report; sarif: SARIF 2.1.0",
    )
    lint.set_defaults(run=cmd_lint)

    search = commands.add_parser("search", parents=[common], help="full-text search over every postmortem")
    search.add_argument("query", help='words, "a phrase", AND/OR/NOT, and service:, team:, cause:, severity:, ...')
    search.add_argument("--limit", type=int, default=10, metavar="N", help="at most N results (default: 10)")
    search.add_argument("--format", choices=["text", "json"], default="text")
    search.add_argument(
        "--refresh", action="store_true", help="read and check every file again, not only those changed since last time"
    )
    search.set_defaults(run=cmd_search)

    actions = commands.add_parser("actions", parents=[common], help="action items across all postmortems")
    actions.add_argument("--state", choices=ACTION_ITEM_STATES, help="only items in this state")
    actions.add_argument("--owner", metavar="O", help="only items owned by O")
    actions.add_argument("--team", metavar="T", help="only items owned by T or from T's postmortems")
    actions.add_argument("--format", choices=["text", "json", "csv", "md"], default="text")
    actions.add_argument(
        "--since",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help=f"the agenda's closed items: those completed on or after this date (default: "
        f"{action_report.REVIEW_DAYS} days before today)",
    )
    actions.add_argument(
        "--all", action="store_true", help="every item, not the agenda (json and csv always list every item)"
    )
    actions.set_defaults(run=cmd_actions)

    importing = commands.add_parser(
        "import", parents=[common], help="bring existing postmortems (Markdown, HTML exports) into the library"
    )
    importing.add_argument("sources", nargs="+", metavar="SOURCE", help="a file, or a folder searched recursively")
    importing.add_argument("--to", metavar="DIR", help="where to write them (default: the library's source folder)")
    importing.add_argument("--dry-run", action="store_true", help="read and report, write nothing")
    importing.add_argument("--force", action="store_true", help="write over files an earlier import of a source wrote")
    importing.add_argument("--report", metavar="FILE", help="what was extracted and what to complete (.json or .md)")
    importing.set_defaults(run=cmd_import)

    export = commands.add_parser(
        "export", parents=[common], help="write everything the plugin generates into DIR, for builders without it"
    )
    export.add_argument("directory", metavar="DIR", help="where to write; the site's docs_dir (kb export docs)")
    export.set_defaults(run=cmd_export)

    schema = commands.add_parser(
        "schema", parents=[common], help="print the front matter's JSON Schema (or the docs' field tables)"
    )
    schema.add_argument("--format", choices=["json", "markdown"], default="json")
    schema.set_defaults(run=cmd_schema)

    sync.add_command(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    if "_ARGCOMPLETE" in os.environ:  # the shell asks for completions (docs/cli.md); argcomplete answers and exits
        import argcomplete

        argcomplete.autocomplete(parser)
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except UserError as exc:
        print(f"kb: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `kb lint | head` is fine
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
