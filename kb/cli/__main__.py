"""``python -m kb.cli``: the ``kb`` command, where the script is not on the PATH."""

import sys

from kb.cli.main import main

sys.exit(main())
