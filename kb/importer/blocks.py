"""What a section's body holds, read for a field: its paragraphs as prose, its list items
as entries, and bullets that only label a section (``- **Key events**``) as sections.
"""

from __future__ import annotations

import re

from kb.importer.document import Item, Section, list_items, plain, tables
from kb.importer.sections import SectionNames, normalise

_LABEL_ONLY = re.compile(r"^(\*\*|__)(?P<label>[^*_]+?):?\1:?\s*$")


def labelled_lists(sections: list[Section], names: SectionNames) -> list[Section]:
    """``sections``, with a list item that is only a bold label naming a section, and has
    items nested under it (``- **Key events**`` and its entries), made a subsection of
    its own: what a heading would have been. Its lines stay as written."""
    result: list[Section] = []
    for section in sections:
        if section.level and names.target(section.heading):
            result.append(section)
            continue
        start = section.heading_lines
        labelled = [
            item
            for item in list_items(section.lines[start:])
            if not item.ordered
            and item.children
            and (label := _LABEL_ONLY.match(item.text))
            and normalise(label["label"]) in names.names  # exactly a section's name, not its first words
        ]
        done = 0
        for item in labelled:
            first, last = start + item.line, start + item.last
            result.append(
                Section(section.heading, section.level, section.lines[done:first], section.start + done)
                if done == 0
                else Section("", 0, section.lines[done:first], section.start + done)
            )
            heading = _LABEL_ONLY.match(item.text)["label"]  # type: ignore[index]
            result.append(
                Section(
                    heading.strip(), min(section.level + 1, 6), section.lines[first : last + 1], section.start + first
                )
            )
            done = last + 1
        result.append(section if not labelled else Section("", 0, section.lines[done:], section.start + done))
    return result


def prose(body: list[str]) -> str | None:
    """A section body's paragraphs as text, when it holds nothing else (no list, table,
    quote, code or HTML): only then can a field take the section's place."""
    structured = (
        bool(tables(body))
        or bool(list_items(body))
        or any(line.lstrip().startswith(("```", "~~~", ">", "<")) or line.startswith("    ") for line in body)
    )
    paragraphs, current = [], []
    for line in [*body, ""]:
        if line.strip():
            current.append(plain(line))
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if not paragraphs or structured:
        return None
    return "\n\n".join(paragraphs)


def entries(body: list[str]) -> list[str]:
    """A lessons-like section body as entries: its list items (nested ones joined), or its
    paragraphs; nothing when it holds anything else."""
    if tables(body) or any(line.lstrip().startswith(("```", "~~~", "<")) for line in body):
        return []
    items = list_items(body)
    covered = {n for item in items for n in range(item.line, item.last + 1)}
    loose = [line for n, line in enumerate(body) if line.strip() and n not in covered]
    if items and not loose:
        return [plain(_flat(item)) for item in items]
    if not items:
        return [p for p in (prose(body) or "").split("\n\n") if p]
    return []


def _flat(item: Item) -> str:
    """A list item's words with those of the lines and items nested under it."""
    return " ".join([item.text, *item.nested, *(_flat(child) for child in item.children)])
