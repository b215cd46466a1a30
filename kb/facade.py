"""The core's public face: everything the MkDocs adapter (``plugins/mkdocs_postmortems``)
and the ``kb`` command line use, and nothing else does.

Behind it the core is laid out as its pipeline, each stage a subpackage that imports only
the ones before it (``docs/design.md``, Architecture). A front end imports this module
alone, so a stage can be reorganised without touching them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from kb.analysis.action_item_states import LABELS as ACTION_ITEM_STATE_LABELS
from kb.analysis.action_item_states import STATES as ACTION_ITEM_STATES
from kb.analysis.action_item_states import Tracked, stale_tracker_state, tracked_items
from kb.checks.completeness import checklist_text, shows_checklist
from kb.checks.library import Library
from kb.format import reports, urls
from kb.format.model import Postmortem
from kb.format.problems import UserError, count, did_you_mean
from kb.format.reference import markdown_tables
from kb.format.schema import fields_of, json_schema
from kb.format.settings import DEFAULT_SEVERITIES, Settings, parse_settings
from kb.load.new_postmortem import new_postmortem
from kb.load.project import Project, find_config, open_project, shown

__all__ = [
    "ACTION_ITEM_STATES",
    "ACTION_ITEM_STATE_LABELS",
    "DEFAULT_SEVERITIES",
    "MARKDOWN_EXTENSIONS",
    "OPTIONS",
    "SCRIPTS",
    "STYLESHEETS",
    "Import",
    "Library",
    "LibraryBuild",
    "Postmortem",
    "Project",
    "Session",
    "SyncPolicy",
    "Tracked",
    "UserError",
    "action_item_json",
    "cause_catalog",
    "changed_since",
    "checklist_text",
    "count",
    "did_you_mean",
    "export_library",
    "find_config",
    "import_summary",
    "json_schema",
    "lint_files",
    "load_library",
    "markdown_tables",
    "new_postmortem",
    "open_project",
    "parse_settings",
    "postmortem_link",
    "postmortem_url",
    "reports",
    "require_pagefind",
    "search_index",
    "shown",
    "shows_checklist",
    "stale_tracker_state",
    "sync",
    "tracked_items",
    "write_back",
]

if TYPE_CHECKING:
    from kb.build.export import export_library
    from kb.build.pipeline import LibraryBuild, Session
    from kb.build.reading import lint_files, load_library, search_index
    from kb.importer.run import Import, cause_catalog
    from kb.importer.run import summary as import_summary
    from kb.load.changes import changed_since
    from kb.site.api import action_item as action_item_json
    from kb.site.pagefind_index import require as require_pagefind
    from kb.site.plan import MARKDOWN_EXTENSIONS, SCRIPTS, STYLESHEETS
    from kb.sync.http import Policy as SyncPolicy
    from kb.sync.run import sync
    from kb.sync.write import write_back

# The plugin's options: the fields of ``Settings``, which checks their values.
OPTIONS: tuple[str, ...] = tuple(fields_of(Settings))


def postmortem_url(pm_id: str) -> str:
    """A postmortem page's URL, relative to the site's root."""
    return urls.url(urls.postmortem(pm_id))


def postmortem_link(pm_id: str, site_url: str | None, directory_urls: bool = True) -> str:
    """A postmortem page's link for outside the site: absolute under ``site_url``, else
    relative to the site's root (``postmortems/x/``), which works under any path."""
    return urls.site_link(urls.postmortem(pm_id), directory_urls, site_url)


# What only a site build, ``kb import``, ``kb sync`` or some commands need, imported when
# a front end first asks for it: a ``kb`` command need not import every page (or an HTTP
# client) to answer, and ``kb search`` on an unchanged library imports little more than its engine.
_LAZY = {
    "load_library": ("kb.build.reading", "load_library"),
    "search_index": ("kb.build.reading", "search_index"),
    "lint_files": ("kb.build.reading", "lint_files"),
    "changed_since": ("kb.load.changes", "changed_since"),
    "action_item_json": ("kb.site.api", "action_item"),
    "require_pagefind": ("kb.site.pagefind_index", "require"),
    "Import": ("kb.importer.run", "Import"),
    "cause_catalog": ("kb.importer.run", "cause_catalog"),
    "import_summary": ("kb.importer.run", "summary"),
    "export_library": ("kb.build.export", "export_library"),
    "LibraryBuild": ("kb.build.pipeline", "LibraryBuild"),
    "Session": ("kb.build.pipeline", "Session"),
    "sync": ("kb.sync.run", "sync"),
    "SyncPolicy": ("kb.sync.http", "Policy"),
    "write_back": ("kb.sync.write", "write_back"),
    "MARKDOWN_EXTENSIONS": ("kb.site.plan", "MARKDOWN_EXTENSIONS"),
    "SCRIPTS": ("kb.site.plan", "SCRIPTS"),
    "STYLESHEETS": ("kb.site.plan", "STYLESHEETS"),
}


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _LAZY[name]
    return getattr(importlib.import_module(module), attribute)
