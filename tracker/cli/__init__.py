"""The `tracker` command line: `main` parses the arguments, runs one command and turns
every TrackerError into a plain message and exit status 1."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from tracker.cli.commands import COMMANDS
from tracker.cli.parser import build_parser
from tracker.errors import TrackerError

__all__ = ["COMMANDS", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    from tracker.service.logs import LOG_FORMATS, setup_logging

    parser = build_parser()
    args = parser.parse_args(argv)
    log_format = args.log_format or os.environ.get("TRACKER_LOG_FORMAT") or "text"
    if log_format not in LOG_FORMATS:
        parser.error(f"TRACKER_LOG_FORMAT is {log_format!r}: write text or json")
    setup_logging(args.verbose - args.quiet, "json" if log_format == "json" else "text")
    handler = COMMANDS[args.command]
    try:
        return handler(args)
    except TrackerError as exc:
        if log_format == "json":  # stderr stays one JSON object a line
            logging.getLogger("tracker").error("%s", exc.report())
        else:
            print(exc.report(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
