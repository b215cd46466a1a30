"""The core without MkDocs: YAML with lines, reading files, action-item states, problems."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from kb.analysis.action_item_states import state
from kb.format.model import ActionItem
from kb.format.problems import Problem, did_you_mean
from kb.format.yamltree import YamlProblem, parse
from kb.load.sources import SourceProblem, read_source
from kb.render.times import span

# --- kb.yamltree ----------------------------------------------------------------------

DOCUMENT = """\
title: Pool exhausted
started: 2024-03-12T14:05:00+00:00
action_items:
  - title: Add an alert
    due: 2024-04-01
  - title: Stage rollouts
timeline:
  - at: 12:30
    event: Paged.
"""


def test_parse_records_the_line_of_every_key_and_item() -> None:
    tree = parse(DOCUMENT)

    assert tree.lines[("title",)] == 1
    assert tree.lines[("action_items", 1)] == 6
    assert tree.lines[("action_items", 0, "due")] == 5
    assert tree.line(("action_items", 0, "owner")) == 4  # unwritten: its nearest written ancestor


def test_parse_numbers_lines_from_first_line() -> None:
    tree = parse(DOCUMENT, first_line=2)

    assert tree.lines[("title",)] == 2
    assert tree.lines[("timeline", 0, "at")] == 9


def test_parse_keeps_clock_times_and_dates_as_written() -> None:
    value = parse(DOCUMENT).value

    assert value["started"] == "2024-03-12T14:05:00+00:00"
    assert value["action_items"][0]["due"] == "2024-04-01"
    assert value["timeline"][0]["at"] == "12:30"


def test_parse_still_reads_numbers_and_booleans() -> None:
    assert parse("users: 1200\nlost: 12.5\ncustomer_facing: true\n").value == {
        "users": 1200,
        "lost": 12.5,
        "customer_facing": True,
    }


def test_parse_records_duplicate_keys_with_their_line() -> None:
    tree = parse("title: A\nstatus: draft\ntitle: B\n")

    assert tree.duplicate_keys == [(("title",), 3)]


def test_parse_error_has_the_line_of_the_problem() -> None:
    with pytest.raises(YamlProblem) as caught:
        parse("title: A\nsummary: Oops: a colon\n", first_line=2)

    assert caught.value.line == 3
    assert caught.value.message.startswith("invalid YAML")


def test_parse_stops_alias_bombs() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, n in zip("abcde", "bcdef", strict=True)
    )

    with pytest.raises(YamlProblem, match="document too large"):
        parse(bomb)


# --- kb.sources -------------------------------------------------------------------------


def test_read_source_handles_crlf_and_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"\xef\xbb\xbf---\r\ntitle: Windows\r\nstatus: draft\r\n---\r\n\r\nBody line.\r\n")

    source = read_source(path, "postmortems/a.md")

    assert source.tree.value == {"title": "Windows", "status": "draft"}
    assert source.tree.lines[("status",)] == 3
    assert source.body == "\nBody line.\n"
    assert source.body_line == 5
    assert "\r" not in source.body


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"", "empty file", 1),
        (b"title: X\n", "no front matter", 1),
        (b"---\ntitle: X\n", "front matter is not closed", 1),
        (b"---\ntitle: X\n---\n\xff\n", "not valid UTF-8", 4),
        (b"---\ntitle: X\0\n---\n", "binary file", 1),
    ],
)
def test_read_source_rejects_unreadable_files(tmp_path: Path, data: bytes, message: str, line: int) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(data)

    with pytest.raises(SourceProblem) as caught:
        read_source(path, "a.md")

    assert message in caught.value.message
    assert caught.value.line == line


# --- kb.actions ---------------------------------------------------------------------------

TODAY = date(2026, 6, 30)


@pytest.mark.parametrize(
    ("status", "due", "expected"),
    [
        ("done", date(2020, 1, 1), "done"),
        ("wont-do", date(2020, 1, 1), "wont-do"),
        ("open", date(2026, 6, 29), "overdue"),
        ("in-progress", date(2026, 6, 29), "overdue"),
        ("open", date(2026, 6, 30), "due-soon"),
        ("open", date(2026, 7, 14), "due-soon"),
        ("open", date(2026, 7, 15), "open"),
        ("in-progress", None, "open"),
    ],
)
def test_action_item_state_on_a_fixed_today(status: str, due: date | None, expected: str) -> None:
    item = ActionItem(title="Add an alert", owner="sre", due=due, status=status)

    assert state(item, TODAY, due_soon_days=14) == expected


# --- kb.problems and durations --------------------------------------------------------------


def test_problem_prints_like_a_compiler() -> None:
    problem = Problem("postmortems/a.md", 5, "error", "unknown key 'serverity'", "unknown-key")

    assert str(problem) == "postmortems/a.md:5: error: unknown key 'serverity'"
    assert problem.as_json() == {
        "path": "postmortems/a.md",
        "line": 5,
        "level": "error",
        "message": "unknown key 'serverity'",
        "rule": "unknown-key",
    }


def test_problems_sort_by_file_then_line() -> None:
    problems = [
        Problem("b.md", 1, "error", "x", "schema"),
        Problem("a.md", 10, "error", "x", "schema"),
        Problem("a.md", 2, "warning", "x", "schema"),
    ]

    assert [(p.path, p.line) for p in sorted(problems)] == [("a.md", 2), ("a.md", 10), ("b.md", 1)]


def test_did_you_mean_suggests_only_close_words() -> None:
    assert did_you_mean("serverity", ["severity", "status"]) == "; did you mean 'severity'?"
    assert did_you_mean("colour", ["severity", "status"]) == ""


@pytest.mark.parametrize(
    ("minutes", "shown"),
    [(7, "7 min"), (60, "1 h"), (190, "3 h 10 min"), (24 * 60, "1 d"), (2 * 24 * 60 + 4 * 60 + 5, "2 d 4 h")],
)
def test_durations_are_human(minutes: int, shown: str) -> None:
    assert span(timedelta(minutes=minutes)) == shown
