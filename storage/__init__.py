"""Storage: SQLAlchemy 2.0 models, engine set-up, queries and Alembic migrations.

Of the project it imports only tracker.errors, the error tree every package raises into.
"""

from storage.db import Database, default_database_url
from storage.models import (
    Alert,
    AlertStatus,
    Article,
    ArticleBucket,
    Base,
    Event,
    SourceState,
    Story,
    TopicHit,
)
from tracker.errors import StorageError

__all__ = [
    "Alert",
    "AlertStatus",
    "Article",
    "ArticleBucket",
    "Base",
    "Database",
    "Event",
    "SourceState",
    "StorageError",
    "Story",
    "TopicHit",
    "default_database_url",
]
