"""``mkdocs serve``, run as a writer runs it: a postmortem with errors shows them at its URL."""

from __future__ import annotations

import html
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from support import MKDOCS_YML, VALID_POSTMORTEM, Build, WriteProject

BROKEN = VALID_POSTMORTEM.replace("severity: SEV2", "serverity: SEV2").replace(
    "title: Checkout database pool exhausted", "title: Checkout <pool> exhausted"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@contextmanager
def serving(project: Path, livereload: bool = False) -> Iterator[str]:
    """``mkdocs serve`` of ``project``, until its first build is served; with ``livereload``
    it watches files (and the plugin's ``on_serve`` runs), and rebuilds when one changes."""
    address = f"127.0.0.1:{free_port()}"
    reload = "--livereload" if livereload else "--no-livereload"
    command = [sys.executable, "-m", "mkdocs", "serve", reload, "--dev-addr", address]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    server = subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                fetch(f"http://{address}/")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr and server.stderr.read()
                time.sleep(0.2)
        yield f"http://{address}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stderr:
            server.stderr.close()


def test_a_postmortem_with_errors_shows_them_at_its_url_while_serving(
    write_project: WriteProject, build: Build
) -> None:
    config = MKDOCS_YML.replace("  name: material\n", "  name: material\n  font: false\n")
    files = {"mkdocs.yml": config, "postmortems/good.md": VALID_POSTMORTEM, "postmortems/bad.md": BROKEN}
    project = write_project(files)
    with serving(project) as url:
        status, page = fetch(f"{url}/postmortems/bad/")
        good, _ = fetch(f"{url}/postmortems/good/")
    assert (status, good) == (200, 200)
    shown = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page[page.index("<article") :])).split())
    assert "Not in the site until its errors are fixed postmortems/bad.md has problems" in shown
    assert "1 error front matter: missing required key 'severity' (for incidents)" in shown
    assert "4 error unknown key 'serverity'; did you mean 'severity'?" in shown
    assert "<h1" in page and "Checkout <pool> exhausted" in shown  # the title, as text
    site = build(project)  # a build keeps the file out, and only reports it
    assert not site.has_page("bad") and site.has_page("good")
