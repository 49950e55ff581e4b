"""English word rules: plurals and stop words (words here are normalised, lower-case)."""

from __future__ import annotations

STOPWORDS = frozenset(
    " ".join(
        (
            "the a an of to in on at for by with from and or but is are was were be been being",
            "has have had that this these those it its as said says say will would could should",
            "not no over after before about into than their they them he she his her who whom",
            "which what when where also more most new up out there here then just only other some",
            "such can may might one two monday tuesday wednesday thursday friday saturday sunday",
            "today yesterday week month year",
        )
    ).split()
)


def singular(word: str) -> str:
    """The singular of a simple plural ("prisons", "facilities", "taxes", "cases",
    "classes"); other words, and words of three letters or fewer, as they are ("this",
    "crisis", "bus")."""
    if len(word) <= 3 or not word.isascii() or not word.isalpha():
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "zzes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
