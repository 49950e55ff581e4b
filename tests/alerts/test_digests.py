"""Digests and quiet hours: held alerts go out once, together, when their time comes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from alerts import AlertPayload, Dispatcher, TopicLine, queue_alert
from alerts.outbox import release_held
from alerts.render import check_template, render_markdown
from alerts.timing import hold_until
from config import Channel
from storage import Alert, Article, Database, Story
from storage.types import utcnow

DAMASCUS = ZoneInfo("Asia/Damascus")  # UTC+3 all year


def _local(hour: int, minute: int = 0, day: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=DAMASCUS)


def test_quiet_hours_across_midnight_hold_until_they_end_in_the_channels_zone() -> None:
    channel = Channel(url="", quiet="23:00-07:00", timezone="Asia/Damascus")
    assert hold_until(channel, _local(22, 59)) is None
    assert hold_until(channel, _local(23, 30)) == _local(7, 0, day=11).astimezone(UTC)
    assert hold_until(channel, _local(3, 0)) == _local(7, 0).astimezone(UTC)
    assert hold_until(channel, _local(7, 0)) is None
    assert hold_until(channel, _local(23, 30), urgent=True) is None


def test_a_digest_is_due_at_the_end_of_its_period_and_never_inside_quiet_hours() -> None:
    daily = Channel(url="", digest="daily 08:00", timezone="Asia/Damascus")
    assert hold_until(daily, _local(7, 59)) == _local(8).astimezone(UTC)
    assert hold_until(daily, _local(8, 0)) == _local(8, day=11).astimezone(UTC)
    hourly = Channel(url="", digest="hourly", timezone="Asia/Damascus")
    assert hold_until(hourly, _local(13, 20)) == _local(14).astimezone(UTC)
    quiet_hourly = Channel(url="", digest="hourly", quiet="23:00-07:00", timezone="Asia/Damascus")
    assert hold_until(quiet_hourly, _local(23, 20)) == _local(7, day=11).astimezone(UTC)
    # Urgent: out of quiet hours, but still in the digest the channel asked for.
    assert hold_until(quiet_hourly, _local(23, 20), urgent=True) == _local(0, day=11).astimezone(
        UTC
    )


def test_channel_keys_are_checked() -> None:
    with pytest.raises(ValueError, match="HH:MM-HH:MM"):
        Channel(url="", quiet="11pm-7am")
    with pytest.raises(ValueError, match="unknown time zone"):
        Channel(url="", timezone="Mars/Olympus")
    with pytest.raises(ValueError, match=r"\.md\.j2"):
        Channel(url="", template="desk.txt")


def _payload(topic: str, title: str, published: str, event: str = "new_story") -> AlertPayload:
    return AlertPayload(
        event=event,
        topics=[TopicLine(topic, topic.replace("-", " ").title(), [topic])],
        title=title,
        outlet="wire",
        url=f"https://wire.test/{abs(hash(title))}",
        published=published,
        lead="",
        also=["other-outlet"],
    )


def _hold(db: Database, channel: str, payloads: list[AlertPayload], until: datetime) -> None:
    with db.session() as session:
        for payload in payloads:
            story = Story(title=payload.title)
            session.add(story)
            session.flush()
            article = Article(
                outlet="wire",
                url=payload.url,
                link=payload.url,
                title=payload.title,
                text=payload.title,
                content_hash=str(abs(hash(payload.url))).rjust(64, "0"),
                story_id=story.id,
                decision="new_story",
            )
            session.add(article)
            session.flush()
            queue_alert(session, channel, story.id, article.id, payload, hold_until=until)


def _the_period_ends(db: Database) -> None:
    with db.session() as session:
        session.execute(
            update(Alert)
            .where(Alert.status == "held")
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )


def _statuses(db: Database) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(Alert.status).order_by(Alert.id)))


ALERTS = [
    _payload("caesar-act", "House passes Caesar Act repeal", "2026-03-10T09:00:00+00:00"),
    _payload("sdf-prisons", "حظر تجول في الشدادي", "2026-03-10T11:00:00+00:00"),
    _payload("caesar-act", "Senate votes on repeal", "2026-03-10T12:00:00+00:00", "development"),
]


def test_a_digest_period_sends_one_message_with_every_alert_by_topic(db, webhook) -> None:
    channels = {"desk": Channel(url=webhook.url, digest="daily 08:00")}
    _hold(db, "desk", ALERTS, utcnow() + timedelta(hours=5))

    before = asyncio.run(Dispatcher(db, channels, "a").dispatch_due())
    _the_period_ends(db)
    during = asyncio.run(Dispatcher(db, channels, "b").dispatch_due())  # after a restart
    again = asyncio.run(Dispatcher(db, channels, "c").dispatch_due())

    assert (before.sent, during.sent, again.sent) == (0, 1, 0)
    [message] = webhook.messages
    assert message["title"] == "Digest: 2 new stories and 1 development"
    text = message["message"]
    for alert in ALERTS:
        assert alert.title in text
        assert alert.url in text
    # By topic, the topic with the newest alert first, newest first inside a topic.
    assert text.index("Caesar Act") < text.index("Sdf Prisons")
    assert text.index("Senate votes") < text.index("House passes")
    assert "(wire, other-outlet, 10 Mar 2026 12:00 UTC)" in text
    assert _statuses(db) == ["digested"] * 3 + ["sent"]


def test_quiet_hours_hold_alerts_and_release_them_together_once(db, webhook) -> None:
    channels = {"desk": Channel(url=webhook.url, quiet="23:00-07:00")}
    _hold(db, "desk", ALERTS[:2], utcnow() + timedelta(hours=2))

    with db.session() as session:
        assert release_held(session, channels) == 0  # not yet
    _the_period_ends(db)
    with db.session() as session:
        first = release_held(session, channels)
    with db.session() as session:  # another replica, a moment later
        second = release_held(session, channels)
    report = asyncio.run(Dispatcher(db, channels, "a").dispatch_due())

    assert (first, second, report.sent) == (1, 0, 1)
    [message] = webhook.messages
    assert ALERTS[0].title in message["message"] and ALERTS[1].title in message["message"]


def test_one_alert_held_by_quiet_hours_goes_out_as_itself(db, webhook) -> None:
    channels = {"desk": Channel(url=webhook.url, quiet="23:00-07:00")}
    _hold(db, "desk", ALERTS[:1], utcnow() - timedelta(seconds=1))

    report = asyncio.run(Dispatcher(db, channels, "a").dispatch_due())

    assert report.sent == 1
    [message] = webhook.messages
    assert message["title"] == "New story · Caesar Act: House passes Caesar Act repeal"


def test_a_channel_template_shapes_its_messages(sqlite_db, webhook, tmp_path) -> None:
    template = tmp_path / "desk.md.j2"
    template.write_text(
        "{% if groups %}{{ groups | length }} topics{% else %}"
        "ALERT {{ alert.title }} <{{ alert.url }}>{% endif %}\n",
        encoding="utf-8",
    )
    watchlist = tmp_path / "watchlist.yaml"
    channels = {"desk": Channel(url=webhook.url, template="desk.md.j2")}
    _hold(sqlite_db, "desk", ALERTS[:1], utcnow() - timedelta(seconds=1))

    asyncio.run(Dispatcher(sqlite_db, channels, "a", [watchlist]).dispatch_due())

    [message] = webhook.messages
    assert message["message"] == f"ALERT {ALERTS[0].title} <{ALERTS[0].url}>"


def test_a_broken_template_is_reported_with_its_file_and_line(tmp_path) -> None:
    syntax = tmp_path / "syntax.md.j2"
    syntax.write_text("line one\n{% if alert.title %}\nno end\n", encoding="utf-8")
    field = tmp_path / "field.html.j2"
    field.write_text("<p>{{ alert.title }}</p>\n<p>{{ alert.headline }}</p>\n", encoding="utf-8")

    assert check_template(syntax) is not None
    assert check_template(syntax).startswith(f"{syntax}:")  # type: ignore[union-attr]
    assert check_template(field).startswith(f"{field}:2: UndefinedError")  # type: ignore[union-attr]
    assert check_template(tmp_path / "missing.md.j2") == (
        f"{tmp_path / 'missing.md.j2'}: no such template file"
    )


def test_html_templates_escape_article_text(tmp_path) -> None:
    template = tmp_path / "mail.html.j2"
    template.write_text("<h1>{{ alert.title }}</h1>", encoding="utf-8")
    payload = _payload("x", "<script>alert(1)</script>", "2026-03-10T09:00:00+00:00")
    from alerts.render import render_with

    assert render_with(template, payload) == "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>"
    assert "\\<script\\>" in render_markdown(payload)


def test_an_alert_found_in_quiet_hours_is_held_unless_its_topic_is_urgent(sqlite_db) -> None:
    from ruamel.yaml import YAML

    from config import Watchlist
    from tests.support.corpus import incoming
    from tests.support.watchlists import topics_yaml
    from tracker.service.pipeline import Pipeline

    now = datetime.now(UTC)
    quiet = f"{(now - timedelta(hours=1)):%H:%M}-{(now + timedelta(hours=1)):%H:%M}"
    topics = YAML(typ="safe").load(topics_yaml())["topics"]
    for topic in topics:
        topic["urgent"] = topic["name"] == "sdf-prisons"
    watchlist = Watchlist.model_validate(
        {
            "version": 1,
            "channels": {"desk": {"url": "json://127.0.0.1:9/", "quiet": quiet}},
            "topics": topics,
        }
    )
    pipeline = Pipeline(watchlist)
    # a001 is about the Caesar Act, a065 about the SDF's prisons.
    for record_id in ("a001", "a065"):
        article = incoming(record_id)
        with sqlite_db.session() as session:  # found as it was published
            pipeline.ingest(session, article, now=article.published)

    with sqlite_db.session() as session:
        rows = {a.payload["topics"][0]["name"]: a for a in session.scalars(select(Alert))}
    assert rows["caesar-act"].status == "held"
    assert rows["caesar-act"].next_attempt_at > now + timedelta(minutes=50)
    assert rows["sdf-prisons"].status == "pending"


def test_check_reports_a_channel_template_that_cannot_render(write_watchlist, capsys) -> None:
    from tracker.cli import main

    path = write_watchlist(
        "version: 1\n"
        "channels:\n"
        "  desk:\n"
        "    url: json://127.0.0.1:9/\n"
        "    template: desk.md.j2\n"
        "sources:\n  - {name: s, feed: 'https://example.org/feed'}\n"
        "topics:\n  - {name: t, any: [x], notify: [desk]}\n"
    )
    template = path.parent / "desk.md.j2"
    template.write_text("**{{ alert.title }}**\n{{ alert.title | nosuchfilter }}\n")

    assert main(["check", "--config", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{template}:2: " in err
    assert "nosuchfilter" in err and "channel desk" in err

    template.write_text("**{{ alert.title | md }}**\n")
    assert main(["check", "--config", str(path)]) == 0
    assert "OK" in capsys.readouterr().out


def test_a_digest_longer_than_the_service_takes_arrives_in_parts(sqlite_db, webhook) -> None:
    """The JSON service takes 32,768 characters a message; a busy day's digest is longer."""
    many = [
        _payload(
            "caesar-act", f"Story {n:03d} " + "word " * 60, f"2026-03-10T{n % 24:02d}:00:00+00:00"
        )
        for n in range(120)
    ]
    channels = {"desk": Channel(url=webhook.url, digest="hourly")}
    _hold(sqlite_db, "desk", many, utcnow() - timedelta(seconds=1))

    report = asyncio.run(Dispatcher(sqlite_db, channels, "a").dispatch_due())

    assert report.sent == 1 and report.dead == 0
    assert len(webhook.messages) > 1
    text = "".join(m["message"] for m in webhook.messages)
    assert all(f"Story {n:03d}" in text for n in range(120))


def test_hourly_digests_follow_local_hours_in_half_hour_zones_and_across_dst() -> None:
    kolkata = Channel(url="", digest="hourly", timezone="Asia/Kolkata")  # UTC+5:30
    at = datetime(2026, 3, 10, 10, 20, tzinfo=ZoneInfo("Asia/Kolkata"))
    assert hold_until(kolkata, at) == datetime(2026, 3, 10, 11, 0, tzinfo=ZoneInfo("Asia/Kolkata"))
    berlin = Channel(url="", digest="hourly", timezone="Europe/Berlin")
    # 25 October 2026, 02:30 CEST (the first of the two 02:30s): the next hour is 02:00 CET.
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert hold_until(berlin, first) == datetime(2026, 10, 25, 1, 0, tzinfo=UTC)


def test_quiet_hours_hold_alerts_across_a_restart_and_send_them_once(
    tmp_path, news_site, webhook
) -> None:
    """`tracker once` finds two stories in quiet hours: held. A later run, after the quiet
    hours, sends one message with both; the run after that sends nothing more."""
    from tests.support.corpus import record
    from tests.support.process import run_tracker
    from tests.support.watchlists import topics_yaml

    news_site.add_feed("/wire/feed.xml", [record("a001"), record("a065")])
    now = datetime.now(UTC)
    quiet = f"{(now - timedelta(hours=1)):%H:%M}-{(now + timedelta(hours=2)):%H:%M}"
    config = tmp_path / "watchlist.yaml"
    config.write_text(
        "version: 1\n"
        "defaults: {max_age: off}\n"
        f"channels:\n  desk:\n    url: '{webhook.url}'\n    quiet: '{quiet}'\n"
        f"sources:\n  - name: wire-ar\n    feed: {news_site.url('/wire/feed.xml')}\n"
        + topics_yaml(),
        encoding="utf-8",
    )
    database = f"sqlite:///{tmp_path / 'tracker.db'}"

    first = run_tracker(["once", "--config", str(config)], tmp_path, database)
    held = list(webhook.messages)
    db = Database(database)
    try:
        with db.session() as session:
            statuses = sorted(session.scalars(select(Alert.status)))
        _the_period_ends(db)  # the quiet hours are over
    finally:
        db.dispose()
    second = run_tracker(["once", "--config", str(config)], tmp_path, database)
    third = run_tracker(["once", "--config", str(config)], tmp_path, database)

    assert first.returncode == second.returncode == third.returncode == 0, first.stderr
    assert (held, statuses) == ([], ["held", "held"])
    [message] = webhook.messages
    assert message["title"] == "Digest: 2 new stories"
    assert record("a001")["title"] in message["message"]
    assert record("a065")["title"] in message["message"]
