"""Reading the CLI's plain-text tables back into rows, by the header's column positions."""

from __future__ import annotations

import re


def parse_table(text: str) -> dict[str, dict[str, str]]:
    """Rows keyed by their first cell; each row maps header → cell text."""
    lines = [line for line in text.splitlines() if line.strip()]
    header, rule, *rows = lines
    starts = [m.start() for m in re.finditer(r"-+", rule)]
    names = [header[a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=True)]
    table = {}
    for line in rows:
        cells = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=True)]
        table[cells[0]] = dict(zip(names, cells, strict=True))
    return table
