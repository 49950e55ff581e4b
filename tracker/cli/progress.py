"""The progress bar of `tracker once` over many sources, when stderr is a terminal. Log
lines print above the bar while it runs; elsewhere (a pipe, a file, cron, JSON logs) the
pass logs its `[n/N] source: k new` lines as always."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO, cast

if TYPE_CHECKING:
    from rich.console import Console

    from tracker.service.once import PollProgress
    from tracker.service.poller import PollReport

# One source needs no bar: its log line says as much.
MIN_SOURCES = 2


@contextmanager
def pass_progress(
    total: int, stream: TextIO | None = None, *, force: bool = False
) -> Iterator[PollProgress | None]:
    """A callback for `run_once` that advances a bar on `stream` (stderr), or None when no
    bar belongs there; `force` draws it on a stream that is not a terminal (for tests)."""
    stream = stream or sys.stderr
    if total < MIN_SOURCES or not (force or (stream.isatty() and _plain_info_logs(stream))):
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(file=stream, force_terminal=True if force else None)
    bar = Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,  # gone at the end: the pass's summary lines are what stays
        redirect_stderr=False,
        redirect_stdout=False,
    )
    task = bar.add_task("polling", total=total)

    def polled(done: int, of: int, report: PollReport) -> None:
        said = "failed" if report.error else report.skipped or f"{report.new} new"
        if done >= of:
            said += "; storing what the pass found"
        bar.update(task, completed=done, description=f"{report.source}: {said}", refresh=True)

    handlers = _handlers_on(stream)
    with bar:
        proxy = cast("TextIO", _AboveTheBar(console))  # a handler only writes and flushes
        for handler in handlers:
            handler.setStream(proxy)
        try:
            yield polled
        finally:
            for handler in handlers:
                handler.setStream(stream)


class _AboveTheBar(io.TextIOBase):
    """Where log lines go while the bar is drawn: above it, each whole (the terminal
    wraps a long line, not rich), never read as markup."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._partial = ""

    def write(self, text: str) -> int:
        from rich.text import Text

        *lines, self._partial = (self._partial + text).split("\n")
        for line in lines:
            self._console.print(Text(line), soft_wrap=True)
        return len(text)


def _handlers_on(stream: TextIO) -> list[logging.StreamHandler[TextIO]]:
    return [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and h.stream is stream
    ]


def _plain_info_logs(stream: TextIO) -> bool:
    """Text logs at INFO: a bar among JSON lines breaks a log collector, and `-q` asked
    for warnings only."""
    from tracker.service.logs import JsonFormatter

    root = logging.getLogger()
    return root.getEffectiveLevel() <= logging.INFO and not any(
        isinstance(h.formatter, JsonFormatter) for h in _handlers_on(stream)
    )
