"""The passage a search result quotes: the outlet's own words around the match."""

from __future__ import annotations

from tracker.text.search_words import closeness, query_keys
from tracker.text.snippets import snippet


def test_a_long_sentence_is_cut_around_the_match() -> None:
    body = " ".join(f"كلمة{i}" for i in range(40)) + " ونقلت «لقسد» رسالة " + "آخر " * 30
    quoted = str(snippet("عنوان", body, query_keys("قسد")))
    assert quoted.startswith("… كلمة33 ")  # eight words of context before the match
    assert "ونقلت «[لقسد]» رسالة" in quoted  # the quotes stay outside the brackets
    assert quoted.endswith(" …")
    assert len(quoted.split()) <= 32


def test_the_sentence_with_the_words_together_is_quoted() -> None:
    body = "تحدث الوزير عن قانون جديد وعن قيصر. ثم أكد أن إلغاءَ قانونِ قيصرَ قريب."
    quoted = str(snippet("", body, query_keys("قانون قيصر")))
    assert quoted == "ثم أكد أن إلغاءَ [قانونِ] [قيصرَ] قريب."


def test_the_title_is_quoted_when_the_body_holds_no_match() -> None:
    assert str(snippet("سجن الشدادي", "", query_keys("الشدادي"))) == "سجن [الشدادي]"


def test_closeness_reads_phrases_as_matching_does() -> None:
    keys = query_keys("قانون قيصر")
    assert closeness("", "وبقانون قَيصر", keys) == 2
    assert closeness("قيصر", "قانون", keys) == 1
    assert closeness("قيصرية", "قانون", keys) == 0  # a caesarean section is not Caesar
