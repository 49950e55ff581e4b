"""Poll intervals written the way people write them: 90s, 15m, 1h30m, 1d."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_PART = re.compile(r"(\d+)\s*([smhd])")
_WHOLE = re.compile(r"\s*(?:\d+\s*[smhd]\s*)+")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# The same rule as a JSON Schema (ECMA) pattern, for editors (`tracker schema`).
INTERVAL_PATTERN = r"^\s*(\d+\s*[smhd]\s*)+$"


def parse_interval(text: str) -> timedelta:
    """Parse "15m", "1h30m" or "90s"; raise ValueError with a hint otherwise."""
    if not isinstance(text, str) or not _WHOLE.fullmatch(text):
        raise ValueError(
            f"invalid interval {text!r}: write a number and a unit, "
            "s, m, h or d (for example 90s, 15m, 1h30m)"
        )
    seconds = sum(int(n) * _UNIT_SECONDS[unit] for n, unit in _PART.findall(text))
    if seconds <= 0:
        raise ValueError(f"invalid interval {text!r}: it must be longer than zero")
    return timedelta(seconds=seconds)


def format_interval(value: timedelta) -> str:
    """The shortest spelling of an interval, for messages and tables."""
    seconds = int(value.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


def ago(when: datetime | None, now: datetime | None = None) -> str:
    """How long ago `when` was ("3 h ago"), or how soon it is ("in 5 min")."""
    if when is None:
        return "never"
    if when.tzinfo is None:  # a database that returns naive times returns them in UTC
        when = when.replace(tzinfo=UTC)
    seconds = int(((now or datetime.now(UTC)) - when).total_seconds())
    if seconds < 0:
        return f"in {_span(-seconds)}"
    return f"{_span(seconds)} ago"


def _span(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"
