"""Consonant skeletons that let a name written in Arabic meet its Latin transliteration:
«الشدادي» and "al-Shaddadi" both become "Sdd", «باراك» and "Barrack" "brk", «غويران» and
"Ghwayran" "grn". Vowels, w and y are dropped on both sides (Arabic writes few vowels), and
each side's letters are folded to one shared consonant alphabet."""

from __future__ import annotations

import re

_ARABIC = {
    "ب": "b", "ت": "t", "ث": "t", "ج": "j", "ح": "h", "خ": "k", "د": "d", "ذ": "d", "ر": "r",
    "ز": "z", "س": "s", "ش": "S", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "غ": "g", "ف": "f",
    "ق": "k", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h",
}  # fmt: skip
_LATIN_DIGRAPHS = (
    ("sh", "S"), ("ch", "S"), ("th", "t"), ("kh", "k"), ("gh", "g"), ("ph", "f"), ("dh", "d"),
    ("ck", "k"), ("ce", "se"), ("ci", "si"), ("q", "k"), ("c", "k"), ("x", "ks"), ("p", "b"),
    ("v", "f"),
)  # fmt: skip
_LATIN_ARTICLE = re.compile(r"^(?:al|el|ad|ash|as|ar|at|az)-")
_REPEATS = re.compile(r"(.)\1+")
_LATIN_VOWELS = re.compile(r"[aeiouyw'’\-]")
MIN_SKELETON = 3  # shorter skeletons collide with too many words to mean a name


def arabic_skeleton(stem: str) -> str:
    """The skeleton of a normalised Arabic word without its article (ال)."""
    skeleton = "".join(_ARABIC.get(letter, "") for letter in stem)
    return skeleton[:-1] if skeleton.endswith("h") and len(skeleton) > 2 else skeleton


def latin_skeleton(word: str) -> str:
    """The skeleton of a Latin-script name ("Shaddadi", "al-Hol", "CENTCOM")."""
    folded = _LATIN_ARTICLE.sub("", word.lower())
    for digraph, letter in _LATIN_DIGRAPHS:
        folded = folded.replace(digraph, letter)
    folded = _LATIN_VOWELS.sub("", _REPEATS.sub(r"\1", folded))
    return folded[:-1] if folded.endswith("h") and len(folded) > 2 else folded
