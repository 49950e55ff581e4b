"""Dates written in words, in Arabic and English, read in the outlet's zone and kept in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tracker.articles.dates import parse_date

DAMASCUS = ZoneInfo("Asia/Damascus")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("الثلاثاء 6 كانون الثاني/يناير 2026 - 21:00", datetime(2026, 1, 6, 18, 0)),
        ("الثلاثاء 11 تشرين الثاني/نوفمبر 2025", datetime(2025, 11, 10, 21, 0)),
        ("نُشر في ١٢ آذار ٢٠٢٥ الساعة ٠٩:٣٠ مساءً", datetime(2025, 3, 12, 18, 30)),
        ("3 أيلول 2025 - 12:15 ص", datetime(2025, 9, 2, 21, 15)),
        ("10 نوفمبر 2025م - 09:10 م", datetime(2025, 11, 10, 18, 10)),
        ("الخميس، 4 ديسمبر، 2025 11:05 صباحاً", datetime(2025, 12, 4, 8, 5)),
        ("15 جوان 2025", datetime(2025, 6, 14, 21, 0)),
        ("November 11, 2025 10:30 AM", datetime(2025, 11, 11, 7, 30)),
        ("Updated 4 Dec 2025, 4.45pm", datetime(2025, 12, 4, 13, 45)),
    ],
)
def test_dates_in_words_are_read_in_the_outlet_zone(text: str, expected: datetime) -> None:
    assert parse_date(text, DAMASCUS) == expected.replace(tzinfo=UTC)


def test_a_zone_in_the_text_wins_over_the_outlet_zone() -> None:
    assert parse_date("2026-01-06T21:00:00+03:00", ZoneInfo("America/New_York")) == datetime(
        2026, 1, 6, 18, 0, tzinfo=UTC
    )


@pytest.mark.parametrize("text", ["31 فبراير 2025", "لا تاريخ هنا", "Caesar 2025", ""])
def test_no_date_or_an_impossible_one_is_none(text: str) -> None:
    assert parse_date(text, DAMASCUS) is None
