"""The ``kb`` command. Imports only ``kb.facade``, as the MkDocs plugin does."""
