"""How a command prints what it found: JSON for scripts, a table for people. A table is
drawn with rich in a terminal and as plain aligned text otherwise, so output piped to a
file or another program never holds colour codes."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TextIO

from tracker.cli.tables import Table


def print_json(items: Sequence[dict[str, Any]]) -> None:
    """One JSON list of objects, dates in ISO 8601, Arabic as itself."""
    print(json.dumps(list(items), ensure_ascii=False, indent=2, default=_iso))


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def show(table: Table, heading: str | None = None, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    if stream.isatty():
        stream.write(render_rich(table, heading))
        return
    if heading:
        print(heading, end="\n\n", file=stream)
    print(table, file=stream)


def render_rich(table: Table, heading: str | None = None, width: int | None = None) -> str:
    """The table as a terminal shows it (colours and box lines), `width` columns wide
    (default: the terminal's)."""
    import io

    from rich import box
    from rich.console import Console
    from rich.table import Table as RichTable
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=width, highlight=False)
    drawn = RichTable(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    for index, header in enumerate(table.headers):
        fixed = index not in table.prose
        drawn.add_column(
            header,
            justify="right" if index in table.numeric else "left",
            no_wrap=fixed,
            overflow="ellipsis" if fixed else "fold",  # a long word folds, nothing is lost
            min_width=max(len(r[index]) for r in table.rows) if fixed and table.rows else None,
        )
    for row in table.rows:
        drawn.add_row(*(Text(cell) for cell in row))  # Text: a "[" in a title is not markup
    if heading:
        console.print(Text(heading, style="bold"))
    console.print(drawn)
    return buffer.getvalue()
