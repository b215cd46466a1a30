"""The postmortem library core: load -> validate -> model -> analyze -> render -> index.

Nothing in this package imports MkDocs; ``plugins/mkdocs_postmortems`` adapts it.
"""

__version__ = "0.1.0"
