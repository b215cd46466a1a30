"""YAML with line numbers: every key and list item remembers where it was written.

PyYAML's ``safe_load`` forgets positions, and a message without a line is of little
use in a pull request. We compose the node graph (which keeps marks) and build plain
Python values from it, recording the line of every mapping key and list item under
its path, e.g. ``("action_items", 2, "due")``.

Scalars are kept as written where YAML 1.1 would guess badly: ``12:30`` would become
the integer 750 and ``2024-03-12`` a date, so timestamps and sexagesimal numbers stay
strings and the schema decides what they mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Location = tuple[str | int, ...]

# A document may hold at most this many values, and this much text in its keys and values,
# once aliases are expanded: enough for any real front matter, and a hard stop for
# "billion laughs" alias bombs, which can also repeat one long string into every page that
# shows it (benchmarks/hostile.py).
MAX_VALUES = 20_000
MAX_CHARS = 100_000

_KEEP_AS_TEXT = {"tag:yaml.org,2002:timestamp"}
_STR = "tag:yaml.org,2002:str"


class YamlProblem(Exception):
    """The text is not YAML we can read; ``line`` is 1-based within the text."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Tree:
    """A parsed document: its value and the line of every location in it."""

    value: object
    lines: dict[Location, int] = field(default_factory=dict)
    duplicate_keys: list[tuple[Location, int]] = field(default_factory=list)

    def line(self, loc: Location) -> int:
        """The line of ``loc``, or of its nearest written ancestor."""
        while loc not in self.lines and loc:
            loc = loc[:-1]
        return self.lines.get(loc, 1)


def parse(text: str, first_line: int = 1, max_values: int = MAX_VALUES, max_chars: int = MAX_CHARS) -> Tree:
    """Parse one YAML document; lines are numbered from ``first_line``."""
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line if mark else 0) + first_line
        message = f"invalid YAML: {exc.problem or exc}"
        if exc.context and exc.context_mark and exc.context_mark.line + first_line != line:
            # e.g. an unclosed [ list: the trouble shows later, the cause is where it began
            message += f" ({exc.context} on line {exc.context_mark.line + first_line})"
        raise YamlProblem(message, line) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"invalid YAML: {exc}", first_line) from None
    except RecursionError:  # thousands of nested [[[ or {{{
        raise YamlProblem("invalid YAML: nested too deeply", first_line) from None
    tree = Tree(value=None)
    if node is not None:
        builder = _Builder(tree, first_line, max_values, max_chars)
        try:
            tree.value = builder.build(node, ())
        except RecursionError:
            raise YamlProblem("YAML nested too deeply", first_line) from None
    return tree


class _Builder:
    def __init__(self, tree: Tree, first_line: int, max_values: int, max_chars: int) -> None:
        self.tree = tree
        self.offset = first_line
        self.max_values = max_values
        self.max_chars = max_chars
        self.nodes = 0
        self.chars = 0
        self.constructor = SafeConstructor()

    def line_of(self, node: yaml.Node) -> int:
        return node.start_mark.line + self.offset

    def build(self, node: yaml.Node, loc: Location) -> object:
        self.nodes += 1
        if self.nodes > self.max_values:
            raise YamlProblem(
                f"document too large: more than {self.max_values:,} values once aliases are expanded, "
                "the limit for this file",
                self.line_of(node),
            )
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.tree.lines[(*loc, index)] = self.line_of(item)
                items.append(self.build(item, (*loc, index)))
            return items
        return self.scalar(self.counted(node))

    def counted(self, node: yaml.ScalarNode) -> yaml.ScalarNode:
        """``node``, its text added to the document's (a key's too: an alias can repeat it)."""
        self.chars += len(node.value)
        if self.chars > self.max_chars:
            raise YamlProblem(
                f"document too large: its keys and values hold more than {self.max_chars:,} characters once "
                "aliases are expanded, the limit for this file",
                self.line_of(node),
            )
        return node

    def mapping(self, node: yaml.MappingNode, loc: Location) -> dict[object, object]:
        result: dict[object, object] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem("merge keys ('<<') are not supported", self.line_of(key_node))
            key = self.scalar(self.counted(key_node)) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str | int | float | bool):
                raise YamlProblem("keys must be plain text", self.line_of(key_node))
            key = str(key)
            if key in result:
                self.tree.duplicate_keys.append(((*loc, key), self.line_of(key_node)))
            self.tree.lines[(*loc, key)] = self.line_of(key_node)
            result[key] = self.build(value_node, (*loc, key))
        return result

    def scalar(self, node: yaml.ScalarNode) -> object:
        # Most values are plain strings: taken as they are, without the constructor's
        # generic dispatch, which costs more than the rest of reading them.
        if node.tag == _STR or node.tag in _KEEP_AS_TEXT or (node.tag == "tag:yaml.org,2002:int" and ":" in node.value):
            return node.value
        try:
            return self.constructor.construct_object(node)
        except ConstructorError as exc:
            raise YamlProblem(f"unsupported YAML value: {exc.problem}", self.line_of(node)) from None
