"""The ``postmortems`` MkDocs plugin: a switchboard from MkDocs events to the ``kb`` core."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path
from typing import Any

from mkdocs.config import config_options
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel

from kb.library import load
from kb.schema import fields_of
from kb.search import SearchError
from kb.settings import Settings, SettingsError, parse_settings
from kb.site import MARKDOWN_EXTENSIONS, SCRIPT, STYLESHEET, site_files
from kb.whoosh_engine import WhooshEngine

# Under "mkdocs.plugins" (or "properdocs.plugins" when run by that drop-in fork, which
# aliases the mkdocs modules): MkDocs counts warnings there, so --strict fails on them.
log = logging.getLogger(f"{BasePlugin.__module__.split('.')[0]}.plugins.postmortems")


class PostmortemsPlugin(BasePlugin):
    # MkDocs only checks that each option exists; ``kb.settings`` checks the values,
    # so the build and the ``kb`` command accept exactly the same options.
    config_scheme = tuple((name, config_options.Type(object, default=None)) for name in fields_of(Settings))

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        options = {name: value for name, value in self.config.items() if value is not None}
        try:
            self.settings = parse_settings(options)
        except SettingsError as exc:
            raise PluginError(str(exc)) from None
        self.project_dir = Path(config.config_file_path or ".").resolve().parent
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        if SCRIPT not in config.extra_javascript:
            config.extra_javascript.append(SCRIPT)
        for extension in MARKDOWN_EXTENSIONS:
            if extension not in config.markdown_extensions:
                config.markdown_extensions.append(extension)
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        # Pages are added here, before the nav is built, so the nav and every link
        # check in MkDocs see them like hand-written pages.
        started = time.perf_counter()
        library = load(self.settings, self.project_dir)
        for problem in library.problems:
            log.warning(str(problem))
        log.info(
            "loaded %d postmortem files, %d included for audience %r, %d problems (%.2fs)",
            library.files,
            len(library.postmortems),
            self.settings.audience,
            len(library.problems),
            time.perf_counter() - started,
        )
        started = time.perf_counter()
        engine = WhooshEngine(self.settings.cache_path(self.project_dir))
        try:
            stats = engine.update(library.postmortems)
        except SearchError as exc:
            raise PluginError(str(exc)) from None
        log.info(
            "search index: %d added, %d updated, %d removed, %d unchanged (%.2fs)",
            len(stats.added),
            len(stats.updated),
            len(stats.removed),
            stats.unchanged,
            time.perf_counter() - started,
        )
        self.index_dir = engine.directory
        for page in site_files(library, config.use_directory_urls):
            inclusion = InclusionLevel.UNDEFINED if page.in_nav else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, page.path, content=page.content, inclusion=inclusion))
        return files

    def on_post_build(self, config: MkDocsConfig) -> None:
        # The index is a build cache; it reaches the site only when asked for.
        if self.settings.publish_index:
            shutil.copytree(self.index_dir, Path(config.site_dir) / "search-index", dirs_exist_ok=True)

    def on_serve(self, server: LiveReloadServer, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        # The postmortems live outside docs_dir; editing one must rebuild the site.
        server.watch(str(self.settings.source_dir(self.project_dir)))
        return server
