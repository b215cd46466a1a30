"""The ``postmortems`` MkDocs plugin: a switchboard from MkDocs events to the ``kb`` core.

Each event hands its part of the page or the site to the build (``kb.facade``); what is
MkDocs' own (its file objects, its errors, Material's table of contents) stays here.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.config import config_options
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from kb.facade import (
    MARKDOWN_EXTENSIONS,
    OPTIONS,
    SCRIPTS,
    STYLESHEETS,
    LibraryBuild,
    Session,
    UserError,
    parse_settings,
    require_pagefind,
)
from mkdocs_postmortems import material_toc

# Under "mkdocs.plugins" (or "properdocs.plugins" when run by that drop-in fork, which
# aliases the mkdocs modules): MkDocs counts warnings there, so --strict fails on them.
log = logging.getLogger(f"{BasePlugin.__module__.split('.')[0]}.plugins.postmortems")


class PostmortemsPlugin(BasePlugin):
    # MkDocs only checks that each option exists; the core checks the values, so the
    # build and the ``kb`` command accept exactly the same options.
    config_scheme = tuple((name, config_options.Type(object, default=None)) for name in OPTIONS)
    session: Session | None = None
    build: LibraryBuild | None = None

    def __init__(self) -> None:
        super().__init__()
        self.titles: dict[str, str] = {}  # by page, as last written: for the nav of a --dirty rebuild

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # mkdocs serve rebuilds after every save: one session serves them all. With --dirty,
        # MkDocs writes only the pages whose files say they changed (_GeneratedPage).
        self.session = Session(serving=command == "serve", dirty=dirty)

    def on_shutdown(self) -> None:
        # MkDocs keeps a plugin that has on_startup for every later config in the process:
        # a build after this serve session must not use its session.
        if self.session:
            self.session.close()
        self.session, self.titles = None, {}

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        options = {name: value for name, value in self.config.items() if value is not None}
        try:
            self.settings = parse_settings(options)
            if self.settings.pagefind:  # a missing extra fails now, not after the whole site is built
                require_pagefind()
        except UserError as exc:
            raise PluginError(str(exc)) from None
        self.project_dir = Path(config.config_file_path or ".").resolve().parent
        self.fast_toc = False  # decided in on_env, once the theme's templates are known
        config.extra_css.extend(css for css in STYLESHEETS if css not in config.extra_css)
        config.extra_javascript.extend(js for js in SCRIPTS if js not in config.extra_javascript)
        for extension in MARKDOWN_EXTENSIONS:
            if extension not in config.markdown_extensions:
                config.markdown_extensions.append(extension)
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        # Every page is listed here, before the nav is built, so the nav and every link
        # check in MkDocs see them like hand-written pages; their content comes later.
        session = self.session or Session(serving=False)  # a build started without on_startup
        self.build = None  # a serve rebuild: the last build is garbage now, and may be collected
        try:
            self.build = build = session.build(
                self.settings, self.project_dir, config.use_directory_urls, config.site_url or None
            )
        except UserError as exc:
            raise PluginError(str(exc)) from None
        for problem in build.library.problems:
            log.warning(str(problem))
        by_url = {f.dest_uri: f for f in files}  # hand-written pages a generated one might replace
        generated = [
            *(File.generated(config, asset.path, content=asset.content) for asset in build.assets),
            *(File.generated(config, path, abs_src_path=str(source)) for path, source in build.files.items()),
            # A page's Markdown may come later: from on_page_read_source, when MkDocs reads it.
            *(
                _GeneratedPage.generated(
                    config,
                    page.path,
                    content=page.markdown or "",
                    inclusion=InclusionLevel.UNDEFINED if page.in_nav else InclusionLevel.NOT_IN_NAV,
                )
                for page in build.pages
            ),
        ]
        for file in generated:
            if isinstance(file, _GeneratedPage):
                file.build = build
            clash = by_url.get(file.dest_uri)
            if clash:
                log.warning("%s is replaced by the library's page %s at the same URL", clash.src_uri, file.src_uri)
                files.remove(clash)
            files.append(file)
        return files

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        # --dirty reads only the pages it writes, and a page it does not read has no title
        # yet: the nav of the pages it writes would say "None". They keep their last one.
        for page in nav.pages:
            if page.title is None and page.file.src_uri in self.titles:
                page.title = self.titles[page.file.src_uri]
        return nav

    def on_env(self, env: jinja2.Environment, config: MkDocsConfig, files: Files) -> jinja2.Environment:
        self.fast_toc = material_toc.fits(config, env)
        return env

    def on_page_read_source(self, page: Page, config: MkDocsConfig) -> str | None:
        assert self.build
        return self.build.source(page.file.src_uri)

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        assert self.build
        return self.build.markdown(page.file.src_uri, markdown)

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        # After Markdown, before the theme and the search plugin index the page.
        assert self.build
        return self.build.content(page.file.src_uri, html, page.toc)

    @event_priority(50)  # before the search plugin indexes the page with its table of contents
    def on_page_context(
        self, context: TemplateContext, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        assert self.build
        # What MkDocs checks links to this page's headings against, once every page is
        # written. Set here, not when the page's Markdown is converted: the deferred
        # headings come from the worker, which then has had time to render them.
        if page.present_anchor_ids is not None:
            page.present_anchor_ids = self.build.anchors(page.file.src_uri, page.present_anchor_ids)
        before, after = self.build.headings(page.file.src_uri)
        if before or after:  # the deferred headings, on either side of the page's own
            page.toc = material_toc.with_headings(before, page.toc, after, stand_in=self.fast_toc)
        return context

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        # A generated page's tables and badges go in last, so MkDocs never parses them.
        assert self.build
        path = page.file.src_uri
        if page.title is not None:
            self.titles[path] = page.title
        if self.fast_toc and any(headings := self.build.headings(path)):
            output = material_toc.fill(output, *headings)
        return self.build.output(path, output)

    @event_priority(-50)  # after the search plugin wrote its index: the build adds the sections' entries
    def on_post_build(self, config: MkDocsConfig) -> None:
        assert self.build
        try:
            self.build.finish(Path(config.site_dir), log.info)
        except UserError as exc:
            raise PluginError(str(exc)) from None

    def on_build_error(self, error: Exception) -> None:
        # Under mkdocs serve the worker stays: it must not go on with a failed build.
        if self.build:
            self.build.abandon()

    def on_serve(self, server: LiveReloadServer, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        # The postmortems live outside docs_dir; editing one must rebuild the site.
        source_dir = self.settings.source_dir(self.project_dir)
        server.watch(str(source_dir))
        # So does a `kb sync`. Its snapshot is replaced whole, so its folder is watched; not
        # that folder's own folders, which may hold the site being written.
        snapshot = self.settings.tracker_state_path(self.project_dir)
        if not snapshot.is_relative_to(source_dir) and snapshot.parent.is_dir():
            server.watch(str(snapshot.parent), recursive=False)
        # --dirty: the worker's signal starts the rebuild that follows a quick one.
        if self.build and self.build.options.signal:
            self.build.options.signal.parent.mkdir(parents=True, exist_ok=True)
            server.watch(str(self.build.options.signal.parent))
        return server


class _GeneratedPage(File):
    """A generated page: MkDocs' ``--dirty`` asks a file whether it changed, and for one
    with its content in memory, its own answer is always yes."""

    build: LibraryBuild

    def is_modified(self) -> bool:
        return self.build.modified(self.src_uri)
