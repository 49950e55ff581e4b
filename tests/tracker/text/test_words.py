"""The Arabic and English word rules that matching and story features share."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.text import arabic, english
from tracker.text.normalise import normalize
from tracker.text.words import forms, stem

ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


@given(
    st.sampled_from(("", *arabic.PROCLITICS)),
    st.text(ARABIC_LETTERS, min_size=2, max_size=7),
    st.sampled_from(("", *arabic.SUFFIXES)),
)
def test_the_stem_of_a_word_is_one_of_the_forms_matching_knows(
    proclitic: str, core: str, suffix: str
) -> None:
    # One inventory of clitics and endings: the features' single stem never strays
    # outside what matching would accept for the same word.
    word = proclitic + core + suffix
    assert stem(word) in forms(word)


@pytest.mark.parametrize(
    ("written", "stem_"),
    [
        ("وبالقانون", "قانون"),  # و + ب + ال: the whole proclitic goes
        ("للتحالف", "تحالف"),
        ("والمعتقلين", "معتقل"),
        ("قانون", "قانون"),  # «ون» is part of the word: four letters must remain
        ("البرلمان", "برلمان"),  # «ان» is not cut from a word's one stem
        ("فالسجون", "سجون"),
    ],
)
def test_arabic_light_stems(written: str, stem_: str) -> None:
    assert stem(normalize(written)) == normalize(stem_)


def test_a_contracted_article_is_lil_never_lal() -> None:
    assert "لل" in arabic.PROCLITICS
    assert not any(p.endswith("لال") for p in arabic.PROCLITICS)


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("prisons", "prison"),
        ("facilities", "facility"),
        ("taxes", "tax"),
        ("cases", "case"),
        ("releases", "release"),
        ("classes", "class"),
        ("churches", "church"),
        ("crisis", "crisis"),
        ("bus", "bus"),
        ("talks", "talk"),
    ],
)
def test_english_plurals(plural: str, singular: str) -> None:
    assert english.singular(plural) == singular
    assert stem(plural) == singular
    assert singular in forms(plural)
