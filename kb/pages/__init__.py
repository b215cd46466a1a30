"""The Markdown of every generated page: view models built here, layout in templates.

Each ``*_page`` function returns the Markdown of one page; the plugin hands it to MkDocs
as a generated file, so Material renders it like any hand-written page.
"""
