"""What an article is about, as weighted features for story grouping and novelty.

- `w:` content words, lightly stemmed (language-bound: they only compare within a language);
- `n:` numbers that state facts (a vote count, a toll), not calendar numbers (years, days
  of a month, times of day);
- `k:` consonant skeletons of names, which carry across Arabic and Latin script;
- `t:` the watchlist topics the article matched (the watchlist pairs Arabic and English
  aliases as one concept).

Features from the title and lead paragraph weigh more: they say what the event is, while
later paragraphs often recall earlier events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tracker.articles.dates import MONTH_NAMES
from tracker.text.normalise import is_arabic_token, normalize
from tracker.text.translit import MIN_SKELETON, arabic_skeleton, latin_skeleton

HEAD_WEIGHT = 2.0
KIND_WEIGHT = {"w": 1.0, "n": 3.0, "k": 1.0, "t": 3.0}
LANGUAGE_BOUND = "w:"
SCRIPT_BOUND = "k"  # name skeletons: "ka:" from Arabic words, "kl:" from Latin names
ARABIC_NAME, LATIN_NAME = "ka:", "kl:"

_ARABIC_STOPWORDS = frozenset(normalize("""
    في من على إلى الى عن أن ان إن إنه انه أنه التي الذي الذين اللذين هذا هذه ذلك تلك هناك هنا
    كان كانت يكون تكون كانوا مع بعد قبل عند عندما حتى أو او ثم كما لكن لم لن قد ما لا هو هي هم
    نحو خلال بين منذ وفق حسب أي كل بعض غير أيضا اليوم أمس غدا الأحد الاثنين الثلاثاء الأربعاء
    الخميس الجمعة السبت قال قالت وقال وقالت أضاف وأضاف أكد وأكد أوضح وأوضح أشار وأشار فيما
    عليه عليها فيه فيها منه منها به بها له لها لهم وأن ولا ولم وقد وفي ومن وعلى وإلى التى
    إذ إذا حيث بينما وهو وهي يوم الذى مساء صباح ليل ليلة الساعة نحو حوالي قرابة نفسه نفسها
    """).split())  # fmt: skip
_ENGLISH_STOPWORDS = frozenset(
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
_CALENDAR_NUMBER = re.compile(r"^(?:19|20)\d\d$|^0\d?$")
_TIME_OF_DAY = re.compile(r"(?<!\d)\d{1,2}[:.]\d{2}(?::\d{2})?(?!\d)")
_ARTICLE_PREFIXES = ("وال", "فال", "بال", "كال", "لل", "ال")
_SUFFIXES = ("ات", "ون", "ين", "ها", "هم", "ه")
_LATIN_NAME = re.compile(r"\b[A-Z][A-Za-z'’-]{2,}")
_MONTH_TOKENS = frozenset(t for name in MONTH_NAMES for t in normalize(name).split())


def content_stem(token: str) -> str:
    """A light stem: no article or conjunction in front, no common suffix behind."""
    if not is_arabic_token(token):
        return token[:-1] if len(token) > 4 and token.endswith("s") and token[-2] != "s" else token
    for prefix in _ARTICLE_PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 3:
            token = token[len(prefix) :]
            break
    else:
        if token[0] in "وف" and len(token) >= 5:
            token = token[1:]
    for suffix in _SUFFIXES:
        # A two-letter ending leaves at least four letters («قانون» keeps its «ون»).
        if token.endswith(suffix) and len(token) - len(suffix) >= 3 + (len(suffix) > 1):
            return token[: -len(suffix)]
    return token


# Small numbers written as words ("four", «أربعة») help an English report find its Arabic
# story, but are left out of novelty («ستة أشهر» restates «180 يوماً»).
_SPELLED = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "twelve": "12", "twenty": "20",
    "اثنان": "2", "اثنين": "2", "اثنتين": "2", "ثلاثه": "3", "ثلاث": "3", "اربعه": "4",
    "اربع": "4", "خمسه": "5", "خمس": "5", "سته": "6", "سبعه": "7", "سبع": "7", "ثمانيه": "8",
    "تسعه": "9", "تسع": "9", "عشره": "10",
}  # fmt: skip


def body_numbers(text: str, min_words: int = 20) -> set[str]:
    """Fact numbers of the real paragraphs only: an aggregator's header and footer lines
    («أخبار 7 - تابعوا آخر الأخبار», «0 تعليق») are short."""
    paragraphs = (p for p in text.split("\n") if len(p.split()) >= min_words)
    return fact_numbers("\n".join(paragraphs))


def fact_numbers(text: str) -> set[str]:
    """Numbers that state facts: not years, times of day or days next to a month name."""
    return _numbers_of(_tokens_for_numbers(text))


def _tokens_for_numbers(text: str) -> list[str]:
    return normalize(_TIME_OF_DAY.sub(" ", text)).split()


def _numbers_of(tokens: list[str]) -> set[str]:
    numbers = set()
    for index, token in enumerate(tokens):
        if not token.isdigit() or _CALENDAR_NUMBER.match(token):
            continue
        neighbours = tokens[max(0, index - 1) : index] + tokens[index + 1 : index + 2]
        if any(n in _MONTH_TOKENS for n in neighbours):
            continue
        numbers.add(token)
    return numbers


@dataclass(frozen=True)
class ArticleFeatures:
    weights: dict[str, float]  # feature -> weight before IDF
    lang: str
    numbers: frozenset[str]

    def comparable(self, other_langs: set[str]) -> dict[str, float]:
        """Within a language, words, numbers and topics compare; across languages, numbers,
        name skeletons and topics (a skeleton adds only noise beside its word)."""
        skip = SCRIPT_BOUND if self.lang in other_langs else LANGUAGE_BOUND
        return {f: w for f, w in self.weights.items() if not f.startswith(skip)}


@lru_cache(maxsize=262144)
def _word_features(token: str) -> tuple[str, ...]:
    """The features of one normalised token (words repeat: computed once each)."""
    if token.isdigit() or len(token) < 3:
        return ()
    if token in _ARABIC_STOPWORDS or token in _ENGLISH_STOPWORDS:
        return ()
    stem = content_stem(token)
    if is_arabic_token(stem) and len(skeleton := arabic_skeleton(stem)) >= MIN_SKELETON:
        return (f"w:{stem}", f"{ARABIC_NAME}{skeleton}")
    return (f"w:{stem}",)


def _part_features(raw: str, tokens: list[str], lang: str) -> set[str]:
    """Features of one part (the head, or the whole text), from its raw text and its tokens
    normalised with times of day taken out."""
    found = {feature for token in tokens for feature in _word_features(token)}
    if lang != "ar":
        for name in _LATIN_NAME.findall(raw):
            skeleton = latin_skeleton(name)
            # A long name with a short skeleton (Kiswah: ks) still names something.
            shortest = MIN_SKELETON - (len(name) >= 6)
            if name.lower() not in _ENGLISH_STOPWORDS and len(skeleton) >= shortest:
                found.add(f"{LATIN_NAME}{skeleton}")
    spelled = {_SPELLED[t] for t in tokens if t in _SPELLED}
    found.update(f"n:{n}" for n in _numbers_of(tokens) | spelled)
    return found


def article_features(title: str, text: str, lang: str, topics: set[str]) -> ArticleFeatures:
    lead = text.split("\n\n", 1)[0]
    title_tokens = _tokens_for_numbers(title)
    lead_tokens = _tokens_for_numbers(lead)
    rest_tokens = _tokens_for_numbers(text[len(lead) :])
    head = _part_features(f"{title}\n{lead}", title_tokens + lead_tokens, lang)
    body = _part_features(text, lead_tokens + rest_tokens, lang)
    weights: dict[str, float] = {}
    for feature in body | head:
        weight = KIND_WEIGHT[feature[0]]
        weights[feature] = weight * (HEAD_WEIGHT if feature in head else 1.0)
    for topic in topics:
        weights[f"t:{topic}"] = KIND_WEIGHT["t"]
    numbers = _numbers_of(title_tokens) | _numbers_of(lead_tokens + rest_tokens)
    return ArticleFeatures(weights, lang, frozenset(numbers))
