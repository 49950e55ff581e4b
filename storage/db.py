"""The engine and sessions: SQLite by default, any SQLAlchemy URL by $TRACKER_DATABASE_URL."""

from __future__ import annotations

import asyncio
import functools
import itertools
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from tracker.errors import StorageError

P = ParamSpec("P")
T = TypeVar("T")

DEFAULT_SQLITE_PATH = Path("storage/tracker.db")
WAL_ATTEMPTS = 100  # a tenth of a second apart


def default_database_url() -> str:
    return os.environ.get("TRACKER_DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _reason(exc: SQLAlchemyError) -> str:
    """The driver's own first line, without SQLAlchemy's statement dump and links."""
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite would otherwise start transactions lazily and let SAVEPOINT release commit;
    # we issue BEGIN ourselves (see _sqlite_begin), as SQLAlchemy's pysqlite notes advise.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Near-copy lookups walk the bucket index: keep its hot pages in memory.
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MB
    cursor.execute("PRAGMA mmap_size=268435456")  # 256 MB
    cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    """WAL mode, which a new file switches to once. The switch needs the file to itself
    and SQLite does not wait for it (busy_timeout does not apply): processes opening a new
    file together, one of them already migrating it, try again for a few seconds."""
    for attempt in itertools.count():
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt >= WAL_ATTEMPTS:
                raise
            time.sleep(0.1)


def _sqlite_begin(connection: Connection) -> None:
    # IMMEDIATE takes the write lock up front: a read-then-write transaction then waits
    # (busy_timeout) for another writer instead of failing with "database is locked".
    connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """One engine and its session factory; build one per process (or per test)."""

    def __init__(self, url: str | None = None) -> None:
        self.url = make_url(url or default_database_url())
        self.display_url = self.url.render_as_string(hide_password=True)
        database = self.url.database
        if self.url.get_backend_name() == "sqlite" and database not in (None, "", ":memory:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine: Engine = create_engine(self.url, pool_pre_ping=True)
        except (SQLAlchemyError, ImportError) as exc:
            raise StorageError(f"cannot use the database {self.display_url}: {exc}") from exc
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Async callers share one database thread: writes never contend with each other
        # (SQLite allows one writer) and the event loop never blocks on the database.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="database")

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def check(self) -> None:
        """Fail early, in plain words, when the database cannot be reached."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            raise StorageError(
                f"cannot reach the database {self.display_url}: {_reason(exc)}"
            ) from exc

    def upgrade(self) -> None:
        """Apply pending Alembic migrations (the service does this at start)."""
        from storage.migrate import upgrade

        self.check()
        upgrade(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error. A lost
        connection or a locked database is a StorageError; a broken constraint stays an
        IntegrityError, which callers that race on purpose catch."""
        try:
            with self._sessions.begin() as session:
                yield session
        except OperationalError as exc:
            raise StorageError(f"the database {self.display_url} failed: {_reason(exc)}") from exc

    async def run(
        self, work: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run `work(session, ...)` in one transaction on the database thread."""

        def in_session() -> T:
            with self.session() as session:
                return work(session, *args, **kwargs)

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(in_session))

    def dispose(self) -> None:
        self._executor.shutdown(wait=True)
        self.engine.dispose()
