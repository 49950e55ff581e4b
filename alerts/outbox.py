"""The alerts outbox: rows are queued with the article that caused them and sent later.

A row's key (channel, story, event) is unique, so an event is queued at most once per
channel, whatever races or restarts happen.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from alerts.render import AlertPayload
from storage.models import Alert, AlertStatus
from storage.types import utcnow

FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
MAX_ATTEMPTS = 12  # about seven hours of retries before a row is dead
LEASE = timedelta(minutes=2)


def alert_key(channel: str, story_id: int, event: str, article_id: int) -> str:
    # A story alerts once as new; each development article alerts once more.
    suffix = "new_story" if event == "new_story" else f"{event}:{article_id}"
    return f"{channel}:{story_id}:{suffix}"


def queue_alert(
    session: Session, channel: str, story_id: int, article_id: int, payload: AlertPayload
) -> bool:
    """Queue one message in the caller's transaction; False when it was already queued."""
    key = alert_key(channel, story_id, payload.event, article_id)
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
                    status=AlertStatus.PENDING,
                    attempts=0,
                    next_attempt_at=utcnow(),
                )
            )
    except IntegrityError:
        return False  # another process queued the same key first
    return True


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
    delay: timedelta = min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)
    return delay * random.uniform(0.9, 1.1)  # noqa: S311 (jitter, not security)


def next_due(session: Session) -> datetime | None:
    return session.scalar(
        select(Alert.next_attempt_at)
        .where(Alert.status == AlertStatus.PENDING)
        .order_by(Alert.next_attempt_at)
        .limit(1)
    )
