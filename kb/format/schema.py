"""The schema machinery: typed dataclasses declare a format once, everything else derives.

A record type (``Postmortem``, ``ActionItem``, ``Settings``...) is a frozen dataclass
whose fields are declared with :func:`spec`: a type hint, a one-line meaning, when the
key is required, and its default. From that single declaration this module derives

- validation of parsed YAML, with a located message per problem (:func:`check`),
- a JSON Schema for editors (:func:`json_schema`),
- the field tables in the docs (:func:`field_rows`).

Nothing else in the project lists the keys of the format.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any, Literal, NewType, Protocol

from kb.format.characters import BIDI, FORBIDDEN, bidi_message, forbidden_message
from kb.format.problems import Level, Problem, did_you_mean
from kb.format.yamltree import Location, Tree

Slug = NewType("Slug", str)
"""Lower-case letters, digits and dashes: safe in a URL and a file name."""
Severity = NewType("Severity", str)
"""A key of the configured severity scale."""
Url = NewType("Url", str)

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,79}$"
_SLUG = re.compile(SLUG_PATTERN)
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# The longest front matter value: more is a narrative, and every list page that shows the
# value (the explorer, the board, the feed) would carry it.
MAX_TEXT = 20_000
# The years a date may fall in: outside them, dates are typos (0202 for 2020), and the
# charts would span thousands of empty months, or fail (a year 1 moved to UTC).
YEARS = range(1970, 2200)
# The longest list: each service or team named is a page to build, so one file must not
# be able to add thousands of pages; and the lessons page's rows file repeats a postmortem's
# services in each of its lessons' filters (benchmarks/hostile.py measures a file at the limit).
MAX_ITEMS = 200


# --- when a key is required -------------------------------------------------------


@dataclass(frozen=True)
class Required:
    """A key is required when ``key``'s value is in ``values`` (or not in, if ``unless``).

    A ``relaxable`` requirement is one a record can be exempted from: in a record read
    under a ``relaxed_by`` key (see :class:`Record`), missing it is a warning, not an
    error. Only records within such a record should declare one: elsewhere the JSON
    Schema would not state it.
    """

    label: str
    key: str | None = None
    values: frozenset[str] = frozenset()
    unless: bool = False
    relaxable: bool = False

    def applies(self, record: Mapping[str, object]) -> bool:
        if self.key is None:
            return self.label == "always"
        return (record.get(self.key) in self.values) != self.unless


ALWAYS = Required("always")
NEVER = Required("no")


def when(key: str, *values: str, label: str | None = None, relaxable: bool = False) -> Required:
    return Required(label or f"when {key} is {' or '.join(values)}", key, frozenset(values), relaxable=relaxable)


def unless(key: str, *values: str, label: str | None = None, relaxable: bool = False) -> Required:
    label = label or f"unless {key} is {' or '.join(values)}"
    return Required(label, key, frozenset(values), unless=True, relaxable=relaxable)


def spec(
    doc: str, *, required: Required = NEVER, default: Any = None, key: str | None = None, rest: bool = False
) -> Any:
    """Declare one key of a record: its meaning, when it is required, its default.

    ``key`` is the key as written, when it cannot be the attribute's name (``from`` is a
    Python keyword). A ``rest`` attribute, a ``dict``, is no key: it holds the keys the
    record does not declare, which it then accepts instead of reporting them unknown.
    """
    extra = {"doc": doc, "required": required, "key": key, "rest": rest}
    if isinstance(default, list | dict):
        return dataclasses.field(default_factory=lambda: type(default)(default), metadata=extra)
    return dataclasses.field(default=default, metadata=extra)


# --- checking values ----------------------------------------------------------------


class Invalid:
    """Marks a value that could not be converted; its problem is already reported."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID = Invalid()


@dataclass
class Checker:
    """Collects problems for one file while values are converted."""

    rel: str
    tree: Tree
    severities: Sequence[str]
    timezone: tzinfo
    timezone_name: str
    problems: list[Problem] = dataclasses.field(default_factory=list)
    # Set once a record is read under its ``relaxed_by`` key: the hint a relaxable
    # requirement's warning ends with.
    lenient: str | None = None

    # ``rule``: the check's name (``Problem.rule``); the schema's own, unless a check says.
    def report(self, level: Level, loc: Location, message: str, rule: str = "schema") -> None:
        self.problems.append(Problem(self.rel, self.tree.line(loc), level, message, rule))

    def error(self, loc: Location, message: str, rule: str = "schema") -> Invalid:
        self.report("error", loc, message, rule)
        return INVALID

    def missing(self, loc: Location, message: str, *, relaxable: bool, rule: str = "required") -> None:
        """A required value is missing: an error, but a warning with a hint when the
        requirement is ``relaxable`` and the record is read leniently. Every check of a
        requirement reports through here, so which ones a record may miss is decided once."""
        if relaxable and self.lenient:
            self.report("warning", loc, f"{message} {self.lenient}", rule)
        else:
            self.error(loc, message, rule)


def show(loc: Location) -> str:
    """``("action_items", 1, "due")`` -> ``action_items[1].due`` (indexes from 0 as in YAML tools)."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "front matter"


class Kind(Protocol):
    label: str

    def convert(self, value: object, loc: Location, checker: Checker) -> Any: ...

    def json_schema(self, severities: Sequence[str]) -> dict[str, Any]: ...


def _wrong_type(loc: Location, value: object, expected: str, checker: Checker) -> Invalid:
    return checker.error(loc, f"'{show(loc)}' must be {expected}, not {_describe(value)}")


def _describe(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    return f"{value!r}"


@dataclass(frozen=True)
class Text:
    label: str = "string"

    def convert(self, value: object, loc: Location, checker: Checker) -> Any:
        # A title of 404 or a tag of 2024 is text to the writer, not a number.
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            return _wrong_type(loc, value, "a string", checker)
        text = str(value)
        if len(text) > MAX_TEXT:
            long = f"'{show(loc)}' is {len(text):,} characters long, more than {MAX_TEXT:,}"
            return checker.error(loc, f"{long}: shorten it (a postmortem's longer prose belongs in its body)")
        if bad := FORBIDDEN.search(text):
            return checker.error(loc, f"'{show(loc)}': {forbidden_message(bad[0])}")
        if bidi := BIDI.search(text):
            checker.report("warning", loc, f"'{show(loc)}': {bidi_message(bidi[0])}")
        return text

    def json_schema(self, severities: Sequence[str]) -> dict[str, Any]:
        return {"type": "string", "maxLength": MAX_TEXT}


@dataclass(frozen=True)
class SlugKind:
    label: str = "slug"

    def convert(self, value: object, loc: Location, checker: Checker) -> Any:
        text = Text().convert(value, loc, checker)
        if text is INVALID:
            return text
        if not _SLUG.match(text):
            return checker.error(
                loc,
                f"'{show(loc)}': unsafe id {text!r}: use 1 to 80 lower-case letters, digits "
                "and dashes, starting with a letter or digit",
            )
        return text

    def json_schema(self, severities: Sequence[str]) -> dict[str, Any]:
        return {"type": "string", "pattern": SLUG_PATTERN}


@dataclass(frozen=True)
class Choice:
    """One of a fixed list, or (``values`` empty) of the configured severity scale."""

    values: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return " | ".join(f"`{v}`" for v in self.values) if self.values else "severity"

    def convert(self, value: object, loc: Location, checker: Checker) -> Any:
        allowed = self.values or tuple(checker.severities)
        if value in allowed:
            return value
        return checker.error(
            loc,
            f"'{show(loc)}': {_describe(value)} is not one of {', '.join(allowed)}" + did_you_mean(value, allowed),
        )

    def json_schema(self, severities: Sequence[str]) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.values or severities)}


def _implausible(loc: Location, value: object, checker: Checker) -> Invalid:
    years = f"{YEARS[0]} to {YEARS[-1]}"
    return checker.error(loc, f"'{show(loc)}': {value!s} is not a plausible date: its year must be {years}")


def parse_datetime(value: object, checker: Checker, loc: Location) -> Any:
    """An ISO 8601 datetime; one without an offset is read in the configured timezone."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and len(value) > 10:  # a bare date has no time of day
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as exc:
            return checker.error(loc, f"'{show(loc)}': {value!r} is not a valid datetime ({exc})")
    else:
        return _wrong_type(loc, value, "a datetime like 2024-03-12T14:05:00+00:00", checker)
    if moment.year not in YEARS:  # checked first: a year 1 or 9999 may not move to another zone
        return _implausible(loc, value, checker)
    if moment.tzinfo is None:
        checker.report(
            "warning",
            loc,
            f"'{show(loc)}': {value!s} has no UTC offset; read as {checker.timezone_name}. "
            "Add one, e.g. +00:00, so readers in other zones see the same moment",
        )
        moment = moment.replace(tzinfo=checker.timezone)
    return moment if moment.astimezone(UTC).year in YEARS else _implausible(loc, value, checker)


@dataclass(frozen=True)
class DateTimeKind:
    label: str = "datetime"

    def convert(self, value: object, loc: Location, checker: Checker) -> Any:
        return parse_datetime(value, checker, loc)

    def json_schema(self, severities: Sequence[str]) -> dict[str, Any]:
        return {"type": "string", "format": "date-time"}


@dataclass(frozen=True)
class ClockKind:
    """A datetime, or ``"HH:MM"`` on the day the incident started (resolved later)."""

    label: str = 'datetime or "HH:MM"'

    def convert(self, value: object, loc: Location, checker: Checker) -> Any:
        if isinstance(value, str) and _CLOCK.match(value):
            return time.fromisoformat(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return _wrong_type(loc, value, 'a datetime or "HH:MM" in quotes', checker)
        return parse_datetime(value, checker, loc)

    def json_schema(self, severities: Sequence[str]) -> dict[str, Any]:
        return {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "pattern": _CLOCK.pattern}]}


@dataclass(frozen=True)
class DateKind:
    label: str = "date"

    def convert(self, value: object, loc: Location, checker: Checker) -> Any:
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                return checker.error(loc, f"'{show(loc)}': {value!r} is not a valid date (YYYY-MM-DD)")
        if not isinstance(value, date) or isinstance(value, datetime):
            return _wrong_type(loc, value, "a date like 2024-03-12", checker)
        return value if value.year in YEARS else _implausible(loc, value, checker)

    def json_schema(self, severities: Sequence[str]) -> dict[str, Any]:
        return {"type": "string", "format": "date"}


@dataclass(frozen=True)
class Scalar:
    """``bool``, ``int`` (never negative: these are counts) or ``float``."""

    python: type

    @property
    def label(self) -> str:
        return {bool: "boolean", int: "integer", float: "number"}[self.python]

    def convert(self, value: object, loc: Location, checker: Checker) -> Any:
        accepted = (int, float) if self.python is float else (self.python,)
        if isinstance(value, bool) != (self.python is bool) or not isinstance(value, accepted):
            return _wrong_type(loc, value, f"a{'n' if self.label[0] == 'i' else ''} {self.label}", checker)
        if self.python is not bool and value < 0:
            return checker.error(loc, f"'{show(loc)}' cannot be negative, got {value}")
        return value

    def json_schema(self, severities: Sequence[str]) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": self.label}
        if self.python is not bool:
            schema["minimum"] = 0
        return schema


@dataclass(frozen=True)
class ListOf:
    item: Kind

    @property
    def label(self) -> str:
        return f"list of {self.item.label}s" if self.item.label.isalpha() else f"list of {self.item.label}"

    def convert(self, value: object, loc: Location, checker: Checker) -> Any:
        if not isinstance(value, list):
            return _wrong_type(loc, value, "a list", checker)
        if len(value) > MAX_ITEMS:
            many = f"'{show(loc)}' has {len(value):,} items, more than {MAX_ITEMS:,}"
            return checker.error(loc, f"{many}: keep those a reader needs, and say the rest in the body")
        items = [self.item.convert(v, (*loc, i), checker) for i, v in enumerate(value)]
        return [v for v in items if v is not INVALID]

    def json_schema(self, severities: Sequence[str]) -> dict[str, Any]:
        return {"type": "array", "items": self.item.json_schema(severities), "maxItems": MAX_ITEMS}


@dataclass(frozen=True)
class MapOf:
    """A mapping from free keys (e.g. severities) to values of one kind."""

    value: Kind

    @property
    def label(self) -> str:
        return f"mapping of {self.value.label}s" if self.value.label.isalpha() else f"mapping to {self.value.label}"

    def convert(self, value: object, loc: Location, checker: Checker) -> Any:
        if not isinstance(value, dict):
            return _wrong_type(loc, value, "a mapping", checker)
        converted = {str(k): self.value.convert(v, (*loc, str(k)), checker) for k, v in value.items()}
        return {k: v for k, v in converted.items() if v is not INVALID}

    def json_schema(self, severities: Sequence[str]) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": self.value.json_schema(severities)}


@dataclass(frozen=True)
class AnyValue:
    """Whatever YAML holds: text (checked as any text is), numbers, booleans, nothing, and
    lists and mappings of those; for what is kept as written without a meaning here."""

    label: str = "any value"

    def convert(self, value: object, loc: Location, checker: Checker) -> Any:
        if value is None or isinstance(value, bool | int):
            return value
        if isinstance(value, float):
            # No JSON for infinities and NaN: the API could not carry them.
            return value if math.isfinite(value) else _wrong_type(loc, value, "a finite number", checker)
        if isinstance(value, str):
            return Text().convert(value, loc, checker)
        if isinstance(value, list):
            return ListOf(self).convert(value, loc, checker)
        if isinstance(value, dict):
            return MapOf(self).convert(value, loc, checker)
        return _wrong_type(loc, value, "text, a number, a boolean, a list or a mapping", checker)

    def json_schema(self, severities: Sequence[str]) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class Field:
    name: str  # the key, as written
    attr: str  # the attribute that holds its value: the key, unless ``spec`` says otherwise
    kind: Kind
    doc: str
    required: Required
    default: Any


@dataclass(frozen=True)
class Record:
    """A mapping with known keys, built into the dataclass ``cls``.

    ``cls`` may say, in class variables, that a plain value stands for one of its keys
    (``shorthand``), and that when a key of it is written (``relaxed_by``), the relaxable
    requirements within it (its own and its nested records') are warnings.
    """

    cls: type

    @property
    def label(self) -> str:
        return "mapping"

    @property
    def fields(self) -> dict[str, Field]:
        return fields_of(self.cls)

    @property
    def rest(self) -> Field | None:
        return rest_of(self.cls)

    @property
    def shorthand(self) -> str | None:
        return getattr(self.cls, "shorthand", None)

    @property
    def relaxed_by(self) -> str | None:
        return getattr(self.cls, "relaxed_by", None)

    def convert(self, value: object, loc: Location, checker: Checker) -> Any:
        if self.shorthand and isinstance(value, str | int | float) and not isinstance(value, bool):
            value = {self.shorthand: value}
        if not isinstance(value, dict):
            return _wrong_type(loc, value, "a mapping", checker)
        if self.relaxed_by and isinstance(value.get(self.relaxed_by), dict):
            checker.lenient = f"({self.relaxed_by}: complete it by hand)"
        fields, rest = self.fields, self.rest
        out: dict[str, Any] = {}
        others: dict[str, object] = {}
        for key, raw in value.items():
            if key not in fields:
                if rest:
                    others[key] = raw
                else:
                    checker.error(
                        (*loc, key), f"unknown key '{show((*loc, key))}'" + did_you_mean(key, fields), "unknown-key"
                    )
            elif not _unwritten(raw):  # "detected:" with nothing after it means "not known yet"
                converted = fields[key].kind.convert(raw, (*loc, key), checker)
                if converted is not INVALID:
                    out[fields[key].attr] = converted
        if rest and others:
            out[rest.attr] = rest.kind.convert(others, loc, checker)
        effective = {name: out.get(f.attr, f.default) for name, f in fields.items()}
        for name, f in fields.items():
            if not f.required.applies(effective):
                continue
            reason = "" if f.required is ALWAYS else f" ({f.required.label})"
            relaxable = f.required.relaxable
            if value.get(name) is None:
                where = show(loc) if loc else "front matter"
                # Where any key is accepted, a misspelt one is kept as another key, silently.
                typo = difflib.get_close_matches(name, list(others), n=1, cutoff=0.6)
                reason += f" (is '{typo[0]}' a typo for it?)" if typo else ""
                checker.missing(loc, f"{where}: missing required key '{name}'{reason}", relaxable=relaxable)
            elif _unwritten(value[name]) or value[name] == []:
                # A postmortem with an empty title has nothing to be listed by, one with no author nobody to ask.
                message = f"'{show((*loc, name))}' is empty{reason}; it is required"
                checker.missing((*loc, name), message, relaxable=relaxable)
        # Built even when some values were rejected, so later checks (times, cause keys)
        # still run and the writer sees every problem in one pass; the checker's errors
        # decide whether the record is used.
        return self.cls(**out)

    def json_schema(self, severities: Sequence[str]) -> dict[str, Any]:
        fields, rest = self.fields.values(), self.rest
        others: dict[str, Any] | bool = False
        if rest:
            assert isinstance(rest.kind, MapOf)
            others = {"description": rest.doc, **rest.kind.value.json_schema(severities)}
        schema: dict[str, Any] = {
            "type": "object",
            "additionalProperties": others,
            "properties": {f.name: {"description": f.doc, **f.kind.json_schema(severities)} for f in fields},
        }
        always = [f.name for f in fields if f.required is ALWAYS]
        if always:
            schema["required"] = always
        conditions = _conditional_requirements(fields, relaxable=False)
        if self.relaxed_by and (relaxable := _relaxable_requirements(self)):
            # Unless the relaxing key is written, the relaxable requirements hold here and
            # in every record within: those records' own schemas leave them out.
            conditions.append({"if": {"required": [self.relaxed_by]}, "else": relaxable})
        if conditions:
            schema["allOf"] = conditions
        if self.shorthand:
            short = self.fields[self.shorthand]
            return {"anyOf": [short.kind.json_schema(severities), schema]}
        return schema


def _relaxable_requirements(kind: Kind) -> dict[str, Any]:
    """A schema of the relaxable requirements in values of ``kind``, nested records' too
    (at their place: ``properties``, ``items``); empty if there are none."""
    if isinstance(kind, ListOf):
        items = _relaxable_requirements(kind.item)
        return {"items": items} if items else {}
    if isinstance(kind, MapOf):
        values = _relaxable_requirements(kind.value)
        return {"additionalProperties": values} if values else {}
    if not isinstance(kind, Record):
        return {}
    schema: dict[str, Any] = {}
    if own := _conditional_requirements(kind.fields.values(), relaxable=True):
        schema["allOf"] = own
    if nested := {name: n for name, f in kind.fields.items() if (n := _relaxable_requirements(f.kind))}:
        schema["properties"] = nested
    return schema


def _unwritten(raw: object) -> bool:
    """Nothing, or only blanks: as if the key were not written."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _conditional_requirements(fields: typing.Iterable[Field], *, relaxable: bool) -> list[dict[str, Any]]:
    """``if``/``then`` clauses for keys required only in some states: the relaxable
    requirements, or the others."""
    fields = list(fields)
    defaults = {f.name: f.default for f in fields}
    groups: dict[Required, list[str]] = {}
    for f in fields:
        if f.required.key is not None and f.required.relaxable == relaxable:
            groups.setdefault(f.required, []).append(f.name)
    clauses = []
    for req, names in groups.items():
        assert req.key is not None
        # "if" holds when the key's value, or its default when absent, is in the values.
        condition: dict[str, Any] = {"properties": {req.key: {"enum": sorted(req.values)}}}
        if defaults.get(req.key) not in req.values:
            condition["required"] = [req.key]
        clauses.append({"if": condition, ("else" if req.unless else "then"): {"required": names}})
    return clauses


# --- deriving kinds from type hints ---------------------------------------------------

_NEWTYPES: dict[object, Callable[[], Kind]] = {
    Slug: SlugKind,
    Severity: Choice,
    Url: lambda: Text(label="URL or issue key"),
}
_PLAIN: dict[object, Callable[[], Kind]] = {
    str: Text,
    datetime: DateTimeKind,
    date: DateKind,
    bool: lambda: Scalar(bool),
    int: lambda: Scalar(int),
    float: lambda: Scalar(float),
    object: AnyValue,
}


def kind_of(hint: Any) -> Kind:
    """The kind that checks values of a type hint."""
    if hint in _NEWTYPES:
        return _NEWTYPES[hint]()
    if hint in _PLAIN:
        return _PLAIN[hint]()
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if set(rest) == {datetime, time}:
            return ClockKind()
        if len(rest) == 1:
            return kind_of(rest[0])
    if origin is Literal:
        return Choice(tuple(args))
    if origin is list:
        return ListOf(kind_of(args[0]))
    if origin is dict:
        return MapOf(kind_of(args[1]))
    if dataclasses.is_dataclass(hint):
        return Record(hint)
    raise TypeError(f"no schema kind for {hint!r}")


_FIELDS: dict[type, tuple[dict[str, Field], Field | None]] = {}


def _declared(cls: type) -> tuple[dict[str, Field], Field | None]:
    if cls not in _FIELDS:
        hints = typing.get_type_hints(cls)
        declared = [
            (
                f.metadata["rest"],
                Field(
                    f.metadata["key"] or f.name,
                    f.name,
                    kind_of(hints[f.name]),
                    f.metadata["doc"],
                    f.metadata["required"],
                    f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default,
                ),
            )
            for f in dataclasses.fields(cls)
            if "doc" in f.metadata
        ]
        rests = [f for rest, f in declared if rest]
        if len(rests) > 1 or any(not isinstance(f.kind, MapOf) for f in rests):
            raise TypeError(f"{cls.__name__}: at most one rest attribute, a dict")
        _FIELDS[cls] = ({f.name: f for rest, f in declared if not rest}, rests[0] if rests else None)
    return _FIELDS[cls]


def fields_of(cls: type) -> dict[str, Field]:
    """The declared keys of a record type, as written, in declaration order."""
    return _declared(cls)[0]


def rest_of(cls: type) -> Field | None:
    """The attribute that holds a record's undeclared keys, if it accepts them."""
    return _declared(cls)[1]


def written(record: object) -> dict[str, Any]:
    """A record's values under their keys as written, its undeclared keys among them."""
    cls = type(record)
    values = {name: getattr(record, f.attr) for name, f in fields_of(cls).items()}
    if rest := rest_of(cls):  # never in place of a declared key
        values.update((key, value) for key, value in getattr(record, rest.attr).items() if key not in values)
    return values


# --- the three derivations -----------------------------------------------------------


def check(cls: type, value: object, checker: Checker, loc: Location = ()) -> Any:
    """Convert parsed YAML into ``cls``; problems go to ``checker``.

    Returns ``INVALID`` only when ``value`` is not a mapping at all; otherwise a record
    built from the values that passed, which is usable only if ``checker`` holds no error.
    """
    return Record(cls).convert(value, loc, checker)


def json_schema(cls: type, title: str, severities: Sequence[str]) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        **Record(cls).json_schema(severities),
    }


@dataclass(frozen=True)
class Row:
    key: str
    type: str
    required: str
    default: str
    doc: str


def field_rows(cls: type, prefix: str = "", relaxed_by: str | None = None) -> list[Row]:
    """One row per key, nested records flattened as ``impact.summary``; ``relaxed_by``:
    the key that makes relaxable requirements warnings, where ``cls`` is read."""
    rows = []
    for f in fields_of(cls).values():
        default = "" if f.default in (None, [], {}) else f"`{f.default}`"
        required = f.required.label
        if f.required.relaxable and relaxed_by:
            required += f" (a warning when `{relaxed_by}` is written)"
        rows.append(Row(prefix + f.name, f.kind.label, required, default, f.doc))
    if rest := rest_of(cls):
        assert isinstance(rest.kind, MapOf)
        rows.append(Row(prefix + "<other key>", rest.kind.value.label, NEVER.label, "", rest.doc))
    return rows
