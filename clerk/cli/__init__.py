"""The ``clerk`` command: the composition root.

It wires clerk/ (domain), sync/ (client, engine, hub) and ui/ (PySide6) together — the only
package in clerk/ that may import sync/ or ui/, and it does so lazily, inside the commands that
need them, so ``clerk hub …``, ``clerk sync`` and ``clerk lookup`` never load Qt
(tests/unit/test_architecture.py holds it to that). One module per command group, each with
``add_parser(sub)`` and the functions it dispatches to; :mod:`clerk.cli.common` has the exit
codes and the helpers they share. ``clerk`` with no command loads only :mod:`clerk.cli.app`.

Every error a person can cause ends as one clear line on stderr (or a JSON object with --json)
and a non-zero exit — never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from clerk.cli.common import EXIT_OK, exit_code, fail, print_json
from clerk.errors import ClerkError


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree: the app's options and every command."""
    from clerk.cli import (
        app,
        audit,
        config,
        decode,
        demo,
        doctor,
        enrol,
        hub,
        lookup,
        member,
        outbox,
        purge,
        record,
        report,
        status,
        sync,
        task,
    )

    parser = app.app_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in (
        demo,
        enrol,
        sync,
        lookup,
        member,
        record,
        task,
        status,
        outbox,
        config,
        decode,
        purge,
        report,
        audit,
        doctor,
        hub,
    ):
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from clerk.cli import app

    argv = list(sys.argv[1:] if argv is None else argv)
    app_start = app.is_app_start(argv)
    if app_start:
        import gc

        # Collections during the start-up's allocations would find nothing to free; the app
        # collects on its own schedule from then on (ui.workers.GuiThreadGc).
        gc.disable()
    parser = app.app_parser() if app_start else build_parser()
    args = parser.parse_args(argv)
    if app_start:  # the log file is opened once the first screen is up (app.cmd_app)
        from clerk.logs import buffer_logging

        buffer_logging()
    elif getattr(args, "command", None) != "hub":  # the hub logs JSON lines to stderr
        from clerk.logs import setup_logging

        try:
            setup_logging("terminal")
        except OSError as exc:
            print(
                f"clerk: cannot write logs ({exc}); continuing without a log file", file=sys.stderr
            )
    try:
        result: int = args.func(args)
        return result
    except ClerkError as exc:
        if getattr(args, "json", False):
            print_json({"error": str(exc), "reason": exc.reason})
            return exit_code(exc)
        code = fail(str(exc), exit_code(exc))
        if app_start:
            app.show_start_error(exc)
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        if not app_start:
            raise  # a command run from a shell: the traceback is for whoever runs it
        # The app, perhaps from its desktop icon: the traceback goes to the log, the person
        # gets one line and a window saying what to do.
        import logging

        logging.getLogger("clerk.app").exception("the app stopped")
        code = fail(f"the app stopped: {type(exc).__name__}: {exc} (details in the log)")
        app.show_start_error(ClerkError(f"{type(exc).__name__}: {exc}"))
        return code
