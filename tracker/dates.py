"""Publication dates from feeds and pages, always returned as aware UTC datetimes."""

from __future__ import annotations

import calendar
import email.utils
import time
from datetime import UTC, datetime


def parse_date(value: str | None) -> datetime | None:
    """ISO 8601 or RFC 822; a date without a zone is taken as UTC. None when unreadable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    try:
        return as_utc(parsed)
    except OverflowError:  # a date at the edge of the calendar, e.g. year 9999
        return None


def from_struct_time(value: time.struct_time | None) -> datetime | None:
    """feedparser's *_parsed fields are UTC struct_time values."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (OverflowError, ValueError):
        return None


def as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
