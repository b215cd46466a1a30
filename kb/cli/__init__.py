"""The ``kb`` command. Imports only ``kb.facade``, as the MkDocs plugin does."""

# Every command's exit statuses: done, found problems (or failed some of its work), could not run.
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
