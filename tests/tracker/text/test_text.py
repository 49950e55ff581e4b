from __future__ import annotations

import pytest

from tracker.text.normalise import guess_language, normalize, tokens
from tracker.text.sentences import excerpt, paragraphs

CASES = [
    # (raw, normalised)
    ("قُوّاتُ سوريا الديمقراطية", "قوات سوريا الديمقراطيه"),
    ("الأمريكـــية", "الامريكيه"),
    ("إلغاء «قيصر»", "الغاء قيصر"),
    ("مؤسسة رئيس", "موسسه رييس"),
    ("على مستوى", "علي مستوي"),
    ("٤٬٥٠٠ معتقل و١٢٦ فاراً", "4500 معتقل و126 فارا"),
    ("۱۲۳ پیام", "123 پيام"),
    ("Caesar's Act, U.S.", "caesar s act u s"),
    ("“quoted” — dash", "quoted dash"),
    ("ﻻ", "لا"),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_normalize_folds_spelling_variants(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(("raw", "_"), CASES)
def test_normalize_is_idempotent(raw: str, _: str) -> None:
    assert normalize(normalize(raw)) == normalize(raw)


def test_tokens_keep_numbers_and_latin_words() -> None:
    assert tokens("صوّت 77 عضواً مقابل 20 in the Senate") == [
        "صوت",
        "77",
        "عضوا",
        "مقابل",
        "20",
        "in",
        "the",
        "senate",
    ]


def test_language_is_guessed_from_letters() -> None:
    assert guess_language("مجلس الشيوخ الأمريكي يقر قانون الدفاع") == "ar"
    assert guess_language("The Senate passed the defense bill on Wednesday") == "en"
    assert guess_language("2025") is None


def test_an_excerpt_takes_whole_sentences_of_the_first_paragraph() -> None:
    text = ("First sentence is here. " * 30).strip() + "\n\nSecond paragraph."
    taken = excerpt(paragraphs(text)[0], limit=100)
    assert taken.startswith("First sentence is here.")
    assert taken.endswith(".")
    assert len(taken) <= 100
    assert "Second" not in taken
