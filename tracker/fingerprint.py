"""Fingerprints of article text: an exact-copy hash over the normalised body."""

from __future__ import annotations

import hashlib


def content_hash(normalised_text: str) -> str:
    """SHA-256 of the normalised body: equal for copies that differ only in spelling
    variants the normaliser folds (hamza, diacritics, digits, punctuation)."""
    return hashlib.sha256(normalised_text.encode("utf-8")).hexdigest()
