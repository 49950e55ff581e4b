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

_MONTHS = {
    # Levantine and Iraqi
    "كانون الثاني": 1, "شباط": 2, "اذار": 3, "نيسان": 4, "ايار": 5, "حزيران": 6, "تموز": 7,
    "اب": 8, "ايلول": 9, "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الاول": 12,
    # Egyptian and Gulf
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "مايو": 5, "يونيو": 6, "يونيه": 6,
    "يوليو": 7, "يوليه": 7, "اغسطس": 8, "سبتمبر": 9, "اكتوبر": 10, "نوفمبر": 11,
    "ديسمبر": 12,
    # Maghrebi
    "جانفي": 1, "فيفري": 2, "افريل": 4, "ماي": 5, "جوان": 6, "جويليه": 7, "اوت": 8,
}  # fmt: skip
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_name) if name})
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
MONTH_NAMES = tuple(_MONTHS)

_MONTH = "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))
_DAY_MONTH_YEAR = re.compile(
    rf"(?<!\d)(\d{{1,2}})\s+({_MONTH})(?![\w])\.?(?:\s*/\s*(?:{_MONTH}))?\s*[,،]?\s+(\d{{4}})(?!\d)",
    re.I,
)
_MONTH_DAY_YEAR = re.compile(
    rf"(?<![\w])({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})", re.I
)
_TIME = re.compile(
    r"(?<!\d)(\d{1,2})[:.](\d{2})(?::(\d{2}))?\s*(صباحا|مساء|ص|م|am|pm|a\.m\.|p\.m\.)?(?![\w])",
    re.I,
)
_PM = {"مساء", "م", "pm", "p.m."}
_AM = {"صباحا", "ص", "am", "a.m."}
# Light folding for month names and digits only: keeps ":" and "/" that dates need.
_FOLD = str.maketrans(
    {**{chr(0x0660 + d): str(d) for d in range(10)}, **{chr(0x06F0 + d): str(d) for d in range(10)},
     "أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ـ": None,
     **{chr(c): None for c in range(0x064B, 0x0653)}}
)  # fmt: skip


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
    folded = text.translate(_FOLD)
    match = _DAY_MONTH_YEAR.search(folded)
    if match:
        day, month, year = int(match.group(1)), _MONTHS[match.group(2).lower()], match.group(3)
    else:
        match = _MONTH_DAY_YEAR.search(folded)
        if not match:
            return None
        month, day, year = _MONTHS[match.group(1).lower()], int(match.group(2)), match.group(3)
    hour = minute = second = 0
    clock = _TIME.search(folded, match.end()) or _TIME.search(folded, 0, match.start())
    if clock:
        hour, minute = int(clock.group(1)), int(clock.group(2))
        second = int(clock.group(3) or 0)
        meridiem = (clock.group(4) or "").lower()
        if meridiem in _PM and hour < 12:
            hour += 12
        elif meridiem in _AM and hour == 12:
            hour = 0
    try:
        local = datetime(int(year), month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None
    return local.astimezone(UTC)


def mentions_time(text: str) -> bool:
    """Whether `text` carries a time of day (a masthead's date of today does not)."""
    return bool(_TIME.search(text.translate(_FOLD)))


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
