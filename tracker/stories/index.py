"""Story grouping: an article that is not a copy joins the most similar recent story, or
starts a new one.

Similarity is the cosine of IDF-weighted feature vectors (stories/features.py) between the
article and the story's accumulated features, within a window after the story's latest
article. Across languages only numbers, name skeletons and watchlist topics compare. The
score fades with the time since the story's latest article, and halves when the article
matches other watchlist topics than the story: two events of one topic a week apart are
usually two stories. IDF comes from the stories in the window (how many of them carry a
feature), so common words weigh little once there is news enough to tell.

The index lives in memory, loaded from and saved to the stories table; before each use it
reads the stories another process changed since, so replicas share one view.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, SessionTransaction

from storage import Article, Event, Story
from storage.types import utcnow
from tracker.stories.article import ArticleText
from tracker.stories.events import EventState
from tracker.stories.features import ARABIC_NAME, LANGUAGE_BOUND, LATIN_NAME, SCRIPT_BOUND
from tracker.stories.seen import FirstSeen

WINDOW = timedelta(days=7)  # a story a week quiet is closed; what follows is news
HALF_LIFE_DAYS = 10.0
JOIN_THRESHOLD = 0.12
TOPIC_MISMATCH = 0.5
SAME_TOPIC_BONUS = 0.15
SAME_TOPIC_HALF_LIFE_DAYS = 1.0
IDF_PRIOR = 25  # stories assumed seen before the first: keeps IDF sane when there are few
MAX_FEATURES = 600  # a story's strongest features kept for scoring
MAX_WORDS = 6000  # words (and figures) a story remembers, to tell what is new
CANDIDATES = 8
SYNC_OVERLAP = timedelta(minutes=2)  # stories re-read behind the cursor at each sync
LANGUAGE_SPAN = timedelta(days=90)  # the articles that tell which languages are rare
_TOUCHED = "stories_touched"  # Session.info key: the states a transaction changed


@dataclass
class StoryState:
    story_id: int
    weights: dict[str, float]
    langs: set[str]
    topics: set[str]
    numbers: set[str]
    last_at: datetime
    articles: int = 0
    version: datetime | None = field(default=None, compare=False)  # stories.updated_at
    events: list[EventState] = field(default_factory=list)
    # Its articles' words and figures, each with when it was first published.
    words: FirstSeen[str] = field(default_factory=lambda: FirstSeen(MAX_WORDS))
    figures: FirstSeen[int] = field(default_factory=lambda: FirstSeen(MAX_WORDS))

    @classmethod
    def new(cls, at: datetime) -> StoryState:
        """A story not saved yet (its id comes with its row)."""
        return cls(0, {}, set(), set(), set(), at)

    def known_words(self, at: datetime) -> set[str]:
        return self.words.known_at(at)

    def known_figures(self, at: datetime) -> set[int]:
        return self.figures.known_at(at)

    def to_json(self) -> dict[str, Any]:
        return {
            "weights": self.weights,
            "langs": sorted(self.langs),
            "topics": sorted(self.topics),
            "numbers": sorted(self.numbers),
            "words": self.words.to_json(),
            "articles": self.articles,
            "events": [e.to_json() for e in self.events],
            "figures": self.figures.to_json(),
        }

    @classmethod
    def from_row(cls, story: Story) -> StoryState:
        state = story.state or {}
        # Stories stored before events knew fact numbers only, as strings.
        figures = state.get("figures", [n for n in state.get("numbers", []) if n.isdigit()])
        return cls(
            story_id=story.id,
            weights=dict(state.get("weights", {})),
            langs=set(state.get("langs", [])),
            topics=set(state.get("topics", [])),
            numbers=set(state.get("numbers", [])),
            last_at=story.last_published_at or story.updated_at,
            articles=int(state.get("articles", 0)),
            version=story.updated_at,
            events=[EventState.from_json(e) for e in state.get("events", [])],
            words=FirstSeen.from_json(state.get("words"), MAX_WORDS, str),
            figures=FirstSeen.from_json(figures, MAX_WORDS, int),
        )

    def absorb(self, article: ArticleText, topics: set[str], at: datetime) -> None:
        for feature, weight in article.features.with_topics(topics).items():
            self.weights[feature] = self.weights.get(feature, 0.0) + weight
        if len(self.weights) > MAX_FEATURES:
            strongest = heapq.nlargest(MAX_FEATURES, self.weights.items(), key=lambda i: i[1])
            self.weights = dict(strongest)
        self.langs.add(article.lang)
        self.topics |= topics
        self.numbers |= article.numbers
        self.figures.add(article.quantities, at)
        self.words.add((f for f in article.features.weights if f.startswith(LANGUAGE_BOUND)), at)
        self.last_at = max(self.last_at, at)
        self.articles += 1


@dataclass(frozen=True)
class StoryMatch:
    story: StoryState
    score: float
    similarity: float  # before time and topic adjustments


@dataclass(frozen=True)
class _Query:
    lang: str
    vector: dict[str, float]  # IDF-weighted features, topics included
    same_language: dict[str, float]
    same_norm: float
    across: dict[str, float]
    across_total: float


def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    # A savepoint's end is not the transaction's (and a rolled-back savepoint has already
    # made the index forget, which only costs a reload).
    if transaction.parent is None:
        session.info[_TOUCHED].clear()


@lru_cache(maxsize=4096)
def _log1p(count: int) -> float:
    return math.log(count + 1)


def _other_script(feature: str) -> str:
    """A name skeleton meets its transliteration in the other script; numbers and topics
    are the same feature in every language."""
    if feature.startswith(ARABIC_NAME):
        return LATIN_NAME + feature[len(ARABIC_NAME) :]
    if feature.startswith(LATIN_NAME):
        return ARABIC_NAME + feature[len(LATIN_NAME) :]
    return feature


class StoryIndex:
    """The open stories of the last WINDOW, in memory; one per process."""

    def __init__(self, window: timedelta = WINDOW) -> None:
        self.window = window
        self.stories: dict[int, StoryState] = {}
        self._postings: dict[str, set[int]] = {}
        self._posted: dict[int, set[str]] = {}
        self._vectors: dict[int, tuple[datetime | None, dict[str, float], float]] = {}
        self._loaded_from: datetime | None = None
        self._cursor: datetime | None = None
        self._reload: set[int] = set()  # stories whose in-memory state a rollback undid
        self._languages: dict[str, int] = {}
        self._language_hour: datetime | None = None

    # --- keeping the index in step with the database ---------------------------------

    def sync(self, session: Session, at: datetime) -> None:
        """Load the stories open at `at`, and those other processes changed since the
        last sync."""
        start = at - self.window
        if self._loaded_from is None or start < self._loaded_from:
            condition = Story.last_published_at >= start
            self._loaded_from = start
            self._cursor = self._cursor or utcnow()
        else:
            # A little back: another replica's clock, or its transaction committed after
            # one that began later, can leave its change just behind the cursor.
            condition = Story.updated_at > (self._cursor or utcnow()) - SYNC_OVERLAP
        if self._reload:
            condition = condition | Story.id.in_(self._reload)
            self._reload = set()
        # Versions first, states only of the stories that changed: most re-read are ours.
        stale = []
        for story_id, updated_at in session.execute(
            select(Story.id, Story.updated_at).where(condition)
        ):
            known = self.stories.get(story_id)
            if known is None or known.version != updated_at:
                stale.append(story_id)
            self._cursor = max(self._cursor or updated_at, updated_at)
        for start_at in range(0, len(stale), 500):
            chunk = stale[start_at : start_at + 500]
            for story in session.scalars(select(Story).where(Story.id.in_(chunk))):
                self._put(StoryState.from_row(story))
        self._evict(start)

    def save(self, session: Session, state: StoryState, title: str, now: datetime) -> Story:
        """Write a story's state in the caller's transaction (a new story gets its id)."""
        story = session.get(Story, state.story_id) if state.story_id else None
        if story is None:
            story = Story(title=title, created_at=now)
            session.add(story)
        self._track(session, state)
        story.state = state.to_json()
        story.last_published_at = state.last_at
        story.updated_at = now
        session.flush()
        if state.story_id != story.id:
            state.story_id = story.id
        state.version = now
        self._put(state)
        return story

    def open_event(
        self, session: Session, state: StoryState, title: str, at: datetime, now: datetime
    ) -> EventState:
        """A new event in a saved story, with its row (for its id)."""
        self._track(session, state)
        row = Event(
            story_id=state.story_id,
            title=title,
            created_at=now,
            first_published_at=at,
            last_published_at=at,
        )
        session.add(row)
        session.flush()
        event = EventState(row.id, at, at)
        state.events.append(event)
        return event

    def open_legacy_event(self, session: Session, state: StoryState, now: datetime) -> None:
        """A story stored before events gets one event for its past, under its title and
        already told to its topics, so the next article is judged against it."""
        if state.events:
            return
        story = session.get_one(Story, state.story_id)
        first = session.scalar(
            select(func.min(Article.published_at)).where(Article.story_id == story.id)
        )
        event = self.open_event(session, state, story.title, first or state.last_at, now)
        event.last_at = state.last_at
        event.langs |= state.langs
        event.spans = dict.fromkeys(event.langs, (event.first_at, event.last_at))
        event.alerted_topics |= state.topics
        self.save_event(session, event)

    def save_event(self, session: Session, event: EventState) -> None:
        session.execute(
            update(Event)
            .where(Event.id == event.event_id)
            .values(first_published_at=event.first_at, last_published_at=event.last_at)
        )

    def _track(self, session: Session, state: StoryState) -> None:
        """Remember which stories this session changed in memory, to forget them if its
        transaction rolls back: memory must not keep what the database did not."""
        if _TOUCHED not in session.info:  # once per session
            sa_event.listen(session, "after_rollback", self._rolled_back)
            sa_event.listen(session, "after_transaction_end", _transaction_ended)
        touched = session.info.setdefault(_TOUCHED, {})
        touched[id(state)] = state  # by identity: a new story has no id until its flush

    def _rolled_back(self, session: Session) -> None:
        touched: dict[int, StoryState] = session.info[_TOUCHED]
        for state in touched.values():
            if self.stories.get(state.story_id) is state:
                self._forget(state.story_id)
            if state.story_id:  # the next sync reads what the database kept, if anything
                self._reload.add(state.story_id)
        touched.clear()

    def _forget(self, story_id: int) -> None:
        del self.stories[story_id]
        self._vectors.pop(story_id, None)
        self._unpost(story_id, self._posted.pop(story_id, set()))

    def _put(self, state: StoryState) -> None:
        # States change in place (absorb), so what was posted is remembered apart.
        posted = self._posted.get(state.story_id, set())
        current = set(state.weights)
        self._unpost(state.story_id, posted - current)
        for feature in current - posted:
            self._postings.setdefault(feature, set()).add(state.story_id)
        self._posted[state.story_id] = current
        self.stories[state.story_id] = state
        self._vectors.pop(state.story_id, None)

    def _unpost(self, story_id: int, features: set[str]) -> None:
        for feature in features:
            postings = self._postings.get(feature)
            if postings is not None:
                postings.discard(story_id)
                if not postings:
                    del self._postings[feature]

    def _evict(self, before: datetime) -> None:
        for story_id in [i for i, s in self.stories.items() if s.last_at < before]:
            self._forget(story_id)

    # --- scoring --------------------------------------------------------------------

    def idf(self, feature: str) -> float:
        if feature.startswith("t:"):
            return 1.0
        return math.log(len(self.stories) + IDF_PRIOR) - _log1p(
            len(self._postings.get(feature, ()))
        )

    def language_counts(self, session: Session, at: datetime, lang: str) -> dict[str, int]:
        """Articles by language over the LANGUAGE_SPAN before `at`, and the one in `lang`
        being placed: which languages break the news the tracker follows, and which pick
        it up. Counted in the database, so every process reading it agrees; read again
        each hour of publication time."""
        hour = at.replace(minute=0, second=0, microsecond=0)
        if self._language_hour != hour:
            rows = session.execute(
                select(Article.lang, func.count())
                .where(
                    Article.published_at > hour - LANGUAGE_SPAN,
                    Article.published_at <= hour,
                    Article.dup_of_id.is_(None),  # copies say who republishes, not who writes
                )
                .group_by(Article.lang)
            )
            self._languages = {written or "": count for written, count in rows}
            self._language_hour = hour
        return {**self._languages, lang: self._languages.get(lang, 0) + 1}

    def best_match(self, article: ArticleText, topics: set[str], at: datetime) -> StoryMatch | None:
        """The story this article belongs to, or None when it starts a new one."""
        query = self._query(article, topics)
        # Candidates: the stories sharing most of the article's strongest features, its
        # names in either script, its numbers and its topics.
        strongest = heapq.nlargest(40, query.vector.items(), key=lambda item: item[1])
        strongest += [(f, w) for f, w in query.vector.items() if f[0] in "nt"]
        shared: dict[int, float] = {}
        for feature, weight in strongest:
            for key in dict.fromkeys((feature, _other_script(feature))):
                for story_id in self._postings.get(key, ()):
                    shared[story_id] = shared.get(story_id, 0.0) + weight
        best: StoryMatch | None = None
        for story_id in heapq.nlargest(CANDIDATES, shared, key=shared.__getitem__):
            story = self.stories[story_id]
            # Either way in time: sources polled side by side deliver out of order.
            gap = abs((at - story.last_at).total_seconds()) / 86400
            if gap > self.window.days:
                continue
            similarity = self._similarity(query, story)
            score = similarity * 0.5 ** (gap / HALF_LIFE_DAYS)
            common = topics & story.topics
            if common:
                # The same watched topic within hours is most likely the same story.
                overlap = len(common) / len(topics | story.topics)
                score += SAME_TOPIC_BONUS * overlap * 0.5 ** (gap / SAME_TOPIC_HALF_LIFE_DAYS)
            elif topics or story.topics:
                score *= TOPIC_MISMATCH
            if best is None or score > best.score:
                best = StoryMatch(story, score, similarity)
        return best if best is not None and best.score >= JOIN_THRESHOLD else None

    def _query(self, article: ArticleText, topics: set[str]) -> _Query:
        """The article's IDF-weighted vector, built once for all candidate stories."""
        vector = {f: w * self.idf(f) for f, w in article.features.with_topics(topics).items()}
        # Within a language, words, numbers and topics compare (a name's skeleton would
        # only repeat its word); across languages, numbers, name skeletons and topics.
        same = {f: w for f, w in vector.items() if not f.startswith(SCRIPT_BOUND)}
        across = {f: w for f, w in vector.items() if not f.startswith(LANGUAGE_BOUND)}
        norm = math.sqrt(sum(w * w for w in same.values()))
        return _Query(article.lang, vector, same, norm, across, sum(across.values()))

    def _similarity(self, query: _Query, story: StoryState) -> float:
        """Cosine of words, numbers and topics within the article's language; for a story
        also told in other languages, at least the share of the article's names, numbers and
        topics it carries."""
        best = 0.0
        if query.lang in story.langs and query.same_norm:
            theirs, their_norm = self._vector(story)
            dot = sum(w * theirs.get(f, 0.0) for f, w in query.same_language.items())
            best = dot / (query.same_norm * their_norm) if their_norm else 0.0
        if story.langs - {query.lang} and query.across_total:
            # The story's every Arabic word has a skeleton, so a cosine would drown the few
            # names an English report shares: ask how much of the article the story carries.
            carried = sum(w for f, w in query.across.items() if _other_script(f) in story.weights)
            best = max(best, carried / query.across_total)
        return best

    def _vector(self, story: StoryState) -> tuple[dict[str, float], float]:
        """A story's IDF-weighted vector and its norm, kept until the story changes (the
        IDF of its features drifts slowly as other stories come and go)."""
        cached = self._vectors.get(story.story_id)
        if cached is not None and cached[0] is story.version:
            return cached[1], cached[2]
        vector = {
            f: w * self.idf(f) for f, w in story.weights.items() if not f.startswith(SCRIPT_BOUND)
        }
        norm = math.sqrt(sum(w * w for w in vector.values()))
        self._vectors[story.story_id] = (story.version, vector, norm)
        return vector, norm
