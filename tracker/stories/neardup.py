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

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import models
from tracker.stories.article import ArticleText
from tracker.stories.fingerprint import Signature

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


def near_copy_of(session: Session, article: ArticleText) -> NearCopy | None:
    """The stored article this one nearly copies, if any; or, when it is that article's
    text grown by new facts, that article with `added_numbers` (an update)."""
    signature = article.signature
    if signature.shingles < MIN_SHINGLES:
        return None
    stored = models.Article
    candidate_ids = select(models.ArticleBucket.article_id).where(
        models.ArticleBucket.bucket.in_(signature.buckets())
    )
    rows = (
        session.connection()
        .execute(
            select(
                stored.id,
                stored.story_id,
                stored.event_id,
                stored.signature,
                stored.shingles,
                stored.numbers,
                stored.published_at,
            )
            .where(stored.id.in_(candidate_ids.distinct()))
            .order_by(stored.id)
        )
        .all()
    )
    best: NearCopy | None = None
    update: NearCopy | None = None
    published = article.incoming.published
    for article_id, story_id, event_id, raw, shingles, their_numbers, their_time in rows:
        if raw is None or shingles < MIN_SHINGLES:
            continue
        theirs = Signature.from_bytes(raw, shingles)
        jaccard, containment = signature.jaccard(theirs), signature.containment(theirs)
        if jaccard < JACCARD and containment < CONTAINMENT:
            continue
        grew = signature.shingles >= GROWTH_FOR_UPDATE * shingles
        added = article.own_numbers - set(their_numbers or ())
        # An update comes after what it updates: a longer text published before a stored
        # shorter one is that one's original, which a faster source's copy reached first.
        later = published is None or their_time is None or published > their_time
        if grew and added and later:
            if update is None or containment > update.containment:
                numbers = tuple(sorted(added, key=lambda n: (len(n), n)))
                update = NearCopy(article_id, story_id, event_id, jaccard, containment, numbers)
        elif best is None or jaccard > best.jaccard:
            best = NearCopy(article_id, story_id, event_id, jaccard, containment)
    return best or update
