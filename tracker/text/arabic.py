"""Arabic word rules: the clitics and endings outlets attach to a word, and stop words.

Words here are normalised tokens (tracker.text.normalise): ة is already ه, hamza carriers
are plain letters. Matching asks for every form a word may stand for (`forms`); features
ask for one light stem (`light_stem`), in the style of Larkey's light10.
"""

from __future__ import annotations

from collections.abc import Iterator

from tracker.text.normalise import normalize

ARTICLE = "ال"
CONJUNCTIONS = ("و", "ف")
PREPOSITIONS = ("ب", "ك", "ل")
# ل before ال contracts to لل («للتحالف»), never «لال».
_WITH_ARTICLE = (ARTICLE, "ب" + ARTICLE, "ك" + ARTICLE, "لل")
_WITHOUT_ARTICLE = ("", *PREPOSITIONS)
PROCLITICS = tuple(
    sorted(
        {c + p for c in ("", *CONJUNCTIONS) for p in _WITH_ARTICLE + _WITHOUT_ARTICLE} - {""},
        key=lambda p: (-len(p), p),
    )
)
# Proclitics ending in the article, longest first: what a light stem drops.
ARTICLE_PROCLITICS = tuple(p for p in PROCLITICS if p.endswith((ARTICLE, "لل")))
POSSESSIVE_SUFFIXES = ("ه", "ها", "هم", "هما", "هن", "كم", "كما", "نا")
PLURAL_SUFFIXES = ("ات", "ون", "ين", "ان", "تان", "تين")
SUFFIXES = POSSESSIVE_SUFFIXES + PLURAL_SUFFIXES
# The one stem of a word drops only the commonest endings: «ان» would cut «برلمان».
STEM_SUFFIXES = ("ات", "ون", "ين", "ها", "هم", "ه")
MIN_STEM = 2  # letters left after removing proclitics
MIN_SUFFIXED_STEM = 3  # letters left after removing a suffix

_PROCLITICS_BY_FIRST_LETTER: dict[str, tuple[str, ...]] = {}
for _proclitic in PROCLITICS:
    _PROCLITICS_BY_FIRST_LETTER[_proclitic[0]] = (
        *_PROCLITICS_BY_FIRST_LETTER.get(_proclitic[0], ()),
        _proclitic,
    )
_SUFFIXES_BY_LAST_LETTER: dict[str, tuple[str, ...]] = {}
for _suffix in SUFFIXES:
    _SUFFIXES_BY_LAST_LETTER[_suffix[-1]] = (
        *_SUFFIXES_BY_LAST_LETTER.get(_suffix[-1], ()),
        _suffix,
    )

STOPWORDS = frozenset(
    normalize("""
    في من على إلى الى عن أن ان إن إنه انه أنه التي الذي الذين اللذين هذا هذه ذلك تلك هناك هنا
    كان كانت يكون تكون كانوا مع بعد قبل عند عندما حتى أو او ثم كما لكن لم لن قد ما لا هو هي هم
    نحو خلال بين منذ وفق حسب أي كل بعض غير أيضا اليوم أمس غدا الأحد الاثنين الثلاثاء الأربعاء
    الخميس الجمعة السبت قال قالت وقال وقالت أضاف وأضاف أكد وأكد أوضح وأوضح أشار وأشار فيما
    عليه عليها فيه فيها منه منها به بها له لها لهم وأن ولا ولم وقد وفي ومن وعلى وإلى التى
    إذ إذا حيث بينما وهو وهي يوم الذى مساء صباح ليل ليلة الساعة نحو حوالي قرابة نفسه نفسها
    """).split()
)  # fmt: skip


def forms(word: str) -> set[str]:
    """Every base form `word` may stand for: itself, without proclitics, without a suffix
    (with ة written ت before a suffix: «حكومتها» → حكومه; «حكومات» → حكومه)."""
    found = {word}
    for prefix in _PROCLITICS_BY_FIRST_LETTER.get(word[0], ()):
        if word.startswith(prefix) and len(word) - len(prefix) >= MIN_STEM:
            found.add(word[len(prefix) :])
    for stem in list(found):
        found.update(_without_suffixes(stem))
    return found


def _without_suffixes(stem: str) -> Iterator[str]:
    for suffix in _SUFFIXES_BY_LAST_LETTER.get(stem[-1], ()):
        if stem.endswith(suffix) and len(stem) - len(suffix) >= MIN_SUFFIXED_STEM:
            base = stem[: -len(suffix)]
            yield base
            if base.endswith("ت"):
                yield base[:-1] + "ه"
            if suffix == "ات":
                yield base + "ه"


def without_article(word: str) -> str:
    """A watchlist term written with ال also matches without it («الشدادي», «شدادي»)."""
    if word.startswith(ARTICLE) and len(word) - len(ARTICLE) >= MIN_STEM:
        return word[len(ARTICLE) :]
    return word


def light_stem(word: str) -> str:
    """One stem: no article (with what precedes it) or lone conjunction in front, no common
    ending behind. A two-letter ending leaves at least four letters («قانون» keeps «ون»)."""
    for prefix in ARTICLE_PROCLITICS:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            word = word[len(prefix) :]
            break
    else:
        if word[0] in CONJUNCTIONS and len(word) >= 5:
            word = word[1:]
    for suffix in STEM_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 + (len(suffix) > 1):
            return word[: -len(suffix)]
    return word
