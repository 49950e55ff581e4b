"""Fingerprints of article text: an exact-copy hash, and a MinHash signature over word
3-shingles whose LSH bands are stored as buckets, so near-copy candidates come from an
indexed lookup rather than a scan of every stored article.

MinHash (not SimHash): a 64-bit SimHash moves ~11 bits when 5% of the words change, far past
its usual 3-bit threshold, while MinHash estimates the share of shingles two texts have in
common, and from it how much of the shorter text the longer one contains (an aggregator's
copy with its own header and footer lines contains all of the original).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import numpy as np

NUM_PERM = 64
BANDS = 16  # of 4 rows: texts sharing ~half their shingles are likely to share a bucket
ROWS = NUM_PERM // BANDS
SHINGLE = 3
SHINGLE_HASHES = 1 << 15  # kept: about 9 MB, a few hundred articles' shingles


def content_hash(tokens: Sequence[str]) -> str:
    """SHA-256 of the normalised body: equal for copies that differ only in spelling
    variants the normaliser folds (hamza, diacritics, digits, punctuation) or in the times
    of day they print (tracker/stories/article.py drops those)."""
    return hashlib.sha256(" ".join(tokens).encode("utf-8")).hexdigest()


@cache
def _permutations() -> tuple[Any, str, Callable[[str], int]]:
    """MinHash permutations, built once and reused for every signature, and the hash of a
    shingle: datasketch's own, kept for the shingles seen last, since copies, updates and
    follow-ups repeat most of a text's shingles."""
    from datasketch import MinHash

    template = MinHash(num_perm=NUM_PERM, seed=1)
    hash_bytes = template.hashfunc

    @lru_cache(maxsize=SHINGLE_HASHES)
    def shingle_hash(gram: str) -> int:
        return int(hash_bytes(gram.encode("utf-8")))

    return template.permutations, template.scheme, shingle_hash


@dataclass(frozen=True)
class Signature:
    hashes: np.ndarray  # NUM_PERM uint32 values
    shingles: int  # distinct shingles hashed

    def to_bytes(self) -> bytes:
        return self.hashes.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, shingles: int) -> Signature:
        return cls(np.frombuffer(data, dtype="<u4"), shingles)

    def buckets(self) -> list[int]:
        """One signed 64-bit bucket id per band (the band number is part of it)."""
        raw = self.hashes.astype("<u4").tobytes()
        out = []
        for band in range(BANDS):
            chunk = bytes([band]) + raw[band * ROWS * 4 : (band + 1) * ROWS * 4]
            digest = hashlib.blake2b(chunk, digest_size=8).digest()
            out.append(int.from_bytes(digest, "little", signed=True))
        return out

    def jaccard(self, other: Signature) -> float:
        return float(np.count_nonzero(self.hashes == other.hashes)) / NUM_PERM

    def jaccards(self, stored: Sequence[bytes]) -> list[float]:
        """`jaccard` against each of many signatures as `to_bytes` wrote them, compared
        in one array operation rather than one small one per candidate."""
        others = np.frombuffer(b"".join(stored), dtype="<u4").reshape(len(stored), NUM_PERM)
        shares: list[float] = (np.count_nonzero(others == self.hashes, axis=1) / NUM_PERM).tolist()
        return shares

    def containment(self, other: Signature) -> float:
        """Estimated share of the smaller text's shingles found in the other text."""
        return containment(self.jaccard(other), self.shingles, other.shingles)


def containment(jaccard: float, shingles: int, other_shingles: int) -> float:
    """The share of the smaller text's shingles found in the other text, estimated from
    the two texts' Jaccard similarity and sizes."""
    smaller = min(shingles, other_shingles)
    if smaller == 0:
        return 0.0
    return min(1.0, jaccard * (shingles + other_shingles) / ((1 + jaccard) * smaller))


def signature(tokens: Sequence[str]) -> Signature:
    grams = {" ".join(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}
    if not grams and tokens:
        grams = {" ".join(tokens)}
    # Imported where it is used: datasketch's package pulls in scipy (most of a second)
    # for parts we do not use, a cost no command should pay before it needs a signature.
    from datasketch import MinHash

    permutations, scheme, shingle_hash = _permutations()
    minhash = MinHash(
        num_perm=NUM_PERM, seed=1, permutations=permutations, scheme=scheme, hashfunc=shingle_hash
    )
    minhash.update_batch(grams)
    return Signature(minhash.hashvalues.astype(np.uint32), len(grams))
