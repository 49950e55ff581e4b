"""Numbers that state facts (a vote count, a toll, a deadline), told apart from calendar
numbers: years, days next to a month name, and times of day (which reading text drops)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from tracker.text.calendar_words import MONTHS
from tracker.text.normalise import normalize

_CALENDAR_NUMBER = re.compile(r"^(?:19|20)\d\d$|^0\d?$")
_MONTH_TOKENS = frozenset(t for name in MONTHS for t in normalize(name).split())

# Small numbers written as words ("four", «أربعة») help an English report find its Arabic
# story, but are no facts of their own («ستة أشهر» restates «180 يوماً»).
SPELLED_NUMBERS = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "twelve": "12", "twenty": "20",
    "اثنان": "2", "اثنين": "2", "اثنتين": "2", "ثلاثه": "3", "ثلاث": "3", "اربعه": "4",
    "اربع": "4", "خمسه": "5", "خمس": "5", "سته": "6", "سبعه": "7", "سبع": "7", "ثمانيه": "8",
    "تسعه": "9", "تسع": "9", "عشره": "10",
}  # fmt: skip


def fact_numbers(tokens: Sequence[str]) -> set[str]:
    """The fact numbers among normalised tokens."""
    found = set()
    for index, token in enumerate(tokens):
        if not token.isdigit() or _CALENDAR_NUMBER.match(token):
            continue
        before = tokens[index - 1] if index else ""
        after = tokens[index + 1] if index + 1 < len(tokens) else ""
        if before in _MONTH_TOKENS or after in _MONTH_TOKENS:
            continue
        found.add(token)
    return found


def spelled_numbers(tokens: Iterable[str]) -> set[str]:
    return {SPELLED_NUMBERS[t] for t in tokens if t in SPELLED_NUMBERS}
