"""Text normalisation shared by every stage (Arabic and Latin).

NFKC, casefold, then for Arabic: diacritics and tatweel removed, alef forms unified,
ى→ي, ة→ه, ؤ→و, ئ→ي, Persian/Urdu letters to Arabic, Arabic-Indic and Persian digits to
ASCII. Every character that is not a letter or a digit separates tokens, so punctuation
and quotes of every script disappear and whitespace collapses to single spaces.
"""

from __future__ import annotations

import re
import unicodedata

# Diacritics (tashkeel), Quranic marks, superscript alef and tatweel disappear.
_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]+")
# Frequent letter variants: one str.replace each is far faster than str.translate.
_FREQUENT_FOLDS = (
    ("أ", "ا"),
    ("إ", "ا"),
    ("آ", "ا"),
    ("ى", "ي"),
    ("ة", "ه"),
    ("ؤ", "و"),
    ("ئ", "ي"),
)
# Rare ones (Persian/Urdu letters, wasla, Arabic-Indic and Persian digits): translate, when seen.
_RARE_FOLDS: dict[int, str] = {ord(c): "ا" for c in "ٱٲٳ"}
_RARE_FOLDS.update({ord(c): "ي" for c in "یې"})
_RARE_FOLDS.update({ord(c): "ك" for c in "کڪ"})
_RARE_FOLDS.update({ord(c): "ه" for c in "ہھۀۃ"})
_RARE_FOLDS.update({0x0660 + d: str(d) for d in range(10)})
_RARE_FOLDS.update({0x06F0 + d: str(d) for d in range(10)})
_RARE = re.compile("[" + "".join(map(chr, _RARE_FOLDS)) + "]")
# Thousands separators inside numbers: 4,500 and ٤٬٥٠٠ become 4500.
_GROUPED_NUMBER = re.compile(r"(?<=\d)[,٬](?=\d{3}(?!\d))")
_SEPARATORS = re.compile(r"[\W_]+")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u066E-\u06D3\u06FA-\u06FF]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")


def fold_letters(text: str) -> str:
    """`text` with Arabic spelling variants and digits folded, and nothing else changed:
    punctuation stays, for readers of dates («6/1/2026 - 21:00»)."""
    text = _MARKS.sub("", text)
    for variant, plain in _FREQUENT_FOLDS:
        if variant in text:
            text = text.replace(variant, plain)
    if _RARE.search(text):
        text = text.translate(_RARE_FOLDS)
    return text


def normalize(text: str) -> str:
    """The normalised form of `text`: tokens joined by single spaces. Idempotent."""
    text = fold_letters(unicodedata.normalize("NFKC", text).casefold())
    if "," in text or "٬" in text:
        text = _GROUPED_NUMBER.sub("", text)
    return _SEPARATORS.sub(" ", text).strip()


def tokens(text: str) -> list[str]:
    """Normalised tokens: runs of letters and digits, Arabic, Latin or numbers."""
    return normalize(text).split()


def is_arabic_token(token: str) -> bool:
    return bool(_ARABIC_LETTER.match(token))


def guess_language(text: str) -> str | None:
    """'ar' or 'en' by the letters used, None when there is too little text to tell."""
    sample = text[:4000]
    arabic = len(_ARABIC_LETTER.findall(sample))
    latin = len(_LATIN_LETTER.findall(sample))
    if arabic + latin < 20:
        return None
    return "ar" if arabic >= latin else "en"
