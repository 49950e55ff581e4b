"""Fact numbers and the figures they state: what an event's new figure is measured by."""

from __future__ import annotations

import pytest

from tracker.text.normalise import normalize
from tracker.text.numbers import fact_numbers, quantities, states_known


def figures(text: str) -> set[int]:
    return quantities(normalize(text).split())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,426 prisoners moved", {1426}),
        ("1.968 Häftlinge verlegt", {1968}),
        ("نقل 89 ألفاً من النازحين", {89_000}),
        ("3 ملايين لاجئ", {3_000_000}),
        ("aid worth 1.5 million dollars", {1_500_000}),
        ("2.5 مليار دولار", {2_500_000_000}),
        ("10 bin kişi", {10_000}),
    ],
)
def test_grouped_and_multiplied_figures_read_as_their_value(text, expected) -> None:
    assert figures(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("قتل 37 وأصيب نحو مئة آخرين", {37, 100}),
        ("أكثر من مائة جريح", {100}),
        ("ثلاثمئة أسير", {300}),
        ("مئة ألف نازح", {100_000}),
        ("نحو ألف قتيل", {1_000}),
        ("أكثر من ألفي معتقل", {2_000}),
        ("a hundred people", {100}),
        ("three hundred people", set()),  # not "a hundred": spelled out, no figure read
        ("ثلاث مئة قتيل", {300}),
        ("ثلاث مئة ألف نازح", {300_000}),
        ("ومئتا جريح وبألف صوت", {200, 1_000}),
    ],
)
def test_round_figures_written_as_words_read_as_their_value(text, expected) -> None:
    # «نحو مئة جريح» in one report, "100 wounded" in the next: one figure, not a new one.
    assert figures(text) == expected


def test_only_a_whole_multiplier_word_multiplies() -> None:
    # «الفصائل» (the factions) begins like «ألف», "binaları" like Turkish "bin".
    assert figures("12 الفصائل المسلحة") == {12}
    assert figures("5 binaları yıkıldı") == {5}


def test_a_figure_with_a_conjunction_or_preposition_joined_to_it_is_read() -> None:
    # «و28 جريحاً» (and 28 wounded), «بـ46 مقعداً» (with 46 seats): Arabic writes them as one.
    assert figures("الحصيلة 5 شهداء و28 جريحاً") == {5, 28}
    assert figures("فاز بـ46 مقعداً ول12 حزباً") == {46, 12}
    assert fact_numbers(normalize("و28 جريحاً في 3 آذار و2025").split()) == {"28"}
    assert figures("وبعد 460 يوماً") == {460}  # a word, not a figure, follows the و


def test_a_run_of_digits_too_long_for_a_count_is_no_figure() -> None:
    assert figures(f"ticket {'9' * 400} and 12 dead") == {12}


def test_dates_are_no_figures_but_a_large_number_beside_a_month_is() -> None:
    assert figures("the vote on 12 March, in 2025") == set()
    assert figures("March 12 vote") == set()
    assert figures("by March 460 were freed") == {460}
    assert fact_numbers(normalize("في 3 آذار أفرج عن 460").split()) == {"460"}


def test_rounded_figures_restate_one_fact() -> None:
    assert states_known(500, {460})  # "nearly 500" after 460
    assert states_known(56, {57})
    assert not states_known(600, {460})
    assert not states_known(12, {9})
    assert not states_known(3, {4})
