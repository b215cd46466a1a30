"""The site's search index holds the words of every structured section, for the audience only:
one entry per statement, at its id on the page, ranked as docs/searching.md says."""

from __future__ import annotations

import json
import re

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
    assert entries["postmortems/a/#action-items.3"]["title"] == "Document pool sizing in the zanzibar runbook"
    cause = entries["postmortems/a/#contributing-causes.1"]["title"]
    assert cause == "Change reached every host at once — The pool change reached every pod at once."


def test_each_statement_is_an_entry_at_its_id_on_the_page(write_project: WriteProject, build: Build) -> None:
    tagged = VALID_POSTMORTEM.replace(
        "summary:", "tags: [postgres, connection-pool]\nlessons: [Pools need headroom.]\nsummary:"
    )
    site = build(write_project({"postmortems/a.md": tagged}))
    docs = json.loads((site.root / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    ours = {doc["location"]: doc for doc in docs if "boost" in doc and doc["boost"] == 4}
    assert ours["postmortems/a/#lessons-learned.1"]["title"] == "Pools need headroom."
    assert ours["postmortems/a/#action-items.4"]["text"] == "<p>Out of scope; the pooler fixes the symptom.</p>"
    # Tags: an entry weighed like a title, out of Material's tags field (a million times a word).
    assert ours["postmortems/a/#tags"]["title"] == "postgres · connection-pool"
    assert not any("tags" in doc for doc in docs)
    page = (site.root / "postmortems" / "a" / "index.html").read_text(encoding="utf-8")
    ids = set(re.findall(r'id="([^"]+)"', page))
    anchors = {location.partition("#")[2] for location in ours} - {"tags"}
    assert anchors == {
        "contributing-causes.1",
        *(f"action-items.{n}" for n in range(1, 5)),
        "lessons-learned.1",
    }
    assert anchors <= ids


def test_section_text_is_escaped(write_project: WriteProject, build: Build) -> None:
    hostile = VALID_POSTMORTEM.replace("Alert on pool saturation", "Alert on <img src=x onerror=alert(1)>")
    site = build(write_project({"postmortems/a.md": hostile}))
    index = json.loads((site.root / "search" / "search_index.json").read_text(encoding="utf-8"))
    title = next(doc["title"] for doc in index["docs"] if doc["location"] == "postmortems/a/#action-items.1")
    assert "&lt;img src=x onerror=alert(1)&gt;" in title and "<img" not in title  # Material shows it as HTML
