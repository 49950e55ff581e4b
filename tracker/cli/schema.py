"""`tracker schema`: the watchlist's JSON Schema, for editors."""

from __future__ import annotations

import sys
from pathlib import Path


def write_schema(output: str | None) -> int:
    from config.json_schema import render_schema

    text = render_schema()
    if output is None:
        sys.stdout.write(text)
        return 0
    Path(output).write_text(text, encoding="utf-8")
    print(f"wrote the watchlist's JSON Schema to {output}")
    return 0
