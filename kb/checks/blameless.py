"""Blameless language: find wording that stops at a person, and suggest a systemic reframe.

The rules, and why they are shaped this way, are in ``docs/blameless.md``. In short:

- **Phrases** (``human error``, ``careless``, ``should have known``, ...) are reported
  wherever they appear in prose: every text field of the front matter and the body.
- **"failed to"** is ordinary technical prose ("the health check failed to connect"),
  so it is reported only when its subject is a person: someone named in the
  postmortem, a personal pronoun, or a role such as "the on-call engineer".
- **A person as the subject of a cause or trigger** ("Alice pushed a bad config") is
  reported when a sentence of ``trigger`` or ``causes[].detail`` names a person of the
  postmortem (``authors``, and action-item owners written as "First Last"), or starts
  with a name-like word, a pronoun or a role followed by an action verb ("pushed",
  "forgot", "deleted", ...).
- **Quoted material is not checked**: lines between ``<!-- kb:quote -->`` and
  ``<!-- /kb:quote -->``, Markdown blockquotes, code blocks, inline code, HTML comments
  and URLs in the body; inline code and URLs in the front matter.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import get_args

from kb.format.model import Postmortem
from kb.format.problems import Problem
from kb.format.schema import Checker, show
from kb.format.settings import BlamelessRule, Settings
from kb.format.yamltree import Location

GUIDE = "docs/blameless.md"
QUOTE_OPEN = "<!-- kb:quote -->"
QUOTE_CLOSE = "<!-- /kb:quote -->"

RULES: tuple[str, ...] = get_args(BlamelessRule)
PERSON_RULE = "person as subject"
FAILED_TO = "failed to"
SHOULD_HAVE = "should have"
FORGOT = "forgot"

_STOPS_AT_PERSON = (
    "stops at a person",
    "describe what made the action easy to take and what did not catch it: "
    "a missing validation, review, test or guard rail",
)
_JUDGES = (
    "judges a person",
    "describe the conditions that made the slip likely: time pressure, a confusing tool, a step with no safeguard",
)
_FAULT = (
    "assigns fault",
    "describe the mechanism instead: which change, which safeguard was missing, and why the system let it through",
)

# rule -> (regex, what is wrong with it, how to reframe it)
_PHRASES: dict[str, tuple[str, tuple[str, str]]] = {
    "human error": (r"human\s+errors?", _STOPS_AT_PERSON),
    "operator error": (r"operator\s+errors?", _STOPS_AT_PERSON),
    "mistake by": (r"mistakes?\s+(?:made\s+)?by", _STOPS_AT_PERSON),
    "careless": (r"careless(?:ly|ness)?", _JUDGES),
    "negligent": (r"negligen(?:t|tly|ce)", _JUDGES),
    "should have known": (
        r"(?:should|ought\s+to)\s*(?:have|'ve)\s+known",
        (
            "is hindsight",
            "describe what the people involved knew at the time, and why the signal that mattered was hard to see",
        ),
    ),
    "was at fault": (r"(?:was|were|is|are|been|being)\s+at\s+fault", _FAULT),
    # \b after the word keeps "blameless" and "blame-free" out.
    "blame": (r"blam(?:e|ed|es|ing|eworthy)", _FAULT),
}
_EXTRA = (
    "is on this library's blameless word list",
    "reframe it around the system: what made the action easy, and what did not catch it",
)
_FAILED = (
    "puts the failure on a person",
    "name the safeguard that did not catch it, e.g. 'no alert fired on queue depth' rather than "
    "'the on-call engineer failed to notice'",
)
_COUNTERFACTUAL = (
    "is hindsight that puts the failure on a person",
    "say what would have caught it and why it did not, e.g. 'staging has no test for this path' rather than "
    "'we should have caught this in staging'",
)
_FORGOT = (
    "puts the failure on a person's memory",
    "name the step that relied on it, e.g. 'the runbook has no step to configure Sentinel' rather than "
    "'Bob forgot to configure Sentinel'",
)
_PERSON = (
    "makes a person the subject of a {field}",
    "describe the change and what let it through, e.g. 'A config change with an invalid regex reached all "
    "edge nodes because the pipeline has no validation'",
)


def _words(pattern: str) -> str:
    """A phrase as a whole word: not inside a longer word, nor a hyphenated compound."""
    return rf"(?<![\w-]){pattern}(?![\w-])"


# People, when they are the subject: pronouns and roles. "They" and "it" are left out:
# in technical prose they are as often replicas or health checks as people.
_PRONOUNS = r"he|she|I|we|you|someone|somebody|nobody|no\s+one|everyone|everybody|anyone|anybody"
_ROLE_NOUNS = (
    r"on-?call(?:\s+(?:engineer|person|responder|sre|developer))?|engineers?|operators?|developers?|devs?|"
    r"reviewers?|approvers?|responders?|admins?|administrators?|sres?|dbas?|humans?|staff|employees?|"
    r"team\s+members?|people|person|(?:[\w-]+[\s-])?team"
)
_ROLES = rf"(?:(?:the|an?|our|their|his|her|one\s+of\s+the)\s+)?(?:{_ROLE_NOUNS})"
_ADVERBS = r"(?:\s+(?:also|then|still|again|simply|repeatedly|initially|never|had|has|have))*"
_FAILED_RE = re.compile(_words(r"fail(?:ed|s)?\s+to"), re.IGNORECASE)
# Counterfactuals about people: "should have caught", "could've noticed". A system that
# "should have expired" is a design statement, so only a person (or no subject at all,
# as in a bullet "should have caught this in staging") is reported.
_SHOULD_HAVE_RE = re.compile(
    _words(
        r"(?:should|could|would)\s*(?:n't|not)?\s*(?:have|'ve)\s+"
        r"(?:caught|noticed|seen|spotted|checked|tested|realized|realised|verified|reviewed|double-checked|"
        r"looked|asked|waited|escalated|paged|remembered|read)"  # "known": the phrase rule has it
    ),
    re.IGNORECASE,
)
# Forgetting, with a person as the subject, anywhere in the prose.
_FORGOT_RE = re.compile(_words(r"(?:forgot|forgets|forgotten|neglected|overlooked)"), re.IGNORECASE)
# The subject opens its clause, or follows a conjunction: "the Postgres operator" is software.
_CLAUSE_OPEN = (
    r"(?:^\s*|(?<![\w'-])(?:and|but|so|then|when|because|as|since|while|although|though|after|until|where|that|"
    r"which|who|if|once)\s+)"
)
_PEOPLE_TAIL = re.compile(rf"{_CLAUSE_OPEN}(?P<subject>{_PRONOUNS}|{_ROLES}){_ADVERBS}\s*$", re.IGNORECASE)

# "<Subject> [accidentally] <verb>" at the start of a sentence of a cause or trigger.
_ACTION_VERBS = (
    r"pushed|merged|approved|typed|clicked|forgot|ignored|missed|skipped|overlooked|neglected|mistyped|misread|"
    r"misconfigured|assumed|decided|chose|edited|committed|deleted|deployed|did\s+not|didn't"
)
_SLIP = r"accidentally|mistakenly|inadvertently|wrongly|incorrectly|carelessly|manually"
_NAME_LIKE = r"[A-Z][a-z]+(?:['-][A-Z]?[a-z]+)?"
# A name-like word opening the clause: "Bob forgot".
_NAME_TAIL = re.compile(rf"{_CLAUSE_OPEN}(?P<subject>{_NAME_LIKE}){_ADVERBS}\s*$")
_SENTENCE_START = re.compile(r"(?:^|(?<=[.!?;:])\s+|\n\s*)(?=\S)")
# Capitalised words that open sentences without being anyone's name.
_COMMON_STARTS = """
a an the this that these those it its we our they their he she i you someone somebody nobody no one each every
all both either neither another any some such then once after before when while during because since if although
though so but and or nothing everything something traffic load demand growth retries deploy deployment automation
pipeline script job cron bot release rollout migration change config
"""
_NOT_NAMES = frozenset(_COMMON_STARTS.split())

# Tried only where a scheme can begin, not inside one: "a.a.a.a..." is then read once.
_URL = re.compile(r"(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
_BACKTICKS = re.compile(r"`+")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BLOCKQUOTE = re.compile(r"^ {0,3}>")


# Findings reported per file: a narrative that repeats a phrase thousands of times is one
# problem to fix, not thousands of lines of output.
MAX_REPORTED = 50
# How far before "failed to" its subject is looked for: a clause's subject and adverbs
# are far shorter, and a bounded look keeps the check linear on any text.
_SUBJECT_WINDOW = 300
_CLAUSE_END = ".!?;:,()\n"


@dataclass(frozen=True)
class Finding:
    """One piece of blameful wording: where it is, what it says, and how to reframe it."""

    loc: Location | None  # a front-matter key, or None for the body
    line: int  # the body's file line; for front matter, 0 (the checker locates ``loc``)
    rule: str  # a built-in rule name, or the configured phrase
    phrase: str  # the text as written
    problem: str
    suggestion: str

    def message(self) -> str:
        where = show(self.loc) if self.loc is not None else "body"
        return f"'{where}': \"{self.phrase}\" {self.problem}; {self.suggestion} (see {GUIDE})"


def check(pm: Postmortem, settings: Settings, checker: Checker) -> None:
    """Report every finding in ``pm`` at the configured level (nothing when ``off``)."""
    if settings.blameless == "off":
        return
    level = settings.blameless
    found = findings(pm, settings)
    for finding in found[:MAX_REPORTED]:
        if finding.loc is None:
            checker.problems.append(Problem(checker.rel, finding.line, level, finding.message(), "blameless"))
        else:
            checker.report(level, finding.loc, finding.message(), "blameless")
    if len(found) > MAX_REPORTED:
        first = found[MAX_REPORTED]
        message = f"{len(found) - MAX_REPORTED} more blameless findings in this file are not shown (see {GUIDE})"
        checker.problems.append(
            Problem(checker.rel, first.line or checker.tree.line(first.loc or ()), level, message, "blameless")
        )
    for line in unclosed_quotes(pm):
        checker.problems.append(
            Problem(
                checker.rel,
                line,
                "warning",
                f"'{QUOTE_OPEN}' is never closed, so the rest of the body is not checked for blameless "
                f"language; add a '{QUOTE_CLOSE}' line after the quote (see {GUIDE})",
                "blameless",
            )
        )


def findings(pm: Postmortem, settings: Settings) -> list[Finding]:
    """Every finding in the front matter's prose and the body, in file order."""
    matcher = _Matcher(pm, settings)
    found: list[Finding] = []
    for loc, text in texts(pm):
        masked = _mask_inline(text)
        for rule, phrase, _start, problem, suggestion in matcher.scan(masked, person_field=_person_field(loc)):
            found.append(Finding(loc, 0, rule, phrase, problem, suggestion))
    masked_body = mask_body(pm.body)
    for rule, phrase, start, problem, suggestion in matcher.scan(masked_body, person_field=None):
        line = pm.body_line + masked_body.count("\n", 0, start)
        found.append(Finding(None, line, rule, phrase, problem, suggestion))
    return found


def texts(pm: Postmortem) -> Iterator[tuple[Location, str]]:
    """The prose of the front matter, each string with its location."""
    for key in ("title", "summary", "trigger"):
        value = getattr(pm, key)
        if value:
            yield (key,), value
    if pm.impact and pm.impact.summary:
        yield ("impact", "summary"), pm.impact.summary
    if pm.detection and pm.detection.detail:
        yield ("detection", "detail"), pm.detection.detail
    for i, cause in enumerate(pm.causes):
        if cause.detail:
            yield ("causes", i, "detail"), cause.detail
    for i, item in enumerate(pm.action_items):
        if item.title:
            yield ("action_items", i, "title"), item.title
        if item.note:
            yield ("action_items", i, "note"), item.note
    for key in ("lessons", "went_well", "went_wrong", "got_lucky"):
        for i, value in enumerate(getattr(pm, key)):
            yield (key, i), value
    for i, entry in enumerate(pm.timeline):
        if entry.event:
            yield ("timeline", i, "event"), entry.event


def _person_field(loc: Location) -> str | None:
    """Fields where a person must not be the subject: what set it off, and why it happened."""
    if loc == ("trigger",):
        return "trigger"
    if len(loc) == 3 and loc[0] == "causes" and loc[2] == "detail":
        return "cause"
    return None


def known_people(pm: Postmortem) -> list[str]:
    """People named in the postmortem: its authors, and owners written like "Priya Raman".

    Each gives its full name and, for a name of several words, its first and last word,
    so "Priya" and "Raman" are found too. Lower-case handles and team names are not names.
    """
    names = [a for a in pm.authors if a[:1].isupper()]
    names += [
        item.owner
        for item in pm.action_items
        if item.owner and " " in item.owner.strip() and all(w[:1].isupper() for w in item.owner.split())
    ]
    people: set[str] = set()
    for name in names:
        words = name.split()
        people.add(" ".join(words))
        if len(words) > 1:
            people.update(w for w in (words[0], words[-1]) if len(w) > 2 and w.lower() not in _NOT_NAMES)
    return sorted(people, key=len, reverse=True)


_LOWER_WORD = re.compile(r"(?<![\w-])[a-z]+(?![\w-])")
_SUBJECT_START = re.compile(
    rf"(?:(?P<role>(?i:{_PRONOUNS}|{_ROLES}))|(?P<name>{_NAME_LIKE}))\s+"
    rf"(?:(?i:{_SLIP})\s+\S+|(?:(?i:also|then|just)\s+)?(?i:{_ACTION_VERBS}))(?![\w-])"
)


@functools.lru_cache(maxsize=32)
def _phrase_pattern(allowed: frozenset[str], extra: tuple[str, ...]) -> tuple[re.Pattern[str] | None, list[tuple]]:
    """One pattern for every phrase rule in force (group ``p<n>`` is rule n), and the rules."""
    rules: list[tuple[str, tuple[str, str]]] = []
    alternatives: list[str] = []
    for rule, (pattern, advice) in _PHRASES.items():
        if rule not in allowed:
            alternatives.append(pattern)
            rules.append((rule, advice))
    for phrase in extra:
        words = phrase.split()
        if words:
            alternatives.append(r"\s+".join(re.escape(w) for w in words))
            rules.append((" ".join(words), _EXTRA))
    if not alternatives:
        return None, rules
    groups = "|".join(f"(?P<p{n}>{pattern})" for n, pattern in enumerate(alternatives))
    return re.compile(_words(f"(?:{groups})"), re.IGNORECASE), rules


# Most text holds none of these; a substring test is far cheaper than the patterns.
_PHRASE_HINTS = ("human", "operator", "mistake", "careless", "negligen", "known", "fault", "blam")


class _Matcher:
    def __init__(self, pm: Postmortem, settings: Settings) -> None:
        allowed = frozenset(settings.blameless_allow)
        self.phrases, self.rules = _phrase_pattern(allowed, tuple(settings.blameless_phrases))
        self.hints = _PHRASE_HINTS + tuple(w.split()[0].lower() for w in settings.blameless_phrases if w.split())
        self.failed_to = FAILED_TO not in allowed
        self.should_have = SHOULD_HAVE not in allowed
        self.forgot = FORGOT not in allowed
        self.person = PERSON_RULE not in allowed
        self.pm = pm
        people = "|".join(re.escape(p) for p in known_people(pm))
        self.people = re.compile(_words(f"(?:{people})")) if people else None
        self.people_tail = re.compile(rf"(?i:{_CLAUSE_OPEN})(?P<subject>{people}){_ADVERBS}\s*$") if people else None

    @functools.cached_property
    def things(self) -> set[str]:
        """Words that are not names in this postmortem.

        Those of its services, teams, tags and causes ("Kafka" when tagged kafka), and any
        word it also writes in lower case ("Deploy" when "deploy" appears elsewhere): a
        person's name is always capitalised.
        """
        pm = self.pm
        words = {
            word
            for value in (*pm.services, *pm.teams, *pm.tags, *pm.cause_keys)
            for word in re.split(r"[^a-z0-9]+", value.lower())
            if word
        }
        for _loc, text in texts(pm):
            words.update(_LOWER_WORD.findall(text))
        words.update(_LOWER_WORD.findall(pm.body))
        return words

    def scan(self, text: str, person_field: str | None) -> Iterator[tuple[str, str, int, str, str]]:
        """(rule, phrase as written, offset, problem, suggestion) for each finding in ``text``."""
        text = text.replace("\u2019", "'")  # typographic apostrophes, as in "should\u2019ve known"
        hits: list[tuple[int, str, str, str, str]] = []
        lower = text.lower()
        if self.phrases is not None and any(hint in lower for hint in self.hints):
            for m in self.phrases.finditer(text):
                rule, (problem, suggestion) = self.rules[int((m.lastgroup or "p0")[1:])]
                hits.append((m.start(), rule, _one_line(m.group()), problem, suggestion))
        if self.failed_to and "fail" in lower:
            for m in _FAILED_RE.finditer(text):
                subject = self.person_subject(text, m.start())
                if subject is not None:
                    start = m.start() - len(subject)
                    hits.append((start, FAILED_TO, _one_line(text[start : m.end()]), *_FAILED))
        if self.should_have and ("'ve" in lower or "have" in lower):
            for m in _SHOULD_HAVE_RE.finditer(text):
                subject = self.person_subject(text, m.start(), elided=True)
                if subject is not None:
                    start = m.start() - len(subject)
                    hits.append((start, SHOULD_HAVE, _one_line(text[start : m.end()]), *_COUNTERFACTUAL))
        if self.forgot and ("forg" in lower or "neglect" in lower or "overlook" in lower):
            for m in _FORGOT_RE.finditer(text):
                subject = self.person_subject(text, m.start(), names=True)
                if subject is not None:
                    start = m.start() - len(subject)
                    hits.append((start, FORGOT, _one_line(text[start : m.end()]), *_FORGOT))
        if self.person and person_field:
            problem, suggestion = _PERSON
            hits += [
                (start, PERSON_RULE, phrase, problem.format(field=person_field), suggestion)
                for start, phrase in self.person_subjects(text)
            ]
        hits.sort()
        seen: set[int] = set()
        for start, rule, phrase, problem, suggestion in hits:
            if start not in seen:  # "Alice failed to" is one finding, not two
                seen.add(start)
                yield rule, phrase, start, problem, suggestion

    def person_subject(self, text: str, end: int, *, elided: bool = False, names: bool = False) -> str | None:
        """The person whose words end ``text[:end]`` (the text up to "failed to", say), or
        ``None`` when the subject is not a person. With ``elided``, a clause with no
        subject at all (a list item, a heading) counts as a person's and gives ""; with
        ``names``, so does a capitalised word that is not one of the postmortem's things."""
        start = max(0, end - _SUBJECT_WINDOW)
        clause = text[start:end]
        cut = max(clause.rfind(c) for c in _CLAUSE_END)
        if cut >= 0:
            clause = clause[cut + 1 :]
        elif start:  # the clause began before the window: its start is not in sight
            clause = "x" + clause
        if m := _PEOPLE_TAIL.search(clause):
            return clause[m.start("subject") :]
        if self.people_tail is not None and (m := self.people_tail.search(clause)) and self.is_person(m["subject"]):
            return clause[m.start("subject") :]
        if names and (m := _NAME_TAIL.search(clause)):
            name = m["subject"].lower()
            if name not in _NOT_NAMES and name not in self.things:
                return clause[m.start("subject") :]
        if elided and not clause.strip(" \t*+->#0123456789"):
            return ""
        return None

    def is_person(self, name: str) -> bool:
        """A full name always is; a first or last name alone only if never written in lower case.

        So an author called Max Power does not turn "Max connections were exhausted" into a finding.
        """
        return " " in name or name.lower() not in self.things

    def person_subjects(self, text: str) -> Iterator[tuple[int, str]]:
        """A person of this postmortem named anywhere, or a person-like subject opening a sentence."""
        named: set[int] = set()
        if self.people is not None:
            for m in self.people.finditer(text):
                if self.is_person(m.group()):
                    named.add(m.start())
                    yield m.start(), m.group()
        # Without trailing blanks, every run of them ends at a word: each is read once.
        for start in (m.end() for m in _SENTENCE_START.finditer(text.rstrip())):
            m = _SUBJECT_START.match(text, start)
            if not m or start in named:
                continue
            name = (m.group("name") or "").lower()
            if name in _NOT_NAMES or name in self.things:
                continue
            yield start, _one_line(m.group())


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _spaces(text: str) -> str:
    """``text`` as spaces, keeping its newlines so offsets and lines stay put."""
    return re.sub(r"[^\n]", " ", text)


def _blank(match: re.Match[str]) -> str:
    return _spaces(match.group())


def _mask_inline(text: str) -> str:
    """Inline code, HTML comments and URLs are not prose."""
    if "<!--" in text:
        text = _blank_spans(text, _comments(text))
    if "`" in text:
        text = _blank_spans(text, _code_spans(text))
    if "://" in text:
        text = _URL.sub(_blank, text)
    return text


def _blank_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with each ``(start, end)`` span blanked as ``_blank`` does."""
    parts, done = [], 0
    for start, end in spans:
        parts += [text[done:start], _spaces(text[start:end])]
        done = end
    return "".join(parts) + text[done:]


def _comments(text: str) -> Iterator[tuple[int, int]]:
    """HTML comments. One left open is text, and so is everything after it: no later
    comment can close either (a pattern that tried each ``<!--`` read to the end each time)."""
    start = text.find("<!--")
    while start != -1:
        end = text.find("-->", start + 4)
        if end == -1:
            return
        yield start, end + 3
        start = text.find("<!--", end + 3)


def _code_spans(text: str) -> Iterator[tuple[int, int]]:
    """Code spans as CommonMark reads them: a run of n backticks up to the next run of
    exactly n. Each run is looked at once, however many are left open."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    later: dict[int, deque[int]] = defaultdict(deque)  # run length -> indexes of such runs, in order
    for i, (start, end) in enumerate(runs):
        later[end - start].append(i)
    i = 0
    while i < len(runs):
        start, end = runs[i]
        closers = later[end - start]
        while closers and closers[0] <= i:
            closers.popleft()
        if closers:
            j = closers.popleft()
            yield start, runs[j][1]
            i = j + 1
        else:
            i += 1


def mask_body(body: str) -> str:
    """The body with everything that is not the author's own prose blanked out.

    Blanked: lines between the quote markers, blockquotes (with their lazy continuation
    lines), fenced code, then inline code, HTML comments and URLs. Lines are kept, so an
    offset in the result is on the same line as in ``body``.
    """
    out: list[str] = []
    quote = blockquote = False
    fence = ""
    for line in body.split("\n"):
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
                fence = ""
            out.append("")
            continue
        if quote:
            quote = stripped != QUOTE_CLOSE
            out.append("")
            continue
        if stripped == QUOTE_OPEN:
            quote = True
            out.append("")
            continue
        if m := _FENCE.match(line):
            fence = m.group(1)
            out.append("")
            continue
        if _BLOCKQUOTE.match(line):
            blockquote = True
        elif not stripped:
            blockquote = False
        out.append("" if blockquote else line)
    return _mask_inline("\n".join(out))


def unclosed_quotes(pm: Postmortem) -> list[int]:
    """File lines of quote markers with no closing marker after them."""
    opened = None
    for n, line in enumerate(pm.body.split("\n")):
        if line.strip() == QUOTE_OPEN and opened is None:
            opened = n
        elif line.strip() == QUOTE_CLOSE:
            opened = None
    return [] if opened is None else [pm.body_line + opened]
