"""Numbers that state facts (a vote count, a toll, a deadline), told apart from calendar
numbers: years, days next to a month name, and times of day (which reading text drops)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from tracker.text import arabic
from tracker.text.calendar_words import MONTHS
from tracker.text.normalise import normalize

_CALENDAR_NUMBER = re.compile(r"^(?:19|20)\d\d$|^0\d?$")
# Arabic writes "and", "by", "to" joined to the word after them, figures and round words
# included: «و28 جريحاً» (and 28 wounded), «بـ46 مقعداً» (with 46 seats), «وبألف». Not «ك»
# ("like"): «كـ50» is an example, not a count.
_CONJUNCTION = "".join(arabic.CONJUNCTIONS)
_PREPOSITION = "".join(p for p in arabic.PREPOSITIONS if p != "ك")
_PROCLITIC = f"(?:[{_CONJUNCTION}]?[{_PREPOSITION}]|[{_CONJUNCTION}])"
_PROCLITIC_AND_WORD = re.compile(f"^{_PROCLITIC}(.+)$")
_PROCLITIC_LETTERS = frozenset(_CONJUNCTION + _PREPOSITION)  # a cheap test before the match
_ANY_PROCLITIC_FIGURE = re.compile(rf"(?:^| ){_PROCLITIC}\d")


def _bare(tokens: Sequence[str]) -> Sequence[str]:
    """The tokens with their figures freed of the conjunction or preposition written onto
    them (the same sequence when there is none, as in most text)."""
    if not _ANY_PROCLITIC_FIGURE.search(" ".join(tokens)):
        return tokens
    return [_without_proclitic(t, str.isdigit) for t in tokens]


def _without_proclitic(token: str, wanted: Callable[[str], bool]) -> str:
    """`token` without the conjunction or preposition written onto it when what is left
    is `wanted`; else `token` as it is."""
    joined = _PROCLITIC_AND_WORD.match(token)
    return joined[1] if joined and wanted(joined[1]) else token


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


def _is_calendar(tokens: Sequence[str], index: int) -> bool:
    """Whether the number at `index` is a year, a padded day or hour, or a day of a month."""
    if _CALENDAR_NUMBER.match(tokens[index]):
        return True
    if int(tokens[index]) > 31:
        return False
    before = tokens[index - 1] if index else ""
    after = tokens[index + 1] if index + 1 < len(tokens) else ""
    return before in _MONTH_TOKENS or after in _MONTH_TOKENS


def fact_numbers(tokens: Sequence[str]) -> set[str]:
    """The fact numbers among normalised tokens."""
    tokens = _bare(tokens)
    return {
        token
        for index, token in enumerate(tokens)
        if token.isdigit() and not _is_calendar(tokens, index)
    }


def spelled_numbers(tokens: Iterable[str]) -> set[str]:
    return {SPELLED_NUMBERS[t] for t in tokens if t in SPELLED_NUMBERS}


# Words that multiply the number before them, in their normalised forms («89 ألف» is 89,000).
_MULTIPLIERS = {
    **dict.fromkeys(("الف", "الفا", "الاف", "thousand", "thousands", "mille", "bin"), 1_000),
    **dict.fromkeys(("مليون", "مليونا", "ملايين", "million", "millions", "milyon"), 1_000_000),
    **dict.fromkeys(("مليار", "مليارا", "billion", "billions", "milliard", "milyar"), 10**9),
}
# Round figures written as words, in their normalised forms: «نحو مئة جريح» is 100, «ألف»
# alone a thousand (after a number it multiplies: «89 ألفاً»).
_HUNDREDS = ("ميه", "مايه")
_HUNDRED_UNITS = {"ثلاث": 3, "اربع": 4, "خمس": 5, "ست": 6, "سبع": 7, "ثماني": 8, "ثمان": 8,
                  "تسع": 9}  # fmt: skip
_ROUND_WORDS = {
    **dict.fromkeys((*_HUNDREDS, "hundred"), 100),
    **dict.fromkeys(
        ("ميتين", "ميتان", "ميتا", "ميتي", "مايتين", "مايتان", "مايتا", "مايتي"), 200
    ),
    # «ثلاثمئة» in one word (in two, «ثلاث مئة», the unit comes before)
    **{f"{unit}{hundred}": value * 100 for unit, value in _HUNDRED_UNITS.items()
       for hundred in _HUNDREDS},
    **dict.fromkeys(("الف", "thousand"), 1_000),
    **dict.fromkeys(("الفين", "الفان", "الفي"), 2_000),
}  # fmt: skip
_LONGEST_FIGURE = 15  # digits; a longer run is an identifier, not a count
_ENGLISH_ROUND = {"hundred", "thousand"}  # a figure only as "a hundred": "three hundred"
_THREE_DIGITS = re.compile(r"^\d{3}$")
_DECIMAL_DIGITS = re.compile(r"^\d{1,2}$")
_SAME_FACT = 0.1  # figures this close state one fact ("460", "nearly 500")


def quantities(tokens: Sequence[str]) -> set[int]:
    """The fact numbers among normalised tokens as values: groups written with a space or a
    dot are joined ("1 426", "1.968"), a thousand or million word after a number, or after
    a decimal ("1.5 million", which normalising splits), multiplies it, and a round figure
    written as a word («مئة», "a hundred") counts as its value."""
    tokens = _bare(tokens)
    found = set()
    index = 0
    while index < len(tokens):
        start, token = index, tokens[index]
        index += 1
        before = tokens[start - 1] if start else ""
        word = token
        if token[:1] in _PROCLITIC_LETTERS:
            word = _without_proclitic(token, _ROUND_WORDS.__contains__)
        if (
            word in _ROUND_WORDS
            and not before.isdigit()
            and (word not in _ENGLISH_ROUND or before in ("a", "one"))
        ):
            factor = _MULTIPLIERS.get(tokens[index], 1) if index < len(tokens) else 1
            index += factor > 1
            if word in _HUNDREDS:
                factor *= _HUNDRED_UNITS.get(before, 1)
            found.add(_ROUND_WORDS[word] * factor)
            continue
        if not token.isdigit() or len(token) > _LONGEST_FIGURE or _is_calendar(tokens, start):
            continue
        digits = token
        while len(digits) <= 9 and index < len(tokens) and _THREE_DIGITS.match(tokens[index]):
            digits += tokens[index]
            index += 1
        value = float(digits)
        if (
            index + 1 < len(tokens)
            and _DECIMAL_DIGITS.match(tokens[index])
            and tokens[index + 1] in _MULTIPLIERS
        ):
            value = float(f"{digits}.{tokens[index]}")
            index += 1
        factor = _MULTIPLIERS.get(tokens[index], 1) if index < len(tokens) else 1
        found.add(round(value * factor))
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
