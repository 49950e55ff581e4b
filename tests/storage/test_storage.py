"""Storage on SQLite and PostgreSQL: migrations, UTC datetimes, constraints, the alerts
outbox and source health. Every test that takes `db` runs on both backends."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from alerts import outbox
from alerts.render import AlertPayload, TopicLine
from storage import (
    Alert,
    AlertStatus,
    Article,
    Base,
    Database,
    SourceState,
    StorageError,
    Story,
    TopicHit,
    queries,
)
from storage.migrate import alembic_config, current_revision
from storage.search import is_search_table
from tracker.cli import main

TABLES = {
    "sources",
    "events",
    "articles",
    "article_buckets",
    "stories",
    "topic_hits",
    "alerts",
    "alembic_version",
    "article_search",
}
T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)

PAYLOAD = AlertPayload(
    event="new_story",
    topics=[TopicLine("caesar-act", "Caesar Act", ["قانون قيصر", "Caesar Act"])],
    title="الكونغرس يلغي قانون قيصر",
    outlet="wire",
    url="https://wire.example/a/1",
    published="2025-11-10T23:15:00+00:00",
    lead="صوّت الكونغرس على إلغاء قانون قيصر.",
    lang="ar",
)


class Clock:
    """The outbox's `utcnow`, moved by hand: no test waits for real time to pass."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock(monkeypatch):
    fake = Clock(T0)
    monkeypatch.setattr(outbox, "utcnow", fake)
    return fake


def count(db, model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def add_article(session, url="https://wire.example/a/1", story_id=None) -> Article:
    if story_id is None:
        story = Story(title="Caesar Act repealed")
        session.add(story)
        session.flush()
        story_id = story.id
    article = Article(
        outlet="wire",
        url=url,
        link=url,
        title="Caesar Act repealed",
        text="Congress voted to repeal the Caesar Act.",
        content_hash="0" * 64,
        story_id=story_id,
        decision="new",
    )
    session.add(article)
    session.flush()
    return article


def stored_article(db, url="https://wire.example/a/1") -> tuple[int, int]:
    """An article (and its story) committed in a transaction of its own."""
    with db.session() as session:
        article = add_article(session, url)
        return article.story_id, article.id


def queued_alert(db, channel="desk") -> int:
    story_id, article_id = stored_article(db)
    with db.session() as session:
        assert outbox.queue_alert(session, channel, story_id, article_id, PAYLOAD)
    with db.session() as session:
        return session.scalar(select(Alert.id).where(Alert.channel == channel))


def load_alert(db, alert_id) -> Alert:
    with db.session() as session:
        return session.get_one(Alert, alert_id)


# --- migrations --------------------------------------------------------------------------


def tables(engine) -> set[str]:
    """The tables of the database, the full-text index counted once (SQLite's FTS5 adds
    tables of its own)."""
    names = set(sqlalchemy.inspect(engine).get_table_names())
    return {n for n in names if not is_search_table(n)} | ({"article_search"} & names)


def test_migrations_create_every_table(db):
    assert tables(db.engine) == TABLES


def test_processes_starting_together_on_a_new_database_migrate_it_once(database_url):
    # Replicas started at once (docker compose up): each upgrades at start.
    databases = [Database(database_url) for _ in range(3)]
    start = threading.Barrier(len(databases))
    failures: list[BaseException] = []

    def upgrade(database: Database) -> None:
        start.wait()
        try:
            database.upgrade()
        except BaseException as exc:  # reported below, with the others
            failures.append(exc)

    threads = [threading.Thread(target=upgrade, args=(d,)) for d in databases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    try:
        assert failures == []
        assert tables(databases[0].engine) == TABLES
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert current_revision(databases[0].engine) == head
    finally:
        for database in databases:
            database.dispose()


def _not_the_search_index(name, type_, _parents) -> bool:
    return not (type_ == "table" and is_search_table(name))


def _compared(_object, name, type_, _reflected, _compare_to) -> bool:
    # SQLAlchemy reflects no expression index (ix_articles_unpruned) from SQLite; the test
    # of the prune's plan checks that the migration made it, on both databases.
    return name != "ix_articles_unpruned"


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_migrated_schema_matches_the_models(db):
    with db.engine.connect() as connection:
        opts = {
            "compare_type": True,
            "include_name": _not_the_search_index,
            "include_object": _compared,
        }
        context = MigrationContext.configure(connection, opts=opts)
        assert compare_metadata(context, Base.metadata) == []


def test_current_revision_is_the_head(db):
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()

    assert head is not None
    assert current_revision(db.engine) == head


def test_fresh_database_has_no_revision_until_upgraded(database_url):
    database = Database(database_url)
    try:
        assert current_revision(database.engine) is None
        database.upgrade()
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert current_revision(database.engine) == head
    finally:
        database.dispose()


def test_upgrade_twice_is_harmless_and_keeps_data(db):
    with db.session() as session:
        session.add(Story(title="kept"))

    db.upgrade()
    db.upgrade()

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert current_revision(db.engine) == head
    assert tables(db.engine) == TABLES
    with db.session() as session:
        assert session.scalars(select(Story.title)).all() == ["kept"]
        assert session.scalar(text("SELECT count(*) FROM alembic_version")) == 1


@pytest.mark.parametrize("start", ["0001", "0003"])
def test_upgrading_a_populated_database_keeps_every_row(database_url, start):
    """Migrations add columns to `articles` in place: rebuilding that table would cascade
    into the buckets and topic hits, or fail on the alerts that point at its rows."""
    from storage.migrate import upgrade

    database = Database(database_url)
    try:
        upgrade(database.engine, start)
        rows = {
            "stories": "INSERT INTO stories (id, title, created_at, updated_at)"
            " VALUES (1, 'kept', :t, :t)",
            "articles": "INSERT INTO articles (id, outlet, url, link, url_key, link_key, title,"
            " text, ingested_at, content_hash, story_id, decision)"
            " VALUES (1, 'wire', 'u', 'u', 'k', 'k', 'kept', 'body', :t, 'h', 1, 'new')",
            "article_buckets": "INSERT INTO article_buckets (id, article_id, bucket)"
            " VALUES (1, 1, 42)",
            "topic_hits": "INSERT INTO topic_hits (id, article_id, story_id, topic, terms)"
            " VALUES (1, 1, 1, 'caesar-act', '[]')",
            "alerts": "INSERT INTO alerts (id, key, channel, story_id, article_id, event,"
            " payload, status, attempts, next_attempt_at, created_at)"
            " VALUES (1, 'a', 'chat', 1, 1, 'new_story', '{}', 'pending', 0, :t, :t)",
        }
        if start == "0001":  # the buckets came with 0002
            del rows["article_buckets"]
        with database.engine.begin() as connection:
            for insert in rows.values():
                connection.execute(text(insert), {"t": T0})

        database.upgrade()

        with database.engine.connect() as connection:
            for table in rows:
                assert connection.scalar(text(f"SELECT count(*) FROM {table}")) == 1, table
            assert connection.scalar(text("SELECT event_id FROM articles")) is None
    finally:
        database.dispose()


# --- datetimes ---------------------------------------------------------------------------


def test_datetimes_come_back_as_the_same_instant_in_utc(db):
    damascus = datetime(2025, 11, 11, 2, 15, tzinfo=ZoneInfo("Asia/Damascus"))  # UTC+3
    with db.session() as session:
        article = add_article(session)
        article.published_at = damascus

    with db.session() as session:
        if db.dialect == "postgresql":
            # Whatever zone the connection is in, values still come back in UTC.
            session.execute(text("SET TIME ZONE 'Asia/Damascus'"))
        published = session.scalar(select(Article.published_at))
        created = session.scalar(select(Story.created_at))

    assert published == damascus
    assert published.tzinfo is UTC
    assert (published.day, published.hour, published.minute) == (10, 23, 15)
    # Defaults (utcnow) are aware UTC too.
    assert created.tzinfo is UTC


def test_stored_instant_compares_correctly_in_sql(db):
    with db.session() as session:
        add_article(session).published_at = datetime(
            2025, 11, 11, 2, 15, tzinfo=ZoneInfo("Asia/Damascus")
        )

    def published_between(start, end) -> int:
        with db.session() as session:
            query = select(func.count()).where(
                Article.published_at >= start, Article.published_at < end
            )
            return session.scalar(query)

    utc = datetime(2025, 11, 10, 23, 15, tzinfo=UTC)
    assert published_between(utc - timedelta(minutes=1), utc + timedelta(minutes=1)) == 1
    # The same bounds written in another zone select the same row.
    beirut = ZoneInfo("Asia/Beirut")  # UTC+2 in November
    assert (
        published_between(
            (utc - timedelta(minutes=1)).astimezone(beirut),
            (utc + timedelta(minutes=1)).astimezone(beirut),
        )
        == 1
    )
    # Damascus wall-clock time 02:15 is not what was stored.
    wall = datetime(2025, 11, 11, 2, 15, tzinfo=UTC)
    assert published_between(wall - timedelta(minutes=1), wall + timedelta(minutes=1)) == 0


def test_naive_datetime_is_refused(db):
    with pytest.raises(StatementError, match="naive datetime"), db.session() as session:
        session.add(Story(title="naive", created_at=datetime(2025, 11, 11, 2, 15)))

    assert count(db, Story) == 0


def test_naive_datetime_is_refused_in_queries_too(db):
    with pytest.raises(StatementError, match="naive datetime"), db.session() as session:
        session.scalar(select(Story).where(Story.created_at < datetime(2025, 11, 11)))


# --- constraints and JSON ----------------------------------------------------------------


def test_article_url_is_unique(db):
    stored_article(db, "https://wire.example/a/1")

    with pytest.raises(IntegrityError), db.session() as session:
        add_article(session, "https://wire.example/a/1")

    assert count(db, Article) == 1
    # Another URL is fine.
    stored_article(db, "https://wire.example/a/2")
    assert count(db, Article) == 2


def test_topic_hit_terms_round_trip_as_json(db):
    with db.session() as session:
        article = add_article(session)
        session.add(
            TopicHit(
                article_id=article.id,
                story_id=article.story_id,
                topic="caesar-act",
                terms=["قانون قيصر", "Caesar Act"],
            )
        )

    with db.session() as session:
        assert session.scalar(select(TopicHit.terms)) == ["قانون قيصر", "Caesar Act"]


def test_topic_hit_is_unique_per_article_and_topic(db):
    with db.session() as session:
        article = add_article(session)
        ids = article.id, article.story_id
        session.add(TopicHit(article_id=ids[0], story_id=ids[1], topic="t", terms=["x"]))

    with pytest.raises(IntegrityError), db.session() as session:
        session.add(TopicHit(article_id=ids[0], story_id=ids[1], topic="t", terms=["y"]))

    assert count(db, TopicHit) == 1


# --- the alerts outbox -------------------------------------------------------------------


def test_queue_alert_once_per_key(db):
    story_id, article_id = stored_article(db)

    with db.session() as session:
        assert outbox.queue_alert(session, "desk", story_id, article_id, PAYLOAD) is True
        assert outbox.queue_alert(session, "desk", story_id, article_id, PAYLOAD) is False
    with db.session() as session:
        assert outbox.queue_alert(session, "desk", story_id, article_id, PAYLOAD) is False
        # The same event on another channel is another message.
        assert outbox.queue_alert(session, "mail", story_id, article_id, PAYLOAD) is True

    with db.session() as session:
        rows = session.scalars(select(Alert).order_by(Alert.id)).all()
    assert [(r.channel, r.key, r.status, r.attempts) for r in rows] == [
        ("desk", f"desk:{story_id}:new_story", "pending", 0),
        ("mail", f"mail:{story_id}:new_story", "pending", 0),
    ]
    assert AlertPayload.from_json(rows[0].payload) == PAYLOAD
    assert rows[0].next_attempt_at.tzinfo is UTC


def test_each_development_article_alerts_once(db):
    story_id, first = stored_article(db)
    with db.session() as session:
        second = add_article(session, "https://wire.example/a/2", story_id).id
    development = AlertPayload(**{**PAYLOAD.to_json(), "event": "development", "topics": []})

    with db.session() as session:
        assert outbox.queue_alert(session, "desk", story_id, first, PAYLOAD)
        assert outbox.queue_alert(session, "desk", story_id, second, development)
        assert not outbox.queue_alert(session, "desk", story_id, second, development)
        # A new-story alert is keyed by the story: another article cannot repeat it.
        assert not outbox.queue_alert(session, "desk", story_id, second, PAYLOAD)

    with db.session() as session:
        assert sorted(session.scalars(select(Alert.key))) == sorted(
            [f"desk:{story_id}:new_story", f"desk:{story_id}:development:{second}"]
        )


def test_queued_alert_rolls_back_with_the_article_that_caused_it(db):
    class Abort(Exception):
        pass

    with pytest.raises(Abort), db.session() as session:
        article = add_article(session)
        assert outbox.queue_alert(session, "desk", article.story_id, article.id, PAYLOAD)
        raise Abort

    assert count(db, Alert) == 0
    assert count(db, Article) == 0


def test_queued_alert_is_part_of_the_callers_transaction(db):
    story_id, article_id = stored_article(db)

    class Abort(Exception):
        pass

    with pytest.raises(Abort), db.session() as session:
        assert outbox.queue_alert(session, "desk", story_id, article_id, PAYLOAD)
        raise Abort

    assert count(db, Alert) == 0


def test_claimed_row_is_not_claimed_again_until_its_lease_expires(db, clock):
    alert_id = queued_alert(db)

    with db.session() as session:
        claimed = outbox.claim_due(session, "replica-a")
        assert [row.id for row in claimed] == [alert_id]
    stored = load_alert(db, alert_id)
    assert (stored.lease_owner, stored.lease_expires_at) == ("replica-a", T0 + outbox.LEASE)

    with db.session() as session:
        assert outbox.claim_due(session, "replica-b") == []
    clock.advance(outbox.LEASE - timedelta(seconds=1))
    with db.session() as session:
        assert outbox.claim_due(session, "replica-b") == []

    clock.advance(timedelta(seconds=2))  # the lease has run out: replica-a crashed
    with db.session() as session:
        assert [row.id for row in outbox.claim_due(session, "replica-b")] == [alert_id]
    assert load_alert(db, alert_id).lease_owner == "replica-b"


def test_claim_due_respects_the_limit_and_order(db, clock):
    story_id, article_id = stored_article(db)
    with db.session() as session:
        for channel in ("c1", "c2", "c3"):
            outbox.queue_alert(session, channel, story_id, article_id, PAYLOAD)

    with db.session() as session:
        first = [row.channel for row in outbox.claim_due(session, "a", limit=2)]
    with db.session() as session:
        rest = [row.channel for row in outbox.claim_due(session, "b", limit=2)]

    assert (first, rest) == (["c1", "c2"], ["c3"])


def test_uncommitted_claim_is_skipped_by_a_concurrent_claimer(db, clock):
    if db.dialect != "postgresql":
        pytest.skip("row locks (FOR UPDATE SKIP LOCKED) exist on PostgreSQL only")
    alert_id = queued_alert(db)

    with db.session() as first:
        assert [row.id for row in outbox.claim_due(first, "replica-a")] == [alert_id]
        with db.session() as second:
            assert outbox.claim_due(second, "replica-b") == []

    assert load_alert(db, alert_id).lease_owner == "replica-a"


def test_mark_sent(db, clock):
    alert_id = queued_alert(db)
    with db.session() as session:
        outbox.claim_due(session, "replica-a")

    with db.session() as session:
        outbox.mark_sent(session, alert_id)

    stored = load_alert(db, alert_id)
    assert stored.status == AlertStatus.SENT == "sent"
    assert stored.sent_at == T0
    assert (stored.lease_owner, stored.lease_expires_at) == (None, None)
    clock.advance(timedelta(days=30))
    with db.session() as session:
        assert outbox.claim_due(session, "replica-b") == []
        assert outbox.next_due(session) is None


def test_mark_failed_counts_and_retries_later(db, clock):
    alert_id = queued_alert(db)
    with db.session() as session:
        outbox.claim_due(session, "replica-a")

    with db.session() as session:
        outbox.mark_failed(session, alert_id, "HTTP 502 from the webhook")

    stored = load_alert(db, alert_id)
    assert stored.status == "pending"
    assert stored.attempts == 1
    assert stored.last_error == "HTTP 502 from the webhook"
    assert (stored.lease_owner, stored.lease_expires_at) == (None, None)
    assert T0 + outbox.FIRST_RETRY * 0.9 <= stored.next_attempt_at <= T0 + outbox.FIRST_RETRY * 1.1
    with db.session() as session:
        assert outbox.next_due(session) == stored.next_attempt_at
        # Not due yet, although no lease holds it.
        assert outbox.claim_due(session, "replica-b") == []

    clock.now = stored.next_attempt_at
    with db.session() as session:
        assert [row.id for row in outbox.claim_due(session, "replica-b")] == [alert_id]


def test_row_is_dead_after_max_attempts(db, clock):
    alert_id = queued_alert(db)
    delays = []

    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        with db.session() as session:
            assert [row.id for row in outbox.claim_due(session, "replica-a")] == [alert_id]
        with db.session() as session:
            outbox.mark_failed(session, alert_id, f"failure {attempt}")
        stored = load_alert(db, alert_id)
        assert stored.attempts == attempt
        assert stored.last_error == f"failure {attempt}"
        if attempt < outbox.MAX_ATTEMPTS:
            assert stored.status == "pending"
            assert stored.next_attempt_at > clock.now
            delays.append(stored.next_attempt_at - clock.now)
            clock.now = stored.next_attempt_at

    assert stored.status == AlertStatus.DEAD == "dead"
    # Back-off: each delay about doubles (with ±10% jitter) up to the longest retry.
    for attempt, delay in enumerate(delays, start=1):
        nominal = min(outbox.FIRST_RETRY * 2 ** (attempt - 1), outbox.LONGEST_RETRY)
        assert nominal * 0.9 <= delay <= nominal * 1.1
    clock.advance(timedelta(days=30))
    with db.session() as session:
        assert outbox.claim_due(session, "replica-b") == []
        assert outbox.next_due(session) is None


# --- source health -----------------------------------------------------------------------


def load_state(db, name="wire") -> SourceState:
    with db.session() as session:
        return session.scalars(select(SourceState).where(SourceState.name == name)).one()


def test_record_poll_counts_failures_and_success_resets_them(db):
    with db.session() as session:
        state_id = _claim(session, "https://wire.example/feed").id
    due = datetime(2030, 1, 1, 12, 15, tzinfo=UTC)

    for _ in range(2):
        with db.session() as session:
            queries.record_poll(session, state_id, error="HTTP 503", next_due=due)
    failing = load_state(db)
    assert failing.consecutive_failures == 2
    assert failing.last_error == "HTTP 503"
    assert failing.last_error_at is not None
    assert failing.last_error_at.tzinfo is UTC
    assert failing.last_success_at is None
    assert failing.next_due_at == due

    with db.session() as session:
        queries.record_poll(session, state_id, error=None, etag='"v7"', last_modified="Mon")
    healthy = load_state(db)
    assert healthy.consecutive_failures == 0
    assert healthy.last_success_at is not None
    assert healthy.last_success_at.tzinfo is UTC
    assert (healthy.etag, healthy.last_modified) == ('"v7"', "Mon")

    with db.session() as session:
        queries.record_poll(session, state_id, error="timed out after 30s")
    failing_again = load_state(db)
    assert failing_again.consecutive_failures == 1
    assert failing_again.last_error == "timed out after 30s"
    # A failure does not forget the validators of the last good response.
    assert failing_again.etag == '"v7"'


def _claim(session, url: str) -> SourceState:
    """The source's row as a claim finds (or creates) it, leased to one owner."""
    claim = queries.claim_source(session, "wire", "feed", url, "host:1:me")
    assert claim is not None
    return claim.state


def test_source_state_is_created_once_and_forgets_validators_when_moved(db):
    with db.session() as session:
        first = _claim(session, "https://wire.example/feed").id
        queries.record_poll(session, first, error=None, etag='"v1"')
    with db.session() as session:
        again = _claim(session, "https://wire.example/feed")
        assert again.id == first
        assert again.etag == '"v1"'
    with db.session() as session:
        moved = _claim(session, "https://wire.example/rss")
        assert moved.id == first

    stored = load_state(db)
    assert (stored.url, stored.etag, stored.last_modified) == (
        "https://wire.example/rss",
        None,
        None,
    )
    assert count(db, SourceState) == 1


# --- unreachable databases ---------------------------------------------------------------


def test_unreachable_database_is_named_in_the_error():
    database = Database("postgresql+psycopg://nobody@127.0.0.1:1/x")
    try:
        with pytest.raises(StorageError) as caught:
            database.check()
    finally:
        database.dispose()

    message = str(caught.value)
    assert message.startswith(
        "cannot reach the database postgresql+psycopg://nobody@127.0.0.1:1/x: "
    )
    assert "refused" in message.lower()


def test_unreachable_database_error_hides_the_password():
    database = Database("postgresql+psycopg://nobody:hunter2@127.0.0.1:1/x")
    try:
        with pytest.raises(StorageError) as caught:
            database.upgrade()
    finally:
        database.dispose()

    message = str(caught.value)
    assert "hunter2" not in message
    assert "postgresql+psycopg://nobody:***@127.0.0.1:1/x" in message


@pytest.fixture
def _restore_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("_restore_logging")
def test_cli_says_which_database_it_cannot_reach(monkeypatch, capsys):
    monkeypatch.setenv("TRACKER_DATABASE_URL", "postgresql+psycopg://nobody:hunter2@127.0.0.1:1/x")

    status = main(["stories"])

    out, err = capsys.readouterr()
    assert status == 1
    assert err.startswith(
        "error: cannot reach the database postgresql+psycopg://nobody:***@127.0.0.1:1/x: "
    )
    assert "hunter2" not in out + err


def test_a_failing_database_is_a_storage_error_that_names_it(tmp_path):
    # A database file that is not migrated (or was replaced under the service): the error
    # is the tracker's own, in words, with the database named and no SQL dump.
    db = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(StorageError) as caught, db.session() as session:
            session.execute(text("SELECT count(*) FROM articles"))
    finally:
        db.dispose()
    message = str(caught.value)
    assert message.startswith(f"the database sqlite:///{tmp_path / 'empty.db'} failed: ")
    assert "no such table: articles" in message
    assert "SELECT" not in message
