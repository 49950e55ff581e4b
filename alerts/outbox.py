"""The alerts outbox: rows are queued with the article that caused them and sent later.

A row's key (channel, story, event) is unique, so an event is queued at most once per
channel, whatever races or restarts happen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from alerts.render import AlertPayload, digest_payload
from config import Channel
from storage.leases import owner_has_ended
from storage.models import Alert, AlertStatus
from storage.types import utcnow
from tracker.backoff import Backoff

FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
RETRY = Backoff(FIRST_RETRY, LONGEST_RETRY, jitter=(0.9, 1.1))
MAX_ATTEMPTS = 12  # about seven hours of retries before a row is dead
LEASE = timedelta(minutes=2)


def alert_key(
    channel: str, story_id: int, event: str, article_id: int, event_id: int | None = None
) -> str:
    """One alert per channel and event: the event's id when the story index names it,
    else (rows queued before events existed) a story's new_story and each development."""
    if event_id is not None:
        return f"{channel}:{story_id}:event:{event_id}"
    suffix = "new_story" if event == "new_story" else f"{event}:{article_id}"
    return f"{channel}:{story_id}:{suffix}"


def queue_alert(
    session: Session,
    channel: str,
    story_id: int,
    article_id: int,
    payload: AlertPayload,
    event_id: int | None = None,
    hold_until: datetime | None = None,
) -> bool:
    """Queue one message in the caller's transaction; False when it was already queued.
    With `hold_until` it waits, held, for a digest or the end of quiet hours."""
    key = alert_key(channel, story_id, payload.event, article_id, event_id)
    return queue_message(session, channel, key, payload, story_id, article_id, hold_until)


def queue_message(
    session: Session,
    channel: str,
    key: str,
    payload: AlertPayload,
    story_id: int | None = None,
    article_id: int | None = None,
    hold_until: datetime | None = None,
) -> bool:
    """Queue a message under a unique key; False when that key was already queued."""
    if session.scalar(select(Alert.id).where(Alert.key == key)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(
                Alert(
                    key=key,
                    channel=channel,
                    story_id=story_id,
                    article_id=article_id,
                    event=payload.event,
                    payload=payload.to_json(),
                    status=AlertStatus.PENDING if hold_until is None else AlertStatus.HELD,
                    attempts=0,
                    next_attempt_at=hold_until or utcnow(),
                )
            )
    except IntegrityError:
        return False  # another process queued the same key first
    return True


def release_held(
    session: Session, channels: Mapping[str, Channel], now: datetime | None = None
) -> int:
    """Release the held rows whose time has come, channel by channel: a digest channel's
    as one digest row, another's (its quiet hours over) as one message when it is alone,
    else as one digest; the rows a digest covers are marked so in the same transaction,
    so each is sent once, whatever restarts or replicas. Returns the messages queued."""
    now = now or utcnow()
    query = (
        select(Alert)
        .where(Alert.status == AlertStatus.HELD, Alert.next_attempt_at <= now)
        .order_by(Alert.channel, Alert.id)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    by_channel: dict[str, list[Alert]] = {}
    for row in session.scalars(query):
        by_channel.setdefault(row.channel, []).append(row)
    released = 0
    for name, rows in by_channel.items():
        channel = channels.get(name)
        if len(rows) == 1 and not (channel is not None and channel.digest):
            rows[0].status, rows[0].next_attempt_at = AlertStatus.PENDING, now
            released += 1
            continue
        items = [AlertPayload.from_json(row.payload) for row in rows]
        # The first row it covers names the digest: a row is covered once, so is its key.
        key = f"{name}:digest:{rows[0].id}"
        if queue_message(session, name, key, digest_payload(items, now)):
            released += 1
        for row in rows:
            row.status = AlertStatus.DIGESTED
    return released


def claim_due(session: Session, owner: str, limit: int = 50) -> list[Alert]:
    """Lease due pending rows to `owner`; an expired lease (a crashed sender) is free."""
    now = utcnow()
    query = (
        select(Alert)
        .where(
            Alert.status == AlertStatus.PENDING,
            Alert.next_attempt_at <= now,
            or_(Alert.lease_expires_at.is_(None), Alert.lease_expires_at < now),
        )
        .order_by(Alert.id)
        .limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(session.scalars(query))
    for row in rows:
        row.lease_owner, row.lease_expires_at = owner, now + LEASE
    return rows


def mark_sent(session: Session, alert_id: int) -> None:
    session.execute(
        update(Alert)
        .where(Alert.id == alert_id)
        .values(
            status=AlertStatus.SENT,
            sent_at=utcnow(),
            lease_owner=None,
            lease_expires_at=None,
            last_error=None,
        )
    )


def mark_failed(session: Session, alert_id: int, error: str) -> Alert:
    row = session.get_one(Alert, alert_id)
    row.attempts += 1
    row.last_error = error
    row.lease_owner = row.lease_expires_at = None
    if row.attempts >= MAX_ATTEMPTS:
        row.status = AlertStatus.DEAD
    else:
        row.next_attempt_at = utcnow() + retry_delay(row.attempts)
    return row


def retry_delay(attempts: int) -> timedelta:
    return RETRY.delay(attempts)


def next_due(session: Session) -> datetime | None:
    return session.scalar(
        select(Alert.next_attempt_at)
        .where(Alert.status == AlertStatus.PENDING)
        .order_by(Alert.next_attempt_at)
        .limit(1)
    )


def release_orphans(session: Session, me: str) -> int:
    """Free the leases of this host's ended processes; returns how many rows were freed."""
    owners = session.scalars(
        select(Alert.lease_owner).where(Alert.lease_owner.is_not(None)).distinct()
    ).all()
    gone = [o for o in owners if o and o != me and owner_has_ended(o, me)]
    if not gone:
        return 0
    result = session.execute(
        update(Alert)
        .where(Alert.lease_owner.in_(gone))
        .values(lease_owner=None, lease_expires_at=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class OutboxCounts:
    pending: int
    sent: int
    dead: int
    held: int = 0  # waiting for a digest or the end of quiet hours


def counts(session: Session) -> OutboxCounts:
    found: dict[str, int] = {
        status: count
        for status, count in session.execute(
            select(Alert.status, func.count()).group_by(Alert.status)
        )
    }
    return OutboxCounts(
        int(found.get(AlertStatus.PENDING, 0)),
        int(found.get(AlertStatus.SENT, 0)),
        int(found.get(AlertStatus.DEAD, 0)),
        int(found.get(AlertStatus.HELD, 0)),
    )


def recent(session: Session, status: str | None = None, limit: int = 30) -> list[Alert]:
    query = select(Alert).order_by(Alert.id.desc()).limit(limit)
    if status:
        query = query.where(Alert.status == status)
    return list(session.scalars(query))


def retry_dead(session: Session, ids: list[int] | None = None) -> int:
    """Put dead alerts (all, or those with these ids) back in the queue, due now."""
    query = update(Alert).where(Alert.status == AlertStatus.DEAD)
    if ids:
        query = query.where(Alert.id.in_(ids))
    result = session.execute(
        query.values(
            status=AlertStatus.PENDING,
            attempts=0,
            next_attempt_at=utcnow(),
            lease_owner=None,
            lease_expires_at=None,
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
