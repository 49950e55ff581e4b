"""The `tracker` command line: `main` parses the arguments, runs one command and turns
every TrackerError into a plain message and exit status 1."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from tracker.cli.commands import COMMANDS
from tracker.cli.parser import build_parser
from tracker.errors import TrackerError

__all__ = ["COMMANDS", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    from tracker.service.logs import setup_logging

    args = build_parser().parse_args(argv)
    setup_logging(args.verbose - args.quiet)
    handler = COMMANDS[args.command]
    try:
        return handler(args)
    except TrackerError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
