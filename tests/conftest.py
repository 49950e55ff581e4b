"""Shared fixtures: real local servers, real databases, watchlist files."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from storage import Database
from tests.support.databases import fresh_postgres_database
from tests.support.receivers import SmtpReceiver, WebhookReceiver
from tests.support.site import NewsSite


@pytest.fixture(autouse=True)
def _no_proxies_and_no_user_config(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "TRACKER_CONFIG",
        "TRACKER_DATABASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """`tracker.cli.main` points the root logger at the stderr of the moment (a capture
    that closes with the test); put the handlers back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def news_site(httpserver: HTTPServer) -> NewsSite:
    return NewsSite(httpserver)


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def write_watchlist(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str, name: str = "watchlist.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for a test that runs on PostgreSQL only."""
    yield from fresh_postgres_database()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each storage test runs on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
    else:
        yield from fresh_postgres_database()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'tracker.db'}")
    database.upgrade()
    yield database
    database.dispose()
