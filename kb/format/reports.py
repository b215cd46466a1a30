"""Problems as the places that review a pull request read them: GitHub Actions workflow
commands, a GitLab Code Quality report, SARIF 2.1.0.

Each report names a problem's file as ``kb lint`` does (relative to the folder of the
configuration), which is the repository's root when ``mkdocs.yml`` is there, as hosts expect.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from kb import __version__
from kb.format.problems import Problem

TOOL = "kb lint"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# Code Quality has five severities; a problem has two levels. An error fails the build
# and keeps a postmortem off the site; a warning asks for a change.
GITLAB_SEVERITY = {"error": "major", "warning": "minor"}


def github(problems: Iterable[Problem]) -> str:
    """One workflow command a line: ``::error file=F,line=L,title=T::message``, which GitHub
    Actions shows as an annotation on that line of the pull request's diff."""
    return "".join(
        f"::{p.level} file={_property(p.path)},line={p.line},title={_property(f'{TOOL}: {p.rule}')}"
        f"::{_data(p.message)}\n"
        for p in problems
    )


def _data(text: str) -> str:
    # As GitHub's own toolkit escapes a command's message: a line break would end the command.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    # A property's value ends at "," and the properties at "::".
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def fingerprints(problems: Sequence[Problem]) -> list[str]:
    """For each problem, a digest of its rule, file and message (and which of several alike
    it is), not its line: it stays the same from run to run, and when lines above it are
    added or removed, so a merge request's report tells new problems from old ones."""
    seen: Counter[tuple[str, str, str]] = Counter()
    found = []
    for p in problems:
        same = (p.rule, p.path, p.message)
        seen[same] += 1
        found.append(hashlib.blake2b(repr((*same, seen[same])).encode(), digest_size=16).hexdigest())
    return found


def gitlab(problems: Sequence[Problem]) -> str:
    """A GitLab Code Quality report: a JSON list, one entry a problem."""
    report = [
        {
            "description": p.message,
            "check_name": p.rule,
            "fingerprint": fingerprint,
            "severity": GITLAB_SEVERITY[p.level],
            "location": {"path": p.path, "lines": {"begin": p.line}},
        }
        for p, fingerprint in zip(problems, fingerprints(problems), strict=True)
    ]
    return json.dumps(report, indent=2, ensure_ascii=False)


def sarif(problems: Sequence[Problem]) -> str:
    """A SARIF 2.1.0 log of one run: the rules are those of the problems found."""
    rules = sorted({p.rule for p in problems})
    index = {rule: i for i, rule in enumerate(rules)}
    results = [
        {
            "ruleId": p.rule,
            "ruleIndex": index[p.rule],
            "level": p.level,
            "message": {"text": p.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": quote(p.path), "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": p.line},
                    }
                }
            ],
            "partialFingerprints": {"kbProblem/v1": fingerprint},
        }
        for p, fingerprint in zip(problems, fingerprints(problems), strict=True)
    ]
    driver = {"name": TOOL, "version": __version__, "rules": [{"id": rule} for rule in rules]}
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{"tool": {"driver": driver}, "results": results}]}
    return json.dumps(log, indent=2, ensure_ascii=False)
