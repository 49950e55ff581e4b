"""Logging for the command line: one readable line per event, on stderr."""

from __future__ import annotations

import logging
import sys


def setup_logging(verbosity: int = 0) -> None:
    level = logging.DEBUG if verbosity > 0 else logging.WARNING if verbosity < 0 else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)-7s %(message)s", "%Y-%m-%d %H:%M:%S")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Libraries speak through our own messages; their chatter stays below INFO.
    for noisy in ("apscheduler", "httpx", "httpcore", "alembic", "apprise", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING if verbosity <= 0 else logging.INFO)
    # apprise reports failures in its result object; we log them ourselves, once.
    logging.getLogger("apprise").setLevel(logging.CRITICAL)
    # "skipped: maximum number of running instances reached" only means a poll outlasted
    # its interval; the next one comes on schedule.
    logging.getLogger("apscheduler.scheduler").setLevel(
        logging.ERROR if verbosity <= 0 else logging.INFO
    )
