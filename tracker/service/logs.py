"""Logging for the command line, on stderr: one readable line per event, or one JSON
object per event (`--log-format json`) for a log collector."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Literal

LogFormat = Literal["text", "json"]
LOG_FORMATS: tuple[LogFormat, ...] = ("text", "json")


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (ISO 8601, UTC), level, logger, message, and the
    traceback as text when there is one. A multi-line message stays on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(verbosity: int = 0, log_format: LogFormat = "text") -> None:
    level = logging.DEBUG if verbosity > 0 else logging.WARNING if verbosity < 0 else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-7s %(message)s", "%Y-%m-%d %H:%M:%S")
        )
    # Python's own warnings would otherwise be the one line on stderr that is not JSON.
    logging.captureWarnings(log_format == "json")
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Libraries speak through our own messages; their chatter stays below INFO.
    for noisy in ("apscheduler", "httpx", "httpcore", "alembic", "apprise", "asyncio", "uvicorn"):
        logging.getLogger(noisy).setLevel(logging.WARNING if verbosity <= 0 else logging.INFO)
    # apprise reports failures in its result object; we log them ourselves, once.
    logging.getLogger("apprise").setLevel(logging.CRITICAL)
    # "skipped: maximum number of running instances reached" only means a poll outlasted
    # its interval; the next one comes on schedule.
    logging.getLogger("apscheduler.scheduler").setLevel(
        logging.ERROR if verbosity <= 0 else logging.INFO
    )
