"""The tables: source state, articles, stories, topic hits and the alerts outbox."""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates

from storage.types import UTCDateTime, utcnow

# Stable constraint names, so migrations can alter constraints on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def url_key(url: str) -> str:
    """The indexed stand-in for a URL."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


class AlertStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"
    HELD = "held"  # for a digest or the end of quiet hours, at next_attempt_at
    DIGESTED = "digested"  # sent as part of a digest row


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
    }


class SourceState(Base):
    """What the service remembers about a source between polls."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    next_due_at: Mapped[datetime | None]
    # The links of its last listing whose new articles were all stored (a digest): the
    # same listing again holds nothing new, whatever its validators say.
    listing_digest: Mapped[str | None] = mapped_column(String(64))
    # A replica holding the lease polls the source; an expired lease is free to take. A
    # released lease keeps its owner (no expiry): who polled the source last.
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None]


class Story(Base):
    """One real-world event; its first article is the one with the lowest id."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Publication time of its latest article: the story stays open for a time after it.
    last_published_at: Mapped[datetime | None] = mapped_column(index=True)
    # What the story is about (feature weights, languages, topics, numbers), for grouping.
    state: Mapped[dict[str, Any] | None]


class Event(Base):
    """One real-world happening inside a story (a vote, a strike, a release); its first
    article, the one that opened it, is what the user was alerted to."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Publication times of its earliest and latest articles.
    first_published_at: Mapped[datetime]
    last_published_at: Mapped[datetime]


class Article(Base):
    """One stored article, whatever was decided about it (copies are kept and counted)."""

    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_source_guid", "source_id", "guid"),
        # Which languages break the news (the story index counts originals by language
        # over months of publication time): read from the index alone.
        Index(
            "ix_articles_originals_published_lang",
            "published_at",
            "lang",
            postgresql_where=text("dup_of_id IS NULL"),
            sqlite_where=text("dup_of_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), index=True
    )
    outlet: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(Text)  # canonical form
    link: Mapped[str] = mapped_column(Text)  # as the listing gave it
    # URLs can be longer than a PostgreSQL btree entry allows: index their hashes instead.
    url_key: Mapped[str] = mapped_column(String(64), unique=True)
    link_key: Mapped[str] = mapped_column(String(64), index=True)
    guid: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str | None] = mapped_column(String(16))
    published_at: Mapped[datetime | None]
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    # MinHash over word 3-shingles of the normalised body, and how many shingles it has.
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    shingles: Mapped[int] = mapped_column(default=0)
    numbers: Mapped[list[str] | None]  # the fact numbers of the text
    # Why the decision was taken (the event opened or joined, and on what evidence), shown
    # by `tracker stories --story ID`.
    novelty: Mapped[dict[str, Any] | None]
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    dup_of_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))

    @validates("url", "link")
    def _keep_key(self, column: str, value: str) -> str:
        setattr(self, f"{column}_key", url_key(value))
        return value


# The bodies retention has yet to empty, by age (an undated article's: when it was found):
# a prune, and the check `tracker once` makes each pass, read these rows and no others.
# A literal, not a bound parameter: planners match a partial index to a query by its text.
NOT_PRUNED = "articles.text <> ''"
Index(
    "ix_articles_unpruned",
    func.coalesce(Article.published_at, Article.ingested_at),
    postgresql_where=text(NOT_PRUNED),
    sqlite_where=text(NOT_PRUNED),
)


class ArticleBucket(Base):
    """An LSH band of an article's signature: articles sharing a bucket are near-copy
    candidates, found by an indexed lookup instead of a scan."""

    __tablename__ = "article_buckets"

    # A plain row id: rows append in order, and only the bucket index takes random writes
    # (each article adds 16 rows; a composite key would double the pages written).
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    bucket: Mapped[int] = mapped_column(BigInteger, index=True)


class TopicHit(Base):
    """A topic an article matched, with the watchlist terms that hit."""

    __tablename__ = "topic_hits"
    __table_args__ = (
        UniqueConstraint("article_id", "topic"),
        Index("ix_topic_hits_story_topic", "story_id", "topic"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"))
    topic: Mapped[str] = mapped_column(String(100))
    terms: Mapped[list[str]]


class Alert(Base):
    """The outbox: one row per message to send, written with the article that caused it.

    `key` (channel, story, event) is unique, so the same event can never be queued twice.
    """

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    channel: Mapped[str] = mapped_column(String(100))
    # Both empty for the service's own messages (a source down, and back).
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), index=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))
    event: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(8), default=AlertStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None]
