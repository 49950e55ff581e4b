"""Publication dates from feeds and pages, always returned as aware UTC datetimes.

Machine dates (ISO 8601, RFC 822) and dates written in words, in Arabic and English:
«الثلاثاء 11 تشرين الثاني/نوفمبر 2025», «6 كانون الثاني/يناير 2026 - 21:00»,
«١٢ مارس ٢٠٢٥ ٠٩:٣٠ مساءً», "November 11, 2025 10:30 AM". Levantine (كانون الثاني …),
Egyptian/Gulf (يناير …) and Maghrebi (جانفي …) month names are known. A date written without
a zone is in the zone the caller gives (the outlet's), else UTC.
"""

from __future__ import annotations

import calendar
import email.utils
import re
import time
from datetime import UTC, datetime, tzinfo

from tracker.text.calendar_words import AM, MONTHS, PM, TIME_OF_DAY
from tracker.text.normalise import fold_letters

_MONTH = "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True))
_DAY_MONTH_YEAR = re.compile(
    rf"(?<!\d)(\d{{1,2}})\s+({_MONTH})(?![\w])\.?(?:\s*/\s*(?:{_MONTH}))?\s*[,،]?\s+(\d{{4}})(?!\d)",
    re.I,
)
_MONTH_DAY_YEAR = re.compile(
    rf"(?<![\w])({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})", re.I
)


def parse_date(value: str | None, zone: tzinfo = UTC) -> datetime | None:
    """ISO 8601, RFC 822 or a date in words; None when there is no readable date."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            words = parse_date_in_words(value, zone)
            return words
    try:
        return as_utc(parsed, zone)
    except OverflowError:  # a date at the edge of the calendar, e.g. year 9999
        return None


def parse_date_in_words(text: str, zone: tzinfo = UTC) -> datetime | None:
    """The first date written in words in `text`, with a time if one follows it."""
    folded = fold_letters(text)
    match = _DAY_MONTH_YEAR.search(folded)
    if match:
        day, month, year = int(match.group(1)), MONTHS[match.group(2).lower()], match.group(3)
    else:
        match = _MONTH_DAY_YEAR.search(folded)
        if not match:
            return None
        month, day, year = MONTHS[match.group(1).lower()], int(match.group(2)), match.group(3)
    hour = minute = second = 0
    clock = TIME_OF_DAY.search(folded, match.end()) or TIME_OF_DAY.search(folded, 0, match.start())
    if clock:
        hour, minute = int(clock.group(1)), int(clock.group(2))
        second = int(clock.group(3) or 0)
        meridiem = (clock.group(4) or "").lower()
        if meridiem in PM and hour < 12:
            hour += 12
        elif meridiem in AM and hour == 12:
            hour = 0
    try:
        local = datetime(int(year), month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None
    return local.astimezone(UTC)


def mentions_time(text: str) -> bool:
    """Whether `text` carries a time of day (a masthead's date of today does not)."""
    return bool(TIME_OF_DAY.search(fold_letters(text)))


def from_struct_time(value: time.struct_time | None) -> datetime | None:
    """feedparser's *_parsed fields are UTC struct_time values."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (OverflowError, ValueError):
        return None


def as_utc(value: datetime, zone: tzinfo = UTC) -> datetime:
    """An aware UTC datetime; a naive one is taken to be in `zone`."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)
