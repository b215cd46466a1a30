"""The ``postmortems`` MkDocs plugin: a switchboard from MkDocs events to the ``kb`` core."""

from __future__ import annotations

import gc
import logging
import shutil
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

from kb.build import build_library
from kb.history import with_this_week
from kb.library import collect_last_build, collector_paused
from kb.markup import Rendered, fill_deferred, inert_markers
from kb.pagefind import PagefindError, index_site, require
from kb.sanitize import narrative_html, narrative_id
from kb.schema import fields_of
from kb.search import SearchError
from kb.settings import Settings, SettingsError, parse_settings
from kb.site import MARKDOWN_EXTENSIONS, SCRIPTS, STYLESHEETS
from kb.worker import Worker
from mkdocs_postmortems import material_toc

# Under "mkdocs.plugins" (or "properdocs.plugins" when run by that drop-in fork, which
# aliases the mkdocs modules): MkDocs counts warnings there, so --strict fails on them.
log = logging.getLogger(f"{BasePlugin.__module__.split('.')[0]}.plugins.postmortems")


class PostmortemsPlugin(BasePlugin):
    # MkDocs only checks that each option exists; ``kb.settings`` checks the values,
    # so the build and the ``kb`` command accept exactly the same options.
    config_scheme = tuple((name, config_options.Type(object, default=None)) for name in fields_of(Settings))
    worker: Worker | None = None  # kept across the rebuilds of mkdocs serve

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # mkdocs serve rebuilds after every save: one worker process, with its parse
        # cache, serves them all. A single build starts its own.
        self.worker = Worker() if command == "serve" else None

    def on_shutdown(self) -> None:
        if self.worker:
            self.worker.close()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        options = {name: value for name, value in self.config.items() if value is not None}
        try:
            self.settings = parse_settings(options)
        except SettingsError as exc:
            raise PluginError(str(exc)) from None
        if self.settings.pagefind:
            try:  # a missing extra fails now, not after the whole site is built
                require()
            except PagefindError as exc:
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
        # The library lives until the build ends: the cycle collector need not walk it
        # while it is read, nor again and again while MkDocs renders thousands of pages,
        # nor in its last collection when the process exits (gc.freeze). A mkdocs serve
        # rebuild first collects what the last build froze and no longer needs.
        collect_last_build()
        with collector_paused():
            files = self._add_library(files, config)
            gc.freeze()
        return files

    def _add_library(self, files: Files, config: MkDocsConfig) -> Files:
        try:
            self.build = build_library(
                self.settings, self.project_dir, config.use_directory_urls, config.site_url or None, self.worker
            )
        except SearchError as exc:
            raise PluginError(str(exc)) from None
        for problem in self.build.library.problems:
            log.warning(str(problem))
        by_url = {f.dest_uri: f for f in files}  # hand-written pages a generated one might replace
        self.planned = {page.path for page in self.build.pages}
        self.markdown_later = {page.path for page in self.build.pages if page.markdown is None}
        self.heads = {page.path: page.head for page in self.build.pages if page.head is not None}
        self.rendered: dict[str, Rendered] = {}  # pages rendered and not yet written, by source path
        generated = [
            *(File.generated(config, asset.path, content=asset.content) for asset in self.build.assets),
            # A page's Markdown may come later: from on_page_read_source, when MkDocs reads it.
            *(
                File.generated(
                    config,
                    page.path,
                    content=page.markdown or "",
                    inclusion=InclusionLevel.UNDEFINED if page.in_nav else InclusionLevel.NOT_IN_NAV,
                )
                for page in self.build.pages
            ),
        ]
        for file in generated:
            clash = by_url.get(file.dest_uri)
            if clash:
                log.warning("%s is replaced by the library's page %s at the same URL", clash.src_uri, file.src_uri)
                files.remove(clash)
            files.append(file)
        return files

    def on_env(self, env: jinja2.Environment, config: MkDocsConfig, files: Files) -> jinja2.Environment:
        self.fast_toc = material_toc.fits(config, env)
        return env

    def on_page_read_source(self, page: Page, config: MkDocsConfig) -> str | None:
        # A page whose Markdown needs the analysis is rendered (or received) now.
        path = page.file.src_uri
        if path not in self.markdown_later:
            return None
        self.rendered[path] = self.build.rendered(path)
        return self.rendered[path].markdown

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        # The home page can show "this week in incident history" where it asks for it.
        return with_this_week(markdown, self.build.library) if page.file.src_uri == "index.md" else markdown

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        # After Markdown, before the theme and the search plugin: a narrative's raw HTML
        # and links are untrusted input, unless the site says every author is trusted.
        # What goes before it is ours.
        head = self.heads.get(page.file.src_uri)
        if head is None:
            return html
        # The narrative's ids get a prefix; its headings' entries follow them.
        entries = list(page.toc)
        while entries:
            entry = entries.pop()
            entry.id = narrative_id(entry.id)
            entries += entry.children
        return head + inert_markers(narrative_html(html, trusted=self.settings.trust_html))

    @event_priority(50)  # before the search plugin indexes the page with its table of contents
    def on_page_context(
        self, context: TemplateContext, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        path = page.file.src_uri
        if path in self.planned:
            if path not in self.rendered:
                self.rendered[path] = self.build.rendered(path)
            headings = self.rendered[path].toc
            if headings:  # the deferred headings come first in the page
                page.toc = material_toc.with_headings(headings, page.toc, stand_in=self.fast_toc)
        return context

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        # A generated page's tables and badges go in last, so MkDocs never parses them.
        # Popped: a page is written once, and its HTML need not stay in memory after.
        rendered = self.rendered.pop(page.file.src_uri, None)
        if not rendered:
            return output
        if rendered.toc and self.fast_toc:
            output = material_toc.fill(output, rendered.toc)
        return fill_deferred(output, rendered.deferred)

    def on_post_build(self, config: MkDocsConfig) -> None:
        # The JSON API and the feed were made alongside the pages (in a worker process,
        # for a large library); the build ends when they are written.
        try:
            data = self.build.finish()
        except SearchError as exc:
            raise PluginError(str(exc)) from None
        site_dir = Path(config.site_dir)
        for path, content in data.items():
            (site_dir / path).parent.mkdir(parents=True, exist_ok=True)
            (site_dir / path).write_text(content, encoding="utf-8")
        log.info(self.build.summary())
        if self.build.worker_failure:  # the site is complete: the build did the worker's part
            log.info("The worker process did not finish its part: %s", self.build.worker_failure)
        # The index is a build cache; it reaches the site only when asked for.
        if self.settings.publish_index:
            shutil.copytree(self.build.index_dir, site_dir / "search-index", dirs_exist_ok=True)
        # Pagefind reads the finished HTML, so it runs last.
        if self.settings.pagefind:
            try:
                stats = index_site(site_dir, directory_urls=config.use_directory_urls)
            except PagefindError as exc:
                raise PluginError(str(exc)) from None
            log.info(stats.summary())

    def on_build_error(self, error: Exception) -> None:
        # Under mkdocs serve the worker stays: it must not go on with a failed build.
        if hasattr(self, "build"):
            self.build.abandon()

    def on_serve(self, server: LiveReloadServer, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        # The postmortems live outside docs_dir; editing one must rebuild the site.
        server.watch(str(self.settings.source_dir(self.project_dir)))
        return server
