"""Entry point of the frozen app (PyInstaller): the same ``main`` as the ``clerk`` command."""

from __future__ import annotations

import multiprocessing
import sys

from clerk.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the hub may start worker processes (Windows: spawn)
    sys.exit(main())
