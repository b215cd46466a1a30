"""The site's search index holds the words of every structured section, for the audience only."""

from __future__ import annotations

import json

from support import MKDOCS_YML, VALID_POSTMORTEM, Build, WriteProject

PUBLIC = VALID_POSTMORTEM.replace("status: published", "status: published\nvisibility: public").replace(
    "Document pool sizing", "Document pool sizing in the zanzibar runbook"
)
INTERNAL = (
    VALID_POSTMORTEM.replace("Checkout database pool exhausted", "Quokka ledger drift")
    .replace("2024-03-12", "2024-04-02")
    .replace("Alert on pool saturation", "Alert on quokka ledger drift")
    .replace("Stage pool config rollouts", "Stage wombat rollouts")
    .replace("Document pool sizing", "Document the quokka ledger")
    .replace("Rewrite the ORM", "Rewrite the wombat ORM")
    .replace("The pool change reached", "The quokka change reached")
)


def test_a_public_build_indexes_the_sections_of_public_postmortems_only(
    write_project: WriteProject, build: Build
) -> None:
    config = MKDOCS_YML.replace("      today: 2026-06-30\n", "      today: 2026-06-30\n      audience: public\n")
    project = write_project({"mkdocs.yml": config, "postmortems/a.md": PUBLIC, "postmortems/b.md": INTERNAL})
    site = build(project)
    index = (site.root / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "quokka" not in index.lower() and "wombat" not in index.lower()  # the whole file, not only its entries
    entries = {doc["location"]: doc for doc in json.loads(index)["docs"]}
    action_items = entries["postmortems/a/#action-items"]
    assert action_items["title"] == "Action items" and "zanzibar runbook" in action_items["text"]
    assert "The pool change reached every pod at once." in entries["postmortems/a/#contributing-causes"]["text"]


def test_section_text_is_escaped(write_project: WriteProject, build: Build) -> None:
    hostile = VALID_POSTMORTEM.replace("Alert on pool saturation", "Alert on <img src=x onerror=alert(1)>")
    site = build(write_project({"postmortems/a.md": hostile}))
    index = json.loads((site.root / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = next(doc["text"] for doc in index["docs"] if doc["location"] == "postmortems/a/#action-items")
    assert "&lt;img src=x onerror=alert(1)&gt;" in text and "<img" not in text
