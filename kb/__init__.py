"""The postmortem library core, laid out as its pipeline: format -> load -> checks ->
analysis -> render -> pages -> site -> search -> build. Front ends (the MkDocs plugin,
the ``kb`` command) import ``kb.facade`` only; nothing in this package imports MkDocs.
"""

__version__ = "0.1.0"
