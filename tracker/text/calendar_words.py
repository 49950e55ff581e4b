"""Month names and times of day as outlets write them: Arabic, English, French, Turkish.

Levantine (كانون الثاني …), Egyptian/Gulf (يناير …) and Maghrebi (جانفي …) month names, in
their folded spelling (tracker.text.normalise.fold_letters); English names and
abbreviations; French and Turkish names (with and without their accents), so a day next to
one is never taken for a fact.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence

MONTHS: dict[str, int] = {
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
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_name) if name})
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
# French and Turkish, for outlets in those languages; folded as normalisation folds them.
MONTHS.update(
    {
        name: i
        for i, names in enumerate(
            (
                ("janvier", "ocak"), ("fevrier", "février", "şubat", "subat"), ("mars", "mart"),
                ("avril", "nisan"), ("mai", "mayıs", "mayis"), ("juin", "haziran"),
                ("juillet", "temmuz"), ("aout", "août", "ağustos", "agustos"),
                ("septembre", "eylül", "eylul"), ("octobre", "ekim"),
                ("novembre", "kasım", "kasim"), ("decembre", "décembre", "aralık", "aralik"),
            ),
            start=1,
        )
        for name in names
    }
)  # fmt: skip

# 21:00, 21:00GMT, 9.30 pm, ٠٩:٣٠ مساءً (after folding): hour, minute, second, meridiem. A
# meridiem is a whole word («10:30 مصر» is no 10:30 pm).
TIME_OF_DAY = re.compile(
    r"(?<!\d)(\d{1,2})[:.](\d{2})(?::(\d{2}))?"
    r"(?:\s*(صباحا|مساء|ص|م|am|pm|a\.m\.|p\.m\.)(?![\w]))?(?!\d)",
    re.I,
)
PM = frozenset({"مساء", "م", "pm", "p.m."})
AM = frozenset({"صباحا", "ص", "am", "a.m."})

# Words that say on which day something happened, in their normalised forms: the "when"
# a news lead gives («أعلنت الرئاسة، السبت،», "said on Tuesday", "last night", "hier",
# "bugün"). Not «ظهر» or «فجر» alone: more often "appeared" and "blew up" than noon and dawn.
DAY_WORDS = frozenset((
    "الاحد", "الاثنين", "الثلاثاء", "الاربعاء", "الخميس", "الجمعه", "السبت", "اليوم", "امس",
    "بالامس", "البارحه", "الليله", "مساء", "صباح",
    "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "today",
    "tonight", "yesterday", "overnight", "morning", "afternoon", "evening", "night", "week",
    "weekend",
    "dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "aujourd", "hier",
    "matin", "soir", "nuit",
    "pazar", "pazartesi", "salı", "sali", "çarşamba", "carsamba", "perşembe", "persembe",
    "cuma", "cumartesi", "bugün", "bugun", "dün", "dun", "sabah", "akşam", "aksam", "gece",
))  # fmt: skip
# A month's name beside a day of it: "Oct 13", «12 نوفمبر», «12 من كانون الثاني», "13 ekim".
_MONTH_FIRST_WORDS = frozenset(name.split()[0] for name in MONTHS)
_ONE_WORD_MONTHS = frozenset(name for name in MONTHS if " " not in name)
_OF = frozenset({"من", "de"})
# A date in figures, as normalising leaves it: 13/10/2025 and 2025-10-13 both read as three.
_NUMERIC_DATE = re.compile(
    r"(?:^| )(?:\d{1,2} \d{1,2} (?:19|20)\d\d|(?:19|20)\d\d \d{1,2} \d{1,2})(?= |$)"
)


def says_when(tokens: Sequence[str]) -> bool:
    """Whether normalised text names the day something happened: a day's name, today or
    yesterday, or a date. News leads do; analyses and features seldom do."""
    for index, token in enumerate(tokens):
        if token in DAY_WORDS:
            return True
        if len(token) <= 2 and token.isdigit() and int(token) <= 31:
            before = tokens[index - 1] if index else ""
            after = tokens[index + 1 : index + 3]
            if after and after[0] in _OF:
                after = after[1:]
            if (after and after[0] in _MONTH_FIRST_WORDS) or before in _ONE_WORD_MONTHS:
                return True
    return bool(_NUMERIC_DATE.search(" ".join(tokens)))
