"""Data-driven matching cases (tests/data/matching_cases.yaml), seeds, and matching laws."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from config import Topic, load_watchlist
from tests.support.corpus import DATA, SEEDS
from tracker.text.match import TopicMatcher
from tracker.text.normalise import normalize, tokens

CASES: list[dict[str, Any]] = YAML(typ="safe").load(
    (DATA / "matching_cases.yaml").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("case", CASES, ids=[c["why"] for c in CASES])
def test_matching_case(case: dict[str, Any]) -> None:
    rules = {k: case[k] for k in ("any", "all", "none", "in") if k in case}
    matcher = TopicMatcher([Topic.model_validate({"name": "t", **rules})])
    matched = bool(matcher.match(tokens(case.get("title", "")), tokens(case["text"])))
    assert matched is case["match"], case["why"]


# What a reader would file each seed article under (the example watchlist's topics).
SEED_TOPICS = {
    # Barrack announces the visit; Caesar sanctions; the fifth Israel-Syria round expected.
    "000": {"caesar-act", "coalition", "israel-talks"},
    # The White House meeting; Caesar pledge; stalled talks on a security deal.
    "001": {"caesar-act", "coalition", "israel-talks"},
    # Asharq al-Awsat's page: the meeting, the 180-day Caesar suspension and, further down,
    # the al-Shaddadi escape. It also covers Lebanon, which the israel-talks topic excludes.
    "002": {"caesar-act", "coalition", "sdf-prisons"},
    # The visit announced, and the fifth round of negotiations it prepares.
    "003": {"coalition", "israel-talks"},
    # The political declaration with the coalition; US support for a security agreement.
    "004": {"coalition", "israel-talks"},
}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed articles live in ../shared/corpus")
@pytest.mark.parametrize("number", sorted(SEED_TOPICS))
def test_seed_articles_match_what_a_reader_would_assign(number: str) -> None:
    watchlist = load_watchlist(
        [Path(__file__).parents[3] / "config" / "watchlist.yaml"], environ={}
    )
    [path] = SEEDS.glob(f"{number}_*.txt")
    text = path.read_text(encoding="utf-8")
    topics = {m.topic for m in TopicMatcher(watchlist.topics).match((), tokens(text))}
    assert topics == SEED_TOPICS[number]


# --- laws -------------------------------------------------------------------------------

ARABIC_TERMS = [
    "قانون قيصر",
    "قسد",
    "التحالف الدولي",
    "الشدادي",
    "سجن",
    "مجلس الشيوخ",
    "تنظيم الدولة",
    "غويران",
    "فض الاشتباك",
]
DIACRITICS = [chr(c) for c in range(0x064B, 0x0653)]
PROCLITICS = ["", "و", "ف", "ب", "ل", "ك", "وب", "فل", "وال", "بال", "فبال", "وبال"]


@given(st.text(max_size=200))
def test_normalisation_is_idempotent(text: str) -> None:
    assert normalize(normalize(text)) == normalize(text)


@st.composite
def decorated(draw: st.DrawFn, term: str) -> str:
    """The term as an outlet might print it: proclitics, diacritics, tatweel."""
    words = term.split()
    proclitic = draw(st.sampled_from(PROCLITICS))
    first = words[0]
    if proclitic.endswith("ال") and first.startswith("ال"):
        proclitic = proclitic[:-2]
    if proclitic.endswith("ل") and first.startswith("ال"):
        first = first[1:]  # ل + الشدادي is written للشدادي
    words[0] = proclitic + first
    out = []
    for word in words:
        letters = []
        for index, letter in enumerate(word):
            letters.append(letter)
            if draw(st.booleans()):
                letters.append(draw(st.sampled_from(DIACRITICS)))
            if 0 < index < len(word) - 1 and draw(st.integers(0, 4)) == 0:
                letters.append("ـ" * draw(st.integers(1, 3)))
        out.append("".join(letters))
    return " ".join(out)


@given(st.data())
def test_decorating_a_matched_arabic_term_never_loses_the_match(data: st.DataObject) -> None:
    term = data.draw(st.sampled_from(ARABIC_TERMS))
    matcher = TopicMatcher([Topic(name="t", any=[term])])
    assert matcher.match((), tokens(f"قال مصدر إن {term} اليوم"))
    text = f"قال مصدر إن {data.draw(decorated(term))} اليوم"
    assert matcher.match((), tokens(text)), text


ENGLISH_TERMS = ["Caesar Act", "SDF", "Islamic State", "prison", "Global Coalition"]


@given(st.sampled_from(ENGLISH_TERMS), st.data())
def test_casing_never_changes_an_english_match(term: str, data: st.DataObject) -> None:
    sentence = f"Officials said the {term} was discussed, not Caesarea."
    recased = "".join(c.upper() if data.draw(st.booleans()) else c.lower() for c in sentence)
    matcher = TopicMatcher([Topic(name="t", any=[term]), Topic(name="u", any=["Caesar"])])
    assert matcher.match((), tokens(recased)) == matcher.match((), tokens(sentence))
    expected = ["t", "u"] if "caesar" in term.lower() else ["t"]  # never via "Caesarea"
    assert [m.topic for m in matcher.match((), tokens(recased))] == expected
