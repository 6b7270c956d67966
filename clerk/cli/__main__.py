"""``python -m clerk.cli``: the ``clerk`` command (the console script is ``clerk.cli:main``)."""

import sys

from clerk.cli import main

sys.exit(main())
