"""``kb``: the command line. It reads the plugin's settings from the same ``mkdocs.yml``."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from datetime import date, datetime, time, tzinfo
from pathlib import Path

from kb import __version__, facade
from kb.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, action_report, progress, sync
from kb.facade import (
    ACTION_ITEM_STATES,
    DEFAULT_SEVERITIES,
    Library,
    Postmortem,
    Project,
    UserError,
    checklist_text,
    count,
    json_schema,
    markdown_tables,
    new_postmortem,
    open_project,
    postmortem_url,
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
    _, library = _load(args)
    problems = library.problems
    errors, warnings = count(problems, "error"), count(problems, "warning")
    if args.format == "json":
        report = {
            "files": library.files,
            "errors": errors,
            "warnings": warnings,
            "problems": [p.as_json() for p in problems],
        }
        print(json.dumps(report, indent=2))
    else:
        for problem in problems:
            print(problem)
        # Review checklists go to stderr: stdout stays one problem per line for tools.
        for pm in library.postmortems:
            if shows_checklist(pm):
                print(checklist_text(pm, library.settings), file=sys.stderr)
        print(f"{library.files} files checked: {errors} errors, {warnings} warnings", file=sys.stderr)
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
    print(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)
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
        where = f"{fresh.sources.get(hit.id, hit.id)}  {postmortem_url(hit.id)}"
        print(f"{rank:>2}. {hit.title}  [{facts}]\n    {where}\n    {hit.snippet}\n")
    if not results.hits:
        print("no postmortem matches", file=sys.stderr)
    return EXIT_OK


def cmd_actions(args: argparse.Namespace) -> int:
    _, library = _load(args)
    items = tracked_items(library.postmortems, library.today, library.settings.due_soon_days)
    selected = action_report.ordered(
        [t for t in items if t.matches(owner=args.owner, team=args.team, state=args.state)]
    )
    if args.format == "json":
        print(action_report.as_json(selected))
    elif args.format == "csv":
        sys.stdout.write(action_report.as_csv(selected))
    elif args.format == "md":
        print(action_report.as_markdown(selected, library.today.isoformat()))
    else:
        print(action_report.as_text(selected) if selected else "no action items match")
    return EXIT_OK


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


def cmd_schema(args: argparse.Namespace) -> int:
    if args.format == "markdown":
        print(markdown_tables(), end="")
        return EXIT_OK
    severities = open_project(args.config_file).settings.severities if Path(args.config_file).exists() else None
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


def _parser() -> argparse.ArgumentParser:
    # Every command takes these, from this one parser: -f, and --today, so a script or a
    # test can pin the date of any command the way SOURCE_DATE_EPOCH pins a build's.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-f",
        "--config-file",
        default="mkdocs.yml",
        metavar="PATH",
        help="the MkDocs configuration to read the plugin's settings from (default: mkdocs.yml)",
    )
    common.add_argument(
        "--today",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="the date to compute action-item states for (default: the plugin's today option, else "
        "SOURCE_DATE_EPOCH, else the current date); kb new dates a postmortem without --started on it",
    )
    parser = argparse.ArgumentParser(prog="kb", description="Work with a library of postmortems.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
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
    lint.add_argument("--strict", action="store_true", help="fail on warnings too")
    lint.add_argument("--format", choices=["text", "json"], default="text")
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

    schema = commands.add_parser(
        "schema", parents=[common], help="print the front matter's JSON Schema (or the docs' field tables)"
    )
    schema.add_argument("--format", choices=["json", "markdown"], default="json")
    schema.set_defaults(run=cmd_schema)

    sync.add_command(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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
