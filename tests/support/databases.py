"""Fresh PostgreSQL databases for tests (127.0.0.1:5432, trust auth; CI starts it)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy

POSTGRES_ADMIN_URL = os.environ.get(
    "TRACKER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def create_postgres_database(prefix: str, admin_url: str = POSTGRES_ADMIN_URL) -> str:
    """A new, empty database on the server of `admin_url`, named `prefix` and a random
    suffix; its URL. Raises sqlalchemy's OperationalError when PostgreSQL is not
    reachable."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    url = sqlalchemy.make_url(admin_url).set(database=name)
    return url.render_as_string(hide_password=False)


def drop_postgres_database(url: str, admin_url: str = POSTGRES_ADMIN_URL) -> None:
    """Drop a database made by create_postgres_database, connections and all."""
    name = sqlalchemy.make_url(url).database
    admin = sqlalchemy.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def fresh_postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    try:
        url = create_postgres_database("tracker_test")
    except sqlalchemy.exc.OperationalError as exc:
        if os.environ.get("TRACKER_REQUIRE_POSTGRES"):
            raise
        pytest.skip(f"PostgreSQL is not reachable: {exc.orig}")
    try:
        yield url
    finally:
        drop_postgres_database(url)
