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


# Words that multiply the number before them, in their normalised forms («89 ألف» is 89,000).
_MULTIPLIERS = (
    (("الف", "الاف", "thousand", "mille", "bin"), 1_000),
    (("مليون", "ملايين", "million", "milyon"), 1_000_000),
    (("مليار", "billion", "milliard", "milyar"), 1_000_000_000),
)
_THREE_DIGITS = re.compile(r"^\d{3}$")
_SAME_FACT = 0.1  # figures this close state one fact ("460", "nearly 500")


def quantities(tokens: Sequence[str]) -> set[int]:
    """The fact numbers among normalised tokens as values: groups written with a space or a
    dot are joined ("1 426", "1.968") and a following thousand or million word multiplies."""
    found = set()
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if not token.isdigit() or _CALENDAR_NUMBER.match(token):
            continue
        before = tokens[index - 2] if index > 1 else ""
        if before in _MONTH_TOKENS or (index < len(tokens) and tokens[index] in _MONTH_TOKENS):
            continue
        digits = token
        while len(digits) <= 9 and index < len(tokens) and _THREE_DIGITS.match(tokens[index]):
            digits += tokens[index]
            index += 1
        value = int(digits)
        following = tokens[index] if index < len(tokens) else ""
        for words, factor in _MULTIPLIERS:
            if following.startswith(words):
                value *= factor
                break
        found.add(value)
    return found


def states_known(value: int, known: Iterable[int]) -> bool:
    """Whether `value` restates a known figure: outlets round and cite other sources for
    one fact ("460", "nearly 500"), so large figures within a tenth are one; a count under
    a hundred is the same within 2 (56.11% is "56%"), a small one only when equal."""
    for other in known:
        gap, larger = abs(value - other), max(value, other)
        if gap == 0 or (
            larger >= 10 and gap <= _SAME_FACT * larger and (larger >= 100 or gap <= 2)
        ):
            return True
    return False
