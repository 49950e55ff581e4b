from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select, update

from alerts import AlertPayload, Dispatcher, TopicLine, queue_alert
from alerts.outbox import MAX_ATTEMPTS
from config import Channel
from storage import Alert, Article, Database, Story
from storage.types import utcnow
from tests.support.receivers import html_part
from tracker.cli import main

PAYLOAD = AlertPayload(
    event="new_story",
    topics=[TopicLine("sdf-prisons", "SDF prisons", ["قسد", "سجن"])],
    title="حظر تجول شامل في الشدادي بعد فرار عناصر من داعش",
    outlet="wire-ar",
    url="https://wire-ar.test/2026/01/19/x",
    published="2026-01-19T19:10:00+00:00",
    lead="فرض الجيش السوري حظر تجول شاملاً في بلدة الشدادي.",
    lang="ar",
)


def _queue(db: Database, channels: list[str]) -> None:
    with db.session() as session:
        story = Story(title="t")
        session.add(story)
        session.flush()
        article = Article(
            outlet="wire-ar",
            url="https://wire-ar.test/x",
            link="https://wire-ar.test/x",
            title="t",
            text="t",
            content_hash="0" * 64,
            story_id=story.id,
            decision="new_story",
        )
        session.add(article)
        session.flush()
        for channel in channels:
            queue_alert(session, channel, story.id, article.id, PAYLOAD)


def _make_due(db: Database) -> None:
    with db.session() as session:
        session.execute(update(Alert).values(next_attempt_at=utcnow() - timedelta(seconds=1)))


def _statuses(db: Database) -> list[tuple[str, str, int]]:
    with db.session() as session:
        rows = session.scalars(select(Alert).order_by(Alert.channel))
        return [(a.channel, a.status, a.attempts) for a in rows]


def test_chat_gets_markdown_and_email_gets_right_to_left_html(sqlite_db, webhook, smtp) -> None:
    _queue(sqlite_db, ["desk", "mail"])
    channels = {"desk": Channel(url=webhook.url), "mail": Channel(url=smtp.url)}

    report = asyncio.run(Dispatcher(sqlite_db, channels, "test").dispatch_due())

    assert report.sent == 2
    [chat] = webhook.messages
    assert chat["title"].startswith("New story · SDF prisons: حظر تجول شامل في الشدادي")
    assert "**حظر تجول شامل في الشدادي" in chat["message"]
    [mail] = smtp.messages
    assert "حظر تجول شامل في الشدادي" in str(mail["subject"])
    assert '<div dir="rtl" lang="ar"' in html_part(mail)
    assert "فرض الجيش السوري حظر تجول" in html_part(mail)
    assert _statuses(sqlite_db) == [("desk", "sent", 0), ("mail", "sent", 0)]


def test_a_channel_that_refuses_is_retried_later_and_gets_the_alert_once(
    sqlite_db, webhook, smtp
) -> None:
    _queue(sqlite_db, ["desk", "mail"])
    webhook.refuse = True
    smtp.refuse = True
    channels = {"desk": Channel(url=webhook.url), "mail": Channel(url=smtp.url)}
    dispatcher = Dispatcher(sqlite_db, channels, "test")

    first = asyncio.run(dispatcher.dispatch_due())
    not_yet_due = asyncio.run(dispatcher.dispatch_due())

    assert (first.sent, first.failed) == (0, 2)
    assert (not_yet_due.sent, not_yet_due.failed) == (0, 0)
    assert _statuses(sqlite_db) == [("desk", "pending", 1), ("mail", "pending", 1)]
    with sqlite_db.session() as session:
        errors = {a.channel: a.last_error for a in session.scalars(select(Alert))}
    assert errors["desk"] and errors["mail"]

    webhook.refuse = smtp.refuse = False
    _make_due(sqlite_db)
    second = asyncio.run(dispatcher.dispatch_due())

    assert second.sent == 2
    assert len(webhook.messages) == 1
    assert len(smtp.messages) == 1
    assert _statuses(sqlite_db) == [("desk", "sent", 1), ("mail", "sent", 1)]


def test_an_alert_is_given_up_after_the_last_attempt(sqlite_db, webhook) -> None:
    _queue(sqlite_db, ["desk"])
    webhook.refuse = True
    dispatcher = Dispatcher(sqlite_db, {"desk": Channel(url=webhook.url)}, "test")
    for _ in range(MAX_ATTEMPTS):
        _make_due(sqlite_db)
        asyncio.run(dispatcher.dispatch_due())
    assert _statuses(sqlite_db) == [("desk", "dead", MAX_ATTEMPTS)]


def test_an_alert_for_a_channel_no_longer_in_the_watchlist_waits_with_a_reason(
    sqlite_db,
) -> None:
    _queue(sqlite_db, ["removed"])
    asyncio.run(Dispatcher(sqlite_db, {}, "test").dispatch_due())
    with sqlite_db.session() as session:
        row = session.scalars(select(Alert)).one()
    assert row.status == "pending"
    assert "not in the watchlist" in (row.last_error or "")


def test_test_alert_command_reaches_the_channel(write_watchlist, webhook, capsys) -> None:
    config = write_watchlist(f'version: 1\nchannels:\n  desk: "{webhook.url}"\n')

    status = main(["test-alert", "desk", "--config", str(config)])

    assert status == 0
    assert "test message sent to desk" in capsys.readouterr().out
    [message] = webhook.messages
    assert "رسالة تجريبية" in message["title"]


def test_test_alert_command_says_why_a_channel_failed(write_watchlist, capsys) -> None:
    config = write_watchlist('version: 1\nchannels:\n  desk: "json://127.0.0.1:9/x"\n  off: ""\n')

    assert main(["test-alert", "desk", "--config", str(config)]) == 1
    assert "test message to desk failed" in capsys.readouterr().err
    assert main(["test-alert", "off", "--config", str(config)]) == 1
    assert "has no URL" in capsys.readouterr().err
    assert main(["test-alert", "nope", "--config", str(config)]) == 1
    assert "channels: desk, off" in capsys.readouterr().err
