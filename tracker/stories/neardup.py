"""Near-copies: the same text with boilerplate lines added, a paragraph dropped or moved,
spelling variants or a sentence that adds nothing, whichever of the two arrives first.

Candidates come from the LSH buckets of the MinHash signature (an indexed lookup); each is
then confirmed on its signature: about half the shingles in common (Jaccard), or most of the
shorter text found in the longer (containment, for an aggregator's copy wrapped in its own
header and footer lines). A longer text that brings numbers the candidate does not have is
not a copy but an update, judged by the event rules as if its title stated what it added.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from storage import models
from tracker.stories.article import ArticleText
from tracker.stories.fingerprint import containment

JACCARD = 0.5
CONTAINMENT = 0.8
MIN_SHINGLES = 15  # below this, a few shared phrases would look like a copy
GROWTH_FOR_UPDATE = 1.2  # an update adds at least a fifth to the text


@dataclass(frozen=True)
class NearCopy:
    article_id: int
    story_id: int
    event_id: int | None
    jaccard: float
    containment: float
    added_numbers: tuple[str, ...] = ()  # an update: the same text and more, with these


_stored = models.Article
# Built once (the bucket list an expanding parameter): SQLAlchemy then skips building the
# statement, its cache key and its result map for every article.
_CANDIDATES = (
    select(
        _stored.id,
        _stored.story_id,
        _stored.event_id,
        _stored.signature,
        _stored.shingles,
        _stored.numbers,
        _stored.published_at,
    )
    .where(
        _stored.id.in_(
            select(models.ArticleBucket.article_id)
            .where(models.ArticleBucket.bucket.in_(bindparam("buckets", expanding=True)))
            .distinct()
        ),
        _stored.signature.is_not(None),
        _stored.shingles >= MIN_SHINGLES,
    )
    .order_by(_stored.id)
)


def near_copy_of(session: Session, article: ArticleText) -> NearCopy | None:
    """The stored article this one nearly copies, if any; or, when it is that article's
    text grown by new facts, that article with `added_numbers` (an update)."""
    signature = article.signature
    if signature.shingles < MIN_SHINGLES:
        return None
    found = session.connection().execute(_CANDIDATES, {"buckets": signature.buckets()})
    rows = found.all()
    if not rows:
        return None
    best: NearCopy | None = None
    update: NearCopy | None = None
    published = article.incoming.published
    jaccards = signature.jaccards([row.signature for row in rows])
    for row, jaccard in zip(rows, jaccards, strict=True):
        article_id, story_id, event_id, _, shingles, their_numbers, their_time = row
        contained = containment(jaccard, signature.shingles, shingles)
        if jaccard < JACCARD and contained < CONTAINMENT:
            continue
        grew = signature.shingles >= GROWTH_FOR_UPDATE * shingles
        added = article.own_numbers - set(their_numbers or ())
        # An update comes after what it updates: a longer text published before a stored
        # shorter one is that one's original, which a faster source's copy reached first.
        later = published is None or their_time is None or published > their_time
        if grew and added and later:
            if update is None or contained > update.containment:
                numbers = tuple(sorted(added, key=lambda n: (len(n), n)))
                update = NearCopy(article_id, story_id, event_id, jaccard, contained, numbers)
        elif best is None or jaccard > best.jaccard:
            best = NearCopy(article_id, story_id, event_id, jaccard, contained)
    return best or update
