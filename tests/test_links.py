"""Links and images in narratives: what passes ``kb lint`` works on the site, and what is
broken fails ``kb lint --strict`` and ``mkdocs build --strict`` alike, at its line."""

from __future__ import annotations

import os
import posixpath
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from support import MKDOCS_YML, VALID_POSTMORTEM, Build, Kb, WriteProject, generator, problem_lines

# Two more postmortems, without action items (the same ones open twice would be warnings).
_WITHOUT_ITEMS = re.sub(r"action_items:.*?(?=---)", "", VALID_POSTMORTEM, flags=re.S)
OLD = _WITHOUT_ITEMS.replace("Checkout database pool", "Old pool").replace("2024-03-12", "2023-01-05")
SIBLING = _WITHOUT_ITEMS.replace("Checkout database pool", "Sibling pool").replace("2024-03-12", "2024-04-01")
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def narrative(body: str) -> str:
    """The valid postmortem with ``body`` as its narrative."""
    return VALID_POSTMORTEM.replace("## What happened\n\nThe pool ran dry.\n", body)


def library(write_project: WriteProject, body: str) -> Path:
    project = write_project(
        {
            # Strict about anchors too: a link to a heading that is not there fails the build.
            "mkdocs.yml": MKDOCS_YML.replace("  name: material\n", "  name: material\n  font: false\n")
            + "validation:\n  anchors: warn\n",
            "postmortems/2024/2024-03-12-pool.md": narrative(body),
            "postmortems/2024/2024-04-01-sibling.md": SIBLING,
            "postmortems/2023/2023-01-05-old.md": OLD,
        }
    )
    (project / "postmortems/2024/latency graph.png").write_bytes(PNG)
    (project / "postmortems/2024/img").mkdir()
    (project / "postmortems/2024/img/queue.png").write_bytes(PNG)
    (project / "postmortems/2024/page.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    (project / "outside.png").write_bytes(PNG)
    (project / "postmortems/2024/inside.png").symlink_to(project / "outside.png")
    return project


WORKING = """\
## What happened

Like [the sibling](2024-04-01-sibling.md), [last year's](../2023/2023-01-05-old.md),
[its analysis](../2023/2023-01-05-old.md#what-happened) and [by id](2023-01-05-old); [above](#what-happened).
Its [causes](../2023/2023-01-05-old.md#contributing-causes) are the page's own section.[^1]

[^1]: A footnote is not a link.

![Latency](latency%20graph.png) ![Queue][queue]

[queue]: img/queue.png "Queue depth"

`[not a link](nope.md)`

```
[not a link either](nope.md)
```

    [an indented code block](nope.md)

<!-- [a comment](nope.md)
[over two lines](nope.md) -->
"""


def link_warnings(out: str) -> list[str]:
    return [line for line in problem_lines(out) if ": link " in line]


def test_links_to_sibling_files_and_ids_resolve_and_files_are_published(
    write_project: WriteProject, kb: Kb, build: Build
) -> None:
    project = library(write_project, WORKING)
    code, out, _ = kb(project, "lint", "--strict")
    assert (code, link_warnings(out)) == (0, []), out
    site = build(project, strict=True)
    page = site.page("2024-03-12-pool")
    hrefs = re.findall(r'<a href="([^"]*)" rel="noopener noreferrer">', page)
    assert hrefs == [
        "../2024-04-01-sibling/",
        "../2023-01-05-old/",
        "../2023-01-05-old/#narrative-what-happened",  # the heading's id on that page
        "../2023-01-05-old/",
        "#narrative-what-happened",
        "../2023-01-05-old/#contributing-causes",
    ]
    old = site.page("2023-01-05-old")
    assert 'id="narrative-what-happened"' in old
    images = re.findall(r'<img alt="[^"]*" src="([^"]*)"', page)
    assert len(images) == 2
    for src in images:  # each one is a file of the site, where the browser will ask for it
        published = site.root / posixpath.normpath(posixpath.join("postmortems/2024-03-12-pool/", unquote(src)))
        assert published.read_bytes() == PNG, src
    assert "not a link" in page and "nope" not in re.sub(r"<code>.*?</code>", "", page, flags=re.S)


BROKEN = {
    "a missing postmortem file": ("[gone](../2023/2023-01-06-gone.md)", "no postmortem there"),
    "a moved postmortem, with the path that works": (
        "[moved](2023-01-05-old.md)",
        "no postmortem there; write '../2023/2023-01-05-old.md'",
    ),
    "an unknown id, with the nearest one": ("[typo](2023-01-05-olds)", "did you mean '../2023/2023-01-05-old.md'?"),
    "a missing image": ("![graph](latency.png)", "no file 'postmortems/2024/latency.png'"),
    "a file outside the source folder": ("[config](../../mkdocs.yml)", "leads outside the source folder"),
    "a symbolic link out of it": ("![inside](inside.png)", "leads outside the source folder"),
    "a file that could run scripts on the site": ("[page](page.html)", "only these kinds of file are published"),
    "a name no file system takes": (f"![long]({'a' * 300}.png)", "the file cannot be read (OSError)"),
}


@pytest.mark.parametrize("written, message", BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_link_is_a_warning_at_its_line(
    write_project: WriteProject, kb: Kb, build: Build, written: str, message: str
) -> None:
    body = f"## What happened\n\nFirst line.\n{written}\n"
    project = library(write_project, body)
    line = narrative(body).splitlines().index(written) + 1
    code, out, _ = kb(project, "lint")
    expected = f"postmortems/2024/2024-03-12-pool.md:{line}: warning: link '{written.split('(')[1][:-1]}'"
    assert len(link_warnings(out)) == 1, out
    assert link_warnings(out)[0].startswith(expected) and message in link_warnings(out)[0], out
    assert code == 0  # a warning: the page still builds
    site = build(project)
    assert any(warning.startswith(expected) and message in warning for warning in site.warnings), site.warnings
    assert not [file for file in site.root.rglob("*") if file.name in {"page.html", "inside.png"}]  # not published


def test_a_link_to_a_postmortem_outside_the_audience_is_reported(
    write_project: WriteProject, kb: Kb, build: Build
) -> None:
    project = library(write_project, "## What happened\n\nSee [it](../2023/2023-01-05-old.md).\n")
    old = project / "postmortems/2023/2023-01-05-old.md"
    old.write_text(OLD.replace("status: published", "status: published\nvisibility: restricted"), encoding="utf-8")
    _, out, _ = kb(project, "lint")
    [warning] = link_warnings(out)
    assert "not in this build's audience" in warning, out
    site = build(project)
    assert "2023-01-05-old/" not in site.page("2024-03-12-pool")  # not resolved to a page that is not there


def mkdocs_strict(project: Path) -> int:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(project / "site")]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, check=False).returncode


@pytest.mark.parametrize("body", [WORKING, *(f"Intro.\n\n{written}\n" for written, _ in BROKEN.values())])
def test_lint_strict_and_build_strict_agree(write_project: WriteProject, kb: Kb, body: str) -> None:
    # The example library's agreement (both pass) is test_example_library's.
    project = library(write_project, body)
    linted, _, _ = kb(project, "lint", "--strict")
    built = mkdocs_strict(project)
    assert (linted == 0) == (built == 0) == (body == WORKING), (linted, built)


def test_a_generated_library_with_links_and_images_agrees(tmp_path: Path, kb: Kb) -> None:
    """A library no one here wrote: sibling links and an image resolve, and a broken link
    and a missing image fail lint and build alike."""
    project = tmp_path / "generated"
    ids = generator().generate(30, project / "postmortems", seed=3)
    config = MKDOCS_YML.replace("  name: material\n", "  name: material\n  font: false\n")
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    (project / "docs").mkdir()
    (project / "docs/index.md").write_text("# Home\n", encoding="utf-8")
    files = {pm_id: next((project / "postmortems").glob(f"*/{pm_id}.md")) for pm_id in ids}
    public = [pm_id for pm_id, path in files.items() if 'visibility: "public"' in path.read_text(encoding="utf-8")]
    source, target = files[public[0]], files[public[1]]
    (source.parent / "graph.png").write_bytes(PNG)
    relative = Path(os.path.relpath(target, source.parent)).as_posix()
    written = source.read_text(encoding="utf-8")
    source.write_text(written + f"\nSee [the other one]({relative}).\n\n![Graph](graph.png)\n", encoding="utf-8")
    _, out, _ = kb(project, "lint")
    assert link_warnings(out) == [], out
    clean = (kb(project, "lint", "--strict")[0], mkdocs_strict(project))
    site = project / "site" / "postmortems" / public[0]
    page = (site / "index.html").read_text(encoding="utf-8")
    assert f'href="../{public[1]}/"' in page and (site / source.parent.name / "graph.png").read_bytes() == PNG
    source.write_text(written + "\n[gone](nowhere.md) ![Graph](missing.png)\n", encoding="utf-8")
    _, out, _ = kb(project, "lint")
    assert len(link_warnings(out)) == 2, out
    broken = (kb(project, "lint", "--strict")[0], mkdocs_strict(project))
    assert ((clean[0] == 0) == (clean[1] == 0), broken[0] != 0, broken[1] != 0) == (True, True, True), (clean, broken)


def test_a_file_in_a_folder_whose_name_is_not_utf8_is_a_warning_not_a_crash(
    write_project: WriteProject, kb: Kb, build: Build
) -> None:
    project = library(write_project, "## What happened\n\nFine.\n")
    folder = os.path.join(os.fsencode(project / "postmortems"), b"caf\xe9")
    os.mkdir(folder)
    with open(os.path.join(folder, b"2024-05-01-odd.md"), "w", encoding="utf-8") as file:
        file.write(narrative("## What happened\n\n![g](g.png)\n").replace("2024-03-12", "2024-05-01"))
    with open(os.path.join(folder, b"g.png"), "wb") as image:
        image.write(PNG)
    _, out, _ = kb(project, "lint")
    assert any("link 'g.png': the file cannot be read" in line for line in link_warnings(out)), out
    site = build(project)
    assert site.has_page("2024-05-01-odd")
