"""Mermaid diagrams in a narrative, set up as Material documents it: the example
configuration has the set-up, ``kb`` reads such a configuration, and a diagram reaches
the page, through the sanitizer, as Material's script looks for it
(``test_diagrams_browser.py`` has Material draw it)."""

from __future__ import annotations

import html

from mkdocs.utils.yaml import yaml_load
from pymdownx.superfences import fence_code_format
from support import DIAGRAM, MERMAID_YML, REPO, WITH_DIAGRAM, Build, Kb, WriteProject


def test_the_example_configuration_sets_up_mermaid_as_material_documents_it() -> None:
    config = yaml_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))

    fences = [
        extension["pymdownx.superfences"]["custom_fences"]
        for extension in config["markdown_extensions"]
        if isinstance(extension, dict) and "pymdownx.superfences" in extension
    ]
    assert fences == [[{"name": "mermaid", "class": "mermaid", "format": fence_code_format}]]


def test_kb_reads_a_configuration_that_names_a_python_function(write_project: WriteProject, kb: Kb) -> None:
    # ``!!python/name:`` is for MkDocs to resolve; kb reads past it and runs nothing.
    project = write_project({"mkdocs.yml": MERMAID_YML, "postmortems/good.md": WITH_DIAGRAM})

    code, out, err = kb(project, "lint", "--strict")
    assert (code, out, err) == (0, "", "1 files checked: 0 errors, 0 warnings\n")
    code, out, err = kb(project, "search", "pool", "--format", "json")
    assert (code, err) == (0, "")
    assert '"id": "good"' in out


def test_a_diagram_reaches_the_page_as_materials_script_looks_for_it(write_project: WriteProject, build: Build) -> None:
    project = write_project({"mkdocs.yml": MERMAID_YML, "postmortems/good.md": WITH_DIAGRAM})

    page = build(project, strict=True).page("good")

    # Material draws each pre.mermaid from its text: the source, escaped once.
    assert f'<pre class="mermaid"><code>{html.escape(DIAGRAM, quote=False)}</code></pre>' in page


def test_a_diagram_carries_its_source_and_nothing_else(write_project: WriteProject, build: Build) -> None:
    body = (
        '\n```mermaid\ngraph LR\n    A["<script>alert(1)</script>"] --> B\n```\n\n'
        '<pre class="mermaid" onclick="alert(2)" style="position:fixed" data-x="1"><code>graph TD\n'
        "    X--&gt;Y</code></pre>\n"
    )
    project = write_project({"mkdocs.yml": MERMAID_YML, "postmortems/good.md": WITH_DIAGRAM + body})

    page = build(project).page("good")

    assert '    A["&lt;script&gt;alert(1)&lt;/script&gt;"] --&gt; B</code></pre>' in page  # text, not a tag
    assert '<pre class="mermaid"><code>graph TD\n    X--&gt;Y</code></pre>' in page  # only the class is kept
    assert "<script>alert" not in page and "alert(2)" not in page and "position:fixed" not in page
